// The tool's channel commands: `channel verify`, which checks one recorded delivery by hand, and
// `channel events`, which also maps it and prints the canonical events `serve` would store.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cli {

struct ChannelArgs {
  CLI::App* channel = nullptr;
  CLI::App* verify = nullptr;
  CLI::App* events = nullptr;
  std::string name;          // the channel: a name in --config, or a provider
  std::string headers_file;  // "Name: value" lines
  std::string body_file;     // the raw body
  std::string url;           // the URL it was posted to
  std::vector<std::string> secret_files, secret_envs;
  std::string config;
  std::int64_t now = 0;  // unix seconds, when --now was given
  CLI::Option* now_option = nullptr;
  CLI::Option* events_now_option = nullptr;
  bool as_json = false;
};

void add_channel_commands(CLI::App& app, ChannelArgs& args);
// The exit code of the parsed channel command, or nothing when none was parsed.
std::optional<int> run_channel(ChannelArgs& args);

}  // namespace cli
