// JSON-RPC: execute_kw on /jsonrpc with the API key (logged in once for the uid), or call_kw on
// /web/dataset/call_kw with a web session (a password; logged in again once when the session expires).
#include "protocol.hpp"

#include <optional>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {
namespace odoo {
namespace detail {

namespace {

// A JSON-RPC envelope around `params` (JSON text).
std::string envelope(Connection& c, std::string_view params) {
  return fmt::format(R"({{"jsonrpc":"2.0","method":"call","params":{},"id":{}}})", params,
                     c.next_id.fetch_add(1, std::memory_order_relaxed));
}

class JsonRpcProtocol final : public WireProtocol {
 public:
  explicit JsonRpcProtocol(Connection& c) : c_(c) {}

  result<json::Document> invoke(std::string_view model, std::string_view method, const std::vector<std::int64_t>* ids,
                                const std::vector<Arg>& args, const CallOptions& o) override {
    // Positional, which reads the same on 16 to 19 where parameter names changed
    // (name_search's args → domain, default_get's fields_list → fields).
    std::string positional = "[";
    if (ids) positional += ids_json(*ids);
    for (const auto& a : args) {
      if (positional.size() > 1) positional += ',';
      positional += a.json;
    }
    positional += ']';
    return execute_kw(model, method, positional, "{}", o);
  }

  result<json::Document> call(std::string_view model, std::string_view method, const RawArgs& a,
                              const CallOptions& o) override {
    return execute_kw(model, method, a.args_json, a.kwargs_json, o);
  }

  result<json::Document> call_named(std::string_view model, std::string_view method,
                                    const std::vector<std::int64_t>& ids, std::string_view kwargs_json,
                                    const CallOptions& o) override {
    return execute_kw(model, method, ids.empty() ? "[]" : "[" + ids_json(ids) + "]", kwargs_json, o);
  }

  void key_rotated() override { uid_.reset(); }  // logs in again with the new key

 private:
  bool web_session_mode() const { return c_.config.api_key.empty(); }

  result<std::int64_t> login_jsonrpc(const CallOptions& o) {
    {
      std::lock_guard lock(c_.mutex);
      if (uid_) return *uid_;
    }
    json::Writer w;
    w.begin_object().member("service", std::string_view("common")).member("method", std::string_view("authenticate"));
    w.key("args").begin_array().string(c_.config.database).string(c_.config.login).string(c_.key().reveal());
    w.begin_object().end_object().end_array().end_object();
    auto params = w.view();
    if (!params) return params.error();
    CallOptions lo = o;
    lo.idempotent = true;
    auto r = post_jsonrpc(c_, "/jsonrpc", params.value(), lo);
    if (!r) return r.error();
    const auto& v = r.value();
    if (!v.IsInt64() || v.GetInt64() <= 0) {
      // Odoo answers `false`, not an error, for bad credentials.
      return Error(ErrorKind::auth, fmt::format("login failed for '{}' on database '{}': wrong login or API key, or "
                                                "the key was revoked or has expired",
                                                c_.config.login, c_.config.database));
    }
    std::lock_guard lock(c_.mutex);
    uid_ = v.GetInt64();
    return *uid_;
  }

  result<std::string> login_web(const CallOptions& o, bool force) {
    {
      std::lock_guard lock(c_.mutex);
      if (!force && !session_cookie_.empty()) return session_cookie_;
    }
    json::Writer w;
    w.begin_object()
        .member("db", std::string_view(c_.config.database))
        .member("login", std::string_view(c_.config.login))
        .member("password", c_.config.password.reveal())
        .end_object();
    auto params = w.view();
    if (!params) return params.error();
    auto req = c_.request(c_.base("/web/session/authenticate"), envelope(c_, params.value()), o);
    auto r = c_.transport->send(req);
    if (!r) return r.error();
    auto decoded = decode_jsonrpc(r.value(), c_.config.keep_debug);
    if (!decoded) {
      Error e = c_.scrubbed(decoded.error());
      if (e.kind() == ErrorKind::auth) {
        return Error(ErrorKind::auth, fmt::format("web login failed for '{}' on database '{}': {}", c_.config.login,
                                                  c_.config.database, e.message()))
            .with_odoo(e.odoo_class(), e.odoo_message(), e.odoo_arguments());
      }
      return e;
    }
    std::string cookie;
    for (const auto& [name, value] : r.value().headers) {
      if (!http::iequals(name, "Set-Cookie")) continue;
      std::string_view v = value;
      if (!v.starts_with("session_id=")) continue;
      v.remove_prefix(11);
      cookie = std::string(v.substr(0, v.find(';')));
    }
    if (cookie.empty()) return Error::protocol("Odoo's /web/session/authenticate set no session_id cookie");
    std::lock_guard lock(c_.mutex);
    session_cookie_ = cookie;
    return cookie;
  }

