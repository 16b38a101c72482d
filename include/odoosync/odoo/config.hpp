// Config: how to reach and log in to one Odoo database. Built in code or from ODOO_* variables;
// validate() names the first bad setting.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <odoosync/core/result.hpp>
#include <odoosync/core/secret.hpp>

namespace odoosync {
inline namespace v0 {
namespace odoo {

enum class Protocol : std::uint8_t {
  automatic,  // ask the server: JSON-2 on 19+ with an API key, else JSON-RPC
  jsonrpc,    // /jsonrpc with an API key, or /web/session + /web/dataset/call_kw with a password
  json2,      // /json/2/<model>/<method>, bearer API key (Odoo 19+)
};
std::string_view to_string(Protocol p) noexcept;
result<Protocol> parse_protocol(std::string_view text);  // "auto" | "jsonrpc" | "json2"

struct Config {
  std::string url{};       // https://odoo.example.com (no path, no credentials)
  std::string database{};  // required for JSON-RPC; sent as X-Odoo-Database for JSON-2 if set
  std::string login{};     // required with a password, and for JSON-RPC with an API key
  Secret api_key{};        // preferred
  Secret password{};       // used only when there is no API key (web-session mode)
  Protocol protocol = Protocol::automatic;

  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds timeout{120'000};
  bool verify_tls = true;
  std::string ca_file{};
  std::string ca_path{};
  std::string user_agent = "odoosync/0.1";

  // Default context sent with every call (merged under the call's own context).
  std::string lang{};  // e.g. en_US; must be installed on the server
  std::string tz{};    // e.g. Europe/Brussels
  std::vector<std::int64_t> allowed_company_ids{};

  bool keep_debug = false;  // keep server tracebacks in Error::debug()

  // ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY, ODOO_PASSWORD, ODOO_PROTOCOL, plus ODOO_LANG, ODOO_TZ,
  // ODOO_COMPANY_IDS (comma-separated) and ODOO_TIMEOUT_MS. Set variables override the fields of
  // `base`; unset ones leave them. The result is validated.
  static result<Config> from_env(Config base);
  static result<Config> from_env();

  // The first problem found, as a validation error naming the setting (e.g. "ODOO_URL / Config::url: ...").
  result<void> validate() const;
};

}  // namespace odoo
}  // namespace v0
}  // namespace odoosync
