// WooCommerceEmulator: a loopback fake of the WooCommerce REST API v3 (/wp-json/wc/v3) for the push
// client's tests: products (simple and variable, with variations), their stock and regular prices,
// orders with notes, the store's currency; HTTP Basic auth with a ck_/cs_ key pair; the batch limit
// (100 objects, HTTP 413 beyond); a configurable request rate answered with 429 and RateLimit headers;
// injected faults. docs/push/woocommerce.md lists the shapes, their sources and where this differs from
// a real store. Link odoosync::emulator.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <odoosync/core/clock.hpp>
#include <odoosync/core/result.hpp>

namespace odoosync {
inline namespace v0 {
namespace channel_emulator {

class WooCommerceEmulator {
 public:
  struct Options {
    std::string consumer_key = "ck_emulator";     // must start with ck_
    std::string consumer_secret = "cs_emulator";  // must start with cs_
    std::string currency = "EUR";
    // Requests per second the store takes (a token bucket of `burst`); 0: unlimited, as WooCommerce core.
    double requests_per_second = 0;
    double burst = 1;
    // Sent as RateLimit-Limit / -Remaining / -Reset on every answer when a rate is set (as the Store
    // API's limiter does), so a client can slow down before it is refused.
    bool announce_budget = true;
    Clock* clock = nullptr;  // default: the system clock (the bucket's refill)
    std::uint16_t port = 0;
  };
  static result<std::unique_ptr<WooCommerceEmulator>> start(Options options);
  ~WooCommerceEmulator();

  std::string url() const;       // "http://127.0.0.1:<port>"
  std::string base_url() const;  // url() + "/wp-json/wc/v3"
  void stop();

  // State. Ids are given by the store (from 100 up); seed_* return them.
  std::int64_t seed_product(const std::string& sku, std::optional<std::int64_t> stock, const std::string& price);
  std::int64_t seed_variable_product(const std::string& sku);
  std::int64_t seed_variation(std::int64_t parent_id, const std::string& sku, std::optional<std::int64_t> stock,
                              const std::string& price);
  std::int64_t seed_order(const std::string& status);  // "processing", "completed", "cancelled", ...
  // A sale in the shop: the stock goes down by `quantity` (as WooCommerce's checkout reduces it).
  bool simulate_sale(const std::string& sku, std::int64_t quantity);
  std::optional<std::int64_t> stock(const std::string& sku) const;  // nothing: no such SKU, or not managed
  std::optional<std::string> regular_price(const std::string& sku) const;
  struct OrderNote {
    std::string note;
    bool customer_note = false;
  };
  std::optional<std::string> order_status(std::int64_t id) const;
  std::vector<OrderNote> order_notes(std::int64_t id) const;
  void set_credentials(const std::string& consumer_key, const std::string& consumer_secret);  // a rotation
  void set_rate(double requests_per_second, double burst);

  // Faults, each consumed by the next matching request (path_contains "" matches any), `times` times.
  enum class FaultKind { status, too_many_requests, reset, item_error };
  struct Fault {
    FaultKind kind = FaultKind::status;
    int status = 503;                                     // status: the answer's status
    std::chrono::seconds retry_after{1};                  // too_many_requests
    std::string sku{};                                    // item_error: the batch item with this SKU fails ...
    std::string code = "woocommerce_rest_invalid_stock";  // ... with this error
    int item_status = 400;
    std::string path_contains{};
    int times = 1;
  };
  void inject(Fault fault);
  std::uint64_t faults_injected() const;  // faults answered so far
  std::uint64_t faults_pending() const;   // times left over all injected faults

  std::uint64_t requests() const;        // every request that reached the handler
  std::uint64_t refused_429() const;     // answered 429 by the rate limit (injected ones not counted)
  std::uint64_t batch_requests() const;  // POST .../batch answered
  std::uint64_t auth_failures() const;   // answered 401

  struct State;

 private:
  explicit WooCommerceEmulator(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace channel_emulator
}  // namespace v0
}  // namespace odoosync
