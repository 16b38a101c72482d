// The effects of retail events on Odoo (docs/mapping.md has the table and the reasons).
#include <odoosync/retail/odoo_mapping.hpp>

#include <odoosync/core/json.hpp>
#include <odoosync/odoo/domain.hpp>
#include <odoosync/odoo/values.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <set>

namespace odoosync {
inline namespace v0 {
namespace retail {
namespace {

using odoo::Command;
using odoo::Decimal;
using odoo::Values;
using odoo::field;

__extension__ typedef __int128 i128;

constexpr std::string_view inventory_mode = R"({"inventory_mode": true})";

Decimal dec(const Money& m) { return Decimal{m.minor_units(), static_cast<std::uint8_t>(m.currency().exponent())}; }
Decimal dec(const Quantity& q) { return Decimal{q.micro_units(), 6}; }

std::string str(const json::Value& v) { return std::string(json::text(v)); }

Error not_found(std::string message) { return Error(ErrorKind::not_found, std::move(message)); }

// 128 bits of FNV-1a over the members' (source, id): a stable name for a batch nobody named.
std::string derived_token(std::span<const Event* const> events) {
  std::uint64_t a = 14695981039346656037ull, b = 1099511628211ull ^ 0x9e3779b97f4a7c15ull;
  const auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      a = (a ^ c) * 1099511628211ull;
      b = (b ^ c) * 0x100000001b3ull + 0x632be59bd9b4e019ull;
    }
    a = (a ^ 0xff) * 1099511628211ull;
    b = (b ^ 0xfe) * 0x100000001b3ull;
  };
  for (const Event* e : events) {
    mix(e->source);
    mix(e->id);
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(a), static_cast<unsigned long long>(b));
  return buf;
}

// module.<prefix>_<key>, the key's characters outside [A-Za-z0-9-] written as _xx (hex): one key, one name.
std::string external_id(const MappingOptions& o, std::string_view prefix, std::string_view key) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string name = o.module + "." + std::string(prefix) + "_";
  for (unsigned char c : key) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
      name += static_cast<char>(c);
    } else {
      name += '_';
      name += hex[c >> 4];
      name += hex[c & 15];
    }
  }
  return name;
}

std::string ids_json(const std::vector<std::int64_t>& ids) {
  std::string s = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) s += (i ? "," : "") + std::to_string(ids[i]);
  return s + "]";
}

// --- create records carrying a token, then act on them (confirm, validate, post) -------------------

struct Record {
  std::string token;
  Values values;
};

struct CreateThenActSpec {
  std::string model;
  std::string token_field;                 // origin, client_order_ref, memo, ref
  std::string action;                      // action_confirm, button_validate, action_post
  std::vector<std::string> done_states;    // states in which the action has happened
  std::string context_json = "{}";
  std::function<result<std::vector<Record>>(Resolver&)> build;
};

class CreateThenAct final : public OdooEffect {
 public:
  CreateThenAct(std::string token, CreateThenActSpec spec) : OdooEffect(std::move(token)), spec_(std::move(spec)) {}

  result<std::vector<PlannedCall>> plan(Resolver& r) override {
    ODOOSYNC_TRY(records, records_for(r));
    std::string rows = "[";
    for (std::size_t i = 0; i < records.size(); ++i) rows += (i ? "," : "") + records[i].values.to_json();
    rows += "]";
    return std::vector<PlannedCall>{{spec_.model, "create", rows},
                                    {spec_.model, spec_.action, "the ids created"}};
  }

  result<EffectState> probe(Resolver& r) override {
    ODOOSYNC_TRY(records, records_for(r));
    ODOOSYNC_TRY(found, existing(r, records));
    if (found.empty()) return EffectState::absent;
    if (found.size() < records.size()) return EffectState::partial;
    for (const auto& [tok, f] : found) {
      if (!f.done) return EffectState::partial;
    }
    return EffectState::applied;
  }

  result<void> apply(Resolver& r, EffectState from) override {
    if (from == EffectState::applied) return success();
    ODOOSYNC_TRY(records, records_for(r));
    std::map<std::string, Found> found;
    if (from == EffectState::partial) {
      ODOOSYNC_TRY(f, existing(r, records));
      found = std::move(f);
    }
    std::vector<Values> missing;
    for (const auto& rec : records) {
      if (!found.count(rec.token)) missing.push_back(rec.values);
    }
    std::vector<std::int64_t> act;
    for (const auto& [tok, f] : found) {
      if (!f.done) act.push_back(f.id);
    }
    if (!missing.empty()) {
      // One call writes the records and their tokens: a crash cannot separate them.
      ODOOSYNC_TRY(ids, r.client().create(spec_.model, missing, {.context_json = spec_.context_json}));
      act.insert(act.end(), ids.begin(), ids.end());
    }
    if (act.empty() || spec_.action.empty()) return success();
    std::sort(act.begin(), act.end());
    ODOOSYNC_TRYV(r.client().call_named(spec_.model, spec_.action, act, "{}", {.context_json = spec_.context_json}));
    return success();
  }