  // Positional args (a JSON array text) and kwargs (object text, may be "{}").
  result<json::Document> execute_kw(std::string_view model, std::string_view method, std::string_view args,
                                    std::string_view kwargs, const CallOptions& o) {
    auto ctx = c_.context_for(o);
    if (!ctx) return ctx.error();
    std::string kw(kwargs);
    if (!ctx.value().empty()) {
      auto parsed = json::parse(kwargs);
      if (!parsed || !parsed.value().IsObject()) return Error::validation("kwargs must be a JSON object");
      if (!json::find(parsed.value(), "context")) {
        kw = kw.size() <= 2 ? "{\"context\":" + ctx.value() + "}"
                            : kw.substr(0, kw.rfind('}')) + ",\"context\":" + ctx.value() + "}";
      }
    }
    const bool no_kwargs = kw.find_first_not_of(" \t\r\n{}") == std::string::npos;

    if (web_session_mode()) {
      for (int attempt = 0;; ++attempt) {
        auto cookie = login_web(o, attempt > 0);
        if (!cookie) return cookie.error();
        json::Writer w;
        w.begin_object().member("model", model).member("method", method);
        w.key("args")
            .raw(args)
            .key("kwargs")
            .raw(no_kwargs ? std::string_view("{}") : std::string_view(kw))
            .end_object();
        auto params = w.view();
        if (!params) return params.error();
        auto r = post_jsonrpc(c_, fmt::format("/web/dataset/call_kw/{}/{}", model, method), params.value(), o,
                              cookie.value());
        // A session expires (logout elsewhere, server restart, age): log in again once and resend.
        if (!r && attempt == 0 && r.error().kind() == ErrorKind::auth &&
            r.error().odoo_class().find("SessionExpired") != std::string::npos) {
          continue;
        }
        return r;
      }
    }
    auto user = login_jsonrpc(o);
    if (!user) return user.error();
    json::Writer w;
    w.begin_object().member("service", std::string_view("object")).member("method", std::string_view("execute_kw"));
    w.key("args").begin_array().string(c_.config.database).integer(user.value()).string(c_.key().reveal());
    w.string(model).string(method).raw(args);
    if (!no_kwargs) w.raw(kw);
    w.end_array().end_object();
    auto params = w.view();
    if (!params) return params.error();
    return post_jsonrpc(c_, "/jsonrpc", params.value(), o);
  }

  Connection& c_;
  // Under c_.mutex:
  std::optional<std::int64_t> uid_;  // with an API key
  std::string session_cookie_;       // web-session mode
};

}  // namespace

result<json::Document> post_jsonrpc(Connection& c, std::string_view path, std::string_view params, const CallOptions& o,
                                    const std::string& cookie) {
  auto req = c.request(c.base(path), envelope(c, params), o);
  if (!cookie.empty()) req.headers.add("Cookie", "session_id=" + cookie);
  auto r = c.transport->send(req);
  if (!r) return r.error();
  auto decoded = decode_jsonrpc(r.value(), c.config.keep_debug);
  if (!decoded) return c.scrubbed(std::move(decoded.error()), cookie);
  return decoded;
}

std::unique_ptr<WireProtocol> make_jsonrpc_protocol(Connection& c) { return std::make_unique<JsonRpcProtocol>(c); }

}  // namespace detail
}  // namespace odoo
}  // namespace v0
}  // namespace odoosync
