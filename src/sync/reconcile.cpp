// Reconciliation: Odoo's quants compared exactly with a stock snapshot, and the events that correct the drift.
#include <odoosync/odoo/client.hpp>
#include <odoosync/sync/reconcile.hpp>

#include <odoosync/core/json.hpp>
#include <odoosync/odoo/cursor.hpp>
#include <odoosync/odoo/domain.hpp>
#include <odoosync/odoo/record.hpp>

#include <rapidjson/internal/dtoa.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {
namespace sync {
namespace {

using odoo::field;

constexpr std::size_t lookup_chunk = 500;  // names per `in` condition
const odoo::CallOptions read_options{.context_json = R"({"active_test": false})", .idempotent = true};

// --- Odoo's numbers, exactly ----------------------------------------------------------------------------

// The shortest text that reads back as the same double is the text Odoo (Python's repr) wrote; that
// text becomes the Quantity, without arithmetic in double.
result<retail::Quantity> odoo_quantity(const json::Value& row, std::string_view model, std::string_view name,
                                       std::string uom) {
  const json::Value* v = json::find(row, name);
  if (!v || !v->IsNumber()) return odoo::detail::field_error(model, row, name, "is not a number");
  std::string text;
  if (v->IsInt64()) {
    text = std::to_string(v->GetInt64());
  } else {
    char buf[40];
    char* end = rapidjson::internal::dtoa(v->GetDouble(), buf);
    text.assign(buf, static_cast<std::size_t>(end - buf));
    if (text.find_first_of("eE") != std::string::npos) {
      return odoo::detail::field_error(model, row, name, text + " is not a quantity (too large or too small)");
    }
  }
  auto q = retail::Quantity::parse(text, std::move(uom));
  if (!q) return odoo::detail::field_error(model, row, name, text + " " + q.error().message());
  return q;
}

std::int64_t many2one_id(const json::Value& row, std::string_view name) {
  const json::Value* v = json::find(row, name);
  if (!v) return 0;
  if (v->IsArray() && v->Size() >= 1 && (*v)[0].IsInt64()) return (*v)[0].GetInt64();
  if (v->IsInt64()) return v->GetInt64();
  return 0;
}

std::optional<std::string> text_field(const json::Value& row, std::string_view name) {
  const json::Value* v = json::find(row, name);
  if (!v || !v->IsString() || v->GetStringLength() == 0) return std::nullopt;
  return std::string(json::text(*v));
}

template <class F>
result<void> in_chunks(const std::vector<std::string>& all, F&& each) {
  for (std::size_t i = 0; i < all.size(); i += lookup_chunk) {
    const auto end = std::min(all.size(), i + lookup_chunk);
    ODOOSYNC_TRYV(each(std::vector<std::string>(all.begin() + static_cast<std::ptrdiff_t>(i),
                                                all.begin() + static_cast<std::ptrdiff_t>(end))));
  }
  return success();
}

// 128 bits of FNV-1a (two lanes) over the parts, as hex: a stable id for what the parts name.
std::string stable_hash(std::initializer_list<std::string_view> parts) {
  std::uint64_t a = 14695981039346656037ull, b = 1099511628211ull ^ 0x9e3779b97f4a7c15ull;
  for (std::string_view s : parts) {
    for (unsigned char c : s) {
      a = (a ^ c) * 1099511628211ull;
      b = (b ^ c) * 0x100000001b3ull + 0x632be59bd9b4e019ull;
    }
    a = (a ^ 0xff) * 1099511628211ull;
    b = (b ^ 0xfe) * 0x100000001b3ull;
  }
  return fmt::format("{:016x}{:016x}", a, b);
}

}  // namespace

result<ReconcileReport> reconcile_stock(odoo::Client& client, std::span<const SnapshotRow> rows,
                                        const ReconcileOptions& options) {
  ReconcileReport report;
  report.compared = rows.size();
  if (rows.empty()) return report;

  // The internal locations the snapshot names (two companies may each have one of the same name).
  std::set<std::string> location_names, skus;
  for (const auto& r : rows) {
    location_names.insert(r.location.value);
    skus.insert(r.sku.value);
  }
  std::map<std::int64_t, std::string> location_of;  // id → complete_name
  std::set<std::string, std::less<>> known_locations;
  ODOOSYNC_TRYV(in_chunks(std::vector<std::string>(location_names.begin(), location_names.end()),
                          [&](std::vector<std::string> names) -> result<void> {
                            ODOOSYNC_TRY(
                                found, client.search_read(
                                           "stock.location",
                                           field("complete_name").in(std::move(names)) && field("usage") == "internal",
                                           {"complete_name"}, {.order = "id asc"}, read_options));
                            for (const auto& row : found.GetArray()) {
                              auto name = text_field(row, "complete_name");
                              if (!name) continue;
                              location_of[row["id"].GetInt64()] = *name;
                              known_locations.insert(*name);
                            }
                            return success();
                          }));

  // Odoo's quantities per (SKU, location) the snapshot names, from the quants at those locations.
  std::map<std::pair<std::string, std::string>, std::int64_t, std::less<>> odoo_micros;
  for (const auto& r : rows) odoo_micros.emplace(std::pair{r.sku.value, r.location.value}, 0);
  std::map<std::int64_t, std::optional<std::string>> sku_of;  // product id → default_code
  std::set<std::string, std::less<>> known_skus;
  if (!location_of.empty()) {
    std::vector<std::int64_t> ids;
    ids.reserve(location_of.size());
    for (const auto& [id, name] : location_of) ids.push_back(id);
    odoo::Domain quants = field("location_id").in(ids);
    // A snapshot of a few SKUs need not read every quant of a large warehouse.
    if (skus.size() <= lookup_chunk)
      quants = quants && field("product_id.default_code").in(std::vector<std::string>(skus.begin(), skus.end()));
    ODOOSYNC_TRY(total, client.search_count("stock.quant", quants, read_options));
    odoo::IdCursor cursor(client, "stock.quant", quants, {"product_id", "location_id", "quantity"}, options.page_size,
                          read_options);
    std::size_t done = 0;
    while (true) {
      ODOOSYNC_TRY(page, cursor.next());
      if (!page) break;
      const json::Document& quant_rows = *page;
      std::vector<std::int64_t> unknown_products;
      for (const auto& q : quant_rows.GetArray()) {
        const std::int64_t p = many2one_id(q, "product_id");
        if (p && !sku_of.count(p)) {
          sku_of[p] = std::nullopt;
          unknown_products.push_back(p);
        }
      }
      if (!unknown_products.empty()) {
        ODOOSYNC_TRY(products, client.read("product.product", unknown_products, {"default_code"}, read_options));
        for (const auto& p : products.GetArray()) {
          auto code = text_field(p, "default_code");
          if (!code) continue;
          known_skus.insert(*code);
          sku_of[p["id"].GetInt64()] = std::move(code);
        }
      }
      for (const auto& q : quant_rows.GetArray()) {
        const auto product = sku_of.find(many2one_id(q, "product_id"));
        const auto location = location_of.find(many2one_id(q, "location_id"));
        if (product == sku_of.end() || !product->second || location == location_of.end()) continue;
        auto slot = odoo_micros.find(std::pair{*product->second, location->second});
        if (slot == odoo_micros.end()) continue;  // not in the snapshot: not drift
        ODOOSYNC_TRY(quantity, odoo_quantity(q, "stock.quant", "quantity", "Units"));
        if (__builtin_add_overflow(slot->second, quantity.micro_units(), &slot->second)) {
          return Error::protocol(fmt::format("stock.quant: the quantities of {} at {} add up beyond range",
                                             slot->first.first, slot->first.second));
        }
      }
      done += quant_rows.Size();
      if (options.progress)
        options.progress(done, std::max(done, static_cast<std::size_t>(std::max<std::int64_t>(total, 0))));
    }
  }

  // SKUs no quant there named: does Odoo have them at all (archived included)?
  std::vector<std::string> unseen;
  for (const auto& s : skus) {
    if (!known_skus.count(s)) unseen.push_back(s);
  }
  ODOOSYNC_TRYV(in_chunks(unseen, [&](std::vector<std::string> codes) -> result<void> {
    ODOOSYNC_TRY(found, client.search_read("product.product", field("default_code").in(std::move(codes)),
                                           {"default_code"}, {}, read_options));
    for (const auto& p : found.GetArray()) {
      if (auto code = text_field(p, "default_code")) known_skus.insert(*code);
    }
    return success();
  }));

  for (const auto& r : rows) {
    DriftRow d;
    d.sku = r.sku.value;
    d.location = r.location.value;
    d.channel = r.quantity;
    const std::string& uom = r.quantity.uom();
    d.unknown_in_odoo = !known_skus.count(r.sku.value) || !known_locations.count(r.location.value);
    const std::int64_t held = d.unknown_in_odoo ? 0 : odoo_micros.at(std::pair{r.sku.value, r.location.value});
    d.odoo = retail::Quantity(held, uom);
    std::int64_t diff = 0;
    if (__builtin_sub_overflow(r.quantity.micro_units(), held, &diff)) {
      return Error::protocol(fmt::format("the drift of {} at {} is out of range", r.sku.value, r.location.value));
    }
    d.drift = retail::Quantity(diff, uom);
    if (!d.unknown_in_odoo && diff == 0) {
      ++report.matching;
      continue;
    }
    report.drift.push_back(std::move(d));
  }
  return report;
}

result<std::vector<retail::Event>> correcting_events(const ReconcileReport& report, std::string_view source,
                                                     retail::Timestamp time) {
  std::vector<retail::Event> out;
  const std::string when = time.to_string();
  for (const DriftRow& d : report.drift) {
    if (d.unknown_in_odoo) continue;
    retail::StockAdjusted s;
    s.sku.value = d.sku;
    s.location.value = d.location;
    s.counted = d.channel;
    s.reason = "reconciliation: Odoo had " + d.odoo.value();
    auto ev = retail::make_event(std::move(s), {.source = std::string(source),
                                                .id = "reconcile-" + stable_hash({source, d.sku, d.location, when}),
                                                .time = time});
    if (!ev) return std::move(ev.error()).with_message_prefix(fmt::format("correcting {} at {}", d.sku, d.location));
    out.push_back(std::move(ev).value());
  }
  return out;
}

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
