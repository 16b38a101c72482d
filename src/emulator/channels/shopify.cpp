// The Shopify Admin GraphQL emulator (emulator/shopify.hpp; docs/push/shopify.md): one shop's state, its
// cost bucket and its faults behind ChannelServer. A matcher for the push client's documents, not a
// GraphQL server: the root field picks the operation, the variables carry the input.
#include <odoosync/emulator/shopify.hpp>

#include <odoosync/core/json.hpp>
#include <odoosync/emulator/channel_server.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <tuple>
#include <variant>

namespace odoosync {
inline namespace v0 {
namespace channel_emulator {

namespace {

struct Variant {
  std::int64_t id = 0, product = 0, item = 0;
  std::string sku, price;
};
struct FoLine {
  std::int64_t id = 0;
  std::string sku;
  std::int64_t remaining = 0;
};
struct FulfillmentOrder {
  std::int64_t id = 0;
  std::string status = "OPEN";
  std::vector<FoLine> lines;
};
struct Order {
  std::int64_t id = 0;
  std::vector<FulfillmentOrder> fos;
  std::vector<ShopifyEmulator::FulfillmentRecord> fulfillments;
};
struct PendingFault {
  ShopifyEmulator::Fault fault;
  int left = 0;
};

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string gid(std::string_view type, std::int64_t id) { return fmt::format("gid://shopify/{}/{}", type, id); }

std::optional<std::int64_t> gid_id(std::string_view value, std::string_view type) {
  const std::string prefix = fmt::format("gid://shopify/{}/", type);
  if (value.substr(0, prefix.size()) != prefix) return std::nullopt;
  const std::string_view digits = value.substr(prefix.size());
  if (!all_digits(digits) || digits.size() > 18) return std::nullopt;
  return std::stoll(std::string(digits));
}

// "2026-01" -> 202601, "unstable" -> after every release; nothing for anything else.
std::optional<int> version_of(std::string_view v) {
  if (v == "unstable") return 999912;
  if (v.size() != 7 || v[4] != '-' || !all_digits(v.substr(0, 4)) || !all_digits(v.substr(5))) return std::nullopt;
  return std::stoi(std::string(v.substr(0, 4))) * 100 + std::stoi(std::string(v.substr(5)));
}

// The number after `name(first: ` in the document; 0 when absent.
std::int64_t first_of(std::string_view doc, std::string_view name) {
  const std::string needle = std::string(name) + "(first: ";
  const auto at = doc.find(needle);
  if (at == std::string_view::npos) return 0;
  std::size_t i = at + needle.size();
  std::int64_t n = 0;
  while (i < doc.size() && doc[i] >= '0' && doc[i] <= '9' && n < 100000) n = n * 10 + (doc[i++] - '0');
  return n;
}

// The key of `@idempotent(key: "...")`, if the document has one.
std::optional<std::string> idempotency_key(std::string_view doc) {
  const std::string_view needle = "@idempotent(key: \"";
  const auto at = doc.find(needle);
  if (at == std::string_view::npos) return std::nullopt;
  const auto end = doc.find('"', at + needle.size());
  if (end == std::string_view::npos) return std::string();
  return std::string(doc.substr(at + needle.size(), end - at - needle.size()));
}

// The SKUs a productVariants search names: sku:"A" OR sku:B ...
std::vector<std::string> search_skus(std::string_view q) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < q.size()) {
    const auto at = q.find("sku:", i);
    if (at == std::string_view::npos) break;
    i = at + 4;
    std::string sku;
    if (i < q.size() && q[i] == '"') {
      ++i;
      while (i < q.size() && q[i] != '"') {
        if (q[i] == '\\' && i + 1 < q.size()) ++i;
        sku += q[i++];
      }
      ++i;
    } else {
      while (i < q.size() && q[i] != ' ') sku += q[i++];
    }
    out.push_back(std::move(sku));
  }
  return out;
}

bool valid_price(std::string_view p) {
  const auto dot = p.find('.');
  const std::string_view whole = p.substr(0, dot);
  if (!all_digits(whole) || whole.size() > 12) return false;
  return dot == std::string_view::npos || (all_digits(p.substr(dot + 1)) && p.size() - dot - 1 <= 4);
}

const std::set<std::string, std::less<>> reasons = {"correction",
                                                    "cycle_count_available",
                                                    "damaged",
                                                    "movement_created",
                                                    "movement_updated",
                                                    "movement_received",
                                                    "movement_canceled",
                                                    "other",
                                                    "promotion",
                                                    "quality_control",
                                                    "received",
                                                    "reservation_created",
                                                    "reservation_deleted",
                                                    "reservation_updated",
                                                    "restock",
                                                    "safety_stock",
                                                    "shrinkage"};

// One userError.
struct UserError {
  std::string code;
  std::vector<std::string> field;
  std::string message;
};

void write_user_errors(json::Writer& w, const std::vector<UserError>& errors, bool with_code) {
  w.key("userErrors").begin_array();
  for (const auto& e : errors) {
    w.begin_object();
    if (with_code) w.member("code", e.code);
    w.key("field").begin_array();
    for (const auto& f : e.field) w.string(f);
    w.end_array().member("message", e.message).end_object();
  }
  w.end_array();
}

// A served operation: its data member and what it actually cost.
struct Served {
  std::string data;
  double actual = 0;
};
// A refusal before execution: a top-level GraphQL error.
struct TopError {
  std::string message;
  std::string code;
};

}  // namespace

struct ShopifyEmulator::State {
  Options o;
  Clock* clock = nullptr;
  mutable std::mutex mu;
  std::string token;
  std::int64_t next_id = 1001;
  std::map<std::int64_t, std::string> locations;
  std::vector<Variant> variants;
  std::map<std::string, std::int64_t> product_keys;
  std::set<std::int64_t> products;
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> levels;  // (item, location) -> available
  std::map<std::int64_t, Order> orders;
  std::map<std::string, std::pair<std::string, std::string>> idempotent;  // key -> (variables, data)
  std::deque<PendingFault> faults;
  Stats stats;
  double bucket = 0;
  Clock::time_point bucket_at{};
  std::unique_ptr<ChannelServer> server;

