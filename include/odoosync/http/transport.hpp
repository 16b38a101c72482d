// Transport: sends one Request and returns its Response, whatever the status. An error means no
// complete response arrived (never a 4xx/5xx, which are responses). Implementations are thread-safe:
// one instance serves every thread of the host. Policies (retry, rate limit, circuit breaker) are
// Transports that wrap another.
#pragma once

#include <odoosync/core/result.hpp>
#include <odoosync/http/request.hpp>

namespace odoosync {
inline namespace v0 {
namespace http {

class Transport {
 public:
  virtual ~Transport() = default;
  virtual result<Response> send(const Request& request) = 0;
};

}  // namespace http
}  // namespace v0
}  // namespace odoosync