 private:
  struct Found {
    std::int64_t id = 0;
    bool done = false;
  };

  result<std::vector<Record>> records_for(Resolver& r) {
    if (!records_) {
      ODOOSYNC_TRY(built, spec_.build(r));
      records_ = std::move(built);
    }
    return *records_;
  }

  result<std::map<std::string, Found>> existing(Resolver& r, const std::vector<Record>& records) {
    std::vector<std::string> tokens;
    for (const auto& rec : records) tokens.push_back(rec.token);
    ODOOSYNC_TRY(rows, r.client().search_read(spec_.model, field(spec_.token_field).in(tokens), {spec_.token_field, "state"},
                                              {}, {.context_json = spec_.context_json, .idempotent = true}));
    std::map<std::string, Found> out;
    for (const auto& row : rows.GetArray()) {
      const std::string tok = str(row[spec_.token_field.c_str()]);
      const std::string state = str(row["state"]);
      const bool done = std::find(spec_.done_states.begin(), spec_.done_states.end(), state) != spec_.done_states.end();
      auto& f = out[tok];
      // Several records with one token (made by hand): the done one counts.
      if (!f.id || (done && !f.done)) f = Found{row["id"].GetInt64(), done};
    }
    return out;
  }

  CreateThenActSpec spec_;
  std::optional<std::vector<Record>> records_;
};

// --- upserts through load with our external ids --------------------------------------------------

struct LoadSpec {
  std::string model;
  std::vector<std::string> columns;                   // first is "id"
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> keys;                      // per row: the SKU or ref the external id is made of
  std::string prefix;                                 // product, customer
  std::string compare_field;                          // probe compares it with the row's value at column 2
  bool adopt_by_default_code = false;                 // products made in Odoo by hand get our external id first

  // One row per key: a later upsert of the same key replaces the earlier one (the last one wins).
  void upsert_row(const std::string& key, std::vector<std::string> row) {
    auto [it, fresh] = row_of.emplace(key, rows.size());
    if (!fresh) {
      rows[it->second] = std::move(row);
      return;
    }
    keys.push_back(key);
    rows.push_back(std::move(row));
  }
  std::map<std::string, std::size_t> row_of;          // key → its row
  // An empty optional cell would clear the field: leave out each column no row has a value for.
  void drop_empty_columns() {
    for (std::size_t c = columns.size(); c-- > 1;) {
      bool any = false;
      for (const auto& row : rows) any = any || !row[c].empty();
      if (any) continue;
      columns.erase(columns.begin() + static_cast<std::ptrdiff_t>(c));
      for (auto& row : rows) row.erase(row.begin() + static_cast<std::ptrdiff_t>(c));
    }
  }
};

class LoadUpsert final : public OdooEffect {
 public:
  LoadUpsert(std::string token, LoadSpec spec) : OdooEffect(std::move(token)), spec_(std::move(spec)) {}

  result<std::vector<PlannedCall>> plan(Resolver&) override {
    json::Writer w;
    w.begin_object().key("fields").begin_array();
    for (const auto& c : spec_.columns) w.string(c);
    w.end_array().key("data").begin_array();
    for (const auto& row : spec_.rows) {
      w.begin_array();
      for (const auto& cell : row) w.string(cell);
      w.end_array();
    }
    w.end_array().end_object();
    return std::vector<PlannedCall>{{spec_.model, "load", std::string(w.unchecked_view())}};
  }

  result<EffectState> probe(Resolver& r) override {
    ODOOSYNC_TRY(ids, xmlid_targets(r));
    if (ids.empty()) return EffectState::absent;
    if (ids.size() < spec_.rows.size()) return EffectState::partial;
    if (spec_.compare_field.empty()) return EffectState::applied;
    // Every record exists: applied when each holds the value we would write.
    std::vector<std::int64_t> list;
    for (const auto& [name, id] : ids) list.push_back(id);
    ODOOSYNC_TRY(rows, r.client().read(spec_.model, list, {spec_.compare_field}, {.idempotent = true}));
    std::map<std::int64_t, const json::Value*> by_id;
    for (const auto& row : rows.GetArray()) by_id[row["id"].GetInt64()] = &row[spec_.compare_field.c_str()];
    const auto col = std::find(spec_.columns.begin(), spec_.columns.end(), spec_.compare_field) - spec_.columns.begin();
    for (std::size_t i = 0; i < spec_.rows.size(); ++i) {
      auto it = ids.find(spec_.rows[i][0]);
      if (it == ids.end() || !by_id.count(it->second)) return EffectState::partial;
      if (!same(*by_id[it->second], spec_.rows[i][static_cast<std::size_t>(col)])) return EffectState::partial;
    }
    return EffectState::applied;
  }

