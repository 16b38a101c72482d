#include <odoosync/retail/timestamp.hpp>

#include <cstdio>

#include "amounts.hpp"

namespace odoosync {
inline namespace v0 {
namespace retail {
namespace {

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
unsigned days_in(int y, unsigned m) {
  static constexpr unsigned d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : d[m - 1];
}
// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t yy = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

bool digits(std::string_view s, std::size_t at, std::size_t n, unsigned& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

bool parse_date(std::string_view s, int& y, unsigned& m, unsigned& d) {
  unsigned yy = 0;
  if (s.size() < 10 || !digits(s, 0, 4, yy) || s[4] != '-' || !digits(s, 5, 2, m) || s[7] != '-' ||
      !digits(s, 8, 2, d)) {
    return false;
  }
  y = static_cast<int>(yy);
  return m >= 1 && m <= 12 && d >= 1 && d <= days_in(y, m);
}

}  // namespace

result<Timestamp> Timestamp::parse(std::string_view s) {
  if (auto t = detail::read_timestamp(s)) return *t;
  return Error::validation("must be an RFC 3339 timestamp such as \"2026-12-01T10:15:00Z\"");
}

std::optional<Timestamp> detail::read_timestamp(std::string_view s) noexcept {
  int y = 0;
  unsigned mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!parse_date(s, y, mo, d) || s.size() < 20 || s[10] != 'T' || !digits(s, 11, 2, h) || s[13] != ':' ||
      !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se) || h > 23 || mi > 59 || se > 59) {
    return std::nullopt;
  }
  std::size_t i = 19;
  std::uint32_t nanos = 0;
  if (s[i] == '.') {
    ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    const std::size_t n = i - start;
    if (n == 0 || n > 9) return std::nullopt;
    for (std::size_t k = 0; k < 9; ++k)
      nanos = nanos * 10 + (k < n ? static_cast<std::uint32_t>(s[start + k] - '0') : 0);
  }
  std::int64_t offset = 0;
  if (i < s.size() && s[i] == 'Z') {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    unsigned oh = 0, om = 0;
    if (!digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(s, i + 4, 2, om) || oh > 23 ||
        om > 59) {
      return std::nullopt;
    }
    offset = (s[i] == '-' ? -1 : 1) * static_cast<std::int64_t>(oh * 3600 + om * 60);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  Timestamp t;
  t.seconds = days_from_civil(y, mo, d) * 86400 + std::int64_t{h} * 3600 + std::int64_t{mi} * 60 + se - offset;
  t.nanos = nanos;
  return t;
}

Timestamp Timestamp::from(std::chrono::system_clock::time_point tp) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(tp.time_since_epoch()).count();
  Timestamp t;
  t.seconds = ns / 1'000'000'000;
  std::int64_t rem = ns % 1'000'000'000;
  if (rem < 0) {
    rem += 1'000'000'000;
    --t.seconds;
  }
  t.nanos = static_cast<std::uint32_t>(rem);
  return t;
}

Timestamp Timestamp::now() { return from(std::chrono::system_clock::now()); }

std::string Timestamp::to_string() const {
  std::int64_t days = seconds / 86400;
  std::int64_t rem = seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u", y, m, d, static_cast<unsigned>(rem / 3600),
                        static_cast<unsigned>(rem % 3600 / 60), static_cast<unsigned>(rem % 60));
  std::string out(buf, static_cast<std::size_t>(n));
  if (nanos != 0) {
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09u", nanos);
    std::string f(frac);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  out += 'Z';
  return out;
}

std::string Timestamp::to_odoo() const {
  std::string s = to_string();
  s[10] = ' ';
  return s.substr(0, 19);
}

result<CalendarDate> CalendarDate::parse(std::string_view text) {
  CalendarDate c;
  if (text.size() != 10 || !parse_date(text, c.year, c.month, c.day)) {
    return Error::validation("must be a date such as \"2026-12-31\"");
  }
  return c;
}

std::string CalendarDate::to_string() const {
  char buf[16];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", year, month, day);
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace retail
}  // namespace v0
}  // namespace odoosync
