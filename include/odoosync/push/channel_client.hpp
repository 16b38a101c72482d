// ChannelClient: what the push layer asks of a channel's API (Shopify Admin GraphQL, WooCommerce REST,
// Square, Amazon SP-API): set sellable quantities, set prices, report fulfilments with tracking. One
// implementation per provider (push/shopify.hpp, push/woocommerce.hpp, push/square.hpp, push/amazon.hpp),
// each on the project's own HTTP stack (http::Transport) and each keeping its provider's discipline:
// rate limits respected before the server refuses, idempotency keys, compare-and-set where the API has
// it, batches no larger than the API takes. docs/push.md describes the layer.
//
// The Pusher (push/pusher.hpp) decides what to send: the latest value per item and location, never an
// older one after a newer, and only items whose value changed. A client only sends what it is given and
// says, per item, what happened; it never retries on its own beyond waiting out its provider's throttle
// within `ChannelLimits::max_wait`, since the Pusher keeps the durable retry schedule and dead letters.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/core/clock.hpp>
#include <odoosync/core/result.hpp>
#include <odoosync/core/secret_source.hpp>
#include <odoosync/retail/money.hpp>
#include <odoosync/retail/timestamp.hpp>

namespace odoosync {
inline namespace v0 {
namespace http {
class Transport;  // http/transport.hpp
}  // namespace http

namespace push {

// Set the channel's sellable quantity of one item at one of its locations.
struct Level {
  std::string sku;       // Odoo's internal reference (product.product default_code): the client finds the item by it
  std::string location;  // the channel's location id (Shopify location GID, Square location_id); "" where
                         // the channel has one stock per item (WooCommerce, Amazon MFN)
  std::int64_t quantity = 0;  // whole units the channel may sell: Odoo's on hand less safety stock, never < 0
  // Compare-and-set: the quantity the channel held when we last set it (what it should hold now unless
  // the channel sold or restocked since). Unset: unknown (first push), the client reads it first where
  // its API has compare-and-set, or sets without comparing where it does not.
  std::optional<std::int64_t> expected{};
  retail::Timestamp as_of{};  // when Odoo's level was true (its write_date): Square's occurred_at
  std::string key{};          // the Pusher's idempotency key for this change (stable across retries)
};

// Set an item's selling price. Currency as the channel's (the client refuses a mismatch as `rejected`).
struct Price {
  std::string sku;
  retail::Money price;
  std::string key{};
};

// The warehouse shipped (part of) a channel's order.
struct Fulfilment {
  std::string order_id;  // the channel's own order id (what the inbound mapping put in client_order_ref)
  std::string shipment;  // Odoo's picking name ("WH/OUT/00012"): one fulfilment per shipment, ever
  struct Line {
    std::string sku;
    std::int64_t quantity = 0;
  };
  std::vector<Line> lines{};  // empty: everything of the order not fulfilled yet
  std::string carrier{};      // "UPS", "DHL Express"; "" unknown
  std::string tracking_number{};
  std::string tracking_url{};
  bool notify_customer = true;
  std::string key{};
};

enum class Outcome {
  applied,     // the channel holds the value now (also: it already did, a replay of an applied change)
  stale,       // compare-and-set refused: the channel's quantity is not `expected` (channel_quantity says what it is)
  not_listed,  // the channel has no such item (SKU) or location or order: nothing to do, not an error
  retry,       // a transient failure of this item alone (a lock, a 5xx for this item): send it again later
  rejected,    // the channel refuses this item for good (invalid value, currency mismatch): a dead letter
};
std::string_view to_string(Outcome outcome) noexcept;

struct ItemResult {
  Outcome outcome = Outcome::applied;
  std::optional<std::int64_t> channel_quantity{};  // stale: what the channel holds (read in the same call)
  std::string message{};                           // not_listed, retry, rejected: why, in the channel's words
};

// What the provider allows, for the Pusher's batching and for the benchmark's "how close to the ceiling".
struct ChannelLimits {
  std::size_t max_levels_per_call = 1;  // items per request the API takes
  std::size_t max_prices_per_call = 1;
  // The provider's sustained ceiling, in requests (or cost points, see `unit`) per second.
  double sustained_rate = 0;
  std::string unit = "requests";  // "requests" or "cost points" (Shopify)
  // How long one call may wait for the provider's throttle before giving up with ErrorKind::backpressure
  // (retry_after set): longer waits go back to the Pusher's schedule instead of blocking a worker.
  std::chrono::milliseconds max_wait{30'000};
};

// A channel's push endpoint, as the configuration file gives it (docs/push.md): the API's base URL,
// provider-specific settings and the secrets by name. Each provider's factory checks its own keys and
// names a missing or unknown one.
struct ChannelEndpoint {
  std::string channel;   // the channel's name in the configuration
  std::string base_url;  // "https://shop-eu.myshopify.com", "https://shop.example/wp-json/wc/v3", ...
  std::map<std::string, std::string, std::less<>> settings{};                   // non-secret
  std::map<std::string, std::shared_ptr<SecretSource>, std::less<>> secrets{};  // by name
  std::optional<std::chrono::milliseconds> timeout{};                           // per request
};

// One channel's API. Calls are made by one Pusher worker at a time per client (not thread-safe unless
// the implementation says so). An empty span is not passed.
//
// Per-item results come back in the order given, one per item. A whole-call error (result.error()) means
// nothing of the call is known to have happened: transport failures, 5xx, 429 beyond max_wait
// (ErrorKind::backpressure with retry_after), auth refused (ErrorKind::auth, after one refresh of the
// secret), a response that cannot be read (ErrorKind::protocol); the Pusher retries the items later
// (they are idempotent: absolute levels and prices, fulfilments keyed by shipment).
class ChannelClient {
 public:
  virtual ~ChannelClient() = default;
  virtual std::string_view provider() const noexcept = 0;  // "shopify", "woocommerce", "square", "amazon"
  virtual ChannelLimits limits() const = 0;
  virtual result<std::vector<ItemResult>> set_levels(std::span<const Level> levels) = 0;
  virtual result<std::vector<ItemResult>> set_prices(std::span<const Price> prices) = 0;
  virtual result<std::vector<ItemResult>> fulfil(std::span<const Fulfilment> fulfilments) = 0;
  // What the channel holds now, for the doctor, tests and the oversell read-back (nothing: not listed).
  virtual result<std::optional<std::int64_t>> read_level(std::string_view sku, std::string_view location) = 0;
};

// Options every provider's factory takes besides its endpoint.
struct ClientDeps {
  std::shared_ptr<http::Transport> transport{};  // default: a CurlTransport with the project's defaults
  Clock* clock = nullptr;                        // default: the system clock (throttle waits go through it)
};

// Each provider's client (src/push/<provider>.cpp; its settings and secrets in docs/push.md). A validation
// error names the channel and the missing, unknown or malformed setting or secret.
result<std::unique_ptr<ChannelClient>> make_shopify_client(const ChannelEndpoint& endpoint, ClientDeps deps = {});
result<std::unique_ptr<ChannelClient>> make_woocommerce_client(const ChannelEndpoint& endpoint, ClientDeps deps = {});
result<std::unique_ptr<ChannelClient>> make_square_client(const ChannelEndpoint& endpoint, ClientDeps deps = {});
result<std::unique_ptr<ChannelClient>> make_amazon_client(const ChannelEndpoint& endpoint, ClientDeps deps = {});
// By provider name ("shopify", "woocommerce", "square", "amazon"); any other is a validation error.
result<std::unique_ptr<ChannelClient>> make_channel_client(std::string_view provider, const ChannelEndpoint& endpoint,
                                                           ClientDeps deps = {});

}  // namespace push
}  // namespace v0
}  // namespace odoosync
