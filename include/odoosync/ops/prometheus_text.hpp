// What an InMemoryMetrics sink holds (the client's odoosync_http_requests_total{method,status} and
// odoosync_http_request_seconds{method}, the engine's odoosync_sync_events_total{lane,type,outcome},
// a host's own series) as Prometheus text, to serve next to Engine::prometheus().
#pragma once

#include <string>

namespace odoosync {
inline namespace v0 {
class InMemoryMetrics;

namespace ops {

// Names ending in _total are counters; series with observations are summaries (NAME_count and NAME_sum,
// with NAME_max beside as a gauge); the rest are gauges. One # TYPE line per name, names sorted.
std::string prometheus_text(const InMemoryMetrics& sink);

}  // namespace ops
}  // namespace v0
}  // namespace odoosync
