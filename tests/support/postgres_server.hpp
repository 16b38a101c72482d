// A PostgreSQL server of the tests' own: initdb into a temporary directory, then `postgres` on 127.0.0.1
// and a free port, never the machine's own cluster. PostgreSQL refuses to run as root, so when the tests
// run as root (CI) the server runs as the `postgres` user the Debian package creates. The superuser
// `odoosync` has the secret canary as its password (tests/support/canary.hpp): a store that printed it
// would be caught. Starting fails loudly (an error naming what went wrong): tests that need it fail,
// they are not skipped.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

namespace odoosync::testing {

struct PostgresServerOptions {
  bool fsync = false;  // tests: off (a crash of the server process loses nothing; only the machine's would)
  int max_connections = 100;
  // The server outlives this process (a CTest fixture starts it for every test): it is not killed when
  // the process that started it exits, and the object's destruction leaves it running (see stop_at()).
  bool detached = false;
};

class PostgresServer {
 public:
  // nullptr and *error set when it cannot start.
  static std::unique_ptr<PostgresServer> start(std::string* error, PostgresServerOptions options = {});
  // The server the fixture described in `file` (written by write_to(): its port and directory).
  static std::unique_ptr<PostgresServer> attach(const std::string& file, std::string* error);
  // One server per test process: the CTest fixture's ($ODOOSYNC_TEST_POSTGRES names its file), else one
  // started on first use. nullptr and *error when there is none.
  static PostgresServer* shared(std::string* error);
  bool write_to(const std::string& file) const;
  // The server outlives this object (the fixture's start): its destruction stops nothing.
  void keep_running() { owned_ = false; }
  // Stops the fixture's server described in `file` and removes its directory.
  static bool stop_at(const std::string& file, std::string* error);
  ~PostgresServer();  // a fast shutdown, then the directory is scanned for the canary and removed

  int port() const { return port_; }
  // postgresql://odoosync@127.0.0.1:<port>/odoosync: no password in it (give password()).
  std::string url() const;
  static std::string user() { return "odoosync"; }
  static std::string password();  // the canary API key

  // A superuser statement on the `odoosync` database (pg_terminate_backend, DROP SCHEMA ...).
  bool exec(const std::string& sql, std::string* error = nullptr) const;
  // An immediate shutdown (SIGQUIT: like a crash, recovery at the next start), then a start on the
  // same port and directory.
  bool restart(std::string* error);
  pid_t postmaster_pid() const { return pid_; }
  const std::string& directory() const { return dir_; }

 private:
  PostgresServer() = default;
  bool launch(std::string* error);
  bool exec_on(const std::string& db, const std::string& sql, std::string* error) const;
  void stop(int signal);
  std::string dir_, bin_, log_;
  int port_ = 0;
  pid_t pid_ = -1;
  bool owned_ = true;  // started by this object: stopped by its destruction
  PostgresServerOptions options_;
};

}  // namespace odoosync::testing
