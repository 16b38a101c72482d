// The Shopify Admin GraphQL push client (push/shopify.hpp; docs/push/shopify.md): one fixed GraphQL
// document per operation, SKUs resolved to variant and inventory item ids once, and Shopify's cost bucket
// estimated from every answer's extensions.cost so that a request waits here rather than being refused.
#include <odoosync/push/shopify.hpp>

#include <odoosync/channels/crypto.hpp>
#include <odoosync/core/json.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/http/retry_after.hpp>
#include <odoosync/push/channel_client.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <utility>

namespace odoosync {
inline namespace v0 {
namespace push {

namespace {

using std::chrono::milliseconds;

// The operations, each with its fixed document and its cost by Shopify's documented rules (object 1,
// connection 2 + first x its node, scalar 0, mutation 10): the estimate the bucket is checked against.
enum class Op : std::size_t { shop, resolve, read_levels, set_levels, set_prices, order, fulfil, count };
constexpr std::array<std::string_view, static_cast<std::size_t>(Op::count)> op_names = {
    "shop",  "productVariants",  "nodes", "inventorySetQuantities", "productVariantsBulkUpdate",
    "order", "fulfillmentCreate"};

constexpr std::string_view shop_doc = "query OdoosyncShop { shop { currencyCode } }";
constexpr std::string_view resolve_doc =
    "query OdoosyncVariantsBySku($first: Int!, $query: String!) { productVariants(first: $first, query: $query) "
    "{ nodes { id sku product { id } inventoryItem { id } } pageInfo { hasNextPage } } }";
constexpr std::string_view read_doc =
    "query OdoosyncAvailable($ids: [ID!]!, $locationId: ID!) { nodes(ids: $ids) { ... on InventoryItem { id "
    "inventoryLevel(locationId: $locationId) { quantities(names: [\"available\"]) { name quantity } } } } }";
constexpr std::string_view prices_doc =
    "mutation OdoosyncPrices($productId: ID!, $variants: [ProductVariantsBulkInput!]!) { "
    "productVariantsBulkUpdate(productId: $productId, variants: $variants, allowPartialUpdates: true) { "
    "productVariants { id price } userErrors { code field message } } }";
constexpr std::string_view order_doc =
    "query OdoosyncOrder($id: ID!) { order(id: $id) { id fulfillments(first: 25) { status trackingInfo(first: 3) "
    "{ number } } fulfillmentOrders(first: 10) { nodes { id status lineItems(first: 50) { nodes { id sku "
    "remainingQuantity } } } } } }";
constexpr std::string_view fulfil_doc =
    "mutation OdoosyncFulfil($fulfillment: FulfillmentInput!, $message: String) { fulfillmentCreate(fulfillment: "
    "$fulfillment, message: $message) { fulfillment { id status } userErrors { field message } } }";

std::string set_levels_doc(std::string_view idempotency_key) {
  std::string doc =
      "mutation OdoosyncSetAvailable($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input)";
  if (!idempotency_key.empty()) doc += fmt::format(" @idempotent(key: \"{}\")", idempotency_key);
  doc += " { inventoryAdjustmentGroup { id } userErrors { code field message } } }";
  return doc;
}

constexpr double mutation_cost = 10;
double resolve_cost(std::size_t first) { return 3 + 3 * static_cast<double>(first); }
double read_cost(std::size_t ids) { return 3 * static_cast<double>(ids); }
constexpr double order_cost = 1 + 25 * (1 + 3) + 2 + 10 * (1 + 2 + 50);

constexpr std::size_t sku_batch = 50;
constexpr std::int64_t max_quantity = 1'000'000'000;  // INVALID_QUANTITY_TOO_HIGH above this

// One stored answer of the resolution: the ids a SKU maps to.
struct Variant {
  std::string id;  // gid://shopify/ProductVariant/..
  std::string product_id;
  std::string inventory_item_id;
};

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "123" or "gid://shopify/Location/123" -> the GID; anything else is nothing.
std::optional<std::string> to_gid(std::string_view kind, std::string_view id) {
  if (all_digits(id)) return fmt::format("gid://shopify/{}/{}", kind, id);
  const std::string prefix = fmt::format("gid://shopify/{}/", kind);
  if (id.substr(0, prefix.size()) == prefix && id.size() > prefix.size() &&
      id.find_first_of(" \"\\") == std::string_view::npos)
    return std::string(id);
  return std::nullopt;
}

// A Shopify search term for one SKU, quoted: sku:"A-1" (backslash and quote escaped).
std::string sku_term(std::string_view sku) {
  std::string out = "sku:\"";
  for (char c : sku) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

const json::Value* path(const json::Value& v, std::initializer_list<std::string_view> keys) {
  const json::Value* at = &v;
  for (auto k : keys) {
    at = json::find(*at, k);
    if (!at) return nullptr;
  }
  return at;
}

std::optional<double> number(const json::Value* v) {
  if (!v || !v->IsNumber()) return std::nullopt;
  return v->GetDouble();
}

std::string str(const json::Value* v) { return v ? std::string(json::text(*v)) : std::string(); }

// The index a userError's field path names after `list` (["input","quantities","3","quantity"] -> 3).
std::optional<std::size_t> field_index(const json::Value& error, std::string_view list) {
  const json::Value* field = json::find(error, "field");
  if (!field || !field->IsArray()) return std::nullopt;
  bool next = false;
  for (const auto& part : field->GetArray()) {
    const std::string_view p = json::text(part);
    if (next) {
      if (!all_digits(p) || p.size() > 6) return std::nullopt;
      return static_cast<std::size_t>(std::stoul(std::string(p)));
    }
    next = p == list;
  }
  return std::nullopt;
}

// "2026-01" -> 202601; nothing unless a quarterly YYYY-MM version.
std::optional<int> version_number(std::string_view v) {
  if (v.size() != 7 || v[4] != '-' || !all_digits(v.substr(0, 4)) || !all_digits(v.substr(5))) return std::nullopt;
  const int month = std::stoi(std::string(v.substr(5)));
  if (month != 1 && month != 4 && month != 7 && month != 10) return std::nullopt;
  return std::stoi(std::string(v.substr(0, 4))) * 100 + month;
}

// A deterministic idempotency key in UUID form: the same request content, the same key.
std::string content_key(std::string_view content) {
  const std::string hex = channels::crypto::hex_encode(channels::crypto::sha256(content));
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4), hex.substr(16, 4),
                     hex.substr(20, 12));
}

// "2.0" -> 2000 ms (Shopify's Retry-After is a decimal number of seconds); nothing otherwise.
std::optional<milliseconds> decimal_seconds(std::string_view v) {
  const auto dot = v.find('.');
  const std::string_view whole = v.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? std::string_view() : v.substr(dot + 1);
  if (!all_digits(whole) || whole.size() > 6 || (dot != std::string_view::npos && !all_digits(frac)))
    return std::nullopt;
  std::int64_t ms = std::stoll(std::string(whole)) * 1000;
  std::int64_t scale = 100;
  for (std::size_t i = 0; i < frac.size() && i < 3; ++i, scale /= 10) ms += (frac[i] - '0') * scale;
  return milliseconds(ms);
}

bool uri_safe(std::string_view key) {
  return !key.empty() && key.size() <= 100 && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':';
  });
}

ItemResult outcome(Outcome o, std::string message = {}) {
  ItemResult r;
  r.outcome = o;
  r.message = std::move(message);
  return r;
}

class ShopifyClient final : public ChannelClient {
 public:
  struct Config {
    std::string channel;
    std::string endpoint;  // .../admin/api/<version>/graphql.json
    int version = 0;
    std::optional<retail::Currency> currency;
    std::shared_ptr<SecretSource> token;
    std::optional<milliseconds> timeout;
    milliseconds max_wait{30'000};
  };

