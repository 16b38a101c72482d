// Client: version detection, login (API key, or a web session for passwords), the three wire forms
// (JSON-RPC execute_kw, web call_kw, JSON-2), and the ORM helpers on top of one internal call.
#include <odoosync/http/circuit_breaker.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/http/retry.hpp>
#include <odoosync/odoo/client.hpp>

#include <atomic>
#include <map>
#include <mutex>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {
namespace odoo {

namespace {

std::string ids_json(const std::vector<std::int64_t>& ids) {
  std::string s = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(ids[i]);
  }
  return s + "]";
}

std::string strings_json(const std::vector<std::string>& v) {
  json::Writer w;
  w.begin_array();
  for (const auto& s : v) w.string(s);
  w.end_array();
  auto t = w.view();
  return t ? std::string(t.value()) : std::string("[]");
}

// One argument of a helper: its Python name (for JSON-2) and its JSON value (positional for JSON-RPC).
struct Arg {
  std::string name;
  std::string json;
};

struct DocMethod {
  bool model_method = false;               // @api.model: no ids
  std::vector<std::string> parameters;     // in order, without **kwargs
  bool var_positional = false;
};

result<std::int64_t> as_id(const json::Value& v, std::string_view what) {
  if (v.IsInt64()) return v.GetInt64();
  if (v.IsArray() && v.Size() == 1 && v[0].IsInt64()) return v[0].GetInt64();
  return Error::protocol(fmt::format("{}: expected a record id, got {}", what, json::to_string(v).substr(0, 80)));
}

result<std::vector<std::int64_t>> as_ids(const json::Value& v, std::string_view what) {
  if (v.IsInt64()) return std::vector<std::int64_t>{v.GetInt64()};
  if (!v.IsArray()) return Error::protocol(fmt::format("{}: expected a list of ids", what));
  std::vector<std::int64_t> out;
  out.reserve(v.Size());
  for (const auto& x : v.GetArray()) {
    if (!x.IsInt64()) return Error::protocol(fmt::format("{}: expected a list of ids", what));
    out.push_back(x.GetInt64());
  }
  return out;
}

}  // namespace

struct Client::Impl {
  Config config;
  std::shared_ptr<http::Transport> transport;
  std::atomic<std::int64_t> next_id{1};

  std::mutex mutex;  // guards everything below
  std::optional<ServerVersion> version;
  std::optional<Protocol> protocol;
  std::optional<std::int64_t> uid;          // JSON-RPC with an API key
  std::string session_cookie;               // web-session mode
  std::map<std::string, std::map<std::string, DocMethod>, std::less<>> docs;  // JSON-2 positional mapping

  std::string base(std::string_view path) const { return config.url + std::string(path); }


  Secret key() {
    std::lock_guard lock(mutex);
    return config.api_key;
  }

  http::Request request(std::string url, std::string body, const CallOptions& o) const {
    http::Request r;
    r.url = std::move(url);
    r.body = std::move(body);
    r.headers.add("Content-Type", "application/json");
    r.idempotent = o.idempotent;
    r.deadline = o.deadline;
    r.cancel = o.cancel;
    return r;
  }

  // A JSON-RPC envelope around `params` (JSON text).
  std::string envelope(std::string_view params) {
    return fmt::format(R"({{"jsonrpc":"2.0","method":"call","params":{},"id":{}}})", params,
                       next_id.fetch_add(1, std::memory_order_relaxed));
  }

  result<json::Document> post_jsonrpc(std::string_view path, std::string_view params, const CallOptions& o,
                                      const std::string& cookie = {}) {
    auto req = request(base(path), envelope(params), o);
    if (!cookie.empty()) req.headers.add("Cookie", "session_id=" + cookie);
    auto r = transport->send(req);
    if (!r) return r.error();
    return decode_jsonrpc(r.value(), config.keep_debug);
  }

  // --- version and protocol -------------------------------------------------------------------------

