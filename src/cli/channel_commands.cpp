// `odoosync channel verify`: one delivery recorded to files (headers, body), checked by the channel's
// verifier exactly as a receiver would, at the time --now says (old deliveries and expired certificates
// can be checked as of when they arrived). `odoosync channel events`: the same, then mapped, printing the
// canonical events one JSON object per line exactly as `serve` stores them. Secrets only from files or
// environment variables.
#include "channel_commands.hpp"

#include "common.hpp"

#include <odoosync/channels/config.hpp>
#include <odoosync/channels/mapping.hpp>
#include <odoosync/channels/verifier.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace cli {

namespace ch = odoosync::channels;

namespace {

os::result<std::string> read_file(const std::string& path, std::size_t max_bytes, const char* what) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return os::Error::validation(std::string(what) + " '" + path + "' is not a readable file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return os::Error::validation(std::string("cannot read the ") + what + " '" + path + "'");
  std::string text(max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

os::result<ch::ChannelConfig> channel_config(const ChannelArgs& a) {
  ch::ChannelConfig c;
  if (!a.config.empty()) {
    ODOOSYNC_TRY(all, ch::load_channels_config(a.config));
    std::string names;
    for (auto& one : all) {
      if (one.name == a.name) return std::move(one);
      names += (names.empty() ? "" : ", ") + one.name;
    }
    return os::Error::validation("no channel \"" + a.name + "\" in " + a.config + " (it has: " + names + ")");
  }
  auto provider = ch::parse_provider(a.name);
  if (!provider)
    return os::Error::validation("unknown channel \"" + a.name +
                                 "\": without --config it must be a provider (shopify, woocommerce, stripe, paypal, "
                                 "square, easypost, shippo, odoo, amazon)");
  if (*provider == ch::Provider::paypal || *provider == ch::Provider::amazon)
    return os::Error::validation(std::string(ch::to_string(*provider)) +
                                 " needs --config (PayPal: webhook_id and certificate_files; Amazon: queue_urls)");
  c.name = a.name;
  c.provider = *provider;
  return c;
}

// The channel's configuration with the secrets named on the command line (they replace the configured
// ones: what is checked is exactly what was named), and the delivery read from the files.
os::result<ch::ChannelConfig> configured(const ChannelArgs& a) {
  ODOOSYNC_TRY(c, channel_config(a));
  if (!a.secret_files.empty() || !a.secret_envs.empty()) c.options.secrets.clear();
  for (const auto& f : a.secret_files) {
    auto s = os::Secret::from_file(f);
    if (!s) return std::move(s.error()).with_message_prefix("--secret-file");
    c.options.secrets.push_back(std::move(s.value()));
  }
  for (const auto& var : a.secret_envs) {
    const char* v = std::getenv(var.c_str());
    if (!v || !*v) return os::Error::validation("--secret-env: the environment variable " + var + " is not set");
    c.options.secrets.emplace_back(v);
  }
  return c;
}

os::result<ch::Delivery> recorded_delivery(const ChannelArgs& a, const ch::ChannelConfig& c, bool now_given) {
  ODOOSYNC_TRY(headers_text, read_file(a.headers_file, 1 << 20, "headers file"));
  auto headers = ch::parse_header_lines(headers_text);
  if (!headers) return std::move(headers.error()).with_message_prefix(a.headers_file);
  ch::Delivery d;
  d.headers = std::move(headers.value());
  // One byte over the limit is enough for the verifier to refuse it; a larger file is not read whole.
  ODOOSYNC_TRY(body, read_file(a.body_file, c.options.max_body_bytes, "body file"));
  d.body = std::move(body);
  d.url = a.url;
  if (now_given) d.received_at = std::chrono::system_clock::time_point(std::chrono::seconds{a.now});
  return d;
}

int events(const ChannelArgs& a) {
  auto config = configured(a);
  if (!config) return report(config.error());
  auto& c = config.value();
  auto adapter = ch::Adapter::make(c);
  if (!adapter) return report(adapter.error());
  auto d = recorded_delivery(a, c, a.events_now_option->count() > 0);
  if (!d) return report(d.error());
  auto mapped = adapter.value().receive(d.value());
  if (!mapped) return report(std::move(mapped.error()).with_message_prefix("channel " + c.name));
  for (const auto& e : mapped.value().events) {
    const auto text = os::retail::encode_event(e);
    std::printf("%s\n", text.c_str());
  }
  for (const auto& r : mapped.value().odoo_records)
    std::fprintf(stderr, "odoo record changed: %s %lld (read back from Odoo)\n", r.model.c_str(),
                 static_cast<long long>(r.id));
  if (mapped.value().events.empty())
    std::fprintf(stderr, "channel %s: %s\n", c.name.c_str(), mapped.value().note.c_str());
  return ok;
}

int verify(const ChannelArgs& a) {
  auto config = configured(a);
  if (!config) return report(config.error());
  auto& c = config.value();
  auto verifier = ch::make_verifier(c.provider, c.options);
  if (!verifier) return report(std::move(verifier.error()).with_message_prefix("channel " + c.name));
  auto delivery = recorded_delivery(a, c, a.now_option->count() > 0);
  if (!delivery) return report(delivery.error());
  const auto& d = delivery.value();

  auto v = verifier.value()->verify(d);
  if (!v) return report(std::move(v.error()).with_message_prefix("channel " + c.name));
  const auto provider = std::string(ch::to_string(c.provider));
  if (a.as_json) {
    os::json::Writer w;
    w.begin_object()
        .member("verified", true)
        .member("channel", std::string_view(c.name))
        .member("provider", std::string_view(provider))
        .member("delivery_id", std::string_view(v.value().delivery_id))
        .member("ping", v.value().ping)
        .end_object();
    std::printf("%.*s\n", static_cast<int>(w.unchecked_view().size()), w.unchecked_view().data());
  } else if (v.value().ping) {
    std::printf("ping: channel %s (%s), %s: a webhook being set up; answer 200, nothing to store\n", c.name.c_str(),
                provider.c_str(), v.value().delivery_id.c_str());
  } else {
    std::printf("verified: channel %s (%s), delivery %s\n", c.name.c_str(), provider.c_str(),
                v.value().delivery_id.c_str());
  }
  return ok;
}

}  // namespace

void add_channel_commands(CLI::App& app, ChannelArgs& a) {
  a.channel = app.add_subcommand("channel", "webhook channels: check a recorded delivery by hand, and see its events");
  a.channel->require_subcommand(1);
  a.verify = a.channel->add_subcommand(
      "verify",
      "check a delivery's signature: CHANNEL --headers FILE --body FILE (exit 0 and its delivery id when it holds)");
  a.events = a.channel->add_subcommand(
      "events",
      "verify and map a delivery: CHANNEL --headers FILE --body FILE; prints its canonical events, one JSON per line");
  for (auto* sub : {a.verify, a.events}) {
    sub->add_option("channel", a.name, "a channel of --config, or a provider (shopify, stripe, ...)")->required();
    sub->add_option("--headers", a.headers_file, "file of header lines, \"Name: value\"")->required();
    sub->add_option("--body", a.body_file, "file holding the raw body, byte for byte")->required();
    sub->add_option("--url", a.url, "the full URL it was posted to (Square signs it; Shippo, Odoo carry a token)");
    sub->add_option("--secret-file", a.secret_files, "file holding a secret; repeat for several (rotation)");
    sub->add_option("--secret-env", a.secret_envs, "environment variable holding a secret; repeatable");
    sub->add_option("--config", a.config, "configuration file with a \"channels\" object (docs/channels.md)");
  }
  a.now_option = a.verify->add_option("--now", a.now, "the arrival time, in unix seconds (default: now)");
  a.events_now_option = a.events->add_option("--now", a.now, "the arrival time, in unix seconds (default: now)");
}

std::optional<int> run_channel(ChannelArgs& a) {
  if (a.events && a.events->parsed()) return events(a);
  if (!a.verify || !a.verify->parsed()) return std::nullopt;
  return verify(a);
}

}  // namespace cli
