// Retrying: RetryPolicy says when to stop and which failures are worth another attempt, the backoff
// says how long to wait (exponential with full jitter, or what Retry-After asks), and idempotency says
// whether a retry is safe at all. RetryTransport applies them around any Transport.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>

#include <odoosync/core/clock.hpp>
#include <odoosync/http/transport.hpp>

namespace odoosync {
inline namespace v0 {
namespace http {

// A cap on retries across everything that shares it (by default: one per RetryTransport, so one per
// Client), the way aws-sdk-cpp's retry quota works: each retry spends tokens (5, or 10 after a timeout,
// which costs the server most), each answer that needed no retry earns one back, up to the capacity;
// an empty budget means no more retries until answers come back. So an outage does not multiply the
// load on Odoo by max_attempts for every caller; a single failure among many answers never notices.
class RetryBudget {
 public:
  explicit RetryBudget(int capacity = 500) : capacity_(capacity), tokens_(capacity) {}
  static constexpr int retry_cost = 5;
  static constexpr int timeout_retry_cost = 10;
  // Takes the cost if the budget has it.
  bool try_spend(int cost) {
    std::lock_guard l(mutex_);
    if (tokens_ < cost) return false;
    tokens_ -= cost;
    return true;
  }
  // An answer: `cost` back after a retry that worked (what it spent), 1 otherwise.
  void earn(int amount) {
    std::lock_guard l(mutex_);
    tokens_ = tokens_ + amount > capacity_ ? capacity_ : tokens_ + amount;
  }
  int tokens() const {
    std::lock_guard l(mutex_);
    return tokens_;
  }

 private:
  mutable std::mutex mutex_;
  int capacity_;
  int tokens_;
};

struct RetryPolicy {
  int max_attempts = 4;                           // first attempt included
  std::chrono::milliseconds max_elapsed{30'000};  // no attempt starts after this
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{10'000};
  double multiplier = 2.0;
  // Shared across the callers that should share one cap; empty: the transport makes its own.
  std::shared_ptr<RetryBudget> budget{};

  // 429, 502, 503 and 504: the server (or a proxy) says try again. Retried for idempotent requests.
  static bool retryable_status(int status) noexcept;
  // The upper bound of the jittered wait before attempt `attempt + 1` (attempt counts from 1).
  std::chrono::milliseconds backoff_cap(int attempt) const noexcept;
};

class RetryTransport final : public Transport {
 public:
  RetryTransport(std::shared_ptr<Transport> next, RetryPolicy policy = {}, Clock& clock = Clock::system(),
                 std::uint64_t seed = std::random_device{}());

  // Never-sent failures are retried always; outcome_unknown failures and retryable statuses only when
  // request.idempotent. Waits honour Retry-After (seconds or HTTP-date) over the computed backoff. The
  // last response or error is returned, with attempts() telling how many were made. A retry the
  // budget cannot pay for is not made: the error then says "retry budget exhausted".
  result<Response> send(const Request& request) override;

 private:
  std::chrono::milliseconds jittered(int attempt);
  bool sleep(std::chrono::milliseconds d, const Request& request);

  std::shared_ptr<Transport> next_;
  RetryPolicy policy_;
  Clock& clock_;
  std::mutex rng_mutex_;
  std::mt19937_64 rng_;
};

}  // namespace http
}  // namespace v0
}  // namespace odoosync
