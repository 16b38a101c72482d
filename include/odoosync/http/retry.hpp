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

struct RetryPolicy {
  int max_attempts = 4;                           // first attempt included
  std::chrono::milliseconds max_elapsed{30'000};  // no attempt starts after this
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{10'000};
  double multiplier = 2.0;

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
  // last response or error is returned, with attempts() telling how many were made.
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
