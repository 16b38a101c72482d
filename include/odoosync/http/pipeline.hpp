// Pipeline: the one place where a host says which policies its HTTP stack has, and the one factory that
// stacks them (docs/architecture.md, "The HTTP stack"): instrumentation outermost, then retry, circuit
// breaker, rate limit, and the bottom transport (libcurl unless the host brings its own).
#pragma once

#include <memory>
#include <optional>

#include <odoosync/core/clock.hpp>
#include <odoosync/core/log.hpp>
#include <odoosync/core/metrics.hpp>
#include <odoosync/core/result.hpp>
#include <odoosync/http/circuit_breaker.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/http/rate_limiter.hpp>
#include <odoosync/http/retry.hpp>
#include <odoosync/http/transport.hpp>

namespace odoosync {
inline namespace v0 {
namespace http {

struct PipelineOptions {
  std::optional<RetryPolicy> retry = RetryPolicy{};                        // nullopt: no retry layer
  std::optional<CircuitBreakerOptions> breaker = CircuitBreakerOptions{};  // nullopt: no breaker
  // A breaker the host keeps (to watch its state, or to share it between clients of one server); used
  // instead of building one from `breaker`.
  std::shared_ptr<CircuitBreaker> shared_breaker{};
  std::optional<RateLimit> rate_limit = std::nullopt;  // nullopt: no limit
  Logger logger{};                                     // each exchange, once per call
  std::shared_ptr<MetricsSink> metrics{};              // null: none reported
  Clock* clock = nullptr;                              // backoffs and breaker; default: system

  // Without retry and breaker: for a caller that has its own (the sync engine, docs/sync.md). Requests
  // are still logged and counted.
  static PipelineOptions without_policies(Logger logger = {}, std::shared_ptr<MetricsSink> metrics = {});
};

// The stack over `bottom` (a CurlTransport, a FakeTransport, the host's own). Fails only on a null bottom.
result<std::shared_ptr<Transport>> make_pipeline(std::shared_ptr<Transport> bottom, const PipelineOptions& options);
// The stack over a new CurlTransport built from `curl`.
result<std::shared_ptr<Transport>> make_pipeline(CurlOptions curl, const PipelineOptions& options);

}  // namespace http
}  // namespace v0
}  // namespace odoosync
