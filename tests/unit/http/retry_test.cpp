// RetryTransport: what is retried, how long it waits, and when it stops.
#include <doctest/doctest.h>

#include <odoosync/http/fake_transport.hpp>
#include <odoosync/http/retry.hpp>

#include <algorithm>
#include <memory>

using namespace odoosync;
using namespace odoosync::http;
using namespace std::chrono;
using namespace std::chrono_literals;

namespace {
Response status(int code, std::string retry_after = {}) {
  Response r;
  r.status = code;
  if (!retry_after.empty()) r.headers.add("Retry-After", std::move(retry_after));
  return r;
}
Request post(bool idempotent) {
  Request r;
  r.url = "http://odoo.test/jsonrpc";
  r.body = R"({"jsonrpc":"2.0","method":"call","params":{}})";
  r.idempotent = idempotent;
  r.correlation_id = "corr-1";
  return r;
}
struct Fixture {
  std::shared_ptr<FakeTransport> fake = std::make_shared<FakeTransport>();
  ManualClock clock;
  RetryPolicy policy;
  RetryTransport make() { return RetryTransport(fake, policy, clock, 42); }
};
}  // namespace

TEST_CASE("a failure before sending is retried even for a non-idempotent request") {
  Fixture f;
  f.fake->push(Error::transport(TransportFailure::connect, false, "refused"))
      .push(Error::transport(TransportFailure::dns, false, "no such host"))
      .push(status(200));
  auto t = f.make();
  auto r = t.send(post(false));
  REQUIRE(r);
  CHECK(r.value().status == 200);
  CHECK(r.value().attempts == 3);
  CHECK(f.clock.sleeps().size() == 2);
}

TEST_CASE("an outcome-unknown failure is retried only when the request is idempotent") {
  Fixture f;
  f.fake->push(Error::transport(TransportFailure::reset, true, "reset after send")).push(status(200));
  auto t = f.make();
  auto r = t.send(post(false));
  REQUIRE_FALSE(r);
  CHECK(r.error().outcome_unknown());
  CHECK(r.error().attempts() == 1);
  CHECK(f.fake->request_count() == 1);

  Fixture g;
  g.fake->push(Error::transport(TransportFailure::reset, true, "reset after send")).push(status(200));
  auto tg = g.make();
  auto again = tg.send(post(true));
  REQUIRE(again);
  CHECK(again.value().attempts == 2);
  CHECK(g.fake->request_count() == 2);
}

TEST_CASE("an idempotent request survives a timeout after sending") {
  Fixture f;
  f.fake->push(Error::transport(TransportFailure::timeout, true, "no answer")).push(status(200));
  auto t = f.make();
  auto r = t.send(post(true));
  REQUIRE(r);
  CHECK(r.value().attempts == 2);
}

TEST_CASE("429/502/503/504 are retried for idempotent requests and returned as is otherwise") {
  for (int code : {429, 502, 503, 504}) {
    Fixture f;
    f.fake->push(status(code)).push(status(200));
    auto t = f.make();
    auto once = t.send(post(false));
    REQUIRE(once);
    CHECK(once.value().status == code);
    CHECK(once.value().attempts == 1);
    auto retried = t.send(post(true));
    REQUIRE(retried);
    CHECK(retried.value().status == 200);
    CHECK(retried.value().attempts == 1);  // the 200 was next in the queue
  }
  Fixture f;
  f.fake->push(status(503)).push(status(200));
  auto t = f.make();
  auto r = t.send(post(true));
  REQUIRE(r);
  CHECK(r.value().status == 200);
  CHECK(r.value().attempts == 2);
}

