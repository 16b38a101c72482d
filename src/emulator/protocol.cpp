// Odoo's routes, envelopes and error bodies, version by version; the faults aimed at the network and at
// a call. The methods themselves are in methods.cpp, the control endpoint in control.cpp.
#include "protocol.hpp"

#include "business.hpp"
#include "methods.hpp"
#include "session_info.hpp"

#include <algorithm>
#include <filesystem>
#include <random>

#include <fmt/format.h>

namespace odoosync::emulator {

namespace {

template <class V>
std::string dump(const V& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::string html_page(int status, std::string_view title, std::string_view text) {
  return fmt::format("<!doctype html>\n<html lang=en>\n<title>{} {}</title>\n<h1>{}</h1>\n<p>{}</p>\n", status, title,
                     title, text);
}

HttpReply html_reply(int status, std::string_view title, std::string_view text) {
  HttpReply r;
  r.status = status;
  r.headers = {{"Content-Type", "text/html; charset=utf-8"}};
  r.body = html_page(status, title, text);
  return r;
}

// Odoo 18 (the demo has website installed): a path no route serves answers the website's 404 page,
// titled as the site, in the frontend layout (here without its assets).
HttpReply website_not_found() {
  HttpReply r;
  r.status = 404;
  r.headers = {{"Content-Type", "text/html; charset=utf-8"}};
  r.body =
      "<!DOCTYPE html>\n<html>\n    <head>\n        <meta charset=\"utf-8\"/>\n        <title>Odoo</title>\n    "
      "</head>\n"
      "    <body>\n        <div id=\"wrapwrap\">\n            <main>\n                <h1 "
      "class=\"visually-hidden\">Error 404</h1>\n                <h2>We couldn't find the page you're looking "
      "for!</h2>\n            </main>\n        </div>\n    </body>\n</html>\n";
  return r;
}

// A server-side traceback shaped like Odoo's (never real: the emulator has no Python).
std::string traceback(const OdooException& e) {
  return fmt::format(
      "Traceback (most recent call last):\n  File \"/opt/odoo/odoo/http.py\", line 1954, in _transactioning\n"
      "    return service_model.retrying(func, env=self.env)\n{}: {}\n",
      e.name, e.message);
}

}  // namespace

HttpReply json_reply(int status, std::string body) {
  HttpReply r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json; charset=utf-8"}};
  r.body = std::move(body);
  return r;
}

std::string HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequal(k, name)) return v;
  return {};
}

namespace {
std::shared_ptr<const Doc> copy_context(const Val& c) {
  auto d = std::make_shared<Doc>();
  d->CopyFrom(c, d->GetAllocator());
  return d;
}
}  // namespace

Emulator::Emulator(Options options) : options_(std::move(options)), rng_(options_.seed) {
  if (options_.database.empty()) options_.database = options_.odoo_version >= 19 ? "retail19" : "retail18";
  const std::string dir =
      (std::filesystem::path(options_.data_dir) / (options_.odoo_version >= 19 ? "odoo19" : "odoo18")).string();
  db_ = Database::load(dir, options_.odoo_version);
  db_.set_clock(clock_);
  for (const auto& m : options_.modules) db_.install_module(m);
  if (options_.extra_products) db_.add_products(options_.extra_products);
  if (!options_.fixture.empty()) db_.apply_fixture(options_.fixture);
}

void Emulator::add_fault(Fault fault) {
  std::lock_guard lock(mutex_);
  faults_.push_back(std::move(fault));
}

std::optional<Fault> Emulator::take_fault(const std::string& model, const std::string& method,
                                          std::initializer_list<std::string_view> kinds) {
  for (auto& f : faults_) {
    if (std::find(kinds.begin(), kinds.end(), f.kind) == kinds.end()) continue;
    if (!f.model.empty() && f.model != model) continue;
    if (!f.method.empty() && f.method != method) continue;
    if (f.times > 0 && f.consumed >= f.times) continue;
    if (f.probability < 1.0 && std::uniform_real_distribution<double>(0.0, 1.0)(rng_) >= f.probability) continue;
    ++f.consumed;
    return f;
  }
  return std::nullopt;
}

namespace {
// The request a server thread is handling: its hold on the database, and what it asked of the delivery.
struct RequestState {
  std::unique_lock<std::mutex>* lock = nullptr;
  bool reset_after = false;
  const HttpRequest* request = nullptr;
};
thread_local RequestState* current_request = nullptr;

// A call dropped before committing (the emulator stopped or was reset while it waited).
struct Abandoned {};
}  // namespace

