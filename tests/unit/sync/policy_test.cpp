// sync::decide_failure: every branch of the engine's decision after a failed send, without an engine,
// a store or a server; time comes from a ManualClock.
#include <odoosync/core/clock.hpp>
#include <odoosync/sync/policy.hpp>

#include <doctest/doctest.h>

#include <chrono>

using namespace odoosync;
using namespace odoosync::sync;
using namespace std::chrono_literals;

namespace {
std::int64_t ms(const ManualClock& c) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(c.wall_now().time_since_epoch()).count();
}
const RetryOptions opts{.max_attempts = 3, .initial_backoff = 100ms, .max_backoff = 1000ms, .max_age = 1h};
constexpr auto grace = 30s;

FailureFacts facts(const ManualClock& c, Error e, int attempt = 1, std::size_t members = 1, bool effect = false) {
  FailureFacts f;
  f.error = std::move(e);
  f.attempt = attempt;
  f.now_ms = ms(c);
  f.created_ms = ms(c);
  f.members = members;
  f.effect_built = effect;
  return f;
}
Error conflict() { return Error(ErrorKind::conflict, "could not serialize access"); }
Error outage() { return Error::transport(TransportFailure::connect, false, "refused"); }
Error permanent() { return Error::odoo("odoo.exceptions.UserError", "no such product"); }
}  // namespace

TEST_CASE("policy: backoff_cap doubles from the initial backoff and stops at the maximum") {
  CHECK(backoff_cap(1, opts) == 100ms);
  CHECK(backoff_cap(2, opts) == 200ms);
  CHECK(backoff_cap(4, opts) == 800ms);
  CHECK(backoff_cap(5, opts) == 1000ms);
  CHECK(backoff_cap(500, opts) == 1000ms);
  CHECK(backoff_cap(0, opts) == 100ms);
}

TEST_CASE("policy: a transient error under its bounds is retried inside the jittered backoff") {
  ManualClock c;
  auto f = facts(c, conflict(), 2);
  auto lo = decide_failure(f, opts, grace, 0.0);
  auto hi = decide_failure(f, opts, grace, 1.0);
  auto mid = decide_failure(f, opts, grace, 0.5);
  CHECK(lo.step == FailureStep::retry);
  CHECK(lo.due_ms == f.now_ms);
  CHECK(hi.due_ms == f.now_ms + 200);
  CHECK(mid.due_ms == f.now_ms + 100);
  CHECK(mid.outcome_unknown);
  CHECK(mid.error == conflict().to_string());
}

TEST_CASE("policy: Retry-After is a floor, an unknown outcome waits out the grace period") {
  ManualClock c;
  auto f = facts(c, Error::http_status(429, "slow down").with_retry_after(5000ms));
  CHECK(decide_failure(f, opts, grace, 1.0).due_ms == f.now_ms + 5000);
  auto unknown = facts(c, Error::transport(TransportFailure::timeout, true, "no answer"));
  CHECK(decide_failure(unknown, opts, grace, 1.0).due_ms == unknown.now_ms + 30'000);
  CHECK(decide_failure(unknown, opts, 0ms, 0.0).due_ms == unknown.now_ms);
}

TEST_CASE("policy: errors Odoo answered are bounded by attempts, outages by age alone") {
  ManualClock c;
  // The third conflict gives up (max_attempts 3) ...
  auto f = facts(c, conflict(), 3);
  auto d = decide_failure(f, opts, grace, 0.5);
  CHECK(d.step == FailureStep::dead);
  CHECK(d.error.rfind("gave up after 3 attempts: ", 0) == 0);
  // ... the 300th outage does not, until the batch is older than max_age.
  auto o = facts(c, outage(), 300);
  CHECK(decide_failure(o, opts, grace, 0.5).step == FailureStep::retry);
  c.set_wall(c.wall_now() + 1h + 1ms);
  o.now_ms = ms(c);
  auto old = decide_failure(o, opts, grace, 0.5);
  CHECK(old.step == FailureStep::dead);
  CHECK(old.error.rfind("gave up: older than the retry age limit: ", 0) == 0);
}

TEST_CASE("policy: giving up a batch whose send may have landed asks Odoo first") {
  ManualClock c;
  auto f = facts(c, conflict(), 3, 4, /*effect=*/true);
  CHECK(decide_failure(f, opts, grace, 0.5).step == FailureStep::probe);
  f.probe = ProbeResult::applied;
  CHECK(decide_failure(f, opts, grace, 0.5).step == FailureStep::applied);
  f.probe = ProbeResult::absent;
  CHECK(decide_failure(f, opts, grace, 0.5).step == FailureStep::split);  // four members: each alone next
  f.members = 1;
  CHECK(decide_failure(f, opts, grace, 0.5).step == FailureStep::dead);
  // Part of it, or no answer: it cannot be given up without applying a part twice after a replay.
  f.probe = ProbeResult::partial;
  CHECK(decide_failure(f, opts, grace, 0.5).step == FailureStep::retry);
  f.probe = ProbeResult::failed;
  CHECK(decide_failure(f, opts, grace, 0.5).step == FailureStep::retry);
}

TEST_CASE("policy: a permanent error is probed when an effect was built, and the dead letter says what Odoo holds") {
  ManualClock c;
  auto bare = facts(c, permanent());
  auto d = decide_failure(bare, opts, grace, 0.5);
  CHECK(d.step == FailureStep::dead);
  CHECK(d.error == permanent().to_string());
  auto many = facts(c, permanent(), 1, 3);
  CHECK(decide_failure(many, opts, grace, 0.5).step == FailureStep::split);

  auto f = facts(c, permanent(), 1, 1, true);
  CHECK(decide_failure(f, opts, grace, 0.5).step == FailureStep::probe);
  f.probe = ProbeResult::applied;  // "already done": an earlier send did it
  CHECK(decide_failure(f, opts, grace, 0.5).step == FailureStep::applied);
  f.probe = ProbeResult::partial;
  f.probe_detail = "sale.order S00042 is draft, expected sale";
  auto partial = decide_failure(f, opts, grace, 0.5);
  CHECK(partial.step == FailureStep::dead);
  CHECK(partial.error == permanent().to_string() + " [in Odoo: sale.order S00042 is draft, expected sale]");
  f.probe = ProbeResult::failed;
  CHECK(decide_failure(f, opts, grace, 0.5).error == permanent().to_string());
}

TEST_CASE("policy: the decision is the same whenever it is asked, for the same facts") {
  ManualClock c;
  auto f = facts(c, conflict(), 2);
  auto a = decide_failure(f, opts, grace, 0.25);
  c.advance(10min);  // the clock moving does not change a decision about facts taken earlier
  auto b = decide_failure(f, opts, grace, 0.25);
  CHECK(a.step == b.step);
  CHECK(a.due_ms == b.due_ms);
}