  const Variant* variant_by_id(std::int64_t id) const {
    for (const auto& v : variants)
      if (v.id == id) return &v;
    return nullptr;
  }
  Variant* variant_by_id(std::int64_t id) {
    for (auto& v : variants)
      if (v.id == id) return &v;
    return nullptr;
  }
  const Variant* variant_by_item(std::int64_t item) const {
    for (const auto& v : variants)
      if (v.item == item) return &v;
    return nullptr;
  }

  // The first pending fault of a kind other than user_error matching the operation, consumed.
  std::optional<Fault> take_fault(std::string_view op) {
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (it->fault.kind == FaultKind::user_error) continue;
      if (!it->fault.operation.empty() && it->fault.operation != op) continue;
      Fault f = it->fault;
      if (--it->left <= 0) faults.erase(it);
      ++stats.faults_consumed;
      return f;
    }
    return std::nullopt;
  }
  // Whether a user_error fault for this SKU (and operation) is pending; consumed if so.
  bool take_user_error(std::string_view op, std::string_view sku) {
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (it->fault.kind != FaultKind::user_error || it->fault.sku != sku) continue;
      if (!it->fault.operation.empty() && it->fault.operation != op) continue;
      if (--it->left <= 0) faults.erase(it);
      ++stats.faults_consumed;
      return true;
    }
    return false;
  }

  void restore() {
    const Clock::time_point now = clock->now();
    const double dt = std::chrono::duration<double>(now - bucket_at).count();
    if (dt > 0) bucket = std::min(o.maximum_available, bucket + dt * o.restore_rate);
    bucket_at = now;
  }

  std::string cost_json(double requested, std::optional<double> actual) const {
    json::Writer w;
    w.begin_object().key("cost").begin_object().key("requestedQueryCost").number(requested);
    w.key("actualQueryCost");
    if (actual) {
      w.number(*actual);
    } else {
      w.null();
    }
    w.key("throttleStatus").begin_object();
    w.key("maximumAvailable").number(o.maximum_available);
    w.key("currentlyAvailable").number(std::floor(bucket));
    w.key("restoreRate").number(o.restore_rate);
    w.end_object().end_object().end_object();
    return std::string(w.unchecked_view());
  }

  FakeResponse throttled_answer(double requested) const {
    return json_response(200, R"({"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED",)"
                              R"("documentation":"https://shopify.dev/api/usage/rate-limits"}}],"extensions":)" +
                                  cost_json(requested, std::nullopt) + "}");
  }

  FakeResponse handle(const FakeRequest& r);
  std::variant<Served, TopError> run(std::string_view op, int version, std::string_view doc, const json::Value& vars);
  Served shop_query();
  std::variant<Served, TopError> product_variants(const json::Value& vars);
  std::variant<Served, TopError> nodes(const json::Value& vars);
  std::variant<Served, TopError> set_quantities(int version, std::string_view doc, const json::Value& vars);
  std::variant<Served, TopError> bulk_update(std::string_view doc, const json::Value& vars);
  std::variant<Served, TopError> order_query(std::string_view doc, const json::Value& vars);
  std::variant<Served, TopError> fulfillment_create(const json::Value& vars);
};

namespace {

// The root field of the document, by the operations the client sends.
std::string_view operation_of(std::string_view doc) {
  if (doc.find("inventorySetQuantities(") != std::string_view::npos) return "inventorySetQuantities";
  if (doc.find("productVariantsBulkUpdate(") != std::string_view::npos) return "productVariantsBulkUpdate";
  if (doc.find("fulfillmentCreate(") != std::string_view::npos) return "fulfillmentCreate";
  if (doc.find("productVariants(") != std::string_view::npos) return "productVariants";
  if (doc.find("nodes(ids:") != std::string_view::npos) return "nodes";
  if (doc.find("order(id:") != std::string_view::npos) return "order";
  if (doc.find("shop {") != std::string_view::npos) return "shop";
  return {};
}

// The requested cost of the operation by Shopify's documented rules (object 1, connection 2 + first x
// node, scalar 0, mutation 10).
double requested_cost(std::string_view op, std::string_view doc, const json::Value& vars) {
  if (op == "shop") return 1;
  if (op == "productVariants") {
    const json::Value* first = json::find(vars, "first");
    const double f = first && first->IsInt64() ? static_cast<double>(first->GetInt64()) : 0;
    return 3 + 3 * f;
  }
  if (op == "nodes") {
    const json::Value* ids = json::find(vars, "ids");
    return ids && ids->IsArray() ? 3.0 * ids->Size() : 0;
  }
  if (op == "order") {
    const auto fulfillments = first_of(doc, "fulfillments");
    const auto tracking = first_of(doc, "trackingInfo");
    const auto fos = first_of(doc, "fulfillmentOrders");
    const auto lines = first_of(doc, "lineItems");
    return static_cast<double>(1 + fulfillments * (1 + tracking) + 2 + fos * (1 + 2 + lines));
  }
  return 10;  // a mutation
}

}  // namespace

