// CurlTransport: the default Transport, on libcurl. Connections are kept alive and shared by every
// thread; failures are classified so that callers know whether the request may have been applied.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <odoosync/core/result.hpp>
#include <odoosync/http/transport.hpp>

namespace odoosync {
inline namespace v0 {
namespace http {

struct CurlOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds timeout{120'000};  // whole exchange, per attempt
  bool verify_tls = true;                      // peer certificate and host name
  std::string ca_file{};                       // PEM bundle; empty: the system's
  std::string ca_path{};                       // directory of hashed certificates
  // Empty: the standard http_proxy / https_proxy / no_proxy variables apply, as libcurl reads them.
  // "none" turns proxies off whatever the environment says.
  std::string proxy{};
  std::size_t max_response_bytes = std::size_t{64} << 20;
  bool accept_gzip = true;  // Accept-Encoding: gzip, deflate
  std::string user_agent = "odoosync/0.1";
  bool keep_alive = true;            // false: a new connection for every request
  std::size_t max_connections = 16;  // idle connections kept for reuse
};

class CurlTransport final : public Transport {
 public:
  // Fails only if libcurl cannot be initialised or an option is invalid (named in the error).
  static result<std::shared_ptr<CurlTransport>> create(CurlOptions options = {});
  ~CurlTransport() override;

  // Failures: dns / connect / tls are never sent; reset and timeout after the request went out are
  // outcome_unknown; a response over max_response_bytes is a protocol error with outcome_unknown.
  result<Response> send(const Request& request) override;

  struct Stats {
    std::uint64_t requests = 0;
    std::uint64_t connections_opened = 0;  // new TCP connections; requests - this = reuses
  };
  Stats stats() const;

  struct Impl;

 private:
  explicit CurlTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace http
}  // namespace v0
}  // namespace odoosync
