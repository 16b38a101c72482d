// A loopback HTTPS server with a self-signed certificate made at start-up (for "localhost" and
// 127.0.0.1), so tests can prove that TLS verification is on by default and that ca_file works.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace odoosync::testing {

class TlsServer {
 public:
  TlsServer();  // throws std::runtime_error if it cannot start
  ~TlsServer();
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;

  std::string url() const;         // "https://127.0.0.1:<port>"
  std::string ca_file() const;     // PEM of the server's certificate, in a temporary file
  std::size_t handshakes() const;  // completed TLS handshakes

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace odoosync::testing