FakeResponse ShopifyEmulator::State::handle(const FakeRequest& r) {
  std::lock_guard lock(mu);
  ++stats.requests;
  constexpr std::string_view prefix = "/admin/api/";
  constexpr std::string_view suffix = "/graphql.json";
  const std::string& p = r.path;
  if (r.method != "POST" || p.rfind(prefix, 0) != 0 || p.size() <= prefix.size() + suffix.size() ||
      p.compare(p.size() - suffix.size(), suffix.size(), suffix) != 0)
    return json_response(404, R"({"errors":"Not Found"})");
  const auto version = version_of(std::string_view(p).substr(prefix.size(), p.size() - prefix.size() - suffix.size()));
  if (!version) return json_response(404, R"({"errors":"Not Found"})");
  const std::string unauthorized_body =
      R"js({"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"})js";
  if (r.header("X-Shopify-Access-Token") != token) {
    ++stats.unauthorized;
    return json_response(401, unauthorized_body);
  }
  auto body = json::parse(r.body);
  const json::Value* query = body ? json::find(body.value(), "query") : nullptr;
  if (!query || !query->IsString())
    return json_response(400, R"({"errors":{"query":"Required parameter missing or invalid"}})");
  const std::string doc(json::text(*query));
  json::Document empty;
  empty.SetObject();
  const json::Value* vars = json::find(body.value(), "variables");
  if (!vars || !vars->IsObject()) vars = &empty;
  const std::string_view op = operation_of(doc);
  if (op.empty())
    return json_response(200, R"js({"errors":[{"message":"the Shopify emulator does not know this document (it is )js"
                              R"js(not a GraphQL server)","extensions":{"code":"UNSUPPORTED"}}]})js");

  bool cut_after = false;
  if (auto fault = take_fault(op)) {
    switch (fault->kind) {
      case FaultKind::http_error:
        if (fault->status == 429)  // as Shopify answers a throttled REST call: Retry-After in decimal seconds
          return json_response(429,
                               R"({"errors":"Exceeded 2 calls per second for api client. Reduce request )"
                               R"(rates to resume uninterrupted service."})",
                               {{"Retry-After", "2.0"}});
        return json_response(fault->status, fault->status >= 500 ? R"({"errors":"Internal Server Error"})"
                                                                 : R"({"errors":"Bad Request"})");
      case FaultKind::throttled: restore(); return throttled_answer(requested_cost(op, doc, *vars));
      case FaultKind::reset: {
        FakeResponse cut;
        cut.action = FakeResponse::Action::reset;
        return cut;
      }
      case FaultKind::unauthorized: ++stats.unauthorized; return json_response(401, unauthorized_body);
      case FaultKind::reset_after_apply: cut_after = true; break;
      case FaultKind::user_error: break;
    }
  }

  const double requested = requested_cost(op, doc, *vars);
  restore();
  if (requested > o.max_query_cost)
    return json_response(
        200, fmt::format(R"({{"errors":[{{"message":"Query cost is {}, which exceeds the single query max cost limit )"
                         R"(({}).","extensions":{{"code":"MAX_COST_EXCEEDED","cost":{},"maxCost":{}}}}}]}})",
                         requested, o.max_query_cost, requested, o.max_query_cost));
  if (requested > bucket) {
    ++stats.throttled;
    return throttled_answer(requested);
  }
  bucket -= requested;
  auto ran = run(op, *version, doc, *vars);
  if (auto* err = std::get_if<TopError>(&ran)) {
    bucket += requested;  // refused before execution: nothing charged
    json::Writer w;
    w.begin_object().key("errors").begin_array().begin_object().member("message", err->message);
    w.key("extensions").begin_object().member("code", err->code).end_object();
    w.end_object().end_array().end_object();
    return json_response(200, std::string(w.unchecked_view()));
  }
  const Served& served = std::get<Served>(ran);
  bucket = std::min(o.maximum_available, bucket + (requested - served.actual));
  stats.points_charged += served.actual;
  stats.operations.emplace_back(op);
  if (cut_after) {
    FakeResponse cut;
    cut.action = FakeResponse::Action::reset;
    return cut;
  }
  return json_response(200,
                       "{\"data\":" + served.data + ",\"extensions\":" + cost_json(requested, served.actual) + "}");
}

