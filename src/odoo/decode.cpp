// Decoding Odoo's answers: the JSON-RPC envelope and JSON-2 bodies, and every error shape either
// produces, into a value or an Error with the right kind and the server's class, message and arguments.
#include <odoosync/http/retry_after.hpp>
#include <odoosync/odoo/client.hpp>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {
namespace odoo {

namespace {

std::string member_string(const json::Value& obj, std::string_view key) {
  const auto* m = json::find(obj, key);
  return m && m->IsString() ? std::string(json::text(*m)) : std::string();
}

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

bool is_concurrency_class(std::string_view cls) {
  return contains(cls, "SerializationFailure") || contains(cls, "LockNotAvailable") ||
         contains(cls, "DeadlockDetected") || contains(cls, "ConcurrencyError") || contains(cls, "LockError");
}

// A unique index that two concurrent transactions raced for, answered as a ValidationError: posting two
// entries of one journal at once picks the same sequence number for both, and the later commit hits
// account.move's unique name index ("Another entry with the same name already exists."). Odoo does not
// retry it (it retries serialization failures only); the same call passes once the other has committed.
bool is_sequence_race(std::string_view cls, std::string_view message) {
  return (cls == "odoo.exceptions.ValidationError" || contains(cls, "IntegrityError") ||
          contains(cls, "UniqueViolation")) &&
         (contains(message, "Another entry with the same name already exists") ||
          contains(message, "account_move_unique_name"));
}

// The readable text of a werkzeug HTML page: its <p>, else everything, tags stripped and entities undone.
std::string html_text(std::string_view html) {
  std::string_view part = html;
  if (auto p = html.find("<p>"); p != std::string_view::npos) {
    auto e = html.find("</p>", p);
    part = html.substr(p + 3, e == std::string_view::npos ? std::string_view::npos : e - p - 3);
  }
  std::string out;
  bool in_tag = false;
  for (std::size_t i = 0; i < part.size(); ++i) {
    char c = part[i];
    if (c == '<') {
      in_tag = true;
      continue;
    }
    if (c == '>') {
      in_tag = false;
      continue;
    }
    if (in_tag) continue;
    if (c == '&') {
      static constexpr std::pair<std::string_view, char> entities[] = {
          {"&#39;", '\''}, {"&quot;", '"'}, {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&#x27;", '\''}};
      bool done = false;
      for (auto [name, ch] : entities) {
        if (part.substr(i, name.size()) == name) {
          out += ch;
          i += name.size() - 1;
          done = true;
          break;
        }
      }
      if (done) continue;
    }
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  while (!out.empty() && out.front() == ' ') out.erase(0, 1);
  if (out.size() > 300) out.resize(300);
  return out;
}

std::vector<std::string> arguments_of(const json::Value& data) {
  std::vector<std::string> args;
  if (const auto* a = json::find(data, "arguments"); a && a->IsArray()) {
    for (const auto& x : a->GetArray()) args.push_back(x.IsString() ? std::string(json::text(x)) : json::to_string(x));
  }
  return args;
}

// An Odoo exception object ({name, message, arguments, debug, ...}) to an Error; `kind` decided by caller.
Error from_exception(ErrorKind kind, const json::Value& data, std::string fallback_message, bool keep_debug) {
  std::string cls = member_string(data, "name");
  std::string message = member_string(data, "message");
  if (message.empty()) message = std::move(fallback_message);
  // An error that says nothing still says why it is one.
  if (message.empty())
    message = cls.empty() ? "Odoo answered an error without a message or an exception class"
                          : "Odoo answered " + cls + " without a message";
  Error e(kind, message);
  e.with_odoo(cls, message, arguments_of(data));
  if (keep_debug) e.with_debug(member_string(data, "debug"));
  return e;
}

ErrorKind jsonrpc_kind(std::string_view cls, std::string_view message, std::int64_t code) {
  if (code == 100 || contains(cls, "SessionExpiredException")) return ErrorKind::auth;
  if (cls == "odoo.exceptions.AccessDenied") return ErrorKind::auth;
  if (cls == "odoo.exceptions.MissingError") return ErrorKind::not_found;
  if (cls == "odoo.exceptions.UserError" && message.starts_with("Object ") && contains(message, "doesn't exist"))
    return ErrorKind::not_found;
  if (cls == "builtins.AttributeError" && contains(message, "does not exist")) return ErrorKind::not_found;
  if (is_concurrency_class(cls) || is_sequence_race(cls, message)) return ErrorKind::conflict;
  return ErrorKind::odoo;
}

Error http_failure(const http::Response& r, std::string_view what) {
  std::string text = html_text(r.body);
  const int s = r.status;
  // 5xx, 429 and 408 without an Odoo exception in the body are the server (or a proxy) failing or asking
  // for time: ErrorKind::http, which docs/errors.md retries until max_age. Other statuses are a protocol
  // error (an answer that is not Odoo's).
  Error e = (s == 408 || s == 429 || s >= 500)
                ? Error::http_status(s, fmt::format("{} answered HTTP {}{}{}", what, s, text.empty() ? "" : ": ", text))
                : Error::protocol(fmt::format("{} answered HTTP {}{}{}", what, s, text.empty() ? "" : ": ", text))
                      .with_http_status(s);
  if (auto ra = r.header("Retry-After")) {
    if (auto d = http::parse_retry_after(*ra, Clock::system().wall_now())) e.with_retry_after(*d);
  }
  return e;
}

}  // namespace

namespace {
result<json::Document> decode_jsonrpc_answer(const http::Response& r, bool keep_debug);
result<json::Document> decode_json2_answer(const http::Response& r, bool keep_debug);
// Every error decoded from an answer keeps the number of attempts the retry policy made for it.
result<json::Document> counted(result<json::Document> d, const http::Response& r) {
  if (!d && r.attempts > 1) d.error().with_attempts(r.attempts);
  return d;
}
}  // namespace

result<json::Document> decode_jsonrpc(const http::Response& r, bool keep_debug) {
  return counted(decode_jsonrpc_answer(r, keep_debug), r);
}
result<json::Document> decode_json2(const http::Response& r, bool keep_debug) {
  return counted(decode_json2_answer(r, keep_debug), r);
}

namespace {
result<json::Document> decode_jsonrpc_answer(const http::Response& r, bool keep_debug) {
  auto doc = json::parse(r.body);
  if (!doc || !doc.value().IsObject() || !json::find(doc.value(), "jsonrpc")) {
    if (r.status != 200) return http_failure(r, "Odoo");
    if (!doc) return std::move(doc.error()).with_message_prefix("Odoo's JSON-RPC answer");
    return Error::protocol("Odoo's JSON-RPC answer is not an envelope object {jsonrpc, id, result|error}");
  }
  json::Document& d = doc.value();
  if (auto* err = d.FindMember("error") != d.MemberEnd() ? &d["error"] : nullptr) {
    if (!err->IsObject()) return Error::protocol("JSON-RPC 'error' member is not an object");
    std::int64_t code = 0;
    if (const auto* c = json::find(*err, "code"); c && c->IsInt64()) code = c->GetInt64();
    std::string top = member_string(*err, "message");
    const json::Value* data = json::find(*err, "data");
    json::Value empty(rapidjson::kObjectType);
    const json::Value& dv = data && data->IsObject() ? *data : empty;
    std::string cls = member_string(dv, "name");
    std::string message = member_string(dv, "message");
    Error e = from_exception(jsonrpc_kind(cls, message.empty() ? top : message, code), dv, top, keep_debug);
    e.with_http_status(r.status);
    return e;
  }
  auto it = d.FindMember("result");
  if (it == d.MemberEnd()) return json::Document{};  // the method returned None: Odoo leaves `result` out
  // Make `result` the root without copying it: its memory stays in this document's pool, and the
  // envelope left behind is never touched again (pool memory is freed all at once).
  json::Value result;
  result.Swap(it->value);
  static_cast<json::Value&>(d).Swap(result);
  return std::move(doc.value());
}

result<json::Document> decode_json2_answer(const http::Response& r, bool keep_debug) {
  const int s = r.status;
  if (s >= 200 && s < 300) {
    if (r.body.empty()) return json::Document{};
    auto doc = json::parse(r.body);
    if (!doc) return std::move(doc.error()).with_message_prefix("Odoo's JSON-2 answer");
    return std::move(doc.value());
  }
  auto doc = json::parse(r.body);
  const bool object = doc && doc.value().IsObject() && json::find(doc.value(), "name");
  if (!object) {
    if (s == 404) {
      return Error(
                 ErrorKind::not_found,
                 fmt::format("Odoo answered 404 outside JSON-2 (unknown database? check X-Odoo-Database / ODOO_DB): {}",
                             html_text(r.body)))
          .with_http_status(404);
    }
    return http_failure(r, "Odoo");
  }
  const json::Value& v = doc.value();
  std::string cls = member_string(v, "name");
  ErrorKind kind = ErrorKind::odoo;
  if (s == 401)
    kind = ErrorKind::auth;
  else if (s == 403)
    kind = cls == "odoo.exceptions.AccessDenied" ? ErrorKind::auth : ErrorKind::odoo;
  else if (s == 404)
    kind = ErrorKind::not_found;
  else if (s == 409)
    kind = ErrorKind::conflict;
  else if (s == 400 || s == 415)
    kind = ErrorKind::protocol;
  else if (s == 429 || s == 502 || s == 503 || s == 504)
    kind = ErrorKind::http;
  else if (is_concurrency_class(cls) || is_sequence_race(cls, member_string(v, "message")))
    kind = ErrorKind::conflict;
  Error e = from_exception(kind, v, fmt::format("HTTP {}", s), keep_debug);
  if (s == 401) {
    // Odoo says only "Invalid apikey"; say what that means for the host.
    e = Error(ErrorKind::auth, fmt::format("{} (the API key is wrong, revoked or expired: Odoo 19 keys last at most "
                                           "three months; rotate it with Client::rotate_api_key)",
                                           e.message()))
            .with_odoo(e.odoo_class(), e.odoo_message(), e.odoo_arguments())
            .with_debug(e.debug());
  }
  e.with_http_status(s);
  if (kind == ErrorKind::http) {
    if (auto ra = r.header("Retry-After")) {
      if (auto d = http::parse_retry_after(*ra, Clock::system().wall_now())) e.with_retry_after(*d);
    }
  }
  return e;
}

}  // namespace
}  // namespace odoo
}  // namespace v0
}  // namespace odoosync
