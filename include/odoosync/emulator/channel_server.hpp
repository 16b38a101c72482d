// ChannelServer: the loopback HTTP server the channel emulators (Shopify, WooCommerce, Square, Amazon;
// emulator/shopify.hpp and its siblings) run on: 127.0.0.1, a free port by default, keep-alive, one
// thread per connection. An emulator gives it one handler; the handler keeps the state and decides each
// answer, including the faults it injects (a reset, a delay). Link odoosync::emulator.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <odoosync/core/result.hpp>

namespace odoosync {
inline namespace v0 {
namespace channel_emulator {

struct FakeRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, as sent
  std::string path;    // the target up to '?'
  std::string query;   // after '?', undecoded ("" when none)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string header(std::string_view name) const;       // case-insensitive; "" when absent
  std::string query_param(std::string_view name) const;  // percent-decoded; "" when absent
};

struct FakeResponse {
  enum class Action { respond, reset };  // reset: the connection is cut with nothing written
  Action action = Action::respond;
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers{};  // Content-Type defaults to application/json
  std::string body{};
  std::chrono::milliseconds delay{0};  // waited before answering (cut short by stop())
};

// A JSON answer: status, body, extra headers.
FakeResponse json_response(int status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {});

using Handler = std::function<FakeResponse(const FakeRequest&)>;

class ChannelServer {
 public:
  // Listens on 127.0.0.1:`port` (0: any free port) before it returns; a storage-free error naming the
  // address when it cannot. The handler is called from the connections' threads, concurrently.
  static result<std::unique_ptr<ChannelServer>> start(Handler handler, std::uint16_t port = 0);
  ~ChannelServer();  // stop()
  ChannelServer(const ChannelServer&) = delete;
  ChannelServer& operator=(const ChannelServer&) = delete;

  std::string url() const;  // "http://127.0.0.1:<port>"
  std::uint16_t port() const;
  std::uint64_t requests() const;  // requests handled so far
  void stop();                     // idempotent: closes every connection, joins the threads

  struct State;

 private:
  explicit ChannelServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace channel_emulator
}  // namespace v0
}  // namespace odoosync
