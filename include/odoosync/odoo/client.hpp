// Client: one Odoo database, over JSON-RPC (Odoo ≤ 19) or JSON-2 (Odoo ≥ 19), chosen from the server's
// version. Safe to share between threads. Every call returns result<T>; errors carry Odoo's exception
// class, message and arguments (see docs/client.md for each kind).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <odoosync/core/cancellation.hpp>
#include <odoosync/core/clock.hpp>
#include <odoosync/core/json.hpp>
#include <odoosync/core/result.hpp>
#include <odoosync/core/secret_source.hpp>
#include <odoosync/http/pipeline.hpp>
#include <odoosync/http/transport.hpp>
#include <odoosync/odoo/config.hpp>
#include <odoosync/odoo/domain.hpp>
#include <odoosync/odoo/values.hpp>

namespace odoosync {
inline namespace v0 {
namespace odoo {

struct ServerVersion {
  int major = 0;  // 18 for "18.0" and for "saas~18.4"
  int minor = 0;
  std::string text;  // as the server says it: "18.0", "saas~18.4"
};

struct CallOptions {
  std::string context_json{};  // a JSON object merged over Config's default context
  std::optional<Clock::time_point> deadline{};
  std::optional<CancellationToken> cancel{};
  bool idempotent = false;  // safe to resend after an unknown outcome (reads are)
};

struct SearchOptions {
  std::int64_t offset = 0;
  std::optional<std::int64_t> limit{};
  std::string order{};  // e.g. "id asc"
};

struct NameSearchResult {
  std::int64_t id = 0;
  std::string name;
  friend bool operator==(const NameSearchResult&, const NameSearchResult&) = default;
};

// One failing row of a `load` (0-based row, Odoo's field name and message).
struct LoadMessage {
  std::int64_t row = 0;
  std::string field;
  std::string message;
};

// What Odoo answered to a `load`: the ids of the rows (in order) when it wrote them, or the rows it
// refused and why (then it wrote nothing: all rows or none).
struct LoadResult {
  std::vector<std::int64_t> ids{};
  std::vector<LoadMessage> messages{};
  bool written() const noexcept { return messages.empty(); }
  // The refusal as an Error: ErrorKind::validation with Odoo's ValidationError class, naming each row
  // and field ("load into product.product wrote nothing: row 1 field 'list_price': ...").
  Error refusal(std::string_view model) const;
};

// How a Client talks HTTP: which policies (http::PipelineOptions: retry, breaker, rate limit, logger,
// metrics), the transport settings that are not the server's (Config has timeouts and TLS), and
// optionally the bottom transport. One place: the CLI, the bindings and the engine all build through it.
struct ClientOptions {
  http::PipelineOptions pipeline{};
  std::string proxy{};  // http::CurlOptions::proxy ("none": no proxy)
  std::size_t max_response_bytes = std::size_t{64} << 20;
  std::shared_ptr<http::Transport> transport{};  // instead of libcurl; the policies still wrap it
  // Where the API key is kept (a file, a command, a variable: core/secret_source.hpp). Set, it replaces
  // Config::api_key and is read again when it changes, and when Odoo refuses the key (then the refused
  // call is made once more if the key changed): a key rotated outside the process needs no restart.
  std::shared_ptr<SecretSource> api_key_source{};
};

class Client {
 public:
  // The stack `options` asks for over libcurl (or over options.transport); by default retry and a
  // circuit breaker. A Client for the sync engine is built with sync::engine_client_options().
  static result<std::shared_ptr<Client>> create(Config config, const ClientOptions& options = {});
  // Over exactly this Transport, no policy added (FakeTransport in tests, the host's own stack).
  static result<std::shared_ptr<Client>> create(Config config, std::shared_ptr<http::Transport> transport);
  ~Client();

  // Asked once and cached. JSON-2 servers answer GET /web/version; older ones the JSON-RPC route.
  result<ServerVersion> version();
  // The protocol calls use; resolves `automatic` by asking the version.
  result<Protocol> protocol();
  // Replaces the API key at run time (Odoo 19 expires keys after at most three months).
  void rotate_api_key(Secret key);

  // Raw: positional `args_json` (a JSON array) and `kwargs_json` (a JSON object), as execute_kw takes
  // them. On JSON-2, positional arguments are named from the server's /doc-bearer/<model>.json (cached).
  result<json::Document> call(std::string_view model, std::string_view method, std::string_view args_json = "[]",
                              std::string_view kwargs_json = "{}", const CallOptions& options = {});
  // A method on records (`ids`) or on the model (`ids` empty, @api.model), with named arguments only.
  result<json::Document> call_named(std::string_view model, std::string_view method,
                                    const std::vector<std::int64_t>& ids, std::string_view kwargs_json = "{}",
                                    const CallOptions& options = {});

  result<std::vector<std::int64_t>> search(std::string_view model, const Domain& domain, const SearchOptions& page = {},
                                           const CallOptions& options = {});
  // An array of objects, one per record, with `id` and the fields asked for (all if `fields` is empty).
  result<json::Document> search_read(std::string_view model, const Domain& domain,
                                     const std::vector<std::string>& fields, const SearchOptions& page = {},
                                     const CallOptions& options = {});
  result<json::Document> read(std::string_view model, const std::vector<std::int64_t>& ids,
                              const std::vector<std::string>& fields, const CallOptions& options = {});
  result<std::int64_t> search_count(std::string_view model, const Domain& domain, const CallOptions& options = {});
  result<std::int64_t> create(std::string_view model, const Values& values, const CallOptions& options = {});
  result<std::vector<std::int64_t>> create(std::string_view model, const std::vector<Values>& values,
                                           const CallOptions& options = {});
  result<void> write(std::string_view model, const std::vector<std::int64_t>& ids, const Values& values,
                     const CallOptions& options = {});
  result<void> unlink(std::string_view model, const std::vector<std::int64_t>& ids, const CallOptions& options = {});
  result<std::int64_t> copy(std::string_view model, std::int64_t id, const Values& defaults = {},
                            const CallOptions& options = {});
  result<std::vector<NameSearchResult>> name_search(std::string_view model, std::string_view name,
                                                    const Domain& domain = {}, std::string_view op = "ilike",
                                                    std::int64_t limit = 100, const CallOptions& options = {});
  result<json::Document> read_group(std::string_view model, const Domain& domain,
                                    const std::vector<std::string>& fields, const std::vector<std::string>& groupby,
                                    bool lazy = true, const CallOptions& options = {});
  result<json::Document> fields_get(std::string_view model, const std::vector<std::string>& attributes = {},
                                    const CallOptions& options = {});
  // Import with external ids (an `id` column makes it an upsert). All rows or none: rows Odoo refused
  // come back in LoadResult::messages (written() false, refusal() the error naming them); the error of
  // the result is for a call that failed (transport, an Odoo exception, rows of the wrong width).
  result<LoadResult> load(std::string_view model, const std::vector<std::string>& fields,
                          const std::vector<std::vector<std::string>>& rows, const CallOptions& options = {});

  struct Impl;

 private:
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Decoding of Odoo's answers, exposed for tests and for hosts that bring their own HTTP: the value of
// a JSON-RPC envelope (null when `result` is absent) or of a JSON-2 body, or the Error it carries.
result<json::Document> decode_jsonrpc(const http::Response& response, bool keep_debug = false);
result<json::Document> decode_json2(const http::Response& response, bool keep_debug = false);

}  // namespace odoo
}  // namespace v0
}  // namespace odoosync
