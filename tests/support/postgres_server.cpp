#include "postgres_server.hpp"

#include <canary.hpp>

#include <libpq-fe.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace odoosync::testing {

namespace {

// The directory of initdb and postgres: $ODOOSYNC_PG_BINDIR, else Debian's /usr/lib/postgresql/<newest>/bin,
// else the PATH.
std::string find_bindir() {
  if (const char* env = std::getenv("ODOOSYNC_PG_BINDIR"); env && *env) return env;
  std::error_code ec;
  std::string best;
  int best_version = 0;
  for (auto it = fs::directory_iterator("/usr/lib/postgresql", ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const int v = std::atoi(it->path().filename().c_str());
    if (v > best_version && fs::exists(it->path() / "bin" / "postgres", ec)) {
      best_version = v;
      best = (it->path() / "bin").string();
    }
  }
  if (!best.empty()) return best;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    for (std::string d; std::getline(ss, d, ':');)
      if (!d.empty() && fs::exists(fs::path(d) / "initdb", ec)) return d;
  }
  return {};
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

struct Account {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

// Root runs the server as `postgres`; anyone else as themselves.
bool server_account(Account* out, std::string* error) {
  if (::geteuid() != 0) return true;
  struct passwd* pw = ::getpwnam("postgres");
  if (!pw) {
    *error = "running as root, and there is no 'postgres' user to run PostgreSQL as (install Debian's postgresql)";
    return false;
  }
  out->switch_user = true;
  out->uid = pw->pw_uid;
  out->gid = pw->pw_gid;
  return true;
}

// Runs `argv` (as the server's account), its output appended to `log`. With `wait`, returns its exit
// status; else its pid. The child dies with this process (PR_SET_PDEATHSIG after the user switch).
pid_t spawn(const std::vector<std::string>& argv, const Account& acc, const std::string& log, bool wait, int* status,
            bool detached = false) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::setsid();
    if (acc.switch_user) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(acc.gid) != 0 || ::setuid(acc.uid) != 0) ::_exit(126);
    }
    if (!detached) ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (!wait) return pid;
  ::waitpid(pid, status, 0);
  return pid;
}

std::string tail(const std::string& path) {
  std::ifstream in(path);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (all.size() > 2000) all = all.substr(all.size() - 2000);
  return all;
}

std::string conninfo(int port, const std::string& db) {
  return "host=127.0.0.1 port=" + std::to_string(port) + " dbname=" + db +
         " user=odoosync connect_timeout=5 options='-c client_min_messages=warning'";
}

}  // namespace

std::string PostgresServer::password() { return canary_api_key(); }

std::string PostgresServer::url() const {
  return "postgresql://odoosync@127.0.0.1:" + std::to_string(port_) + "/odoosync";
}

std::unique_ptr<PostgresServer> PostgresServer::start(std::string* error, PostgresServerOptions options) {
  std::unique_ptr<PostgresServer> s(new PostgresServer());
  s->options_ = options;
  s->bin_ = find_bindir();
  if (s->bin_.empty()) {
    *error = "no PostgreSQL server binaries (initdb, postgres): install Debian's postgresql, or set ODOOSYNC_PG_BINDIR";
    return nullptr;
  }
  Account acc;
  if (!server_account(&acc, error)) return nullptr;
  std::string tmpl = (fs::temp_directory_path() / "odoosync-pg-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) {
    *error = "cannot create a temporary directory under " + fs::temp_directory_path().string();
    return nullptr;
  }
  s->dir_ = tmpl;
  s->log_ = s->dir_ + "/server.log";
  const std::string data = s->dir_ + "/data";
  const std::string pwfile = s->dir_ + "/password.secret";
  { std::ofstream(pwfile) << password() << '\n'; }
  if (acc.switch_user) {
    if (::chown(s->dir_.c_str(), acc.uid, acc.gid) != 0 || ::chown(pwfile.c_str(), acc.uid, acc.gid) != 0) {
      *error = "cannot give " + s->dir_ + " to the postgres user";
      return nullptr;
    }
  }
  ::chmod(pwfile.c_str(), 0600);
  int status = 0;
  spawn({s->bin_ + "/initdb", "-D", data, "-U", "odoosync", "--pwfile=" + pwfile, "--auth-host=scram-sha-256",
         "--auth-local=peer", "-E", "UTF8", "--locale=C", "--no-sync"},
        acc, s->log_, true, &status);
  fs::remove(pwfile);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    *error = "initdb failed (status " + std::to_string(status) + "): " + tail(s->log_);
    return nullptr;
  }
  for (int tries = 0; tries < 3; ++tries) {
    s->port_ = free_port();
    if (s->launch(error)) break;
    if (tries == 2) return nullptr;
  }
  if (!s->exec_on("postgres", "CREATE DATABASE odoosync", error)) {
    *error = "CREATE DATABASE odoosync: " + *error;
    return nullptr;
  }
  error->clear();
  return s;
}

