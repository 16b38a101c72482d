// Secret: a credential (password, API key, session id, webhook secret) that cannot be formatted,
// streamed or logged by accident. The only way to its value is reveal(), which is easy to grep for.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

#include <odoosync/core/result.hpp>

namespace odoosync {
inline namespace v0 {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  ~Secret();  // overwrites the bytes before the memory is returned
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret&& other) noexcept;

  bool empty() const noexcept { return value_.empty(); }
  std::string_view reveal() const noexcept { return value_; }

  // A secret kept in a file (a mounted Kubernetes secret, a vault agent's output): the whole file, less
  // trailing line breaks and spaces. Refused with an error naming the path, never the content: a file
  // that is missing, unreadable, a directory or a device, empty, or larger than max_bytes (the read
  // stops there: /dev/zero is not read to the end of memory).
  static result<Secret> from_file(const std::string& path, std::size_t max_bytes = std::size_t{64} * 1024);

  // What formatting, streaming and logging show instead of the value.
  static constexpr std::string_view redacted = "[redacted]";

  friend bool operator==(const Secret& a, const Secret& b) noexcept;

 private:
  std::string value_;
};

std::ostream& operator<<(std::ostream& os, const Secret&);

}  // namespace v0
}  // namespace odoosync
