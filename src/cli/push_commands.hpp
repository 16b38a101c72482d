// The tool's push commands (docs/push.md): `push stock|prices|fulfilments --channel NAME --config FILE
// [--until-idle]` (Odoo's feed into the channel's outbox, then into the channel), `push dead-letters
// --channel NAME` and `push replay --channel NAME [--kind KIND] KEY`.
#pragma once

#include <odoosync/odoo/client.hpp>

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace cli {

struct PushArgs {
  CLI::App* push = nullptr;
  CLI::App* stock = nullptr;
  CLI::App* prices = nullptr;
  CLI::App* fulfilments = nullptr;
  CLI::App* dead_letters = nullptr;
  CLI::App* replay = nullptr;
  std::string channel;
  std::string config;
  bool until_idle = false;
  double max_wait_s = 60;  // --until-idle: how long to wait for items in backoff
  std::string kind = "stock";
  std::string key;
  std::size_t limit = 50;
  bool as_json = false;
};

void add_push_commands(CLI::App& app, PushArgs& args);
bool push_needs_odoo(const PushArgs& args);
// dead-letters and replay (no Odoo); nothing when the parsed command is not one of them.
std::optional<int> run_push_offline(PushArgs& args, const std::string& store, const std::string& store_password_file);
// stock, prices, fulfilments.
std::optional<int> run_push_online(PushArgs& args, odoosync::odoo::Client& client, const std::string& store,
                                   const std::string& store_password_file);

}  // namespace cli