std::variant<Served, TopError> ShopifyEmulator::State::run(std::string_view op, int version, std::string_view doc,
                                                           const json::Value& vars) {
  if (op == "shop") return shop_query();
  if (op == "productVariants") return product_variants(vars);
  if (op == "nodes") return nodes(vars);
  if (op == "inventorySetQuantities") return set_quantities(version, doc, vars);
  if (op == "productVariantsBulkUpdate") return bulk_update(doc, vars);
  if (op == "order") return order_query(doc, vars);
  return fulfillment_create(vars);
}

Served ShopifyEmulator::State::shop_query() {
  json::Writer w;
  w.begin_object().key("shop").begin_object().member("currencyCode", o.currency).end_object().end_object();
  return {std::string(w.unchecked_view()), 1};
}

std::variant<Served, TopError> ShopifyEmulator::State::product_variants(const json::Value& vars) {
  const json::Value* first = json::find(vars, "first");
  const json::Value* query = json::find(vars, "query");
  if (!first || !first->IsInt64() || first->GetInt64() < 1 || first->GetInt64() > 250)
    return TopError{"productVariants: first must be between 1 and 250", "BAD_REQUEST"};
  const auto wanted = search_skus(query ? json::text(*query) : std::string_view());
  const std::set<std::string> set(wanted.begin(), wanted.end());
  std::vector<const Variant*> matched;
  for (const auto& v : variants)
    if (set.count(v.sku)) matched.push_back(&v);
  const auto n = std::min<std::size_t>(matched.size(), static_cast<std::size_t>(first->GetInt64()));
  json::Writer w;
  w.begin_object().key("productVariants").begin_object().key("nodes").begin_array();
  for (std::size_t i = 0; i < n; ++i) {
    const Variant& v = *matched[i];
    w.begin_object().member("id", gid("ProductVariant", v.id)).member("sku", v.sku);
    w.key("product").begin_object().member("id", gid("Product", v.product)).end_object();
    w.key("inventoryItem").begin_object().member("id", gid("InventoryItem", v.item)).end_object();
    w.end_object();
  }
  w.end_array().key("pageInfo").begin_object().member("hasNextPage", matched.size() > n).end_object();
  w.end_object().end_object();
  return Served{std::string(w.unchecked_view()), 3 + 3 * static_cast<double>(n)};
}

std::variant<Served, TopError> ShopifyEmulator::State::nodes(const json::Value& vars) {
  const json::Value* ids = json::find(vars, "ids");
  const json::Value* location = json::find(vars, "locationId");
  if (!ids || !ids->IsArray() || ids->Size() > 250)
    return TopError{"nodes: ids must be a list of at most 250 ids", "BAD_REQUEST"};
  const auto loc = location ? gid_id(json::text(*location), "Location") : std::nullopt;
  double actual = 0;
  json::Writer w;
  w.begin_object().key("nodes").begin_array();
  for (const auto& id : ids->GetArray()) {
    const auto item = gid_id(json::text(id), "InventoryItem");
    if (!item || !variant_by_item(*item)) {
      w.null();
      continue;
    }
    actual += 1;
    w.begin_object().member("id", gid("InventoryItem", *item)).key("inventoryLevel");
    auto level = loc ? levels.find({*item, *loc}) : levels.end();
    if (level == levels.end()) {
      w.null();
    } else {
      actual += 2;
      w.begin_object().key("quantities").begin_array().begin_object().member("name", "available");
      w.member("quantity", level->second).end_object().end_array().end_object();
    }
    w.end_object();
  }
  w.end_array().end_object();
  return Served{std::string(w.unchecked_view()), actual};
}

