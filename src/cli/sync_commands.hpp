// The tool's sync-engine commands: `sync submit|run|status|dlq|audit`, `reconcile stock`, `metrics`.
#pragma once

#include "status_flags.hpp"

#include <odoosync/core/metrics.hpp>
#include <odoosync/odoo/client.hpp>

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cli {

struct SyncArgs {
  std::string store;                // --store, else $ODOOSYNC_STORE, else ./odoosync.db (or postgresql://...)
  std::string store_password_file;  // --store-password-file: a PostgreSQL store's password
  CLI::App* sync = nullptr;
  CLI::App* submit = nullptr;
  CLI::App* run = nullptr;
  CLI::App* status = nullptr;
  CLI::App* dlq = nullptr;
  CLI::App* dlq_list = nullptr;
  CLI::App* dlq_show = nullptr;
  CLI::App* dlq_replay = nullptr;
  CLI::App* dlq_discard = nullptr;
  CLI::App* audit = nullptr;
  CLI::App* reconcile = nullptr;
  CLI::App* reconcile_stock = nullptr;
  CLI::App* metrics = nullptr;

  std::string file = "-";
  bool until_idle = false;
  double max_time_s = 0;
  double stall_timeout_s = 60;  // --until-idle: give up when nothing settles for this long while sends fail
  bool print_metrics = false;
  std::size_t realtime_batch = 100, bulk_batch = 200;
  int realtime_workers = 2, bulk_workers = 1;
  double grace_s = 30;  // EngineOptions::unknown_outcome_grace
  double lease_s = 60;  // EngineOptions::lease
  std::size_t limit = 50;
  std::string source;
  std::vector<std::string> ids;
  std::string reason;
  std::string event_id, subject, correlation, trace;
  std::string snapshot;
  bool fix = false;
  std::string fix_source = "odoosync/reconcile";
  bool as_json = false;
  // sync run --metrics-listen HOST:PORT (metrics_endpoint.hpp); uses_api_key: the client logs in with a
  // key, whose expiry is then exported.
  std::string metrics_listen;
  bool uses_api_key = false;
  StatusFlags status_page;  // the status page beside the metrics (status_flags.hpp)
};

void add_sync_commands(CLI::App& app, SyncArgs& args);
// The commands that need no Odoo (intake, status, dead letters, audit, metrics): their exit code, or
// nothing when the parsed command is not one of them.
std::optional<int> run_offline(SyncArgs& args);
// The commands that talk to Odoo (sync run, reconcile stock). `client` reports its requests to `metrics`.
std::optional<int> run_online(SyncArgs& args, odoosync::odoo::Client& client,
                              std::shared_ptr<odoosync::InMemoryMetrics> metrics);
// True when the parsed command needs an Odoo connection.
bool needs_odoo(const SyncArgs& args);

}  // namespace cli
