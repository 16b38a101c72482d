// The CTest fixture around the PostgreSQL tests: `postgres_fixture start FILE` starts one server for
// every test of the run (tests/support/postgres_server.hpp) and writes where it is to FILE, which the
// tests find through $ODOOSYNC_TEST_POSTGRES; `postgres_fixture stop FILE` stops it and removes its
// directory. One initdb for the whole run, not one per test process.
#include "postgres_server.hpp"

#include <canary.hpp>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  odoosync::testing::canary_setup();
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s start|stop FILE\n", argv[0]);
    return 2;
  }
  const std::string what = argv[1], file = argv[2];
  std::string error;
  if (what == "start") {
    odoosync::testing::PostgresServerOptions o;
    o.detached = true;
    auto s = odoosync::testing::PostgresServer::start(&error, o);
    if (!s) {
      std::fprintf(stderr, "postgres_fixture: the test PostgreSQL server did not start: %s\n", error.c_str());
      return 1;
    }
    if (!s->write_to(file)) {
      std::fprintf(stderr, "postgres_fixture: cannot write %s\n", file.c_str());
      return 1;
    }
    std::printf("postgres_fixture: PostgreSQL on 127.0.0.1:%d (%s)\n", s->port(), s->directory().c_str());
    s->keep_running();  // it runs on for the tests; `stop` ends it
    return 0;
  }
  if (what == "stop") {
    if (!odoosync::testing::PostgresServer::stop_at(file, &error)) {
      std::fprintf(stderr, "postgres_fixture: %s\n", error.c_str());
      return 1;
    }
    std::remove(file.c_str());
    return 0;
  }
  std::fprintf(stderr, "usage: %s start|stop FILE\n", argv[0]);
  return 2;
}
