// Issue 15: the SQLite store given hostile files and concurrent creators. Each gives a clear error that
// names the problem, or works; none crashes or half-creates a store.
#include <canary.hpp>
#include <doctest/doctest.h>

#include <odoosync/sync/sqlite_store.hpp>

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
namespace oss = odoosync::sync;

namespace {
struct Dir {
  fs::path path = fs::temp_directory_path() / ("odoosync-sqlite-hostile-" + std::to_string(::getpid()));
  Dir() {
    odoosync::testing::remove_scratch(path);
    fs::create_directories(path);
  }
  ~Dir() {
    std::error_code ec;
    fs::permissions(path, fs::perms::owner_all, ec);
    odoosync::testing::remove_scratch(path);
  }
};
}  // namespace

TEST_CASE("two processes creating one new store at once both open it, and it is migrated once") {
  Dir d;
  for (int round = 0; round < 25; ++round) {
    const std::string path = (d.path / ("s" + std::to_string(round) + ".db")).string();
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      auto s = oss::SqliteStore::open(path);
      if (!s) std::fprintf(stderr, "child: %s\n", s.error().to_string().c_str());
      ::_exit(s ? 0 : 1);
    }
    auto mine = oss::SqliteStore::open(path);
    CHECK_MESSAGE(mine, (mine ? std::string() : mine.error().to_string()));
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    if (mine) {
      auto v = mine.value()->file_schema_version();
      REQUIRE(v);
      CHECK(v.value() == oss::SqliteStore::schema_version);
    }
  }
}

TEST_CASE("a file that is not a store, a truncated store, a newer schema: clear errors naming the file") {
  Dir d;
  const std::string text = (d.path / "notes.txt").string();
  std::ofstream(text) << "these are my notes, not a database\n" << std::string(5000, 'x');
  auto r = oss::SqliteStore::open(text);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == odoosync::ErrorKind::storage);
  CHECK_MESSAGE(r.error().message().find(text) != std::string::npos, r.error().message());
  CHECK(r.error().message().find("not a database") != std::string::npos);

  // A real store cut in half.
  const std::string good = (d.path / "good.db").string();
  { REQUIRE(oss::SqliteStore::open(good)); }
  const auto size = fs::file_size(good);
  REQUIRE(size > 4096);
  const std::string cut = (d.path / "cut.db").string();
  fs::copy_file(good, cut);
  fs::resize_file(cut, size / 2 + 100);
  auto t = oss::SqliteStore::open(cut);
  if (t) {
    // SQLite may open a cut file (the pages it reads first survived): reading must then fail cleanly.
    auto st = t.value()->status();
    if (!st) CHECK(st.error().kind() == odoosync::ErrorKind::storage);
  } else {
    CHECK(t.error().kind() == odoosync::ErrorKind::storage);
    CHECK(t.error().message().find(cut) != std::string::npos);
  }

  // A schema newer than this build.
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(good.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  auto newer = oss::SqliteStore::open(good);
  REQUIRE_FALSE(newer);
  CHECK(newer.error().message().find("has schema version 99, newer than this build knows") != std::string::npos);
}

TEST_CASE("a store in a directory that cannot be written is refused with the path") {
  if (::geteuid() == 0) {
    // root writes anywhere: a path under a file stands in for an unwritable place.
    Dir d;
    const std::string file = (d.path / "plain").string();
    std::ofstream(file) << "x";
    auto r = oss::SqliteStore::open(file + "/s.db");
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == odoosync::ErrorKind::storage);
    CHECK(r.error().message().find(file + "/s.db") != std::string::npos);
    return;
  }
  Dir d;
  fs::permissions(d.path, fs::perms::owner_read | fs::perms::owner_exec);
  const std::string path = (d.path / "s.db").string();
  auto r = oss::SqliteStore::open(path);
  REQUIRE_FALSE(r);
  CHECK(r.error().message().find(path) != std::string::npos);
}
