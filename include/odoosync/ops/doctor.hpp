// The doctor: checks an integration's setup before go-live and in CI pipelines (`odoosync doctor`,
// docs/operations.md). Odoo's version and protocol, the integration user's access rights per model that
// the configured event types touch (too few is an error, more than needed a warning: least privilege),
// its API keys' expiry, the clock skew between this host and Odoo, the store (schema, oldest pending,
// dead letters) and each configured channel's secrets. It never changes anything, and never prints a
// secret.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/odoo/config.hpp>

namespace odoosync {
inline namespace v0 {
namespace sync {
class Store;
}  // namespace sync

namespace ops {

enum class Severity : std::uint8_t { ok = 0, warning = 1, error = 2 };
std::string_view to_string(Severity s) noexcept;

// One finding: `check` names what was looked at ("odoo.access.sale.order", "store.dead_letters",
// "channel.shop-eu"), `message` says what was found and, for a problem, what to do.
struct Finding {
  std::string check;
  Severity severity = Severity::ok;
  std::string message;
};

struct DoctorReport {
  std::vector<Finding> findings;
  Severity worst() const noexcept;
  // {"worst": "warning", "errors": 0, "warnings": 2, "findings": [{"check", "severity", "message"}]}
  std::string to_json() const;
  // One line per finding: "ok      odoo.version       Odoo 18.0 over JSON-RPC".
  std::string to_text() const;
};

struct DoctorOptions {
  // Odoo: checked when set (the url, database and credentials as for any client).
  std::optional<odoo::Config> odoo;
  std::string proxy;  // http::CurlOptions::proxy ("none": no proxy; empty: the environment's)
  // The event types whose effects the user's rights must allow; empty: every built-in type.
  std::vector<std::string> event_types;
  // The store: checked when set; `store_file` (SQLite) adds its size.
  sync::Store* store = nullptr;
  std::optional<std::filesystem::path> store_file;
  // The channels' configuration file (docs/channels.md): each channel checked on its own.
  std::optional<std::filesystem::path> channels_config;

  std::chrono::hours key_warning{24 * 14};  // a key expiring sooner is a warning
  std::chrono::seconds skew_warning{5}, skew_error{120};
  std::chrono::minutes pending_warning{60};  // the oldest unsettled event older than this is a warning
  std::function<std::chrono::system_clock::time_point()> now = [] { return std::chrono::system_clock::now(); };
};

// Runs every configured check; problems are findings, not errors (the report says what was wrong).
DoctorReport run_doctor(const DoctorOptions& options);

}  // namespace ops
}  // namespace v0
}  // namespace odoosync