  result<ServerVersion> ask_version() {
    CallOptions o;
    o.idempotent = true;
    // 19+: GET /web/version. Older servers answer it with 404 (or an HTML page).
    http::Request get = request(base("/web/version"), "", o);
    get.method = http::Method::get;
    get.headers.clear();
    auto r = transport->send(get);
    if (r && r.value().status == 200) {
      auto doc = json::parse(r.value().body);
      if (doc && doc.value().IsObject()) {
        if (auto v = parse_version(doc.value(), "version_info", "version")) return *v;
      }
    }
    auto legacy = post_jsonrpc("/web/webclient/version_info", "{}", o);
    if (!legacy) return std::move(legacy.error()).with_message_prefix("asking the server's version");
    auto v = parse_version(legacy.value(), "server_version_info", "server_version");
    if (!v) return Error::protocol("the server's version_info has no server_version_info: is this an Odoo server?");
    return *v;
  }

  static std::optional<ServerVersion> parse_version(const json::Value& obj, std::string_view info_key,
                                                    std::string_view text_key) {
    const auto* info = json::find(obj, info_key);
    if (!info || !info->IsArray() || info->Size() < 2) return std::nullopt;
    ServerVersion v;
    const auto& major = (*info)[0];
    if (major.IsInt()) {
      v.major = major.GetInt();
    } else if (major.IsString()) {
      std::string_view s = json::text(major);
      if (s.starts_with("saas~")) s.remove_prefix(5);
      v.major = std::atoi(std::string(s).c_str());
    }
    if ((*info)[1].IsInt()) v.minor = (*info)[1].GetInt();
    if (const auto* t = json::find(obj, text_key); t && t->IsString()) v.text = std::string(json::text(*t));
    if (v.major <= 0) return std::nullopt;
    return v;
  }

  result<Protocol> resolve_protocol() {
    {
      std::lock_guard lock(mutex);
      if (protocol) return *protocol;
      if (config.protocol != Protocol::automatic) {
        protocol = config.protocol;
        return *protocol;
      }
    }
    auto v = cached_version();
    if (!v) return v.error();
    std::lock_guard lock(mutex);
    // JSON-2 came in saas~18.4 in an incompatible form: only 19+ gets it, and only with an API key.
    const Protocol chosen = v.value().major >= 19 && !config.api_key.empty() ? Protocol::json2 : Protocol::jsonrpc;
    if (chosen == Protocol::jsonrpc && (config.database.empty() || config.login.empty())) {
      return Error::validation(fmt::format("ODOO_DB / ODOO_USER: Odoo {} speaks JSON-RPC here, which needs the "
                                           "database and the login of the API key",
                                           v.value().text));
    }
    protocol = chosen;
    return *protocol;
  }

  result<ServerVersion> cached_version() {
    {
      std::lock_guard lock(mutex);
      if (version) return *version;
    }
    auto v = ask_version();  // outside the lock: a slow server must not block other threads' calls
    if (!v) return v.error();
    std::lock_guard lock(mutex);
    if (!version) version = v.value();
    return *version;
  }

  // --- login -----------------------------------------------------------------------------------------

  bool web_session_mode() const { return config.api_key.empty(); }

  result<std::int64_t> login_jsonrpc(const CallOptions& o) {
    {
      std::lock_guard lock(mutex);
      if (uid) return *uid;
    }
    json::Writer w;
    w.begin_object().member("service", std::string_view("common")).member("method", std::string_view("authenticate"));
    w.key("args").begin_array().string(config.database).string(config.login).string(key().reveal());
    w.begin_object().end_object().end_array().end_object();
    auto params = w.view();
    if (!params) return params.error();
    CallOptions lo = o;
    lo.idempotent = true;
    auto r = post_jsonrpc("/jsonrpc", params.value(), lo);
    if (!r) return r.error();
    const auto& v = r.value();
    if (!v.IsInt64() || v.GetInt64() <= 0) {
      // Odoo answers `false`, not an error, for bad credentials.
      return Error(ErrorKind::auth, fmt::format("login failed for '{}' on database '{}': wrong login or API key, or "
                                                "the key was revoked or has expired",
                                                config.login, config.database));
    }
    std::lock_guard lock(mutex);
    uid = v.GetInt64();
    return *uid;
  }

