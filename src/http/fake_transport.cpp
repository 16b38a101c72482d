// FakeTransport: scripted answers for tests.
#include <odoosync/http/fake_transport.hpp>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {
namespace http {

FakeTransport& FakeTransport::push(Response response) {
  std::lock_guard lock(mutex_);
  script_.emplace_back(std::move(response));
  return *this;
}

FakeTransport& FakeTransport::push(Error error) {
  std::lock_guard lock(mutex_);
  script_.emplace_back(std::move(error));
  return *this;
}

FakeTransport& FakeTransport::push_json(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.add("Content-Type", "application/json");
  r.body = std::move(body);
  return push(std::move(r));
}

void FakeTransport::set_fallback(Handler handler) {
  std::lock_guard lock(mutex_);
  fallback_ = std::move(handler);
}

result<Response> FakeTransport::send(const Request& request) {
  Handler fallback;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
    if (!script_.empty()) {
      auto r = std::move(script_.front());
      script_.pop_front();
      return r;
    }
    fallback = fallback_;
  }
  if (fallback) return fallback(request);
  return Error::protocol(
      fmt::format("FakeTransport: no scripted answer for {} {}", to_string(request.method), request.url));
}

std::vector<Request> FakeTransport::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t FakeTransport::request_count() const {
  std::lock_guard lock(mutex_);
  return requests_.size();
}

std::size_t FakeTransport::remaining() const {
  std::lock_guard lock(mutex_);
  return script_.size();
}

}  // namespace http
}  // namespace v0
}  // namespace odoosync