  result<void> apply(Resolver& r, EffectState from) override {
    if (from == EffectState::applied) return success();
    if (spec_.adopt_by_default_code) {
      ODOOSYNC_TRYV(adopt(r));
    }
    std::vector<odoo::LoadMessage> messages;
    auto loaded = r.client().load(spec_.model, spec_.columns, spec_.rows, {}, &messages);
    if (!loaded) return loaded.error();
    return success();
  }

 private:
  static bool same(const json::Value& odoo_value, const std::string& ours) {
    if (odoo_value.IsString()) return json::text(odoo_value) == ours;
    if (odoo_value.IsNumber()) {
      auto d = Decimal::parse(ours);
      if (!d) return false;
      // Odoo keeps floats: equal when they round to our decimals.
      double scale = 1;
      for (int i = 0; i < d.value().scale; ++i) scale *= 10;
      const double theirs = odoo_value.GetDouble() * scale;
      const double mine = static_cast<double>(d.value().units);
      return theirs - mine < 0.5 && mine - theirs < 0.5;
    }
    return false;
  }

  // Our external ids that exist, name → res_id.
  result<std::map<std::string, std::int64_t>> xmlid_targets(Resolver& r) {
    std::vector<std::string> names;
    for (const auto& row : spec_.rows) names.push_back(row[0].substr(row[0].find('.') + 1));
    ODOOSYNC_TRY(rows, r.client().search_read("ir.model.data",
                                              field("module") == r.options().module && field("name").in(names) &&
                                                  field("model") == spec_.model,
                                              {"name", "res_id"}, {}, {.idempotent = true}));
    std::map<std::string, std::int64_t> out;
    for (const auto& row : rows.GetArray()) out[r.options().module + "." + str(row["name"])] = row["res_id"].GetInt64();
    return out;
  }

  // A product with the SKU as internal reference but without our external id gets one, so the load
  // updates it instead of making a second product with the same SKU.
  result<void> adopt(Resolver& r) {
    ODOOSYNC_TRY(have, xmlid_targets(r));
    std::vector<std::string> orphans;
    std::map<std::string, std::string> xmlid_of;
    for (std::size_t i = 0; i < spec_.rows.size(); ++i) {
      if (!have.count(spec_.rows[i][0])) {
        orphans.push_back(spec_.keys[i]);
        xmlid_of[spec_.keys[i]] = spec_.rows[i][0];
      }
    }
    if (orphans.empty()) return success();
    ODOOSYNC_TRY(found, r.client().search_read(spec_.model, field("default_code").in(orphans), {"default_code"}, {},
                                               {.context_json = R"({"active_test": false})", .idempotent = true}));
    std::vector<Values> links;
    std::set<std::string> seen;
    for (const auto& row : found.GetArray()) {
      const std::string code = str(row["default_code"]);
      if (!seen.insert(code).second) continue;  // two products share the SKU: adopt the first
      const std::string& x = xmlid_of[code];
      links.push_back(Values()
                          .set("module", r.options().module)
                          .set("name", x.substr(x.find('.') + 1))
                          .set("model", spec_.model)
                          .set("res_id", row["id"].GetInt64()));
    }
    if (links.empty()) return success();
    ODOOSYNC_TRYV(r.client().create("ir.model.data", links));
    return success();
  }

  LoadSpec spec_;
};

// --- absolute stock counts: inventory mode, applied at once ---------------------------------------

class StockCount final : public OdooEffect {
 public:
  StockCount(std::string token, std::vector<StockAdjusted> counts) : OdooEffect(std::move(token)), counts_(std::move(counts)) {}

  result<std::vector<PlannedCall>> plan(Resolver& r) override {
    ODOOSYNC_TRY(vals, values(r));
    std::string rows = "[";
    for (std::size_t i = 0; i < vals.size(); ++i) rows += (i ? "," : "") + vals[i].to_json();
    return std::vector<PlannedCall>{{"stock.quant", "create", rows + "]"}};
  }

