// Policy: the engine's decision after a failed send (see the header).
#include <odoosync/sync/policy.hpp>

#include <algorithm>
#include <cmath>

namespace odoosync {
inline namespace v0 {
namespace sync {

std::string_view to_string(FailureStep step) noexcept {
  switch (step) {
    case FailureStep::retry: return "retry";
    case FailureStep::probe: return "probe";
    case FailureStep::applied: return "applied";
    case FailureStep::split: return "split";
    case FailureStep::dead: return "dead";
  }
  return "?";
}

std::chrono::milliseconds backoff_cap(int attempt, const RetryOptions& o) noexcept {
  const double cap = std::min<double>(
      static_cast<double>(o.max_backoff.count()),
      static_cast<double>(o.initial_backoff.count()) * std::pow(2.0, std::min(std::max(attempt, 1) - 1, 30)));
  return std::chrono::milliseconds{static_cast<std::int64_t>(cap)};
}

FailureDecision decide_failure(const FailureFacts& f, const RetryOptions& o, std::chrono::milliseconds grace,
                               double jitter) {
  FailureDecision d;
  const Classification c = classify(f.error);
  const auto give_up = [&](std::string error) {
    d.step = f.members > 1 ? FailureStep::split : FailureStep::dead;
    d.error = std::move(error);
    return d;
  };
  const auto retry = [&] {
    d.step = FailureStep::retry;
    d.error = f.error.to_string();
    std::int64_t wait = static_cast<std::int64_t>(std::clamp(jitter, 0.0, 1.0) *
                                                  static_cast<double>(backoff_cap(f.attempt, o).count()));
    if (auto ra = f.error.retry_after()) wait = std::max<std::int64_t>(wait, ra->count());
    d.due_ms = f.now_ms + wait;
    // The request may still be running in Odoo (a timeout, a reset after sending): it is probed again
    // only after the grace period.
    if (f.error.outcome_unknown()) d.due_ms = std::max<std::int64_t>(d.due_ms, f.now_ms + grace.count());
    d.outcome_unknown = true;  // a multi-step effect may be half done whatever the error: probe
    return d;
  };
  const auto applied = [&] {
    d.step = FailureStep::applied;
    return d;
  };

  if (c.transient) {
    // An outage is bounded by age only (a store offline for hours must not dead-letter its day); an error
    // Odoo answered with is bounded by attempts. The age is the batch's: a replayed event starts again.
    const bool too_many = c.bound == RetryBound::attempts && f.attempt >= o.max_attempts;
    const bool too_old = f.now_ms - f.created_ms > o.max_age.count();
    if (!too_many && !too_old) return retry();
    // Giving up (then a replay under a new token) is safe only if Odoo says the effect is absent.
    if (f.effect_built) {
      switch (f.probe) {
        case ProbeResult::not_asked: d.step = FailureStep::probe; return d;
        case ProbeResult::applied: return applied();
        case ProbeResult::partial:
        case ProbeResult::failed: return retry();  // cannot give up without applying a part twice
        case ProbeResult::absent: break;
      }
    }
    return give_up((too_many ? "gave up after " + std::to_string(f.attempt) + " attempts: "
                             : std::string("gave up: older than the retry age limit: ")) +
                   f.error.to_string());
  }
  // Permanent. An earlier send may have done it ("already confirmed", "already done"), or part of it:
  // the probe decides, and a dead letter says what Odoo holds.
  std::string error = f.error.to_string();
  if (f.effect_built) {
    switch (f.probe) {
      case ProbeResult::not_asked: d.step = FailureStep::probe; return d;
      case ProbeResult::applied: return applied();
      case ProbeResult::failed: break;
      case ProbeResult::absent:
      case ProbeResult::partial:
        if (!f.probe_detail.empty()) error += " [in Odoo: " + f.probe_detail + "]";
        break;
    }
  }
  return give_up(std::move(error));
}

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
