// make_pipeline: the policies a host asks for, and only those, stacked in the documented order.
#include <doctest/doctest.h>

#include <odoosync/core/metrics.hpp>
#include <odoosync/http/fake_transport.hpp>
#include <odoosync/http/pipeline.hpp>

using namespace odoosync;
using namespace odoosync::http;
using namespace std::chrono_literals;

namespace {
Request read_request() {
  Request r;
  r.url = "http://odoo.test/jsonrpc";
  r.idempotent = true;
  return r;
}
}  // namespace

TEST_CASE("make_pipeline: the defaults retry a 503 and count the call once, attempts included") {
  ManualClock clock;
  auto fake = std::make_shared<FakeTransport>();
  fake->push(Response{.status = 503}).push(Response{.status = 200});
  auto metrics = std::make_shared<InMemoryMetrics>();
  PipelineOptions o;
  o.retry = RetryPolicy{.max_attempts = 3, .initial_backoff = 0ms, .max_backoff = 0ms};
  o.metrics = metrics;
  o.clock = &clock;
  auto t = make_pipeline(fake, o);
  REQUIRE(t);
  auto r = t.value()->send(read_request());
  REQUIRE(r);
  CHECK(r.value().status == 200);
  CHECK(r.value().attempts == 2);
  CHECK(fake->requests().size() == 2);
  std::uint64_t counted = 0;
  for (const auto& s : metrics->series())
    if (s.rfind("odoosync_http_requests_total", 0) == 0) counted += metrics->counter(s);
  CHECK(counted == 1);  // instrumentation outermost: one call
}

TEST_CASE("make_pipeline: without_policies sends once and returns the 503 as it came") {
  auto fake = std::make_shared<FakeTransport>();
  fake->push(Response{.status = 503}).push(Response{.status = 200});
  auto metrics = std::make_shared<InMemoryMetrics>();
  auto t = make_pipeline(fake, PipelineOptions::without_policies({}, metrics));
  REQUIRE(t);
  auto r = t.value()->send(read_request());
  REQUIRE(r);
  CHECK(r.value().status == 503);
  CHECK(fake->requests().size() == 1);
  CHECK_FALSE(metrics->series().empty());  // still counted
}

TEST_CASE("make_pipeline: a breaker asked for opens after its threshold and fails fast without sending") {
  ManualClock clock;
  auto fake = std::make_shared<FakeTransport>();
  for (int i = 0; i < 3; ++i) fake->push(Error::transport(TransportFailure::connect, false, "refused"));
  PipelineOptions o;
  o.retry.reset();
  o.breaker = CircuitBreakerOptions{.failure_threshold = 2, .window = 10s, .cool_down = 5s};
  o.clock = &clock;
  auto t = make_pipeline(fake, o);
  REQUIRE(t);
  CHECK_FALSE(t.value()->send(read_request()));
  CHECK_FALSE(t.value()->send(read_request()));
  auto third = t.value()->send(read_request());
  REQUIRE_FALSE(third);
  CHECK(third.error().transport_failure() == TransportFailure::circuit_open);
  CHECK(fake->requests().size() == 2);
}

TEST_CASE("make_pipeline: a null bottom is refused with a message naming it") {
  auto t = make_pipeline(std::shared_ptr<Transport>{}, PipelineOptions{});
  REQUIRE_FALSE(t);
  CHECK(t.error().kind() == ErrorKind::validation);
  CHECK(t.error().message().find("bottom transport is null") != std::string::npos);
}
