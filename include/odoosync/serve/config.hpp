// The configuration file of `odoosync serve`: the "channels" object (channels/config.hpp) and serve's
// own top-level keys. Secrets (webhook secrets, Odoo's API key or password) come from files or
// environment variables, never from the file itself or the command line.
//
//   {"listen": "127.0.0.1:8080", "store": "odoosync.db", "public_url": "https://hooks.example",
//    "threads": 4, "max_connections": 1024, "read_timeout_s": 30, "retry_after_s": 30,
//    "high_water": {"realtime": 100000, "bulk": 100000},
//    "odoo": {"url": "https://odoo.example", "db": "prod", "user": "sync", "api_key_file": "/run/secrets/odoo"},
//    "channels": {"shop-eu": {"provider": "shopify", "secret_files": ["/run/secrets/shopify"]}}}
//
// docs/channels.md ("Receiving webhooks: odoosync serve") describes every key. An unknown top-level key
// is an error (a typo must not silently fall back to a default); relative paths are relative to the
// file's folder.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/channels/config.hpp>
#include <odoosync/core/result.hpp>
#include <odoosync/odoo/config.hpp>
#include <odoosync/serve/webhook_server.hpp>

namespace odoosync {
inline namespace v0 {
namespace serve {

struct ServeConfig {
  std::optional<std::string> listen;  // "127.0.0.1:8080"
  std::optional<std::string> store;   // the SQLite store's file, resolved against the file's folder
  // threads, max_connections, read_timeout, public_url (host and port come from `listen`)
  ServerOptions server{};
  std::chrono::seconds retry_after{30};
  std::array<std::optional<std::uint64_t>, 2> high_water{};  // realtime, bulk (sync::LaneOptions::high_water)
  // "odoo": where `serve --sync` sends the events (the ODOO_* variables and the command line's flags
  // override it). Its secrets from api_key_file / api_key_env / password_file / password_env.
  std::optional<odoo::Config> odoo;
  // odoo.api_key_file resolved: `serve --sync` reads the key from it again when it changes or Odoo
  // refuses it (a rotation without a restart; core/secret_source.hpp).
  std::optional<std::string> odoo_api_key_file;
  std::vector<channels::ChannelConfig> channels;
};

result<ServeConfig> parse_serve_config(std::string_view json, const std::filesystem::path& base_dir);
result<ServeConfig> load_serve_config(const std::filesystem::path& file);

}  // namespace serve
}  // namespace v0
}  // namespace odoosync
