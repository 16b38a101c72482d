// EngineMetrics: what the sync engine has done and holds, per lane and event type, as a struct and as
// Prometheus text (docs/sync.md lists every series). Labels are lanes and event types: never secrets.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include <odoosync/http/circuit_breaker.hpp>
#include <odoosync/sync/store.hpp>

namespace odoosync {
inline namespace v0 {
namespace sync {

struct TypeCounters {
  std::uint64_t submitted = 0;   // accepted at intake
  std::uint64_t duplicates = 0;  // an (source, id) already held
  std::uint64_t applied = 0;
  std::uint64_t retried = 0;  // sends that failed transiently and were rescheduled
  std::uint64_t dead_lettered = 0;
  TypeCounters& operator+=(const TypeCounters& o);
};

struct LaneMetrics {
  std::map<std::string, TypeCounters> by_type{};
  std::uint64_t queue_depth = 0;    // pending and in flight (from the store)
  std::uint64_t dead = 0;           // in the dead-letter queue now
  double oldest_pending_age_s = 0;  // data freshness: age of the oldest unsettled event
  std::uint64_t batches = 0;        // batches sent (attempts)
  std::uint64_t batch_events = 0;   // their members, summed
  std::uint64_t max_batch = 0;
  std::uint64_t backpressured = 0;  // submits refused above the high-water mark
  TypeCounters total() const;
};

struct EngineMetrics {
  std::array<LaneMetrics, lane_count> lanes{};
  std::map<std::string, std::uint64_t> rejected{};  // invalid at intake, by type ("unknown" if unreadable)
  std::uint64_t rpc_count = 0;                      // HTTP requests to Odoo (when the client reports them)
  double rpc_seconds_sum = 0;
  double rpc_seconds_max = 0;
  std::uint64_t probes = 0;  // reads of Odoo for a batch's token before re-applying
  std::uint64_t splits = 0;  // batches split after a permanent error of a member
  http::CircuitState breaker = http::CircuitState::closed;
  std::uint64_t breaker_opened = 0;
  TypeCounters total() const;
  std::string prometheus() const;
  // Totals read back from a store (what `odoosync metrics` prints): submitted counts every event held,
  // dead_lettered the dead and discarded; retries, duplicates and RPCs are per run and stay 0.
  static EngineMetrics from_store(const StoreStatus& status, std::int64_t now_ms);
};

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