  ShopifyClient(Config config, std::shared_ptr<http::Transport> transport, Clock* clock)
      : c_(std::move(config)), transport_(std::move(transport)), clock_(clock) {
    ratio_.fill(1.0);
  }

  std::string_view provider() const noexcept override { return "shopify"; }

  ChannelLimits limits() const override {
    ChannelLimits l;
    l.max_levels_per_call = shopify::max_input_array;
    l.max_prices_per_call = shopify::max_input_array;
    l.sustained_rate = bucket_.known ? bucket_.restore : shopify::default_restore_rate;
    l.unit = "cost points";
    l.max_wait = c_.max_wait;
    return l;
  }

  result<std::vector<ItemResult>> set_levels(std::span<const Level> levels) override;
  result<std::vector<ItemResult>> set_prices(std::span<const Price> prices) override;
  result<std::vector<ItemResult>> fulfil(std::span<const Fulfilment> fulfilments) override;
  result<std::optional<std::int64_t>> read_level(std::string_view sku, std::string_view location) override;

 private:
  // What the last answer said of the cost bucket, and when.
  struct Bucket {
    bool known = false;
    double maximum = 0;
    double available = 0;
    double restore = shopify::default_restore_rate;
    Clock::time_point at{};
  };

  // One item of set_levels on its way.
  struct Pending {
    std::size_t index = 0;  // into the caller's span
    const Variant* variant = nullptr;
    std::string location;  // GID
    std::int64_t quantity = 0;
    std::optional<std::int64_t> compare;
  };

  bool change_from() const { return c_.version >= 202601; }
  std::string name() const { return "channel '" + c_.channel + "' (shopify)"; }

  Error scrubbed(Error e) const {
    for (const auto& t : tokens_seen_) e.redact(t.reveal());
    return std::move(e).with_message_prefix(name());
  }

  // Waits `d` through the clock if the call's waits stay within max_wait; else backpressure.
  result<void> wait(Clock::duration d, std::string_view why) {
    if (d <= Clock::duration::zero()) return success();
    if (waited_ + d > c_.max_wait) {
      const auto ms = std::chrono::ceil<milliseconds>(d);
      return Error(ErrorKind::backpressure,
                   fmt::format("{}: Shopify's cost bucket needs {} ms more ({}), beyond max_wait of {} ms", name(),
                               ms.count(), why, c_.max_wait.count()))
          .with_retry_after(ms);
    }
    clock_->sleep_for(d);
    waited_ += d;
    return success();
  }

  double estimate(Op op, double rule) const { return std::ceil(rule * ratio_[static_cast<std::size_t>(op)]); }

  // Before sending a request of `cost` points: wait until the bucket, as last reported and restored
  // since, holds them.
  result<void> make_room(double cost) {
    if (!bucket_.known || bucket_.restore <= 0) return success();
    const double since = std::chrono::duration<double>(clock_->now() - bucket_.at).count();
    const double now = std::min(bucket_.maximum, bucket_.available + bucket_.restore * since);
    if (cost <= now || cost > bucket_.maximum) return success();
    const double seconds = (cost - now) / bucket_.restore;
    return wait(std::chrono::ceil<milliseconds>(std::chrono::duration<double>(seconds)), "before sending");
  }

  void note_cost(const json::Value& doc, Op op, double rule) {
    const json::Value* cost = path(doc, {"extensions", "cost"});
    if (!cost) return;
    if (auto requested = number(json::find(*cost, "requestedQueryCost")); requested && rule > 0 && *requested > 0)
      ratio_[static_cast<std::size_t>(op)] = std::max(*requested / rule, 0.01);
    const json::Value* status = json::find(*cost, "throttleStatus");
    if (!status) return;
    auto maximum = number(json::find(*status, "maximumAvailable"));
    auto available = number(json::find(*status, "currentlyAvailable"));
    auto restore = number(json::find(*status, "restoreRate"));
    if (!maximum || !available || !restore) return;
    bucket_ = Bucket{true, *maximum, *available, *restore, clock_->now()};
  }