bool PostgresServer::launch(std::string* error) {
  Account acc;
  if (!server_account(&acc, error)) return false;
  const std::vector<std::string> argv{bin_ + "/postgres",
                                      "-D",
                                      dir_ + "/data",
                                      "-h",
                                      "127.0.0.1",
                                      "-p",
                                      std::to_string(port_),
                                      "-c",
                                      "unix_socket_directories=",
                                      "-c",
                                      std::string("fsync=") + (options_.fsync ? "on" : "off"),
                                      "-c",
                                      std::string("full_page_writes=") + (options_.fsync ? "on" : "off"),
                                      "-c",
                                      "max_connections=" + std::to_string(options_.max_connections),
                                      "-c",
                                      "shared_buffers=64MB",
                                      "-c",
                                      "log_min_messages=warning",
                                      "-c",
                                      "log_min_error_statement=panic"};
  int ignored = 0;
  pid_ = spawn(argv, acc, log_, false, &ignored, options_.detached);
  if (pid_ <= 0) {
    *error = "cannot start postgres";
    return false;
  }
  const std::string ping = conninfo(port_, "postgres");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (PQping(ping.c_str()) == PQPING_OK) return true;
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      *error = "postgres exited at start (status " + std::to_string(st) + "): " + tail(log_);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  *error = "postgres did not answer on 127.0.0.1:" + std::to_string(port_) + " within 30 s: " + tail(log_);
  stop(SIGKILL);
  return false;
}

void PostgresServer::stop(int signal) {
  if (pid_ <= 0) return;
  ::kill(pid_, signal);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int st = 0;
  // Not our child (a fixture's server): wait until the process is gone.
  const auto gone = [&] {
    const pid_t w = ::waitpid(pid_, &st, WNOHANG);
    if (w == pid_) return true;
    return w < 0 && ::kill(pid_, 0) != 0;
  };
  while (!gone()) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &st, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
}

bool PostgresServer::write_to(const std::string& file) const {
  std::ofstream out(file);
  out << port_ << ' ' << pid_ << ' ' << dir_ << '\n';
  return static_cast<bool>(out);
}

std::unique_ptr<PostgresServer> PostgresServer::attach(const std::string& file, std::string* error) {
  std::ifstream in(file);
  std::unique_ptr<PostgresServer> s(new PostgresServer());
  if (!(in >> s->port_ >> s->pid_ >> s->dir_)) {
    *error = "the PostgreSQL fixture's file '" + file + "' is missing or unreadable: did its setup test fail?";
    return nullptr;
  }
  s->log_ = s->dir_ + "/server.log";
  s->bin_ = find_bindir();
  s->owned_ = false;
  s->options_.detached = true;
  if (PQping(conninfo(s->port_, "odoosync").c_str()) != PQPING_OK) {
    *error = "the PostgreSQL fixture's server on 127.0.0.1:" + std::to_string(s->port_) + " does not answer";
    return nullptr;
  }
  return s;
}

bool PostgresServer::stop_at(const std::string& file, std::string* error) {
  auto s = attach(file, error);
  if (!s) return false;
  s->owned_ = true;
  return true;  // the destructor stops it and removes the directory
}

bool PostgresServer::restart(std::string* error) {
  stop(SIGQUIT);  // immediate shutdown: no checkpoint, recovery at the next start
  // Its backends may linger a moment after the postmaster; the new one waits for the port and lock file.
  for (int tries = 0; tries < 50; ++tries) {
    if (launch(error)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

bool PostgresServer::exec(const std::string& sql, std::string* error) const { return exec_on("odoosync", sql, error); }

bool PostgresServer::exec_on(const std::string& db, const std::string& sql, std::string* error) const {
  PGconn* c = PQconnectdb((conninfo(port_, db) + " password=" + password()).c_str());
  bool ok = PQstatus(c) == CONNECTION_OK;
  if (!ok) {
    if (error) *error = PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, sql.c_str());
    ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok && error) *error = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(c);
  return ok;
}

PostgresServer::~PostgresServer() {
  if (!owned_) return;
  stop(SIGINT);  // fast shutdown
  if (!dir_.empty()) remove_scratch(dir_);
}

PostgresServer* PostgresServer::shared(std::string* error) {
  static std::mutex m;
  static std::unique_ptr<PostgresServer> server;
  static std::string failed;
  std::lock_guard l(m);
  if (!server && failed.empty()) {
    // The run's fixture when it is up ($ODOOSYNC_TEST_POSTGRES, else the build's fixture file), else
    // a server of this process's own.
    std::string fixture;
    if (const char* env = std::getenv("ODOOSYNC_TEST_POSTGRES"); env && *env) fixture = env;
#ifdef ODOOSYNC_TEST_POSTGRES_FIXTURE_FILE
    if (fixture.empty() && fs::exists(ODOOSYNC_TEST_POSTGRES_FIXTURE_FILE))
      fixture = ODOOSYNC_TEST_POSTGRES_FIXTURE_FILE;
#endif
    server = !fixture.empty() ? attach(fixture, &failed) : start(&failed);
    if (server) failed.clear();
    if (!server && failed.empty()) failed = "unknown failure";
  }
  if (!server) *error = failed;
  return server.get();
}

}  // namespace odoosync::testing