  result<EffectState> probe(Resolver& r) override {
    ODOOSYNC_TRYV(prefetch(r));
    // One read for all the counts' quants, summed per product and location.
    std::vector<std::int64_t> products, locations;
    std::map<std::pair<std::int64_t, std::int64_t>, double> want;
    for (const StockAdjusted& c : counts_) {
      ODOOSYNC_TRY(product, r.product(c.sku));
      ODOOSYNC_TRY(location, r.location(c.location));
      products.push_back(product);
      locations.push_back(location);
      want[{product, location}] = static_cast<double>(c.counted->micro_units()) / Quantity::scale;
    }
    ODOOSYNC_TRY(rows, r.client().search_read("stock.quant", field("product_id").in(products) && field("location_id").in(locations),
                                              {"product_id", "location_id", "quantity"}, {}, {.idempotent = true}));
    std::map<std::pair<std::int64_t, std::int64_t>, double> have;
    for (const auto& row : rows.GetArray()) {
      const auto& p = row["product_id"];
      const auto& l = row["location_id"];
      if (!p.IsArray() || !l.IsArray()) continue;
      have[{p[0].GetInt64(), l[0].GetInt64()}] += row["quantity"].GetDouble();
    }
    std::size_t equal = 0;
    for (const auto& [key, q] : want) {
      const double got = have.count(key) ? have[key] : 0.0;
      if (got - q < 1e-6 && q - got < 1e-6) ++equal;
    }
    return equal == want.size() ? EffectState::applied : equal == 0 ? EffectState::absent : EffectState::partial;
  }

  result<void> apply(Resolver& r, EffectState from) override {
    if (from == EffectState::applied) return success();
    ODOOSYNC_TRY(vals, values(r));
    // Setting a count is absolute: repeating it leaves the same quantity.
    ODOOSYNC_TRYV(r.client().create("stock.quant", vals, {.context_json = std::string(inventory_mode)}));
    return success();
  }

 private:
  result<void> prefetch(Resolver& r) {
    std::vector<std::string> skus;
    for (const StockAdjusted& c : counts_) skus.push_back(c.sku.value);
    return r.prefetch_products(skus);
  }

  result<std::vector<Values>> values(Resolver& r) {
    ODOOSYNC_TRYV(prefetch(r));
    std::vector<Values> out;
    for (const StockAdjusted& count : counts_) {
      const StockAdjusted* c = &count;
      ODOOSYNC_TRY(product, r.product(c->sku));
      ODOOSYNC_TRY(location, r.location(c->location));
      out.push_back(Values().set("product_id", product).set("location_id", location).set("inventory_quantity_auto_apply", dec(*c->counted)));
    }
    return out;
  }
  std::vector<StockAdjusted> counts_;  // copies: an effect outlives the events it was made from
};

// --- effects on one existing order ----------------------------------------------------------------

class OrderCancel final : public OdooEffect {
 public:
  OrderCancel(std::string number) : OdooEffect(number), number_(std::move(number)) {}
  result<std::vector<PlannedCall>> plan(Resolver& r) override {
    ODOOSYNC_TRY(o, r.order(number_));
    return std::vector<PlannedCall>{{"sale.order", "action_cancel", ids_json({o.id})}};
  }
  result<EffectState> probe(Resolver& r) override {
    ODOOSYNC_TRY(o, r.order(number_));
    return o.state == "cancel" ? EffectState::applied : EffectState::absent;
  }
  result<void> apply(Resolver& r, EffectState from) override {
    if (from == EffectState::applied) return success();
    ODOOSYNC_TRY(o, r.order(number_));
    if (o.state == "cancel") return success();
    ODOOSYNC_TRYV(r.client().call_named("sale.order", "action_cancel", {o.id}));
    return success();
  }

 private:
  std::string number_;
};

class ShipmentValidate final : public OdooEffect {
 public:
  ShipmentValidate(const Shipment& s) : OdooEffect(s.order_number + "/" + s.reference), order_(s.order_number) {}
  result<std::vector<PlannedCall>> plan(Resolver& r) override {
    ODOOSYNC_TRY(open, deliveries(r));
    return std::vector<PlannedCall>{{"stock.picking", "button_validate", ids_json(open)}};
  }
  result<EffectState> probe(Resolver& r) override {
    ODOOSYNC_TRY(open, deliveries(r));
    return open.empty() ? EffectState::applied : EffectState::absent;
  }
  result<void> apply(Resolver& r, EffectState from) override {
    if (from == EffectState::applied) return success();
    ODOOSYNC_TRY(open, deliveries(r));
    if (open.empty()) return success();
    ODOOSYNC_TRYV(r.client().call_named("stock.picking", "button_validate", open));
    return success();
  }

 private:
  // The order's deliveries not yet done (an order without any is an error: not confirmed yet).
  result<std::vector<std::int64_t>> deliveries(Resolver& r) {
    ODOOSYNC_TRY(o, r.order(order_));
    ODOOSYNC_TRY(rows, r.client().search_read("stock.picking", field("sale_id") == o.id && field("state") != "cancel", {"state"}, {},
                                              {.idempotent = true}));
    if (rows.Empty()) return not_found("order " + order_ + " has no delivery in Odoo (is it confirmed?)");
    std::vector<std::int64_t> open;
    for (const auto& row : rows.GetArray()) {
      if (str(row["state"]) != "done") open.push_back(row["id"].GetInt64());
    }
    return open;
  }
  std::string order_;
};

