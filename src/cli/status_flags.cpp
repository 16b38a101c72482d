// The status page's flags and its mounting in the receiver (status_flags.hpp).
#include "status_flags.hpp"

#include <odoosync/core/secret_source.hpp>
#include <odoosync/sync/engine.hpp>

#include <cstdlib>

namespace cli {

namespace os = odoosync;

void add_status_flags(CLI::App& command, StatusFlags& flags) {
  command.add_option("--status-token-file", flags.token_file,
                     "GET /status serves the status page; its replay button needs the token in this file (re-read "
                     "when it changes). Without a token the page is read-only");
  command.add_option("--status-token-source", flags.token_source,
                     "the replay token from env:NAME, file:PATH or cmd:PROGRAM ARGS (default: "
                     "$ODOOSYNC_STATUS_TOKEN_SOURCE)");
  command.add_flag("--no-status-page", flags.off, "do not serve /status, /status.json and /status/replay");
}

os::result<std::shared_ptr<os::ops::StatusPage>> make_status_page(const StatusFlags& flags, os::sync::Engine& engine,
                                                                  os::ops::StatusPageOptions options) {
  if (flags.off) return std::shared_ptr<os::ops::StatusPage>();
  std::string spec = flags.token_source;
  if (spec.empty())
    if (const char* env = std::getenv("ODOOSYNC_STATUS_TOKEN_SOURCE"); env && *env) spec = env;
  if (!spec.empty() && !flags.token_file.empty())
    return os::Error::validation("give --status-token-file or --status-token-source, not both");
  if (!spec.empty()) {
    auto src = os::parse_secret_source(spec);
    if (!src) return std::move(src.error()).with_message_prefix("--status-token-source");
    options.replay_token = src.value();
  } else if (!flags.token_file.empty()) {
    options.replay_token = os::secret_from_file(flags.token_file);
  }
  if (options.replay_token) {
    auto first = options.replay_token->current();
    if (!first) return std::move(first.error()).with_message_prefix("the status page's replay token");
    if (first.value().reveal().size() < 16)
      return os::Error::validation("the status page's replay token from " + options.replay_token->description() +
                                   " is shorter than 16 characters: use a long random one (e.g. openssl rand -hex 32)");
  }
  ODOOSYNC_TRY(page, os::ops::StatusPage::create(engine, std::move(options)));
  return std::shared_ptr<os::ops::StatusPage>(std::move(page));
}

void mount_status_page(os::serve::ReceiverOptions& receiver, std::shared_ptr<os::ops::StatusPage> page) {
  if (!page) return;
  receiver.serves_page = [](std::string_view path) { return os::ops::StatusPage::serves(path); };
  receiver.page = [page = std::move(page)](const os::serve::WebhookRequest& r) {
    os::ops::PageRequest pr{r.method, r.target, r.headers, r.body};
    auto a = page->handle(pr);
    os::serve::WebhookAnswer w;
    w.status = a.status;
    w.content_type = std::move(a.content_type);
    w.headers = std::move(a.headers);
    w.body = std::move(a.body);
    return w;
  };
}

std::vector<os::ops::ChannelDeliveries> channel_deliveries(const os::serve::ReceiverMetrics& metrics) {
  using O = os::serve::Outcome;
  std::vector<os::ops::ChannelDeliveries> out;
  for (const auto& [name, c] : metrics.channels) {
    auto n = [&](O o) { return c.deliveries[static_cast<std::size_t>(o)]; };
    os::ops::ChannelDeliveries d;
    d.name = name;
    d.accepted = n(O::accepted);
    d.duplicate = n(O::duplicate);
    d.ignored = n(O::ignored);
    d.refused = n(O::unauthorized) + n(O::invalid) + n(O::too_large);
    d.failed = n(O::backpressure) + n(O::unavailable) + n(O::failed);
    d.events = c.events;
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace cli