  // Sends one GraphQL request and returns its parsed answer (with a data member). Throttling is waited
  // out within max_wait; an auth refusal refreshes the token once.
  result<json::Document> graphql(Op op, std::string_view document, std::string_view variables, double rule) {
    const double cost = estimate(op, rule);
    json::Writer body;
    body.begin_object().member("query", document).key("variables").raw(variables).end_object();
    ODOOSYNC_TRY(text, body.view());
    bool refreshed = false;
    for (;;) {
      ODOOSYNC_TRYV(make_room(cost));
      auto token = c_.token->current();
      if (!token) return scrubbed(Error(token.error()).with_message_prefix("access_token"));
      remember(token.value());
      http::Request req;
      req.method = http::Method::post;
      req.url = c_.endpoint;
      req.body = std::string(text);
      req.headers.add("Content-Type", "application/json");
      req.headers.add("Accept", "application/json");
      req.headers.add("X-Shopify-Access-Token", std::string(token.value().reveal()));
      if (c_.timeout) req.timeout = *c_.timeout;
      auto sent = transport_->send(req);
      if (!sent) return scrubbed(std::move(sent).error());
      const http::Response& res = sent.value();
      if (res.status == 401 || res.status == 403) {
        if (!refreshed) {
          refreshed = true;
          auto fresh = c_.token->refresh();
          if (!fresh) return scrubbed(Error(fresh.error()).with_message_prefix("access_token"));
          remember(fresh.value());
          continue;
        }
        return scrubbed(Error(ErrorKind::auth, fmt::format("Shopify refused the access token (HTTP {}) after one "
                                                           "refresh of the secret",
                                                           res.status))
                            .with_http_status(res.status));
      }
      if (res.status == 429) {
        milliseconds after{1000};
        if (auto ra = res.header("Retry-After")) {
          if (auto d = http::parse_retry_after(*ra, clock_->wall_now())) {
            after = *d;
          } else if (auto secs = decimal_seconds(*ra)) {  // Shopify writes "2.0"
            after = *secs;
          }
        }
        ODOOSYNC_TRYV(wait(after, "HTTP 429"));
        continue;
      }
      if (res.status != 200) {
        Error e = Error::http_status(
            res.status, fmt::format("Shopify answered HTTP {} to {}: {}", res.status,
                                    op_names[static_cast<std::size_t>(op)], Error::bounded(res.body, 300)));
        if (auto ra = res.header("Retry-After"))
          if (auto d = http::parse_retry_after(*ra, clock_->wall_now())) e.with_retry_after(*d);
        e.with_outcome_unknown(res.status == 502 || res.status == 504);
        return scrubbed(std::move(e));
      }
      auto parsed = json::parse(res.body);
      if (!parsed) return scrubbed(Error(parsed.error()).with_outcome_unknown(true));
      json::Document doc = std::move(parsed.value());
      if (!doc.IsObject()) return scrubbed(Error::protocol("Shopify's answer is not a JSON object"));
      note_cost(doc, op, rule);
      if (const json::Value* errors = json::find(doc, "errors")) {
        std::string messages;
        bool throttled = false;
        if (errors->IsArray()) {
          for (const auto& e : errors->GetArray()) {
            if (str(path(e, {"extensions", "code"})) == "THROTTLED") throttled = true;
            if (!messages.empty()) messages += "; ";
            messages += str(json::find(e, "message"));
          }
        } else {
          messages = errors->IsString() ? str(errors) : json::to_string(*errors);
        }
        if (throttled) {
          const double requested = number(path(doc, {"extensions", "cost", "requestedQueryCost"})).value_or(cost);
          if (bucket_.known && requested > bucket_.maximum)  // no wait makes it fit: smaller batches next time
            return scrubbed(
                Error::protocol(fmt::format("{} costs {} points, more than the shop's bucket of {}",
                                            op_names[static_cast<std::size_t>(op)], requested, bucket_.maximum)));
          const double have = bucket_.known ? bucket_.available : 0;
          const double rate = bucket_.known && bucket_.restore > 0 ? bucket_.restore : shopify::default_restore_rate;
          const double seconds = std::max(requested - have, 1.0) / rate;
          ODOOSYNC_TRYV(wait(std::chrono::ceil<milliseconds>(std::chrono::duration<double>(seconds)), "THROTTLED"));
          continue;
        }
        if (!json::find(doc, "data") || json::find(doc, "data")->IsNull() || !messages.empty())
          return scrubbed(Error::protocol(
              fmt::format("Shopify GraphQL error in {}: {}", op_names[static_cast<std::size_t>(op)], messages)));
      }
      const json::Value* data = json::find(doc, "data");
      if (!data || !data->IsObject())
        return scrubbed(
            Error::protocol(fmt::format("Shopify's answer to {} has no data", op_names[static_cast<std::size_t>(op)])));
      return doc;
    }
  }

  void remember(const Secret& token) {
    for (const auto& t : tokens_seen_)
      if (t == token) return;
    if (tokens_seen_.size() >= 4) tokens_seen_.erase(tokens_seen_.begin());
    tokens_seen_.push_back(token);
  }

  void begin_call() { waited_ = Clock::duration::zero(); }

  // How many SKUs one resolution query may carry so that it fits the bucket and the single-query cap.
  std::size_t skus_per_query() const {
    double cap = shopify::max_query_cost;
    if (bucket_.known) cap = std::min(cap, bucket_.maximum);
    const double per = 6 * ratio_[static_cast<std::size_t>(Op::resolve)];
    const double base = 3 * ratio_[static_cast<std::size_t>(Op::resolve)];
    const auto n = static_cast<std::size_t>(std::max(1.0, std::floor((cap - base) / per)));
    return std::min(sku_batch, n);
  }
  std::size_t ids_per_read() const {
    double cap = shopify::max_query_cost;
    if (bucket_.known) cap = std::min(cap, bucket_.maximum);
    const double per = 3 * ratio_[static_cast<std::size_t>(Op::read_levels)];
    const auto n = static_cast<std::size_t>(std::max(1.0, std::floor(cap / per)));
    return std::min(shopify::max_input_array, n);
  }

  // Resolves the SKUs not cached yet. Afterwards a SKU is in cache_ (one variant), in ambiguous_ (more
  // than one variant carries it), or neither (not listed).
  result<void> resolve(const std::vector<std::string>& skus) {
    std::vector<std::string> missing;
    std::set<std::string> seen;
    for (const auto& s : skus)
      if (!cache_.count(s) && seen.insert(s).second) missing.push_back(s);
    std::vector<std::string> singles;
    for (std::size_t at = 0; at < missing.size();) {
      const std::size_t n = std::min(skus_per_query(), missing.size() - at);
      std::vector<std::string> batch(missing.begin() + static_cast<std::ptrdiff_t>(at),
                                     missing.begin() + static_cast<std::ptrdiff_t>(at + n));
      at += n;
      ODOOSYNC_TRY(more, resolve_batch(batch, std::min<std::size_t>(shopify::max_input_array, 2 * n)));
      if (more && batch.size() > 1)
        for (const auto& s : batch)
          if (!cache_.count(s) && !ambiguous_.count(s)) singles.push_back(s);
    }
    for (const auto& s : singles) {
      ODOOSYNC_TRYV(resolve_batch({s}, 2));
    }
    return success();
  }