class NoEffect final : public OdooEffect {
 public:
  explicit NoEffect(std::string token) : OdooEffect(std::move(token)) {}
  result<std::vector<PlannedCall>> plan(Resolver&) override { return std::vector<PlannedCall>{}; }
  result<EffectState> probe(Resolver&) override { return EffectState::applied; }
  result<void> apply(Resolver&, EffectState) override { return success(); }
};

// --- builders per event type ----------------------------------------------------------------------

std::string bool_cell(bool b) { return b ? "1" : "0"; }

result<std::unique_ptr<OdooEffect>> products(std::span<const Event* const> events, const MappingOptions& o, std::string token) {
  LoadSpec s;
  s.model = "product.product";
  s.prefix = "product";
  s.compare_field = "list_price";
  s.adopt_by_default_code = true;
  const bool is_storable_field = o.odoo_major >= 18;
  s.columns = {"id", "name", "list_price", "default_code", "barcode", "standard_price", "uom_id", "categ_id", "active", "type"};
  if (is_storable_field) s.columns.push_back("is_storable");
  s.columns.push_back("description_sale");
  for (const Event* e : events) {
    const Product& p = std::get<ProductUpserted>(e->data).product;
    std::vector<std::string> row = {external_id(o, "product", p.sku.value), p.name, p.list_price.amount(), p.sku.value,
                                    p.barcode ? p.barcode->value : "", p.cost ? p.cost->amount() : "", p.uom,
                                    p.category.value_or(""), bool_cell(p.active)};
    if (is_storable_field) {
      row.push_back("consu");
      row.push_back(bool_cell(p.storable));
    } else {
      row.push_back(p.storable ? "product" : "consu");
    }
    row.push_back(p.description.value_or(""));
    s.upsert_row(p.sku.value, std::move(row));
  }
  s.drop_empty_columns();
  return std::unique_ptr<OdooEffect>(new LoadUpsert(std::move(token), std::move(s)));
}

result<std::unique_ptr<OdooEffect>> prices(std::span<const Event* const> events, const MappingOptions& o, std::string token) {
  LoadSpec s;
  s.model = "product.product";
  s.prefix = "product";
  s.compare_field = "list_price";
  s.adopt_by_default_code = true;
  s.columns = {"id", "list_price"};
  for (const Event* e : events) {
    const Price& p = std::get<PriceChanged>(e->data).price;
    s.upsert_row(p.sku.value, {external_id(o, "product", p.sku.value), p.list_price.amount()});
  }
  return std::unique_ptr<OdooEffect>(new LoadUpsert(std::move(token), std::move(s)));
}

result<std::unique_ptr<OdooEffect>> customers(std::span<const Event* const> events, const MappingOptions& o, std::string token) {
  LoadSpec s;
  s.model = "res.partner";
  s.prefix = "customer";
  s.compare_field = "name";
  s.columns = {"id", "name", "ref", "email", "phone", "is_company", "street", "city", "zip", "country_id/code", "vat"};
  for (const Event* e : events) {
    const Customer& c = std::get<CustomerUpserted>(e->data).customer;
    std::vector<std::string> row = {external_id(o, "customer", c.ref), c.name, c.ref, c.email.value_or(""), c.phone.value_or(""),
                                    bool_cell(c.is_company), c.street.value_or(""), c.city.value_or(""), c.zip.value_or(""),
                                    c.country_code.value_or(""), c.vat.value_or("")};
    s.upsert_row(c.ref, std::move(row));
  }
  s.drop_empty_columns();
  return std::unique_ptr<OdooEffect>(new LoadUpsert(std::move(token), std::move(s)));
}

Values move_values(std::int64_t product, const Quantity& qty, std::int64_t from, std::int64_t to, std::string_view origin,
                   int odoo_major) {
  Values v;
  if (odoo_major < 19) v.set("name", origin);  // stock.move has no name in 19
  v.set("product_id", product).set("product_uom_qty", dec(qty)).set("quantity", dec(qty)).set("location_id", from).set("location_dest_id", to);
  return v;
}

