// AmazonEmulator: a loopback stand-in for the parts of Amazon's Selling Partner API the push client uses
// (push/amazon.hpp): the Login with Amazon token endpoint, the Listings Items API v2021-08-01 (get and
// patch of merchant-fulfilled quantities and prices) and the Orders API v0 (getOrderItems,
// confirmShipment). It keeps state per SKU and per order, checks the LWA credentials and the
// x-amz-access-token header as Amazon does (an expired token is a 403 "Unauthorized"), enforces the
// documented usage plans per operation with token buckets (429 "QuotaExceeded" with
// x-amzn-RateLimit-Limit), and injects faults. docs/push/amazon.md lists the sources and the differences
// from Amazon. It also takes JSON_LISTINGS_FEED feeds (Feeds API v2021-06-30: documents with pre-signed
// URLs under /feed-documents/, createFeed, getFeed, getFeedDocument, a processing report per feed).
// Runs on channel_emulator::ChannelServer; link odoosync::emulator.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/core/clock.hpp>
#include <odoosync/core/result.hpp>

namespace odoosync {
inline namespace v0 {
namespace channel_emulator {

// A token bucket: `rate` tokens a second, at most `burst`.
struct UsagePlan {
  double rate = 5;
  double burst = 5;
};

class AmazonEmulator {
 public:
  struct Options {
    std::string seller_id = "A2EMULATEDSELLER";
    std::string marketplace_id = "A1PA6795UKMFR9";  // amazon.de
    std::string currency = "EUR";
    // The LWA application's credentials and the seller's refresh token the emulator accepts.
    std::string client_id = "amzn1.application-oa2-client.emulator";
    std::string client_secret = "amzn1.oa2-cs.v1.emulator-secret";
    std::string refresh_token = "Atzr|emulator-refresh-token";
    std::chrono::seconds token_lifetime{3600};  // expires_in of each access token
    // Amazon's default usage plans (developer-docs.amazon.com/sp-api/docs/listings-items-api-rate-limits,
    // ordersV0.json); `enforce_rate_limits = false` lets every request through.
    UsagePlan patch_listings{5, 5};
    UsagePlan get_listings{5, 5};
    UsagePlan get_order_items{0.5, 30};
    UsagePlan confirm_shipment{2, 10};
    UsagePlan create_feed_document{0.5, 15};  // feeds_2021-06-30.json
    UsagePlan create_feed{0.0083, 15};
    UsagePlan get_feed{2, 15};
    UsagePlan get_feed_document{0.0222, 10};
    // How long a JSON_LISTINGS_FEED stays IN_PROGRESS after createFeed (the emulator's clock): getFeed
    // then processes it and answers DONE. Zero: the first getFeed finds it done.
    std::chrono::milliseconds feed_processing_time{0};
    bool enforce_rate_limits = true;
    Clock* clock = nullptr;  // token expiry and buckets; default: the system clock
    std::uint16_t port = 0;
  };

  struct Listing {
    std::string sku;
    std::string product_type = "PRODUCT";
    std::string asin{};
    std::string fulfillment_channel_code = "DEFAULT";
    std::int64_t quantity = 0;
    std::string price{};  // value_with_tax as sent ("12.50"), "" when none
    std::string currency{};
    std::uint64_t patches = 0;  // ACCEPTED submissions applied to it
  };

  struct OrderItem {
    std::string order_item_id;
    std::string sku;
    std::int64_t ordered = 1;
    std::int64_t shipped = 0;
  };
  struct Package {
    std::string package_reference_id, carrier_code, carrier_name, tracking_number, ship_date;
    std::vector<std::pair<std::string, std::int64_t>> items;  // orderItemId, quantity
  };
  struct Order {
    std::string order_id;  // "3-7-7"
    std::vector<OrderItem> items;
    bool canceled = false;
    std::vector<Package> packages{};
    std::string status() const;  // Unshipped, PartiallyShipped, Shipped, Canceled
  };

  // One injected failure, consumed by the next matching request (after the auth check for SP-API calls).
  struct Fault {
    enum class Kind { status, reset } kind = Kind::status;
    int status = 500;  // 500, 503, 429 ...
    std::string
        operation{};  // "" any, "token", "getListingsItem", "patchListingsItem", "getOrderItems", "confirmShipment"
    int times = 1;
    std::optional<std::chrono::seconds> retry_after{};  // a Retry-After header on the answer
  };

  struct Counts {
    std::uint64_t requests = 0;
    std::uint64_t token_requests = 0;
    std::uint64_t tokens_issued = 0;
    std::uint64_t token_refusals = 0;  // bad client or refresh token
    std::uint64_t auth_refusals = 0;   // SP-API calls refused for their access token (missing, unknown, expired)
    std::uint64_t throttled = 0;       // 429s from the usage plans (not the injected ones)
    std::uint64_t faults_injected = 0;
    std::uint64_t faults_consumed = 0;
    std::uint64_t orphan_patches = 0;  // PATCHes (and feed messages) for a SKU with no listing: Amazon accepts them
    std::uint64_t feeds_processed = 0;
    std::uint64_t feed_messages = 0;
    std::map<std::string, std::uint64_t, std::less<>> by_operation{};  // answered requests per operation
  };

  static result<std::unique_ptr<AmazonEmulator>> start(Options options);
  ~AmazonEmulator();
  AmazonEmulator(const AmazonEmulator&) = delete;
  AmazonEmulator& operator=(const AmazonEmulator&) = delete;

  std::string url() const;      // the SP-API base URL, "http://127.0.0.1:<port>"
  std::string lwa_url() const;  // url() + "/auth/o2/token"
  void stop();

  // State.
  void seed(Listing listing);
  std::optional<Listing> listing(std::string_view sku) const;
  // A sale in the channel: the listing's quantity drops by `quantity` (not below zero); false if unknown.
  bool sell(std::string_view sku, std::int64_t quantity);
  void seed_order(Order order);
  std::optional<Order> order(std::string_view order_id) const;

  // Credentials and tokens: every access token issued so far expires now (the next SP-API call with one
  // is refused with Amazon's expired-token 403), and the accepted credentials can be rotated.
  void expire_tokens();
  void set_refresh_token(std::string refresh_token);

  // Faults.
  void inject(Fault fault);
  // The next `times` PATCHes of `sku` answer status INVALID with one ERROR issue.
  void invalid_next(std::string sku, int times = 1,
                    std::string message = "The provided value for 'quantity' is invalid.");

  Counts counts() const;

  struct State;

 private:
  explicit AmazonEmulator(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace channel_emulator
}  // namespace v0
}  // namespace odoosync
