// ServeProcess: `odoosync serve ...` started in the background by a test, its first line of standard
// output (where it listens) read with a time limit, stopped by a signal; killed if the test ends first.
#pragma once

#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace odoosync::testing {

#ifndef ODOOSYNC_CLI_PATH
#error "ODOOSYNC_CLI_PATH names the odoosync binary"
#endif

// `odoosync serve ...` in the background: stdout through a pipe (its first line names the address),
// stderr into a file.
class ServeProcess {
 public:
  // stdout through a pipe, stderr into err_file; `env` (NAME=value) added to the environment.
  ServeProcess(const std::vector<std::string>& args, const std::string& err_file, const std::string& env = {}) {
    int out[2];
    REQUIRE(::pipe(out) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(err, 2);
      ::close(out[0]);
      ::close(out[1]);
      // Odoo's address comes from the configuration file or `env`, never from the test's surroundings.
      for (const char* v :
           {"ODOO_URL", "ODOO_DB", "ODOO_USER", "ODOO_API_KEY", "ODOO_PASSWORD", "ODOO_PROTOCOL", "ODOOSYNC_STORE"})
        ::unsetenv(v);
      if (!env.empty()) ::putenv(const_cast<char*>(env.c_str()));
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(ODOOSYNC_CLI_PATH));
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(ODOOSYNC_CLI_PATH, argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    out_ = out[0];
  }
  ~ServeProcess() {
    if (pid_ > 0 && code_ == -2) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) ::close(out_);
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // The first line it prints ("listening on 127.0.0.1:PORT"), or empty when it exits or says nothing
  // within the time.
  std::string first_line(int timeout_ms = 10'000) {
    std::string line;
    while (line.find('\n') == std::string::npos) {
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) <= 0) return {};
      char buf[256];
      const auto n = ::read(out_, buf, sizeof buf);
      if (n <= 0) return {};
      line.append(buf, static_cast<std::size_t>(n));
    }
    return line.substr(0, line.find('\n'));
  }
  // SIGTERM (or another signal), then its exit code (-1 when it did not exit within the time).
  int stop(int sig = SIGTERM, int timeout_ms = 15'000) {
    ::kill(pid_, sig);
    return wait(timeout_ms);
  }
  int wait(int timeout_ms = 15'000) {
    for (int waited = 0; waited < timeout_ms; waited += 20) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return code_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int code_ = -2;
};

// The port of "listening on 127.0.0.1:PORT" (0 when the line is not that).
inline std::uint16_t port_of(const std::string& line) {
  const auto colon = line.rfind(':');
  if (line.rfind("listening on ", 0) != 0 || colon == std::string::npos) return 0;
  return static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1)));
}

}  // namespace odoosync::testing
