// Resolver: Odoo ids of our references, read once each.
#include <odoosync/odoo/client.hpp>
#include <odoosync/retail/odoo_mapping.hpp>

#include <odoosync/core/json.hpp>
#include <odoosync/odoo/domain.hpp>

#include <set>

namespace odoosync {
inline namespace v0 {
namespace retail {
namespace {

using odoo::field;

std::string str(const json::Value& v) { return std::string(json::text(v)); }
std::int64_t m2o(const json::Value& v) {
  if (v.IsArray() && v.Size() >= 1 && v[0].IsInt64()) return v[0].GetInt64();
  if (v.IsInt64()) return v.GetInt64();
  return 0;
}
Error not_found(std::string message) { return Error(ErrorKind::not_found, std::move(message)); }
const odoo::CallOptions read_options{.context_json = R"({"active_test": false})", .idempotent = true};

}  // namespace

Resolver::Resolver(odoo::Client& client, MappingOptions options) : client_(client), options_(std::move(options)) {}
Resolver::~Resolver() = default;

result<void> Resolver::prefetch_products(const std::vector<std::string>& skus) {
  std::set<std::string> wanted;
  for (const auto& s : skus) {
    if (!products_.count(s)) wanted.insert(s);
  }
  if (wanted.empty()) return success();
  std::vector<std::string> names;
  std::map<std::string, std::string> sku_of;
  for (const auto& s : wanted) {
    std::string x = xmlid("product", s);
    std::string name = x.substr(x.find('.') + 1);
    sku_of[name] = s;
    names.push_back(std::move(name));
  }
  ODOOSYNC_TRY(links, client_.search_read("ir.model.data",
                                          field("module") == options_.module && field("model") == "product.product" &&
                                              field("name").in(names),
                                          {"name", "res_id"}, {}, read_options));
  for (const auto& row : links.GetArray()) {
    const std::string& sku = sku_of[str(row["name"])];
    products_[sku] = row["res_id"].GetInt64();
    wanted.erase(sku);
  }
  if (wanted.empty()) return success();
  ODOOSYNC_TRY(rows,
               client_.search_read("product.product",
                                   field("default_code").in(std::vector<std::string>(wanted.begin(), wanted.end())),
                                   {"default_code"}, {.order = "id asc"}, read_options));
  for (const auto& row : rows.GetArray()) {
    products_.try_emplace(str(row["default_code"]), row["id"].GetInt64());  // two with one SKU: the oldest
  }
  return success();
}

result<std::int64_t> Resolver::product(const Sku& sku) {
  if (auto it = products_.find(sku.value); it != products_.end()) return it->second;
  ODOOSYNC_TRYV(prefetch_products({sku.value}));
  if (auto it = products_.find(sku.value); it != products_.end()) return it->second;
  return not_found("unknown SKU \"" + sku.value + "\": no product in Odoo has it as external id or internal reference");
}

result<std::int64_t> Resolver::location(const LocationRef& location) {
  if (auto it = locations_.find(location.value); it != locations_.end()) return it->second;
  ODOOSYNC_TRY(rows, client_.search(std::string_view("stock.location"), field("complete_name") == location.value,
                                    {.limit = 1}, read_options));
  if (rows.empty())
    return not_found("unknown location \"" + location.value + "\": no stock.location has this full name");
  locations_[location.value] = rows[0];
  return rows[0];
}

result<std::int64_t> Resolver::partner(std::string_view ref) {
  if (auto it = partners_.find(ref); it != partners_.end()) return it->second;
  ODOOSYNC_TRY(rows, client_.search("res.partner", field("ref") == std::string(ref), {.limit = 1, .order = "id asc"},
                                    read_options));
  std::int64_t id = rows.empty() ? 0 : rows[0];
  if (!id) {
    const std::string x = xmlid("customer", ref);
    ODOOSYNC_TRY(links, client_.search_read("ir.model.data",
                                            field("module") == options_.module && field("model") == "res.partner" &&
                                                field("name") == x.substr(x.find('.') + 1),
                                            {"res_id"}, {}, read_options));
    if (!links.Empty()) id = links[0]["res_id"].GetInt64();
  }
  if (!id) return not_found("unknown customer \"" + std::string(ref) + "\": no res.partner has this reference");
  partners_[std::string(ref)] = id;
  return id;
}

result<Resolver::Warehouse> Resolver::warehouse(std::string_view code) {
  if (auto it = warehouses_.find(code); it != warehouses_.end()) return it->second;
  ODOOSYNC_TRY(rows, client_.search_read("stock.warehouse", field("code") == std::string(code),
                                         {"company_id", "lot_stock_id"}, {.limit = 1}, read_options));
  if (rows.Empty())
    return not_found("unknown warehouse \"" + std::string(code) + "\": no stock.warehouse has this short name");
  Warehouse w;
  w.id = rows[0]["id"].GetInt64();
  w.company = m2o(rows[0]["company_id"]);
  w.stock_location = m2o(rows[0]["lot_stock_id"]);
  ODOOSYNC_TRY(types, client_.search_read("stock.picking.type", field("warehouse_id") == w.id, {"code"},
                                          {.order = "id asc"}, read_options));
  for (const auto& t : types.GetArray()) {
    const std::string c = str(t["code"]);
    std::int64_t& slot = c == "incoming" ? w.receipt_type : c == "outgoing" ? w.delivery_type : w.internal_type;
    if (c != "incoming" && c != "outgoing" && c != "internal") continue;
    if (!slot) slot = t["id"].GetInt64();
  }
  if (!w.internal_type) return not_found("warehouse \"" + std::string(code) + "\" has no internal operation type");
  warehouses_[std::string(code)] = w;
  return w;
}

result<std::int64_t> Resolver::inventory_location(std::int64_t company) {
  if (auto it = inventory_.find(company); it != inventory_.end()) return it->second;
  ODOOSYNC_TRY(rows, client_.search("stock.location",
                                    field("usage") == "inventory" && field("name").ilike("Inventory adjustment") &&
                                        (field("company_id") == company || field("company_id") == false),
                                    {.limit = 1, .order = "id asc"}, read_options));
  if (rows.empty())
    return not_found("no inventory-adjustment location (usage inventory) in Odoo for company " +
                     std::to_string(company));
  inventory_[company] = rows[0];
  return rows[0];
}

result<std::int64_t> Resolver::vendor_location() {
  if (vendor_) return vendor_;
  ODOOSYNC_TRY(rows, client_.search("stock.location", field("usage") == "supplier", {.limit = 1, .order = "id asc"},
                                    read_options));
  if (rows.empty()) return not_found("no vendor location (usage supplier) in Odoo");
  vendor_ = rows[0];
  return vendor_;
}

result<std::int64_t> Resolver::journal(std::string_view type) {
  if (auto it = journals_.find(type); it != journals_.end()) return it->second;
  ODOOSYNC_TRY(rows, client_.search("account.journal", field("type") == std::string(type),
                                    {.limit = 1, .order = "id asc"}, read_options));
  if (rows.empty()) return not_found("no " + std::string(type) + " journal in Odoo");
  journals_[std::string(type)] = rows[0];
  return rows[0];
}

result<bool> Resolver::has_field(std::string_view model, std::string_view name) {
  std::string key = std::string(model) + "/" + std::string(name);
  if (auto it = fields_.find(key); it != fields_.end()) return it->second;
  json::Writer w;
  w.begin_object().key("allfields").begin_array().string(name).end_array();
  w.key("attributes").begin_array().string("type").end_array().end_object();
  ODOOSYNC_TRY(answer, client_.call_named(model, "fields_get", {}, w.unchecked_view(), {.idempotent = true}));
  const bool present = answer.IsObject() && json::find(answer, name) != nullptr;
  fields_.emplace(std::move(key), present);
  return present;
}

result<Resolver::SaleOrder> Resolver::order(std::string_view number) {
  ODOOSYNC_TRY(rows,
               client_.search_read("sale.order", field("client_order_ref") == std::string(number),
                                   {"name", "partner_id", "state"}, {.limit = 1, .order = "id asc"}, read_options));
  if (rows.Empty())
    return not_found("order " + std::string(number) + " is not in Odoo (no sale.order with this client_order_ref)");
  SaleOrder o;
  o.id = rows[0]["id"].GetInt64();
  o.partner = m2o(rows[0]["partner_id"]);
  o.name = str(rows[0]["name"]);
  o.state = str(rows[0]["state"]);
  return o;
}

}  // namespace retail
}  // namespace v0
}  // namespace odoosync