std::variant<Served, TopError> ShopifyEmulator::State::set_quantities(int version, std::string_view doc,
                                                                      const json::Value& vars) {
  const auto key = idempotency_key(doc);
  const bool change_from = version >= 202601;
  if (key && !change_from)
    return TopError{"Directive 'idempotent' doesn't exist (API versions before 2026-01)", "undefinedDirective"};
  if (version >= 202604 && !key)
    return TopError{"inventorySetQuantities requires the @idempotent directive from API version 2026-04",
                    "BAD_REQUEST"};
  const json::Value* input = json::find(vars, "input");
  const json::Value* quantities = input ? json::find(*input, "quantities") : nullptr;
  if (!input || !input->IsObject() || !quantities || !quantities->IsArray())
    return TopError{"Variable $input of type InventorySetQuantitiesInput! was provided invalid value",
                    "INVALID_VARIABLE"};
  if (quantities->Size() > 250)
    return TopError{"The input array size of 251 is greater than the maximum allowed of 250.",
                    "MAX_INPUT_SIZE_EXCEEDED"};
  for (const auto& q : quantities->GetArray()) {
    if (!q.IsObject()) return TopError{"Variable $input: quantities must be objects", "INVALID_VARIABLE"};
    if (version >= 202604 && json::find(q, "compareQuantity"))
      return TopError{
          "Variable $input of type InventorySetQuantitiesInput! was provided invalid value for "
          "quantities.compareQuantity (Field is not defined on InventoryQuantityInput)",
          "INVALID_VARIABLE"};
    if (!change_from && json::find(q, "changeFromQuantity"))
      return TopError{
          "Variable $input of type InventorySetQuantitiesInput! was provided invalid value for "
          "quantities.changeFromQuantity (Field is not defined on InventoryQuantityInput)",
          "INVALID_VARIABLE"};
    if (version >= 202604 && !json::find(q, "changeFromQuantity"))
      return TopError{"changeFromQuantity must be given for each quantity (null to opt out) from API version 2026-04",
                      "INVALID_VARIABLE"};
  }
  const std::string fingerprint = json::to_string(*input);
  if (key) {
    if (auto seen = idempotent.find(*key); seen != idempotent.end()) {
      if (seen->second.first == fingerprint) {
        ++stats.idempotent_replays;
        return Served{seen->second.second, 10};
      }
      json::Writer w;
      w.begin_object().key("inventorySetQuantities").begin_object().key("inventoryAdjustmentGroup").null();
      write_user_errors(w,
                        {{"IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
                          {},
                          "The same idempotency key cannot be used with "
                          "different operation parameters."}},
                        true);
      w.end_object().end_object();
      return Served{std::string(w.unchecked_view()), 10};
    }
  }
  std::vector<UserError> errors;
  const json::Value* name_value = json::find(*input, "name");
  const std::string name(name_value ? json::text(*name_value) : std::string_view());
  if (name != "available")
    errors.push_back({"INVALID_NAME", {"input", "name"}, "The quantity name must be 'available'."});
  const json::Value* reason = json::find(*input, "reason");
  if (!reason || !reasons.count(json::text(*reason)))
    errors.push_back({"INVALID_REASON", {"input", "reason"}, "The specified reason is invalid."});
  const json::Value* ignore = json::find(*input, "ignoreCompareQuantity");
  const bool ignore_compare = ignore && ignore->IsBool() && ignore->GetBool();
  std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> changes;  // item, location, quantity
  std::set<std::pair<std::int64_t, std::int64_t>> seen;
  for (rapidjson::SizeType i = 0; i < quantities->Size(); ++i) {
    const json::Value& q = (*quantities)[i];
    auto at = [&](std::string field) {
      return std::vector<std::string>{"input", "quantities", std::to_string(i), std::move(field)};
    };
    const auto item = json::find(q, "inventoryItemId")
                          ? gid_id(json::text(*json::find(q, "inventoryItemId")), "InventoryItem")
                          : std::nullopt;
    const auto loc =
        json::find(q, "locationId") ? gid_id(json::text(*json::find(q, "locationId")), "Location") : std::nullopt;
    const json::Value* qv = json::find(q, "quantity");
    const Variant* v = item ? variant_by_item(*item) : nullptr;
    if (!v) {
      errors.push_back(
          {"INVALID_INVENTORY_ITEM", at("inventoryItemId"), "The specified inventory item could not be found."});
      continue;
    }
    if (!loc || !locations.count(*loc)) {
      errors.push_back({"INVALID_LOCATION", at("locationId"), "The specified location could not be found."});
      continue;
    }
    auto level = levels.find({*item, *loc});
    if (level == levels.end()) {
      errors.push_back({"ITEM_NOT_STOCKED_AT_LOCATION", at("locationId"),
                        "The specified inventory item is not stocked at the location."});
      continue;
    }
    if (!qv || !qv->IsInt64()) {
      errors.push_back({"INVALID_QUANTITY_NEGATIVE", at("quantity"), "The quantity must be an integer."});
      continue;
    }
    if (qv->GetInt64() < 0) {
      errors.push_back({"INVALID_QUANTITY_NEGATIVE", at("quantity"), "The quantity can't be negative."});
      continue;
    }
    if (qv->GetInt64() > 1'000'000'000) {
      errors.push_back(
          {"INVALID_QUANTITY_TOO_HIGH", at("quantity"), "The total quantity can't be higher than 1,000,000,000."});
      continue;
    }
    if (!seen.insert({*item, *loc}).second) {
      errors.push_back({"NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR", at("inventoryItemId"),
                        "The combination of inventoryItemId and locationId must be unique."});
      continue;
    }
    if (take_user_error("inventorySetQuantities", v->sku)) {
      errors.push_back({"NON_MUTABLE_INVENTORY_ITEM", at("inventoryItemId"),
                        "The specified inventory item is not allowed to be adjusted via API (injected fault)."});
      continue;
    }
    if (change_from) {
      const json::Value* from = json::find(q, "changeFromQuantity");
      if (from && !from->IsNull() && (!from->IsInt64() || from->GetInt64() != level->second)) {
        errors.push_back({"CHANGE_FROM_QUANTITY_STALE", at("changeFromQuantity"),
                          "The changeFromQuantity value does not match persisted value."});
        continue;
      }
    } else if (!ignore_compare) {
      const json::Value* compare = json::find(q, "compareQuantity");
      if (!compare || compare->IsNull()) {
        errors.push_back({"COMPARE_QUANTITY_REQUIRED", at("compareQuantity"),
                          "The compareQuantity argument must be given to each quantity or ignored using "
                          "ignoreCompareQuantity."});
        continue;
      }
      if (!compare->IsInt64() || compare->GetInt64() != level->second) {
        errors.push_back({"COMPARE_QUANTITY_STALE", at("compareQuantity"),
                          "The compareQuantity value does not match persisted value."});
        continue;
      }
    }
    changes.emplace_back(*item, *loc, qv->GetInt64());
  }
  json::Writer w;
  w.begin_object().key("inventorySetQuantities").begin_object().key("inventoryAdjustmentGroup");
  if (errors.empty()) {  // all or nothing: one adjustment group, or no change at all
    for (const auto& [item, loc, qty] : changes) {
      levels[{item, loc}] = qty;
      ++stats.quantities_set;
    }
    w.begin_object().member("id", gid("InventoryAdjustmentGroup", next_id++)).end_object();
  } else {
    w.null();
  }
  write_user_errors(w, errors, true);
  w.end_object().end_object();
  std::string data(w.unchecked_view());
  if (key) idempotent[*key] = {fingerprint, data};
  return Served{std::move(data), 10};
}

