// Pipeline: stacks the policies a host asked for, innermost first.
#include <odoosync/http/instrumented_transport.hpp>
#include <odoosync/http/pipeline.hpp>

namespace odoosync {
inline namespace v0 {
namespace http {

PipelineOptions PipelineOptions::without_policies(Logger logger, std::shared_ptr<MetricsSink> metrics) {
  PipelineOptions o;
  o.retry.reset();
  o.breaker.reset();
  o.shared_breaker.reset();
  o.logger = std::move(logger);
  o.metrics = std::move(metrics);
  return o;
}

result<std::shared_ptr<Transport>> make_pipeline(std::shared_ptr<Transport> bottom, const PipelineOptions& options) {
  if (!bottom) return Error::validation("make_pipeline: the bottom transport is null");
  Clock& clock = options.clock ? *options.clock : Clock::system();
  std::shared_ptr<Transport> t = std::move(bottom);
  // The limiter innermost: every attempt spends a token. Retry outside the breaker: its backoff lets
  // the cool-down pass. Instrumentation outermost: one record per call, attempts included.
  if (options.rate_limit)
    t = std::make_shared<RateLimitTransport>(t, std::make_shared<RateLimiter>(*options.rate_limit, clock));
  if (options.shared_breaker) {
    t = std::make_shared<CircuitBreakerTransport>(t, options.shared_breaker);
  } else if (options.breaker) {
    t = std::make_shared<CircuitBreakerTransport>(t, std::make_shared<CircuitBreaker>(*options.breaker, clock));
  }
  if (options.retry) t = std::make_shared<RetryTransport>(t, *options.retry, clock);
  if (options.metrics || options.logger.attached())
    t = std::make_shared<InstrumentedTransport>(t, options.logger, options.metrics);
  return t;
}

result<std::shared_ptr<Transport>> make_pipeline(CurlOptions curl, const PipelineOptions& options) {
  auto c = CurlTransport::create(std::move(curl));
  if (!c) return c.error();
  return make_pipeline(std::shared_ptr<Transport>(c.value()), options);
}

}  // namespace http
}  // namespace v0
}  // namespace odoosync
