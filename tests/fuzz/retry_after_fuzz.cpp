// libFuzzer target: http::parse_retry_after and http::parse_http_date with the fuzzer's bytes as the
// header value, at a fixed "now" (2026-11-22 10:00:00 UTC).
// Invariants, against a reference written from RFC 9110 §10.2.3 and §5.6.7 independently of the library:
// delay-seconds are read exactly (capped at a year, as the library documents); an HTTP-date is accepted
// only when its day, year and time are unsigned decimal numbers of the right width and name a real
// instant, and it is then that instant; the wait is the time from now to it, never negative.
#include <odoosync/http/retry_after.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"

using namespace std::chrono;
using odoosync::Clock;
using odoosync_fuzz::check;
using odoosync_fuzz::shown;

namespace {

const Clock::wall_time now = sys_days{year{2026} / November / 22} + hours{10};

// When set, numbers are read as the library reads them (the reported bug retry_after.lenient_numbers):
// digits() takes a leading '-' (std::from_chars does), and a day goes through std::chrono::day unchecked
// (it keeps the value modulo 256, so 257 is the 1st). Used to tell that bug from any other difference.
bool allow_sign = false;

// Digits only (no sign, no space), `width` of them (0: any number, at least one).
bool digits(std::string_view s, std::size_t width, int& out) {
  if (s.empty() || (width && s.size() != width)) return false;
  const bool negative = allow_sign && s[0] == '-' && s.size() > 1;
  if (negative) s.remove_prefix(1);
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
    if (v > INT32_MAX) return false;  // an int, as the library reads it
  }
  out = static_cast<int>(negative ? -v : v);
  return true;
}

bool time_of_day(std::string_view s, int& h, int& m, int& sec) {
  // RFC 9110: hour ":" minute ":" second, two digits each; 60 seconds for a leap second, as the library does.
  return s.size() == 8 && s[2] == ':' && s[5] == ':' && digits(s.substr(0, 2), 2, h) && digits(s.substr(3, 2), 2, m) &&
         digits(s.substr(6, 2), 2, sec) && h < 24 && m < 60 && sec <= 60 &&
         (allow_sign || (h >= 0 && m >= 0 && sec >= 0));
}

int month_of(std::string_view m) {
  static constexpr std::array<std::string_view, 12> names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == m) return static_cast<int>(i) + 1;
  return 0;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// The instant as seconds since the epoch (no time_point arithmetic that could overflow here).
std::optional<std::int64_t> instant(int y, int mon, int d, int h, int m, int s) {
  if (!allow_sign && (d < 1 || d > 31)) return std::nullopt;  // std::chrono::day holds no more than 255
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mon)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return std::int64_t{sys_days{ymd}.time_since_epoch().count()} * 86400 + h * 3600 + m * 60 + s;
}

// The three forms, as the library takes them (words split on spaces, weekday names not checked), but with
// the numbers as RFC 9110's grammar has them: unsigned digits.
std::optional<std::int64_t> reference_date(std::string_view v) {
  const auto p = words(v);
  int d = 0, y = 0, h = 0, m = 0, s = 0;
  if (p.size() == 6 && p[0].size() == 4 && p[0][3] == ',' && p[5] == "GMT") {  // Sun, 06 Nov 1994 08:49:37 GMT (day: 2DIGIT; one digit taken too)
    const int mon = month_of(p[2]);
    if (mon && p[1].size() <= 2 && digits(p[1], 0, d) && digits(p[3], 4, y) && time_of_day(p[4], h, m, s))
      return instant(y, mon, d, h, m, s);
    return std::nullopt;
  }
  if (p.size() == 4 && p[0].back() == ',' && p[3] == "GMT") {  // Sunday, 06-Nov-94 08:49:37 GMT
    const auto dm = p[1];
    if (dm.size() != 9 || dm[2] != '-' || dm[6] != '-') return std::nullopt;
    const int mon = month_of(dm.substr(3, 3));
    if (mon && digits(dm.substr(0, 2), 2, d) && digits(dm.substr(7, 2), 2, y) && time_of_day(p[2], h, m, s))
      return instant(y < 70 ? 2000 + y : 1900 + y, mon, d, h, m, s);
    return std::nullopt;
  }
  if (p.size() == 5 && p[0].size() == 3) {  // Sun Nov  6 08:49:37 1994
    const int mon = month_of(p[1]);
    if (mon && p[2].size() <= 2 && digits(p[2], 0, d) && time_of_day(p[3], h, m, s) && digits(p[4], 4, y))
      return instant(y, mon, d, h, m, s);
  }
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto date = odoosync::http::parse_http_date(text);
  const auto ref = reference_date(text);
  // The library reads each number with std::from_chars, which takes a '-' ("08:49:-7", "-1:00:00"), and
  // a day of 257 as the 1st.
  allow_sign = true;
  const bool lenient_reading = !ref && reference_date(text).has_value();
  allow_sign = false;
  check(date.has_value() == ref.has_value(),
        lenient_reading ? "retry_after.lenient_numbers" : "retry_after.http_date_grammar", [&] {
          return shown(text) +
                 (date ? " accepted, RFC 9110's grammar refuses it" : " refused, RFC 9110's grammar takes it");
        });
  if (date && ref) {
    const auto secs = duration_cast<seconds>(date->time_since_epoch()).count();
    check(secs == *ref, "retry_after.http_date_instant",
          [&] { return shown(text) + ": " + std::to_string(secs) + " s, expected " + std::to_string(*ref); });
  }

  const auto wait = odoosync::http::parse_retry_after(text, now);
  std::string_view v = text;
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  std::optional<milliseconds> expected;
  if (!v.empty() && v.front() >= '0' && v.front() <= '9') {
    // delay-seconds = 1*DIGIT, at most a year (the library's documented cap, also for numbers too big to read)
    bool all_digits = true;
    for (char c : v) all_digits = all_digits && c >= '0' && c <= '9';
    if (all_digits) {
      constexpr std::uint64_t a_year = 365ULL * 24 * 3600;
      std::uint64_t n = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      (void)p;
      expected = milliseconds((ec != std::errc{} || n > a_year ? a_year : n) * 1000);
    }
  } else if (auto when = reference_date(v)) {
    const std::int64_t from_now = *when - duration_cast<seconds>(now.time_since_epoch()).count();
    constexpr std::int64_t a_year = 365LL * 24 * 3600;  // a date's wait is capped like delay-seconds
    expected = milliseconds(from_now > 0 ? std::min(from_now, a_year) * 1000 : 0);
  }
  // The library caps a number too big to read at a year before it looks at what follows the digits.
  const bool overflow_then_text = !expected && wait && v.find_first_not_of("0123456789") != std::string_view::npos &&
                                  v.find_first_not_of("0123456789") >= 19;
  allow_sign = true;
  const bool lenient_date = !expected && reference_date(v).has_value();
  allow_sign = false;
  check(wait.has_value() == expected.has_value() && (!wait || *wait == *expected),
        overflow_then_text ? "retry_after.overflow_then_text"
                           : (lenient_date ? "retry_after.lenient_numbers" : "retry_after.wait"),
        [&] {
          return shown(text) + ": " + (wait ? std::to_string(wait->count()) + " ms" : std::string("nothing")) +
                 ", expected " + (expected ? std::to_string(expected->count()) + " ms" : std::string("nothing"));
        });
  check(!wait || wait->count() >= 0, "retry_after.not_negative", [&] { return shown(text); });
  return 0;
}