std::variant<Served, TopError> ShopifyEmulator::State::bulk_update(std::string_view doc, const json::Value& vars) {
  const bool partial = doc.find("allowPartialUpdates: true") != std::string_view::npos;
  const json::Value* product = json::find(vars, "productId");
  const json::Value* list = json::find(vars, "variants");
  if (!product || !list || !list->IsArray())
    return TopError{"Variables $productId and $variants are required", "INVALID_VARIABLE"};
  if (list->Size() > 250)
    return TopError{"The input array size is greater than the maximum allowed of 250.", "MAX_INPUT_SIZE_EXCEEDED"};
  const auto pid = gid_id(json::text(*product), "Product");
  std::vector<UserError> errors;
  std::vector<std::pair<Variant*, std::string>> valid;
  if (!pid || !products.count(*pid)) {
    errors.push_back({"PRODUCT_DOES_NOT_EXIST", {"productId"}, "Product does not exist"});
  } else {
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      const json::Value& in = (*list)[i];
      const json::Value* id = json::find(in, "id");
      const auto vid = id ? gid_id(json::text(*id), "ProductVariant") : std::nullopt;
      Variant* v = vid ? variant_by_id(*vid) : nullptr;
      if (!v || v->product != *pid) {
        errors.push_back({"PRODUCT_VARIANT_DOES_NOT_EXIST",
                          {"variants", std::to_string(i), "id"},
                          "Product variant does not exist"});
        continue;
      }
      const json::Value* price = json::find(in, "price");
      if (price && !valid_price(json::text(*price))) {
        errors.push_back({"INVALID_INPUT", {"variants", std::to_string(i), "price"}, "Price is invalid"});
        continue;
      }
      if (take_user_error("productVariantsBulkUpdate", v->sku)) {
        errors.push_back(
            {"INVALID_INPUT", {"variants", std::to_string(i), "price"}, "Price is invalid (injected fault)"});
        continue;
      }
      valid.emplace_back(v, price ? std::string(json::text(*price)) : v->price);
    }
  }
  json::Writer w;
  w.begin_object().key("productVariantsBulkUpdate").begin_object().key("productVariants");
  if (errors.empty() || partial) {
    w.begin_array();
    for (auto& [v, price] : valid) {
      v->price = price;
      w.begin_object().member("id", gid("ProductVariant", v->id)).member("price", v->price).end_object();
    }
    w.end_array();
  } else {
    w.null();
  }
  write_user_errors(w, errors, true);
  w.end_object().end_object();
  return Served{std::string(w.unchecked_view()), 10};
}

std::variant<Served, TopError> ShopifyEmulator::State::order_query(std::string_view doc, const json::Value& vars) {
  const json::Value* id = json::find(vars, "id");
  const auto oid = id ? gid_id(json::text(*id), "Order") : std::nullopt;
  auto it = oid ? orders.find(*oid) : orders.end();
  json::Writer w;
  w.begin_object().key("order");
  if (it == orders.end()) {
    w.null().end_object();
    return Served{std::string(w.unchecked_view()), 1};
  }
  const Order& order = it->second;
  double actual = 1 + 2;
  const auto max_f = static_cast<std::size_t>(first_of(doc, "fulfillments"));
  const auto max_fo = static_cast<std::size_t>(first_of(doc, "fulfillmentOrders"));
  const auto max_lines = static_cast<std::size_t>(first_of(doc, "lineItems"));
  w.begin_object().member("id", gid("Order", order.id)).key("fulfillments").begin_array();
  for (std::size_t i = 0; i < order.fulfillments.size() && i < max_f; ++i) {
    const auto& f = order.fulfillments[i];
    actual += 1 + (f.number.empty() ? 0 : 1);
    w.begin_object().member("status", "SUCCESS").key("trackingInfo").begin_array();
    if (!f.number.empty()) w.begin_object().member("number", f.number).end_object();
    w.end_array().end_object();
  }
  w.end_array().key("fulfillmentOrders").begin_object().key("nodes").begin_array();
  for (std::size_t i = 0; i < order.fos.size() && i < max_fo; ++i) {
    const auto& fo = order.fos[i];
    actual += 3;
    w.begin_object().member("id", gid("FulfillmentOrder", fo.id)).member("status", fo.status);
    w.key("lineItems").begin_object().key("nodes").begin_array();
    for (std::size_t k = 0; k < fo.lines.size() && k < max_lines; ++k) {
      actual += 1;
      w.begin_object().member("id", gid("FulfillmentOrderLineItem", fo.lines[k].id)).member("sku", fo.lines[k].sku);
      w.member("remainingQuantity", fo.lines[k].remaining).end_object();
    }
    w.end_array().end_object().end_object();
  }
  w.end_array().end_object().end_object().end_object();
  return Served{std::string(w.unchecked_view()), actual};
}