// Stock deltas: coalesced per subject, then one transfer per (location, direction) between the location
// and Odoo's inventory-adjustment location, created with its origin and validated.
result<std::unique_ptr<OdooEffect>> stock_deltas(std::span<const Event* const> events, const MappingOptions& o, std::string token) {
  struct Sum {
    Sku sku;
    LocationRef location;
    Quantity total;
  };
  std::vector<Sum> sums;
  std::map<std::string, std::size_t> index;
  for (const Event* e : events) {
    const auto& s = std::get<StockAdjusted>(e->data);
    auto [it, fresh] = index.emplace(e->subject, sums.size());
    if (fresh) {
      sums.push_back({s.sku, s.location, *s.delta});
    } else {
      ODOOSYNC_TRY(t, sums[it->second].total.plus(*s.delta));
      sums[it->second].total = std::move(t);
    }
  }
  CreateThenActSpec spec;
  spec.model = "stock.picking";
  spec.token_field = "origin";
  spec.action = "button_validate";
  spec.done_states = {"done"};
  const std::string base = "odoosync:stock:" + token;
  const int major = o.odoo_major;
  spec.build = [sums = std::move(sums), base, major](Resolver& r) -> result<std::vector<Record>> {
    std::vector<std::string> skus;
    for (const auto& s : sums) skus.push_back(s.sku.value);
    ODOOSYNC_TRYV(r.prefetch_products(skus));
    // group: location → (incoming moves, outgoing moves)
    std::map<std::string, std::pair<std::vector<const Sum*>, std::vector<const Sum*>>> groups;
    for (const auto& s : sums) {
      if (s.total.is_zero()) continue;  // +2 and -2 coalesced: nothing to move
      auto& g = groups[s.location.value];
      (s.total.is_positive() ? g.first : g.second).push_back(&s);
    }
    std::vector<Record> out;
    for (const auto& [loc_name, g] : groups) {
      const LocationRef loc{loc_name};
      ODOOSYNC_TRY(location, r.location(loc));
      ODOOSYNC_TRY(wh, r.warehouse(loc.warehouse()));
      ODOOSYNC_TRY(adjust, r.inventory_location(wh.company));
      for (int dir = 0; dir < 2; ++dir) {
        const auto& members = dir == 0 ? g.first : g.second;
        if (members.empty()) continue;
        const std::string origin = base + "#" + std::to_string(out.size() + 1);
        const std::int64_t from = dir == 0 ? adjust : location, to = dir == 0 ? location : adjust;
        std::vector<Command> moves;
        for (const Sum* s : members) {
          ODOOSYNC_TRY(product, r.product(s->sku));
          Quantity q = s->total;
          if (q.is_negative()) q = Quantity(-q.micro_units(), q.uom());
          moves.push_back(Command::create(move_values(product, q, from, to, origin, major)));
        }
        Values v;
        v.set("picking_type_id", wh.internal_type).set("location_id", from).set("location_dest_id", to).set("origin", origin).set("move_ids", moves);
        out.push_back({origin, std::move(v)});
      }
    }
    return out;
  };
  return std::unique_ptr<OdooEffect>(new CreateThenAct(base, std::move(spec)));
}

result<std::unique_ptr<OdooEffect>> orders(std::span<const Event* const> events, const MappingOptions& o, std::string token) {
  std::vector<Order> list;
  for (const Event* e : events) list.push_back(std::get<OrderCreated>(e->data).order);
  CreateThenActSpec spec;
  spec.model = "sale.order";
  spec.token_field = "client_order_ref";
  spec.action = "action_confirm";
  spec.done_states = {"sale", "done"};
  const std::string walk_in = o.walk_in_customer;
  spec.build = [list = std::move(list), walk_in](Resolver& r) -> result<std::vector<Record>> {
    std::vector<std::string> skus;
    for (const auto& ord : list) {
      for (const auto& l : ord.lines) skus.push_back(l.sku.value);
    }
    ODOOSYNC_TRYV(r.prefetch_products(skus));
    std::vector<Record> out;
    std::set<std::string> seen;
    for (const auto& ord : list) {
      if (!seen.insert(ord.number).second) continue;  // the same order twice in a batch: once
      ODOOSYNC_TRY(partner, r.partner(ord.customer.value_or(walk_in)));
      ODOOSYNC_TRY(wh, r.warehouse(ord.warehouse));
      std::vector<Command> lines;
      for (const auto& l : ord.lines) {
        ODOOSYNC_TRY(product, r.product(l.sku));
        Values lv;
        lv.set("product_id", product).set("product_uom_qty", dec(l.quantity)).set("price_unit", dec(l.unit_price));
        if (l.discount && !l.discount->is_zero()) {
          // Odoo takes a percentage of the gross line: discount / (quantity × unit_price) × 100, to 6 places.
          auto gross = extend(l.quantity, l.unit_price).value();
          const i128 pct = static_cast<i128>(l.discount->minor_units()) * 100'000'000 / gross.minor_units();
          lv.set("discount", Decimal{static_cast<std::int64_t>(pct), 6});
        }
        lines.push_back(Command::create(lv));
      }
      Values v;
      v.set("partner_id", partner).set("client_order_ref", ord.number).set("origin", ord.channel.value)
          .set("date_order", ord.ordered_at.to_odoo()).set("warehouse_id", wh.id).set("order_line", lines);
      if (ord.note) v.set("note", *ord.note);
      out.push_back({ord.number, std::move(v)});
    }
    return out;
  };
  return std::unique_ptr<OdooEffect>(new CreateThenAct(token, std::move(spec)));
}

