// `odoosync serve`: the webhook receiver in the foreground until SIGINT or SIGTERM, then a graceful stop
// (no new connection, requests in flight answered, then the sync workers, if any, stopped).
#include "serve_command.hpp"

#include "common.hpp"
#include "serve_push.hpp"
#include "status_flags.hpp"

#include <odoosync/core/log.hpp>
#include <odoosync/core/secret_source.hpp>
#include <odoosync/odoo/client.hpp>
#include <odoosync/serve/config.hpp>
#include <odoosync/serve/webhook_receiver.hpp>
#include <odoosync/serve/webhook_server.hpp>
#include <odoosync/sync/engine.hpp>
#include <odoosync/sync/sqlite_store.hpp>

#include <pthread.h>
#include <signal.h>

#include <cstdlib>
#include <memory>

namespace cli {

namespace oss = odoosync::sync;
namespace serve = odoosync::serve;

namespace {

std::string store_path(const std::string& flag, const serve::ServeConfig& config) {
  if (!flag.empty()) return flag;
  if (config.store) return *config.store;
  if (const char* env = std::getenv("ODOOSYNC_STORE"); env && *env) return env;
  return "odoosync.db";
}

os::result<std::shared_ptr<os::odoo::Client>> odoo_client(const OdooFlags& flags, const serve::ServeConfig& config,
                                                          std::shared_ptr<os::InMemoryMetrics> metrics) {
  os::odoo::Config base = config.odoo.value_or(os::odoo::Config{});
  // The API key's source, as for every command that talks to Odoo (--api-key-source, ODOO_API_KEY_SOURCE,
  // --api-key-file), else the file's odoo.api_key_file: read again when it changes or Odoo refuses it.
  std::shared_ptr<os::SecretSource> key_source;
  std::string spec = flags.api_key_source;
  if (spec.empty())
    if (const char* env = std::getenv("ODOO_API_KEY_SOURCE"); env && *env) spec = env;
  if (!spec.empty()) {
    auto src = os::parse_secret_source(spec);
    if (!src) return std::move(src.error()).with_message_prefix("--api-key-source");
    key_source = src.value();
  } else if (!flags.api_key_file.empty()) {
    key_source = os::secret_from_file(flags.api_key_file);
  } else if (config.odoo_api_key_file) {
    key_source = os::secret_from_file(*config.odoo_api_key_file);
  }
  if (key_source) {
    auto first = key_source->current();
    if (!first) return std::move(first.error()).with_message_prefix("the API key from " + key_source->description());
    base.api_key = std::move(first.value());
  }
  if (!flags.password_file.empty()) {
    ODOOSYNC_TRY(password, os::Secret::from_file(flags.password_file));
    base.password = std::move(password);
  }
  ODOOSYNC_TRY(cfg, os::odoo::Config::from_env(std::move(base)));
  if (!flags.url.empty()) cfg.url = flags.url;
  if (!flags.db.empty()) cfg.database = flags.db;
  if (!flags.user.empty()) cfg.login = flags.user;
  if (!flags.protocol.empty()) {
    auto p = os::odoo::parse_protocol(flags.protocol);
    if (!p) return std::move(p.error()).with_message_prefix("--protocol");
    cfg.protocol = p.value();
  }
  ODOOSYNC_TRYV(cfg.validate());
  auto options = oss::engine_client_options(std::move(metrics));
  options.api_key_source = key_source;
  return os::odoo::Client::create(cfg, options);
}

int serve_until_signal(ServeArgs& a, const OdooFlags& flags, const std::string& store_flag) {
  auto config = serve::load_serve_config(a.config);
  if (!config) return report(config.error());
  auto& cfg = config.value();
  const std::string listen = !a.listen.empty() ? a.listen : cfg.listen.value_or("127.0.0.1:8080");
  auto address = serve::parse_listen_address(listen);
  if (!address) return report(std::move(address.error()).with_message_prefix("--listen"));
  if (a.threads < 0 || a.threads > 256) return report(os::Error::validation("--threads must be between 1 and 256"));

  // SIGINT and SIGTERM are taken by this thread alone (sigwait below): every thread started from here
  // on (the server's, the engine's) inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto logger = os::Logger(std::make_shared<os::JsonLinesSink>(stderr));
  auto store = oss::SqliteStore::open(store_path(store_flag, cfg));
  if (!store) return report(store.error());
  auto metrics = std::make_shared<os::InMemoryMetrics>();
  oss::EngineOptions options;
  options.metrics = metrics;
  options.logger = logger;
  for (std::size_t l = 0; l < oss::lane_count; ++l)
    if (cfg.high_water[l]) options.lanes[l].high_water = *cfg.high_water[l];

  std::shared_ptr<os::odoo::Client> client;
  if (a.sync) {
    auto c = odoo_client(flags, cfg, metrics);
    if (!c) return report(c.error());
    client = std::move(c.value());
  }
  auto engine = client ? oss::Engine::create(*store.value(), *client, std::move(options))
                       : oss::Engine::create_intake(*store.value(), std::move(options));
  if (!engine) return report(engine.error());

  // --sync: the channels with a "push" block get Odoo's stock, prices and deliveries (docs/push.md).
  std::unique_ptr<PushLoop> pushing;
  if (client) {
    pushing = std::make_unique<PushLoop>(
        cfg.channels, *store.value(), *client, logger, metrics.get(),
        std::chrono::milliseconds{static_cast<std::int64_t>(std::max(1.0, a.push_interval_s) * 1000)});
  }
  serve::ReceiverOptions ro;
  ro.retry_after = cfg.retry_after;
  ro.logger = logger;
  ro.on_odoo_records = [&logger, p = pushing.get()](std::string_view channel,
                                                    const std::vector<os::channels::Mapped::OdooRecord>& r) {
    logger.log(os::LogLevel::info, "odoo records changed",
               {{"channel", channel}, {"records", static_cast<std::int64_t>(r.size())}});
    if (p) p->wake();  // Odoo changed: pull and push soon
  };
  // The status page (GET /status): its channel panel reads the receiver made just below.
  serve::WebhookReceiver* made = nullptr;
  os::ops::StatusPageOptions po;
  po.sending = client != nullptr;
  po.logger = logger;
  po.channels = [&made] {
    return made ? channel_deliveries(made->metrics()) : std::vector<os::ops::ChannelDeliveries>{};
  };
  auto page = make_status_page(a.status, *engine.value(), std::move(po));
  if (!page) return report(page.error());
  const bool status_page = page.value() != nullptr;
  mount_status_page(ro, page.value());
  auto receiver = serve::WebhookReceiver::create(cfg.channels, *engine.value(), std::move(ro));
  if (!receiver) return report(receiver.error());
  made = receiver.value().get();

  auto so = cfg.server;
  so.host = address.value().first;
  so.port = address.value().second;
  if (a.threads > 0) so.threads = a.threads;
  so.logger = logger;
  auto server = serve::WebhookServer::start(*receiver.value(), so);
  if (!server) return report(server.error());
  if (client) {
    auto started = engine.value()->start();
    if (!started) {
      server.value()->stop();
      return report(started.error());
    }
  }
  std::string names;
  for (const auto& n : receiver.value()->channel_names()) names += (names.empty() ? "" : ", ") + n;
  std::printf("listening on %s\n", server.value()->address().c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "odoosync serve: POST /webhooks/<channel> for %s%s; GET /healthz, GET /metrics%s\n",
               names.empty() ? "no channel" : names.c_str(), client ? "; sync workers running" : "",
               status_page ? ", GET /status" : "");

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  std::fprintf(stderr, "odoosync serve: %s: stopping\n", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  const auto deadline = std::chrono::milliseconds{static_cast<std::int64_t>(a.stop_timeout_s * 1000)};
  const bool clean = server.value()->stop(deadline);
  bool engine_clean = true;
  if (pushing) pushing->stop();
  if (client) engine_clean = engine.value()->stop(deadline);
  const auto m = receiver.value()->metrics();
  std::uint64_t deliveries = 0, events = 0, duplicates = 0;
  for (const auto& [name, c] : m.channels) {
    deliveries += c.total();
    events += c.events;
    duplicates += c.duplicates;
  }
  std::fprintf(stderr, "odoosync serve: stopped%s: %llu deliveries, %llu events taken in, %llu duplicates\n",
               clean && engine_clean ? "" : " (cut short at the deadline)", static_cast<unsigned long long>(deliveries),
               static_cast<unsigned long long>(events), static_cast<unsigned long long>(duplicates));
  return ok;
}

}  // namespace

void add_serve_command(CLI::App& app, ServeArgs& a) {
  a.serve = app.add_subcommand(
      "serve",
      "receive webhooks: POST /webhooks/<channel>, GET /healthz, GET /metrics, GET /status, until SIGINT/SIGTERM");
  a.serve->add_option("--listen", a.listen,
                      "address:port to listen on (default: the file's \"listen\", else 127.0.0.1:8080; port 0: any)");
  a.serve->add_option("--config", a.config, "the configuration file: \"channels\" and serve's keys (docs/channels.md)")
      ->required();
  a.serve->add_flag("--sync", a.sync, "also run the sync workers, sending the events on to Odoo (as `sync run`)");
  a.serve->add_option("--threads", a.threads, "threads handling requests (default: the file's \"threads\", else 4)");
  a.serve->add_option("--stop-timeout", a.stop_timeout_s,
                      "seconds a graceful stop waits for requests in flight (default 30)");
  a.serve->add_option("--push-interval", a.push_interval_s,
                      "--sync: seconds between pulls and pushes of the channels with a \"push\" block (default 60; "
                      "Odoo's webhook wakes them sooner)");
  add_status_flags(*a.serve, a.status);
}

std::optional<int> run_serve(ServeArgs& a, const OdooFlags& odoo, const std::string& store) {
  if (!a.serve || !a.serve->parsed()) return std::nullopt;
  return serve_until_signal(a, odoo, store);
}

}  // namespace cli