std::variant<Served, TopError> ShopifyEmulator::State::fulfillment_create(const json::Value& vars) {
  const json::Value* input = json::find(vars, "fulfillment");
  const json::Value* groups = input ? json::find(*input, "lineItemsByFulfillmentOrder") : nullptr;
  if (!groups || !groups->IsArray() || groups->Empty())
    return TopError{"Variable $fulfillment of type FulfillmentInput! was provided invalid value", "INVALID_VARIABLE"};
  std::vector<UserError> errors;
  Order* order = nullptr;
  std::vector<std::pair<FoLine*, std::int64_t>> take;
  std::set<FulfillmentOrder*> touched;
  for (rapidjson::SizeType g = 0; g < groups->Size(); ++g) {
    const json::Value& group = (*groups)[g];
    const std::vector<std::string> at = {"fulfillment", "lineItemsByFulfillmentOrder", std::to_string(g),
                                         "fulfillmentOrderId"};
    const json::Value* foid = json::find(group, "fulfillmentOrderId");
    const auto id = foid ? gid_id(json::text(*foid), "FulfillmentOrder") : std::nullopt;
    FulfillmentOrder* fo = nullptr;
    Order* owner = nullptr;
    for (auto& entry : orders)
      for (auto& candidate : entry.second.fos)
        if (id && candidate.id == *id) {
          fo = &candidate;
          owner = &entry.second;
        }
    if (!fo) {
      errors.push_back({"", at, "Fulfillment order does not exist."});
      continue;
    }
    if (order && owner != order) {
      errors.push_back({"", at, "All fulfillment orders must belong to the same order."});
      continue;
    }
    order = owner;
    if (fo->status != "OPEN" && fo->status != "IN_PROGRESS") {
      errors.push_back(
          {"", at, fmt::format("Fulfillment order {} has an unfulfillable status= {}.", fo->id, fo->status)});
      continue;
    }
    touched.insert(fo);
    const json::Value* items = json::find(group, "fulfillmentOrderLineItems");
    if (!items || !items->IsArray() || items->Empty()) {
      for (auto& line : fo->lines)
        if (line.remaining > 0) take.emplace_back(&line, line.remaining);
      continue;
    }
    for (const auto& item : items->GetArray()) {
      const json::Value* lid = json::find(item, "id");
      const json::Value* qty = json::find(item, "quantity");
      const auto line_id = lid ? gid_id(json::text(*lid), "FulfillmentOrderLineItem") : std::nullopt;
      FoLine* line = nullptr;
      for (auto& l : fo->lines)
        if (line_id && l.id == *line_id) line = &l;
      if (!line || !qty || !qty->IsInt64() || qty->GetInt64() <= 0 || qty->GetInt64() > line->remaining) {
        errors.push_back({"",
                          {"fulfillment", "lineItemsByFulfillmentOrder", std::to_string(g)},
                          "Invalid fulfillment order line item quantity requested."});
        continue;
      }
      take.emplace_back(line, qty->GetInt64());
    }
  }
  for (const auto& [line, qty] : take)
    if (take_user_error("fulfillmentCreate", line->sku))
      errors.push_back(
          {"", {"fulfillment"}, fmt::format("Line item {} can't be fulfilled (injected fault).", line->sku)});
  json::Writer w;
  w.begin_object().key("fulfillmentCreate").begin_object().key("fulfillment");
  if (errors.empty() && order && !take.empty()) {
    ShopifyEmulator::FulfillmentRecord rec;
    rec.id = next_id++;
    if (const json::Value* t = json::find(*input, "trackingInfo"); t && t->IsObject()) {
      if (auto* c = json::find(*t, "company")) rec.company = json::text(*c);
      if (auto* n = json::find(*t, "number")) rec.number = json::text(*n);
      if (auto* u = json::find(*t, "url")) rec.url = json::text(*u);
    }
    const json::Value* notify = json::find(*input, "notifyCustomer");
    rec.notify_customer = notify && notify->IsBool() && notify->GetBool();
    for (auto& [line, qty] : take) {
      line->remaining -= qty;
      rec.lines.emplace_back(line->sku, qty);
    }
    for (auto* fo : touched) {
      const bool all =
          std::all_of(fo->lines.begin(), fo->lines.end(), [](const FoLine& l) { return l.remaining == 0; });
      fo->status = all ? "CLOSED" : "IN_PROGRESS";
    }
    order->fulfillments.push_back(rec);
    w.begin_object().member("id", gid("Fulfillment", rec.id)).member("status", "SUCCESS").end_object();
  } else {
    if (errors.empty()) errors.push_back({"", {"fulfillment"}, "Nothing to fulfil."});
    w.null();
  }
  write_user_errors(w, errors, false);
  w.end_object().end_object();
  return Served{std::string(w.unchecked_view()), 10};
}

