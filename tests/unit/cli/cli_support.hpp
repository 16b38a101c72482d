// The CLI tests' shared helpers: run the real odoosync binary through the shell, stdout and stderr
// kept apart, with a scripted loopback server playing Odoo.
#pragma once

#include <canary.hpp>
#include <loopback_server.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace odoosync::testing::cli {

struct Run {
  int code = -1;
  std::string out, err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs the CLI through the shell with the given environment prefix; stdout and stderr kept apart.
inline Run run(const std::string& env, const std::string& args) {
  auto dir = std::filesystem::temp_directory_path() / ("odoosync-cli-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string cmd = "env -u ODOO_URL -u ODOO_DB -u ODOO_USER -u ODOO_API_KEY -u ODOO_PASSWORD -u ODOO_PROTOCOL " + env +
                    " '" ODOOSYNC_CLI_PATH "' " + args + " >'" + (dir / "out").string() + "' 2>'" +
                    (dir / "err").string() + "' </dev/null";
  int status = std::system(cmd.c_str());
  Run r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(dir / "out");
  r.err = slurp(dir / "err");
  odoosync::testing::remove_scratch(dir);  // the CLI's output is scanned for the canary first
  return r;
}

inline const std::string key = odoosync::testing::canary_api_key();  // the secret canary
inline std::string env_for(const LoopbackServer& s) { return "ODOO_URL=" + s.url() + " ODOO_API_KEY=" + key; }
inline Reply json(std::string body, int status = 200) {
  return Reply{
      .status = status, .headers = {{"Content-Type", "application/json; charset=utf-8"}}, .body = std::move(body)};
}
inline const char* v19 = R"({"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"})";

}  // namespace odoosync::testing::cli
