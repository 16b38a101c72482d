// SquareEmulator: a loopback fake of the Square API parts the push client uses: the catalogue's item
// variations (SearchCatalogObjects with exact and set queries on sku, BatchRetrieveCatalogObjects,
// BatchUpsertCatalogObjects with object versions and VERSION_MISMATCH), the Inventory API
// (BatchChangeInventory, BatchRetrieveInventoryCounts) computing a quantity as Square documents it (the
// latest physical count by occurred_at, plus the adjustments that occurred after it), idempotency keys
// (the same key with the same body replays the first answer; with another body: IDEMPOTENCY_KEY_REUSED),
// Bearer auth with Square-Version, a configurable rate answered 429 RATE_LIMITED, and injected faults.
// docs/push/square.md lists the shapes, their sources and where this differs from Square. Link
// odoosync::emulator.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <odoosync/core/clock.hpp>
#include <odoosync/core/result.hpp>
#include <odoosync/retail/timestamp.hpp>

namespace odoosync {
inline namespace v0 {
namespace channel_emulator {

class SquareEmulator {
 public:
  struct Options {
    std::string access_token = "EAAAemulator";
    std::vector<std::string> locations{"L1"};
    std::string currency = "USD";
    double requests_per_second = 0;  // 0: unlimited; else a token bucket of `burst`
    double burst = 1;
    bool retry_after_header = true;  // Square does not document one on 429; off: a bare 429
    Clock* clock = nullptr;          // the bucket's refill and the 24-hour window of occurred_at
    std::uint16_t port = 0;
  };
  static result<std::unique_ptr<SquareEmulator>> start(Options options);
  ~SquareEmulator();

  std::string url() const;  // "http://127.0.0.1:<port>": the client's base_url
  void stop();

  // An ITEM with one ITEM_VARIATION of this SKU; the variation's id is returned. Price in minor units.
  std::string seed_variation(const std::string& sku, std::optional<std::int64_t> price_minor = std::nullopt);
  // A physical count already in Square (seeded), at `occurred_at`.
  void seed_count(const std::string& sku, const std::string& location, std::int64_t quantity,
                  retail::Timestamp occurred_at);
  // A sale at the register: an adjustment IN_STOCK -> SOLD of `quantity` at `occurred_at`.
  bool simulate_sale(const std::string& sku, const std::string& location, std::int64_t quantity,
                     retail::Timestamp occurred_at);
  // Someone edits the variation in the Dashboard: its version moves on.
  bool touch_variation(const std::string& sku);
  std::optional<std::int64_t> quantity(const std::string& sku, const std::string& location) const;
  std::optional<std::int64_t> price(const std::string& sku) const;  // minor units
  std::optional<std::int64_t> version(const std::string& sku) const;
  void set_access_token(const std::string& token);
  void set_rate(double requests_per_second, double burst);

  // change_error: a change for `sku` is refused (so the whole BatchChangeInventory request is);
  // version_race: the next catalogue upsert finds every object's version moved on (an edit meanwhile).
  enum class FaultKind { status, too_many_requests, reset, change_error, version_race };
  struct Fault {
    FaultKind kind = FaultKind::status;
    int status = 503;
    std::chrono::seconds retry_after{1};
    std::string sku{};  // change_error: a change for this SKU's variation is refused (the whole request)
    std::string path_contains{};
    int times = 1;
  };
  void inject(Fault fault);
  std::uint64_t faults_injected() const;
  std::uint64_t faults_pending() const;

  std::uint64_t requests() const;
  std::uint64_t refused_429() const;         // by the rate limit
  std::uint64_t auth_failures() const;       // answered 401
  std::uint64_t idempotent_replays() const;  // answers replayed for a repeated key and body
  std::uint64_t inventory_batches() const;   // BatchChangeInventory requests applied

  struct State;

 private:
  explicit SquareEmulator(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace channel_emulator
}  // namespace v0
}  // namespace odoosync
