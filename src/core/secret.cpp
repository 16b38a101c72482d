// Secret: wiping on destruction and the redacted forms.
#include <odoosync/core/secret.hpp>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ostream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

// A copy, then the source wiped: moving a short string would leave its bytes in the source's buffer.
Secret::Secret(Secret&& other) noexcept : value_(other.value_) {  // NOLINT(performance-move-constructor-init)
  wipe(other.value_);
}

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

result<Secret> Secret::from_file(const std::string& path, std::size_t max_bytes) {
  const auto failed = [&](const std::string& why) { return Error::validation("secret file '" + path + "': " + why); };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return failed(std::strerror(errno));
  struct Close {
    int fd;
    ~Close() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return failed(std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return failed("is a directory");
  if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) return failed("is not a regular file");
  Secret out;
  std::string& buf = out.value_;
  buf.resize(max_bytes + 1);
  std::size_t got = 0;
  while (got < buf.size()) {
    const ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return failed(std::strerror(errno));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got > max_bytes) return failed("larger than " + std::to_string(max_bytes) + " bytes: not a secret");
  buf.resize(got);  // nothing of the file lies beyond `got`
  while (!buf.empty() && (buf.back() == '\n' || buf.back() == '\r' || buf.back() == ' ')) buf.pop_back();
  if (buf.empty()) return failed("is empty");
  return out;
}

}  // namespace v0
}  // namespace odoosync
