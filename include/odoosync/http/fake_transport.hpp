// FakeTransport: a scripted Transport for tests (ours and the host's). It answers from a queue of
// responses or errors, then from a fallback handler, and records every request it was sent.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <odoosync/http/transport.hpp>

namespace odoosync {
inline namespace v0 {
namespace http {

class FakeTransport final : public Transport {
 public:
  using Handler = std::function<result<Response>(const Request&)>;

  FakeTransport& push(Response response);
  FakeTransport& push(Error error);
  FakeTransport& push_json(int status, std::string body);  // with Content-Type: application/json
  // Answers once the queue is empty. Without one, an unscripted request is a protocol error naming it.
  void set_fallback(Handler handler);

  result<Response> send(const Request& request) override;

  std::vector<Request> requests() const;
  std::size_t request_count() const;
  std::size_t remaining() const;  // scripted answers not yet consumed

 private:
  mutable std::mutex mutex_;
  std::deque<result<Response>> script_;
  Handler fallback_;
  std::vector<Request> requests_;
};

}  // namespace http
}  // namespace v0
}  // namespace odoosync
