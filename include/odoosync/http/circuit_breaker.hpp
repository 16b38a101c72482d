// CircuitBreaker: stops calls to a server that is down, so callers fail fast (and the sync engine keeps
// its events queued) instead of piling timeouts on it. Closed → open after `failure_threshold` failures
// within `window`; open → half-open after `cool_down`; half-open lets exactly one probe through, whose
// success closes the circuit and whose failure opens it again.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <string_view>

#include <odoosync/core/clock.hpp>
#include <odoosync/http/transport.hpp>

namespace odoosync {
inline namespace v0 {
namespace http {

enum class CircuitState : std::uint8_t { closed, open, half_open };
std::string_view to_string(CircuitState s) noexcept;

struct CircuitBreakerOptions {
  int failure_threshold = 5;
  std::chrono::milliseconds window{30'000};
  std::chrono::milliseconds cool_down{15'000};
};

class CircuitBreaker {
 public:
  enum class Verdict : std::uint8_t { success, failure, neutral };  // neutral: says nothing of health
  using Listener = std::function<void(CircuitState from, CircuitState to)>;

  explicit CircuitBreaker(CircuitBreakerOptions options = {}, Clock& clock = Clock::system());

  // May a call go now? In half-open, true for one caller only, until it records its verdict.
  bool allow();
  // Would allow() let a call go now? (It changes nothing: a caller that waits for work checks this.)
  bool would_allow() const;
  // `cause`: for a failure, what failed (kept so that an open breaker can say why it opened).
  void record(Verdict verdict, std::string_view cause = {});
  // The cause of the last failure recorded ("" before any): "transport/connection_refused: ...", "HTTP 503".
  std::string last_failure() const;

  CircuitState state() const;
  int recent_failures() const;
  // Called after each transition, outside the breaker's lock, from the thread that caused it.
  void on_transition(Listener listener);

  // What counts as a failure: the health the one classification gives (classify / classify_status in
  // core/error.hpp): a transport failure (not our own refusal, not a cancellation) or a 502/503/504 answer.
  static Verdict judge(const result<Response>& r) noexcept;
  static Verdict verdict(Health health) noexcept;

 private:
  void transition(CircuitState to, Clock::time_point now);
  void prune(Clock::time_point now);

  CircuitBreakerOptions options_;
  Clock& clock_;
  mutable std::mutex mutex_;
  CircuitState state_ = CircuitState::closed;
  std::deque<Clock::time_point> failures_;
  Clock::time_point opened_at_{};
  bool probe_in_flight_ = false;
  std::string last_failure_;
  Listener listener_;
  std::deque<std::pair<CircuitState, CircuitState>> pending_;  // transitions to announce
};

class CircuitBreakerTransport final : public Transport {
 public:
  CircuitBreakerTransport(std::shared_ptr<Transport> next, std::shared_ptr<CircuitBreaker> breaker);
  // While open, fails at once with TransportFailure::circuit_open (never sent, retryable); its message
  // names the last failure that the breaker counted, so the cause is not hidden behind it.
  result<Response> send(const Request& request) override;
  const std::shared_ptr<CircuitBreaker>& breaker() const { return breaker_; }

 private:
  std::shared_ptr<Transport> next_;
  std::shared_ptr<CircuitBreaker> breaker_;
};

}  // namespace http
}  // namespace v0
}  // namespace odoosync
