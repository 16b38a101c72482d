// Config: reading ODOO_* variables and validating every setting with its name in the error.
#include <odoosync/http/url.hpp>
#include <odoosync/odoo/config.hpp>

#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {
namespace odoo {

std::string_view to_string(Protocol p) noexcept {
  switch (p) {
    case Protocol::automatic: return "auto";
    case Protocol::jsonrpc: return "jsonrpc";
    case Protocol::json2: return "json2";
  }
  return "auto";
}

result<Protocol> parse_protocol(std::string_view text) {
  if (text == "auto" || text.empty()) return Protocol::automatic;
  if (text == "jsonrpc") return Protocol::jsonrpc;
  if (text == "json2") return Protocol::json2;
  return Error::validation(fmt::format("protocol '{}' is not one of auto, jsonrpc, json2", text.substr(0, 20)));
}

namespace {
const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}
}  // namespace

result<Config> Config::from_env(Config base) {
  if (auto v = env("ODOO_URL")) base.url = v;
  if (auto v = env("ODOO_DB")) base.database = v;
  if (auto v = env("ODOO_USER")) base.login = v;
  if (auto v = env("ODOO_API_KEY")) base.api_key = Secret(v);
  if (auto v = env("ODOO_PASSWORD")) base.password = Secret(v);
  if (auto v = env("ODOO_PROTOCOL")) {
    auto p = parse_protocol(v);
    if (!p) return std::move(p.error()).with_message_prefix("ODOO_PROTOCOL");
    base.protocol = p.value();
  }
  if (auto v = env("ODOO_LANG")) base.lang = v;
  if (auto v = env("ODOO_TZ")) base.tz = v;
  if (auto v = env("ODOO_TIMEOUT_MS")) {
    long ms = 0;
    std::string_view s(v);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), ms);
    if (ec != std::errc{} || p != s.data() + s.size() || ms <= 0) {
      return Error::validation(
          fmt::format("ODOO_TIMEOUT_MS: '{}' is not a positive number of milliseconds", s.substr(0, 20)));
    }
    base.timeout = std::chrono::milliseconds(ms);
  }
  if (auto v = env("ODOO_COMPANY_IDS")) {
    base.allowed_company_ids.clear();
    std::string_view s(v);
    while (!s.empty()) {
      auto comma = s.find(',');
      std::string_view item = s.substr(0, comma);
      std::int64_t id = 0;
      auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), id);
      if (ec != std::errc{} || p != item.data() + item.size() || id <= 0) {
        return Error::validation(fmt::format("ODOO_COMPANY_IDS: '{}' is not a company id", item.substr(0, 20)));
      }
      base.allowed_company_ids.push_back(id);
      if (comma == std::string_view::npos) break;
      s.remove_prefix(comma + 1);
    }
  }
  auto ok = base.validate();
  if (!ok) return ok.error();
  return base;
}

result<Config> Config::from_env() { return from_env(Config{}); }

result<void> Config::validate() const {
  auto bad = [](std::string_view setting, std::string_view why) {
    return Error::validation(fmt::format("{}: {}", setting, why));
  };
  if (url.empty())
    return bad("ODOO_URL / Config::url", "is empty; give the server's address, e.g. https://odoo.example.com");
  auto parsed = http::parse_url(url);
  if (!parsed) return std::move(parsed.error()).with_message_prefix("ODOO_URL / Config::url");
  if (parsed.value().target != "/") {
    return bad("ODOO_URL / Config::url",
               "must be the server's root without a path (odoosync adds /jsonrpc, /json/2, ...)");
  }
  if (api_key.empty() && password.empty()) {
    return bad("ODOO_API_KEY / ODOO_PASSWORD", "neither is set; an API key is preferred");
  }
  if (protocol == Protocol::json2 && api_key.empty()) {
    return bad("ODOO_API_KEY / Config::api_key", "JSON-2 authenticates with an API key only");
  }
  // JSON-RPC needs database and login; with `automatic` and an API key the server may turn out to be
  // 19+ (JSON-2, which needs neither), so the check waits until the protocol is known.
  const bool needs_login = protocol == Protocol::jsonrpc || (protocol == Protocol::automatic && api_key.empty());
  if (needs_login && database.empty()) {
    return bad("ODOO_DB / Config::database", "is empty; JSON-RPC needs the database name");
  }
  if (needs_login && login.empty()) {
    return bad("ODOO_USER / Config::login", "is empty; JSON-RPC needs the login the key or password belongs to");
  }
  if (connect_timeout.count() <= 0) return bad("Config::connect_timeout", "must be positive");
  if (timeout.count() <= 0) return bad("ODOO_TIMEOUT_MS / Config::timeout", "must be positive");
  for (auto id : allowed_company_ids)
    if (id <= 0) return bad("ODOO_COMPANY_IDS / Config::allowed_company_ids", "company ids are positive");
  return success();
}

}  // namespace odoo
}  // namespace v0
}  // namespace odoosync
