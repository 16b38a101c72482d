#include <odoosync/sync/metrics.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace odoosync {
inline namespace v0 {
namespace sync {

TypeCounters& TypeCounters::operator+=(const TypeCounters& o) {
  submitted += o.submitted;
  duplicates += o.duplicates;
  applied += o.applied;
  retried += o.retried;
  dead_lettered += o.dead_lettered;
  return *this;
}

TypeCounters LaneMetrics::total() const {
  TypeCounters t;
  for (const auto& [type, c] : by_type) t += c;
  return t;
}

TypeCounters EngineMetrics::total() const {
  TypeCounters t;
  for (const auto& l : lanes) t += l.total();
  return t;
}

EngineMetrics EngineMetrics::from_store(const StoreStatus& status, std::int64_t now_ms) {
  EngineMetrics m;
  for (std::size_t l = 0; l < lane_count; ++l) {
    const auto& ls = status.lanes[l];
    auto& lm = m.lanes[l];
    for (const auto& [type, c] : ls.by_type) {
      auto& tc = lm.by_type[type];
      tc.submitted = c.total();
      tc.applied = c.applied;
      tc.dead_lettered = c.dead + c.discarded;
    }
    lm.queue_depth = ls.pending + ls.in_flight;
    lm.dead = ls.dead;
    if (ls.oldest_pending_ms) {
      lm.oldest_pending_age_s = static_cast<double>(std::max<std::int64_t>(0, now_ms - *ls.oldest_pending_ms)) / 1000.0;
    }
  }
  return m;
}

namespace {

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

std::string EngineMetrics::prometheus() const {
  std::string out;
  struct Counter {
    const char* name;
    const char* help;
    std::uint64_t TypeCounters::*field;
  };
  static constexpr Counter counters[] = {
      {"odoosync_events_submitted_total", "Events accepted at intake.", &TypeCounters::submitted},
      {"odoosync_events_duplicate_total", "Submits of an (source, id) already held.", &TypeCounters::duplicates},
      {"odoosync_events_applied_total", "Events whose effect is in Odoo.", &TypeCounters::applied},
      {"odoosync_events_retried_total", "Event sends that failed transiently and were rescheduled.",
       &TypeCounters::retried},
      {"odoosync_events_dead_lettered_total", "Events moved to the dead-letter queue.", &TypeCounters::dead_lettered},
  };
  for (const auto& c : counters) {
    header(out, c.name, "counter", c.help);
    for (std::size_t l = 0; l < lane_count; ++l) {
      for (const auto& [type, tc] : lanes[l].by_type) {
        out += fmt::format("{}{{lane=\"{}\",type=\"{}\"}} {}\n", c.name, to_string(static_cast<Lane>(l)), type,
                           tc.*c.field);
      }
    }
  }
  header(out, "odoosync_events_rejected_total", "counter", "Invalid events refused at intake.");
  for (const auto& [type, n] : rejected)
    out += fmt::format("odoosync_events_rejected_total{{type=\"{}\"}} {}\n", type, n);

  auto per_lane = [&](const char* name, const char* type, const char* help, auto value) {
    header(out, name, type, help);
    for (std::size_t l = 0; l < lane_count; ++l) {
      out += fmt::format("{}{{lane=\"{}\"}} {}\n", name, to_string(static_cast<Lane>(l)), value(lanes[l]));
    }
  };
  per_lane("odoosync_queue_depth", "gauge", "Events pending or in flight.",
           [](const LaneMetrics& m) { return m.queue_depth; });
  per_lane("odoosync_dead_letters", "gauge", "Events in the dead-letter queue.",
           [](const LaneMetrics& m) { return m.dead; });
  per_lane("odoosync_oldest_pending_age_seconds", "gauge", "Age of the oldest event not yet settled.",
           [](const LaneMetrics& m) { return fmt::format("{:.3f}", m.oldest_pending_age_s); });
  per_lane("odoosync_batches_total", "counter", "Batches sent (each send counts).",
           [](const LaneMetrics& m) { return m.batches; });
  per_lane("odoosync_batch_events_total", "counter", "Members of the batches sent.",
           [](const LaneMetrics& m) { return m.batch_events; });
  per_lane("odoosync_batch_size_max", "gauge", "The largest batch sent.",
           [](const LaneMetrics& m) { return m.max_batch; });
  per_lane("odoosync_backpressure_total", "counter", "Submits refused above the high-water mark.",
           [](const LaneMetrics& m) { return m.backpressured; });

  header(out, "odoosync_rpc_seconds", "summary", "HTTP requests to Odoo and their latency.");
  out += fmt::format("odoosync_rpc_seconds_count {}\nodoosync_rpc_seconds_sum {:.6f}\n", rpc_count, rpc_seconds_sum);
  header(out, "odoosync_rpc_seconds_max", "gauge", "The slowest request to Odoo.");
  out += fmt::format("odoosync_rpc_seconds_max {:.6f}\n", rpc_seconds_max);
  header(out, "odoosync_probes_total", "counter", "Reads of Odoo for a batch's token before applying it again.");
  out += fmt::format("odoosync_probes_total {}\n", probes);
  header(out, "odoosync_batch_splits_total", "counter", "Batches split after a permanent error.");
  out += fmt::format("odoosync_batch_splits_total {}\n", splits);
  header(out, "odoosync_circuit_open", "gauge", "1 while the circuit breaker stops dispatch.");
  out += fmt::format("odoosync_circuit_open {}\n", breaker == http::CircuitState::closed ? 0 : 1);
  header(out, "odoosync_circuit_opened_total", "counter", "Times the circuit breaker opened.");
  out += fmt::format("odoosync_circuit_opened_total {}\n", breaker_opened);
  return out;
}

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
