// A loopback HTTP/1.1 server for tests and benchmarks: starts on 127.0.0.1 with an ephemeral port and
// answers normally, slowly, with chosen statuses, or by failing on purpose (resets, truncation, hangs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace odoosync::testing {

struct ServerOptions {
  bool keep_alive = true;  // false: every response carries `Connection: close` and the socket is closed after it
};

struct SeenRequest {
  std::string method;
  std::string target;  // path plus query, as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string header(std::string_view name) const;  // case-insensitive, "" if absent
};

// A scripted reply, consumed in order for one path by script().
struct Reply {
  enum class Action { respond, reset_before_body, reset_after_body, truncate, hang };
  Action action = Action::respond;
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body{};
  int delay_ms = 0;  // wait before acting
};

class LoopbackServer {
 public:
  explicit LoopbackServer(ServerOptions options = {});  // throws std::runtime_error if it cannot start
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  std::uint16_t port() const;
  std::string url() const;  // "http://127.0.0.1:<port>"
  void stop();              // idempotent; closes every connection (waking hang/slow) and joins the threads

  std::size_t connections_accepted() const;
  std::size_t requests_received() const;  // request heads fully read
  std::vector<SeenRequest> seen() const;  // the last 1000 requests
  void clear_seen();

  void script(std::string path, std::vector<Reply> replies);  // consumed one per request to that path
  std::size_t scripted_remaining() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace odoosync::testing
