// CancellationToken: lets a host stop a call in flight from another thread. Copies share one flag.
#pragma once

#include <atomic>
#include <memory>

namespace odoosync {
inline namespace v0 {

class CancellationToken {
 public:
  CancellationToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  void cancel() const noexcept { flag_->store(true, std::memory_order_release); }
  bool cancelled() const noexcept { return flag_->load(std::memory_order_acquire); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

}  // namespace v0
}  // namespace odoosync
