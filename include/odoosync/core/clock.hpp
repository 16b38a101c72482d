// Clock: time as the library sees it, injectable so tests can run backoffs and cool-downs instantly.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>

namespace odoosync {
inline namespace v0 {

class Clock {
 public:
  using duration = std::chrono::steady_clock::duration;
  using time_point = std::chrono::steady_clock::time_point;
  using wall_time = std::chrono::system_clock::time_point;

  virtual ~Clock() = default;
  virtual time_point now() const = 0;      // monotonic: deadlines, backoff, windows
  virtual wall_time wall_now() const = 0;  // calendar: HTTP dates, timestamps in records
  virtual void sleep_for(duration d) = 0;  // may return early only if the clock is a test clock
  // Waits on `cv` (its `lock` held) for at most `d`, returning early when woken and `done()` holds.
  // The real clocks wait; a test clock waits a moment of real time and returns, its time unchanged (the
  // caller loops, re-reading now(), until the test advances it). Every wait of the library's own threads
  // goes through here (the sync engine's pauses, its heartbeat, run_until_idle).
  virtual void wait_for(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, duration d,
                        const std::function<bool()>& done);

  static Clock& system();  // the real clocks; a process-wide instance
};

class SystemClock final : public Clock {
 public:
  time_point now() const override { return std::chrono::steady_clock::now(); }
  wall_time wall_now() const override { return std::chrono::system_clock::now(); }
  void sleep_for(duration d) override;
};

// A test clock: time moves only when told to, and sleep_for advances it at once and records the sleep.
// Thread-safe.
class ManualClock final : public Clock {
 public:
  ManualClock();
  time_point now() const override;
  wall_time wall_now() const override;
  void sleep_for(duration d) override;
  void wait_for(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, duration d,
                const std::function<bool()>& done) override;
  void advance(duration d);
  void set_wall(wall_time t);
  std::vector<duration> sleeps() const;  // every sleep_for, in order

 private:
  mutable std::mutex mutex_;
  time_point now_;
  wall_time wall_;
  std::vector<duration> sleeps_;
};

}  // namespace v0
}  // namespace odoosync
