// `odoosync doctor`: Odoo (version, login, rights per model, API key expiry, clock skew), the store and
// the channels' secrets, as a table or --json; exit 1 when a check fails.
#include "doctor_command.hpp"

#include "common.hpp"

#include <odoosync/ops/doctor.hpp>
#include <odoosync/retail/events.hpp>
#include <odoosync/sync/sqlite_store.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace cli {

void add_doctor_command(CLI::App& app, DoctorArgs& a) {
  a.cmd = app.add_subcommand("doctor",
                             "check the setup: Odoo's version, the user's rights, its API key's expiry, the clock, "
                             "the store, the channels' secrets (exit 1 when something is wrong)");
  a.cmd->add_option("--types", a.types, "event types the integration sends (default: all built-in types)")
      ->delimiter(',');
  a.cmd->add_option("--channels", a.channels, "configuration file with a \"channels\" object (docs/channels.md)");
  a.cmd->add_option("--store", a.store, "the sync store file (default: $ODOOSYNC_STORE, else ./odoosync.db)");
  a.cmd->add_flag("--strict", a.strict, "warnings fail too (exit 1)");
  a.cmd->add_option("--key-warning-days", a.key_warning_days, "warn when an API key expires sooner (default 14)");
}

int run_doctor_command(const DoctorArgs& a, const odoosync::odoo::Config* odoo, const std::string& odoo_error,
                       bool as_json) {
  namespace ops = odoosync::ops;
  ops::DoctorOptions o;
  ops::DoctorReport pre;
  for (const auto& t : a.types) {
    const auto& known = odoosync::retail::event_types();
    if (std::find(known.begin(), known.end(), t) == known.end())
      return report(os::Error::validation("--types: unknown event type \"" + t + "\""));
  }
  o.event_types = a.types;
  o.key_warning = std::chrono::hours{24 * a.key_warning_days};
  if (odoo)
    o.odoo = *odoo;
  else
    pre.findings.push_back({"odoo.connection", ops::Severity::error, "not configured: " + odoo_error});

  std::string path = a.store;
  if (path.empty()) {
    const char* env = std::getenv("ODOOSYNC_STORE");
    path = env && *env ? env : "odoosync.db";
  }
  std::unique_ptr<odoosync::sync::SqliteStore> store;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    pre.findings.push_back({"store", a.store.empty() ? ops::Severity::ok : ops::Severity::error,
                            "no store at " + path + (a.store.empty() ? " (nothing submitted here yet)" : "")});
  } else {
    auto opened = odoosync::sync::SqliteStore::open(path);
    if (!opened) {
      pre.findings.push_back({"store", ops::Severity::error, opened.error().message()});
    } else {
      store = std::move(opened.value());
      o.store = store.get();
      o.store_file = path;
    }
  }
  if (!a.channels.empty()) o.channels_config = a.channels;

  auto rep = ops::run_doctor(o);
  rep.findings.insert(rep.findings.begin(), pre.findings.begin(), pre.findings.end());
  const auto text = as_json ? rep.to_json() + "\n" : rep.to_text();
  std::fputs(text.c_str(), stdout);
  const auto worst = rep.worst();
  return worst == ops::Severity::error || (a.strict && worst == ops::Severity::warning) ? 1 : 0;
}

}  // namespace cli
