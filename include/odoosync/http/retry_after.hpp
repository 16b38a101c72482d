// Retry-After (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date in IMF-fixdate, RFC 850 or asctime form.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include <odoosync/core/clock.hpp>

namespace odoosync {
inline namespace v0 {
namespace http {

// How long to wait from `now`: a date in the past means zero, and a wait (either form) is capped at a
// year. Nothing for an unparsable value.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, Clock::wall_time now);

// Parses an HTTP-date to whole seconds (UTC). Nothing if it is not one of the three forms. Seconds, not
// the wall clock's nanoseconds: every four-digit year is representable (the clock's range ends in 1677 and
// 2262), so a far date is read as itself and never overflows.
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view value);

}  // namespace http
}  // namespace v0
}  // namespace odoosync
