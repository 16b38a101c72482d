// Structured logging: the library hands records to a sink the host provides. A field holding a
// Secret is written as "[redacted]" by every sink, because the sink never sees the value.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include <odoosync/core/clock.hpp>
#include <odoosync/core/secret.hpp>

namespace odoosync {
inline namespace v0 {

enum class LogLevel : std::uint8_t { trace, debug, info, warn, error };
std::string_view to_string(LogLevel level) noexcept;

struct LogField {
  using Value = std::variant<std::monostate, bool, std::int64_t, double, std::string, Secret>;

  LogField(std::string_view k, const char* v) : key(k), value(std::string(v)) {}
  LogField(std::string_view k, std::string_view v) : key(k), value(std::string(v)) {}
  LogField(std::string_view k, std::string v) : key(k), value(std::move(v)) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
  LogField(std::string_view k, std::int64_t v) : key(k), value(v) {}
  LogField(std::string_view k, int v) : key(k), value(std::int64_t{v}) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  LogField(std::string_view k, Secret v) : key(k), value(std::move(v)) {}

  std::string key;
  Value value;
};

struct LogRecord {
  LogLevel level = LogLevel::info;
  Clock::wall_time time;
  std::string_view message;
  std::span<const LogField> fields;
};

// Implementations must be safe to call from many threads at once.
class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual bool enabled(LogLevel level) const { return level >= LogLevel::info; }
  virtual void write(const LogRecord& record) = 0;
};

// One JSON object per line: {"time":"2026-11-22T10:00:00.123Z","level":"info","msg":"...",<fields>}.
// Writes to a FILE* (stderr by default) or to a callback that receives each line without its newline.
class JsonLinesSink final : public LogSink {
 public:
  explicit JsonLinesSink(std::FILE* out = stderr, LogLevel min_level = LogLevel::info);
  explicit JsonLinesSink(std::function<void(std::string_view line)> out, LogLevel min_level = LogLevel::info);
  bool enabled(LogLevel level) const override { return level >= min_level_; }
  void write(const LogRecord& record) override;

  static std::string format(const LogRecord& record);  // the line, without newline

 private:
  std::FILE* file_ = nullptr;
  std::function<void(std::string_view)> callback_;
  LogLevel min_level_;
  std::mutex mutex_;
};

// The handle the library's components log through; a default Logger drops everything.
class Logger {
 public:
  Logger() = default;
  explicit Logger(std::shared_ptr<LogSink> sink, Clock* clock = nullptr) : sink_(std::move(sink)), clock_(clock) {}

  bool enabled(LogLevel level) const { return sink_ && sink_->enabled(level); }
  bool attached() const noexcept { return sink_ != nullptr; }
  void log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {}) const;

 private:
  std::shared_ptr<LogSink> sink_;
  Clock* clock_ = nullptr;
};

}  // namespace v0
}  // namespace odoosync