HttpReply Emulator::handle(const HttpRequest& request) {
  std::string path = request.target.substr(0, request.target.find('?'));
  std::unique_lock lock(mutex_);
  if (shutting_down_) return html_reply(503, "Service Unavailable", "The server is shutting down.");
  RequestState state{&lock, false, &request};
  current_request = &state;
  struct Done {
    ~Done() { current_request = nullptr; }
  } done;
  db_.begin(clock_->now_us());  // this call's transaction starts now
  try {
    if (path.rfind("/__emulator__/", 0) != 0 && !faults_.empty()) {
      HttpReply injected = network_fault(request, path);
      if (injected.status != 0) return injected;
    }
    HttpReply reply = route(request, path);
    reply.headers.emplace_back("Date", http_date(clock_->now_us()));  // as Werkzeug sends it: the server's clock
    db_.committed();
    if (state.reset_after)
      reply.delivery = Delivery::reset_after;  // applied and committed; the client never hears back
    return reply;
  } catch (const Abandoned&) {
    HttpReply r;
    r.status = 500;
    r.delivery = Delivery::reset_before;  // the process died mid-transaction: nothing written, no answer
    return r;
  }
}

bool Emulator::key_usable(std::int64_t uid, const std::string& key, const std::string& secret) const {
  if (key.empty() || key != secret) return false;
  // An expired key authenticates nothing (Odoo 18 and 19 compare expiration_date with now).
  return !(uid == 2 && !options_.admin_api_key_expires.empty() &&
           options_.admin_api_key_expires <= format_datetime_us(clock_->now_us()).substr(0, 19));
}

