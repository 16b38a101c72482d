// Outbound pulls: Odoo's changes by (write_date, id), mapped to retail events, checkpointed per page
// only after every sink of the feed took the page.
#include <odoosync/odoo/client.hpp>
#include <odoosync/sync/outbound.hpp>

#include <odoosync/core/json.hpp>
#include <odoosync/odoo/cursor.hpp>
#include <odoosync/odoo/domain.hpp>

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

const odoo::CallOptions read_options{.context_json = R"({"active_test": false})", .idempotent = true};
const odoo::CallOptions pull_options{.idempotent = true};
constexpr std::size_t max_problems = 20;

std::int64_t many2one_id(const json::Value& row, std::string_view name) {
  const json::Value* v = json::find(row, name);
  if (!v) return 0;
  if (v->IsArray() && v->Size() >= 1 && (*v)[0].IsInt64()) return (*v)[0].GetInt64();
  if (v->IsInt64()) return v->GetInt64();
  return 0;
}

std::string many2one_name(const json::Value& row, std::string_view name) {
  const json::Value* v = json::find(row, name);
  if (v && v->IsArray() && v->Size() >= 2 && (*v)[1].IsString()) return std::string(json::text((*v)[1]));
  return {};
}

std::optional<std::string> text_field(const json::Value& row, std::string_view name) {
  const json::Value* v = json::find(row, name);
  if (!v || !v->IsString() || v->GetStringLength() == 0) return std::nullopt;
  return std::string(json::text(*v));
}

std::int64_t record_id(const json::Value& row) {
  const json::Value* v = json::find(row, "id");
  return v && v->IsInt64() ? v->GetInt64() : 0;
}

// The decimal text of one of Odoo's numbers: the shortest text that reads back as the same double is
// what Python's repr wrote. Nothing for a non-number or a number only an exponent can write.
std::optional<std::string> decimal_text(const json::Value& row, std::string_view name) {
  const json::Value* v = json::find(row, name);
  if (!v || !v->IsNumber()) return std::nullopt;
  if (v->IsInt64()) return std::to_string(v->GetInt64());
  char buf[40];
  char* end = rapidjson::internal::dtoa(v->GetDouble(), buf);
  std::string text(buf, static_cast<std::size_t>(end - buf));
  if (text.find_first_of("eE") != std::string::npos) return std::nullopt;
  return text;
}

// Odoo's "YYYY-MM-DD HH:MM:SS" (UTC) as RFC 3339.
std::optional<retail::Timestamp> changed_at(const json::Value& row) {
  auto wd = text_field(row, "write_date");
  if (!wd || wd->size() != 19 || (*wd)[10] != ' ') return std::nullopt;
  std::string rfc = *wd;
  rfc[10] = 'T';
  rfc += 'Z';
  auto t = retail::Timestamp::parse(rfc);
  if (!t) return std::nullopt;
  return t.value();
}

// The feed's model, what it reads, and which of its records count.
struct FeedSpec {
  std::string_view model;
  odoo::Domain domain;
  std::vector<std::string> fields;
};

FeedSpec spec_of(Feed feed, const PullOptions& options) {
  switch (feed) {
    case Feed::fulfilments: {
      odoo::Domain d =
          field("state") == "done" && field("picking_type_id.code") == "outgoing" && field("sale_id") != false;
      if (options.order_origin) d = d && field("sale_id.origin") == *options.order_origin;
      return {"stock.picking", d, {"name", "sale_id", "date_done"}};
    }
    case Feed::stock_levels:
      return {"stock.quant", field("location_id.usage") == "internal", {"product_id", "location_id", "quantity"}};
    case Feed::prices: return {"product.product", {}, {"default_code", "list_price", "company_id"}};
    case Feed::order_states: return {"sale.order", field("state") == "cancel", {"name", "client_order_ref", "state"}};
  }
  return {"", {}, {}};
}

// Turns pages of one feed into events; caches what it looked up for the length of one pull.
class Mapper {
 public:
  Mapper(odoo::Client& client, const PullOptions& options, PullStats& stats)
      : client_(client), options_(options), stats_(stats) {}

  result<std::vector<retail::Event>> map(Feed feed, std::string_view model, const json::Value& rows) {
    switch (feed) {
      case Feed::stock_levels: return stock(model, rows);
      case Feed::prices: return prices(model, rows);
      case Feed::order_states: return orders(model, rows);
      case Feed::fulfilments: return fulfilments(model, rows);
    }
    return std::vector<retail::Event>{};
  }

