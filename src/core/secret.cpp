// Secret: wiping on destruction and the redacted forms.
#include <odoosync/core/secret.hpp>

#include <atomic>
#include <ostream>

namespace odoosync {
inline namespace v0 {
namespace {
void wipe(std::string& s) noexcept {
  // volatile writes so the compiler cannot drop them as dead stores
  volatile char* p = s.data();
  for (std::size_t i = 0; i < s.size(); ++i) p[i] = 0;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  s.clear();
}
}  // namespace

Secret::~Secret() { wipe(value_); }

Secret::Secret(Secret&& other) noexcept : value_(other.value_) { wipe(other.value_); }

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    wipe(value_);
    value_ = other.value_;
    wipe(other.value_);
  }
  return *this;
}

bool operator==(const Secret& a, const Secret& b) noexcept {
  // constant time in the length of the longer value
  const std::string_view x = a.reveal(), y = b.reveal();
  std::size_t n = x.size() > y.size() ? x.size() : y.size();
  unsigned char diff = x.size() == y.size() ? 0 : 1;
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char cx = i < x.size() ? static_cast<unsigned char>(x[i]) : 0;
    unsigned char cy = i < y.size() ? static_cast<unsigned char>(y[i]) : 0;
    diff = static_cast<unsigned char>(diff | (cx ^ cy));
  }
  return diff == 0;
}

std::ostream& operator<<(std::ostream& os, const Secret&) { return os << Secret::redacted; }

}  // namespace v0
}  // namespace odoosync
