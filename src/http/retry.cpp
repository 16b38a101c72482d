// RetryTransport: the retry loop. One request object is re-sent unchanged, so every attempt carries
// the same idempotency token and correlation id.
#include <odoosync/http/retry.hpp>
#include <odoosync/http/retry_after.hpp>

#include <algorithm>
#include <cmath>

namespace odoosync {
inline namespace v0 {
namespace http {

bool RetryPolicy::retryable_status(int status) noexcept { return classify_status(status).quick_retry; }

std::chrono::milliseconds RetryPolicy::backoff_cap(int attempt) const noexcept {
  const double base = static_cast<double>(initial_backoff.count());
  const double cap = base * std::pow(multiplier, std::max(0, attempt - 1));
  const double bounded = std::min(cap, static_cast<double>(max_backoff.count()));
  return std::chrono::milliseconds(static_cast<std::int64_t>(bounded));
}

RetryTransport::RetryTransport(std::shared_ptr<Transport> next, RetryPolicy policy, Clock& clock, std::uint64_t seed)
    : next_(std::move(next)), policy_(std::move(policy)), clock_(clock), rng_(seed) {
  if (!policy_.budget) policy_.budget = std::make_shared<RetryBudget>();
}

std::chrono::milliseconds RetryTransport::jittered(int attempt) {
  // Full jitter: uniform in [0, cap], which spreads a crowd of clients best (AWS architecture blog).
  const auto cap = policy_.backoff_cap(attempt).count();
  if (cap <= 0) return std::chrono::milliseconds(0);
  std::lock_guard lock(rng_mutex_);
  std::uniform_int_distribution<std::int64_t> dist(0, cap);
  return std::chrono::milliseconds(dist(rng_));
}

bool RetryTransport::sleep(std::chrono::milliseconds d, const Request& request) {
  if (!request.cancel) {
    clock_.sleep_for(d);
    return true;
  }
  // Sleep in slices so a cancellation is noticed within 50 ms.
  constexpr std::chrono::milliseconds slice{50};
  while (d.count() > 0) {
    if (request.cancel->cancelled()) return false;
    auto step = std::min(d, slice);
    clock_.sleep_for(step);
    d -= step;
  }
  return !request.cancel->cancelled();
}

result<Response> RetryTransport::send(const Request& request) {
  const auto start = clock_.now();
  // A circuit breaker below may open during the retries: the caller then reads the failure that opened
  // it, not "circuit breaker is open".
  std::optional<Error> cause;
  const auto final = [&](result<Response>& r) -> result<Response> {
    if (!r && r.error().transport_failure() == TransportFailure::circuit_open && cause) {
      Error e = *cause;
      e.with_attempts(r.error().attempts());
      return e;
    }
    return std::move(r);
  };
  int spent = 0;  // budget tokens this call's retries took
  for (int attempt = 1;; ++attempt) {
    result<Response> r = next_->send(request);
    if (!r && r.error().transport_failure() != TransportFailure::circuit_open) cause = r.error();

    std::optional<std::chrono::milliseconds> asked;  // Retry-After
    bool again = false;
    if (r) {
      r.value().attempts = attempt;
      if (RetryPolicy::retryable_status(r.value().status) && request.idempotent) {
        again = true;
        if (auto h = r.value().header("Retry-After")) asked = parse_retry_after(*h, clock_.wall_now());
      }
    } else {
      Error& e = r.error();
      e.with_attempts(attempt);
      const bool safe = !e.outcome_unknown() || request.idempotent;
      again = e.kind() != ErrorKind::cancelled && e.retryable() && safe;
      asked = e.retry_after();
    }
    if (!again) {
      // An answer (or a failure not worth retrying): earn back what the retries of this call spent.
      if (r) policy_.budget->earn(spent > 0 ? spent : 1);
      return final(r);
    }
    if (attempt >= policy_.max_attempts) return final(r);

    const auto wait = asked ? *asked : jittered(attempt);
    const auto now = clock_.now();
    if (now + wait - start > policy_.max_elapsed) return final(r);
    if (request.deadline && now + wait >= *request.deadline) return final(r);
    const int cost = !r && r.error().transport_failure() == TransportFailure::timeout ? RetryBudget::timeout_retry_cost
                                                                                      : RetryBudget::retry_cost;
    if (!policy_.budget->try_spend(cost)) {
      auto out = final(r);
      if (!out) out.error().with_message_prefix("retry budget exhausted (too many failures across this client)");
      return out;
    }
    spent += cost;
    if (!sleep(wait, request)) {
      Error e = Error::cancelled("cancelled while waiting to retry");
      e.with_attempts(attempt);
      if (!request.correlation_id.empty()) e.with_correlation_id(request.correlation_id);
      return e;
    }
  }
}

}  // namespace http
}  // namespace v0
}  // namespace odoosync
