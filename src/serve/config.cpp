// serve's configuration file: its own top-level keys, and the "channels" object read by channels/config.
#include "../core/file_text.hpp"
#include <odoosync/core/json.hpp>
#include <odoosync/serve/config.hpp>

#include <array>
#include <cstdlib>
#include <fstream>

namespace odoosync {
inline namespace v0 {
namespace serve {

namespace {

constexpr std::array<std::string_view, 11> top_keys = {
    "channels",       "listen",        "store",      "public_url", "threads", "max_connections",
    "read_timeout_s", "retry_after_s", "high_water", "odoo",       "comment"};
constexpr std::array<std::string_view, 9> odoo_keys = {
    "url", "db", "user", "protocol", "api_key_file", "api_key_env", "password_file", "password_env", "comment"};

std::filesystem::path resolve(const std::filesystem::path& base, std::string_view name) {
  std::filesystem::path p{std::string(name)};
  return p.is_absolute() ? p : base / p;
}

template <std::size_t N>
result<void> known_only(const json::Value& object, const std::array<std::string_view, N>& keys,
                        std::string_view where) {
  for (const auto& m : object.GetObject()) {
    const auto key = json::text(m.name);
    bool known = false;
    for (auto k : keys) known = known || k == key;
    if (!known) return Error::validation(std::string(where) + "unknown key \"" + std::string(key) + "\"");
  }
  return success();
}

result<std::optional<std::string>> text(const json::Value& object, const char* key) {
  const auto* v = json::find(object, key);
  if (!v) return std::optional<std::string>{};
  if (!v->IsString() || v->GetStringLength() == 0)
    return Error::validation(std::string(key) + " must be a non-empty string");
  return std::optional<std::string>{std::string(json::text(*v))};
}

result<std::optional<std::uint64_t>> positive(const json::Value& object, const char* key) {
  const auto* v = json::find(object, key);
  if (!v) return std::optional<std::uint64_t>{};
  if (!v->IsUint64() || v->GetUint64() == 0) return Error::validation(std::string(key) + " must be a positive integer");
  return std::optional<std::uint64_t>{v->GetUint64()};
}

result<Secret> secret_from(const json::Value& odoo, const char* file_key, const char* env_key,
                           const std::filesystem::path& base) {
  ODOOSYNC_TRY(file, text(odoo, file_key));
  ODOOSYNC_TRY(env, text(odoo, env_key));
  if (file && env) return Error::validation(std::string("odoo: give ") + file_key + " or " + env_key + ", not both");
  if (file) {
    auto s = Secret::from_file(resolve(base, *file).string());
    if (!s) return std::move(s.error()).with_message_prefix(std::string("odoo.") + file_key);
    return std::move(s.value());
  }
  if (env) {
    const char* value = std::getenv(env->c_str());
    if (!value || !*value)
      return Error::validation(std::string("odoo.") + env_key + ": the environment variable " + *env + " is not set");
    return Secret(value);
  }
  return Secret{};
}

result<odoo::Config> odoo_section(const json::Value& v, const std::filesystem::path& base) {
  if (!v.IsObject()) return Error::validation("odoo must be an object");
  ODOOSYNC_TRYV(known_only(v, odoo_keys, "odoo: "));
  odoo::Config c;
  ODOOSYNC_TRY(url, text(v, "url"));
  ODOOSYNC_TRY(db, text(v, "db"));
  ODOOSYNC_TRY(user, text(v, "user"));
  ODOOSYNC_TRY(protocol, text(v, "protocol"));
  if (url) c.url = *url;
  if (db) c.database = *db;
  if (user) c.login = *user;
  if (protocol) {
    auto p = odoo::parse_protocol(*protocol);
    if (!p) return std::move(p.error()).with_message_prefix("odoo.protocol");
    c.protocol = p.value();
  }
  ODOOSYNC_TRY(key, secret_from(v, "api_key_file", "api_key_env", base));
  ODOOSYNC_TRY(password, secret_from(v, "password_file", "password_env", base));
  c.api_key = std::move(key);
  c.password = std::move(password);
  return c;
}

result<std::string> read_text(const std::filesystem::path& path, std::size_t max_bytes) {
  return detail::read_text_file(path, max_bytes);
}

}  // namespace

result<ServeConfig> parse_serve_config(std::string_view json_text, const std::filesystem::path& base_dir) {
  auto doc = json::parse(json_text, json::Limits{.max_bytes = 1 << 20, .max_depth = 32});
  if (!doc) return Error::validation("serve configuration: " + doc.error().message());
  const auto& root = doc.value();
  if (!root.IsObject()) return Error::validation("serve configuration: not a JSON object");
  auto fail = [](Error e) { return std::move(e).with_message_prefix("serve configuration"); };
  if (auto k = known_only(root, top_keys, ""); !k) return fail(k.error());
  ServeConfig c;
  auto channels = channels::parse_channels_config(json_text, base_dir);
  if (!channels) return channels.error();
  c.channels = std::move(channels.value());

  auto listen = text(root, "listen");
  if (!listen) return fail(listen.error());
  if (listen.value()) {
    auto parsed = parse_listen_address(*listen.value());
    if (!parsed) return fail(parsed.error());
    c.listen = listen.value();
  }
  auto store = text(root, "store");
  if (!store) return fail(store.error());
  if (store.value()) c.store = resolve(base_dir, *store.value()).string();
  auto public_url = text(root, "public_url");
  if (!public_url) return fail(public_url.error());
  if (public_url.value()) {
    const auto& u = *public_url.value();
    if (u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0)
      return fail(Error::validation("public_url must start with http:// or https://"));
    if (u.find('?') != std::string::npos || u.find('#') != std::string::npos)
      return fail(Error::validation("public_url is a scheme, host and optional path, without a query"));
    c.server.public_url = u;
  }
  auto threads = positive(root, "threads");
  if (!threads) return fail(threads.error());
  if (threads.value()) {
    if (*threads.value() > 256) return fail(Error::validation("threads must be at most 256"));
    c.server.threads = static_cast<int>(*threads.value());
  }
  auto max_connections = positive(root, "max_connections");
  if (!max_connections) return fail(max_connections.error());
  if (max_connections.value()) c.server.max_connections = static_cast<std::size_t>(*max_connections.value());
  auto read_timeout = positive(root, "read_timeout_s");
  if (!read_timeout) return fail(read_timeout.error());
  if (read_timeout.value())
    c.server.read_timeout = std::chrono::seconds{static_cast<std::int64_t>(*read_timeout.value())};
  auto retry_after = positive(root, "retry_after_s");
  if (!retry_after) return fail(retry_after.error());
  if (retry_after.value()) c.retry_after = std::chrono::seconds{static_cast<std::int64_t>(*retry_after.value())};
  if (const auto* hw = json::find(root, "high_water")) {
    if (!hw->IsObject()) return fail(Error::validation("high_water must be an object: {\"realtime\": N, \"bulk\": N}"));
    constexpr std::array<std::string_view, 2> lanes = {"realtime", "bulk"};
    if (auto k = known_only(*hw, lanes, "high_water: "); !k) return fail(k.error());
    for (std::size_t l = 0; l < lanes.size(); ++l) {
      auto n = positive(*hw, lanes[l].data());
      if (!n) return fail(std::move(n.error()).with_message_prefix("high_water"));
      c.high_water[l] = n.value();
    }
  }
  if (const auto* o = json::find(root, "odoo")) {
    auto odoo = odoo_section(*o, base_dir);
    if (!odoo) return fail(odoo.error());
    c.odoo = std::move(odoo.value());
    if (auto key_file = text(*o, "api_key_file"); key_file && key_file.value())
      c.odoo_api_key_file = resolve(base_dir, *key_file.value()).string();
  }
  return c;
}

result<ServeConfig> load_serve_config(const std::filesystem::path& file) {
  auto text = read_text(file, 1 << 20);
  if (!text) return std::move(text.error()).with_message_prefix("serve configuration");
  return parse_serve_config(text.value(), file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path());
}

}  // namespace serve
}  // namespace v0
}  // namespace odoosync
