// Secret sources: a file re-read when it changes, a command run again when its value is old or refused,
// an environment variable; failures name the source and never the value.
#include <doctest/doctest.h>

#include <odoosync/core/secret_source.hpp>

#include <canary.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace odoosync;
namespace fs = std::filesystem;

namespace {
struct Dir {
  fs::path path = fs::temp_directory_path() / ("odoosync-secret-source-" + std::to_string(::getpid()));
  Dir() { fs::create_directories(path); }
  ~Dir() { odoosync::testing::remove_scratch(path); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary | std::ios::trunc) << text;
    return (path / name).string();
  }
};
const std::string key = odoosync::testing::canary_api_key();
}  // namespace

TEST_CASE("secret source: a file is read again when it changes, and only then") {
  Dir d;
  const auto file = d.write("key.secret", "old-key\n");
  auto src = secret_from_file(file);
  CHECK(src->description() == "file " + file);
  REQUIRE(src->current());
  CHECK(src->current().value().reveal() == "old-key");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a new modification time
  d.write("key.secret", key + "\n");
  CHECK(src->current().value().reveal() == key);
  fs::remove(file);
  auto gone = src->refresh();
  REQUIRE_FALSE(gone);
  CHECK(gone.error().message().find(file) != std::string::npos);
  CHECK(gone.error().message().find(key) == std::string::npos);
}

TEST_CASE("secret source: a command, cached for max_age, run again on refresh, its failures named") {
  Dir d;
  const auto value = d.write("value.secret", key);
  const auto script = d.write("get-key.sh", "#!/bin/sh\ncat '" + value + "'\n");
  fs::permissions(script, fs::perms::owner_all);
  auto src = secret_from_command({script}, std::chrono::seconds{3600});
  REQUIRE(src->current());
  CHECK(src->current().value().reveal() == key);
  d.write("value.secret", "rotated-key");
  CHECK(src->current().value().reveal() == key);  // cached
  CHECK(src->refresh().value().reveal() == "rotated-key");
  CHECK(src->description() == "command " + script + " (every 3600 s)");

  const auto fails = d.write("fails-sh.secret", "#!/bin/sh\necho '" + key + "'\nexit 3\n");
  fs::permissions(fails, fs::perms::owner_all);
  auto failed = secret_from_command({fails})->current();
  REQUIRE_FALSE(failed);
  CHECK(failed.error().message() == "the secret command " + fails + " exited with status 3");
  auto slow = secret_from_command({"sleep", "5"}, std::chrono::seconds{1}, std::chrono::seconds{1})->current();
  REQUIRE_FALSE(slow);
  CHECK(slow.error().message() == "the secret command sleep did not finish within 1 s");
  // A child that closes its stdout and goes on: killed at the deadline, not waited for.
  auto lingering =
      secret_from_command({"sh", "-c", "exec >&-; sleep 5"}, std::chrono::seconds{1}, std::chrono::seconds{1})
          ->current();
  REQUIRE_FALSE(lingering);
  CHECK(lingering.error().message() == "the secret command sh did not finish within 1 s");
  auto silent = secret_from_command({"true"})->current();
  REQUIRE_FALSE(silent);
  CHECK(silent.error().message() == "the secret command true printed nothing");
  auto missing = secret_from_command({"/nonexistent/odoosync-vault"})->current();
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message().find("could not start") != std::string::npos);
}

TEST_CASE("secret source: specs, and the environment") {
  ::setenv("ODOOSYNC_TEST_SOURCE_KEY", key.c_str(), 1);
  auto env = parse_secret_source("env:ODOOSYNC_TEST_SOURCE_KEY");
  REQUIRE(env);
  CHECK(env.value()->current().value().reveal() == key);
  CHECK(env.value()->description() == "environment variable ODOOSYNC_TEST_SOURCE_KEY");
  ::unsetenv("ODOOSYNC_TEST_SOURCE_KEY");
  CHECK(env.value()->current().error().message() == "the environment variable ODOOSYNC_TEST_SOURCE_KEY is not set");
  auto cmd = parse_secret_source("cmd:printf %s abc");
  REQUIRE(cmd);
  CHECK(cmd.value()->current().value().reveal() == "abc");
  CHECK(parse_secret_source("vault:x").error().message() == "unknown secret source kind \"vault\" (env, file or cmd)");
  CHECK(parse_secret_source("file:").error().message() == "a secret source of kind file needs a value after ':'");
  CHECK_FALSE(parse_secret_source("plain-key"));
}