  // The stock_delivery module's fields, when Odoo has them (read once, before the cursor is made).
  result<std::vector<std::string>> fulfilment_fields() {
    ODOOSYNC_TRY(fields, client_.fields_get("stock.picking", {"type"}, read_options));
    has_tracking_ = json::find(fields, "carrier_tracking_ref") != nullptr;
    has_carrier_ = json::find(fields, "carrier_id") != nullptr;
    ODOOSYNC_TRY(moves, client_.fields_get("stock.move", {"type"}, read_options));
    // `quantity` since Odoo 17 (the done quantity once the move is done); `quantity_done` before.
    move_quantity_ = json::find(moves, "quantity_done") && !json::find(moves, "picked") ? "quantity_done" : "quantity";
    std::vector<std::string> out;
    if (has_tracking_) out.emplace_back("carrier_tracking_ref");
    if (has_carrier_) out.emplace_back("carrier_id");
    return out;
  }

 private:
  struct ProductInfo {
    std::optional<std::string> sku{};
    std::string uom = "Units";
  };

  void problem(std::string what) {
    ++stats_.skipped_invalid;
    if (stats_.problems.size() < max_problems) stats_.problems.push_back(std::move(what));
  }

  // The event for one changed record: its id names model, record and write_date, so a page handed
  // again gives the same ids.
  void emit(std::vector<retail::Event>& out, std::string_view model, const json::Value& row, retail::EventData data) {
    const std::int64_t id = record_id(row);
    auto when = changed_at(row);
    if (!when) {
      problem(fmt::format("{} record {}: write_date is not a UTC datetime", model, id));
      return;
    }
    auto ev = retail::make_event(
        std::move(data),
        {.source = options_.source, .id = fmt::format("{}/{}@{}", model, id, when->to_string()), .time = *when});
    if (!ev) {
      problem(fmt::format("{} record {}: {}", model, id, ev.error().message()));
      return;
    }
    out.push_back(std::move(ev).value());
  }

  result<void> load_products(const std::vector<std::int64_t>& ids) {
    std::vector<std::int64_t> missing;
    for (auto id : ids) {
      if (!products_.count(id)) missing.push_back(id);
    }
    if (missing.empty()) return success();
    ODOOSYNC_TRY(rows, client_.read("product.product", missing, {"default_code", "uom_id"}, read_options));
    for (auto id : missing) products_[id] = ProductInfo{};  // deleted since: no SKU
    for (const auto& p : rows.GetArray()) {
      ProductInfo& info = products_[record_id(p)];
      info.sku = text_field(p, "default_code");
      if (std::string uom = many2one_name(p, "uom_id"); !uom.empty()) info.uom = std::move(uom);
    }
    return success();
  }

  result<void> load_locations(const std::vector<std::int64_t>& ids) {
    std::vector<std::int64_t> missing;
    for (auto id : ids) {
      if (!locations_.count(id)) missing.push_back(id);
    }
    if (missing.empty()) return success();
    ODOOSYNC_TRY(rows, client_.read("stock.location", missing, {"complete_name"}, read_options));
    for (auto id : missing) locations_[id] = std::string();
    for (const auto& l : rows.GetArray()) locations_[record_id(l)] = text_field(l, "complete_name").value_or("");
    return success();
  }