  result<std::string> login_web(const CallOptions& o, bool force) {
    {
      std::lock_guard lock(mutex);
      if (!force && !session_cookie.empty()) return session_cookie;
    }
    json::Writer w;
    w.begin_object()
        .member("db", std::string_view(config.database))
        .member("login", std::string_view(config.login))
        .member("password", config.password.reveal())
        .end_object();
    auto params = w.view();
    if (!params) return params.error();
    auto req = request(base("/web/session/authenticate"), envelope(params.value()), o);
    auto r = transport->send(req);
    if (!r) return r.error();
    auto decoded = decode_jsonrpc(r.value(), config.keep_debug);
    if (!decoded) {
      Error e = decoded.error();
      if (e.kind() == ErrorKind::auth) {
        return Error(ErrorKind::auth, fmt::format("web login failed for '{}' on database '{}': {}", config.login,
                                                  config.database, e.message()))
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
    std::lock_guard lock(mutex);
    session_cookie = cookie;
    return cookie;
  }

  // --- the calls -------------------------------------------------------------------------------------

  // The context for a call: Config's defaults under the call's own (both JSON objects). Empty if none.
  result<std::string> context_for(const CallOptions& o) {
    const bool defaults = !config.lang.empty() || !config.tz.empty() || !config.allowed_company_ids.empty();
    if (!defaults && o.context_json.empty()) return std::string();
    json::Document own;
    if (!o.context_json.empty()) {
      auto parsed = json::parse(o.context_json);
      if (!parsed || !parsed.value().IsObject()) return Error::validation("CallOptions::context_json must be a JSON object");
      own = std::move(parsed.value());
    } else {
      own.SetObject();
    }
    json::Writer w;
    w.begin_object();
    if (!config.lang.empty() && !json::find(own, "lang")) w.member("lang", std::string_view(config.lang));
    if (!config.tz.empty() && !json::find(own, "tz")) w.member("tz", std::string_view(config.tz));
    if (!config.allowed_company_ids.empty() && !json::find(own, "allowed_company_ids")) {
      w.key("allowed_company_ids").raw(ids_json(config.allowed_company_ids));
    }
    for (const auto& m : own.GetObject()) w.key(json::text(m.name)).value(m.value);
    w.end_object();
    auto t = w.view();
    if (!t) return t.error();
    return std::string(t.value());
  }

  // JSON-RPC: positional args (a JSON array text) and kwargs (object text, may be "{}").
  result<json::Document> execute_kw(std::string_view model, std::string_view method, std::string_view args,
                                    std::string_view kwargs, const CallOptions& o) {
    auto ctx = context_for(o);
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
        w.key("args").raw(args).key("kwargs").raw(no_kwargs ? std::string_view("{}") : std::string_view(kw)).end_object();
        auto params = w.view();
        if (!params) return params.error();
        auto r = post_jsonrpc(fmt::format("/web/dataset/call_kw/{}/{}", model, method), params.value(), o, cookie.value());
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
    w.key("args").begin_array().string(config.database).integer(user.value()).string(key().reveal());
    w.string(model).string(method).raw(args);
    if (!no_kwargs) w.raw(kw);
    w.end_array().end_object();
    auto params = w.view();
    if (!params) return params.error();
    return post_jsonrpc("/jsonrpc", params.value(), o);
  }

  result<json::Document> json2(std::string_view model, std::string_view method, std::string_view body,
                               const CallOptions& o) {
    auto req = request(base(fmt::format("/json/2/{}/{}", model, method)), std::string(body), o);
    req.headers.add("Authorization", fmt::format("bearer {}", key().reveal()));
    if (!config.database.empty()) req.headers.add("X-Odoo-Database", config.database);
    auto r = transport->send(req);
    if (!r) return r.error();
    return decode_json2(r.value(), config.keep_debug);
  }

  // JSON-2 body from ids and named arguments (a JSON object text) plus the context.
  result<std::string> json2_body(const std::vector<std::int64_t>* ids, std::string_view kwargs, const CallOptions& o) {
    auto ctx = context_for(o);
    if (!ctx) return ctx.error();
    json::Writer w;
    w.begin_object();
    if (ids) w.key("ids").raw(ids_json(*ids));
    if (!ctx.value().empty()) w.key("context").raw(ctx.value());
    auto parsed = json::parse(kwargs.empty() ? std::string_view("{}") : kwargs);
    if (!parsed || !parsed.value().IsObject()) return Error::validation("kwargs must be a JSON object");
    for (const auto& m : parsed.value().GetObject()) {
      if ((ids && json::text(m.name) == "ids") || (!ctx.value().empty() && json::text(m.name) == "context")) continue;
      w.key(json::text(m.name)).value(m.value);
    }
    w.end_object();
    auto t = w.view();
    if (!t) return t.error();
    return std::string(t.value());
  }

  result<DocMethod> doc_method(std::string_view model, std::string_view method, const CallOptions& o) {
    {
      std::lock_guard lock(mutex);
      auto m = docs.find(model);
      if (m != docs.end()) {
        auto it = m->second.find(std::string(method));
        if (it == m->second.end()) {
          return Error(ErrorKind::not_found, fmt::format("{} has no public method '{}' (per /doc-bearer)", model, method));
        }
        return it->second;
      }
    }
    CallOptions go = o;
    go.idempotent = true;
    http::Request req = request(base(fmt::format("/doc-bearer/{}.json", model)), "", go);
    req.method = http::Method::get;
    req.headers.clear();
    req.headers.add("Authorization", fmt::format("bearer {}", key().reveal()));
    if (!config.database.empty()) req.headers.add("X-Odoo-Database", config.database);
    auto r = transport->send(req);
    if (!r) return r.error();
    auto doc = decode_json2(r.value(), config.keep_debug);
    if (!doc) {
      return std::move(doc.error()).with_message_prefix(
          fmt::format("naming positional arguments for {}.{} needs /doc-bearer/{}.json", model, method, model));
    }
    const auto* methods = json::find(doc.value(), "methods");
    if (!methods || !methods->IsObject()) return Error::protocol("/doc-bearer answer has no 'methods' object");
    std::map<std::string, DocMethod> parsed;
    for (const auto& m : methods->GetObject()) {
      DocMethod dm;
      if (const auto* api = json::find(m.value, "api"); api && api->IsArray()) {
        for (const auto& a : api->GetArray())
          if (a.IsString() && json::text(a) == "model") dm.model_method = true;
      }
      if (const auto* params = json::find(m.value, "parameters"); params && params->IsObject()) {
        for (const auto& p : params->GetObject()) {
          const auto* kind = json::find(p.value, "kind");
          std::string_view k = kind && kind->IsString() ? json::text(*kind) : std::string_view();
          if (k == "VAR_KEYWORD") continue;
          if (k == "VAR_POSITIONAL") {
            dm.var_positional = true;
            continue;
          }
          dm.parameters.emplace_back(json::text(p.name));
        }
      }
      parsed.emplace(std::string(json::text(m.name)), std::move(dm));
    }
    std::lock_guard lock(mutex);
    auto& slot = docs[std::string(model)];
    slot = std::move(parsed);
    auto it = slot.find(std::string(method));
    if (it == slot.end()) {
      return Error(ErrorKind::not_found, fmt::format("{} has no public method '{}' (per /doc-bearer)", model, method));
    }
    return it->second;
  }

  // The one call every helper goes through: ids (record methods) and arguments in signature order.
  result<json::Document> invoke(std::string_view model, std::string_view method, const std::vector<std::int64_t>* ids,
                                const std::vector<Arg>& args, const CallOptions& o) {
    auto p = resolve_protocol();
    if (!p) return p.error();
    if (p.value() == Protocol::json2) {
      json::Writer w;
      w.begin_object();
      for (const auto& a : args) w.key(a.name).raw(a.json);
      w.end_object();
      auto kw = w.view();
      if (!kw) return kw.error();
      auto body = json2_body(ids, kw.value(), o);
      if (!body) return body.error();
      return json2(model, method, body.value(), o);
    }
    // JSON-RPC: positional, which reads the same on 16 to 19 where parameter names changed
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

  result<json::Document> raw_call(std::string_view model, std::string_view method, std::string_view args_json,
                                  std::string_view kwargs_json, const CallOptions& o) {
    auto args = json::parse(args_json.empty() ? std::string_view("[]") : args_json);
    if (!args || !args.value().IsArray()) return Error::validation("call: args must be a JSON array");
    auto kwargs = json::parse(kwargs_json.empty() ? std::string_view("{}") : kwargs_json);
    if (!kwargs || !kwargs.value().IsObject()) return Error::validation("call: kwargs must be a JSON object");
    auto p = resolve_protocol();
    if (!p) return p.error();
    if (p.value() == Protocol::jsonrpc) {
      return execute_kw(model, method, args_json.empty() ? "[]" : args_json, kwargs_json.empty() ? "{}" : kwargs_json, o);
    }
    // JSON-2 takes named arguments only: name the positional ones from the method's signature.
    const auto& a = args.value();
    json::Writer w;
    w.begin_object();
    std::vector<std::int64_t> ids;
    bool has_ids = false;
    if (a.Size() > 0) {
      auto dm = doc_method(model, method, o);
      if (!dm) return dm.error();
      std::size_t next = 0;
      if (!dm.value().model_method) {
        auto parsed_ids = as_ids(a[0], "call: the first positional argument of a record method (ids)");
        if (!parsed_ids) return std::move(parsed_ids.error());
        ids = std::move(parsed_ids.value());
        has_ids = true;
        next = 1;
      }
      const auto& names = dm.value().parameters;
      if (a.Size() - next > names.size()) {
        return Error::validation(fmt::format("call: {}.{} takes {} positional argument(s) after ids, {} given", model,
                                             method, names.size(), a.Size() - next));
      }
      for (std::size_t i = next; i < a.Size(); ++i) {
        const std::string& name = names[i - next];
        if (json::find(kwargs.value(), name)) {
          return Error::validation(fmt::format("call: {}.{} got '{}' both by position and by name", model, method, name));
        }
        w.key(name).value(a[i]);
      }
    }
    for (const auto& m : kwargs.value().GetObject()) w.key(json::text(m.name)).value(m.value);
    w.end_object();
    auto kw = w.view();
    if (!kw) return kw.error();
    auto body = json2_body(has_ids ? &ids : nullptr, kw.value(), o);
    if (!body) return body.error();
    return json2(model, method, body.value(), o);
  }
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

result<std::shared_ptr<Client>> Client::create(Config config, const ClientOptions& options) {
  auto ok = config.validate();
  if (!ok) return ok.error();
  std::shared_ptr<http::Transport> bottom = options.transport;
  if (!bottom) {
    auto curl = http::CurlTransport::create({.connect_timeout = config.connect_timeout,
                                             .timeout = config.timeout,
                                             .verify_tls = config.verify_tls,
                                             .ca_file = config.ca_file,
                                             .ca_path = config.ca_path,
                                             .proxy = options.proxy,
                                             .max_response_bytes = options.max_response_bytes,
                                             .user_agent = config.user_agent});
    if (!curl) return curl.error();
    bottom = curl.value();
  }
  auto t = http::make_pipeline(std::move(bottom), options.pipeline);
  if (!t) return t.error();
  return create(std::move(config), std::move(t.value()));
}

result<std::shared_ptr<Client>> Client::create(Config config, std::shared_ptr<http::Transport> transport) {
  auto ok = config.validate();
  if (!ok) return ok.error();
  if (!transport) return Error::validation("Client::create: transport is null");
  while (!config.url.empty() && config.url.back() == '/') config.url.pop_back();
  auto impl = std::make_unique<Impl>();
  impl->config = std::move(config);
  impl->transport = std::move(transport);
  return std::shared_ptr<Client>(new Client(std::move(impl)));
}

result<ServerVersion> Client::version() { return impl_->cached_version(); }
result<Protocol> Client::protocol() { return impl_->resolve_protocol(); }

void Client::rotate_api_key(Secret key) {
  std::lock_guard lock(impl_->mutex);
  impl_->config.api_key = std::move(key);
  impl_->uid.reset();  // JSON-RPC logs in again with the new key
}

result<json::Document> Client::call(std::string_view model, std::string_view method, std::string_view args_json,
                                    std::string_view kwargs_json, const CallOptions& options) {
  return impl_->raw_call(model, method, args_json, kwargs_json, options);
}

result<json::Document> Client::call_named(std::string_view model, std::string_view method,
                                          const std::vector<std::int64_t>& ids, std::string_view kwargs_json,
                                          const CallOptions& options) {
  auto kwargs = json::parse(kwargs_json.empty() ? std::string_view("{}") : kwargs_json);
  if (!kwargs || !kwargs.value().IsObject()) return Error::validation("call_named: kwargs must be a JSON object");
  auto p = impl_->resolve_protocol();
  if (!p) return p.error();
  if (p.value() == Protocol::json2) {
    auto body = impl_->json2_body(ids.empty() ? nullptr : &ids, kwargs_json.empty() ? "{}" : kwargs_json, options);
    if (!body) return body.error();
    return impl_->json2(model, method, body.value(), options);
  }
  return impl_->execute_kw(model, method, ids.empty() ? "[]" : "[" + ids_json(ids) + "]",
                           kwargs_json.empty() ? "{}" : kwargs_json, options);
}

namespace {
CallOptions read_only(CallOptions o) {
  o.idempotent = true;  // reads may be resent after a timeout
  return o;
}
std::string limit_json(const std::optional<std::int64_t>& limit) { return limit ? std::to_string(*limit) : "null"; }
std::string order_json(const std::string& order) {
  if (order.empty()) return "null";
  json::Writer w;
  w.string(order);
  return std::string(w.unchecked_view());
}
}  // namespace

result<std::vector<std::int64_t>> Client::search(std::string_view model, const Domain& domain, const SearchOptions& page,
                                                 const CallOptions& options) {
  auto d = domain.encode();
  if (!d) return d.error();
  auto r = impl_->invoke(model, "search", nullptr,
                         {{"domain", d.value()}, {"offset", std::to_string(page.offset)}, {"limit", limit_json(page.limit)},
                          {"order", order_json(page.order)}},
                         read_only(options));
  if (!r) return r.error();
  return as_ids(r.value(), "search");
}

result<json::Document> Client::search_read(std::string_view model, const Domain& domain,
                                           const std::vector<std::string>& fields, const SearchOptions& page,
                                           const CallOptions& options) {
  auto d = domain.encode();
  if (!d) return d.error();
  auto r = impl_->invoke(model, "search_read", nullptr,
                         {{"domain", d.value()},
                          {"fields", fields.empty() ? "null" : strings_json(fields)},
                          {"offset", std::to_string(page.offset)},
                          {"limit", limit_json(page.limit)},
                          {"order", order_json(page.order)}},
                         read_only(options));
  if (r && !r.value().IsArray()) return Error::protocol("search_read: expected a list of records");
  return r;
}

result<json::Document> Client::read(std::string_view model, const std::vector<std::int64_t>& ids,
                                    const std::vector<std::string>& fields, const CallOptions& options) {
  if (ids.empty()) {
    // An empty ids list would run `read` on an empty recordset; answer [] without a round trip.
    json::Document empty;
    empty.SetArray();
    return empty;
  }
  auto r = impl_->invoke(model, "read", &ids, {{"fields", fields.empty() ? "null" : strings_json(fields)}},
                         read_only(options));
  if (r && !r.value().IsArray()) return Error::protocol("read: expected a list of records");
  return r;
}

result<std::int64_t> Client::search_count(std::string_view model, const Domain& domain, const CallOptions& options) {
  auto d = domain.encode();
  if (!d) return d.error();
  auto r = impl_->invoke(model, "search_count", nullptr, {{"domain", d.value()}}, read_only(options));
  if (!r) return r.error();
  if (!r.value().IsInt64()) return Error::protocol("search_count: expected an integer");
  return r.value().GetInt64();
}

result<std::vector<std::int64_t>> Client::create(std::string_view model, const std::vector<Values>& values,
                                                 const CallOptions& options) {
  if (values.empty()) return std::vector<std::int64_t>{};
  std::string list = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) list += ',';
    list += values[i].to_json();
  }
  list += ']';
  auto r = impl_->invoke(model, "create", nullptr, {{"vals_list", list}}, options);
  if (!r) return r.error();
  auto ids = as_ids(r.value(), "create");
  if (ids && ids.value().size() != values.size()) {
    return Error::protocol(fmt::format("create: sent {} records, got {} ids", values.size(), ids.value().size()));
  }
  return ids;
}

result<std::int64_t> Client::create(std::string_view model, const Values& values, const CallOptions& options) {
  auto ids = create(model, std::vector<Values>{values}, options);
  if (!ids) return ids.error();
  return ids.value().front();
}

result<void> Client::write(std::string_view model, const std::vector<std::int64_t>& ids, const Values& values,
                           const CallOptions& options) {
  if (ids.empty()) return Error::validation("write: no ids (Odoo would write nothing and answer true)");
  auto r = impl_->invoke(model, "write", &ids, {{"vals", values.to_json()}}, options);
  if (!r) return r.error();
  return success();
}

result<void> Client::unlink(std::string_view model, const std::vector<std::int64_t>& ids, const CallOptions& options) {
  if (ids.empty()) return Error::validation("unlink: no ids (Odoo would delete nothing and answer true)");
  auto r = impl_->invoke(model, "unlink", &ids, {}, options);
  if (!r) return r.error();
  return success();
}

result<std::int64_t> Client::copy(std::string_view model, std::int64_t id, const Values& defaults,
                                  const CallOptions& options) {
  std::vector<std::int64_t> ids{id};
  auto r = impl_->invoke(model, "copy", &ids, {{"default", defaults.empty() ? "null" : defaults.to_json()}}, options);
  if (!r) return r.error();
  return as_id(r.value(), "copy");
}

result<std::vector<NameSearchResult>> Client::name_search(std::string_view model, std::string_view name,
                                                          const Domain& domain, std::string_view op, std::int64_t limit,
                                                          const CallOptions& options) {
  auto d = domain.encode();
  if (!d) return d.error();
  json::Writer w;
  w.string(name);
  json::Writer wop;
  wop.string(op);
  auto n = w.view();
  if (!n) return n.error();
  auto r = impl_->invoke(model, "name_search", nullptr,
                         {{"name", std::string(n.value())}, {"domain", d.value()},
                          {"operator", std::string(wop.unchecked_view())}, {"limit", std::to_string(limit)}},
                         read_only(options));
  if (!r) return r.error();
  std::vector<NameSearchResult> out;
  if (!r.value().IsArray()) return Error::protocol("name_search: expected a list of [id, name] pairs");
  for (const auto& pair : r.value().GetArray()) {
    if (!pair.IsArray() || pair.Size() != 2 || !pair[0].IsInt64() || !pair[1].IsString()) {
      return Error::protocol("name_search: expected a list of [id, name] pairs");
    }
    out.push_back({pair[0].GetInt64(), std::string(json::text(pair[1]))});
  }
  return out;
}

result<json::Document> Client::read_group(std::string_view model, const Domain& domain,
                                           const std::vector<std::string>& fields,
                                           const std::vector<std::string>& groupby, bool lazy,
                                           const CallOptions& options) {
  auto d = domain.encode();
  if (!d) return d.error();
  return impl_->invoke(model, "read_group", nullptr,
                       {{"domain", d.value()},
                        {"fields", strings_json(fields)},
                        {"groupby", strings_json(groupby)},
                        {"offset", "0"},
                        {"limit", "null"},
                        {"orderby", "false"},
                        {"lazy", lazy ? "true" : "false"}},
                       read_only(options));
}

result<json::Document> Client::fields_get(std::string_view model, const std::vector<std::string>& attributes,
                                          const CallOptions& options) {
  return impl_->invoke(model, "fields_get", nullptr,
                       {{"allfields", "null"}, {"attributes", attributes.empty() ? "null" : strings_json(attributes)}},
                       read_only(options));
}

Error LoadResult::refusal(std::string_view model) const {
  std::string text = fmt::format("load into {} wrote nothing:", model);
  for (const auto& m : messages) text += fmt::format(" row {} field '{}': {};", m.row, m.field, m.message);
  if (messages.empty()) text += " Odoo gave no reason";
  if (text.back() == ';') text.pop_back();
  // Odoo refused the rows as invalid (it answers with messages, not an exception): reported as its
  // ValidationError so that callers (and Python's odoosync.ValidationError) tell it from bad input.
  auto e = Error::validation(text);
  return std::move(e).with_odoo("odoo.exceptions.ValidationError", std::move(text));
}

result<LoadResult> Client::load(std::string_view model, const std::vector<std::string>& fields,
                                const std::vector<std::vector<std::string>>& rows, const CallOptions& options) {
  json::Writer w;
  w.begin_array();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].size() != fields.size()) {
      return Error::validation(
          fmt::format("load: row {} has {} values for {} fields", i, rows[i].size(), fields.size()));
    }
    w.begin_array();
    for (const auto& cell : rows[i]) w.string(cell);
    w.end_array();
  }
  w.end_array();
  auto data = w.view();
  if (!data) return std::move(data.error()).with_message_prefix("load");
  auto r = impl_->invoke(model, "load", nullptr, {{"fields", strings_json(fields)}, {"data", std::string(data.value())}},
                         options);
  if (!r) return r.error();
  const auto& v = r.value();
  LoadResult out;
  if (const auto* ms = json::find(v, "messages"); ms && ms->IsArray()) {
    for (const auto& m : ms->GetArray()) {
      const auto* type = json::find(m, "type");
      if (!type || !type->IsString() || json::text(*type) != "error") continue;
      LoadMessage lm;
      if (const auto* rec = json::find(m, "record"); rec && rec->IsInt64()) lm.row = rec->GetInt64();
      if (const auto* f = json::find(m, "field"); f && f->IsString()) lm.field = std::string(json::text(*f));
      if (const auto* t = json::find(m, "message"); t && t->IsString()) lm.message = std::string(json::text(*t));
      out.messages.push_back(std::move(lm));
    }
  }
  const auto* ids = json::find(v, "ids");
  if (!ids) return Error::protocol("load: the answer has no 'ids'");
  if (!out.messages.empty()) return out;
  if (!ids->IsArray()) {
    // Nothing written and no reason given: a refusal all the same.
    out.messages.push_back(LoadMessage{0, "", "Odoo wrote nothing and gave no reason"});
    return out;
  }
  auto parsed = as_ids(*ids, "load");
  if (!parsed) return parsed.error();
  out.ids = std::move(parsed.value());
  return out;
}

}  // namespace odoo
}  // namespace v0
}  // namespace odoosync