  // One productVariants query; true when Shopify says more matched than were returned.
  result<bool> resolve_batch(const std::vector<std::string>& batch, std::size_t first) {
    std::string query;
    for (const auto& s : batch) {
      if (!query.empty()) query += " OR ";
      query += sku_term(s);
    }
    json::Writer vars;
    vars.begin_object().member("first", static_cast<std::int64_t>(first)).member("query", query).end_object();
    ODOOSYNC_TRY(text, vars.view());
    ODOOSYNC_TRY(doc, graphql(Op::resolve, resolve_doc, text, resolve_cost(first)));
    const json::Value* nodes = path(doc, {"data", "productVariants", "nodes"});
    if (!nodes || !nodes->IsArray())
      return scrubbed(Error::protocol("Shopify's productVariants answer has no nodes list"));
    std::map<std::string, std::vector<Variant>> found;
    const std::set<std::string> wanted(batch.begin(), batch.end());
    for (const auto& node : nodes->GetArray()) {
      std::string sku = str(json::find(node, "sku"));
      if (!wanted.count(sku)) continue;  // the search matched more loosely than the exact SKU
      Variant v{str(json::find(node, "id")), str(path(node, {"product", "id"})),
                str(path(node, {"inventoryItem", "id"}))};
      if (v.id.empty() || v.product_id.empty() || v.inventory_item_id.empty())
        return scrubbed(Error::protocol("a productVariants node lacks its id, product id or inventory item id"));
      found[sku].push_back(std::move(v));
    }
    for (auto& [sku, variants] : found) {
      if (variants.size() == 1) {
        cache_[sku] = std::move(variants.front());
        ambiguous_.erase(sku);
      } else {
        ambiguous_[sku] = variants.size();
      }
    }
    const json::Value* more = path(doc, {"data", "productVariants", "pageInfo", "hasNextPage"});
    return more && more->IsBool() && more->GetBool();
  }

  // The item's result when its SKU did not resolve to exactly one variant; nothing when it did.
  std::optional<ItemResult> unresolved(const std::string& sku) const {
    if (auto a = ambiguous_.find(sku); a != ambiguous_.end())
      return outcome(Outcome::rejected, fmt::format("SKU '{}' is carried by {} Shopify variants", sku, a->second));
    if (!cache_.count(sku)) return outcome(Outcome::not_listed, fmt::format("no Shopify variant has SKU '{}'", sku));
    return std::nullopt;
  }

  // The available quantity of each inventory item at one location (nothing: not stocked there, or no
  // such item).
  result<std::map<std::string, std::optional<std::int64_t>>> read_available(const std::vector<std::string>& items,
                                                                            const std::string& location) {
    std::map<std::string, std::optional<std::int64_t>> out;
    for (std::size_t at = 0; at < items.size();) {
      const std::size_t n = std::min(ids_per_read(), items.size() - at);
      json::Writer vars;
      vars.begin_object().key("ids").begin_array();
      for (std::size_t i = at; i < at + n; ++i) vars.string(items[i]);
      vars.end_array().member("locationId", location).end_object();
      ODOOSYNC_TRY(text, vars.view());
      ODOOSYNC_TRY(doc, graphql(Op::read_levels, read_doc, text, read_cost(n)));
      const json::Value* nodes = path(doc, {"data", "nodes"});
      if (!nodes || !nodes->IsArray() || nodes->Size() != n)
        return scrubbed(Error::protocol("Shopify's nodes answer does not have one entry per id"));
      for (std::size_t i = 0; i < n; ++i) {
        const json::Value& node = (*nodes)[static_cast<rapidjson::SizeType>(i)];
        std::optional<std::int64_t> available;
        const json::Value* quantities = node.IsObject() ? path(node, {"inventoryLevel", "quantities"}) : nullptr;
        if (quantities && quantities->IsArray()) {
          for (const auto& q : quantities->GetArray()) {
            const json::Value* value = json::find(q, "quantity");
            if (str(json::find(q, "name")) == "available" && value && value->IsInt64()) available = value->GetInt64();
          }
        }
        out[items[at + i]] = available;
      }
      at += n;
    }
    return out;
  }

  // Reads the available quantity of each pending item, grouped by location.
  result<std::map<std::pair<std::string, std::string>, std::optional<std::int64_t>>> read_pending(
      const std::vector<Pending>& items) {
    std::map<std::string, std::vector<std::string>> by_location;
    for (const auto& p : items) {
      auto& list = by_location[p.location];
      if (std::find(list.begin(), list.end(), p.variant->inventory_item_id) == list.end())
        list.push_back(p.variant->inventory_item_id);
    }
    std::map<std::pair<std::string, std::string>, std::optional<std::int64_t>> out;
    for (const auto& [location, ids] : by_location) {
      ODOOSYNC_TRY(read, read_available(ids, location));
      for (auto& [item, value] : read) out[{item, location}] = value;
    }
    return out;
  }

