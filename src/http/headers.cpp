// Header lookup and the log allow-list.
#include <odoosync/http/headers.hpp>
#include <odoosync/http/request.hpp>

#include <algorithm>
#include <array>

namespace odoosync {
inline namespace v0 {
namespace http {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

void Headers::set(std::string_view name, std::string value) {
  remove(name);
  fields_.emplace_back(std::string(name), std::move(value));
}

void Headers::remove(std::string_view name) {
  std::erase_if(fields_, [name](const Field& f) { return iequals(f.first, name); });
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& f : fields_) {
    if (iequals(f.first, name)) return std::string_view(f.second);
  }
  return std::nullopt;
}

bool Headers::loggable(std::string_view name) noexcept {
  static constexpr std::array<std::string_view, 15> allowed = {
      "accept",       "accept-encoding", "content-encoding", "content-length",    "content-type",
      "date",         "retry-after",     "server",           "user-agent",        "x-correlation-id",
      "x-request-id", "traceparent",     "connection",       "transfer-encoding", "location"};
  return std::any_of(allowed.begin(), allowed.end(), [name](std::string_view a) { return iequals(a, name); });
}

std::string_view to_string(Method m) noexcept {
  switch (m) {
    case Method::get: return "GET";
    case Method::post: return "POST";
    case Method::put: return "PUT";
    case Method::patch: return "PATCH";
    case Method::del: return "DELETE";
    case Method::head: return "HEAD";
  }
  return "GET";
}

}  // namespace http
}  // namespace v0
}  // namespace odoosync
