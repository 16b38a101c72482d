// Retry-After and HTTP-date parsing (RFC 9110 §5.6.7: IMF-fixdate, RFC 850 and asctime forms).
#include <odoosync/http/retry_after.hpp>

#include <array>
#include <charconv>
#include <vector>

namespace odoosync {
inline namespace v0 {
namespace http {

namespace {
int month_index(std::string_view m) {
  static constexpr std::array<std::string_view, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < months.size(); ++i)
    if (months[i] == m) return static_cast<int>(i) + 1;
  return 0;
}

// Unsigned decimal digits only: from_chars alone would take "-7" as a number of seconds or a day.
bool number(std::string_view s, int& out) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

bool hms(std::string_view s, int& h, int& m, int& sec) {
  return s.size() == 8 && s[2] == ':' && s[5] == ':' && number(s.substr(0, 2), h) && number(s.substr(3, 2), m) &&
         number(s.substr(6, 2), sec) && h < 24 && m < 60 && sec <= 60;
}

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) parts.push_back(s.substr(i, j - i));
    i = j;
  }
  return parts;
}

std::optional<std::chrono::sys_seconds> make(int y, int mon, int d, int h, int m, int s) {
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mon)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return sys_seconds{sys_days{ymd}} + hours{h} + minutes{m} + seconds{s};
}
}  // namespace

std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view v) {
  auto p = split(v);
  int d = 0, y = 0, h = 0, m = 0, s = 0;
  if (p.size() == 6 && p[0].size() == 4 && p[0][3] == ',' && p[5] == "GMT") {
    // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
    int mon = month_index(p[2]);
    if (mon && p[1].size() <= 2 && number(p[1], d) && p[3].size() == 4 && number(p[3], y) && hms(p[4], h, m, s))
      return make(y, mon, d, h, m, s);
    return std::nullopt;
  }
  if (p.size() == 4 && !p[0].empty() && p[0].back() == ',' && p[3] == "GMT") {
    // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT (two-digit years within 50 years of now, as RFC 9110 says;
    // we take 70..99 as 19xx, which is right for any date a server sends today)
    auto dm = p[1];
    if (dm.size() != 9 || dm[2] != '-' || dm[6] != '-') return std::nullopt;
    int mon = month_index(dm.substr(3, 3));
    if (mon && number(dm.substr(0, 2), d) && number(dm.substr(7, 2), y) && hms(p[2], h, m, s))
      return make(y < 70 ? 2000 + y : 1900 + y, mon, d, h, m, s);
    return std::nullopt;
  }
  if (p.size() == 5 && p[0].size() == 3) {
    // asctime: Sun Nov  6 08:49:37 1994
    int mon = month_index(p[1]);
    if (mon && p[2].size() <= 2 && number(p[2], d) && hms(p[3], h, m, s) && p[4].size() == 4 && number(p[4], y))
      return make(y, mon, d, h, m, s);
  }
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, Clock::wall_time now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (value.front() >= '0' && value.front() <= '9') {
    for (char c : value)
      if (c < '0' || c > '9') return std::nullopt;  // delay-seconds is digits and nothing else
    long long secs = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
    if (ec == std::errc::result_out_of_range) return std::chrono::milliseconds(std::chrono::hours(24 * 365));
    if (ec != std::errc{} || p != value.data() + value.size()) return std::nullopt;
    constexpr long long a_year = 365LL * 24 * 3600;
    return std::chrono::milliseconds((secs > a_year ? a_year : secs) * 1000);
  }
  auto when = parse_http_date(value);
  if (!when) return std::nullopt;
  // In seconds: a date centuries away is beyond the clock's nanoseconds, and the wait is capped at a year
  // like delay-seconds.
  using namespace std::chrono;
  const auto now_s = floor<seconds>(now);
  if (*when <= now_s) return milliseconds(0);
  constexpr auto a_year = hours(24 * 365);
  if (*when - now_s >= a_year) return duration_cast<milliseconds>(a_year);
  return duration_cast<milliseconds>(*when - now_s) - duration_cast<milliseconds>(now - now_s);
}

}  // namespace http
}  // namespace v0
}  // namespace odoosync
