// `odoosync doctor`: the setup checked before go-live and in CI pipelines (ops/doctor.hpp).
#pragma once

#include <CLI/CLI.hpp>

#include <odoosync/odoo/config.hpp>

#include <string>
#include <vector>

namespace cli {

struct DoctorArgs {
  CLI::App* cmd = nullptr;
  std::vector<std::string> types;  // event types whose effects the user's rights must allow
  std::string channels;            // configuration file with a "channels" object
  std::string store;               // the store file; default $ODOOSYNC_STORE, else ./odoosync.db
  bool strict = false;             // warnings fail too
  int key_warning_days = 14;
};

void add_doctor_command(CLI::App& app, DoctorArgs& args);
// The exit code: 0 when nothing is wrong (warnings allowed unless --strict), 1 otherwise. `odoo` is null
// when the connection is not configured (`odoo_error` says why: a finding, not a failure to run).
int run_doctor_command(const DoctorArgs& args, const odoosync::odoo::Config* odoo, const std::string& odoo_error,
                       bool as_json);

}  // namespace cli
