// Pages a small HTTP server serves beside its own paths (the status page beside /metrics and /healthz):
// the request as the server read it, the answer to send, and the hook a server is given.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <odoosync/http/headers.hpp>

namespace odoosync {
inline namespace v0 {
namespace ops {

struct PageRequest {
  std::string method;  // "GET", "POST"
  std::string target;  // path and query, as sent
  http::Headers headers;
  std::string body;
};

struct PageAnswer {
  int status = 200;
  std::string content_type = "application/json";
  http::Headers headers;  // security headers, WWW-Authenticate, Allow
  std::string body;
};

// `serves` says whether a path (without its query) is one of the pages; `handle` answers any method
// on it, from the server's threads.
struct Pages {
  std::function<bool(std::string_view path)> serves{};
  std::function<PageAnswer(const PageRequest&)> handle{};
  explicit operator bool() const noexcept { return serves && handle; }
};

}  // namespace ops
}  // namespace v0
}  // namespace odoosync