std::unique_ptr<OdooEffect> payment(const Payment& p, const MappingOptions& o) {
  CreateThenActSpec spec;
  spec.model = "account.payment";
  spec.token_field = o.odoo_major >= 18 ? "memo" : "ref";
  spec.action = "action_post";
  spec.done_states = {"in_process", "paid", "posted"};
  const std::string token_field = spec.token_field;
  spec.build = [p, token_field](Resolver& r) -> result<std::vector<Record>> {
    ODOOSYNC_TRY(order, r.order(p.order_number));
    ODOOSYNC_TRY(journal, r.journal(p.method == "cash" ? "cash" : "bank"));
    Values v;
    v.set("payment_type", "inbound").set("partner_type", "customer").set("partner_id", order.partner)
        .set("amount", dec(p.amount)).set("journal_id", journal).set("date", p.captured_at.to_odoo().substr(0, 10))
        .set(token_field, p.reference);
    return std::vector<Record>{{p.reference, std::move(v)}};
  };
  return std::unique_ptr<OdooEffect>(new CreateThenAct(p.reference, std::move(spec)));
}

std::unique_ptr<OdooEffect> account_move(std::string ref, std::string move_type, std::string order_number, Timestamp date,
                                         std::optional<CalendarDate> due,
                                         std::vector<std::tuple<std::optional<Sku>, std::string, Money>> lines) {
  CreateThenActSpec spec;
  spec.model = "account.move";
  spec.token_field = "ref";
  spec.action = "action_post";
  spec.done_states = {"posted"};
  spec.build = [=](Resolver& r) -> result<std::vector<Record>> {
    ODOOSYNC_TRY(order, r.order(order_number));
    std::vector<Command> cmds;
    for (const auto& [sku, label, amount] : lines) {
      Values lv;
      lv.set("name", label).set("quantity", 1).set("price_unit", dec(amount));
      if (sku) {
        ODOOSYNC_TRY(product, r.product(*sku));
        lv.set("product_id", product);
      }
      cmds.push_back(Command::create(lv));
    }
    Values v;
    v.set("move_type", move_type).set("partner_id", order.partner).set("ref", ref).set("invoice_origin", order.name)
        .set("invoice_date", date.to_odoo().substr(0, 10)).set("invoice_line_ids", cmds);
    if (due) v.set("invoice_date_due", due->to_string());
    return std::vector<Record>{{ref, std::move(v)}};
  };
  return std::unique_ptr<OdooEffect>(new CreateThenAct(ref, std::move(spec)));
}

// A receipt from the vendor location, or a transfer between two locations: created with its origin, validated.
std::unique_ptr<OdooEffect> transfer(std::string origin, std::optional<LocationRef> from, LocationRef to, std::vector<StockLine> lines,
                                     std::optional<std::string> supplier, int major) {
  CreateThenActSpec spec;
  spec.model = "stock.picking";
  spec.token_field = "origin";
  spec.action = "button_validate";
  spec.done_states = {"done"};
  spec.build = [=](Resolver& r) -> result<std::vector<Record>> {
    std::vector<std::string> skus;
    for (const auto& l : lines) skus.push_back(l.sku.value);
    ODOOSYNC_TRYV(r.prefetch_products(skus));
    ODOOSYNC_TRY(dest, r.location(to));
    std::int64_t src = 0, type = 0;
    if (from) {
      ODOOSYNC_TRY(s, r.location(*from));
      ODOOSYNC_TRY(wh, r.warehouse(from->warehouse()));
      src = s;
      type = wh.internal_type;
    } else {
      ODOOSYNC_TRY(s, r.vendor_location());
      ODOOSYNC_TRY(wh, r.warehouse(to.warehouse()));
      src = s;
      type = wh.receipt_type;
    }
    std::vector<Command> moves;
    for (const auto& l : lines) {
      ODOOSYNC_TRY(product, r.product(l.sku));
      moves.push_back(Command::create(move_values(product, l.quantity, src, dest, origin, major)));
    }
    Values v;
    v.set("picking_type_id", type).set("location_id", src).set("location_dest_id", dest).set("origin", origin).set("move_ids", moves);
    if (supplier) {
      ODOOSYNC_TRY(partner, r.partner(*supplier));
      v.set("partner_id", partner);
    }
    return std::vector<Record>{{origin, std::move(v)}};
  };
  return std::unique_ptr<OdooEffect>(new CreateThenAct(origin, std::move(spec)));
}

}  // namespace

std::string Resolver::xmlid(std::string_view prefix, std::string_view key) const { return external_id(options_, prefix, key); }