  // A changed quant stands for its (product, location): the event carries the sum of every quant of that
  // pair (lots, packages, owners), the absolute count a channel can apply.
  result<std::vector<retail::Event>> stock(std::string_view model, const json::Value& rows) {
    std::map<std::pair<std::int64_t, std::int64_t>, rapidjson::SizeType> last;  // pair → its last row in the page
    std::set<std::int64_t> product_ids, location_ids;
    for (rapidjson::SizeType i = 0; i < rows.Size(); ++i) {
      const std::int64_t p = many2one_id(rows[i], "product_id"), l = many2one_id(rows[i], "location_id");
      product_ids.insert(p);
      location_ids.insert(l);
      last[{p, l}] = i;
    }
    ODOOSYNC_TRYV(load_products({product_ids.begin(), product_ids.end()}));
    ODOOSYNC_TRYV(load_locations({location_ids.begin(), location_ids.end()}));

    std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> micros;
    std::vector<std::int64_t> wanted_products;
    for (const auto& [pair, row] : last) {
      if (!products_[pair.first].sku) {
        continue;
      }
      micros[pair] = 0;
      wanted_products.push_back(pair.first);
    }
    // Rows of products without an internal reference are skipped, and counted.
    for (const auto& row : rows.GetArray()) {
      if (!products_[many2one_id(row, "product_id")].sku) ++stats_.skipped_no_sku;
    }
    if (!micros.empty()) {
      ODOOSYNC_TRY(
          all, client_.search_read(
                   "stock.quant",
                   field("product_id").in(std::vector<std::int64_t>(wanted_products.begin(), wanted_products.end())) &&
                       field("location_id").in(std::vector<std::int64_t>(location_ids.begin(), location_ids.end())),
                   {"product_id", "location_id", "quantity"}, {.order = "id asc"}, pull_options));
      for (const auto& q : all.GetArray()) {
        auto slot = micros.find({many2one_id(q, "product_id"), many2one_id(q, "location_id")});
        if (slot == micros.end()) continue;
        auto text = decimal_text(q, "quantity");
        if (!text)
          return Error::protocol(
              fmt::format("stock.quant record {}: field 'quantity' is not a decimal quantity", record_id(q)));
        auto qty = retail::Quantity::parse(*text);
        if (!qty) {
          return Error::protocol(
              fmt::format("stock.quant record {}: field 'quantity' {} {}", record_id(q), *text, qty.error().message()));
        }
        if (__builtin_add_overflow(slot->second, qty.value().micro_units(), &slot->second)) {
          return Error::protocol(
              fmt::format("stock.quant: the quantities of product {} at location {} add up beyond range",
                          slot->first.first, slot->first.second));
        }
      }
    }

    // In the order of the page: each pair where its last changed quant was.
    std::vector<std::pair<rapidjson::SizeType, std::pair<std::int64_t, std::int64_t>>> order;
    order.reserve(micros.size());
    for (const auto& [pair, row] : micros) order.emplace_back(last[pair], pair);
    std::sort(order.begin(), order.end());
    std::vector<retail::Event> out;
    for (const auto& [index, pair] : order) {
      const ProductInfo& info = products_[pair.first];
      const std::int64_t held = micros[pair];
      if (held < 0) {
        ++stats_.skipped_negative;
        continue;
      }
      retail::StockAdjusted s;
      s.sku.value = *info.sku;
      s.location.value = locations_[pair.second];
      s.counted = retail::Quantity(held, info.uom);
      emit(out, model, rows[index], std::move(s));
    }
    return out;
  }

  result<void> load_companies() {
    if (companies_loaded_) return success();
    ODOOSYNC_TRY(rows, client_.search_read("res.company", {}, {"currency_id"}, {.order = "id asc"}, read_options));
    for (const auto& c : rows.GetArray()) {
      std::string code = many2one_name(c, "currency_id");
      if (default_currency_.empty()) default_currency_ = code;
      company_currency_[record_id(c)] = std::move(code);
    }
    companies_loaded_ = true;
    return success();
  }

  result<std::vector<retail::Event>> prices(std::string_view model, const json::Value& rows) {
    ODOOSYNC_TRYV(load_companies());
    std::vector<retail::Event> out;
    for (const auto& row : rows.GetArray()) {
      auto sku = text_field(row, "default_code");
      if (!sku) {
        ++stats_.skipped_no_sku;
        continue;
      }
      // The product's company's currency; a product shared by all companies takes the first company's.
      const std::int64_t company = many2one_id(row, "company_id");
      auto it = company_currency_.find(company);
      const std::string& code = company && it != company_currency_.end() ? it->second : default_currency_;
      auto currency = retail::Currency::of(code);
      if (!currency) {
        problem(fmt::format("{} record {}: {}", model, record_id(row), currency.error().message()));
        continue;
      }
      auto text = decimal_text(row, "list_price");
      if (!text) {
        problem(fmt::format("{} record {}: list_price is not a decimal amount", model, record_id(row)));
        continue;
      }
      auto price = retail::Money::parse(*text, currency.value());
      if (!price) {
        problem(fmt::format("{} record {}: list_price {} {}", model, record_id(row), *text, price.error().message()));
        continue;
      }
      retail::PriceChanged p;
      p.price.sku.value = std::move(*sku);
      p.price.list_price = price.value();
      emit(out, model, row, std::move(p));
    }
    return out;
  }