  // One inventorySetQuantities mutation over `batch` (no two with the same item and location). Each
  // item's fate goes into `results` (applied, or an outcome from its userError), or into `again` when
  // the mutation failed for others only; stale items into `stale`.
  result<void> send_levels(std::span<const Level> levels, const std::vector<Pending>& batch,
                           std::vector<ItemResult>& results, std::vector<Pending>& again, std::vector<Pending>& stale) {
    std::string reference;
    std::string keys;
    for (const auto& p : batch) keys += levels[p.index].key + '\n';
    if (batch.size() == 1 && uri_safe(levels[batch.front().index].key)) {
      reference = "gid://odoosync/StockPush/" + levels[batch.front().index].key;
    } else {
      reference =
          "gid://odoosync/StockPush/" + channels::crypto::hex_encode(channels::crypto::sha256(keys)).substr(0, 32);
    }
    json::Writer vars;
    vars.begin_object().key("input").begin_object();
    vars.member("name", "available").member("reason", "correction").member("referenceDocumentUri", reference);
    vars.key("quantities").begin_array();
    for (const auto& p : batch) {
      vars.begin_object()
          .member("inventoryItemId", p.variant->inventory_item_id)
          .member("locationId", p.location)
          .member("quantity", p.quantity);
      vars.key(change_from() ? "changeFromQuantity" : "compareQuantity");
      if (p.compare) {
        vars.integer(*p.compare);
      } else {
        vars.null();
      }
      vars.end_object();
    }
    vars.end_array().end_object().end_object();
    ODOOSYNC_TRY(text, vars.view());
    // The same content gets the same key: a resend after a lost answer is answered from Shopify's
    // record of the first, instead of failing the compare against the quantity it set.
    const std::string key = change_from() ? content_key(fmt::format("{}\n{}", c_.version, text)) : std::string();
    ODOOSYNC_TRY(doc, graphql(Op::set_levels, set_levels_doc(key), text, mutation_cost));
    const json::Value* payload = path(doc, {"data", "inventorySetQuantities"});
    if (!payload || !payload->IsObject())
      return scrubbed(Error::protocol("Shopify's inventorySetQuantities answer has no payload"));
    const json::Value* errors = json::find(*payload, "userErrors");
    if (!errors || !errors->IsArray() || errors->Empty()) {
      for (const auto& p : batch) results[p.index] = outcome(Outcome::applied);
      return success();
    }
    // The mutation is all or nothing: the items no error names were not applied and go again.
    std::vector<std::optional<ItemResult>> named(batch.size());
    std::vector<bool> is_stale(batch.size(), false);
    std::string general;
    for (const auto& e : errors->GetArray()) {
      const std::string code = str(json::find(e, "code"));
      const std::string message = Error::bounded(str(json::find(e, "message")), 500);
      const auto i = field_index(e, "quantities");
      if (!i || *i >= batch.size()) {
        general += (general.empty() ? "" : "; ") + (code.empty() ? message : code + ": " + message);
        continue;
      }
      const std::string what = code.empty() ? message : code + ": " + message;
      if (code == "CHANGE_FROM_QUANTITY_STALE" || code == "COMPARE_QUANTITY_STALE") {
        is_stale[*i] = true;
      } else if (code == "ITEM_NOT_STOCKED_AT_LOCATION" || code == "INVALID_LOCATION") {
        named[*i] = outcome(Outcome::not_listed, what);
      } else if (code == "INVALID_INVENTORY_ITEM") {
        cache_.erase(levels[batch[*i].index].sku);
        named[*i] = outcome(Outcome::not_listed, what);
      } else if (code == "IDEMPOTENCY_CONCURRENT_REQUEST") {
        named[*i] = outcome(Outcome::retry, what);
      } else {
        named[*i] = outcome(Outcome::rejected, what);
      }
    }
    const bool any_named = std::any_of(named.begin(), named.end(), [](const auto& r) { return r.has_value(); }) ||
                           std::any_of(is_stale.begin(), is_stale.end(), [](bool b) { return b; });
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const Pending& p = batch[i];
      if (is_stale[i]) {
        stale.push_back(p);
      } else if (named[i]) {
        results[p.index] = std::move(*named[i]);
      } else if (!any_named) {
        // Nothing names an item: nothing was applied and nothing says why for any one of them.
        results[p.index] = outcome(Outcome::retry, "Shopify refused the mutation: " + general);
      } else {
        again.push_back(p);
      }
    }
    return success();
  }

  result<ItemResult> fulfil_one(const Fulfilment& f);
  // One look at the order and, unless check_only or it is done already, one fulfillmentCreate.
  result<ItemResult> fulfil_attempt(const Fulfilment& f, bool check_only);

  Config c_;
  std::shared_ptr<http::Transport> transport_;
  Clock* clock_;
  Bucket bucket_;
  std::array<double, static_cast<std::size_t>(Op::count)> ratio_{};
  Clock::duration waited_{};
  std::map<std::string, Variant, std::less<>> cache_;
  std::map<std::string, std::size_t, std::less<>> ambiguous_;
  std::optional<retail::Currency> shop_currency_;
  std::vector<Secret> tokens_seen_;
};

result<std::vector<ItemResult>> ShopifyClient::set_levels(std::span<const Level> levels) {
  begin_call();
  std::vector<ItemResult> results(levels.size());
  std::vector<bool> done(levels.size(), false);
  std::vector<std::string> skus;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const Level& l = levels[i];
    if (l.sku.empty()) {
      results[i] = outcome(Outcome::rejected, "a level without a SKU");
    } else if (l.quantity < 0 || l.quantity > max_quantity) {
      results[i] = outcome(Outcome::rejected,
                           fmt::format("quantity {} for SKU '{}' is outside 0..{}", l.quantity, l.sku, max_quantity));
    } else if (!to_gid("Location", l.location)) {
      results[i] = outcome(Outcome::rejected, fmt::format("location '{}' for SKU '{}' is not a Shopify location id "
                                                          "(a number or gid://shopify/Location/...)",
                                                          l.location, l.sku));
    } else {
      skus.push_back(l.sku);
      continue;
    }
    done[i] = true;
  }
  ambiguous_.clear();
  ODOOSYNC_TRYV(resolve(skus));

  std::vector<Pending> pending;
  std::vector<Pending> unknown;  // expected unset: read what Shopify holds first
  for (std::size_t i = 0; i < levels.size(); ++i) {
    if (done[i]) continue;
    if (auto r = unresolved(levels[i].sku)) {
      results[i] = std::move(*r);
      continue;
    }
    Pending p{i, &cache_.find(levels[i].sku)->second, *to_gid("Location", levels[i].location), levels[i].quantity,
              levels[i].expected};
    (p.compare ? pending : unknown).push_back(std::move(p));
  }
  if (!unknown.empty()) {
    ODOOSYNC_TRY(now, read_pending(unknown));
    for (auto& p : unknown) {
      const auto value = now[{p.variant->inventory_item_id, p.location}];
      if (!value) {
        results[p.index] = outcome(Outcome::not_listed, fmt::format("SKU '{}' is not stocked at location {}",
                                                                    levels[p.index].sku, p.location));
      } else if (*value == p.quantity) {
        results[p.index] = outcome(Outcome::applied);
      } else {
        p.compare = *value;
        pending.push_back(std::move(p));
      }
    }
  }

