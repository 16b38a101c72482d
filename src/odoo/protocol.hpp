// Private to the Client: the wire form of a call behind one interface, JSON-RPC (jsonrpc_protocol.cpp)
// or JSON-2 (json2_protocol.cpp), and what both share with the Client (client.cpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/odoo/client.hpp>

namespace odoosync {
inline namespace v0 {
namespace odoo {
namespace detail {

// What the Client and its protocol share: the configuration, the transport and the request ids.
struct Connection {
  Config config;
  std::shared_ptr<http::Transport> transport;
  std::atomic<std::int64_t> next_id{1};  // JSON-RPC request ids
  // Guards config.api_key (rotate_api_key), the Client's version and protocol, and the protocol's
  // caches (JSON-RPC's uid and session cookie, JSON-2's /doc-bearer signatures).
  std::mutex mutex;

  std::string base(std::string_view path) const { return config.url + std::string(path); }
  Secret key();
  // An error decoded from a server's answer, with every secret this connection holds (API key,
  // password, a session cookie) redacted from its text: a proxy's error page may quote the request.
  Error scrubbed(Error e, std::string_view cookie = {});
  // A POST of `body` as JSON to `url`, with the call's deadline, cancellation and idempotence.
  http::Request request(std::string url, std::string body, const CallOptions& o) const;
  // The context for a call: Config's defaults under the call's own (both JSON objects). Empty if none.
  result<std::string> context_for(const CallOptions& o);
};

// One argument of a helper: its Python name (for JSON-2) and its JSON value (positional for JSON-RPC).
struct Arg {
  std::string name;
  std::string json;
};

// Client::call's arguments once checked: as given ("[]" / "{}" when empty) and parsed.
struct RawArgs {
  std::string_view args_json;
  std::string_view kwargs_json;
  const json::Document& args;    // an array
  const json::Document& kwargs;  // an object
};

class WireProtocol {
 public:
  virtual ~WireProtocol() = default;
  // The one call every helper goes through: ids (record methods) and arguments in signature order.
  virtual result<json::Document> invoke(std::string_view model, std::string_view method,
                                        const std::vector<std::int64_t>* ids, const std::vector<Arg>& args,
                                        const CallOptions& o) = 0;
  // Client::call: positional arguments and named ones, as execute_kw takes them.
  virtual result<json::Document> call(std::string_view model, std::string_view method, const RawArgs& a,
                                      const CallOptions& o) = 0;
  // Client::call_named: a method on `ids` (on the model if empty) with named arguments (a JSON object).
  virtual result<json::Document> call_named(std::string_view model, std::string_view method,
                                            const std::vector<std::int64_t>& ids, std::string_view kwargs_json,
                                            const CallOptions& o) = 0;
  // The API key was replaced (called with Connection::mutex held): forget what the old one logged in.
  virtual void key_rotated() {}
};

// The protocols, over the Client's connection (which outlives them).
std::unique_ptr<WireProtocol> make_jsonrpc_protocol(Connection& c);
std::unique_ptr<WireProtocol> make_json2_protocol(Connection& c);

// A JSON-RPC envelope around `params` (JSON text) posted to `path`, and the value it answers. Version
// detection uses it too (servers before 19 tell their version over JSON-RPC only).
result<json::Document> post_jsonrpc(Connection& c, std::string_view path, std::string_view params, const CallOptions& o,
                                    const std::string& cookie = {});

// "[1,2,3]"
std::string ids_json(const std::vector<std::int64_t>& ids);
// An id or a list of ids in an answer (`what` names the call in the error).
result<std::vector<std::int64_t>> as_ids(const json::Value& v, std::string_view what);

}  // namespace detail
}  // namespace odoo
}  // namespace v0
}  // namespace odoosync
