// The secret sources (core/secret_source.hpp): environment, file, command.
#include <odoosync/core/secret_source.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <optional>

extern char** environ;

namespace odoosync {
inline namespace v0 {

namespace {

class EnvSource final : public SecretSource {
 public:
  explicit EnvSource(std::string var) : var_(std::move(var)) {}
  result<Secret> current() override {
    const char* v = std::getenv(var_.c_str());
    if (!v || !*v) return Error::validation("the environment variable " + var_ + " is not set");
    return Secret(v);
  }
  result<Secret> refresh() override { return current(); }
  std::string description() const override { return "environment variable " + var_; }

 private:
  std::string var_;
};

class FileSource final : public SecretSource {
 public:
  explicit FileSource(std::string path) : path_(std::move(path)) {}
  result<Secret> current() override {
    struct stat st {};
    std::lock_guard lock(mutex_);
    if (::stat(path_.c_str(), &st) == 0 && cached_ && st.st_mtim.tv_sec == mtime_.tv_sec &&
        st.st_mtim.tv_nsec == mtime_.tv_nsec && st.st_size == size_ && st.st_ino == inode_)
      return *cached_;
    return read_locked();
  }
  result<Secret> refresh() override {
    std::lock_guard lock(mutex_);
    return read_locked();
  }
  std::string description() const override { return "file " + path_; }

 private:
  result<Secret> read_locked() {
    struct stat st {};
    const bool stated = ::stat(path_.c_str(), &st) == 0;
    auto s = Secret::from_file(path_);
    if (!s) return s.error();
    cached_ = s.value();
    if (stated) {
      mtime_ = st.st_mtim;
      size_ = st.st_size;
      inode_ = st.st_ino;
    }
    return s;
  }
  std::string path_;
  std::mutex mutex_;
  std::optional<Secret> cached_;
  timespec mtime_{};
  off_t size_ = -1;
  ino_t inode_ = 0;
};

class CommandSource final : public SecretSource {
 public:
  CommandSource(std::vector<std::string> argv, std::chrono::seconds max_age, std::chrono::seconds timeout)
      : argv_(std::move(argv)), max_age_(max_age), timeout_(timeout) {}
  result<Secret> current() override {
    std::lock_guard lock(mutex_);
    if (cached_ && std::chrono::steady_clock::now() - read_at_ < max_age_) return *cached_;
    return run_locked();
  }
  result<Secret> refresh() override {
    std::lock_guard lock(mutex_);
    return run_locked();
  }
  std::string description() const override {
    return "command " + (argv_.empty() ? std::string("(none)") : argv_[0]) + " (every " +
           std::to_string(max_age_.count()) + " s)";
  }

 private:
  Error fail(const std::string& why) const {
    return Error::validation("the secret command " + (argv_.empty() ? std::string() : argv_[0]) + " " + why);
  }

  result<Secret> run_locked() {
    if (argv_.empty() || argv_[0].empty()) return Error::validation("the secret command is empty");
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return fail(std::string("could not start: ") + std::strerror(errno));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    std::vector<char*> args;
    for (auto& a : argv_) args.push_back(a.data());
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    if (rc != 0) {
      ::close(out[0]);
      return fail(std::string("could not start: ") + std::strerror(rc));
    }
    std::string text;
    bool too_big = false, timed_out = false;
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    char buf[4096];
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        timed_out = true;
        break;
      }
      pollfd p{out[0], POLLIN, 0};
      const int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        timed_out = n == 0;
        break;
      }
      const ssize_t got = ::read(out[0], buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      text.append(buf, static_cast<std::size_t>(got));
      if (text.size() > 64 * 1024) {
        too_big = true;
        break;
      }
    }
    ::close(out[0]);
    if (timed_out || too_big) ::kill(pid, SIGKILL);
    // A child that closed its stdout but goes on running is waited for until the deadline, then killed.
    int status = 0;
    for (;;) {
      const pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == pid || (done < 0 && errno != EINTR)) break;
      if (done == 0 && std::chrono::steady_clock::now() >= deadline) {
        timed_out = true;
        ::kill(pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
    // The output is overwritten before it is dropped, like a Secret's.
    auto wipe = [&] { std::fill(text.begin(), text.end(), '\0'); };
    if (timed_out) {
      wipe();
      return fail("did not finish within " + std::to_string(timeout_.count()) + " s");
    }
    if (too_big) {
      wipe();
      return fail("printed more than 64 KiB");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      wipe();
      return fail(WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                    : std::string("was killed by a signal"));
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (text.empty()) return fail("printed nothing");
    cached_ = Secret(text);
    wipe();
    read_at_ = std::chrono::steady_clock::now();
    return *cached_;
  }

  std::vector<std::string> argv_;
  std::chrono::seconds max_age_, timeout_;
  std::mutex mutex_;
  std::optional<Secret> cached_;
  std::chrono::steady_clock::time_point read_at_{};
};

}  // namespace

std::shared_ptr<SecretSource> secret_from_env(std::string variable) {
  return std::make_shared<EnvSource>(std::move(variable));
}
std::shared_ptr<SecretSource> secret_from_file(std::string path) {
  return std::make_shared<FileSource>(std::move(path));
}
std::shared_ptr<SecretSource> secret_from_command(std::vector<std::string> argv, std::chrono::seconds max_age,
                                                  std::chrono::seconds timeout) {
  return std::make_shared<CommandSource>(std::move(argv), max_age, timeout);
}

result<std::shared_ptr<SecretSource>> parse_secret_source(std::string_view spec) {
  const auto colon = spec.find(':');
  if (colon == std::string_view::npos)
    return Error::validation("a secret source must be env:NAME, file:PATH or cmd:PROGRAM ARGS...");
  const auto kind = spec.substr(0, colon);
  const auto rest = spec.substr(colon + 1);
  if (rest.empty())
    return Error::validation("a secret source of kind " + std::string(kind) + " needs a value after ':'");
  if (kind == "env") return secret_from_env(std::string(rest));
  if (kind == "file") return secret_from_file(std::string(rest));
  if (kind == "cmd") {
    std::vector<std::string> argv;
    std::string word;
    for (char c : rest) {
      if (c == ' ') {
        if (!word.empty()) argv.push_back(std::move(word));
        word.clear();
      } else {
        word += c;
      }
    }
    if (!word.empty()) argv.push_back(std::move(word));
    if (argv.empty()) return Error::validation("cmd: names no program");
    return secret_from_command(std::move(argv));
  }
  return Error::validation("unknown secret source kind \"" + std::string(kind) + "\" (env, file or cmd)");
}

}  // namespace v0
}  // namespace odoosync
