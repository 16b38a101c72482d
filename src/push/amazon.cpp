// The Amazon SP-API push client: Listings Items API v2021-08-01 for quantities and prices, Orders API v0
// for shipment confirmations, Login with Amazon for the access token. docs/push/amazon.md explains it.
#include <odoosync/push/amazon.hpp>

#include <odoosync/core/json.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/http/headers.hpp>
#include <odoosync/http/retry_after.hpp>
#include <odoosync/http/transport.hpp>
#include <odoosync/http/url.hpp>
#include <odoosync/push/channel_client.hpp>
#include <odoosync/retail/timestamp.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <functional>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace odoosync {
inline namespace v0 {
namespace push {

namespace amazon {
std::string package_reference_id(std::string_view shipment) {
  std::uint64_t h = 14695981039346656037ULL;  // FNV-1a, 64 bits
  for (unsigned char c : shipment) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return std::to_string(h % 1'000'000'000'000'000ULL + 1);
}
}  // namespace amazon

namespace {

using namespace std::chrono_literals;

// Unreserved characters (RFC 3986) stay, everything else is %XX: SKUs may hold '/', '#', spaces and
// non-ASCII, which Amazon takes only encoded (developer-docs.amazon.com/sp-api/docs/url-encoding).
std::string percent_encode(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

void replace_all(std::string& text, std::string_view secret) {
  if (secret.size() < 4) return;
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
    text.replace(at, secret.size(), Secret::redacted);
    at += Secret::redacted.size();
  }
}

// The marketplaces' currencies (developer-docs.amazon.com/sp-api/docs/marketplace-ids), for an endpoint
// that does not name its currency.
std::string_view marketplace_currency(std::string_view marketplace) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 22> table{{
      {"ATVPDKIKX0DER", "USD"},  {"A2EUQ1WTGCTBG", "CAD"},  {"A1AM78C64UM0Y8", "MXN"}, {"A2Q3Y263D00KWC", "BRL"},
      {"A1PA6795UKMFR9", "EUR"}, {"A1RKKUPIHCS9HS", "EUR"}, {"A13V1IB3VIYZZH", "EUR"}, {"APJ6JRA9NG5V4", "EUR"},
      {"A1805IZSGTT6HS", "EUR"}, {"AMEN7PMS3EDWL", "EUR"},  {"A1F83G8C2ARO7P", "GBP"}, {"A2NODRKZP88ZB9", "SEK"},
      {"A1C3SOZRARQ6R3", "PLN"}, {"A33AVAJ2PDY3EV", "TRY"}, {"A21TJRUUN4KGV", "INR"},  {"A2VIGQ35RCS4UG", "AED"},
      {"A17E79C6D8DWNP", "SAR"}, {"ARBP9OOSHTCHU", "EGP"},  {"A1VC38T7YXB528", "JPY"}, {"A39IBJ37TRP1C6", "AUD"},
      {"A19VAU5U5O7RUS", "SGD"}, {"A15PK738MTQHSO", "ZAR"},
  }};
  for (const auto& [id, code] : table) {
    if (id == marketplace) return code;
  }
  return {};
}

// Amazon's carrier codes for the common carriers (the confirmShipment CarrierCode list); anything else is
// "Other" with the carrier's own name.
std::string_view carrier_code(std::string_view carrier) {
  static constexpr std::array<std::string_view, 18> codes{
      "UPS",       "USPS",       "FedEx",    "DHL",         "DHL eCommerce", "DPD",
      "GLS",       "Hermes",     "TNT",      "Royal Mail",  "Parcelforce",   "Deutsche Post",
      "Colissimo", "Chronopost", "La Poste", "Canada Post", "Japan Post",    "Yamato Transport"};
  for (auto code : codes) {
    if (http::iequals(code, carrier)) return code;
  }
  return "Other";
}

struct Bucket {
  double rate = 1;   // tokens per second
  double burst = 1;  // the bucket's size
  double tokens = 1;
  Clock::time_point last{};
};

enum class Op : std::size_t { patch, get, order_items, confirm, create_document, create_feed, get_feed, get_document };
constexpr std::array<std::string_view, 8> op_names{"patchListingsItem", "getListingsItem",    "getOrderItems",
                                                   "confirmShipment",   "createFeedDocument", "createFeed",
                                                   "getFeed",           "getFeedDocument"};

// "code: message (details)" for each entry of an SP-API ErrorList; the raw text when it is not one.
std::string error_list_text(std::string_view body) {
  auto doc = json::parse(body);
  std::string out;
  if (doc) {
    if (const auto* errors = json::find(doc.value(), "errors"); errors && errors->IsArray()) {
      for (const auto& e : errors->GetArray()) {
        if (!out.empty()) out += "; ";
        const auto* code = json::find(e, "code");
        const auto* message = json::find(e, "message");
        const auto* details = json::find(e, "details");
        if (code) out += std::string(json::text(*code)) + ": ";
        if (message) out += json::text(*message);
        if (details && !json::text(*details).empty()) out += " (" + std::string(json::text(*details)) + ")";
      }
    }
  }
  if (out.empty()) out = std::string(body.substr(0, 300));
  return Error::bounded(std::move(out), 1024);
}

struct OrderLine {
  std::string order_item_id;
  std::string sku;
  std::int64_t ordered = 0;
  std::int64_t shipped = 0;
};

class AmazonClient final : public ChannelClient {
 public:
  struct Config {
    std::string channel, base_url, seller_id, marketplace_id, lwa_url, product_type, channel_code;
    retail::Currency currency;
    std::chrono::milliseconds timeout{0};
    std::chrono::milliseconds max_wait{30'000};
    double listings_rate = amazon::patch_rate;
    std::size_t feed_threshold = 0;  // 0: no feeds
    std::chrono::milliseconds feed_poll{30'000};
    std::chrono::milliseconds feed_timeout{600'000};
    std::shared_ptr<SecretSource> client_id, client_secret, refresh_token;
  };

  AmazonClient(Config config, std::shared_ptr<http::Transport> transport, Clock& clock)
      : cfg_(std::move(config)), transport_(std::move(transport)), clock_(clock) {
    // Each local bucket refills at the documented rate but holds at most half the server's burst, so
    // that requests arriving a little early (network jitter) still find tokens in Amazon's bucket.
    auto init = [&](Op op, double rate, double burst) {
      auto& b = buckets_[static_cast<std::size_t>(op)];
      b.rate = rate;
      b.burst = std::max(1.0, std::floor(burst / 2));
      b.tokens = b.burst;
      b.last = clock_.now();
    };
    init(Op::patch, cfg_.listings_rate, amazon::patch_burst);
    init(Op::get, amazon::get_rate, amazon::get_burst);
    init(Op::order_items, amazon::order_items_rate, amazon::order_items_burst);
    init(Op::confirm, amazon::confirm_rate, amazon::confirm_burst);
    init(Op::create_document, amazon::create_document_rate, amazon::create_document_burst);
    init(Op::create_feed, amazon::create_feed_rate, amazon::create_feed_burst);
    init(Op::get_feed, amazon::get_feed_rate, amazon::get_feed_burst);
    init(Op::get_document, amazon::get_document_rate, amazon::get_document_burst);
  }

  std::string_view provider() const noexcept override { return "amazon"; }

  ChannelLimits limits() const override {
    ChannelLimits l;
    // One SKU per PATCH; with feeds on, a call may carry a whole feed's worth (the feed schema's limit).
    l.max_levels_per_call = cfg_.feed_threshold > 0 ? amazon::feed_max_messages : 1;
    l.max_prices_per_call = l.max_levels_per_call;
    l.sustained_rate = buckets_[static_cast<std::size_t>(Op::patch)].rate;
    l.unit = "requests";
    l.max_wait = cfg_.max_wait;
    return l;
  }

  result<std::vector<ItemResult>> set_levels(std::span<const Level> levels) override {
    waited_ = 0ms;
    std::vector<Patch> patches;
    patches.reserve(levels.size());
    for (const auto& level : levels) {
      Patch p{level.sku, "fulfillment_availability", {}, std::nullopt};
      if (!level.location.empty()) {
        p.refused =
            ItemResult{Outcome::not_listed, std::nullopt,
                       "Amazon keeps one merchant-fulfilled quantity per SKU: no location '" + level.location + "'"};
      } else if (level.quantity < 0) {
        p.refused =
            ItemResult{Outcome::rejected, std::nullopt, "quantity " + std::to_string(level.quantity) + " is negative"};
      }
      const std::int64_t quantity = level.quantity;
      p.value = [this, quantity](json::Writer& w) {
        w.begin_object().member("fulfillment_channel_code", cfg_.channel_code).member("quantity", quantity);
        w.end_object();
      };
      patches.push_back(std::move(p));
    }
    return apply(patches);
  }

  result<std::vector<ItemResult>> set_prices(std::span<const Price> prices) override {
    waited_ = 0ms;
    std::vector<Patch> patches;
    patches.reserve(prices.size());
    for (const auto& price : prices) {
      Patch p{price.sku, "purchasable_offer", {}, std::nullopt};
      if (!(price.price.currency() == cfg_.currency)) {
        p.refused = ItemResult{Outcome::rejected, std::nullopt,
                               "price in " + std::string(price.price.currency().code()) + " but marketplace " +
                                   cfg_.marketplace_id + " sells in " + std::string(cfg_.currency.code())};
      } else if (price.price.minor_units() <= 0) {
        p.refused =
            ItemResult{Outcome::rejected, std::nullopt, "price " + price.price.to_string() + " is not positive"};
      }
      const retail::Money money = price.price;
      p.value = [this, money](json::Writer& w) {
        w.begin_object().member("marketplace_id", cfg_.marketplace_id);
        w.member("currency", money.currency().code()).key("our_price").begin_array().begin_object();
        w.key("schedule").begin_array().begin_object().key("value_with_tax").decimal(money.amount());
        w.end_object().end_array().end_object().end_array().end_object();
      };
      patches.push_back(std::move(p));
    }
    return apply(patches);
  }

  result<std::vector<ItemResult>> fulfil(std::span<const Fulfilment> fulfilments) override {
    waited_ = 0ms;
    std::vector<ItemResult> out;
    out.reserve(fulfilments.size());
    for (const auto& f : fulfilments) {
      auto item = fulfil_one(f);
      if (!item) return fail_rest(std::move(out), fulfilments.size(), std::move(item).error());
      out.push_back(std::move(item).value());
    }
    return out;
  }

  result<std::optional<std::int64_t>> read_level(std::string_view sku, std::string_view location) override {
    waited_ = 0ms;
    if (!location.empty()) return std::optional<std::int64_t>{};
    ODOOSYNC_TRY(res, send(Op::get, http::Method::get, listing_url(sku, "summaries,fulfillmentAvailability"), {}));
    if (res.status == 404) return std::optional<std::int64_t>{};
    if (res.status != 200) return status_error(Op::get, res);
    auto doc = json::parse(res.body);
    if (!doc) return protocol_error(Op::get, doc.error().message());
    remember_product_type(sku, doc.value());
    if (const auto* fa = json::find(doc.value(), "fulfillmentAvailability"); fa && fa->IsArray()) {
      for (const auto& entry : fa->GetArray()) {
        const auto* code = json::find(entry, "fulfillmentChannelCode");
        const auto* qty = json::find(entry, "quantity");
        if (code && json::text(*code) == cfg_.channel_code && qty && qty->IsInt64())
          return std::optional<std::int64_t>{qty->GetInt64()};
      }
    }
    return std::optional<std::int64_t>{0};  // listed, with no quantity for our fulfilment channel
  }

 private:
  // A failure at the first item fails the whole call (nothing happened); later, the items already sent
  // keep their results and the rest are to be sent again.
  result<std::vector<ItemResult>> fail_rest(std::vector<ItemResult> done, std::size_t total, Error error) {
    if (done.empty()) return error;
    const std::string why = error.message();
    while (done.size() < total) done.push_back({Outcome::retry, std::nullopt, why});
    return done;
  }

  std::string base() const { return cfg_.base_url; }

  std::string listing_url(std::string_view sku, std::string_view included) const {
    std::string url = base() + "/listings/2021-08-01/items/" + percent_encode(cfg_.seller_id) + "/" +
                      percent_encode(sku) + "?marketplaceIds=" + percent_encode(cfg_.marketplace_id);
    if (!included.empty()) url += "&includedData=" + percent_encode(included);
    return url;
  }

  // Every secret the client holds, as is and percent-encoded (the LWA form carries them encoded, and a
  // server's error page may quote that form).
  std::vector<std::string> secrets() const {
    std::vector<std::string> out;
    for (const Secret* s : {&access_token_, &client_secret_, &refresh_token_, &client_id_}) {
      if (s->empty()) continue;
      out.emplace_back(s->reveal());
      if (auto encoded = percent_encode(s->reveal()); encoded != s->reveal()) out.push_back(std::move(encoded));
    }
    return out;
  }
  std::string scrub(std::string text) const {
    for (const auto& s : secrets()) replace_all(text, s);
    return text;
  }
  Error scrub(Error e) const {
    for (const auto& s : secrets()) e.redact(s);
    return e;
  }

  std::string prefix() const { return "channel '" + cfg_.channel + "': "; }

  Error status_error(Op op, const http::Response& res) const {
    Error e = Error::http_status(
        res.status, prefix() + "Amazon " + std::string(op_names[static_cast<std::size_t>(op)]) + " answered HTTP " +
                        std::to_string(res.status) + ": " + error_list_text(res.body));
    if (auto ra = res.header("retry-after")) {
      if (auto d = http::parse_retry_after(*ra, clock_.wall_now())) e.with_retry_after(*d);
    }
    return scrub(std::move(e));
  }
  Error protocol_error(Op op, const std::string& why) const {
    return scrub(Error::protocol(prefix() + "cannot read Amazon's " +
                                 std::string(op_names[static_cast<std::size_t>(op)]) + " answer: " + why));
  }

  // --- Login with Amazon ---------------------------------------------------------------------------

  result<void> read_secrets(bool refresh) {
    auto read = [&](const std::shared_ptr<SecretSource>& src, std::string_view name, Secret& into) -> result<void> {
      auto v = refresh ? src->refresh() : src->current();
      if (!v) {
        return Error(v.error().kind(), prefix() + "secret '" + std::string(name) + "' (" + src->description() +
                                           "): " + v.error().message());
      }
      if (v.value().empty())
        return Error::validation(prefix() + "secret '" + std::string(name) + "' (" + src->description() + ") is empty");
      into = std::move(v).value();
      return success();
    };
    ODOOSYNC_TRYV(read(cfg_.client_id, amazon::secret_client_id, client_id_));
    ODOOSYNC_TRYV(read(cfg_.client_secret, amazon::secret_client_secret, client_secret_));
    ODOOSYNC_TRYV(read(cfg_.refresh_token, amazon::secret_refresh_token, refresh_token_));
    return success();
  }

  // Exchanges the refresh token for an access token (grant_type=refresh_token, form-encoded). A refusal
  // re-reads the secrets once (an operator may have rotated them) and asks again before giving up.
  result<void> fetch_token(bool refresh_secrets) {
    access_token_ = Secret{};
    for (int attempt = 0;; ++attempt) {
      ODOOSYNC_TRYV(read_secrets(refresh_secrets || attempt > 0));
      http::Request req;
      req.method = http::Method::post;
      req.url = cfg_.lwa_url;
      req.timeout = cfg_.timeout;
      req.headers.set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8");
      req.headers.set("Accept", "application/json");
      req.body = "grant_type=refresh_token&refresh_token=" + percent_encode(refresh_token_.reveal()) +
                 "&client_id=" + percent_encode(client_id_.reveal()) +
                 "&client_secret=" + percent_encode(client_secret_.reveal());
      auto sent = transport_->send(req);
      if (!sent) {
        return scrub(std::move(sent).error().with_message_prefix(prefix() + "Login with Amazon token request: "));
      }
      const auto& res = sent.value();
      auto doc = json::parse(res.body);
      if (res.status == 200) {
        if (!doc) return scrub(Error::protocol(prefix() + "Login with Amazon answered unreadable JSON"));
        const auto* token = json::find(doc.value(), "access_token");
        const auto* expires = json::find(doc.value(), "expires_in");
        if (!token || json::text(*token).empty() || !expires || !expires->IsInt64() || expires->GetInt64() <= 0)
          return scrub(Error::protocol(prefix() + "Login with Amazon's answer has no access_token and expires_in"));
        access_token_ = Secret(std::string(json::text(*token)));
        // Renewed a minute before it expires (half its life, for a token living under two minutes).
        const std::chrono::seconds life(expires->GetInt64());
        renew_at_ = clock_.now() + life - std::min<std::chrono::seconds>(60s, life / 2);
        return success();
      }
      std::string why = "HTTP " + std::to_string(res.status);
      if (doc) {
        const auto* err = json::find(doc.value(), "error");
        const auto* desc = json::find(doc.value(), "error_description");
        if (err) why += ": " + std::string(json::text(*err));
        if (desc) why += " (" + std::string(json::text(*desc)) + ")";
      }
      if ((res.status == 400 || res.status == 401) && attempt == 0 && !refresh_secrets) continue;
      if (res.status == 400 || res.status == 401) {
        return scrub(Error(ErrorKind::auth, prefix() + "Login with Amazon refused the LWA credentials: " + why))
            .with_http_status(res.status);
      }
      Error e = Error::http_status(res.status, prefix() + "Login with Amazon token request failed: " + why);
      if (auto ra = res.header("retry-after")) {
        if (auto d = http::parse_retry_after(*ra, clock_.wall_now())) e.with_retry_after(*d);
      }
      return scrub(std::move(e));
    }
  }

  // The access token, renewed a minute before it expires.
  result<void> ensure_token() {
    if (!access_token_.empty() && clock_.now() < renew_at_) return success();
    return fetch_token(false);
  }

  // --- pacing ----------------------------------------------------------------------------------------

  // Waits for the operation's next token. Each wait is at most one token's time (200 ms for a PATCH);
  // one longer than max_wait (createFeed after a burst of feeds: two minutes) is not waited: the call
  // gives up with backpressure, as for a 429. getFeed and getFeedDocument (one per 45 s) come after
  // createFeed, when giving up would leave the feed's outcome unknown: they wait up to feed_timeout.
  result<void> take_token(Op op) {
    auto& b = buckets_[static_cast<std::size_t>(op)];
    for (;;) {
      const auto now = clock_.now();
      const double elapsed = std::chrono::duration<double>(now - b.last).count();
      b.tokens = std::min(b.burst, b.tokens + std::max(0.0, elapsed) * b.rate);
      b.last = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return success();
      }
      const auto wait = std::max<Clock::duration>(
          std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>((1 - b.tokens) / b.rate)), 1ms);
      // The feed's own calls, once it is submitted, wait as long as the feed may take.
      const auto limit = op == Op::get_feed || op == Op::get_document ? cfg_.feed_timeout : cfg_.max_wait;
      if (wait > limit) {
        const auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait);
        return Error(ErrorKind::backpressure, prefix() + "Amazon's usage plan for " +
                                                  std::string(op_names[static_cast<std::size_t>(op)]) + " allows " +
                                                  std::to_string(b.rate) + " requests/s: the next one in " +
                                                  std::to_string(ms.count()) + " ms, beyond max_wait")
            .with_retry_after(ms);
      }
      clock_.sleep_for(wait);
    }
  }

  // x-amzn-RateLimit-Limit tells the rate Amazon applied to this operation: the bucket follows it.
  void note_rate(Op op, const http::Response& res) {
    auto h = res.header("x-amzn-RateLimit-Limit");
    if (!h) return;
    const auto n = json::to_number(*h);
    double rate = 0;
    if (n.kind == json::Number::Kind::real) rate = n.d;
    if (n.kind == json::Number::Kind::int64) rate = static_cast<double>(n.i);
    if (rate > 0 && rate < 1e6) buckets_[static_cast<std::size_t>(op)].rate = rate;
  }

  // One SP-API request: the access token (renewed once on a 401/403), the operation's pacing, and 429s
  // waited out within max_wait for the whole call.
  result<http::Response> send(Op op, http::Method method, const std::string& url, std::string body) {
    http::Request req;
    req.method = method;
    req.url = url;
    req.timeout = cfg_.timeout;
    req.idempotent = true;  // absolute values, shipments keyed by package: safe to send again
    req.headers.set("Accept", "application/json");
    req.headers.set("User-Agent", "odoosync/0.1 (Language=C++)");
    if (!body.empty()) req.headers.set("Content-Type", "application/json");
    req.body = std::move(body);
    bool renewed = false;
    int throttled = 0;
    for (;;) {
      ODOOSYNC_TRYV(ensure_token());
      ODOOSYNC_TRYV(take_token(op));
      req.headers.set("x-amz-access-token", std::string(access_token_.reveal()));
      auto sent = transport_->send(req);
      if (!sent) {
        return scrub(std::move(sent).error().with_message_prefix(
            prefix() + "Amazon " + std::string(op_names[static_cast<std::size_t>(op)]) + ": "));
      }
      http::Response res = std::move(sent).value();
      note_rate(op, res);
      if (res.status == 401 || res.status == 403) {
        if (!renewed) {
          renewed = true;
          ODOOSYNC_TRYV(fetch_token(true));
          continue;
        }
        return scrub(Error(ErrorKind::auth, prefix() + "Amazon refused the access token for " +
                                                std::string(op_names[static_cast<std::size_t>(op)]) + ": " +
                                                error_list_text(res.body)))
            .with_http_status(res.status);
      }
      if (res.status == 429) {
        auto& b = buckets_[static_cast<std::size_t>(op)];
        b.tokens = 0;
        b.last = clock_.now();
        std::chrono::milliseconds wait{static_cast<std::int64_t>(std::ceil(1000.0 / b.rate))};
        if (auto ra = res.header("retry-after")) {
          if (auto d = http::parse_retry_after(*ra, clock_.wall_now())) wait = std::max(wait, *d);
        }
        if (throttled < 8 && waited_ + wait <= cfg_.max_wait) {
          ++throttled;
          waited_ += wait;
          clock_.sleep_for(wait);
          continue;
        }
        return scrub(Error(ErrorKind::backpressure, prefix() + "Amazon throttles " +
                                                        std::string(op_names[static_cast<std::size_t>(op)]) +
                                                        " (HTTP 429: " + error_list_text(res.body) + "); waited " +
                                                        std::to_string(waited_.count()) + " ms of the " +
                                                        std::to_string(cfg_.max_wait.count()) + " ms allowed"))
            .with_http_status(429)
            .with_retry_after(wait);
      }
      return res;
    }
  }

  // --- listings --------------------------------------------------------------------------------------

  void remember_product_type(std::string_view sku, const json::Value& item) {
    if (!cfg_.product_type.empty()) {
      product_types_[std::string(sku)] = cfg_.product_type;
      return;
    }
    if (const auto* summaries = json::find(item, "summaries"); summaries && summaries->IsArray()) {
      for (const auto& s : summaries->GetArray()) {
        const auto* m = json::find(s, "marketplaceId");
        const auto* pt = json::find(s, "productType");
        if (m && json::text(*m) == cfg_.marketplace_id && pt && !json::text(*pt).empty()) {
          product_types_[std::string(sku)] = std::string(json::text(*pt));
          return;
        }
      }
    }
  }

  // The SKU's product type, looked up once (getListingsItem, summaries) and cached. Looking it up also
  // tells whether the SKU is listed at all: Amazon accepts a PATCH for a SKU it does not know (it keeps
  // an offer without an item), so the client never patches a SKU it has not seen listed.
  result<std::optional<std::string>> product_type(std::string_view sku, ItemResult& refusal) {
    if (auto it = product_types_.find(std::string(sku)); it != product_types_.end()) return std::optional{it->second};
    ODOOSYNC_TRY(res, send(Op::get, http::Method::get, listing_url(sku, "summaries"), {}));
    if (res.status == 404) {
      refusal = {Outcome::not_listed, std::nullopt, scrub(error_list_text(res.body))};
      return std::optional<std::string>{};
    }
    if (res.status == 400) {
      refusal = {Outcome::rejected, std::nullopt, scrub(error_list_text(res.body))};
      return std::optional<std::string>{};
    }
    if (res.status != 200) return status_error(Op::get, res);
    auto doc = json::parse(res.body);
    if (!doc) return protocol_error(Op::get, doc.error().message());
    remember_product_type(sku, doc.value());
    if (auto it = product_types_.find(std::string(sku)); it != product_types_.end()) return std::optional{it->second};
    refusal = {Outcome::not_listed, std::nullopt,
               "SKU '" + std::string(sku) + "' has no listing in marketplace " + cfg_.marketplace_id};
    return std::optional<std::string>{};
  }

  // One item's change: a replace of one attribute of one SKU, unless refused before sending.
  struct Patch {
    std::string sku;
    std::string_view attribute;
    std::function<void(json::Writer&)> value;
    std::optional<ItemResult> refused;
  };

  static void write_patches(json::Writer& w, const Patch& p) {
    w.key("patches").begin_array().begin_object().member("op", "replace");
    w.member("path", "/attributes/" + std::string(p.attribute)).key("value").begin_array();
    p.value(w);
    w.end_array().end_object().end_array();
  }

  // One PATCH per SKU, or one feed for the batch when feeds are on and the batch is large enough.
  result<std::vector<ItemResult>> apply(const std::vector<Patch>& patches) {
    const auto sendable = static_cast<std::size_t>(
        std::count_if(patches.begin(), patches.end(), [](const Patch& p) { return !p.refused; }));
    if (cfg_.feed_threshold > 0 && sendable >= cfg_.feed_threshold) return via_feed(patches);
    std::vector<ItemResult> out;
    out.reserve(patches.size());
    for (const auto& p : patches) {
      if (p.refused) {
        out.push_back(*p.refused);
        continue;
      }
      auto item = patch(p);
      if (!item) return fail_rest(std::move(out), patches.size(), std::move(item).error());
      out.push_back(std::move(item).value());
    }
    return out;
  }

  // patchListingsItem with one replace of one attribute, and what its answer means for the item.
  result<ItemResult> patch(const Patch& p) {
    const std::string& sku = p.sku;
    ItemResult refusal;
    ODOOSYNC_TRY(type, product_type(sku, refusal));
    if (!type) return refusal;
    json::Writer w;
    w.begin_object().member("productType", *type);
    write_patches(w, p);
    w.end_object();
    auto text = w.view();
    if (!text) return ItemResult{Outcome::rejected, std::nullopt, text.error().message()};
    ODOOSYNC_TRY(res, send(Op::patch, http::Method::patch, listing_url(sku, ""), std::string(text.value())));
    if (res.status == 404) {
      product_types_.erase(std::string(sku));
      return ItemResult{Outcome::not_listed, std::nullopt, scrub(error_list_text(res.body))};
    }
    if (res.status == 400 || res.status == 413 || res.status == 415)
      return ItemResult{Outcome::rejected, std::nullopt, scrub(error_list_text(res.body))};
    if (res.status != 200) return status_error(Op::patch, res);
    auto doc = json::parse(res.body);
    if (!doc) return protocol_error(Op::patch, doc.error().message());
    const auto* status = json::find(doc.value(), "status");
    if (!status || !status->IsString()) return protocol_error(Op::patch, "no submission status");
    std::string errors;
    if (const auto* issues = json::find(doc.value(), "issues"); issues && issues->IsArray()) {
      for (const auto& issue : issues->GetArray()) {
        const auto* severity = json::find(issue, "severity");
        if (!severity || json::text(*severity) != "ERROR") continue;
        if (!errors.empty()) errors += "; ";
        if (const auto* code = json::find(issue, "code")) errors += std::string(json::text(*code)) + ": ";
        if (const auto* message = json::find(issue, "message")) errors += json::text(*message);
      }
    }
    const auto s = json::text(*status);
    if (s == "ACCEPTED" && errors.empty()) return ItemResult{};
    if (s == "ACCEPTED" || s == "INVALID") {
      if (errors.empty()) errors = "the submission is INVALID";
      return ItemResult{Outcome::rejected, std::nullopt, scrub(Error::bounded(std::move(errors), 1024))};
    }
    return protocol_error(Op::patch, "unexpected submission status '" + std::string(s) + "'");
  }

  // --- JSON_LISTINGS_FEED ----------------------------------------------------------------------------

  // The batch as one feed: every sendable SKU's product type first (the same lookup as for a PATCH, so
  // an unlisted SKU is not_listed here too), then one PATCH message per SKU, messageId = its index + 1.
  result<std::vector<ItemResult>> via_feed(const std::vector<Patch>& patches) {
    const std::size_t n = patches.size();
    std::vector<std::optional<ItemResult>> out(n);
    std::vector<std::string> types(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (patches[i].refused) {
        out[i] = patches[i].refused;
        continue;
      }
      ItemResult refusal;
      ODOOSYNC_TRY(type, product_type(patches[i].sku, refusal));
      if (type) {
        types[i] = std::move(*type);
      } else {
        out[i] = std::move(refusal);
      }
    }
    json::Writer w;
    w.begin_object().key("header").begin_object().member("sellerId", cfg_.seller_id).member("version", "2.0");
    w.member("issueLocale", "en_US").end_object().key("messages").begin_array();
    std::size_t messages = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (out[i]) continue;
      ++messages;
      w.begin_object().member("messageId", static_cast<std::int64_t>(i + 1)).member("sku", patches[i].sku);
      w.member("operationType", "PATCH").member("productType", types[i]);
      write_patches(w, patches[i]);
      w.end_object();
    }
    w.end_array().end_object();
    if (messages > 0) {
      auto text = w.view();
      if (!text) return Error::validation(prefix() + "the listings feed: " + text.error().message());
      ODOOSYNC_TRY(issues, run_feed(std::string(text.value())));
      for (std::size_t i = 0; i < n; ++i) {
        if (out[i]) continue;
        auto it = issues.find(static_cast<std::int64_t>(i + 1));
        out[i] = it == issues.end() ? ItemResult{} : ItemResult{Outcome::rejected, std::nullopt, it->second};
      }
    }
    std::vector<ItemResult> results;
    results.reserve(n);
    for (auto& r : out) results.push_back(std::move(*r));
    return results;
  }

  // A request to a pre-signed document URL: no access token, no pacing (it is storage, not SP-API).
  result<http::Response> document_request(http::Method method, const std::string& url, std::string body) {
    http::Request req;
    req.method = method;
    req.url = url;
    req.timeout = cfg_.timeout;
    req.idempotent = true;
    if (method == http::Method::put) req.headers.set("Content-Type", std::string(feed_content_type));
    req.body = std::move(body);
    auto sent = transport_->send(req);
    if (!sent) return scrub(std::move(sent).error().with_message_prefix(prefix() + "feed document: "));
    return std::move(sent).value();
  }

  static constexpr std::string_view feed_content_type = "application/json; charset=UTF-8";

  // Uploads the feed, creates it, waits for Amazon to process it (getFeed every feed_poll, at most
  // feed_timeout), and reads the processing report: the ERROR issues' text by messageId.
  result<std::map<std::int64_t, std::string>> run_feed(std::string feed) {
    const std::string api = base() + "/feeds/2021-06-30";
    json::Writer w;
    w.begin_object().member("contentType", feed_content_type).end_object();
    ODOOSYNC_TRY(doc_res,
                 send(Op::create_document, http::Method::post, api + "/documents", std::string(w.unchecked_view())));
    if (doc_res.status != 201 && doc_res.status != 200) return status_error(Op::create_document, doc_res);
    auto doc = json::parse(doc_res.body);
    if (!doc) return protocol_error(Op::create_document, doc.error().message());
    const auto* doc_id = json::find(doc.value(), "feedDocumentId");
    const auto* upload_url = json::find(doc.value(), "url");
    if (!doc_id || !upload_url || json::text(*upload_url).empty())
      return protocol_error(Op::create_document, "no feedDocumentId and url");
    ODOOSYNC_TRY(up, document_request(http::Method::put, std::string(json::text(*upload_url)), std::move(feed)));
    if (up.status < 200 || up.status > 299)
      return scrub(
          Error::http_status(up.status, prefix() + "uploading the listings feed: HTTP " + std::to_string(up.status)));

    w.clear();
    w.begin_object().member("feedType", "JSON_LISTINGS_FEED").key("marketplaceIds").begin_array();
    w.string(cfg_.marketplace_id).end_array().member("inputFeedDocumentId", json::text(*doc_id)).end_object();
    ODOOSYNC_TRY(feed_res, send(Op::create_feed, http::Method::post, api + "/feeds", std::string(w.unchecked_view())));
    if (feed_res.status != 202 && feed_res.status != 200) return status_error(Op::create_feed, feed_res);
    auto created = json::parse(feed_res.body);
    if (!created) return protocol_error(Op::create_feed, created.error().message());
    const auto* id_value = json::find(created.value(), "feedId");
    if (!id_value || json::text(*id_value).empty()) return protocol_error(Op::create_feed, "no feedId");
    const std::string feed_id(json::text(*id_value));

    // From here on Amazon has the feed: a failure leaves its outcome unknown.
    auto unknown = [&](Error e) {
      return std::move(e.with_message_prefix("feed " + feed_id + ": ")).with_outcome_unknown(true);
    };
    const auto deadline = clock_.now() + cfg_.feed_timeout;
    std::string report_id;
    for (;;) {
      auto polled = send(Op::get_feed, http::Method::get, api + "/feeds/" + percent_encode(feed_id), {});
      if (!polled) return unknown(std::move(polled).error());
      if (polled.value().status != 200) return unknown(status_error(Op::get_feed, polled.value()));
      auto state = json::parse(polled.value().body);
      if (!state) return unknown(protocol_error(Op::get_feed, state.error().message()));
      const auto* status = json::find(state.value(), "processingStatus");
      const std::string_view st = status ? json::text(*status) : std::string_view();
      if (st == "DONE") {
        const auto* result_id = json::find(state.value(), "resultFeedDocumentId");
        if (!result_id || json::text(*result_id).empty())
          return unknown(protocol_error(Op::get_feed, "DONE without resultFeedDocumentId"));
        report_id = std::string(json::text(*result_id));
        break;
      }
      if (st == "CANCELLED")  // cancelled before processing: nothing of it was applied
        return Error::http_status(409, prefix() + "feed " + feed_id + " was CANCELLED before processing");
      if (st == "FATAL")
        return unknown(Error::protocol(
            prefix() + "Amazon aborted the listings feed (FATAL): some, none or all of it may be applied"));
      if (st != "IN_QUEUE" && st != "IN_PROGRESS")
        return unknown(protocol_error(Op::get_feed, "unknown processingStatus '" + std::string(st) + "'"));
      if (clock_.now() + cfg_.feed_poll > deadline) {
        return unknown(Error(ErrorKind::backpressure, prefix() + "still " + std::string(st) + " after " +
                                                          std::to_string(cfg_.feed_timeout.count()) + " ms"))
            .with_retry_after(cfg_.feed_poll);
      }
      clock_.sleep_for(cfg_.feed_poll);
    }

    auto located = send(Op::get_document, http::Method::get, api + "/documents/" + percent_encode(report_id), {});
    if (!located) return unknown(std::move(located).error());
    if (located.value().status != 200) return unknown(status_error(Op::get_document, located.value()));
    auto where = json::parse(located.value().body);
    if (!where) return unknown(protocol_error(Op::get_document, where.error().message()));
    const auto* report_url = json::find(where.value(), "url");
    if (!report_url || json::text(*report_url).empty()) return unknown(protocol_error(Op::get_document, "no url"));
    if (const auto* algo = json::find(where.value(), "compressionAlgorithm"); algo && !json::text(*algo).empty())
      return unknown(protocol_error(Op::get_document, "the processing report is " + std::string(json::text(*algo)) +
                                                          "-compressed, which this client does not read"));
    auto got = document_request(http::Method::get, std::string(json::text(*report_url)), {});
    if (!got) return unknown(std::move(got).error());
    if (got.value().status != 200)
      return unknown(Error::http_status(got.value().status,
                                        prefix() + "processing report: HTTP " + std::to_string(got.value().status)));
    auto report = json::parse(got.value().body);
    if (!report) return unknown(Error::protocol(prefix() + "processing report: " + report.error().message()));
    std::map<std::int64_t, std::string> issues;
    if (const auto* list = json::find(report.value(), "issues"); list && list->IsArray()) {
      for (const auto& issue : list->GetArray()) {
        const auto* message_id = json::find(issue, "messageId");
        const auto* severity = json::find(issue, "severity");
        if (!message_id || !message_id->IsInt64() || !severity || json::text(*severity) != "ERROR") continue;
        std::string& text = issues[message_id->GetInt64()];
        if (!text.empty()) text += "; ";
        if (const auto* code = json::find(issue, "code")) text += std::string(json::text(*code)) + ": ";
        if (const auto* message = json::find(issue, "message")) text += json::text(*message);
        text = scrub(Error::bounded(std::move(text), 1024));
      }
    }
    return issues;
  }

  // --- orders ----------------------------------------------------------------------------------------

  result<std::optional<std::vector<OrderLine>>> order_items(const std::string& order_id, std::string& why) {
    std::vector<OrderLine> lines;
    std::string next;
    for (int page = 0; page < 100; ++page) {
      std::string url = base() + "/orders/v0/orders/" + percent_encode(order_id) + "/orderItems";
      if (!next.empty()) url += "?NextToken=" + percent_encode(next);
      ODOOSYNC_TRY(res, send(Op::order_items, http::Method::get, url, {}));
      if (res.status == 404 || res.status == 400) {
        why = scrub(error_list_text(res.body));
        return std::optional<std::vector<OrderLine>>{};
      }
      if (res.status != 200) return status_error(Op::order_items, res);
      auto doc = json::parse(res.body);
      if (!doc) return protocol_error(Op::order_items, doc.error().message());
      const auto* payload = json::find(doc.value(), "payload");
      const auto* items = payload ? json::find(*payload, "OrderItems") : nullptr;
      if (!items || !items->IsArray()) return protocol_error(Op::order_items, "no payload.OrderItems");
      for (const auto& item : items->GetArray()) {
        const auto* id = json::find(item, "OrderItemId");
        const auto* sku = json::find(item, "SellerSKU");
        const auto* ordered = json::find(item, "QuantityOrdered");
        const auto* shipped = json::find(item, "QuantityShipped");
        if (!id || !ordered || !ordered->IsInt64())
          return protocol_error(Op::order_items, "an order item has no id or quantity");
        lines.push_back({std::string(json::text(*id)), sku ? std::string(json::text(*sku)) : std::string(),
                         ordered->GetInt64(), shipped && shipped->IsInt64() ? shipped->GetInt64() : 0});
      }
      const auto* token = json::find(*payload, "NextToken");
      if (!token || json::text(*token).empty()) break;
      next = std::string(json::text(*token));
    }
    return std::optional{std::move(lines)};
  }

  result<ItemResult> fulfil_one(const Fulfilment& f) {
    if (f.order_id.empty() || f.shipment.empty())
      return ItemResult{Outcome::rejected, std::nullopt, "a fulfilment needs the order id and the shipment"};
    if (f.tracking_number.empty())
      return ItemResult{Outcome::rejected, std::nullopt, "Amazon's confirmShipment requires a tracking number"};
    std::string why;
    ODOOSYNC_TRY(lines, order_items(f.order_id, why));
    if (!lines) return ItemResult{Outcome::not_listed, std::nullopt, why};
    bool all_shipped = true;
    for (const auto& l : *lines) all_shipped = all_shipped && l.shipped >= l.ordered;
    if (all_shipped) return ItemResult{Outcome::applied, std::nullopt, "the order is already shipped"};

    std::vector<std::pair<std::string, std::int64_t>> items;  // orderItemId, quantity
    if (f.lines.empty()) {
      for (const auto& l : *lines) {
        if (l.ordered > l.shipped) items.emplace_back(l.order_item_id, l.ordered - l.shipped);
      }
    } else {
      for (const auto& want : f.lines) {
        if (want.quantity <= 0)
          return ItemResult{Outcome::rejected, std::nullopt, "line " + want.sku + ": quantity must be positive"};
        std::int64_t left = want.quantity;
        const OrderLine* last = nullptr;
        for (const auto& l : *lines) {  // spread over the order's items with this SKU, unshipped first
          if (l.sku != want.sku) continue;
          last = &l;
          const std::int64_t take = std::min(left, std::max<std::int64_t>(0, l.ordered - l.shipped));
          if (take > 0) {
            items.emplace_back(l.order_item_id, take);
            left -= take;
          }
        }
        if (!last)
          return ItemResult{Outcome::rejected, std::nullopt,
                            "order " + f.order_id + " has no item with SKU '" + want.sku + "'"};
        if (left > 0) items.emplace_back(last->order_item_id, left);  // a replay: Amazon judges the package
      }
    }

    json::Writer w;
    w.begin_object().member("marketplaceId", cfg_.marketplace_id).key("packageDetail").begin_object();
    w.member("packageReferenceId", amazon::package_reference_id(f.shipment));
    const auto code = carrier_code(f.carrier);
    w.member("carrierCode", code);
    if (code == "Other") w.member("carrierName", f.carrier.empty() ? std::string("Other") : f.carrier);
    w.member("trackingNumber", f.tracking_number);
    w.member("shipDate", retail::Timestamp::from(clock_.wall_now()).to_string());
    w.key("orderItems").begin_array();
    for (const auto& [id, qty] : items) w.begin_object().member("orderItemId", id).member("quantity", qty).end_object();
    w.end_array().end_object().end_object();
    auto text = w.view();
    if (!text) return ItemResult{Outcome::rejected, std::nullopt, text.error().message()};
    ODOOSYNC_TRY(res, send(Op::confirm, http::Method::post,
                           base() + "/orders/v0/orders/" + percent_encode(f.order_id) + "/shipmentConfirmation",
                           std::string(text.value())));
    if (res.status == 204 || res.status == 200) return ItemResult{};
    if (res.status == 404) return ItemResult{Outcome::not_listed, std::nullopt, scrub(error_list_text(res.body))};
    if (res.status == 400) {
      std::string text400 = scrub(error_list_text(res.body));
      if (text400.find("already fulfilled") != std::string::npos ||
          text400.find("already shipped") != std::string::npos)
        return ItemResult{Outcome::applied, std::nullopt, text400};
      return ItemResult{Outcome::rejected, std::nullopt, text400};
    }
    return status_error(Op::confirm, res);
  }

  Config cfg_;
  std::shared_ptr<http::Transport> transport_;
  Clock& clock_;
  Secret client_id_, client_secret_, refresh_token_, access_token_;
  Clock::time_point renew_at_{};
  std::array<Bucket, 8> buckets_{};
  std::map<std::string, std::string, std::less<>> product_types_;
  std::chrono::milliseconds waited_{0};
};

}  // namespace

result<std::unique_ptr<ChannelClient>> make_amazon_client(const ChannelEndpoint& endpoint, ClientDeps deps) {
  const std::string where = "channel '" + endpoint.channel + "' (amazon): ";
  AmazonClient::Config c;
  c.channel = endpoint.channel;
  c.base_url = endpoint.base_url;
  while (!c.base_url.empty() && c.base_url.back() == '/') c.base_url.pop_back();
  if (c.base_url.empty())
    return Error::validation(where +
                             "base_url is required (the SP-API regional endpoint, e.g. "
                             "https://sellingpartnerapi-eu.amazon.com)");
  if (auto u = http::parse_url(c.base_url); !u) return Error::validation(where + "base_url: " + u.error().message());

  static constexpr std::array<std::string_view, 12> known{amazon::setting_seller_id,
                                                          amazon::setting_marketplace_id,
                                                          amazon::setting_lwa_url,
                                                          amazon::setting_product_type,
                                                          amazon::setting_fulfillment_channel_code,
                                                          amazon::setting_currency,
                                                          amazon::setting_listings_rate,
                                                          amazon::setting_feed_threshold,
                                                          amazon::setting_feed_poll_ms,
                                                          amazon::setting_feed_timeout_ms,
                                                          "max_wait_ms",
                                                          "timeout_ms"};
  for (const auto& [key, value] : endpoint.settings) {
    if (std::find(known.begin(), known.end(), key) == known.end())
      return Error::validation(where + "unknown setting '" + key + "'");
  }
  auto setting = [&](std::string_view key) -> std::string {
    auto it = endpoint.settings.find(key);
    return it == endpoint.settings.end() ? std::string() : it->second;
  };
  c.seller_id = setting(amazon::setting_seller_id);
  if (c.seller_id.empty()) return Error::validation(where + "setting 'seller_id' is required");
  c.marketplace_id = setting(amazon::setting_marketplace_id);
  if (c.marketplace_id.empty()) return Error::validation(where + "setting 'marketplace_id' is required");
  c.lwa_url = setting(amazon::setting_lwa_url);
  if (c.lwa_url.empty()) c.lwa_url = std::string(amazon::default_lwa_url);
  if (auto u = http::parse_url(c.lwa_url); !u)
    return Error::validation(where + "setting 'lwa_url': " + u.error().message());
  c.product_type = setting(amazon::setting_product_type);
  c.channel_code = setting(amazon::setting_fulfillment_channel_code);
  if (c.channel_code.empty()) c.channel_code = "DEFAULT";
  std::string currency = setting(amazon::setting_currency);
  if (currency.empty()) currency = std::string(marketplace_currency(c.marketplace_id));
  if (currency.empty())
    return Error::validation(where + "setting 'currency' is required for marketplace " + c.marketplace_id);
  auto cur = retail::Currency::of(currency);
  if (!cur) return Error::validation(where + "setting 'currency': " + cur.error().message());
  c.currency = cur.value();

  auto positive = [&](std::string_view key, double& into) -> result<void> {
    const std::string text = setting(key);
    if (text.empty()) return success();
    const auto n = json::to_number(text);
    double v = n.kind == json::Number::Kind::int64  ? static_cast<double>(n.i)
               : n.kind == json::Number::Kind::real ? n.d
                                                    : -1;
    if (!(v > 0) || v > 1e9)
      return Error::validation(where + "setting '" + std::string(key) + "' must be a positive number, not '" + text +
                               "'");
    into = v;
    return success();
  };
  ODOOSYNC_TRYV(positive(amazon::setting_listings_rate, c.listings_rate));
  double ms = static_cast<double>(c.max_wait.count());
  ODOOSYNC_TRYV(positive("max_wait_ms", ms));
  c.max_wait = std::chrono::milliseconds(static_cast<std::int64_t>(ms));
  double timeout = 0;
  ODOOSYNC_TRYV(positive("timeout_ms", timeout));
  if (endpoint.timeout) c.timeout = *endpoint.timeout;
  double threshold = 0;
  ODOOSYNC_TRYV(positive(amazon::setting_feed_threshold, threshold));
  if (threshold != std::floor(threshold) || threshold > static_cast<double>(amazon::feed_max_messages))
    return Error::validation(where + "setting 'feed_threshold' must be a whole number up to " +
                             std::to_string(amazon::feed_max_messages));
  c.feed_threshold = static_cast<std::size_t>(threshold);
  double poll = static_cast<double>(c.feed_poll.count());
  ODOOSYNC_TRYV(positive(amazon::setting_feed_poll_ms, poll));
  c.feed_poll = std::chrono::milliseconds(static_cast<std::int64_t>(poll));
  double feed_timeout = static_cast<double>(c.feed_timeout.count());
  ODOOSYNC_TRYV(positive(amazon::setting_feed_timeout_ms, feed_timeout));
  c.feed_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(feed_timeout));
  if (timeout > 0) c.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(timeout));

  static constexpr std::array<std::string_view, 3> secret_names{amazon::secret_client_id, amazon::secret_client_secret,
                                                                amazon::secret_refresh_token};
  for (const auto& [key, source] : endpoint.secrets) {
    if (std::find(secret_names.begin(), secret_names.end(), key) == secret_names.end())
      return Error::validation(where + "unknown secret '" + key + "'");
    if (!source) return Error::validation(where + "secret '" + key + "' has no source");
  }
  auto secret = [&](std::string_view key) -> std::shared_ptr<SecretSource> {
    auto it = endpoint.secrets.find(key);
    return it == endpoint.secrets.end() ? nullptr : it->second;
  };
  c.client_id = secret(amazon::secret_client_id);
  c.client_secret = secret(amazon::secret_client_secret);
  c.refresh_token = secret(amazon::secret_refresh_token);
  for (auto name : secret_names) {
    if (!secret(name)) return Error::validation(where + "secret '" + std::string(name) + "' is required");
  }

  std::shared_ptr<http::Transport> transport = std::move(deps.transport);
  if (!transport) {
    auto curl = http::CurlTransport::create();
    if (!curl) return std::move(curl).error().with_message_prefix(where);
    transport = std::move(curl).value();
  }
  Clock& clock = deps.clock ? *deps.clock : Clock::system();
  return std::unique_ptr<ChannelClient>(std::make_unique<AmazonClient>(std::move(c), std::move(transport), clock));
}

}  // namespace push
}  // namespace v0
}  // namespace odoosync
