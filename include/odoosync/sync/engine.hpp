// Engine: takes retail events in (durably, once per (source, id)), and gets each one's effect into Odoo
// exactly once: per-subject order, batches written ahead with their token, probe after an unknown
// outcome, retries with backoff and full jitter, dead letters, a circuit breaker, two lanes.
// docs/sync.md describes the guarantees and how each is kept.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/core/log.hpp>
#include <odoosync/core/metrics.hpp>
#include <odoosync/core/result.hpp>
#include <odoosync/http/circuit_breaker.hpp>
#include <odoosync/retail/events.hpp>
#include <odoosync/retail/odoo_mapping.hpp>
#include <odoosync/sync/event_types.hpp>
#include <odoosync/sync/metrics.hpp>
#include <odoosync/sync/policy.hpp>
#include <odoosync/sync/store.hpp>

namespace odoosync {
inline namespace v0 {
namespace odoo {
class Client;          // odoo/client.hpp
struct ClientOptions;  // odoo/client.hpp (include it to call engine_client_options)
}  // namespace odoo
}  // namespace v0
}  // namespace odoosync

namespace odoosync {
inline namespace v0 {
namespace sync {

struct LaneOptions {
  int concurrency = 2;                            // workers sending batches of this lane at once
  std::size_t batch_size = 100;                   // events per batch (one effect, a few RPCs)
  std::chrono::milliseconds flush_interval{200};  // a batch that is not full waits at most this long
  double rate_limit = 0;                          // batches per second; 0: no limit
  std::uint64_t high_water = 1'000'000;           // unsettled events above which submit says back-pressure
};

struct EngineOptions {
  // realtime: the LaneOptions defaults; bulk: one worker, bigger batches, a longer flush interval.
  std::array<LaneOptions, lane_count> lanes{
      LaneOptions{},
      LaneOptions{.concurrency = 1, .batch_size = 200, .flush_interval = std::chrono::milliseconds{1000}}};
  RetryOptions retry{};
  http::CircuitBreakerOptions breaker{.failure_threshold = 5,
                                      .window = std::chrono::milliseconds{30'000},
                                      .cool_down = std::chrono::milliseconds{5'000}};
  std::chrono::milliseconds lease{60'000};
  // A batch whose earlier send may still be running in Odoo (a crash, a timeout, a reset after sending)
  // is probed only this long after that send (or after this engine started, for a run before): a probe
  // cannot see a transaction that has not committed. Defence in depth: creates are guarded by external
  // ids Odoo enforces; what is left are state steps (confirm, validate, post). docs/sync.md has the reasons.
  std::chrono::milliseconds unknown_outcome_grace{30'000};
  // This process is the only worker of the store (SQLite): leases left by a crashed run are void at
  // once (their batches are probed). False for a store shared by many processes: leases expire.
  bool exclusive = true;
  retail::MappingOptions mapping{.odoo_major = 0};  // odoo_major 0: asked from the server
  // Every event type this engine takes in: name, lane, batch key, effect (sync/event_types.hpp). A host
  // adds its own types and effects, or replaces a built-in one's; an event of a type not here is refused.
  EventTypes types = EventTypes::builtin();
  std::string worker_id{};  // default: host name and process id
  std::uint64_t seed = 0;   // backoff jitter; 0: random
  // Where the engine reports its own series (odoosync_sync_events_total{lane,type,outcome},
  // odoosync_sync_probes_total, odoosync_sync_splits_total): any sink. Pass the one the Client counts
  // its requests in (engine_client_options); when it is an InMemoryMetrics, EngineMetrics also reads
  // the RPC counts and latencies from it. Null: only EngineMetrics.
  std::shared_ptr<MetricsSink> metrics{};
  // Retries, splits, dead letters, failed probes and failed settles, one structured line each.
  Logger logger{};
  Clock* clock = nullptr;  // default: the system clock
};

struct SubmitResult {
  Intake intake = Intake::accepted;
  Lane lane = Lane::realtime;
};

struct RunOptions {
  std::optional<std::chrono::milliseconds> max_time{};  // stop (gracefully) after this long
  // Called about every `progress_interval` while running, from one thread.
  std::function<void(const EngineMetrics&)> progress{};
  std::chrono::milliseconds progress_interval{1000};
  // Stop when no batch was applied or dead-lettered for this long while batches kept failing (Odoo
  // unreachable, its certificate refused, every call answered 503): the summary says `stalled` and
  // names the failure. Unset: a run waits out an outage for as long as max_age allows.
  std::optional<std::chrono::milliseconds> stall_timeout{};
};

struct RunSummary {
  bool idle = false;     // stopped because nothing was left to send (else max_time, stall or stop())
  bool stalled = false;  // stopped by RunOptions::stall_timeout
  std::uint64_t batches = 0;
  std::uint64_t applied = 0, retried = 0, dead_lettered = 0;
  // When the run did not end idle: the last failure of a batch (the cause of the wait), if any.
  std::optional<Error> last_error{};
};

// The Client the engine needs: no retry and no circuit breaker of its own (the engine retries, probes
// and breaks itself, by the one classification of core/error.hpp; stacked policies would retry writes
// the engine must probe first, and judge health twice), every request logged to `logger` and counted in
// `metrics` (pass the same sink as EngineOptions::metrics). `base` keeps its proxy, response limit and
// bottom transport.
odoo::ClientOptions engine_client_options(std::shared_ptr<MetricsSink> metrics = {}, Logger logger = {});
odoo::ClientOptions engine_client_options(std::shared_ptr<MetricsSink> metrics, Logger logger,
                                          odoo::ClientOptions base);

// Which lane a built-in event type travels in (EventTypes::builtin()): realtime for stock, orders,
// payments, refunds, shipments and invoices; bulk for products, prices and customers.
Lane lane_of(std::string_view event_type) noexcept;

class Engine {
 public:
  // The engine keeps references to `store` and `client`: both must outlive it. Build the client with
  // engine_client_options().
  static result<std::unique_ptr<Engine>> create(Store& store, odoo::Client& client, EngineOptions options = {});
  // Takes events in without an Odoo to send to (a store offline, the CLI's `sync submit`): run and
  // start fail with ErrorKind::validation.
  static result<std::unique_ptr<Engine>> create_intake(Store& store, EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Durable when it returns. A (source, id) seen before is Intake::duplicate and changes nothing.
  // An invalid event (JSON text) is ErrorKind::validation naming the problem; nothing is stored.
  // Above the lane's high-water mark: ErrorKind::backpressure, nothing stored.
  result<SubmitResult> submit(const retail::Event& event);
  result<SubmitResult> submit_json(std::string_view cloud_event_json);
  // Many at once, in one transaction: all stored (or duplicates), or none.
  result<std::vector<SubmitResult>> submit_many(std::span<const retail::Event> events);

  // Sends until nothing is left but dead letters (or max_time passes, or stop() is called). Batches
  // are flushed at once, without waiting for their flush interval.
  result<RunSummary> run_until_idle(const RunOptions& options = {});
  // Background workers, until stop().
  result<void> start();
  // Stops taking batches; waits up to `deadline` for the batches being sent. A batch cut short stays
  // leased in the store and is probed when it is next claimed. True when every worker finished.
  bool stop(std::chrono::milliseconds deadline = std::chrono::milliseconds{10'000});

  result<void> replay(std::string_view source, std::string_view id);
  result<void> discard(std::string_view source, std::string_view id, std::string_view reason);

  EngineMetrics metrics();
  // The last failure of a batch since the engine was created (nothing when none failed): what a service
  // that is not progressing reports.
  std::optional<Error> last_failure() const;
  std::string prometheus();
  http::CircuitState breaker_state() const;
  Store& store() noexcept;

  struct Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  static result<std::unique_ptr<Engine>> create(Store& store, odoo::Client* client, EngineOptions options);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
