// UTC timestamps to the nanosecond (RFC 3339 in events) and calendar dates.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <odoosync/core/result.hpp>

namespace odoosync {
inline namespace v0 {
namespace retail {

struct Timestamp {
  std::int64_t seconds = 0;  // since 1970-01-01T00:00:00Z, leap seconds not counted
  std::uint32_t nanos = 0;   // 0 … 999'999'999

  // "2026-12-01T10:15:00Z", "2026-12-01T11:15:00.5+01:00" (converted to UTC); fraction up to 9 digits.
  static result<Timestamp> parse(std::string_view text);
  static Timestamp now();
  static Timestamp from(std::chrono::system_clock::time_point tp);
  // "2026-12-01T10:15:00Z", with the fraction trimmed of trailing zeros when there is one.
  std::string to_string() const;
  // Odoo's UTC datetime "2026-12-01 10:15:00" (fraction dropped).
  std::string to_odoo() const;

  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

struct CalendarDate {
  int year = 1970;
  unsigned month = 1, day = 1;
  static result<CalendarDate> parse(std::string_view text);  // "2026-12-31", a real day
  std::string to_string() const;
  friend bool operator==(const CalendarDate&, const CalendarDate&) = default;
};

}  // namespace retail
}  // namespace v0
}  // namespace odoosync