std::string http_date(std::int64_t now_us) {
  const std::time_t t = static_cast<std::time_t>(now_us / 1'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

bool Emulator::wait_unlocked(std::chrono::steady_clock::time_point until) {
  if (!current_request || !current_request->lock) return true;
  const std::uint64_t generation = generation_;
  wake_.wait_until(*current_request->lock, until, [&] { return shutting_down_ || generation_ != generation; });
  return !shutting_down_ && generation_ == generation;
}

void Emulator::shutdown() {
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
  }
  wake_.notify_all();
}

Emulator::InFlightCalls Emulator::in_flight() const {
  std::lock_guard lock(mutex_);
  InFlightCalls out;
  for (const auto& f : in_flight_) out.calls.push_back(f.model + "." + f.method);
  out.slow_calls_started = in_flight_counter_;
  return out;
}

// Faults that happen before Odoo looks at the call: latency, gateway errors, 429, resets, "down".
HttpReply Emulator::network_fault(const HttpRequest& request, const std::string& path) {
  std::string model, method;
  if (path.rfind("/json/2/", 0) == 0) {
    const std::string rest = path.substr(8);
    model = rest.substr(0, rest.find('/'));
    method = rest.find('/') == std::string::npos ? "" : rest.substr(rest.find('/') + 1);
  } else {
    Doc body;
    body.Parse(request.body.c_str(), request.body.size());
    if (!body.HasParseError() && body.IsObject() && body.HasMember("params") && body["params"].IsObject()) {
      const auto& p = body["params"];
      if (p.HasMember("model") && p["model"].IsString()) {
        model = sv(p["model"]);
        method = p.HasMember("method") ? sv(p["method"]) : "";
      } else if (p.HasMember("args") && p["args"].IsArray() && p["args"].Size() >= 5) {
        model = sv(p["args"][3]);
        method = sv(p["args"][4]);
      }
    }
  }
  HttpReply r;
  r.status = 0;
  auto f =
      take_fault(model, method, {"latency", "http_502", "http_503", "http_504", "http_429", "reset_before", "down"});
  if (!f) return r;
  if (f->kind == "latency") {
    HttpReply slow = route(request, path);
    slow.delay = std::chrono::milliseconds(f->latency_ms);
    return slow;
  }
  if (f->kind == "reset_before") {
    r.status = 500;
    r.delivery = Delivery::reset_before;
    return r;
  }
  const int status = f->kind == "http_502" ? 502 : f->kind == "http_504" ? 504 : f->kind == "http_429" ? 429 : 503;
  r = html_reply(status,
                 status == 429   ? "Too Many Requests"
                 : status == 502 ? "Bad Gateway"
                 : status == 504 ? "Gateway Timeout"
                                 : "Service Unavailable",
                 "injected by the odoosync emulator");
  if (status == 429 || status == 503) r.headers.emplace_back("Retry-After", std::to_string(f->retry_after_s));
  return r;
}

HttpReply Emulator::route(const HttpRequest& request, const std::string& path) {
  const int v = options_.odoo_version;
  if (path.rfind("/__emulator__/", 0) == 0) return control(request, path);
  if (path == "/web/version" || path == "/json/version") {
    if (v < 19) return website_not_found();
    if (request.method != "GET") return html_reply(400, "Bad Request", "Session expired (invalid CSRF token)");
    return json_reply(200, R"({"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"})");
  }
  if (path.rfind("/json/2/", 0) == 0 || path.rfind("/doc-bearer/", 0) == 0) {
    if (v < 19) return website_not_found();
    return json2(request, path);
  }
  if (path == "/jsonrpc" || path == "/web/webclient/version_info" || path.rfind("/web/session/", 0) == 0 ||
      path.rfind("/web/dataset/call_kw", 0) == 0) {
    return jsonrpc(request, path);
  }
  if (v < 19) return website_not_found();
  return html_reply(404, "Not Found", "The requested URL was not found on the server.");
}

// --- one call: the faults aimed at it, then the method (methods.cpp) -------------------------------------

void Emulator::execute(MethodCall& call, Doc& out, bool& none) {
  ++counters_[call.model + "." + call.method];
  {
    LoggedCall logged{call.model + "." + call.method, {}, {}, {}};
    if (current_request && current_request->request) {
      logged.traceparent = current_request->request->header("traceparent");
      logged.tracestate = current_request->request->header("tracestate");
      logged.correlation_id = current_request->request->header("X-Correlation-Id");
    }
    log_.push_back(std::move(logged));
  }
  if (auto fault = take_fault(call.model, call.method, {"serialization_failure", "reset_after"})) {
    if (fault->kind == "serialization_failure") {
      // what reaches the client once Odoo's own five attempts are spent
      throw OdooException{"psycopg2.errors.SerializationFailure",
                          "could not serialize access due to concurrent update\n", 500};
    }
    if (current_request) current_request->reset_after = true;
  }
  if (log_.size() > 10000) log_.erase(log_.begin(), log_.begin() + 5000);
  if (auto slow = take_fault(call.model, call.method, {"slow_commit"})) {
    // The call takes `latency_ms` between starting and committing, without holding the database:
    // others run and commit meanwhile and do not see its effects; it commits even if its client is
    // gone. Its records carry its start as create_date/write_date (PostgreSQL's now()), and load does
    // not see external ids committed after that start (its snapshot).
    const std::int64_t started = clock_->now_us();
    const std::int64_t xmlids_below = db_.next_id("ir.model.data");
    call.snapshot_commit = db_.commit_seq();
    auto& entry = in_flight_.emplace_back(
        InFlight{++in_flight_counter_, call.model, call.method, format_datetime_us(started),
                 std::chrono::steady_clock::now() + std::chrono::milliseconds(slow->latency_ms)});
    const std::uint64_t mine = entry.id;
    const bool commit = wait_unlocked(entry.commit_at);
    in_flight_.remove_if([&](const InFlight& f) { return f.id == mine; });
    if (!commit) throw Abandoned{};
    db_.begin(started, xmlids_below);
  }
  // What `odoosync doctor` asks about the user: rights per model (check_access_rights through JSON-RPC,
  // has_access, which 19 documents), and groups. Outside the signature table: /doc-bearer does not list
  // check_access_rights in 19, nor has_group on other models.
  const bool rights18 = call.method == "check_access_rights", rights19 = call.method == "has_access";
  if ((rights18 || rights19) && db_.has_model(call.model)) {
    const Val* op = nullptr;
    if (call.kwargs.IsObject() && call.kwargs.HasMember("operation")) op = &call.kwargs["operation"];
    const std::size_t first = rights19 && !call.json2 ? 1 : 0;  // JSON-RPC's has_access takes ids first
    if (!op && call.args.IsArray() && call.args.Size() > first)
      op = &call.args[static_cast<rapidjson::SizeType>(first)];
    const std::string o = op && op->IsString() ? std::string(op->GetString(), op->GetStringLength()) : "";
    if (o != "read" && o != "write" && o != "create" && o != "unlink")
      throw OdooException{"builtins.ValueError", fmt::format("Invalid access mode: {}", o), 500};
    const bool ok = access_allowed(options_.odoo_version, options_.admin_api_key, call.uid, call.model,
                                   o == "read"     ? 'r'
                                   : o == "write"  ? 'w'
                                   : o == "create" ? 'c'
                                                   : 'u');
    bool raise = rights18;
    if (call.kwargs.IsObject() && call.kwargs.HasMember("raise_exception") && call.kwargs["raise_exception"].IsBool())
      raise = call.kwargs["raise_exception"].GetBool();
    if (!ok && raise)
      throw OdooException{"odoo.exceptions.AccessError",
                          fmt::format("You are not allowed to {} '{}' ({}) records.", o == "read" ? "access" : "modify",
                                      call.model, call.model),
                          403};
    out.SetBool(ok);
    return;
  }
  if (call.model == "res.users" && call.method == "has_group") {
    const Val* g = nullptr;
    if (call.kwargs.IsObject() && call.kwargs.HasMember("group_ext_id")) g = &call.kwargs["group_ext_id"];
    if (!g && call.args.IsArray() && call.args.Size() > 1) g = &call.args[1];
    const std::string group = g && g->IsString() ? std::string(g->GetString(), g->GetStringLength()) : "";
    std::int64_t who = call.uid;
    if (call.json2 && call.ids.IsArray() && !call.ids.Empty() && call.ids[0].IsInt64()) who = call.ids[0].GetInt64();
    if (!call.json2 && call.args.IsArray() && !call.args.Empty() && call.args[0].IsArray() && !call.args[0].Empty() &&
        call.args[0][0].IsInt64())
      who = call.args[0][0].GetInt64();
    const auto us = users_for(options_.odoo_version, options_.admin_api_key);
    const bool is_admin = who == us[0].uid, is_portal = who == us[2].uid;
    bool member = false;
    if (group == "base.group_system" || group == "base.group_erp_manager")
      member = is_admin;
    else if (group == "base.group_user")
      member = !is_portal;
    else if (group == "base.group_portal")
      member = is_portal;
    out.SetBool(member);
    return;
  }
  if (call.model == "res.users.apikeys" && call.method == "search_read") {
    // Only what `odoosync doctor` reads: the caller's keys (admin's one key, the demo keys of 19) with
    // their expiry; every user sees their own (admin, in group_system, would see all of them).
    const auto us = users_for(options_.odoo_version, options_.admin_api_key);
    out.SetArray();
    auto& a = out.GetAllocator();
    for (const auto& u : us) {
      if (u.api_key.empty() || (call.uid != 2 && u.uid != call.uid)) continue;
      Val row(rapidjson::kObjectType);
      row.AddMember("id", Val(static_cast<std::int64_t>(&u - us.data() + 1)), a);
      row.AddMember("name", Val("odoosync", a), a);
      Val user(rapidjson::kArrayType);
      user.PushBack(Val(u.uid), a).PushBack(Val(u.name.c_str(), a), a);
      row.AddMember("user_id", user, a);
      row.AddMember("scope", Val(false), a);
      if (u.uid == 2 && !options_.admin_api_key_expires.empty())
        row.AddMember("expiration_date", Val(options_.admin_api_key_expires.c_str(), a), a);
      else
        row.AddMember("expiration_date", Val(false), a);
      out.PushBack(row, a);
    }
    return;
  }
  run_method(db_, options_.odoo_version, options_.admin_api_key, call, out, none);
}

// --- JSON-RPC --------------------------------------------------------------------------------------------

HttpReply Emulator::jsonrpc(const HttpRequest& request, const std::string& path) {
  const int v = options_.odoo_version;
  const std::string ctype = request.header("Content-Type");
  const std::string mime = ctype.substr(0, ctype.find(';'));
  if (request.method != "POST" || (mime != "application/json" && mime != "application/json-rpc")) {
    if (v >= 19) {
      auto r = html_reply(
          415, "Unsupported Media Type",
          fmt::format("Request inferred type is compatible with ['http', 'json2'] but '{}' is type='jsonrpc'.", path));
      r.headers.emplace_back("Accept", "application/json, application/json-rpc");
      return r;
    }
    return html_reply(400, "Bad Request",
                      fmt::format("Request inferred type is compatible with ['http'] but '{}' is type='json'.", path));
  }
  Doc body;
  body.Parse(request.body.c_str(), request.body.size());
  if (body.HasParseError()) {
    HttpReply r;
    r.status = 400;
    r.headers = {{"Content-Type", "text/html; charset=utf-8"}};
    r.body = "Invalid JSON data";
    return r;
  }
  if (!body.IsObject()) {
    HttpReply r;
    r.status = 400;
    r.headers = {{"Content-Type", "text/html; charset=utf-8"}};
    r.body = "Invalid JSON-RPC data";
    return r;
  }
  const std::string id_json = body.HasMember("id") ? dump(body["id"]) : "null";

  auto envelope = [&](const std::string& result_json, bool none,
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpReply r =
        json_reply(200, none ? fmt::format(R"({{"jsonrpc": "2.0", "id": {}}})", id_json)
                             : fmt::format(R"({{"jsonrpc": "2.0", "id": {}, "result": {}}})", id_json, result_json));
    for (auto& h : headers) r.headers.push_back(std::move(h));
    return r;
  };
  auto error = [&](const OdooException& e, int code = -1) {
    Doc err;
    err.SetObject();
    auto& a = err.GetAllocator();
    const bool expired = e.name == "odoo.http.SessionExpiredException";
    const int c = code >= 0 ? code : expired ? 100 : (v >= 19 ? 0 : 200);
    err.AddMember("code", c, a);
    err.AddMember("message", Val(expired ? "Odoo Session Expired" : "Odoo Server Error", a), a);
    Val data(rapidjson::kObjectType);
    Val args(rapidjson::kArrayType);
    args.PushBack(Val(e.message.c_str(), a), a);
    const std::string dbg =
        (v >= 19 && e.name == "odoo.exceptions.AccessDenied") ? e.name + ": " + e.message + "\n" : traceback(e);
    data.AddMember("name", Val(e.name.c_str(), a), a);
    if (v < 19) data.AddMember("debug", Val(dbg.c_str(), a), a);
    data.AddMember("message", Val(e.message.c_str(), a), a);
    data.AddMember("arguments", args, a);
    data.AddMember("context", Val(rapidjson::kObjectType), a);
    if (v >= 19) data.AddMember("debug", Val(dbg.c_str(), a), a);
    err.AddMember("data", data, a);
    return json_reply(
        200, fmt::format(R"({{"jsonrpc": "2.0", "id": {}, "error": {}}})", expired ? "null" : id_json, dump(err)));
  };
  const Val* params = body.HasMember("params") ? &body["params"] : nullptr;
  const auto& us = users_for(v, options_.admin_api_key);
  auto version_info = [&]() {
    return fmt::format(
        R"({{"server_version": "{0}.0", "server_version_info": [{0}, 0, 0, "final", 0, ""], "server_serie": "{0}.0", "protocol_version": 1}})",
        v);
  };
  auto session_uid = [&]() -> std::optional<std::int64_t> {
    const std::string cookie = request.header("Cookie");
    auto p = cookie.find("session_id=");
    if (p == std::string::npos) return std::nullopt;
    std::string sid = cookie.substr(p + 11);
    sid = sid.substr(0, sid.find(';'));
    auto it = sessions_.find(sid);
    if (it == sessions_.end()) return std::nullopt;
    return it->second;
  };
  const OdooException expired{"odoo.http.SessionExpiredException", "Session expired", 403};
  // The session-info object of /web/session/authenticate and get_session_info (session_info.cpp).
  auto session_info = [&](const User& user) {
    const std::string host = request.header("Host");
    return emulator::session_info(db_, user, v, options_.database, "http://" + (host.empty() ? "127.0.0.1" : host));
  };

  try {
    if (path == "/web/webclient/version_info") return envelope(version_info(), false);
    if (path == "/web/session/authenticate") {
      const std::string login = params && params->HasMember("login") ? sv((*params)["login"]) : "";
      const std::string password = params && params->HasMember("password") ? sv((*params)["password"]) : "";
      const User* user = nullptr;
      for (const auto& u : us)
        if (u.login == login && u.password == password) user = &u;
      if (!user) throw OdooException{"odoo.exceptions.AccessDenied", "Access Denied", 403};
      const std::string sid =
          fmt::format("{:040x}", std::hash<std::string>{}(login) ^ (++session_counter_ * 0x9E3779B97F4A7C15ULL));
      sessions_[sid] = user->uid;
      const std::string info = session_info(*user);
      return envelope(
          info, false,
          {{"Set-Cookie",
            "session_id=" + sid + "; Expires=Mon, 22 Nov 2027 15:04:57 GMT; Max-Age=604800; HttpOnly; Path=/"}});
    }
    if (path == "/web/session/destroy") {
      const std::string cookie = request.header("Cookie");
      auto p = cookie.find("session_id=");
      if (p != std::string::npos)
        sessions_.erase(cookie.substr(
            p + 11, cookie.find(';', p) == std::string::npos ? std::string::npos : cookie.find(';', p) - p - 11));
      return envelope("", true, {{"Set-Cookie", "session_id=; Max-Age=0; Path=/"}});
    }
    if (path == "/web/session/get_session_info") {
      auto uid = session_uid();
      if (!uid) return error(expired);
      for (const auto& u : us)
        if (u.uid == *uid) return envelope(session_info(u), false);
      return error(expired);
    }
    if (path.rfind("/web/dataset/call_kw", 0) == 0) {
      auto uid = session_uid();
      if (!uid) return error(expired);
      MethodCall call;
      call.uid = *uid;
      if (!params || !params->IsObject() || !params->HasMember("model") || !params->HasMember("method") ||
          !params->HasMember("args") || !params->HasMember("kwargs")) {
        throw OdooException{"builtins.TypeError", "call_kw() missing 1 required positional argument: 'kwargs'", 500};
      }
      call.model = sv((*params)["model"]);
      call.method = sv((*params)["method"]);
      call.args.CopyFrom((*params)["args"], call.args.GetAllocator());
      call.kwargs.CopyFrom((*params)["kwargs"], call.kwargs.GetAllocator());
      if (call.kwargs.IsObject() && call.kwargs.HasMember("context") && call.kwargs["context"].IsObject()) {
        const auto& c = call.kwargs["context"];
        call.ctx.inventory_mode =
            c.HasMember("inventory_mode") && c["inventory_mode"].IsBool() && c["inventory_mode"].GetBool();
        call.ctx.raw = copy_context(c);
      }
      if (take_fault(call.model, call.method, {"session_expired"})) {
        sessions_.clear();  // the session is gone, as after a server restart
        return error(expired);
      }
      Doc out;
      bool none = false;
      execute(call, out, none);
      return envelope(dump(out), none);
    }
    // /jsonrpc
    if (!params) {
      throw OdooException{"builtins.TypeError",
                          "RPC.jsonrpc() missing 3 required positional arguments: 'service', 'method', and 'args'",
                          500};
    }
    if (!params->IsObject()) {
      throw OdooException{"builtins.ValueError", "dictionary update sequence element #0 has length 6; 2 is required",
                          500};
    }
    const std::string service = params->HasMember("service") ? sv((*params)["service"]) : "";
    const std::string method = params->HasMember("method") ? sv((*params)["method"]) : "";
    const Val* args = params->HasMember("args") ? &(*params)["args"] : nullptr;
    if (service == "common") {
      if (method == "version") return envelope(version_info(), false);
      if (method == "login" || method == "authenticate") {
        const rapidjson::SizeType needed = method == "login" ? 3 : 4;
        if (!args || !args->IsArray() || args->Size() < needed) {
          throw OdooException{"builtins.TypeError",
                              fmt::format("exp_{}() missing 1 required positional argument: '{}'", method,
                                          method == "login" ? "password" : "user_agent_env"),
                              500};
        }
        const std::string login = sv((*args)[1]), secret = sv((*args)[2]);
        for (const auto& u : us) {
          if (u.login == login && (u.password == secret || key_usable(u.uid, u.api_key, secret)) &&
              sv((*args)[0]) == options_.database) {
            return envelope(std::to_string(u.uid), false);
          }
        }
        return envelope("false", false);
      }
      throw OdooException{"builtins.Exception", "Method not found: " + method, 500};
    }
    if (service == "object") {
      if (method != "execute_kw" && method != "execute")
        throw OdooException{"builtins.NameError", "Method not available " + method, 500};
      if (!args || !args->IsArray() || args->Size() < 5) {
        throw OdooException{"builtins.TypeError", "execute_kw() missing required positional arguments", 500};
      }
      const Val& a = *args;
      if (sv(a[0]) != options_.database) {
        throw OdooException{
            "psycopg2.OperationalError",
            fmt::format(
                "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  database \"{}\" does not exist\n",
                sv(a[0])),
            500};
      }
      if (a[1].IsString())
        throw OdooException{"builtins.ValueError",
                            fmt::format("invalid literal for int() with base 10: '{}'", sv(a[1])), 500};
      const std::int64_t uid = a[1].IsInt64() ? a[1].GetInt64() : 0;
      const std::string secret = sv(a[2]);
      const User* user = nullptr;
      for (const auto& u : us)
        if (u.uid == uid && (u.password == secret || key_usable(u.uid, u.api_key, secret))) user = &u;
      MethodCall call;
      call.model = sv(a[3]);
      call.method = sv(a[4]);
      call.uid = uid;
      if (take_fault(call.model, call.method, {"key_expired"})) user = nullptr;
      if (!user) throw OdooException{"odoo.exceptions.AccessDenied", "Access Denied", 403};
      if (method == "execute_kw") {
        if (a.Size() > 5)
          call.args.CopyFrom(a[5], call.args.GetAllocator());
        else
          call.args.SetArray();
        if (a.Size() > 6)
          call.kwargs.CopyFrom(a[6], call.kwargs.GetAllocator());
        else
          call.kwargs.SetObject();
      } else {  // execute: positional after the method name
        call.args.SetArray();
        for (rapidjson::SizeType i = 5; i < a.Size(); ++i)
          call.args.PushBack(Val(a[i], call.args.GetAllocator()), call.args.GetAllocator());
        call.kwargs.SetObject();
      }
      if (call.kwargs.IsObject() && call.kwargs.HasMember("context") && call.kwargs["context"].IsObject()) {
        const auto& c = call.kwargs["context"];
        call.ctx.inventory_mode =
            c.HasMember("inventory_mode") && c["inventory_mode"].IsBool() && c["inventory_mode"].GetBool();
        call.ctx.raw = copy_context(c);
        if (c.HasMember("active_test") && c["active_test"].IsBool()) call.ctx.active_test = c["active_test"].GetBool();
      }
      Doc out;
      bool none = false;
      execute(call, out, none);
      // JSON-RPC answers copy() with [id] (18) and create(dict) with a bare id (execute() did that)
      return envelope(dump(out), none);
    }
    throw OdooException{"builtins.KeyError", service, 500};
  } catch (const OdooException& e) {
    return error(e);
  }
}

// --- JSON-2 ----------------------------------------------------------------------------------------------

HttpReply Emulator::json2(const HttpRequest& request, const std::string& path) {
  const auto& us = users_for(options_.odoo_version, options_.admin_api_key);
  auto error = [&](const OdooException& e, int status) {
    Doc err;
    err.SetObject();
    auto& a = err.GetAllocator();
    err.AddMember("name", Val(e.name.c_str(), a), a);
    err.AddMember("message", Val(e.message.c_str(), a), a);
    Val args(rapidjson::kArrayType);
    args.PushBack(Val(e.message.c_str(), a), a);
    if (e.name.rfind("werkzeug.", 0) == 0) args.PushBack(status, a);
    err.AddMember("arguments", args, a);
    err.AddMember("context", Val(rapidjson::kObjectType), a);
    const std::string dbg = e.name == "odoo.exceptions.AccessDenied" ? e.name + ": " + e.message + "\n" : traceback(e);
    err.AddMember("debug", Val(dbg.c_str(), a), a);
    HttpReply r = json_reply(status, dump(err));
    if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer ");
    return r;
  };
  // Authentication: bearer key only.
  const std::string auth = request.header("Authorization");
  const User* user = nullptr;
  std::string key;
  if (auth.size() > 7 && iequal(auth.substr(0, 7), "bearer ")) {
    key = auth.substr(7);
    for (const auto& u : us)
      if (key_usable(u.uid, u.api_key, key)) user = &u;
  }
  const std::string dbh = request.header("X-Odoo-Database");
  if (!dbh.empty() && dbh != options_.database) {
    return html_reply(404, "Not Found",
                      "No database is selected and the requested URL was not found in the server-wide controllers.");
  }
  if (path.rfind("/doc-bearer/", 0) == 0) {
    if (!user) return error({"werkzeug.exceptions.Unauthorized", "Invalid apikey", 401}, 401);
    if (user->uid != 2)
      return error(
          {"odoo.exceptions.AccessError", "This page is only accessible to Technical Documentation users.", 403}, 403);
    std::string model = path.substr(12);
    if (model.ends_with(".json")) model.resize(model.size() - 5);
    if (!db_.has_model(model))
      return error({"werkzeug.exceptions.NotFound", fmt::format("the model '{}' does not exist", model), 404}, 404);
    Doc out;
    out.SetObject();
    auto& a = out.GetAllocator();
    out.AddMember("model", Val(model.c_str(), a), a);
    out.AddMember("name", Val(model.c_str(), a), a);
    out.AddMember("doc", Val(), a);  // Odoo 19 sends null when the model has no docstring
    Doc fields;
    db_.fields_get(model, nullptr, nullptr, fields);
    out.AddMember("fields", Val(fields, a), a);
    Val methods(rapidjson::kObjectType);
    for (const auto& [name, sig] : signatures(options_.odoo_version)) {
      // the model's own methods: its buttons, context_get on res.users only; 19 does not document
      // read_group (deprecated) nor exists
      if (is_button(name) && !has_button(model, name)) continue;
      if (name == "context_get" && model != "res.users") continue;
      if (name == "read_group" || name == "exists") continue;
      if (name == "message_post") {  // mail.thread's: documented on the models that inherit it
        const ModelDef* def = db_.model(model);
        if (!def || !def->fields.count("message_ids")) continue;
      }
      Val m(rapidjson::kObjectType);
      Val params(rapidjson::kObjectType);
      std::string signature = "(";
      for (const auto& [p, required] : sig.params) {
        params.AddMember(Val(p.c_str(), a), Val(rapidjson::kObjectType), a);
        signature += (signature.size() > 1 ? ", " : "") + p + (required ? "" : "=None");
      }
      m.AddMember("signature", Val((signature + ")").c_str(), a), a);
      m.AddMember("parameters", params, a);
      if (!sig.record) {
        Val api(rapidjson::kArrayType);
        api.PushBack("model", a);
        m.AddMember("api", api, a);
      }
      methods.AddMember(Val(name.c_str(), a), m, a);
    }
    out.AddMember("methods", methods, a);
    return json_reply(200, dump(out));
  }
  const std::string rest = path.substr(8);
  const auto slash = rest.find('/');
  if (request.method != "POST" || slash == std::string::npos) {
    return error({"werkzeug.exceptions.NotFound", "Did you mean POST /json/2/<model>/<method>?", 404}, 404);
  }
  const std::string ctype = request.header("Content-Type");
  if (!request.body.empty() && ctype.substr(0, ctype.find(';')) != "application/json") {
    auto r = html_reply(415, "Unsupported Media Type",
                        "Request inferred type is compatible with ['http'] but '/json/2/<__model__>/<__method__>' is "
                        "type='json2'. Please verify the Content-Type request header and try again.");
    r.headers.emplace_back("Accept", "application/json");
    return r;
  }
  MethodCall call;
  call.json2 = true;
  call.model = rest.substr(0, slash);
  call.method = rest.substr(slash + 1);
  if (take_fault(call.model, call.method, {"key_expired"})) user = nullptr;
  if (!user) {
    if (auth.empty() || !iequal(auth.substr(0, std::min<std::size_t>(7, auth.size())), "bearer ")) {
      return error({"werkzeug.exceptions.Unauthorized",
                    "User not authenticated, use an API Key with a Bearer Authorization header.", 401},
                   401);
    }
    return error({"werkzeug.exceptions.Unauthorized", "Invalid apikey", 401}, 401);
  }
  call.uid = user->uid;
  // A browser session cookie next to the key must belong to the same user.
  if (const std::string cookie = request.header("Cookie"); cookie.find("session_id=") != std::string::npos) {
    std::string sid = cookie.substr(cookie.find("session_id=") + 11);
    sid = sid.substr(0, sid.find(';'));
    auto it = sessions_.find(sid);
    if (it != sessions_.end() && it->second != user->uid) {
      return error({"odoo.exceptions.AccessDenied", "Session user does not match the used apikey.", 403}, 403);
    }
  }
  Doc body;
  if (!request.body.empty()) {
    body.Parse(request.body.c_str(), request.body.size());
    if (body.HasParseError()) {
      return error({"werkzeug.exceptions.BadRequest",
                    fmt::format("could not parse the body as json: Expecting value: line 1 column {} (char {})",
                                body.GetErrorOffset() + 1, body.GetErrorOffset()),
                    400},
                   400);
    }
  }
  call.kwargs.SetObject();
  call.args.SetNull();
  if (body.IsObject()) {  // anything else is ignored, as 19.0 does
    for (auto& m : body.GetObject()) {
      const std::string name = sv(m.name);
      if (name == "ids") {
        call.ids.CopyFrom(m.value, call.ids.GetAllocator());
        call.has_ids = !(m.value.IsArray() && m.value.Empty());
      } else if (name == "context") {
        if (!m.value.IsObject())
          return error(
              {"builtins.ValueError", "dictionary update sequence element #0 has length 1; 2 is required", 500}, 500);
        const auto& c = m.value;
        if (c.HasMember("inventory_mode") && c["inventory_mode"].IsBool())
          call.ctx.inventory_mode = c["inventory_mode"].GetBool();
        call.ctx.raw = copy_context(c);
        if (c.HasMember("active_test") && c["active_test"].IsBool()) call.ctx.active_test = c["active_test"].GetBool();
        if (c.HasMember("lang") && c["lang"].IsString()) {
          call.ctx.lang = sv(c["lang"]);
          if (call.ctx.lang != "en_US" && call.ctx.lang != "fr_FR") {
            return error({"odoo.exceptions.UserError", "Invalid language code: " + call.ctx.lang, 422}, 422);
          }
        }
        if (c.HasMember("allowed_company_ids") && c["allowed_company_ids"].IsArray()) {
          for (const auto& id : c["allowed_company_ids"].GetArray()) {
            if (!id.IsInt64() || id.GetInt64() < 1 || id.GetInt64() > 3) {
              return error({"odoo.exceptions.AccessError", "Access to unauthorized or invalid companies.", 403}, 403);
            }
          }
        }
      } else {
        call.kwargs.AddMember(Val(m.name, call.kwargs.GetAllocator()), Val(m.value, call.kwargs.GetAllocator()),
                              call.kwargs.GetAllocator());
      }
    }
  }
  try {
    Doc out;
    bool none = false;
    if (call.ids.IsNull() || (call.ids.IsArray() && call.ids.Empty())) {
      // a record method without ids runs on an empty recordset
      const auto& sigs = signatures(options_.odoo_version);
      auto sit = sigs.find(call.method);
      if (sit != sigs.end() && sit->second.record) {
        call.ids.SetArray();
        call.has_ids = true;
      }
    }
    execute(call, out, none);
    if (none) return json_reply(200, "null");
    HttpReply r = json_reply(200, dump(out));
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return r;
  } catch (const OdooException& e) {
    return error(e, e.json2_status);
  }
}

}  // namespace odoosync::emulator