  std::vector<Pending> stale;
  while (!pending.empty()) {
    // Each round: batches of at most 250, never the same item and location twice in one mutation.
    std::vector<Pending> later;
    std::vector<Pending> batch;
    std::set<std::pair<std::string, std::string>> in_batch;
    auto flush = [&]() -> result<void> {
      if (batch.empty()) return success();
      std::vector<Pending> again;
      ODOOSYNC_TRYV(send_levels(levels, batch, results, again, stale));
      later.insert(later.end(), again.begin(), again.end());
      batch.clear();
      in_batch.clear();
      return success();
    };
    std::vector<Pending> deferred;
    for (auto& p : pending) {
      if (!in_batch.insert({p.variant->inventory_item_id, p.location}).second) {
        deferred.push_back(std::move(p));
        continue;
      }
      batch.push_back(std::move(p));
      if (batch.size() == shopify::max_input_array) {
        ODOOSYNC_TRYV(flush());
      }
    }
    ODOOSYNC_TRYV(flush());
    later.insert(later.end(), deferred.begin(), deferred.end());
    pending = std::move(later);
  }

  if (!stale.empty()) {
    ODOOSYNC_TRY(now, read_pending(stale));
    for (const auto& p : stale) {
      const auto value = now[{p.variant->inventory_item_id, p.location}];
      if (!value) {
        results[p.index] = outcome(Outcome::not_listed, fmt::format("SKU '{}' is not stocked at location {}",
                                                                    levels[p.index].sku, p.location));
      } else if (*value == p.quantity) {
        results[p.index] = outcome(Outcome::applied);  // it holds what we set: our own earlier write
      } else {
        ItemResult r = outcome(Outcome::stale, fmt::format("Shopify holds {}, not the {} expected", *value,
                                                           p.compare ? std::to_string(*p.compare) : "?"));
        r.channel_quantity = *value;
        results[p.index] = std::move(r);
      }
    }
  }
  return results;
}

result<std::vector<ItemResult>> ShopifyClient::set_prices(std::span<const Price> prices) {
  begin_call();
  std::vector<ItemResult> results(prices.size());
  std::vector<bool> done(prices.size(), false);
  if (!c_.currency && !shop_currency_) {
    ODOOSYNC_TRY(doc, graphql(Op::shop, shop_doc, "{}", 1));
    auto cur = retail::Currency::of(str(path(doc, {"data", "shop", "currencyCode"})));
    if (!cur) return scrubbed(Error::protocol("Shopify's shop.currencyCode is not a known currency"));
    shop_currency_ = cur.value();
  }
  const retail::Currency currency = c_.currency ? *c_.currency : *shop_currency_;
  std::vector<std::string> skus;
  for (std::size_t i = 0; i < prices.size(); ++i) {
    const Price& p = prices[i];
    done[i] = true;
    if (p.sku.empty()) {
      results[i] = outcome(Outcome::rejected, "a price without a SKU");
    } else if (!(p.price.currency() == currency)) {
      results[i] = outcome(Outcome::rejected, fmt::format("price {} for SKU '{}' is not in the shop's currency {}",
                                                          p.price.to_string(), p.sku, currency.code()));
    } else if (p.price.is_negative()) {
      results[i] =
          outcome(Outcome::rejected, fmt::format("price {} for SKU '{}' is negative", p.price.to_string(), p.sku));
    } else {
      done[i] = false;
      skus.push_back(p.sku);
    }
  }
  ambiguous_.clear();
  ODOOSYNC_TRYV(resolve(skus));
  // By product: productVariantsBulkUpdate takes one product's variants, at most 250 of them.
  std::map<std::string, std::vector<std::size_t>> by_product;
  for (std::size_t i = 0; i < prices.size(); ++i) {
    if (done[i]) continue;
    if (auto r = unresolved(prices[i].sku)) {
      results[i] = std::move(*r);
      continue;
    }
    by_product[cache_.find(prices[i].sku)->second.product_id].push_back(i);
  }
  // Mutations of at most 250 variants, a variant at most once in each (a second price for the same SKU
  // goes in the next one, so the later wins).
  struct Mutation {
    std::string product;
    std::vector<std::size_t> group;     // indices into prices
    std::vector<std::string> variants;  // their variant ids, as resolved now
  };
  std::vector<Mutation> mutations;
  for (const auto& [product, all] : by_product) {
    Mutation m{product, {}, {}};
    std::set<std::string> ids;
    for (std::size_t i : all) {
      const std::string& id = cache_.find(prices[i].sku)->second.id;
      if (m.group.size() == shopify::max_input_array || ids.count(id)) {
        mutations.push_back(std::move(m));
        m = Mutation{product, {}, {}};
        ids.clear();
      }
      ids.insert(id);
      m.group.push_back(i);
      m.variants.push_back(id);
    }
    if (!m.group.empty()) mutations.push_back(std::move(m));
  }
  for (const auto& [product, group, variant_ids] : mutations) {
    {
      json::Writer vars;
      vars.begin_object().member("productId", product).key("variants").begin_array();
      for (std::size_t k = 0; k < group.size(); ++k) {
        vars.begin_object().member("id", variant_ids[k]);
        vars.member("price", prices[group[k]].price.amount()).end_object();
      }
      vars.end_array().end_object();
      ODOOSYNC_TRY(text, vars.view());
      ODOOSYNC_TRY(doc, graphql(Op::set_prices, prices_doc, text, mutation_cost));
      const json::Value* payload = path(doc, {"data", "productVariantsBulkUpdate"});
      if (!payload || !payload->IsObject())
        return scrubbed(Error::protocol("Shopify's productVariantsBulkUpdate answer has no payload"));
      std::set<std::string> updated;
      if (const json::Value* vs = json::find(*payload, "productVariants"); vs && vs->IsArray())
        for (const auto& v : vs->GetArray()) updated.insert(str(json::find(v, "id")));
      std::vector<std::optional<ItemResult>> named(group.size());
      std::string general;
      bool product_gone = false;
      if (const json::Value* errors = json::find(*payload, "userErrors"); errors && errors->IsArray()) {
        for (const auto& e : errors->GetArray()) {
          const std::string code = str(json::find(e, "code"));
          const std::string what =
              (code.empty() ? "" : code + ": ") + Error::bounded(str(json::find(e, "message")), 500);
          const auto i = field_index(e, "variants");
          if (!i || *i >= group.size()) {
            general += (general.empty() ? "" : "; ") + what;
            if (code == "PRODUCT_DOES_NOT_EXIST") product_gone = true;
            continue;
          }
          if (code == "PRODUCT_VARIANT_DOES_NOT_EXIST") {
            cache_.erase(prices[group[*i]].sku);
            named[*i] = outcome(Outcome::not_listed, what);
          } else {
            named[*i] = outcome(Outcome::rejected, what);
          }
        }
      }
      for (std::size_t k = 0; k < group.size(); ++k) {
        const std::size_t i = group[k];
        if (named[k]) {
          results[i] = std::move(*named[k]);
        } else if (product_gone) {
          cache_.erase(prices[i].sku);
          results[i] = outcome(Outcome::not_listed, general);
        } else if (updated.count(variant_ids[k])) {
          results[i] = outcome(Outcome::applied);
        } else {
          results[i] = outcome(Outcome::retry, general.empty() ? "Shopify did not confirm the variant's update"
                                                               : "Shopify refused the update: " + general);
        }
      }
    }
  }
  return results;
}

