// WebhookServer: the HTTP server `odoosync serve` runs around a WebhookReceiver (Boost.Beast, which
// no public header includes). A fixed pool of threads reads requests, answers 404/405/413 from the
// request line and headers before any body is read, reads the body within the channel's limit, and
// hands it to the receiver, whose answer leaves only once the events are durable. stop() is graceful:
// no new connection, idle keep-alive connections closed, requests in flight finished and answered.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <odoosync/core/log.hpp>
#include <odoosync/core/result.hpp>
#include <odoosync/serve/webhook_receiver.hpp>

namespace odoosync {
inline namespace v0 {
namespace serve {

struct ServerOptions {
  std::string host = "127.0.0.1";  // an IP address to bind (no name lookup)
  std::uint16_t port = 0;          // 0: any free port (address() says which)
  // Threads reading and handling requests: at most this many deliveries are handled at once (the
  // store's group commit shares one fsync among them).
  int threads = 4;
  std::size_t max_connections = 1024;  // more are closed at once
  // A request must arrive whole (headers and body) within this, and its answer be written within it.
  std::chrono::milliseconds read_timeout{30'000};
  // The public URL the providers post to, without the path ("https://hooks.example"): Delivery::url is
  // this plus the request target. Empty: "http://" + the Host header + the target.
  std::string public_url{};
  Logger logger{};  // the server's own lines (start, stop, a connection refused over the limit)
};

// "127.0.0.1:8080", "[::1]:8080", ":8080" (127.0.0.1), "8080": host and port, or a validation error.
result<std::pair<std::string, std::uint16_t>> parse_listen_address(std::string_view text);

class WebhookServer {
 public:
  // Binds and listens before it returns (so address() is the real port), then serves on its threads.
  // The receiver must outlive the server.
  static result<std::unique_ptr<WebhookServer>> start(WebhookReceiver& receiver, ServerOptions options = {});
  ~WebhookServer();  // stop()
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  std::string address() const;  // "127.0.0.1:41234"
  std::uint16_t port() const;

  // Stops accepting, closes idle connections (one whose request headers have not all arrived is idle:
  // nothing of it was taken in), lets the requests whose headers arrived be read, handled and answered
  // (with Connection: close), then returns. Connections still busy at `deadline` are cut.
  // True when every request finished in time. Call it from any thread but the server's own.
  bool stop(std::chrono::milliseconds deadline = std::chrono::milliseconds{30'000});
  // Blocks until stop() has finished (from another thread).
  void wait();

  struct Impl;

 private:
  explicit WebhookServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace serve
}  // namespace v0
}  // namespace odoosync