ShopifyEmulator::ShopifyEmulator(std::shared_ptr<State> state) : state_(std::move(state)) {}
ShopifyEmulator::~ShopifyEmulator() { stop(); }

result<std::unique_ptr<ShopifyEmulator>> ShopifyEmulator::start(Options options) {
  auto state = std::make_shared<State>();
  state->o = std::move(options);
  state->clock = state->o.clock ? state->o.clock : &Clock::system();
  state->token = state->o.access_token;
  state->bucket = state->o.maximum_available;
  state->bucket_at = state->clock->now();
  State* raw = state.get();
  auto server = ChannelServer::start([raw](const FakeRequest& r) { return raw->handle(r); }, state->o.port);
  if (!server) return std::move(server).error();
  state->server = std::move(server).value();
  return std::unique_ptr<ShopifyEmulator>(new ShopifyEmulator(std::move(state)));
}

std::string ShopifyEmulator::url() const { return state_->server->url(); }
void ShopifyEmulator::stop() {
  if (state_ && state_->server) state_->server->stop();
}

std::int64_t ShopifyEmulator::add_location(std::string name) {
  std::lock_guard lock(state_->mu);
  const std::int64_t id = state_->next_id++;
  state_->locations[id] = std::move(name);
  return id;
}

ShopifyEmulator::VariantIds ShopifyEmulator::add_variant(std::string sku, std::string price, std::string product_key) {
  std::lock_guard lock(state_->mu);
  VariantIds ids;
  if (!product_key.empty() && state_->product_keys.count(product_key)) {
    ids.product = state_->product_keys[product_key];
  } else {
    ids.product = state_->next_id++;
    state_->products.insert(ids.product);
    if (!product_key.empty()) state_->product_keys[product_key] = ids.product;
  }
  ids.variant = state_->next_id++;
  ids.inventory_item = state_->next_id++;
  state_->variants.push_back(Variant{ids.variant, ids.product, ids.inventory_item, std::move(sku), std::move(price)});
  return ids;
}

bool ShopifyEmulator::set_available(const std::string& sku, std::int64_t location, std::int64_t available) {
  std::lock_guard lock(state_->mu);
  bool any = false;
  for (const auto& v : state_->variants)
    if (v.sku == sku) {
      state_->levels[{v.item, location}] = available;
      any = true;
    }
  return any;
}

std::int64_t ShopifyEmulator::add_order(const std::vector<std::pair<std::string, std::int64_t>>& lines) {
  std::lock_guard lock(state_->mu);
  Order order;
  order.id = state_->next_id++;
  FulfillmentOrder fo;
  fo.id = state_->next_id++;
  for (const auto& [sku, qty] : lines) fo.lines.push_back(FoLine{state_->next_id++, sku, qty});
  order.fos.push_back(std::move(fo));
  const std::int64_t id = order.id;
  state_->orders[id] = std::move(order);
  return id;
}

bool ShopifyEmulator::sell(const std::string& sku, std::int64_t location, std::int64_t n) {
  std::lock_guard lock(state_->mu);
  for (const auto& v : state_->variants) {
    if (v.sku != sku) continue;
    auto it = state_->levels.find({v.item, location});
    if (it == state_->levels.end()) return false;
    it->second -= n;
    return true;
  }
  return false;
}

std::optional<std::int64_t> ShopifyEmulator::available(const std::string& sku, std::int64_t location) const {
  std::lock_guard lock(state_->mu);
  for (const auto& v : state_->variants) {
    if (v.sku != sku) continue;
    auto it = state_->levels.find({v.item, location});
    if (it != state_->levels.end()) return it->second;
  }
  return std::nullopt;
}

std::optional<std::string> ShopifyEmulator::price(const std::string& sku) const {
  std::lock_guard lock(state_->mu);
  for (const auto& v : state_->variants)
    if (v.sku == sku) return v.price;
  return std::nullopt;
}

std::vector<ShopifyEmulator::FulfillmentRecord> ShopifyEmulator::fulfillments(std::int64_t order) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->orders.find(order);
  if (it == state_->orders.end()) return {};
  return it->second.fulfillments;
}

void ShopifyEmulator::set_access_token(std::string token) {
  std::lock_guard lock(state_->mu);
  state_->token = std::move(token);
}

void ShopifyEmulator::inject(Fault fault) {
  std::lock_guard lock(state_->mu);
  if (fault.times <= 0) return;
  state_->stats.faults_injected += static_cast<std::uint64_t>(fault.times);
  const int times = fault.times;
  state_->faults.push_back(PendingFault{std::move(fault), times});
}

ShopifyEmulator::Stats ShopifyEmulator::stats() const {
  std::lock_guard lock(state_->mu);
  return state_->stats;
}

}  // namespace channel_emulator
}  // namespace v0
}  // namespace odoosync
