// Log levels, the JSON-lines sink and the Logger front end.
#include <odoosync/core/json.hpp>
#include <odoosync/core/log.hpp>

#include <cmath>
#include <ctime>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {

std::string_view to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::trace: return "trace";
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
  }
  return "unknown";
}

namespace {
std::string rfc3339_millis(Clock::wall_time t) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  long frac = static_cast<long>(ms % 1000);
  if (frac < 0) {
    frac += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

// Log text comes from anywhere (server messages included); bytes that are not UTF-8 are replaced so
// a record is never dropped for its content.
std::string sanitized(std::string_view s) {
  std::string out;
  while (!s.empty()) {
    auto bad = json::find_invalid_utf8(s);
    if (!bad) {
      out.append(s);
      break;
    }
    out.append(s.substr(0, *bad));
    out.append("\xEF\xBF\xBD");  // U+FFFD
    s.remove_prefix(*bad + 1);
  }
  return out;
}
}  // namespace

std::string JsonLinesSink::format(const LogRecord& record) {
  json::Writer w;
  w.begin_object();
  w.member("time", rfc3339_millis(record.time));
  w.member("level", to_string(record.level));
  w.member("msg", sanitized(record.message));
  for (const auto& f : record.fields) {
    w.key(sanitized(f.key));
    std::visit(
        [&w](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            w.null();
          } else if constexpr (std::is_same_v<T, bool>) {
            w.boolean(v);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            w.integer(v);
          } else if constexpr (std::is_same_v<T, double>) {
            if (std::isfinite(v))
              w.number(v);
            else
              w.null();
          } else if constexpr (std::is_same_v<T, std::string>) {
            w.string(sanitized(v));
          } else {
            static_assert(std::is_same_v<T, Secret>);
            w.string(Secret::redacted);
          }
        },
        f.value);
  }
  w.end_object();
  return std::string(w.unchecked_view());
}

JsonLinesSink::JsonLinesSink(std::FILE* out, LogLevel min_level) : file_(out), min_level_(min_level) {}
JsonLinesSink::JsonLinesSink(std::function<void(std::string_view)> out, LogLevel min_level)
    : callback_(std::move(out)), min_level_(min_level) {}

void JsonLinesSink::write(const LogRecord& record) {
  if (!enabled(record.level)) return;
  std::string line = format(record);
  std::lock_guard lock(mutex_);
  if (callback_) {
    callback_(line);
  } else if (file_) {
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fflush(file_);
  }
}

void Logger::log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) const {
  if (!enabled(level)) return;
  Clock& clock = clock_ ? *clock_ : Clock::system();
  LogRecord record{level, clock.wall_now(), message, std::span<const LogField>(fields.begin(), fields.size())};
  sink_->write(record);
}

}  // namespace v0
}  // namespace odoosync
