// ShopifyEmulator: a loopback stand-in for one shop's Admin GraphQL API
// (POST /admin/api/{version}/graphql.json), for the Shopify push client's tests and the lead's end-to-end
// runs. It keeps products, variants with SKUs and prices, inventory items, locations, available
// quantities, and orders with fulfillment orders and fulfillments; checks X-Shopify-Access-Token; charges
// each request its cost by Shopify's documented rules against a leaky bucket and answers THROTTLED when
// the bucket cannot hold it; enforces changeFromQuantity / compareQuantity and @idempotent keys as the
// request's API version does. It is NOT a GraphQL server: it recognises the documents the client in
// src/push/shopify.cpp sends (by their root field) and reads their variables; anything else gets a
// GraphQL error. docs/push/shopify.md lists what it emulates and its sources. Link odoosync::emulator.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <odoosync/core/clock.hpp>
#include <odoosync/core/result.hpp>

namespace odoosync {
inline namespace v0 {
namespace channel_emulator {

class ShopifyEmulator {
 public:
  struct Options {
    std::string access_token = "shpat_emulator";
    std::string currency = "EUR";  // shop.currencyCode
    // The bucket: Shopify's standard plan is 1000 points restoring at 100/s (Advanced 2000 at 200/s,
    // Plus 10000 at 1000/s; 50/s in older documentation).
    double maximum_available = 1000;
    double restore_rate = 100;
    double max_query_cost = 1000;  // a single query over this is refused (MAX_COST_EXCEEDED)
    Clock* clock = nullptr;        // the bucket's time; nullptr: the real clock
    std::uint16_t port = 0;        // 0: any free port
  };

  static result<std::unique_ptr<ShopifyEmulator>> start(Options options);
  ~ShopifyEmulator();
  ShopifyEmulator(const ShopifyEmulator&) = delete;
  ShopifyEmulator& operator=(const ShopifyEmulator&) = delete;

  std::string url() const;  // "http://127.0.0.1:<port>": the client's base_url
  void stop();

  // --- seeding (numeric ids; the API shows them as gid://shopify/<Type>/<id>) ---
  std::int64_t add_location(std::string name);
  struct VariantIds {
    std::int64_t product = 0;
    std::int64_t variant = 0;
    std::int64_t inventory_item = 0;
  };
  // A variant with its SKU and price ("12.50"). Variants with the same product_key share a product;
  // "" gives the variant a product of its own.
  VariantIds add_variant(std::string sku, std::string price, std::string product_key = "");
  // Stocks the SKU's inventory item at the location with this available quantity (every variant with
  // that SKU). False when no variant has the SKU.
  bool set_available(const std::string& sku, std::int64_t location, std::int64_t available);
  // An order with one open fulfillment order holding these lines (SKU, quantity); its numeric id.
  std::int64_t add_order(const std::vector<std::pair<std::string, std::int64_t>>& lines);

  // --- the shop's own life ---
  // A sale in the shop: available -= n at that location. False when not stocked there.
  bool sell(const std::string& sku, std::int64_t location, std::int64_t n);
  std::optional<std::int64_t> available(const std::string& sku, std::int64_t location) const;
  std::optional<std::string> price(const std::string& sku) const;
  struct FulfillmentRecord {
    std::int64_t id = 0;
    std::string company, number, url;
    bool notify_customer = false;
    std::vector<std::pair<std::string, std::int64_t>> lines;  // SKU, quantity
  };
  std::vector<FulfillmentRecord> fulfillments(std::int64_t order) const;
  void set_access_token(std::string token);  // the old one is refused from now on

  // --- faults, each answered to the next `times` matching requests, in the order injected ---
  enum class FaultKind {
    http_error,         // `status` (default 503) with an error body; nothing done
    throttled,          // a THROTTLED answer although the bucket had room; nothing done
    reset,              // the connection is cut before anything is done
    reset_after_apply,  // done, then the connection cut: the answer is lost
    user_error,         // a mutation touching `sku` gets a userError for it (all-or-nothing where Shopify is)
    unauthorized,       // 401 as for a bad token
  };
  struct Fault {
    FaultKind kind = FaultKind::http_error;
    int times = 1;
    int status = 503;
    std::string sku{};        // user_error: the SKU whose item fails
    std::string operation{};  // "" any; else the root field ("inventorySetQuantities", "productVariants", ...)
  };
  void inject(Fault fault);

  struct Stats {
    std::uint64_t requests = 0;         // every request that reached the handler
    std::uint64_t throttled = 0;        // refused by the bucket (injected THROTTLED not counted)
    std::uint64_t unauthorized = 0;     // 401s for a wrong or missing token (injected ones included)
    std::uint64_t faults_injected = 0;  // `times` summed
    std::uint64_t faults_consumed = 0;
    double points_charged = 0;             // actual cost of everything served
    std::uint64_t quantities_set = 0;      // inventory quantities changed by inventorySetQuantities
    std::uint64_t idempotent_replays = 0;  // answered from an @idempotent key's record
    std::vector<std::string> operations;   // root field of every served request, in order
  };
  Stats stats() const;

  struct State;

 private:
  explicit ShopifyEmulator(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace channel_emulator
}  // namespace v0
}  // namespace odoosync