  // Cancelled orders become OrderCancelled under the channel's number (client_order_ref, which the
  // order mapping sets), else Odoo's name. Other states are not read (the feed's domain).
  result<std::vector<retail::Event>> orders(std::string_view model, const json::Value& rows) {
    std::vector<retail::Event> out;
    for (const auto& row : rows.GetArray()) {
      if (text_field(row, "state").value_or("") != "cancel") continue;
      const std::string name = text_field(row, "name").value_or("");
      retail::OrderCancelled c;
      c.number = text_field(row, "client_order_ref").value_or(name);
      if (!name.empty() && name != c.number)
        c.reason = "cancelled in Odoo as " + name;
      else
        c.reason = "cancelled in Odoo";
      emit(out, model, row, std::move(c));
    }
    return out;
  }

  // Done deliveries of sale orders that came from a channel (client_order_ref set): one event per picking
  // and write, the lines from its done moves.
  result<std::vector<retail::Event>> fulfilments(std::string_view model, const json::Value& rows) {
    std::set<std::int64_t> order_ids, picking_ids;
    for (const auto& row : rows.GetArray()) {
      order_ids.insert(many2one_id(row, "sale_id"));
      picking_ids.insert(record_id(row));
    }
    std::map<std::int64_t, std::optional<std::string>> refs;
    {
      ODOOSYNC_TRY(
          orders, client_.read("sale.order", {order_ids.begin(), order_ids.end()}, {"client_order_ref"}, read_options));
      for (const auto& o : orders.GetArray()) refs[record_id(o)] = text_field(o, "client_order_ref");
    }
    struct Line {
      std::int64_t product;
      std::int64_t micros;
    };
    std::map<std::int64_t, std::vector<Line>> lines;
    std::set<std::int64_t> product_ids;
    {
      ODOOSYNC_TRY(moves,
                   client_.search_read(
                       "stock.move",
                       field("picking_id").in(std::vector<std::int64_t>(picking_ids.begin(), picking_ids.end())) &&
                           field("state") == "done",
                       {"picking_id", "product_id", move_quantity_}, {.order = "id asc"}, pull_options));
      for (const auto& m : moves.GetArray()) {
        auto text = decimal_text(m, move_quantity_);
        if (!text)
          return Error::protocol(
              fmt::format("stock.move record {}: field '{}' is not a decimal quantity", record_id(m), move_quantity_));
        auto qty = retail::Quantity::parse(*text);
        if (!qty) {
          return Error::protocol(fmt::format("stock.move record {}: field '{}' {} {}", record_id(m), move_quantity_,
                                             *text, qty.error().message()));
        }
        if (!qty.value().is_positive()) continue;  // nothing of it went out
        const std::int64_t product = many2one_id(m, "product_id");
        product_ids.insert(product);
        lines[many2one_id(m, "picking_id")].push_back(Line{product, qty.value().micro_units()});
      }
    }
    ODOOSYNC_TRYV(load_products({product_ids.begin(), product_ids.end()}));
    std::vector<retail::Event> out;
    for (const auto& row : rows.GetArray()) {
      const std::int64_t id = record_id(row);
      const auto& ref = refs[many2one_id(row, "sale_id")];
      if (!ref) {
        ++stats_.skipped_no_order;
        continue;
      }
      retail::ShipmentDispatched d;
      d.shipment.reference = text_field(row, "name").value_or(std::to_string(id));
      d.shipment.order_number = *ref;
      auto done = text_field(row, "date_done");
      if (done && done->size() == 19) {
        std::string rfc = *done;
        rfc[10] = 'T';
        rfc += 'Z';
        if (auto t = retail::Timestamp::parse(rfc)) d.shipment.dispatched_at = t.value();
      }
      if (d.shipment.dispatched_at == retail::Timestamp{}) {
        auto when = changed_at(row);
        if (when) d.shipment.dispatched_at = *when;
      }
      if (has_carrier_) {
        if (std::string c = many2one_name(row, "carrier_id"); !c.empty()) d.shipment.carrier = std::move(c);
      }
      if (has_tracking_) d.shipment.tracking_number = text_field(row, "carrier_tracking_ref");
      // One line per SKU, the moves of a product summed (a product split over several moves).
      std::map<std::string, std::pair<std::int64_t, std::string>> by_sku;
      std::vector<std::string> order;
      bool skipped = false;
      for (const auto& l : lines[id]) {
        const ProductInfo& info = products_[l.product];
        if (!info.sku) {
          skipped = true;
          continue;
        }
        auto [slot, fresh] = by_sku.try_emplace(*info.sku, 0, info.uom);
        if (fresh) order.push_back(*info.sku);
        slot->second.first += l.micros;
      }
      if (skipped) ++stats_.skipped_no_sku;
      if (order.empty()) {
        problem(fmt::format("{} record {}: no done line with an internal reference", model, id));
        continue;
      }
      std::vector<retail::StockLine> shipped;
      for (const auto& sku : order) {
        retail::StockLine sl;
        sl.sku.value = sku;
        sl.quantity = retail::Quantity(by_sku[sku].first, by_sku[sku].second);
        shipped.push_back(std::move(sl));
      }
      d.shipment.lines = std::move(shipped);
      emit(out, model, row, std::move(d));
    }
    return out;
  }

