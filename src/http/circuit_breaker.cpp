// The circuit breaker's state machine and its Transport decorator.
#include <odoosync/http/circuit_breaker.hpp>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {
namespace http {

std::string_view to_string(CircuitState s) noexcept {
  switch (s) {
    case CircuitState::closed: return "closed";
    case CircuitState::open: return "open";
    case CircuitState::half_open: return "half_open";
  }
  return "unknown";
}

CircuitBreaker::CircuitBreaker(CircuitBreakerOptions options, Clock& clock) : options_(options), clock_(clock) {}

void CircuitBreaker::transition(CircuitState to, Clock::time_point now) {
  if (to == state_) return;
  pending_.emplace_back(state_, to);
  state_ = to;
  if (to == CircuitState::open) opened_at_ = now;
  if (to == CircuitState::closed) failures_.clear();
}

void CircuitBreaker::prune(Clock::time_point now) {
  while (!failures_.empty() && now - failures_.front() > options_.window) failures_.pop_front();
}

bool CircuitBreaker::allow() {
  bool allowed = false;
  std::deque<std::pair<CircuitState, CircuitState>> announce;
  Listener listener;
  {
    std::lock_guard lock(mutex_);
    const auto now = clock_.now();
    switch (state_) {
      case CircuitState::closed: allowed = true; break;
      case CircuitState::open:
        if (now - opened_at_ >= options_.cool_down) {
          transition(CircuitState::half_open, now);
          probe_in_flight_ = true;
          allowed = true;
        }
        break;
      case CircuitState::half_open:
        if (!probe_in_flight_) {
          probe_in_flight_ = true;
          allowed = true;
        }
        break;
    }
    announce.swap(pending_);
    if (!announce.empty()) listener = listener_;  // most calls change nothing: no std::function copy
  }
  if (listener)
    for (auto [from, to] : announce) listener(from, to);
  return allowed;
}

bool CircuitBreaker::would_allow() const {
  std::lock_guard lock(mutex_);
  switch (state_) {
    case CircuitState::closed: return true;
    case CircuitState::open: return clock_.now() - opened_at_ >= options_.cool_down;
    case CircuitState::half_open: return !probe_in_flight_;
  }
  return false;
}

void CircuitBreaker::record(Verdict verdict, std::string_view cause) {
  std::deque<std::pair<CircuitState, CircuitState>> announce;
  Listener listener;
  {
    std::lock_guard lock(mutex_);
    const auto now = clock_.now();
    if (verdict == Verdict::failure && !cause.empty()) last_failure_.assign(cause.substr(0, 512));
    if (state_ == CircuitState::half_open) {
      probe_in_flight_ = false;
      if (verdict == Verdict::success) transition(CircuitState::closed, now);
      if (verdict == Verdict::failure) transition(CircuitState::open, now);
    } else if (state_ == CircuitState::closed && verdict == Verdict::failure) {
      failures_.push_back(now);
      prune(now);
      if (static_cast<int>(failures_.size()) >= options_.failure_threshold) transition(CircuitState::open, now);
    }
    announce.swap(pending_);
    if (!announce.empty()) listener = listener_;  // most calls change nothing: no std::function copy
  }
  if (listener)
    for (auto [from, to] : announce) listener(from, to);
}

std::string CircuitBreaker::last_failure() const {
  std::lock_guard lock(mutex_);
  return last_failure_;
}

CircuitState CircuitBreaker::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

int CircuitBreaker::recent_failures() const {
  std::lock_guard lock(mutex_);
  int n = 0;
  const auto now = clock_.now();
  for (auto t : failures_)
    if (now - t <= options_.window) ++n;
  return n;
}

void CircuitBreaker::on_transition(Listener listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

CircuitBreaker::Verdict CircuitBreaker::verdict(Health health) noexcept {
  switch (health) {
    case Health::failing: return Verdict::failure;
    case Health::answer: return Verdict::success;
    case Health::neutral: return Verdict::neutral;
  }
  return Verdict::neutral;
}

CircuitBreaker::Verdict CircuitBreaker::judge(const result<Response>& r) noexcept {
  return verdict(r ? classify_status(r.value().status).health : classify(r.error()).health);
}

CircuitBreakerTransport::CircuitBreakerTransport(std::shared_ptr<Transport> next,
                                                 std::shared_ptr<CircuitBreaker> breaker)
    : next_(std::move(next)), breaker_(std::move(breaker)) {}

result<Response> CircuitBreakerTransport::send(const Request& request) {
  if (!breaker_->allow()) {
    const std::string cause = breaker_->last_failure();
    std::string message = "circuit breaker is open: the server failed repeatedly";
    if (!cause.empty()) message.append(", the last time: ").append(cause);
    message.append("; not sent");
    Error e = Error::transport(TransportFailure::circuit_open, false, std::move(message));
    if (!request.correlation_id.empty()) e.with_correlation_id(request.correlation_id);
    return e;
  }
  auto r = next_->send(request);
  const auto verdict = CircuitBreaker::judge(r);
  if (verdict != CircuitBreaker::Verdict::failure) {
    breaker_->record(verdict);
  } else if (r) {
    std::string cause = "HTTP ";
    cause.append(std::to_string(r.value().status));
    breaker_->record(verdict, cause);
  } else {
    breaker_->record(verdict, r.error().message());
  }
  return r;
}

}  // namespace http
}  // namespace v0
}  // namespace odoosync