TEST_CASE("other statuses and permanent errors are not retried") {
  Fixture f;
  f.fake->push(status(500))
      .push(status(400))
      .push(Error::transport(TransportFailure::tls, false, "bad cert"))
      .push(Error::validation("bad url"))
      .push(Error::cancelled("stop"));
  auto t = f.make();
  CHECK(t.send(post(true)).value().status == 500);
  CHECK(t.send(post(true)).value().status == 400);
  CHECK(t.send(post(true)).error().transport_failure() == TransportFailure::tls);
  CHECK(t.send(post(true)).error().kind() == ErrorKind::validation);
  CHECK(t.send(post(true)).error().kind() == ErrorKind::cancelled);
  CHECK(f.fake->request_count() == 5);
  CHECK(f.clock.sleeps().empty());
}

TEST_CASE("retry honours Retry-After in seconds") {
  Fixture f;
  f.fake->push(status(429, "3")).push(status(200));
  auto t = f.make();
  auto r = t.send(post(true));
  REQUIRE(r);
  REQUIRE(f.clock.sleeps().size() == 1);
  CHECK(f.clock.sleeps()[0] == 3s);
}

TEST_CASE("retry honours Retry-After in HTTP-date form") {
  Fixture f;
  f.clock.set_wall(sys_days{2026y / November / 22} + 10h);
  f.fake->push(status(503, "Sun, 22 Nov 2026 10:00:07 GMT")).push(status(200));
  auto t = f.make();
  REQUIRE(t.send(post(true)));
  REQUIRE(f.clock.sleeps().size() == 1);
  CHECK(f.clock.sleeps()[0] == 7s);
}

TEST_CASE("retry stops at max_attempts and returns the last answer with the count") {
  Fixture f;
  f.policy.max_attempts = 4;
  f.fake->set_fallback([](const Request&) -> result<Response> { return status(503); });
  auto t = f.make();
  auto r = t.send(post(true));
  REQUIRE(r);
  CHECK(r.value().status == 503);
  CHECK(r.value().attempts == 4);
  CHECK(f.fake->request_count() == 4);
  CHECK(f.clock.sleeps().size() == 3);

  Fixture g;
  g.fake->set_fallback(
      [](const Request&) -> result<Response> { return Error::transport(TransportFailure::connect, false, "down"); });
  auto tg = g.make();
  auto e = tg.send(post(false));
  REQUIRE_FALSE(e);
  CHECK(e.error().attempts() == 4);
}

TEST_CASE("retry stops when the next wait would pass max_elapsed or the deadline") {
  Fixture f;
  f.policy.max_elapsed = 30s;
  f.fake->push(status(429, "60")).push(status(200));
  auto t = f.make();
  auto r = t.send(post(true));
  CHECK(r.value().status == 429);
  CHECK(f.clock.sleeps().empty());

  Fixture g;
  g.fake->push(status(503, "5")).push(status(200));
  auto tg = g.make();
  Request req = post(true);
  req.deadline = g.clock.now() + 2s;
  CHECK(tg.send(req).value().status == 503);
  CHECK(g.fake->request_count() == 1);
}

TEST_CASE("backoff is exponential with full jitter under the cap") {
  RetryPolicy p;
  p.initial_backoff = 100ms;
  p.multiplier = 2;
  p.max_backoff = 1s;
  CHECK(p.backoff_cap(1) == 100ms);
  CHECK(p.backoff_cap(2) == 200ms);
  CHECK(p.backoff_cap(4) == 800ms);
  CHECK(p.backoff_cap(5) == 1s);
  CHECK(p.backoff_cap(30) == 1s);

  // Many first retries: every wait within [0, 100ms] and spread over the range, not fixed.
  Fixture f;
  f.policy = p;
  f.policy.max_attempts = 2;
  f.policy.budget = std::make_shared<RetryBudget>(1'000'000);  // 400 retries: not what this test is about
  f.fake->set_fallback([n = 0](const Request&) mutable -> result<Response> { return status(++n % 2 ? 503 : 200); });
  auto t = f.make();
  for (int i = 0; i < 400; ++i) REQUIRE(t.send(post(true)));
  auto sleeps = f.clock.sleeps();
  REQUIRE(sleeps.size() == 400);
  auto [lo, hi] = std::minmax_element(sleeps.begin(), sleeps.end());
  CHECK(*lo >= 0ms);
  CHECK(*hi <= 100ms);
  CHECK(*lo < 20ms);
  CHECK(*hi > 80ms);
}

