// odoosync-emulator: an Odoo 18 or 19 stand-in on 127.0.0.1 for tests, demos and load runs.
#include "server.hpp"

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdlib>
#include <string>
#include <vector>
#include <filesystem>
#include <cstdio>
#include <thread>

namespace {
volatile std::sig_atomic_t stop_requested = 0;
void on_signal(int) { stop_requested = 1; }
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "odoosync-emulator: a loopback Odoo (18 JSON-RPC or 19 JSON-2) with retail demo data and fault injection"};
  odoosync::emulator::Options options;
  odoosync::emulator::ServerOptions server;
  options.data_dir = ODOOSYNC_EMULATOR_DATA_DIR;
  // Installed: the data sits in <prefix>/share/odoosync/emulator, next to bin/.
  if (!std::filesystem::exists(options.data_dir)) {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) options.data_dir = (exe.parent_path().parent_path() / "share" / "odoosync" / "emulator").string();
  }
  app.add_option("--odoo-version", options.odoo_version,
                 "17, 18 or 19 (default 18; 17 is 18's data with 17's product types, name_search and name_get)")
      ->check(CLI::IsMember({17, 18, 19}));
  app.add_option("--port", server.port, "port on 127.0.0.1 (default: any free one, printed)");
  app.add_flag("--keep-alive", server.keep_alive, "keep connections open (real Odoo sends Connection: close)");
  app.add_option("--products", options.extra_products, "extra generated products with barcodes and references");
  app.add_option("--data", options.fixture, "JSON fixture applied over the seed: {\"model\": [records]}")
      ->check(CLI::ExistingFile);
  app.add_option("--data-dir", options.data_dir, "folder with odoo18/ and odoo19/ (fields and records)");
  app.add_option("--module", options.modules,
                 "a module installed on top of the demo data, repeatable (stock_delivery: carrier_tracking_ref)")
      ->check(CLI::IsMember({"stock_delivery"}));
  app.add_option("--seed", options.seed, "seed for faults given a probability (same seed, same sequence)");
  if (const char* key = std::getenv("ODOOSYNC_EMULATOR_API_KEY"); key && *key) options.admin_api_key = key;
  app.add_option("--api-key", options.admin_api_key,
                 "admin's API key (default: $ODOOSYNC_EMULATOR_API_KEY, else a fixed test key; printed)");
  app.add_option("--api-key-expires", options.admin_api_key_expires,
                 "when admin's key expires, \"YYYY-MM-DD HH:MM:SS\" UTC (default: never)");
  std::vector<std::string> faults;
  app.add_option("--fault", faults,
                 "a fault from the start: KIND[:MODEL[:METHOD[:TIMES]]], e.g. http_503 or "
                 "reset_after:res.partner:create:1 (times 0 = until cleared); a 5th part is a probability, "
                 "e.g. http_503:::0:0.1 for 10 % of all calls");
  app.footer(
      "Control endpoint: POST/GET/DELETE /__emulator__/faults, GET /__emulator__/log, /requests, /counters, "
      "/snapshot?model=M, POST /__emulator__/reset. See docs/emulator.md.");
  CLI11_PARSE(app, argc, argv);
  try {
    odoosync::emulator::EmulatorServer s(options, server);
    for (const auto& spec : faults) {
      odoosync::emulator::Fault f;
      std::vector<std::string> parts;
      std::string part;
      for (char ch : spec + ":") {
        if (ch == ':') {
          parts.push_back(part);
          part.clear();
        } else {
          part += ch;
        }
      }
      f.kind = parts[0];
      if (parts.size() > 1) f.model = parts[1];
      if (parts.size() > 2) f.method = parts[2];
      if (parts.size() > 3 && !parts[3].empty()) f.times = std::stoi(parts[3]);
      if (parts.size() > 4 && !parts[4].empty()) f.probability = std::stod(parts[4]);
      s.add_fault(f);
    }
    std::printf("ODOO_URL=%s\nODOO_DB=%s\nODOO_USER=admin\nODOO_API_KEY=%s\nODOO_PASSWORD=admin\n", s.url().c_str(),
                options.odoo_version >= 19 ? "retail19" : "retail18", s.admin_api_key().c_str());
    std::fflush(stdout);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    while (!stop_requested) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    s.stop();
  } catch (const odoosync::emulator::OdooException& e) {
    std::fprintf(stderr, "odoosync-emulator: the fixture was refused: %s: %s\n", e.name.c_str(), e.message.c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "odoosync-emulator: %s\n", e.what());
    return 1;
  }
  return 0;
}