result<ItemResult> ShopifyClient::fulfil_one(const Fulfilment& f) {
  ODOOSYNC_TRY(first, fulfil_attempt(f, false));
  if (first.outcome != Outcome::rejected || first.message.rfind("Shopify: ", 0) != 0) return first;
  // Refused by Shopify: perhaps because an earlier attempt whose answer was lost (or a request the
  // transport sent again on its own) fulfilled it. Look again before calling it a dead letter.
  ODOOSYNC_TRY(second, fulfil_attempt(f, true));
  if (second.outcome == Outcome::applied) return second;
  return first;
}

result<ItemResult> ShopifyClient::fulfil_attempt(const Fulfilment& f, bool check_only) {
  const auto order_id = to_gid("Order", f.order_id);
  if (!order_id)
    return outcome(Outcome::rejected, fmt::format("order id '{}' is not a Shopify order id (a number or "
                                                  "gid://shopify/Order/...)",
                                                  f.order_id));
  for (const auto& l : f.lines)
    if (l.sku.empty() || l.quantity <= 0)
      return outcome(Outcome::rejected, fmt::format("shipment {}: line '{}' x {} is not a SKU with a positive quantity",
                                                    f.shipment, l.sku, l.quantity));
  json::Writer vars;
  vars.begin_object().member("id", *order_id).end_object();
  ODOOSYNC_TRY(text, vars.view());
  ODOOSYNC_TRY(doc, graphql(Op::order, order_doc, text, order_cost));
  const json::Value* order = path(doc, {"data", "order"});
  if (!order || order->IsNull())
    return outcome(Outcome::not_listed, fmt::format("Shopify has no order {}", f.order_id));
  // A retry after a lost answer: the fulfilment with this tracking number is there already.
  if (!f.tracking_number.empty()) {
    if (const json::Value* fs = json::find(*order, "fulfillments"); fs && fs->IsArray()) {
      for (const auto& existing : fs->GetArray()) {
        if (str(json::find(existing, "status")) == "CANCELLED") continue;
        const json::Value* infos = json::find(existing, "trackingInfo");
        if (!infos || !infos->IsArray()) continue;
        for (const auto& info : infos->GetArray())
          if (str(json::find(info, "number")) == f.tracking_number)
            return outcome(Outcome::applied, "already fulfilled with tracking number " + f.tracking_number);
      }
    }
  }
  // Open fulfillment orders and what remains of each line.
  struct Line {
    std::string order_id, line_id, sku;
    std::int64_t remaining = 0;
  };
  std::vector<Line> lines;
  std::vector<std::string> open_orders;
  std::set<std::string> skus_in_order;
  if (const json::Value* fos = path(*order, {"fulfillmentOrders", "nodes"}); fos && fos->IsArray()) {
    for (const auto& fo : fos->GetArray()) {
      const std::string status = str(json::find(fo, "status"));
      const bool open = status == "OPEN" || status == "IN_PROGRESS";
      const std::string id = str(json::find(fo, "id"));
      bool has_remaining = false;
      if (const json::Value* items = path(fo, {"lineItems", "nodes"}); items && items->IsArray()) {
        for (const auto& item : items->GetArray()) {
          const std::string sku = str(json::find(item, "sku"));
          skus_in_order.insert(sku);
          const json::Value* rem = json::find(item, "remainingQuantity");
          const std::int64_t remaining = rem && rem->IsInt64() ? rem->GetInt64() : 0;
          if (open && remaining > 0) {
            lines.push_back({id, str(json::find(item, "id")), sku, remaining});
            has_remaining = true;
          }
        }
      }
      if (open && has_remaining) open_orders.push_back(id);
    }
  }
  if (check_only) {
    const bool nothing_left = f.lines.empty() ? open_orders.empty() : [&] {
      for (const auto& l : f.lines)
        for (const auto& line : lines)
          if (line.sku == l.sku) return false;
      return true;
    }();
    if (nothing_left) return outcome(Outcome::applied, fmt::format("shipment {}: fulfilled already", f.shipment));
    return outcome(Outcome::rejected, "still open");
  }
  json::Writer input;
  input.begin_object().key("lineItemsByFulfillmentOrder").begin_array();
  if (f.lines.empty()) {
    if (open_orders.empty())
      return outcome(Outcome::applied, fmt::format("order {} has nothing left to fulfil", f.order_id));
    for (const auto& id : open_orders)
      input.begin_object()
          .member("fulfillmentOrderId", id)
          .key("fulfillmentOrderLineItems")
          .begin_array()
          .end_array()
          .end_object();
  } else {
    std::map<std::string, std::int64_t> wanted;
    for (const auto& l : f.lines) wanted[l.sku] += l.quantity;
    std::map<std::string, std::vector<std::pair<std::string, std::int64_t>>> by_order;
    std::int64_t short_total = 0;
    std::int64_t allocated_total = 0;
    std::string shortage;
    for (auto& [sku, qty] : wanted) {
      if (!skus_in_order.count(sku))
        return outcome(Outcome::rejected,
                       fmt::format("shipment {}: SKU '{}' is not in Shopify order {}", f.shipment, sku, f.order_id));
      std::int64_t left = qty;
      for (auto& line : lines) {
        if (line.sku != sku || left == 0) continue;
        const std::int64_t take = std::min(left, line.remaining);
        by_order[line.order_id].emplace_back(line.line_id, take);
        line.remaining -= take;
        left -= take;
        allocated_total += take;
      }
      if (left > 0) {
        short_total += left;
        shortage += fmt::format("{}SKU '{}': {} more than remain", shortage.empty() ? "" : ", ", sku, left);
      }
    }
    if (allocated_total == 0)  // every line fulfilled already: a replay without a tracking number
      return outcome(Outcome::applied, fmt::format("shipment {}: its lines are fulfilled already", f.shipment));
    if (short_total > 0)
      return outcome(Outcome::rejected, fmt::format("shipment {} ships more than order {} has left to fulfil ({})",
                                                    f.shipment, f.order_id, shortage));
    for (const auto& [fo, items] : by_order) {
      input.begin_object().member("fulfillmentOrderId", fo).key("fulfillmentOrderLineItems").begin_array();
      for (const auto& [id, qty] : items) input.begin_object().member("id", id).member("quantity", qty).end_object();
      input.end_array().end_object();
    }
  }
  input.end_array();
  input.member("notifyCustomer", f.notify_customer);
  if (!f.carrier.empty() || !f.tracking_number.empty() || !f.tracking_url.empty()) {
    input.key("trackingInfo").begin_object();
    if (!f.carrier.empty()) input.member("company", f.carrier);
    if (!f.tracking_number.empty()) input.member("number", f.tracking_number);
    if (!f.tracking_url.empty()) input.member("url", f.tracking_url);
    input.end_object();
  }
  input.end_object();
  ODOOSYNC_TRY(input_text, input.view());
  json::Writer mvars;
  mvars.begin_object()
      .key("fulfillment")
      .raw(input_text)
      .member("message", "odoosync shipment " + f.shipment)
      .end_object();
  ODOOSYNC_TRY(mtext, mvars.view());
  ODOOSYNC_TRY(res, graphql(Op::fulfil, fulfil_doc, mtext, mutation_cost));
  const json::Value* payload = path(res, {"data", "fulfillmentCreate"});
  if (!payload || !payload->IsObject())
    return scrubbed(Error::protocol("Shopify's fulfillmentCreate answer has no payload"));
  if (const json::Value* errors = json::find(*payload, "userErrors"); errors && errors->IsArray() && !errors->Empty()) {
    std::string messages;
    for (const auto& e : errors->GetArray())
      messages += (messages.empty() ? "" : "; ") + Error::bounded(str(json::find(e, "message")), 500);
    return outcome(Outcome::rejected, "Shopify: " + messages);
  }
  if (str(path(*payload, {"fulfillment", "id"})).empty())
    return scrubbed(Error::protocol("Shopify's fulfillmentCreate answer names no fulfillment"));
  return outcome(Outcome::applied);
}

