// Token buckets per host. A caller takes its token up front (the count may go negative) and then
// sleeps outside the lock, so waiting callers queue fairly without holding anyone up.
#include <odoosync/http/rate_limiter.hpp>
#include <odoosync/http/url.hpp>

#include <algorithm>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {
namespace http {

RateLimiter::RateLimiter(RateLimit default_limit, Clock& clock) : default_(default_limit), clock_(clock) {}

void RateLimiter::set_limit(std::string_view host, RateLimit limit) {
  std::lock_guard lock(mutex_);
  auto now = clock_.now();
  auto& b = bucket(host, now);
  refill(b, now);
  b.limit = limit;
  b.tokens = std::min(b.tokens, limit.burst);
}

RateLimiter::Bucket& RateLimiter::bucket(std::string_view host, Clock::time_point now) {
  auto it = buckets_.find(host);
  if (it == buckets_.end()) it = buckets_.emplace(std::string(host), Bucket{default_, default_.burst, now}).first;
  return it->second;
}

void RateLimiter::refill(Bucket& b, Clock::time_point now) {
  if (now <= b.last) return;
  const double secs = std::chrono::duration<double>(now - b.last).count();
  b.tokens = std::min(b.limit.burst, b.tokens + secs * b.limit.per_second);
  b.last = now;
}

Clock::duration RateLimiter::wait_estimate(std::string_view host) {
  std::lock_guard lock(mutex_);
  auto now = clock_.now();
  auto& b = bucket(host, now);
  refill(b, now);
  if (b.tokens >= 1 || b.limit.per_second <= 0) return Clock::duration::zero();
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>((1 - b.tokens) / b.limit.per_second));
}

result<void> RateLimiter::acquire(std::string_view host, std::optional<Clock::time_point> deadline) {
  Clock::duration wait{};
  {
    std::lock_guard lock(mutex_);
    auto now = clock_.now();
    auto& b = bucket(host, now);
    if (b.limit.per_second <= 0) return success();  // unlimited
    refill(b, now);
    if (b.tokens < 1) {
      wait = std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>((1 - b.tokens) / b.limit.per_second));
      if (deadline && now + wait > *deadline) {
        return Error::transport(TransportFailure::rate_limited, false,
                                fmt::format("rate limit for {} allows the next request in {} ms, after the deadline",
                                            host, std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()));
      }
    }
    b.tokens -= 1;
  }
  clock_.sleep_for(wait);
  return success();
}

RateLimitTransport::RateLimitTransport(std::shared_ptr<Transport> next, std::shared_ptr<RateLimiter> limiter)
    : next_(std::move(next)), limiter_(std::move(limiter)) {}

result<Response> RateLimitTransport::send(const Request& request) {
  auto url = parse_url(request.url);
  if (!url) return url.error();
  if (auto ok = limiter_->acquire(authority_of(url.value()), request.deadline); !ok) {
    Error e = ok.error();
    if (!request.correlation_id.empty()) e.with_correlation_id(request.correlation_id);
    return e;
  }
  if (request.cancel && request.cancel->cancelled()) return Error::cancelled("cancelled while rate limited");
  return next_->send(request);
}

}  // namespace http
}  // namespace v0
}  // namespace odoosync
