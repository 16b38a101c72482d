// The secret canary (issue 15): every test that configures an API key or a webhook secret uses these
// known values, and nothing the tests leave behind may hold them. Each test program sets the canary's
// variables up (`canary_setup` in main(); CTest gives them to the other tests): ODOOSYNC_CANARY_API_KEY,
// ODOOSYNC_CANARY_WEBHOOK_SECRET, ODOOSYNC_CANARY_DIR, TMPDIR inside it, and ODOOSYNC_EMULATOR_API_KEY, so
// every emulator a test starts has the canary as admin's key. The test `secret_canary`, run after all
// the others (a CTest fixture cleanup, tests/canary_check.py), looks for them in every test's output
// (Testing/Temporary/LastTest.log), in what the tests left under ODOOSYNC_CANARY_DIR, and in what
// `remove_scratch` found in the files a test wrote (stores and their WAL, CLI output, logs) before it
// deleted them. A file that holds a secret on purpose (an --api-key-file) is named `*.secret`.
#pragma once

#include <stdlib.h>  // setenv

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

namespace odoosync::testing {

#ifndef ODOOSYNC_CANARY_API_KEY_VALUE  // tests/CMakeLists.txt defines them (target odoosync_canary)
#error "link odoosync_canary: it defines the canary's values"
#endif

inline std::string canary_env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// 40 characters, the form of an Odoo API key.
inline std::string canary_api_key() { return canary_env("ODOOSYNC_CANARY_API_KEY", ODOOSYNC_CANARY_API_KEY_VALUE); }
inline std::string canary_webhook_secret() {
  return canary_env("ODOOSYNC_CANARY_WEBHOOK_SECRET", ODOOSYNC_CANARY_WEBHOOK_SECRET_VALUE);
}

// What a test program's main() calls first (tests/unit/main.cpp): the canary's variables for this process
// and every process it starts (unless already set), and TMPDIR inside the canary directory, so that what
// a test leaves behind is looked at too.
inline void canary_setup() {
  ::setenv("ODOOSYNC_CANARY_DIR", ODOOSYNC_CANARY_DIR_DEFAULT, 0);
  ::setenv("ODOOSYNC_CANARY_API_KEY", ODOOSYNC_CANARY_API_KEY_VALUE, 0);
  ::setenv("ODOOSYNC_CANARY_WEBHOOK_SECRET", ODOOSYNC_CANARY_WEBHOOK_SECRET_VALUE, 0);
  ::setenv("ODOOSYNC_EMULATOR_API_KEY", canary_api_key().c_str(), 0);  // every emulator's admin key
  const auto tmp = std::filesystem::path(std::getenv("ODOOSYNC_CANARY_DIR")) / "tmp";
  std::error_code ec;
  std::filesystem::create_directories(tmp, ec);
  if (!ec) ::setenv("TMPDIR", tmp.c_str(), 1);
}

// Every secret the canary looks for, with its name.
inline std::vector<std::pair<std::string, std::string>> canary_secrets() {
  return {{"API key", canary_api_key()}, {"webhook secret", canary_webhook_secret()}};
}

// Appends one line to $ODOOSYNC_CANARY_DIR/<file> (nothing when the variable is not set).
inline void canary_record(const std::string& file, const std::string& line) {
  const char* dir = std::getenv("ODOOSYNC_CANARY_DIR");
  if (!dir || !*dir) return;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::ofstream(std::filesystem::path(dir) / file, std::ios::app) << line << '\n';
}

// Looks for the canary secrets in every regular file under `path` (a file, or a directory walked
// recursively), skipping `*.secret`; each find is recorded in $ODOOSYNC_CANARY_DIR/hits.txt, each file
// read in scanned.txt. Returns the number of finds.
inline std::size_t canary_scan(const std::filesystem::path& path) {
  std::size_t hits = 0;
  std::error_code ec;
  auto scan_file = [&](const std::filesystem::path& f) {
    if (f.extension() == ".secret") return;
    std::ifstream in(f, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    canary_record("scanned.txt", f.string());
    for (const auto& [name, value] : canary_secrets()) {
      if (text.find(value) != std::string::npos) {
        ++hits;
        canary_record("hits.txt", f.string() + ": the canary " + name);
      }
    }
  };
  if (std::filesystem::is_regular_file(path, ec)) {
    scan_file(path);
  } else if (std::filesystem::is_directory(path, ec)) {
    for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec)) scan_file(it->path());
    }
  }
  return hits;
}

// What tests call instead of std::filesystem::remove_all on their scratch files: scan, then remove.
inline void remove_scratch(const std::filesystem::path& path) {
  canary_scan(path);
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

}  // namespace odoosync::testing
