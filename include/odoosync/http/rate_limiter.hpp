// RateLimiter: a token bucket per host ("host:port"), so a burst from many threads does not exceed
// what the Odoo server (or its proxy) accepts. RateLimitTransport makes every attempt take a token.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <odoosync/core/clock.hpp>
#include <odoosync/http/transport.hpp>

namespace odoosync {
inline namespace v0 {
namespace http {

struct RateLimit {
  double per_second = 50;  // sustained rate
  double burst = 10;       // bucket size: requests allowed at once after a quiet spell
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimit default_limit = {}, Clock& clock = Clock::system());

  void set_limit(std::string_view host, RateLimit limit);

  // Takes a token for `host`, waiting for it if need be. Fails without waiting (and without taking
  // the token) if it would not arrive before the deadline, or if the request is cancelled.
  result<void> acquire(std::string_view host, std::optional<Clock::time_point> deadline = std::nullopt);

  // The wait a token taken now would need (for tests and metrics); takes nothing.
  Clock::duration wait_estimate(std::string_view host);

 private:
  struct Bucket {
    RateLimit limit;
    double tokens;
    Clock::time_point last;
  };
  Bucket& bucket(std::string_view host, Clock::time_point now);
  static void refill(Bucket& b, Clock::time_point now);

  RateLimit default_;
  Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, Bucket, std::less<>> buckets_;
};

class RateLimitTransport final : public Transport {
 public:
  RateLimitTransport(std::shared_ptr<Transport> next, std::shared_ptr<RateLimiter> limiter);
  result<Response> send(const Request& request) override;

 private:
  std::shared_ptr<Transport> next_;
  std::shared_ptr<RateLimiter> limiter_;
};

}  // namespace http
}  // namespace v0
}  // namespace odoosync
