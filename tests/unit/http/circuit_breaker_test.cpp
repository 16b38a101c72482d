// CircuitBreaker: closed → open → half-open → closed, with one probe.
#include <doctest/doctest.h>

#include <odoosync/http/circuit_breaker.hpp>
#include <odoosync/http/fake_transport.hpp>
#include <odoosync/http/retry.hpp>

#include <vector>

using namespace odoosync;
using namespace odoosync::http;
using namespace std::chrono_literals;
using V = CircuitBreaker::Verdict;

TEST_CASE("the circuit opens after the threshold of failures within the window") {
  ManualClock clock;
  CircuitBreaker cb({.failure_threshold = 3, .window = 10s, .cool_down = 5s}, clock);
  cb.record(V::failure);
  cb.record(V::failure);
  CHECK(cb.state() == CircuitState::closed);
  CHECK(cb.recent_failures() == 2);
  clock.advance(11s);  // those two age out of the window
  CHECK(cb.recent_failures() == 0);
  cb.record(V::failure);
  cb.record(V::success);  // a success does not erase failures inside the window
  cb.record(V::failure);
  CHECK(cb.state() == CircuitState::closed);
  cb.record(V::failure);
  CHECK(cb.state() == CircuitState::open);
  CHECK_FALSE(cb.allow());
}

TEST_CASE("after the cool-down exactly one probe goes, its success closes the circuit") {
  ManualClock clock;
  CircuitBreaker cb({.failure_threshold = 1, .window = 10s, .cool_down = 5s}, clock);
  std::vector<std::pair<CircuitState, CircuitState>> seen;
  cb.on_transition([&seen](CircuitState a, CircuitState b) { seen.emplace_back(a, b); });
  cb.record(V::failure);
  CHECK(cb.state() == CircuitState::open);
  clock.advance(4s);
  CHECK_FALSE(cb.allow());
  clock.advance(1s);
  CHECK(cb.allow());  // the probe
  CHECK(cb.state() == CircuitState::half_open);
  CHECK_FALSE(cb.allow());  // no second probe while the first is out
  cb.record(V::success);
  CHECK(cb.state() == CircuitState::closed);
  CHECK(cb.allow());
  REQUIRE(seen.size() == 3);
  CHECK(seen[0] == std::pair{CircuitState::closed, CircuitState::open});
  CHECK(seen[1] == std::pair{CircuitState::open, CircuitState::half_open});
  CHECK(seen[2] == std::pair{CircuitState::half_open, CircuitState::closed});
}

TEST_CASE("a failed probe opens the circuit again for a full cool-down, a neutral one frees the slot") {
  ManualClock clock;
  CircuitBreaker cb({.failure_threshold = 1, .window = 10s, .cool_down = 5s}, clock);
  cb.record(V::failure);
  clock.advance(5s);
  REQUIRE(cb.allow());
  cb.record(V::failure);
  CHECK(cb.state() == CircuitState::open);
  clock.advance(4s);
  CHECK_FALSE(cb.allow());
  clock.advance(1s);
  REQUIRE(cb.allow());
  cb.record(V::neutral);  // e.g. the probe was cancelled
  CHECK(cb.state() == CircuitState::half_open);
  CHECK(cb.allow());
}

TEST_CASE("judge: transport failures and 502/503/504 count against the server, 4xx and 500 do not") {
  CHECK(CircuitBreaker::judge(result<Response>(Response{.status = 503})) == V::failure);
  CHECK(CircuitBreaker::judge(result<Response>(Response{.status = 500})) == V::success);
  CHECK(CircuitBreaker::judge(result<Response>(Response{.status = 429})) == V::success);
  CHECK(CircuitBreaker::judge(result<Response>(Error::transport(TransportFailure::reset, true, ""))) == V::failure);
  CHECK(CircuitBreaker::judge(result<Response>(Error::cancelled(""))) == V::neutral);
  CHECK(CircuitBreaker::judge(result<Response>(Error::transport(TransportFailure::circuit_open, false, ""))) ==
        V::neutral);
}

TEST_CASE("CircuitBreakerTransport fails fast while open and never reaches the server") {
  ManualClock clock;
  auto breaker = std::make_shared<CircuitBreaker>(
      CircuitBreakerOptions{.failure_threshold = 2, .window = 10s, .cool_down = 5s}, clock);
  auto fake = std::make_shared<FakeTransport>();
  fake->push(Error::transport(TransportFailure::connect, false, "refused"))
      .push(Error::transport(TransportFailure::connect, false, "refused"))
      .push(Response{.status = 200});
  CircuitBreakerTransport t(fake, breaker);
  Request req{.url = "http://odoo.test/jsonrpc", .correlation_id = "c-9"};
  CHECK_FALSE(t.send(req));
  CHECK_FALSE(t.send(req));
  auto fast = t.send(req);
  REQUIRE_FALSE(fast);
  CHECK(fast.error().transport_failure() == TransportFailure::circuit_open);
  CHECK_FALSE(fast.error().request_sent());
  CHECK(fast.error().retryable());
  CHECK(fast.error().correlation_id() == "c-9");
  CHECK(fake->request_count() == 2);
  clock.advance(5s);
  auto probe = t.send(req);
  REQUIRE(probe);
  CHECK(breaker->state() == CircuitState::closed);
}

TEST_CASE("an open breaker names the failure that opened it, and a retry above it returns that failure") {
  ManualClock clock;
  auto breaker = std::make_shared<CircuitBreaker>(
      CircuitBreakerOptions{.failure_threshold = 2, .window = 10s, .cool_down = 60s}, clock);
  auto fake = std::make_shared<FakeTransport>();
  fake->push(Error::transport(TransportFailure::connect, false, "could not connect: refused"))
      .push(Error::transport(TransportFailure::connect, false, "could not connect: refused"));
  auto guarded = std::make_shared<CircuitBreakerTransport>(fake, breaker);
  RetryPolicy policy;
  policy.max_attempts = 4;
  RetryTransport retry(guarded, policy, clock, 42);
  Request req;
  req.url = "http://odoo.test/jsonrpc";
  req.idempotent = true;
  auto r = retry.send(req);
  REQUIRE_FALSE(r);
  CHECK(r.error().transport_failure() == TransportFailure::connect);  // not circuit_open
  CHECK(r.error().message().find("could not connect: refused") != std::string::npos);
  CHECK(r.error().attempts() == 4);
  CHECK(fake->request_count() == 2);  // the breaker stopped attempts 3 and 4
  // Called directly while open, the breaker itself says why it opened.
  auto fast = guarded->send(req);
  REQUIRE_FALSE(fast);
  CHECK(fast.error().message() ==
        "circuit breaker is open: the server failed repeatedly, the last time: could not connect: refused; not sent");
  CHECK(breaker->last_failure() == "could not connect: refused");
}
