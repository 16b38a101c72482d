// RateLimiter: token buckets per host, deadlines, and the transport decorator.
#include <doctest/doctest.h>

#include <odoosync/http/fake_transport.hpp>
#include <odoosync/http/rate_limiter.hpp>

#include <thread>
#include <vector>

using namespace odoosync;
using namespace odoosync::http;
using namespace std::chrono;
using namespace std::chrono_literals;

TEST_CASE("a burst goes at once, then requests are spaced at the sustained rate") {
  ManualClock clock;
  RateLimiter rl({.per_second = 10, .burst = 3}, clock);
  for (int i = 0; i < 3; ++i) REQUIRE(rl.acquire("odoo:443"));
  auto sleeps = clock.sleeps();
  for (auto s : sleeps) CHECK(s == Clock::duration::zero());
  REQUIRE(rl.acquire("odoo:443"));
  REQUIRE(rl.acquire("odoo:443"));
  sleeps = clock.sleeps();
  REQUIRE(sleeps.size() == 5);
  CHECK(duration_cast<milliseconds>(sleeps[3]) == 100ms);
  CHECK(duration_cast<milliseconds>(sleeps[4]) == 100ms);
}

TEST_CASE("buckets are per host and refill while idle, up to the burst") {
  ManualClock clock;
  RateLimiter rl({.per_second = 1, .burst = 1}, clock);
  REQUIRE(rl.acquire("a:80"));
  CHECK(rl.wait_estimate("a:80") == 1s);
  CHECK(rl.wait_estimate("b:80") == Clock::duration::zero());
  clock.advance(10s);
  CHECK(rl.wait_estimate("a:80") == Clock::duration::zero());
  REQUIRE(rl.acquire("a:80"));
  CHECK(rl.wait_estimate("a:80") == 1s);  // refill capped at burst 1, not 10
}

TEST_CASE("a token that would come after the deadline is refused without waiting or taking it") {
  ManualClock clock;
  RateLimiter rl({.per_second = 1, .burst = 1}, clock);
  REQUIRE(rl.acquire("h:1"));
  auto r = rl.acquire("h:1", clock.now() + 500ms);
  REQUIRE_FALSE(r);
  CHECK(r.error().transport_failure() == TransportFailure::rate_limited);
  CHECK_FALSE(r.error().request_sent());
  CHECK(r.error().retryable());
  CHECK(rl.wait_estimate("h:1") == 1s);  // nothing was taken
}

TEST_CASE("set_limit changes one host's rate") {
  ManualClock clock;
  RateLimiter rl({.per_second = 1, .burst = 1}, clock);
  rl.set_limit("fast:1", {.per_second = 1000, .burst = 1});
  REQUIRE(rl.acquire("fast:1"));
  CHECK(rl.wait_estimate("fast:1") == 1ms);
}

TEST_CASE("RateLimitTransport takes a token per request, keyed by host and port") {
  ManualClock clock;
  auto limiter = std::make_shared<RateLimiter>(RateLimit{.per_second = 2, .burst = 1}, clock);
  auto fake = std::make_shared<FakeTransport>();
  fake->set_fallback([](const Request&) -> result<Response> { return Response{.status = 200}; });
  RateLimitTransport t(fake, limiter);
  Request a{.url = "http://odoo.test:8069/jsonrpc"};
  Request b{.url = "http://other.test/jsonrpc"};
  REQUIRE(t.send(a));
  REQUIRE(t.send(b));
  REQUIRE(t.send(a));
  auto sleeps = clock.sleeps();
  REQUIRE(sleeps.size() == 3);
  CHECK(sleeps[1] == Clock::duration::zero());
  CHECK(duration_cast<milliseconds>(sleeps[2]) == 500ms);
  Request bad{.url = "not a url"};
  CHECK(t.send(bad).error().kind() == ErrorKind::validation);
}

TEST_CASE("many threads share one limiter safely" * doctest::test_suite("concurrency")) {
  RateLimiter rl({.per_second = 1e6, .burst = 1e6});
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i)
        if (rl.acquire(i % 2 ? "a:1" : "b:1")) ++ok;
    });
  for (auto& t : threads) t.join();
  CHECK(ok == 2000);
}
