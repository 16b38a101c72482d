// The "channels" object of the configuration file: one VerifierOptions per channel, secrets read from
// the files and environment variables it names.
#include "../core/file_text.hpp"
#include <odoosync/channels/config.hpp>
#include <odoosync/core/json.hpp>

#include <array>
#include <cstdlib>
#include <fstream>

namespace odoosync {
inline namespace v0 {
namespace channels {

namespace {

constexpr std::array<std::string_view, 21> known_keys = {"provider",
                                                         "secret_files",
                                                         "secret_env",
                                                         "max_body_bytes",
                                                         "tolerance_s",
                                                         "webhook_id",
                                                         "certificate_files",
                                                         "notification_url",
                                                         "secret_is_nfkd",
                                                         "token_parameter",
                                                         "queue_urls",
                                                         "comment",
                                                         "source",
                                                         "order_channel",
                                                         "warehouse",
                                                         "locations",
                                                         "default_location",
                                                         "skus",
                                                         "currency",
                                                         "shipping_sku",
                                                         "push"};

constexpr std::array<std::string_view, 9> push_keys = {
    "url",   "settings",   "secrets", "safety_stock", "safety_stock_by_sku", "stock_locations",
    "feeds", "timeout_ms", "comment"};

result<std::string> read_text(const std::filesystem::path& path, std::size_t max_bytes) {
  return detail::read_text_file(path, max_bytes);
}

std::filesystem::path resolve(const std::filesystem::path& base, std::string_view name) {
  std::filesystem::path p{std::string(name)};
  return p.is_absolute() ? p : base / p;
}

result<std::vector<std::string>> strings(const json::Value& v, std::string_view key) {
  std::vector<std::string> out;
  if (!v.IsArray()) return Error::validation(std::string(key) + " must be an array of strings");
  for (const auto& e : v.GetArray()) {
    if (!e.IsString()) return Error::validation(std::string(key) + " must be an array of strings");
    out.emplace_back(json::text(e));
  }
  return out;
}

result<std::int64_t> whole_count(const json::Value& v, const std::string& what) {
  if (!v.IsInt64() || v.GetInt64() < 0) return Error::validation(what + " must be a whole number >= 0");
  return v.GetInt64();
}

// The "push" block (docs/push.md). Secrets are sources, read when the client needs them.
result<PushConfig> push_block(const json::Value& v, const ChannelConfig& c, const std::filesystem::path& base) {
  if (!v.IsObject()) return Error::validation("push must be an object");
  for (const auto& m : v.GetObject()) {
    const std::string_view key = json::text(m.name);
    bool known = false;
    for (auto k : push_keys) known = known || k == key;
    if (!known) return Error::validation("push: unknown key \"" + std::string(key) + "\"");
  }
  switch (c.provider) {
    case Provider::shopify:
    case Provider::woocommerce:
    case Provider::square:
    case Provider::amazon: break;
    default:
      return Error::validation("push: the provider " + std::string(to_string(c.provider)) +
                               " has no push client (shopify, woocommerce, square, amazon)");
  }
  PushConfig p;
  const auto* url = json::find(v, "url");
  if (!url || !url->IsString() || url->GetStringLength() == 0)
    return Error::validation("push: url must be a non-empty string");
  p.url = std::string(json::text(*url));
  if (const auto* s = json::find(v, "settings")) {
    if (!s->IsObject()) return Error::validation("push: settings must be an object of strings");
    for (const auto& e : s->GetObject()) {
      if (!e.value.IsString())
        return Error::validation("push: settings[\"" + std::string(json::text(e.name)) + "\"] must be a string");
      p.settings.emplace(std::string(json::text(e.name)), std::string(json::text(e.value)));
    }
  }
  if (const auto* s = json::find(v, "secrets")) {
    if (!s->IsObject()) return Error::validation("push: secrets must be an object of sources");
    for (const auto& e : s->GetObject()) {
      const std::string name(json::text(e.name));
      if (!e.value.IsString())
        return Error::validation("push: secrets[\"" + name +
                                 "\"] must be \"env:NAME\", \"file:PATH\" or \"cmd:PROGRAM\"");
      std::string spec(json::text(e.value));
      // A relative file is relative to the configuration's folder, as the other file keys.
      if (spec.rfind("file:", 0) == 0) spec = "file:" + resolve(base, spec.substr(5)).string();
      auto src = parse_secret_source(spec);
      if (!src) return std::move(src.error()).with_message_prefix("push: secrets[\"" + name + "\"]");
      p.secrets.emplace(name, std::move(src.value()));
    }
  }
  if (const auto* s = json::find(v, "safety_stock")) {
    ODOOSYNC_TRY(n, whole_count(*s, "push: safety_stock"));
    p.safety_stock = n;
  }
  if (const auto* s = json::find(v, "safety_stock_by_sku")) {
    if (!s->IsObject()) return Error::validation("push: safety_stock_by_sku must be an object of whole numbers");
    for (const auto& e : s->GetObject()) {
      const std::string sku(json::text(e.name));
      ODOOSYNC_TRY(n, whole_count(e.value, "push: safety_stock_by_sku[\"" + sku + "\"]"));
      p.safety_stock_by_sku.emplace(sku, n);
    }
  }
  if (const auto* s = json::find(v, "stock_locations")) {
    if (!s->IsObject()) return Error::validation("push: stock_locations must be an object of arrays of Odoo locations");
    for (const auto& e : s->GetObject()) {
      const std::string loc(json::text(e.name));
      if (loc.find('@') != std::string::npos)
        return Error::validation("push: stock_locations: the channel location \"" + loc + "\" holds an '@'");
      const std::string what = "push: stock_locations[\"" + loc + "\"]";
      ODOOSYNC_TRY(list, strings(e.value, what));
      if (list.empty()) return Error::validation(what + " names no Odoo location");
      for (const auto& l : list) {
        if (l.empty()) return Error::validation(what + " holds an empty location");
      }
      p.stock_locations.emplace(loc, std::move(list));
    }
  } else {
    for (const auto& [channel_location, odoo_location] : c.mapping.locations) {
      if (channel_location.find('@') != std::string::npos) continue;
      p.stock_locations[channel_location].push_back(odoo_location);
    }
    if (p.stock_locations.empty()) {
      p.stock_locations[""].push_back(c.mapping.default_location.empty() ? c.mapping.warehouse + "/Stock"
                                                                         : c.mapping.default_location);
    }
  }
  if (const auto* f = json::find(v, "feeds")) {
    ODOOSYNC_TRY(feeds, strings(*f, "push: feeds"));
    p.stock = p.prices = p.fulfilments = false;
    for (const auto& feed : feeds) {
      if (feed == "stock")
        p.stock = true;
      else if (feed == "prices")
        p.prices = true;
      else if (feed == "fulfilments")
        p.fulfilments = true;
      else
        return Error::validation("push: feeds: unknown feed \"" + feed + "\" (stock, prices, fulfilments)");
    }
  }
  if (const auto* t = json::find(v, "timeout_ms")) {
    if (!t->IsInt64() || t->GetInt64() <= 0) return Error::validation("push: timeout_ms must be a positive integer");
    p.timeout = std::chrono::milliseconds{t->GetInt64()};
  }
  return p;
}

result<ChannelConfig> channel(std::string_view name, const json::Value& v, const std::filesystem::path& base) {
  if (!v.IsObject()) return Error::validation("must be an object");
  ChannelConfig c;
  c.name = std::string(name);
  for (const auto& m : v.GetObject()) {
    const std::string_view key = json::text(m.name);
    bool known = false;
    for (auto k : known_keys) known = known || k == key;
    if (!known) return Error::validation("unknown key \"" + std::string(key) + "\"");
  }
  std::string provider = c.name;
  if (const auto* p = json::find(v, "provider")) {
    if (!p->IsString()) return Error::validation("provider must be a string");
    provider = std::string(json::text(*p));
  }
  auto parsed = parse_provider(provider);
  if (!parsed)
    return Error::validation("unknown provider \"" + provider +
                             "\" (shopify, woocommerce, stripe, paypal, square, easypost, shippo, odoo, amazon)");
  c.provider = *parsed;
  VerifierOptions& o = c.options;
  if (const auto* f = json::find(v, "secret_files")) {
    ODOOSYNC_TRY(files, strings(*f, "secret_files"));
    for (const auto& file : files) {
      auto s = Secret::from_file(resolve(base, file).string());
      if (!s) return std::move(s.error()).with_message_prefix("secret_files");
      o.secrets.push_back(std::move(s.value()));
    }
  }
  if (const auto* e = json::find(v, "secret_env")) {
    ODOOSYNC_TRY(vars, strings(*e, "secret_env"));
    for (const auto& var : vars) {
      const char* value = std::getenv(var.c_str());
      if (!value || !*value) return Error::validation("secret_env: the environment variable " + var + " is not set");
      o.secrets.emplace_back(value);
    }
  }
  if (const auto* m = json::find(v, "max_body_bytes")) {
    if (!m->IsUint64() || m->GetUint64() == 0) return Error::validation("max_body_bytes must be a positive integer");
    o.max_body_bytes = static_cast<std::size_t>(m->GetUint64());
  }
  if (const auto* t = json::find(v, "tolerance_s")) {
    if (!t->IsInt64() || t->GetInt64() < 0) return Error::validation("tolerance_s must be an integer >= 0");
    o.tolerance = std::chrono::seconds{t->GetInt64()};
  }
  auto text_of = [&](const char* key, std::string& out) -> result<void> {
    if (const auto* s = json::find(v, key)) {
      if (!s->IsString()) return Error::validation(std::string(key) + " must be a string");
      out = std::string(json::text(*s));
    }
    return success();
  };
  ODOOSYNC_TRYV(text_of("webhook_id", o.paypal_webhook_id));
  ODOOSYNC_TRYV(text_of("notification_url", o.square_notification_url));
  ODOOSYNC_TRYV(text_of("token_parameter", o.token_parameter));
  if (const auto* f = json::find(v, "certificate_files")) {
    ODOOSYNC_TRY(files, strings(*f, "certificate_files"));
    for (const auto& file : files) {
      auto pem = read_text(resolve(base, file), 256 * 1024);
      if (!pem) return std::move(pem.error()).with_message_prefix("certificate_files");
      o.paypal_certificates_pem.push_back(std::move(pem.value()));
    }
  }
  if (const auto* n = json::find(v, "secret_is_nfkd")) {
    if (!n->IsBool()) return Error::validation("secret_is_nfkd must be true or false");
    o.easypost_secret_is_nfkd = n->GetBool();
  }
  if (const auto* q = json::find(v, "queue_urls")) {
    ODOOSYNC_TRY(urls, strings(*q, "queue_urls"));
    o.amazon_queue_urls = std::move(urls);
  }
  ChannelMapping& mp = c.mapping;
  mp.source = "channel/" + c.name;
  ODOOSYNC_TRYV(text_of("source", mp.source));
  ODOOSYNC_TRYV(text_of("order_channel", mp.channel));
  ODOOSYNC_TRYV(text_of("warehouse", mp.warehouse));
  ODOOSYNC_TRYV(text_of("default_location", mp.default_location));
  ODOOSYNC_TRYV(text_of("currency", mp.currency));
  ODOOSYNC_TRYV(text_of("shipping_sku", mp.shipping_sku));
  if (mp.source.empty()) return Error::validation("source must not be empty");
  if (mp.warehouse.empty()) return Error::validation("warehouse must not be empty");
  auto table = [&](const char* key, std::map<std::string, std::string, std::less<>>& out) -> result<void> {
    if (const auto* t = json::find(v, key)) {
      if (!t->IsObject()) return Error::validation(std::string(key) + " must be an object of strings");
      for (const auto& e : t->GetObject()) {
        if (!e.value.IsString() || e.value.GetStringLength() == 0)
          return Error::validation(std::string(key) + "[\"" + std::string(json::text(e.name)) +
                                   "\"] must be a non-empty string");
        out.emplace(std::string(json::text(e.name)), std::string(json::text(e.value)));
      }
    }
    return success();
  };
  ODOOSYNC_TRYV(table("locations", mp.locations));
  ODOOSYNC_TRYV(table("skus", mp.skus));
  if (const auto* p = json::find(v, "push")) {
    ODOOSYNC_TRY(push, push_block(*p, c, base));
    c.push = std::move(push);
  }
  return c;
}

}  // namespace

result<std::vector<ChannelConfig>> parse_channels_config(std::string_view text, const std::filesystem::path& base_dir) {
  auto doc = json::parse(text, json::Limits{.max_bytes = 1 << 20, .max_depth = 32});
  if (!doc) return Error::validation("channel configuration: " + doc.error().message());
  const auto* channels = json::find(doc.value(), "channels");
  if (!channels || !channels->IsObject()) return Error::validation("channel configuration: no \"channels\" object");
  std::vector<ChannelConfig> out;
  for (const auto& m : channels->GetObject()) {
    const std::string name(json::text(m.name));
    auto c = channel(name, m.value, base_dir);
    if (!c) return std::move(c.error()).with_message_prefix("channel \"" + name + "\"");
    out.push_back(std::move(c.value()));
  }
  return out;
}

result<std::vector<ChannelConfig>> load_channels_config(const std::filesystem::path& file) {
  auto text = read_text(file, 1 << 20);
  if (!text) return std::move(text.error()).with_message_prefix("channel configuration");
  return parse_channels_config(text.value(),
                               file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path());
}

}  // namespace channels
}  // namespace v0
}  // namespace odoosync
