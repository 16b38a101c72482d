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
  std::string target;                                        // path plus query, as sent
  std::vector<std::pair<std::string, std::string>> headers;  // in order, names as sent
  std::string body;                                          // chunked bodies arrive decoded
  std::string header(std::string_view name) const;           // case-insensitive, "" if absent
};

// A scripted reply, consumed in order for one path by script().
struct Reply {
  // raw: `body` written as is (no status line, no headers), then the connection closed: a server that
  // does not speak HTTP. drip: the whole response (status, headers, body) written one byte every
  // `delay_ms` (the delay applies per byte, not before).
  enum class Action { respond, reset_before_body, reset_after_body, truncate, hang, raw, drip };
  Action action = Action::respond;
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body{};
  int delay_ms = 0;  // wait before acting (interrupted by stop())
};

// Built-in routes: /echo (also any path ending in /echo), /status/<code>[?retry_after=..], /slow?ms=N,
// /hang, /reset-before-body, /reset-after-body, /truncated, /big?bytes=N, /invalid, /gzip, /close;
// anything else is 404. Absolute-form targets (a client using us as its proxy) route by their path.
// One thread accepts, one thread serves each connection; all public members are thread-safe.
class LoopbackServer {
 public:
  explicit LoopbackServer(ServerOptions options = {});  // binds 127.0.0.1:0; throws std::runtime_error if it cannot
  ~LoopbackServer();                                    // stop()
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  std::uint16_t port() const;
  std::string url() const;  // "http://127.0.0.1:<port>"
  void stop();              // idempotent; closes the acceptor and every connection (waking hang/slow), joins threads

  std::size_t connections_accepted() const;
  std::size_t requests_received() const;  // well-formed request heads fully read
  std::vector<SeenRequest> seen() const;  // oldest first; at most the last 1000
  void clear_seen();

  // Replies for that exact path (a query in `path` or in the request is ignored), consumed one per
  // request before the built-in route; calling it again for the same path appends.
  void script(std::string path, std::vector<Reply> replies);
  std::size_t scripted_remaining() const;  // not yet consumed, over all paths
  // The reply to every request whose path has nothing scripted (instead of the built-in routes).
  void set_fallback(Reply reply);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace odoosync::testing
