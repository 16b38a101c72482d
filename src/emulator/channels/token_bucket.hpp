// A token bucket for the channel emulators' documented (or configured) request rates: `rate` tokens a
// second up to `burst`; each request takes one or is refused. Not thread-safe: the emulator's lock guards it.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>

#include <odoosync/core/clock.hpp>

namespace odoosync {
inline namespace v0 {
namespace channel_emulator::detail {

class TokenBucket {
 public:
  void configure(double rate, double burst, Clock::time_point now) {
    rate_ = rate;
    burst_ = std::max(1.0, burst);
    tokens_ = burst_;
    at_ = now;
  }
  bool limited() const { return rate_ > 0; }
  // Takes a token if there is one.
  bool take(Clock::time_point now) {
    if (!limited()) return true;
    refill(now);
    if (tokens_ >= 1.0) {
      tokens_ -= 1.0;
      return true;
    }
    return false;
  }
  double remaining() const { return tokens_; }
  double burst() const { return burst_; }
  // Seconds until one token is there (0 when there is one now).
  double seconds_to_token() const { return tokens_ >= 1.0 ? 0.0 : (1.0 - tokens_) / rate_; }

 private:
  void refill(Clock::time_point now) {
    if (now > at_) {
      tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - at_).count() * rate_);
      at_ = now;
    }
  }
  double rate_ = 0;
  double burst_ = 1;
  double tokens_ = 1;
  Clock::time_point at_{};
};

}  // namespace channel_emulator::detail
}  // namespace v0
}  // namespace odoosync
