// The system clock and the manual test clock.
#include <odoosync/core/clock.hpp>

#include <thread>

namespace odoosync {
inline namespace v0 {

Clock& Clock::system() {
  static SystemClock clock;
  return clock;
}

void SystemClock::sleep_for(duration d) {
  if (d > duration::zero()) std::this_thread::sleep_for(d);
}

ManualClock::ManualClock()
    : now_(time_point{} + std::chrono::hours(1)), wall_(std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}) {}

Clock::time_point ManualClock::now() const {
  std::lock_guard lock(mutex_);
  return now_;
}

Clock::wall_time ManualClock::wall_now() const {
  std::lock_guard lock(mutex_);
  return wall_;
}

void ManualClock::sleep_for(duration d) {
  std::lock_guard lock(mutex_);
  sleeps_.push_back(d);
  if (d > duration::zero()) {
    now_ += d;
    wall_ += std::chrono::duration_cast<wall_time::duration>(d);
  }
}

void Clock::wait_for(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, duration d,
                     const std::function<bool()>& done) {
  cv.wait_for(lock, d, [&] { return done(); });
}

void ManualClock::wait_for(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, duration,
                           const std::function<bool()>& done) {
  // Time moves only when the test says so: wait a moment of real time (so the waiter neither spins nor
  // sleeps through a test's advance()), and let the caller look at the clock again.
  cv.wait_for(lock, std::chrono::milliseconds{1}, [&] { return done(); });
}

void ManualClock::advance(duration d) {
  std::lock_guard lock(mutex_);
  now_ += d;
  wall_ += std::chrono::duration_cast<wall_time::duration>(d);
}

void ManualClock::set_wall(wall_time t) {
  std::lock_guard lock(mutex_);
  wall_ = t;
}

std::vector<Clock::duration> ManualClock::sleeps() const {
  std::lock_guard lock(mutex_);
  return sleeps_;
}

}  // namespace v0
}  // namespace odoosync
