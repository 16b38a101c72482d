// Issue 15's hostile store catalogue, through the real odoosync binary: a disk that fills up during
// `sync submit`, SIGKILL in the middle of a large submit, two processes creating one new store at once.
// In each case the CLI names the problem, the store stays readable, and nothing reported stored is lost.
#include <canary.hpp>
#include <doctest/doctest.h>

#include "cli_support.hpp"

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace odoosync::testing::cli;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  fs::path path = fs::temp_directory_path() / ("odoosync-hostile-store-" + std::to_string(::getpid()));
  TempDir() {
    odoosync::testing::remove_scratch(path);
    fs::create_directories(path);
  }
  ~TempDir() { odoosync::testing::remove_scratch(path); }
};

std::string stock_event(const std::string& id) {
  return R"({"specversion":"1.0","id":")" + id +
         R"(","source":"pos/store-12","type":"retail.stock.adjusted","time":"2026-12-01T10:15:00Z",)"
         R"("data":{"sku":"SKU-)" +
         id +
         R"(","location":"WH/Stock","delta":{"value":"-2","uom":"Units"},)"
         R"("reason":"a note long enough to make each stored row take some room on the disk, like a real one"}})";
}

std::string events_file(const fs::path& dir, const std::string& name, const std::string& prefix, int n) {
  std::ofstream out(dir / name, std::ios::binary);
  for (int i = 0; i < n; ++i) out << stock_event(prefix + std::to_string(i)) << '\n';
  return (dir / name).string();
}

// `sync status --json`'s pending count, or -1 when the status could not be read.
long pending(const std::string& store) {
  auto st = run("", "--json sync status --store '" + store + "'");
  std::smatch m;
  if (st.code != 0 || !std::regex_search(st.out, m, std::regex(R"("pending":(\d+))"))) return -1;
  return std::stol(m[1]);
}

long number_after(const std::string& text, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(pattern))) return -1;
  return std::stol(m[1]);
}

// Starts `sh -c cmd` in the background; the caller waits or kills.
pid_t spawn(const std::string& cmd) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

int wait_code(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
}  // namespace

TEST_CASE("a disk that fills up during sync submit: the line is named, and every line reported stored is kept") {
  // A 1 MiB tmpfs, mounted in a private mount namespace (unshare -m as root, a user namespace otherwise)
  // so that nothing outlives the test. Whatever the CLI says is run inside; the store is then copied out.
  TempDir dir;
  const auto file = events_file(dir.path, "e.jsonl", "full-", 3000);  // ~1 MB of events
  fs::create_directories(dir.path / "small");
  fs::create_directories(dir.path / "copy");
  const std::string d = dir.path.string();
  const std::string cli = "'" ODOOSYNC_CLI_PATH "'";
  const std::string inner = "set -e; mount -t tmpfs -o size=1m odoosync-full '" + d +
                            "/small'; "
                            "set +e; " +
                            cli + " sync submit '" + file + "' --store '" + d + "/small/s.db' >'" + d + "/out' 2>'" +
                            d + "/err'; echo \\$? >'" + d + "/code'; cp '" + d + "/small/'s.db* '" + d + "/copy/'";
  const std::string ns = ::geteuid() == 0 ? "unshare -m" : "unshare -rm";
  const std::string cmd = ns + " sh -c \"" + inner + "\"";
  INFO("could not mount a small tmpfs: ", cmd);
  REQUIRE(std::system(cmd.c_str()) == 0);

  const int code = std::stoi(slurp(dir.path / "code"));
  const std::string err = slurp(dir.path / "err");
  CHECK_MESSAGE(code == 8, err);  // the store's exit code
  CHECK_MESSAGE(err.find("full") != std::string::npos, err);
  const long stored = number_after(err, R"(not stored \((\d+) stored before it\))");
  REQUIRE_MESSAGE(stored > 0, err);
  CHECK(stored < 3000);

  // The copied store opens, holds exactly what was reported stored, and takes the rest.
  const std::string copy = (dir.path / "copy" / "s.db").string();
  CHECK(pending(copy) == stored);
  auto again = run("", "--json sync submit '" + file + "' --store '" + copy + "'");
  CHECK_MESSAGE(again.code == 0, again.err);
  CHECK(number_after(again.out, R"("duplicates":(\d+))") == stored);
  CHECK(number_after(again.out, R"("stored":(\d+))") == 3000 - stored);
  CHECK(pending(copy) == 3000);
}

TEST_CASE("SIGKILL in the middle of a large sync submit: the store opens, and a resubmit completes it once") {
  TempDir dir;
  const int n = 20000;
  const auto file = events_file(dir.path, "e.jsonl", "kill-", n);
  const std::string store = (dir.path / "s.db").string();
  const pid_t pid =
      spawn("exec '" ODOOSYNC_CLI_PATH "' sync submit '" + file + "' --store '" + store + "' >/dev/null 2>&1");
  // Kill once some events are in (the WAL has grown), well before the 20,000 are.
  const auto wal = fs::path(store + "-wal");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::error_code ec;
  while (std::chrono::steady_clock::now() < deadline && (!fs::exists(wal, ec) || fs::file_size(wal, ec) < 200000))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(::kill(pid, SIGKILL) == 0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE_MESSAGE(WIFSIGNALED(status), "the submit ended before it could be killed: make the file larger");

  const long before = pending(store);
  CHECK(before > 0);
  CHECK(before < n);
  auto again = run("", "--json sync submit '" + file + "' --store '" + store + "'");
  CHECK_MESSAGE(again.code == 0, again.err);
  CHECK(number_after(again.out, R"("duplicates":(\d+))") == before);
  CHECK(number_after(again.out, R"("stored":(\d+))") == n - before);
  CHECK(pending(store) == n);
}

TEST_CASE("two sync submit processes creating one new store at once both succeed, and every event is stored") {
  for (int round = 0; round < 5; ++round) {
    CAPTURE(round);
    TempDir dir;
    const auto a = events_file(dir.path, "a.jsonl", "a-", 300);
    const auto b = events_file(dir.path, "b.jsonl", "b-", 300);
    const std::string store = (dir.path / "new.db").string();
    auto submit = [&](const std::string& f, const std::string& tag) {
      return spawn("exec '" ODOOSYNC_CLI_PATH "' sync submit '" + f + "' --store '" + store + "' >/dev/null 2>'" +
                   (dir.path / tag).string() + "'");
    };
    const pid_t p1 = submit(a, "err-a");
    const pid_t p2 = submit(b, "err-b");
    const int c1 = wait_code(p1), c2 = wait_code(p2);
    CHECK_MESSAGE(c1 == 0, slurp(dir.path / "err-a"));
    CHECK_MESSAGE(c2 == 0, slurp(dir.path / "err-b"));
    CHECK(pending(store) == 600);
  }
}
