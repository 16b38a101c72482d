// The Amazon SP-API emulator (emulator/amazon.hpp): LWA tokens, Listings Items v2021-08-01 get/patch,
// Orders v0 getOrderItems/confirmShipment, with Amazon's error shapes, usage plans and injected faults.
#include <odoosync/emulator/amazon.hpp>

#include <odoosync/core/json.hpp>
#include <odoosync/emulator/channel_server.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

namespace odoosync {
inline namespace v0 {
namespace channel_emulator {

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A path segment as sent (no '+' for space there).
std::string decode_segment(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && hex_digit(in[i + 1]) >= 0 && hex_digit(in[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(in[i + 1]) * 16 + hex_digit(in[i + 2]));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto at = s.find(sep, start);
    out.emplace_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

std::string error_list(std::string_view code, std::string_view message, std::string_view details = {}) {
  json::Writer w;
  w.begin_object().key("errors").begin_array().begin_object();
  w.member("code", code).member("message", message).member("details", details);
  w.end_object().end_array().end_object();
  return std::string(w.unchecked_view());
}

bool positive_number_text(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  bool nonzero = false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    nonzero = nonzero || c != '0';
  }
  return nonzero;
}

struct Bucket {
  UsagePlan plan;
  double tokens = 0;
  Clock::time_point last{};
};

}  // namespace

std::string AmazonEmulator::Order::status() const {
  if (canceled) return "Canceled";
  std::int64_t ordered = 0, shipped = 0;
  for (const auto& i : items) {
    ordered += i.ordered;
    shipped += std::min(i.shipped, i.ordered);
  }
  if (shipped == 0) return "Unshipped";
  return shipped >= ordered ? "Shipped" : "PartiallyShipped";
}

struct AmazonEmulator::State {
  Options opt;
  Clock* clock = nullptr;
  mutable std::mutex mu;
  std::map<std::string, Listing, std::less<>> listings;
  std::map<std::string, Order, std::less<>> orders;
  std::map<std::string, Clock::time_point, std::less<>> tokens;  // access token -> expiry
  std::map<std::string, Bucket, std::less<>> buckets;
  std::vector<Fault> faults;
  std::map<std::string, std::pair<int, std::string>, std::less<>> invalid;
  struct Document {
    std::string content;
    bool uploaded = false;
  };
  std::map<std::string, Document, std::less<>> documents;  // feed documents by feedDocumentId
  struct Feed {
    std::string input_document, result_document, status = "IN_QUEUE";
    Clock::time_point created;
  };
  std::map<std::string, Feed, std::less<>> feeds;
  Counts counts;
  std::uint64_t seq = 0;
  std::unique_ptr<ChannelServer> server;

  std::string request_id() {
    ++seq;
    return fmt::format("emu-{:08x}-{:04x}", seq, seq % 65536);
  }

  FakeResponse answer(int status, std::string body, const std::string& op, bool rate_header = true) {
    Headers h{{"x-amzn-RequestId", request_id()}};
    if (rate_header && status != 403) {
      auto it = buckets.find(op);
      if (it != buckets.end()) h.emplace_back("x-amzn-RateLimit-Limit", fmt::format("{}", it->second.plan.rate));
    }
    if (status == 204) {
      FakeResponse r;
      r.status = 204;
      r.headers = std::move(h);
      return r;
    }
    return json_response(status, std::move(body), std::move(h));
  }

  // The first pending fault for `op`, consumed.
  std::optional<FakeResponse> fault(const std::string& op) {
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (!it->operation.empty() && it->operation != op) continue;
      Fault f = *it;
      if (--it->times <= 0) faults.erase(it);
      ++counts.faults_consumed;
      FakeResponse r;
      if (f.kind == Fault::Kind::reset) {
        r.action = FakeResponse::Action::reset;
        return r;
      }
      if (f.status == 429) {
        r = answer(429, error_list("QuotaExceeded", "You exceeded your quota for the requested resource."), op);
      } else if (op == "token") {
        r = json_response(f.status, R"({"error_description":"Service unavailable","error":"server_error"})");
      } else {
        r = answer(f.status, error_list("InternalFailure", "We encountered an internal error. Please try again."), op,
                   false);
      }
      if (f.retry_after) r.headers.emplace_back("Retry-After", std::to_string(f.retry_after->count()));
      return r;
    }
    return std::nullopt;
  }

  bool take(const std::string& op) {
    if (!opt.enforce_rate_limits) return true;
    auto& b = buckets[op];
    const auto now = clock->now();
    const double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(b.plan.burst, b.tokens + std::max(0.0, elapsed) * b.plan.rate);
    b.last = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    return false;
  }

  FakeResponse token(const FakeRequest& req) {
    ++counts.token_requests;
    if (auto f = fault("token")) return *f;
    FakeRequest form;
    form.query = req.body;
    if (req.method != "POST" || form.query_param("grant_type") != "refresh_token") {
      ++counts.token_refusals;
      return json_response(
          400, R"({"error_description":"The request has an invalid grant_type","error":"unsupported_grant_type"})");
    }
    if (form.query_param("client_id") != opt.client_id || form.query_param("client_secret") != opt.client_secret) {
      ++counts.token_refusals;
      return json_response(401, R"({"error_description":"Client authentication failed","error":"invalid_client"})");
    }
    if (form.query_param("refresh_token") != opt.refresh_token) {
      ++counts.token_refusals;
      return json_response(
          400,
          R"({"error_description":"The request has an invalid grant parameter : refresh_token","error":"invalid_grant"})");
    }
    const std::string access =
        fmt::format("Atza|emulator-{}-{:016x}", ++counts.tokens_issued,
                    static_cast<std::uint64_t>(clock->now().time_since_epoch().count()) * 2654435761u);
    tokens[access] = clock->now() + opt.token_lifetime;
    json::Writer w;
    w.begin_object().member("access_token", access).member("refresh_token", opt.refresh_token);
    w.member("token_type", "bearer").member("expires_in", static_cast<std::int64_t>(opt.token_lifetime.count()));
    w.end_object();
    return json_response(200, std::string(w.unchecked_view()));
  }

  // Amazon's 403 for the access token: missing, unknown or expired.
  std::optional<FakeResponse> check_token(const FakeRequest& req, const std::string& op) {
    const std::string t = req.header("x-amz-access-token");
    std::string details;
    if (t.empty()) {
      details = "";
    } else if (auto it = tokens.find(t); it == tokens.end()) {
      details = "The access token you provided is revoked, malformed or invalid.";
    } else if (clock->now() >= it->second) {
      details = "The access token you provided has expired.";
    } else {
      return std::nullopt;
    }
    ++counts.auth_refusals;
    return answer(403, error_list("Unauthorized", "Access to requested resource is denied.", details), op, false);
  }

  FakeResponse listing_json(const Listing& l, const std::string& included) {
    const auto sets = split(included.empty() ? std::string("summaries") : included, ',');
    auto has = [&](std::string_view s) { return std::find(sets.begin(), sets.end(), s) != sets.end(); };
    json::Writer w;
    w.begin_object().member("sku", l.sku);
    if (has("summaries")) {
      w.key("summaries").begin_array().begin_object().member("marketplaceId", opt.marketplace_id);
      w.member("asin", l.asin.empty() ? "B0EMU" + std::to_string(l.sku.size()) : l.asin);
      w.member("productType", l.product_type).member("conditionType", "new_new");
      w.key("status").begin_array().string("BUYABLE").string("DISCOVERABLE").end_array();
      w.member("itemName", l.sku).member("createdDate", "2024-01-01T00:00:00Z");
      w.member("lastUpdatedDate", "2024-01-01T00:00:00Z").end_object().end_array();
    }
    if (has("fulfillmentAvailability")) {
      w.key("fulfillmentAvailability").begin_array().begin_object();
      w.member("fulfillmentChannelCode", l.fulfillment_channel_code).member("quantity", l.quantity);
      w.end_object().end_array();
    }
    if (has("offers") && !l.price.empty()) {
      w.key("offers").begin_array().begin_object().member("marketplaceId", opt.marketplace_id);
      w.member("offerType", "B2C").key("price").begin_object().member("currencyCode", l.currency);
      w.member("amount", l.price).end_object().end_object().end_array();
    }
    w.end_object();
    return answer(200, std::string(w.unchecked_view()), "getListingsItem");
  }

  FakeResponse submission(const std::string& sku, bool accepted, const std::string& issue_code = {},
                          const std::string& issue_message = {}, const std::string& attribute = {}) {
    json::Writer w;
    w.begin_object().member("sku", sku).member("status", accepted ? "ACCEPTED" : "INVALID");
    w.member("submissionId", fmt::format("{:032x}", ++seq)).key("issues").begin_array();
    if (!accepted) {
      w.begin_object().member("code", issue_code).member("message", issue_message).member("severity", "ERROR");
      w.key("attributeNames").begin_array();
      if (!attribute.empty()) w.string(attribute);
      w.end_array().key("categories").begin_array().string("INVALID_ATTRIBUTE").end_array().end_object();
    }
    w.end_array().end_object();
    return answer(200, std::string(w.unchecked_view()), "patchListingsItem");
  }

  // What Amazon does with one submission (a PATCH request or a feed message) for a SKU: all its patches
  // apply, or none.
  struct Verdict {
    bool accepted = true;
    bool malformed = false;
    std::string code{}, message{}, attribute{};
    static Verdict invalid(std::string code, std::string message, std::string attribute) {
      return Verdict{false, false, std::move(code), std::move(message), std::move(attribute)};
    }
    static Verdict bad_request() { return Verdict{false, true, {}, {}, {}}; }
  };

  Verdict apply_patch(const std::string& sku, std::string_view product_type, const json::Value* patches,
                      const json::Value* raw_patches) {
    if (auto it = invalid.find(sku); it != invalid.end()) {
      const std::string message = it->second.second;
      if (--it->second.first <= 0) invalid.erase(it);
      return Verdict::invalid("4000001", message, "fulfillment_availability");
    }
    auto found = listings.find(sku);
    if (found == listings.end()) {
      // Amazon accepts a patch for a SKU it has no item for and keeps the offer data alone
      // (github.com/amzn/selling-partner-api-docs/issues/3748): counted, state unchanged.
      ++counts.orphan_patches;
      return Verdict{};
    }
    Listing next = found->second;
    if (product_type != next.product_type)
      return Verdict::invalid("4000001", "The provided value for 'productType' is invalid.", "productType");

    for (rapidjson::SizeType i = 0; i < patches->Size(); ++i) {
      const auto& p = (*patches)[i];
      const auto& rp = (*raw_patches)[i];
      const auto* o = json::find(p, "op");
      const auto* path = json::find(p, "path");
      const auto* value = json::find(p, "value");
      const auto* raw_value = json::find(rp, "value");
      const std::string_view verb = o ? json::text(*o) : std::string_view();
      if (verb != "replace" && verb != "add" && verb != "merge" && verb != "delete") return Verdict::bad_request();
      const std::string_view target = path ? json::text(*path) : std::string_view();
      if (target == "/attributes/fulfillment_availability") {
        if (verb == "delete") {
          next.quantity = 0;
          continue;
        }
        const json::Value* entry = value && value->IsArray() && value->Size() == 1 ? &(*value)[0] : nullptr;
        const auto* code = entry ? json::find(*entry, "fulfillment_channel_code") : nullptr;
        const auto* qty = entry ? json::find(*entry, "quantity") : nullptr;
        if (!code || json::text(*code).empty())
          return Verdict::invalid(
              "99022",
              "The field 'fulfillment_channel_code' for the attribute 'fulfillment_availability' does "
              "not have enough values. The required minimum is '1' value(s).",
              "fulfillment_availability");
        if (!qty || !qty->IsInt64() || qty->GetInt64() < 0)
          return Verdict::invalid("4000001", "The provided value for 'Quantity' is invalid.",
                                  "fulfillment_availability");
        next.fulfillment_channel_code = std::string(json::text(*code));
        next.quantity = qty->GetInt64();
      } else if (target == "/attributes/purchasable_offer") {
        if (verb == "delete") {
          next.price.clear();
          continue;
        }
        const json::Value* entry = value && value->IsArray() && value->Size() == 1 ? &(*value)[0] : nullptr;
        const json::Value* raw_entry =
            raw_value && raw_value->IsArray() && raw_value->Size() == 1 ? &(*raw_value)[0] : nullptr;
        const auto* currency = entry ? json::find(*entry, "currency") : nullptr;
        const auto* market = entry ? json::find(*entry, "marketplace_id") : nullptr;
        const json::Value* price = nullptr;
        const json::Value* price_text = nullptr;
        auto first = [](const json::Value* v, std::string_view key) -> const json::Value* {
          const auto* a = v ? json::find(*v, key) : nullptr;
          return a && a->IsArray() && !a->Empty() ? &(*a)[0] : nullptr;
        };
        if (const auto* schedule = first(first(entry, "our_price"), "schedule"))
          price = json::find(*schedule, "value_with_tax");
        if (const auto* schedule = first(first(raw_entry, "our_price"), "schedule"))
          price_text = json::find(*schedule, "value_with_tax");
        if (!currency || json::text(*currency) != opt.currency)
          return Verdict::invalid("4000001", "The provided value for 'Currency' is invalid.", "purchasable_offer");
        if (market && json::text(*market) != opt.marketplace_id)
          return Verdict::invalid("4000001", "The provided value for 'Marketplace' is invalid.", "purchasable_offer");
        if (!price || !price->IsNumber() || price->GetDouble() <= 0 || !price_text || !price_text->IsString())
          return Verdict::invalid("4000001", "The provided value for 'Your Price' is invalid.", "purchasable_offer");
        next.price = std::string(json::text(*price_text));
        next.currency = opt.currency;
      }
      // Other attributes are accepted and not kept: the emulator models stock and price only.
    }
    ++next.patches;
    found->second = std::move(next);
    return Verdict{};
  }

  FakeResponse patch(const FakeRequest& req, const std::string& sku) {
    const std::string op = "patchListingsItem";
    auto typed = json::parse(req.body);
    rapidjson::Document raw;  // numbers as their text, for exact prices (parsed once json::parse took it)
    if (typed) raw.Parse<rapidjson::kParseNumbersAsStringsFlag>(req.body.data(), req.body.size());
    const auto* pt = typed ? json::find(typed.value(), "productType") : nullptr;
    const auto* patches = typed ? json::find(typed.value(), "patches") : nullptr;
    const auto* raw_patches = !typed || raw.HasParseError() ? nullptr : json::find(raw, "patches");
    if (!pt || !pt->IsString() || !patches || !patches->IsArray() || patches->Empty() || !raw_patches ||
        !raw_patches->IsArray())
      return answer(400, error_list("InvalidInput", "Request has missing or invalid parameters and cannot be parsed."),
                    op);
    const Verdict v = apply_patch(sku, json::text(*pt), patches, raw_patches);
    if (v.malformed)
      return answer(400, error_list("InvalidInput", "Request has missing or invalid parameters and cannot be parsed."),
                    op);
    return submission(sku, v.accepted, v.code, v.message, v.attribute);
  }

  FakeResponse listings_route(const FakeRequest& req, const std::vector<std::string>& parts) {
    // parts: "", "listings", "2021-08-01", "items", sellerId, sku
    const std::string op = req.method == "GET" ? "getListingsItem" : "patchListingsItem";
    if (parts.size() != 6 || (req.method != "GET" && req.method != "PATCH"))
      return answer(404, error_list("NotFound", "Resource not found"), op, false);
    if (auto denied = check_token(req, op)) return *denied;
    if (auto f = fault(op)) return *f;
    if (!take(op)) {
      ++counts.throttled;
      return answer(429, error_list("QuotaExceeded", "You exceeded your quota for the requested resource."), op);
    }
    ++counts.by_operation[op];
    if (decode_segment(parts[4]) != opt.seller_id)
      return answer(403, error_list("Unauthorized", "Access to requested resource is denied.", ""), op, false);
    const auto markets = split(req.query_param("marketplaceIds"), ',');
    if (std::find(markets.begin(), markets.end(), opt.marketplace_id) == markets.end())
      return answer(400,
                    error_list("InvalidInput", "Request has missing or invalid parameters and cannot be parsed.",
                               "marketplaceIds"),
                    op);
    const std::string sku = decode_segment(parts[5]);
    if (req.method == "PATCH") return patch(req, sku);
    auto it = listings.find(sku);
    if (it == listings.end())
      return answer(404, error_list("NOT_FOUND", "SKU '" + sku + "' not found in marketplace " + opt.marketplace_id),
                    op);
    return listing_json(it->second, req.query_param("includedData"));
  }

  FakeResponse order_items(const Order& o) {
    json::Writer w;
    w.begin_object().key("payload").begin_object().member("AmazonOrderId", o.order_id).key("OrderItems").begin_array();
    for (const auto& i : o.items) {
      w.begin_object().member("ASIN", "B0EMU" + i.order_item_id.substr(0, 5)).member("SellerSKU", i.sku);
      w.member("OrderItemId", i.order_item_id).member("Title", i.sku).member("QuantityOrdered", i.ordered);
      w.member("QuantityShipped", i.shipped).end_object();
    }
    w.end_array().end_object().end_object();
    return answer(200, std::string(w.unchecked_view()), "getOrderItems");
  }

  FakeResponse confirm(const FakeRequest& req, Order& o) {
    const std::string op = "confirmShipment";
    auto invalid_input = [&](std::string message) { return answer(400, error_list("InvalidInput", message), op); };
    auto doc = json::parse(req.body);
    if (!doc) return invalid_input("Request has missing or invalid parameters and cannot be parsed.");
    const auto* market = json::find(doc.value(), "marketplaceId");
    const auto* pd = json::find(doc.value(), "packageDetail");
    if (!market || json::text(*market) != opt.marketplace_id) return invalid_input("Invalid marketplaceId.");
    if (!pd || !pd->IsObject()) return invalid_input("packageDetail is required.");
    auto field = [&](std::string_view k) -> std::string {
      const auto* v = json::find(*pd, k);
      return v ? std::string(json::text(*v)) : std::string();
    };
    const auto* ref = json::find(*pd, "packageReferenceId");
    if (!ref || !ref->IsString() || !positive_number_text(json::text(*ref)))
      return invalid_input("PackageReferenceId: is invalid, must be a positive numeric value.");
    Package pkg{field("packageReferenceId"), field("carrierCode"), field("carrierName"),
                field("trackingNumber"),     field("shipDate"),    {}};
    if (pkg.carrier_code.empty()) return invalid_input("CarrierCode is required.");
    if (pkg.carrier_code == "Other" && pkg.carrier_name.empty())
      return invalid_input("CarrierName is required when CarrierCode is Other.");
    if (pkg.tracking_number.empty()) return invalid_input("TrackingNumber is required.");
    if (pkg.ship_date.empty()) return invalid_input("ShipDate is required.");
    const auto* items = json::find(*pd, "orderItems");
    if (!items || !items->IsArray() || items->Empty()) return invalid_input("OrderItems is required.");
    for (const auto& it : items->GetArray()) {
      const auto* id = json::find(it, "orderItemId");
      const auto* qty = json::find(it, "quantity");
      const std::string item_id = id ? std::string(json::text(*id)) : std::string();
      const bool known =
          std::any_of(o.items.begin(), o.items.end(), [&](const OrderItem& i) { return i.order_item_id == item_id; });
      if (!known)
        return invalid_input(
            "OrderItemId " + item_id +
            " is invalid, please obtain the value through the getOrderItems API or Manage Orders page");
      if (!qty || !qty->IsInt64() || qty->GetInt64() < 1) return invalid_input("Quantity is invalid.");
      pkg.items.emplace_back(item_id, qty->GetInt64());
    }
    if (o.canceled) return invalid_input("The order " + o.order_id + " is canceled.");
    for (auto& existing : o.packages) {
      if (existing.package_reference_id == pkg.package_reference_id) {  // the same package again: an update
        existing.carrier_code = pkg.carrier_code;
        existing.carrier_name = pkg.carrier_name;
        existing.tracking_number = pkg.tracking_number;
        return answer(204, {}, op);
      }
    }
    if (o.status() == "Shipped")
      return invalid_input(
          "Failed to create package due to not finding a matching package or order already fulfilled.");
    for (const auto& [id, qty] : pkg.items) {
      for (const auto& i : o.items) {
        if (i.order_item_id == id && qty > i.ordered - i.shipped)
          return invalid_input("Quantity " + std::to_string(qty) + " for OrderItemId " + id +
                               " exceeds the unshipped quantity.");
      }
    }
    for (const auto& [id, qty] : pkg.items) {
      for (auto& i : o.items) {
        if (i.order_item_id == id) i.shipped += qty;
      }
    }
    o.packages.push_back(std::move(pkg));
    return answer(204, {}, op);
  }

  FakeResponse orders_route(const FakeRequest& req, const std::vector<std::string>& parts) {
    // parts: "", "orders", "v0", "orders", orderId, "orderItems" | "shipmentConfirmation"
    std::string op;
    if (parts.size() == 6 && parts[5] == "orderItems" && req.method == "GET") op = "getOrderItems";
    if (parts.size() == 6 && parts[5] == "shipmentConfirmation" && req.method == "POST") op = "confirmShipment";
    if (op.empty()) return answer(404, error_list("NotFound", "Resource not found"), op, false);
    if (auto denied = check_token(req, op)) return *denied;
    if (auto f = fault(op)) return *f;
    if (!take(op)) {
      ++counts.throttled;
      return answer(429, error_list("QuotaExceeded", "You exceeded your quota for the requested resource."), op);
    }
    ++counts.by_operation[op];
    const std::string id = decode_segment(parts[4]);
    auto it = orders.find(id);
    if (it == orders.end()) return answer(404, error_list("NotFound", "Invalid AmazonOrderId: " + id), op);
    if (op == "getOrderItems") return order_items(it->second);
    return confirm(req, it->second);
  }

  // --- Feeds API v2021-06-30, JSON_LISTINGS_FEED ---------------------------------------------------

  // Applies every message of the feed as a PATCH would (same checks, same state) and writes the
  // processing report (listings-feed-processing-report-schema-v2) as the result document.
  void process(const std::string& feed_id, Feed& f) {
    const std::string& content = documents[f.input_document].content;
    auto typed = json::parse(content);
    rapidjson::Document raw;
    if (typed) raw.Parse<rapidjson::kParseNumbersAsStringsFlag>(content.data(), content.size());
    const auto* header = typed ? json::find(typed.value(), "header") : nullptr;
    const auto* seller = header ? json::find(*header, "sellerId") : nullptr;
    const auto* messages = typed ? json::find(typed.value(), "messages") : nullptr;
    const auto* raw_messages = typed && !raw.HasParseError() ? json::find(raw, "messages") : nullptr;
    if (!seller || json::text(*seller) != opt.seller_id || !messages || !messages->IsArray() || !raw_messages ||
        !raw_messages->IsArray() || raw_messages->Size() != messages->Size()) {
      f.status = "FATAL";
      return;
    }
    json::Writer w;
    w.begin_object().key("header").begin_object().member("sellerId", opt.seller_id).member("version", "2.0");
    w.member("feedId", feed_id).end_object().key("issues").begin_array();
    std::int64_t accepted = 0, invalid_count = 0;
    for (rapidjson::SizeType i = 0; i < messages->Size(); ++i) {
      const auto& m = (*messages)[i];
      const auto* id = json::find(m, "messageId");
      const auto* sku = json::find(m, "sku");
      const auto* operation = json::find(m, "operationType");
      const auto* pt = json::find(m, "productType");
      const auto* patches = json::find(m, "patches");
      const auto* raw_patches = json::find((*raw_messages)[i], "patches");
      const std::int64_t message_id = id && id->IsInt64() ? id->GetInt64() : 0;
      const std::string sku_text = sku ? std::string(json::text(*sku)) : std::string();
      Verdict v;
      if (!operation || json::text(*operation) != "PATCH") {
        v = Verdict::invalid("4000004", "The emulator takes PATCH messages only.", "operationType");
      } else if (!pt || !pt->IsString() || !patches || !patches->IsArray() || patches->Empty() || !raw_patches ||
                 !raw_patches->IsArray()) {
        v = Verdict::invalid("4000003", "The message has no productType or patches.", "patches");
      } else {
        v = apply_patch(sku_text, json::text(*pt), patches, raw_patches);
        if (v.malformed) v = Verdict::invalid("4000003", "The patches cannot be parsed.", "patches");
      }
      ++counts.feed_messages;
      if (v.accepted) {
        ++accepted;
        continue;
      }
      ++invalid_count;
      w.begin_object().member("messageId", message_id).member("sku", sku_text).member("code", v.code);
      w.member("severity", "ERROR").member("message", v.message).member("attributeName", v.attribute).end_object();
    }
    w.end_array().key("summary").begin_object().member("errors", invalid_count).member("warnings", std::int64_t{0});
    w.member("messagesProcessed", accepted + invalid_count).member("messagesAccepted", accepted);
    w.member("messagesInvalid", invalid_count).end_object().end_object();
    f.result_document = fmt::format("amzn1.tortuga.4.eu.report{}", ++seq);
    documents[f.result_document] = Document{std::string(w.unchecked_view()), true};
    f.status = "DONE";
    ++counts.feeds_processed;
  }

  std::string document_url(const std::string& id) const { return server->url() + "/feed-documents/" + id; }

  FakeResponse feeds_route(const FakeRequest& req, const std::vector<std::string>& parts) {
    // parts: "", "feeds", "2021-06-30", "documents" | "feeds", [id]
    std::string op;
    if (parts.size() == 4 && parts[3] == "documents" && req.method == "POST") op = "createFeedDocument";
    if (parts.size() == 4 && parts[3] == "feeds" && req.method == "POST") op = "createFeed";
    if (parts.size() == 5 && parts[3] == "feeds" && req.method == "GET") op = "getFeed";
    if (parts.size() == 5 && parts[3] == "documents" && req.method == "GET") op = "getFeedDocument";
    if (op.empty()) return answer(404, error_list("NotFound", "Resource not found"), op, false);
    if (auto denied = check_token(req, op)) return *denied;
    if (auto f = fault(op)) return *f;
    if (!take(op)) {
      ++counts.throttled;
      return answer(429, error_list("QuotaExceeded", "You exceeded your quota for the requested resource."), op);
    }
    ++counts.by_operation[op];
    auto invalid_input = [&](std::string message) { return answer(400, error_list("InvalidInput", message), op); };
    auto body = req.method == "POST" ? json::parse(req.body) : result<json::Document>(json::Document());
    if (!body) return invalid_input("Request has missing or invalid parameters and cannot be parsed.");
    if (op == "createFeedDocument") {
      const auto* type = json::find(body.value(), "contentType");
      if (!type || json::text(*type).empty()) return invalid_input("contentType is required.");
      const std::string id = fmt::format("amzn1.tortuga.4.eu.input{}", ++seq);
      documents[id] = Document{};
      json::Writer w;
      w.begin_object().member("feedDocumentId", id).member("url", document_url(id)).end_object();
      return answer(201, std::string(w.unchecked_view()), op);
    }
    if (op == "createFeed") {
      const auto* type = json::find(body.value(), "feedType");
      const auto* input = json::find(body.value(), "inputFeedDocumentId");
      const auto* markets = json::find(body.value(), "marketplaceIds");
      if (!type || json::text(*type) != "JSON_LISTINGS_FEED")
        return invalid_input("The emulator takes feedType JSON_LISTINGS_FEED only.");
      bool ours = false;
      if (markets && markets->IsArray()) {
        for (const auto& m : markets->GetArray()) ours = ours || json::text(m) == opt.marketplace_id;
      }
      if (!ours) return invalid_input("Invalid marketplaceIds.");
      auto doc = input ? documents.find(json::text(*input)) : documents.end();
      if (doc == documents.end() || !doc->second.uploaded) return invalid_input("Invalid inputFeedDocumentId.");
      const std::string id = std::to_string(50000000000 + ++seq);
      feeds[id] = Feed{doc->first, {}, "IN_QUEUE", clock->now()};
      return answer(202, "{\"feedId\":\"" + id + "\"}", op);
    }
    const std::string id = decode_segment(parts[4]);
    if (op == "getFeedDocument") {
      auto doc = documents.find(id);
      if (doc == documents.end()) return answer(404, error_list("NotFound", "Invalid feedDocumentId: " + id), op);
      json::Writer w;
      w.begin_object().member("feedDocumentId", id).member("url", document_url(id)).end_object();
      return answer(200, std::string(w.unchecked_view()), op);
    }
    auto it = feeds.find(id);
    if (it == feeds.end()) return answer(404, error_list("NotFound", "Invalid feedId: " + id), op);
    Feed& f = it->second;
    if (f.status == "IN_QUEUE" || f.status == "IN_PROGRESS") {
      if (clock->now() >= f.created + opt.feed_processing_time) {
        process(id, f);
      } else {
        f.status = "IN_PROGRESS";
      }
    }
    json::Writer w;
    w.begin_object().member("feedId", id).member("feedType", "JSON_LISTINGS_FEED").key("marketplaceIds");
    w.begin_array().string(opt.marketplace_id).end_array().member("processingStatus", f.status);
    if (!f.result_document.empty()) w.member("resultFeedDocumentId", f.result_document);
    w.end_object();
    return answer(200, std::string(w.unchecked_view()), op);
  }

  // The pre-signed document URLs: storage, no access token (as Amazon's S3 URLs).
  FakeResponse storage_route(const FakeRequest& req, const std::vector<std::string>& parts) {
    auto it = parts.size() == 3 ? documents.find(decode_segment(parts[2])) : documents.end();
    if (it == documents.end()) return json_response(404, R"({"error":"NoSuchKey"})");
    if (req.method == "PUT") {
      it->second.content = req.body;
      it->second.uploaded = true;
      FakeResponse r;
      r.status = 200;
      return r;
    }
    if (req.method == "GET" && it->second.uploaded) return json_response(200, it->second.content);
    return json_response(404, R"({"error":"NoSuchKey"})");
  }

  FakeResponse handle(const FakeRequest& req) {
    std::lock_guard lock(mu);
    ++counts.requests;
    if (req.path == "/auth/o2/token") return token(req);
    const auto parts = split(req.path, '/');
    if (parts.size() >= 4 && parts[1] == "listings" && parts[2] == "2021-08-01" && parts[3] == "items")
      return listings_route(req, parts);
    if (parts.size() >= 4 && parts[1] == "orders" && parts[2] == "v0" && parts[3] == "orders")
      return orders_route(req, parts);
    if (parts.size() >= 4 && parts[1] == "feeds" && parts[2] == "2021-06-30") return feeds_route(req, parts);
    if (parts.size() >= 2 && parts[1] == "feed-documents") return storage_route(req, parts);
    return answer(404, error_list("NotFound", "Resource not found"), "", false);
  }
};

result<std::unique_ptr<AmazonEmulator>> AmazonEmulator::start(Options options) {
  auto state = std::make_unique<State>();
  state->opt = std::move(options);
  state->clock = state->opt.clock ? state->opt.clock : &Clock::system();
  const auto now = state->clock->now();
  auto plan = [&](const char* op, UsagePlan p) { state->buckets[op] = Bucket{p, p.burst, now}; };
  plan("patchListingsItem", state->opt.patch_listings);
  plan("getListingsItem", state->opt.get_listings);
  plan("getOrderItems", state->opt.get_order_items);
  plan("confirmShipment", state->opt.confirm_shipment);
  plan("createFeedDocument", state->opt.create_feed_document);
  plan("createFeed", state->opt.create_feed);
  plan("getFeed", state->opt.get_feed);
  plan("getFeedDocument", state->opt.get_feed_document);
  State* raw = state.get();
  auto server = ChannelServer::start([raw](const FakeRequest& r) { return raw->handle(r); }, state->opt.port);
  if (!server) return std::move(server).error().with_message_prefix("Amazon emulator: ");
  state->server = std::move(server).value();
  return std::unique_ptr<AmazonEmulator>(new AmazonEmulator(std::move(state)));
}

AmazonEmulator::AmazonEmulator(std::unique_ptr<State> state) : state_(std::move(state)) {}
AmazonEmulator::~AmazonEmulator() { stop(); }

std::string AmazonEmulator::url() const { return state_->server->url(); }
std::string AmazonEmulator::lwa_url() const { return url() + "/auth/o2/token"; }
void AmazonEmulator::stop() {
  if (state_ && state_->server) state_->server->stop();
}

void AmazonEmulator::seed(Listing listing) {
  std::lock_guard lock(state_->mu);
  if (listing.currency.empty() && !listing.price.empty()) listing.currency = state_->opt.currency;
  std::string sku = listing.sku;
  state_->listings[sku] = std::move(listing);
}

std::optional<AmazonEmulator::Listing> AmazonEmulator::listing(std::string_view sku) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->listings.find(sku);
  if (it == state_->listings.end()) return std::nullopt;
  return it->second;
}

bool AmazonEmulator::sell(std::string_view sku, std::int64_t quantity) {
  std::lock_guard lock(state_->mu);
  auto it = state_->listings.find(sku);
  if (it == state_->listings.end()) return false;
  it->second.quantity = std::max<std::int64_t>(0, it->second.quantity - quantity);
  return true;
}

void AmazonEmulator::seed_order(Order order) {
  std::lock_guard lock(state_->mu);
  std::string id = order.order_id;
  state_->orders[id] = std::move(order);
}

std::optional<AmazonEmulator::Order> AmazonEmulator::order(std::string_view order_id) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->orders.find(order_id);
  if (it == state_->orders.end()) return std::nullopt;
  return it->second;
}

void AmazonEmulator::expire_tokens() {
  std::lock_guard lock(state_->mu);
  const auto now = state_->clock->now();
  for (auto& [token, expiry] : state_->tokens) expiry = std::min(expiry, now);
}

void AmazonEmulator::set_refresh_token(std::string refresh_token) {
  std::lock_guard lock(state_->mu);
  state_->opt.refresh_token = std::move(refresh_token);
}

void AmazonEmulator::inject(Fault fault) {
  std::lock_guard lock(state_->mu);
  state_->counts.faults_injected += static_cast<std::uint64_t>(std::max(1, fault.times));
  if (fault.times < 1) fault.times = 1;
  state_->faults.push_back(std::move(fault));
}

void AmazonEmulator::invalid_next(std::string sku, int times, std::string message) {
  std::lock_guard lock(state_->mu);
  state_->invalid[std::move(sku)] = {std::max(1, times), std::move(message)};
}

AmazonEmulator::Counts AmazonEmulator::counts() const {
  std::lock_guard lock(state_->mu);
  return state_->counts;
}

}  // namespace channel_emulator
}  // namespace v0
}  // namespace odoosync
