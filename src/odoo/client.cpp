// Client: version detection, the protocol chosen from it (the wire forms are in jsonrpc_protocol.cpp
// and json2_protocol.cpp, behind protocol.hpp), and the ORM helpers on top of one internal call.
#include "protocol.hpp"

#include <odoosync/http/circuit_breaker.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/http/retry.hpp>
#include <odoosync/http/trace_context.hpp>

#include <memory>
#include <mutex>
#include <optional>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {
namespace odoo {

namespace detail {

std::string ids_json(const std::vector<std::int64_t>& ids) {
  std::string s = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(ids[i]);
  }
  return s + "]";
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

Secret Connection::key() {
  std::lock_guard lock(mutex);
  return config.api_key;
}

Error Connection::scrubbed(Error e, std::string_view cookie) {
  e.redact(key().reveal()).redact(config.password.reveal()).redact(cookie);
  return e;
}

http::Request Connection::request(std::string url, std::string body, const CallOptions& o) const {
  http::Request r;
  r.url = std::move(url);
  r.body = std::move(body);
  r.headers.add("Content-Type", "application/json");
  r.idempotent = o.idempotent;
  r.deadline = o.deadline;
  r.cancel = o.cancel;
  http::TraceScope::stamp(r);  // traceparent, tracestate and a correlation id under a TraceScope
  return r;
}

result<std::string> Connection::context_for(const CallOptions& o) {
  const bool defaults = !config.lang.empty() || !config.tz.empty() || !config.allowed_company_ids.empty();
  if (!defaults && o.context_json.empty()) return std::string();
  json::Document own;
  if (!o.context_json.empty()) {
    auto parsed = json::parse(o.context_json);
    if (!parsed || !parsed.value().IsObject())
      return Error::validation("CallOptions::context_json must be a JSON object");
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

}  // namespace detail

namespace {

using detail::Arg;
using detail::as_ids;

std::string strings_json(const std::vector<std::string>& v) {
  json::Writer w;
  w.begin_array();
  for (const auto& s : v) w.string(s);
  w.end_array();
  auto t = w.view();
  return t ? std::string(t.value()) : std::string("[]");
}

result<std::int64_t> as_id(const json::Value& v, std::string_view what) {
  if (v.IsInt64()) return v.GetInt64();
  if (v.IsArray() && v.Size() == 1 && v[0].IsInt64()) return v[0].GetInt64();
  return Error::protocol(fmt::format("{}: expected a record id, got {}", what, json::to_string(v).substr(0, 80)));
}

}  // namespace

struct Client::Impl {
  detail::Connection conn;
  // Under conn.mutex:
  std::optional<ServerVersion> version;
  std::optional<Protocol> protocol;
  std::unique_ptr<detail::WireProtocol> wire;  // set with `protocol`, then never replaced
  std::shared_ptr<SecretSource> key_source;    // set once at creation; the key is read from it

  // --- the API key from its source ---------------------------------------------------------------------

  // Makes the key in use the source's (`fresh`: read it again now). True when it changed.
  result<bool> sync_key(bool fresh) {
    auto key = fresh ? key_source->refresh() : key_source->current();
    if (!key) return std::move(key.error()).with_message_prefix("the API key from " + key_source->description());
    std::lock_guard lock(conn.mutex);
    if (conn.config.api_key == key.value()) return false;
    conn.config.api_key = std::move(key.value());
    if (wire) wire->key_rotated();
    return true;
  }

  // Runs a call with the source's key; when Odoo refuses the key, reads the source again and, if the key
  // changed (rotated meanwhile), runs the call once more: a refused key means the call did nothing.
  template <class F>
  result<json::Document> keyed(F&& f) {
    // Under a TraceScope, a failed call names the request it failed on (the last one it sent).
    const http::TraceScope* scope = http::TraceScope::current();
    const std::size_t sent_before = scope ? scope->requests().size() : 0;
    auto r = keyed_once(std::forward<F>(f));
    if (!r && scope && scope->requests().size() > sent_before && r.error().correlation_id().empty() &&
        !scope->requests().back().correlation_id.empty()) {
      r.error().with_correlation_id(scope->requests().back().correlation_id);
    }
    return r;
  }

  template <class F>
  result<json::Document> keyed_once(F&& f) {
    if (!key_source) return f();
    if (auto s = sync_key(false); !s) return s.error();
    auto r = f();
    if (!r && r.error().kind() == ErrorKind::auth) {
      auto changed = sync_key(true);
      if (changed && changed.value()) return f();
    }
    return r;
  }

  // --- version and protocol -------------------------------------------------------------------------

  result<ServerVersion> ask_version() {
    CallOptions o;
    o.idempotent = true;
    // 19+: GET /web/version. Older servers answer it with 404 (or an HTML page).
    http::Request get = conn.request(conn.base("/web/version"), "", o);
    get.method = http::Method::get;
    get.headers.remove("Content-Type");
    auto r = conn.transport->send(get);
    // No answer at all (refused, reset, timed out, TLS): that is the cause; the legacy route would only
    // fail the same way, or worse, answer something else and hide it.
    if (!r) return std::move(r.error()).with_message_prefix("asking the server's version");
    if (r.value().status == 200) {
      auto doc = json::parse(r.value().body);
      if (doc && doc.value().IsObject()) {
        if (auto v = parse_version(doc.value(), "version_info", "version")) return *v;
      }
    }
    auto legacy = detail::post_jsonrpc(conn, "/web/webclient/version_info", "{}", o);
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

  // Sets `protocol` and its wire form; the first choice stays. Called with conn.mutex held.
  Protocol settle_protocol(Protocol chosen) {
    if (!protocol) {
      protocol = chosen;
      wire = chosen == Protocol::json2 ? detail::make_json2_protocol(conn) : detail::make_jsonrpc_protocol(conn);
    }
    return *protocol;
  }

  result<Protocol> resolve_protocol() {
    {
      std::lock_guard lock(conn.mutex);
      if (protocol) return *protocol;
      if (conn.config.protocol != Protocol::automatic) return settle_protocol(conn.config.protocol);
    }
    auto v = cached_version();
    if (!v) return v.error();
    std::lock_guard lock(conn.mutex);
    // JSON-2 came in saas~18.4 in an incompatible form: only 19+ gets it, and only with an API key.
    const Protocol chosen = v.value().major >= 19 && !conn.config.api_key.empty() ? Protocol::json2 : Protocol::jsonrpc;
    if (chosen == Protocol::jsonrpc && (conn.config.database.empty() || conn.config.login.empty())) {
      return Error::validation(
          fmt::format("ODOO_DB / ODOO_USER: Odoo {} speaks JSON-RPC here, which needs the "
                      "database and the login of the API key",
                      v.value().text));
    }
    return settle_protocol(chosen);
  }

  // The chosen protocol's wire form, resolving the protocol first.
  result<detail::WireProtocol*> wire_protocol() {
    auto p = resolve_protocol();
    if (!p) return p.error();
    std::lock_guard lock(conn.mutex);
    return wire.get();
  }

  result<ServerVersion> cached_version() {
    {
      std::lock_guard lock(conn.mutex);
      if (version) return *version;
    }
    auto v = ask_version();  // outside the lock: a slow server must not block other threads' calls
    if (!v) return v.error();
    std::lock_guard lock(conn.mutex);
    if (!version) version = v.value();
    return *version;
  }

  // --- the calls -------------------------------------------------------------------------------------

  // The one call every helper goes through: ids (record methods) and arguments in signature order.
  result<json::Document> invoke(std::string_view model, std::string_view method, const std::vector<std::int64_t>* ids,
                                const std::vector<Arg>& args, const CallOptions& o) {
    return keyed([&]() -> result<json::Document> {
      auto w = wire_protocol();
      if (!w) return w.error();
      return w.value()->invoke(model, method, ids, args, o);
    });
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
  if (options.api_key_source) {
    // The first key now, so that validation and the protocol's choice see one.
    auto key = options.api_key_source->current();
    if (!key)
      return std::move(key.error()).with_message_prefix("the API key from " + options.api_key_source->description());
    config.api_key = std::move(key.value());
  }
  auto t = http::make_pipeline(std::move(bottom), options.pipeline);
  if (!t) return t.error();
  auto c = create(std::move(config), std::move(t.value()));
  if (c && options.api_key_source) c.value()->impl_->key_source = options.api_key_source;
  return c;
}

result<std::shared_ptr<Client>> Client::create(Config config, std::shared_ptr<http::Transport> transport) {
  auto ok = config.validate();
  if (!ok) return ok.error();
  if (!transport) return Error::validation("Client::create: transport is null");
  while (!config.url.empty() && config.url.back() == '/') config.url.pop_back();
  auto impl = std::make_unique<Impl>();
  impl->conn.config = std::move(config);
  impl->conn.transport = std::move(transport);
  return std::shared_ptr<Client>(new Client(std::move(impl)));
}

result<ServerVersion> Client::version() { return impl_->cached_version(); }
result<Protocol> Client::protocol() { return impl_->resolve_protocol(); }

void Client::rotate_api_key(Secret key) {
  std::lock_guard lock(impl_->conn.mutex);
  impl_->conn.config.api_key = std::move(key);
  if (impl_->wire) impl_->wire->key_rotated();  // JSON-RPC logs in again with the new key
}

result<json::Document> Client::call(std::string_view model, std::string_view method, std::string_view args_json,
                                    std::string_view kwargs_json, const CallOptions& options) {
  if (args_json.empty()) args_json = "[]";
  if (kwargs_json.empty()) kwargs_json = "{}";
  auto args = json::parse(args_json);
  if (!args || !args.value().IsArray()) return Error::validation("call: args must be a JSON array");
  auto kwargs = json::parse(kwargs_json);
  if (!kwargs || !kwargs.value().IsObject()) return Error::validation("call: kwargs must be a JSON object");
  return impl_->keyed([&]() -> result<json::Document> {
    auto w = impl_->wire_protocol();
    if (!w) return w.error();
    return w.value()->call(model, method, {args_json, kwargs_json, args.value(), kwargs.value()}, options);
  });
}

result<json::Document> Client::call_named(std::string_view model, std::string_view method,
                                          const std::vector<std::int64_t>& ids, std::string_view kwargs_json,
                                          const CallOptions& options) {
  if (kwargs_json.empty()) kwargs_json = "{}";
  auto kwargs = json::parse(kwargs_json);
  if (!kwargs || !kwargs.value().IsObject()) return Error::validation("call_named: kwargs must be a JSON object");
  return impl_->keyed([&]() -> result<json::Document> {
    auto w = impl_->wire_protocol();
    if (!w) return w.error();
    return w.value()->call_named(model, method, ids, kwargs_json, options);
  });
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

result<std::vector<std::int64_t>> Client::search(std::string_view model, const Domain& domain,
                                                 const SearchOptions& page, const CallOptions& options) {
  auto d = domain.encode();
  if (!d) return d.error();
  auto r = impl_->invoke(model, "search", nullptr,
                         {{"domain", d.value()},
                          {"offset", std::to_string(page.offset)},
                          {"limit", limit_json(page.limit)},
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
                         {{"name", std::string(n.value())},
                          {"domain", d.value()},
                          {"operator", std::string(wop.unchecked_view())},
                          {"limit", std::to_string(limit)}},
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
  auto r = impl_->invoke(model, "load", nullptr,
                         {{"fields", strings_json(fields)}, {"data", std::string(data.value())}}, options);
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