  odoo::Client& client_;
  const PullOptions& options_;
  PullStats& stats_;
  bool has_tracking_ = false, has_carrier_ = false;
  std::string move_quantity_ = "quantity";
  std::map<std::int64_t, ProductInfo> products_;
  std::map<std::int64_t, std::string> locations_;
  std::map<std::int64_t, std::string> company_currency_;
  std::string default_currency_;
  bool companies_loaded_ = false;
};

}  // namespace

std::string_view to_string(Feed feed) noexcept {
  switch (feed) {
    case Feed::stock_levels: return "stock_levels";
    case Feed::prices: return "prices";
    case Feed::order_states: return "order_states";
    case Feed::fulfilments: return "fulfilments";
  }
  return "?";
}

result<Feed> parse_feed(std::string_view text) {
  for (Feed f : {Feed::stock_levels, Feed::prices, Feed::order_states, Feed::fulfilments}) {
    if (to_string(f) == text) return f;
  }
  return Error::validation("feed: expected stock_levels, prices, order_states or fulfilments, got '" +
                           std::string(text) + "'");
}

std::string checkpoint_name(Feed feed) { return "outbound/" + std::string(to_string(feed)); }

OutboundPuller::OutboundPuller(Store& store, odoo::Client& client, PullOptions options)
    : store_(store), client_(client), options_(std::move(options)) {}

void OutboundPuller::add_sink(Feed feed, EventSink& sink) { sinks_[static_cast<std::size_t>(feed)].push_back(&sink); }

result<std::size_t> OutboundPuller::pull(Feed feed) {
  const auto index = static_cast<std::size_t>(feed);
  PullStats& stats = stats_[index];
  stats = PullStats{};
  const std::string label = "outbound " + std::string(to_string(feed));
  if (sinks_[index].empty()) return Error::validation(label + ": no sink is registered for this feed");

  const std::string name = options_.checkpoint_prefix + std::string(to_string(feed));
  ODOOSYNC_TRY(saved, store_.checkpoint(name));
  odoo::Checkpoint from;
  if (saved) {
    auto cp = odoo::Checkpoint::parse(*saved);
    if (!cp) return std::move(cp.error()).with_message_prefix(label + ": stored checkpoint '" + name + "'");
    from = cp.value();
  }

  FeedSpec spec = spec_of(feed, options_);
  Mapper mapper(client_, options_, stats);
  if (feed == Feed::fulfilments) {
    auto extra = mapper.fulfilment_fields();
    if (!extra) return std::move(extra.error()).with_message_prefix(label);
    for (auto& f : extra.value()) spec.fields.push_back(std::move(f));
  }
  odoo::ChangeCursor cursor(client_, std::string(spec.model), spec.domain, spec.fields, from, options_.page_size,
                            pull_options);
  if (options_.settle) {
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    cursor.stop_before(odoo::DateTime::from_sys(now - *options_.settle));
  }
  std::size_t handed = 0;
  while (true) {
    auto page = cursor.next();
    if (!page) return std::move(page.error()).with_message_prefix(label);
    if (!page.value()) break;
    const json::Document& rows = *page.value();
    stats.records += rows.Size();
    auto events = mapper.map(feed, spec.model, rows);
    if (!events) return std::move(events.error()).with_message_prefix(label);
    if (!events.value().empty()) {
      for (EventSink* sink : sinks_[index]) {
        auto taken = sink->accept(events.value());
        if (!taken)
          return std::move(taken.error())
              .with_message_prefix(label + ": a sink refused a page (kept for the next pull)");
      }
    }
    // Every sink has the page: only now may the next pull start after it.
    ODOOSYNC_TRYV(store_.set_checkpoint(name, cursor.checkpoint().to_string()));
    ++stats.pages;
    handed += events.value().size();
    stats.events = handed;
  }
  return handed;
}

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
