// Policy: what the engine does after a send failed, as pure functions (no I/O, no clock, no random
// numbers of their own). The engine gathers the facts, asks, carries out the answer, and asks again
// with the probe's result when the answer was "probe". tests/unit/sync/policy_test.cpp covers every
// branch; docs/sync.md states the rules.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include <odoosync/core/error.hpp>

namespace odoosync {
inline namespace v0 {
namespace sync {

struct RetryOptions {
  // Sends of one batch that failed with an error Odoo answered (conflict, serialization failure), then
  // it is dead-lettered. Outages (no answer, 5xx, 429, auth) are bounded by max_age alone.
  int max_attempts = 10;
  std::chrono::milliseconds initial_backoff{250};
  std::chrono::milliseconds max_backoff{60'000};
  std::chrono::milliseconds max_age{std::chrono::hours(72)};  // an event older than this stops retrying
};

// What Odoo said when asked whether the batch's effect is there.
enum class ProbeResult : std::uint8_t {
  not_asked,  // no probe yet
  applied,    // all of it is there
  absent,     // nothing of it
  partial,    // some of it: giving up now would apply a part twice after a replay
  failed,     // the probe itself failed: nothing is known
};

struct FailureFacts {
  Error error{};
  int attempt = 1;  // this batch's sends so far, this one included
  std::int64_t now_ms = 0;
  std::int64_t created_ms = 0;  // the batch's first claim
  std::size_t members = 1;
  bool effect_built = false;  // a send may have reached Odoo, and a probe can tell
  ProbeResult probe = ProbeResult::not_asked;
  std::string probe_detail{};  // what the probe found (for a dead letter)
};

enum class FailureStep : std::uint8_t {
  retry,    // settle as retry, due at due_ms (members stay bound to the batch and its token)
  probe,    // ask Odoo whether the effect is there, then decide again with the answer
  applied,  // the probe found it done: settle as applied
  split,    // give up on a batch of many: each member goes alone next
  dead,     // give up on a batch of one: dead letter
};
std::string_view to_string(FailureStep step) noexcept;

struct FailureDecision {
  FailureStep step = FailureStep::retry;
  std::int64_t due_ms = 0;      // retry
  bool outcome_unknown = true;  // retry: probe before the next send (a multi-step effect may be half done)
  std::string error{};          // the error to record (with "gave up ..." or "[in Odoo: ...]" where it applies)
};

// The upper bound of the wait before send `attempt + 1`: exponential from initial_backoff, capped.
std::chrono::milliseconds backoff_cap(int attempt, const RetryOptions& options) noexcept;

// `jitter` in [0, 1] picks the wait inside [0, cap] (full jitter); the caller draws it. A Retry-After
// from the server is a floor; an unknown outcome waits at least `grace` (the send may still be running
// in Odoo, and a probe cannot see an uncommitted transaction).
FailureDecision decide_failure(const FailureFacts& facts, const RetryOptions& options, std::chrono::milliseconds grace,
                               double jitter);

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
