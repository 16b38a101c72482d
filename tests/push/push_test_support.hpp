// Shared by the WooCommerce and Square push tests: a secret kept in memory that a test can rotate and
// whose refreshes it can count.
#pragma once

#include <odoosync/core/secret_source.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

namespace push_test {

class MemorySecret final : public odoosync::SecretSource {
 public:
  explicit MemorySecret(std::string current, std::string after_refresh = "")
      : current_(std::move(current)), after_refresh_(std::move(after_refresh)) {}
  odoosync::result<odoosync::Secret> current() override {
    std::lock_guard lock(mutex_);
    return odoosync::Secret(current_);
  }
  odoosync::result<odoosync::Secret> refresh() override {
    std::lock_guard lock(mutex_);
    ++refreshes_;
    if (!after_refresh_.empty()) current_ = after_refresh_;
    return odoosync::Secret(current_);
  }
  std::string description() const override { return "memory"; }
  int refreshes() const { return refreshes_.load(); }

 private:
  std::mutex mutex_;
  std::string current_;
  std::string after_refresh_;
  std::atomic<int> refreshes_{0};
};

inline std::shared_ptr<MemorySecret> secret(std::string value, std::string after_refresh = "") {
  return std::make_shared<MemorySecret>(std::move(value), std::move(after_refresh));
}

}  // namespace push_test
