// MetricsServer: a small HTTP endpoint a host embeds so Prometheus can scrape it. GET /metrics answers
// the text a callback returns (Prometheus text format 0.0.4), GET /healthz answers 200 while a health
// callback succeeds and 503 with its error otherwise. One background thread, one request per
// connection, bounded request size and time; stop() (or the destructor) closes the listener and waits
// for the answer being written. `odoosync sync run --metrics-listen` uses it, with the status page
// (docs/operations.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <odoosync/core/result.hpp>
#include <odoosync/ops/page.hpp>

namespace odoosync {
inline namespace v0 {
namespace ops {

struct MetricsServerOptions {
  // "HOST:PORT" with HOST an IP address ("127.0.0.1", "[::1]") or "localhost"; port 0 picks a free
  // port. Anything but loopback exposes the metrics (never secrets, but queue sizes and event types)
  // to the network: prefer loopback and a local Prometheus or agent.
  std::string listen = "127.0.0.1:0";
  // The body of GET /metrics; called on the server's thread, once per scrape.
  std::function<std::string()> metrics{};
  // GET /healthz: 200 "ok" when it succeeds (or is not set), 503 with the error's message otherwise.
  std::function<result<void>()> health{};
  // Other pages served beside these (the status page, ops/status_page.hpp): any method on a path they
  // serve, a request body up to 4 KiB.
  Pages pages{};
  // A connection that has not sent its request (or taken its answer) in this long is closed.
  std::chrono::milliseconds io_timeout{10'000};
};

class MetricsServer {
 public:
  // Listens before it returns; ErrorKind::validation for a malformed address or a missing metrics
  // callback, ErrorKind::transport when the address cannot be bound.
  static result<std::unique_ptr<MetricsServer>> start(MetricsServerOptions options);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // The bound address, "127.0.0.1:40123" ("[::1]:40123" for IPv6): the port chosen when 0 was asked.
  std::string address() const;
  std::uint16_t port() const noexcept;
  // Stops accepting, lets the answers being written finish (up to `deadline`), then ends the thread.
  // Safe to call twice.
  void stop(std::chrono::milliseconds deadline = std::chrono::milliseconds{2'000});

  struct Impl;

 private:
  explicit MetricsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ops
}  // namespace v0
}  // namespace odoosync