TEST_CASE("every attempt of one retry loop sends the same request: one token") {
  Fixture f;
  f.fake->push(status(503)).push(Error::transport(TransportFailure::reset, true, "reset")).push(status(200));
  auto t = f.make();
  Request req = post(true);
  req.headers.add("X-Idempotency-Key", "evt-123");
  REQUIRE(t.send(req));
  auto seen = f.fake->requests();
  REQUIRE(seen.size() == 3);
  for (const auto& s : seen) {
    CHECK(s.body == req.body);
    CHECK(s.headers == req.headers);
    CHECK(s.correlation_id == "corr-1");
  }
}

TEST_CASE("cancelling during the wait ends the loop with a cancelled error") {
  Fixture f;
  f.fake->push(status(503, "10")).push(status(200));
  auto t = f.make();
  Request req = post(true);
  req.cancel = CancellationToken{};
  req.cancel->cancel();
  auto r = t.send(req);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == ErrorKind::cancelled);
  CHECK(f.fake->request_count() == 1);
}

TEST_CASE("the retry budget caps retries across a client in an outage, and answers earn it back") {
  Fixture f;
  f.policy.max_attempts = 4;
  f.policy.budget = std::make_shared<RetryBudget>(20);  // four retries' worth
  auto t = f.make();
  // An outage: every attempt refused. The first call retries 3 times (15 tokens), the second once
  // (the last 5), the third not at all.
  f.fake->set_fallback(
      [](const Request&) -> result<Response> { return Error::transport(TransportFailure::connect, false, "refused"); });
  auto a = t.send(post(true));
  REQUIRE_FALSE(a);
  CHECK(a.error().attempts() == 4);
  auto b = t.send(post(true));
  REQUIRE_FALSE(b);
  CHECK(b.error().attempts() == 2);
  CHECK(b.error().message().find("retry budget exhausted") != std::string::npos);
  auto c = t.send(post(true));
  REQUIRE_FALSE(c);
  CHECK(c.error().attempts() == 1);
  CHECK(f.fake->request_count() == 7);  // 4 + 2 + 1, not 12
  CHECK(f.policy.budget->tokens() == 0);
  // Odoo is back: answers earn tokens back, one each, and retries resume once there are enough.
  f.fake->set_fallback([](const Request&) -> result<Response> { return status(200); });
  for (int i = 0; i < 5; ++i) REQUIRE(t.send(post(true)));
  CHECK(f.policy.budget->tokens() == 5);
  f.fake->push(Error::transport(TransportFailure::connect, false, "refused"));
  auto d = t.send(post(true));
  REQUIRE(d);
  CHECK(d.value().attempts == 2);
  CHECK(f.policy.budget->tokens() == 5);  // the retry that worked gave back what it spent
}

TEST_CASE("a timeout costs the budget twice what another failure does") {
  Fixture f;
  f.policy.budget = std::make_shared<RetryBudget>(30);
  auto t = f.make();
  f.fake->push(Error::transport(TransportFailure::timeout, false, "timed out before sending"))
      .push(Error::transport(TransportFailure::connect, false, "refused"))
      .push(status(200));
  REQUIRE(t.send(post(true)));
  CHECK(f.policy.budget->tokens() == 30);  // 10 + 5 spent, 15 earned back by the answer
  f.fake->push(Error::transport(TransportFailure::timeout, false, "timed out before sending"))
      .push(Error::transport(TransportFailure::timeout, false, "timed out before sending"))
      .push(Error::transport(TransportFailure::timeout, false, "timed out before sending"))
      .push(Error::transport(TransportFailure::timeout, false, "timed out before sending"));
  auto r = t.send(post(true));
  REQUIRE_FALSE(r);
  CHECK(r.error().attempts() == 4);
  CHECK(f.policy.budget->tokens() == 0);
}
