// Just enough URL parsing for transports and policies: scheme, host and port (the rate-limit key).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <odoosync/core/result.hpp>

namespace odoosync {
inline namespace v0 {
namespace http {

struct UrlParts {
  std::string scheme;      // lower case: http or https
  std::string host;        // lower case, without brackets for IPv6
  std::uint16_t port = 0;  // explicit, or 80/443 from the scheme
  std::string target;      // path and query, "/" when empty
};

// Refuses anything but absolute http(s) URLs; a user:password part is refused too, because it would
// put a secret in places that get logged.
result<UrlParts> parse_url(std::string_view url);

// "host:port", the key for per-host policies.
std::string authority_of(const UrlParts& url);

}  // namespace http
}  // namespace v0
}  // namespace odoosync