std::string_view to_string(EffectState s) noexcept {
  switch (s) {
    case EffectState::absent: return "absent";
    case EffectState::partial: return "partial";
    case EffectState::applied: return "applied";
  }
  return "?";
}

std::string batch_key(const Event& e) {
  const std::string_view type = e.type();
  if (type == StockAdjusted::type) {
    return std::get<StockAdjusted>(e.data).delta ? "retail.stock.adjusted/delta" : "retail.stock.adjusted/counted";
  }
  if (type == ProductUpserted::type || type == PriceChanged::type || type == CustomerUpserted::type || type == OrderCreated::type) {
    return std::string(type);
  }
  return std::string(type) + "|" + e.source + "|" + e.id;  // one event, one effect
}

result<std::unique_ptr<OdooEffect>> map_to_odoo(std::span<const Event* const> events, const MappingOptions& options,
                                                std::string token) {
  if (events.empty()) return Error::validation("map_to_odoo: no events");
  const std::string key = batch_key(*events[0]);
  for (const Event* e : events) {
    if (batch_key(*e) != key) return Error::validation("map_to_odoo: events of different batch keys (" + key + ", " + batch_key(*e) + ")");
  }
  if (token.empty()) token = derived_token(events);
  const Event& first = *events[0];
  return std::visit(
      [&](const auto& d) -> result<std::unique_ptr<OdooEffect>> {
        using T = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<T, ProductUpserted>) {
          return products(events, options, token);
        } else if constexpr (std::is_same_v<T, PriceChanged>) {
          return prices(events, options, token);
        } else if constexpr (std::is_same_v<T, CustomerUpserted>) {
          return customers(events, options, token);
        } else if constexpr (std::is_same_v<T, StockAdjusted>) {
          if (d.delta) return stock_deltas(events, options, token);
          std::vector<StockAdjusted> counts;
          std::map<std::string, std::size_t> last;  // the last count of a subject wins
          for (const Event* e : events) {
            const auto& s = std::get<StockAdjusted>(e->data);
            if (auto it = last.find(e->subject); it != last.end()) counts[it->second] = s;
            else { last[e->subject] = counts.size(); counts.push_back(s); }
          }
          return std::unique_ptr<OdooEffect>(new StockCount(token, std::move(counts)));
        } else if constexpr (std::is_same_v<T, StockReserved> || std::is_same_v<T, StockReleased>) {
          return std::unique_ptr<OdooEffect>(new NoEffect(d.reservation));
        } else if constexpr (std::is_same_v<T, GoodsReceived>) {
          return transfer("odoosync:receipt:" + d.receipt.reference, std::nullopt, d.receipt.location, d.receipt.lines,
                          d.receipt.supplier, options.odoo_major);
        } else if constexpr (std::is_same_v<T, TransferCompleted>) {
          return transfer("odoosync:transfer:" + d.transfer.reference, d.transfer.from, d.transfer.to, d.transfer.lines,
                          std::nullopt, options.odoo_major);
        } else if constexpr (std::is_same_v<T, OrderCreated>) {
          return orders(events, options, token);
        } else if constexpr (std::is_same_v<T, OrderCancelled>) {
          return std::unique_ptr<OdooEffect>(new OrderCancel(d.number));
        } else if constexpr (std::is_same_v<T, PaymentCaptured>) {
          return payment(d.payment, options);
        } else if constexpr (std::is_same_v<T, RefundApproved>) {
          const Refund& rf = d.refund;
          std::vector<std::tuple<std::optional<Sku>, std::string, Money>> lines;
          if (rf.lines && !rf.lines->empty()) {
            for (const auto& l : *rf.lines) lines.emplace_back(l.sku, "Refund " + l.sku.value + " × " + l.quantity.value(), l.amount);
          } else {
            lines.emplace_back(std::nullopt, "Refund " + rf.reference + (rf.reason ? ": " + *rf.reason : ""), rf.amount);
          }
          return account_move(rf.reference, "out_refund", rf.order_number, rf.approved_at, std::nullopt, std::move(lines));
        } else if constexpr (std::is_same_v<T, ShipmentDispatched>) {
          return std::unique_ptr<OdooEffect>(new ShipmentValidate(d.shipment));
        } else if constexpr (std::is_same_v<T, InvoicePosted>) {
          const InvoiceRef& i = d.invoice;
          return account_move(i.number, "out_invoice", i.order_number, i.posted_at, i.due_date,
                              {{std::nullopt, "Invoice " + i.number + " for order " + i.order_number, i.amount_total}});
        } else {
          return Error::validation("no Odoo mapping for " + std::string(T::type));
        }
      },
      first.data);
}

}  // namespace retail
}  // namespace v0
}  // namespace odoosync
