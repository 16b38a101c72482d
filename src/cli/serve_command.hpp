// The tool's `serve` command: the webhook receiver (serve/webhook_server.hpp) on a loopback or public
// address, taking verified deliveries into the store, optionally with the sync workers (--sync).
#pragma once

#include <CLI/CLI.hpp>

#include "status_flags.hpp"

#include <optional>
#include <string>

namespace cli {

// The global options `serve --sync` reads (the same as every command that talks to Odoo).
struct OdooFlags {
  std::string url, db, user, protocol, api_key_file, api_key_source, password_file;
};

struct ServeArgs {
  CLI::App* serve = nullptr;
  std::string listen;  // --listen, else the file's "listen", else 127.0.0.1:8080
  std::string config;
  bool sync = false;
  int threads = 0;  // 0: the file's "threads", else 4
  double stop_timeout_s = 30;
  double push_interval_s = 60;  // --sync: how often the channels' push feeds are pulled and pushed
  StatusFlags status;  // GET /status (status_flags.hpp)
};

void add_serve_command(CLI::App& app, ServeArgs& args);
// The exit code of `serve`, or nothing when it was not the command. `store` is the global --store.
std::optional<int> run_serve(ServeArgs& args, const OdooFlags& odoo, const std::string& store);

}  // namespace cli