result<std::vector<ItemResult>> ShopifyClient::fulfil(std::span<const Fulfilment> fulfilments) {
  begin_call();
  std::vector<ItemResult> results;
  results.reserve(fulfilments.size());
  for (const auto& f : fulfilments) {
    ODOOSYNC_TRY(r, fulfil_one(f));
    results.push_back(std::move(r));
  }
  return results;
}

result<std::optional<std::int64_t>> ShopifyClient::read_level(std::string_view sku, std::string_view location) {
  begin_call();
  const auto loc = to_gid("Location", location);
  if (!loc) return Error::validation(fmt::format("{}: location '{}' is not a Shopify location id", name(), location));
  ambiguous_.clear();
  ODOOSYNC_TRYV(resolve({std::string(sku)}));
  auto it = cache_.find(sku);
  if (it == cache_.end()) return std::optional<std::int64_t>{};
  ODOOSYNC_TRY(read, read_available({it->second.inventory_item_id}, *loc));
  return read[it->second.inventory_item_id];
}

}  // namespace

result<std::unique_ptr<ChannelClient>> make_shopify_client(const ChannelEndpoint& e, ClientDeps deps) {
  const std::string who = "channel '" + e.channel + "' (shopify)";
  ShopifyClient::Config c;
  c.channel = e.channel;
  std::string base = e.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.rfind("https://", 0) != 0 && base.rfind("http://", 0) != 0)
    return Error::validation(who + ": base_url must be the shop's https:// address (e.g. https://shop.myshopify.com)");
  std::string version(shopify::default_api_version);
  for (const auto& [key, value] : e.settings) {
    if (key == "api_version") {
      version = value;
    } else if (key == "currency") {
      auto cur = retail::Currency::of(value);
      if (!cur) return Error::validation(who + ": setting 'currency': " + cur.error().message());
      c.currency = cur.value();
    } else if (key == "max_wait_ms") {
      if (!all_digits(value) || value.size() > 9)
        return Error::validation(who + ": setting 'max_wait_ms' must be a whole number of milliseconds");
      c.max_wait = milliseconds(std::stoll(value));
    } else {
      return Error::validation(who + ": unknown setting '" + key + "' (expected api_version, currency, max_wait_ms)");
    }
  }
  const auto v = version_number(version);
  if (!v || *v < *version_number(shopify::oldest_api_version))
    return Error::validation(
        fmt::format("{}: setting 'api_version' is '{}'; expected a quarterly version YYYY-MM "
                    "(01, 04, 07 or 10) from {} on",
                    who, version, shopify::oldest_api_version));
  c.version = *v;
  c.endpoint = fmt::format("{}/admin/api/{}/graphql.json", base, version);
  for (const auto& [key, source] : e.secrets) {
    if (key != "access_token") return Error::validation(who + ": unknown secret '" + key + "' (expected access_token)");
    c.token = source;
  }
  if (!c.token) return Error::validation(who + ": secret 'access_token' is missing");
  c.timeout = e.timeout;
  if (!deps.transport) {
    auto t = http::CurlTransport::create();
    if (!t) return std::move(t).error();
    deps.transport = std::move(t).value();
  }
  Clock* clock = deps.clock ? deps.clock : &Clock::system();
  return std::unique_ptr<ChannelClient>(
      std::make_unique<ShopifyClient>(std::move(c), std::move(deps.transport), clock));
}

}  // namespace push
}  // namespace v0
}  // namespace odoosync
