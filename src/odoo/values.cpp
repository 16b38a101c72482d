// Decimal, dates, base64, Values and Commands: the encodings of Odoo's field values.
#include <odoosync/core/json.hpp>
#include <odoosync/odoo/values.hpp>

#include <array>
#include <charconv>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {
namespace odoo {

result<Decimal> Decimal::parse(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Error::validation(fmt::format("'{}' is not a decimal number: {}", text.substr(0, 40), why));
  };
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return bad("no digits");
  std::int64_t units = 0;
  int digits = 0, scale = 0;
  bool dot = false, any_digit = false;
  for (char c : s) {
    if (c == '.') {
      if (dot) return bad("two decimal points");
      dot = true;
      continue;
    }
    if (c < '0' || c > '9') return bad("only digits, one '.' and a leading sign are allowed");
    any_digit = true;
    // The integer part's leading zeros are not counted: "0.123456789012345678", as to_string writes 18
    // decimals, parses back (fuzz: decimal.round_trip_19_digits). Every decimal counts (scale ≤ 18).
    if (!dot && units == 0 && c == '0') continue;
    if (++digits > 18) return bad("more than 18 digits (leading zeros aside)");
    units = units * 10 + (c - '0');
    if (dot) ++scale;
  }
  if (!any_digit) return bad("no digits");
  if (dot && s.back() == '.') return bad("no digits after the decimal point");
  return Decimal{negative ? -units : units, static_cast<std::uint8_t>(scale)};
}

std::string Decimal::to_string() const {
  std::string digits = std::to_string(units < 0 ? -units : units);
  if (scale > 0) {
    if (digits.size() <= scale) digits.insert(0, scale - digits.size() + 1, '0');
    digits.insert(digits.size() - scale, ".");
  }
  return units < 0 ? "-" + digits : digits;
}

__extension__ typedef __int128 i128;

bool operator==(const Decimal& a, const Decimal& b) noexcept {
  // Bring both to the larger scale in 128 bits: int64 units times 10^scale (scale up to 18 apart)
  // overflow 64 bits (fuzz_decimal found 1000 scaled by 10^16), never 128; beyond, compare by division.
  // Once a side is past `limit`, ten times it still fits, and it can no longer equal the other side.
  const i128 limit = static_cast<i128>(INT64_MAX) * 1000000000000000000LL;
  i128 x = a.units, y = b.units;
  int sa = a.scale, sb = b.scale;
  for (; sa < sb && x <= limit && x >= -limit; ++sa) x *= 10;
  for (; sb < sa && y <= limit && y >= -limit; ++sb) y *= 10;
  return sa == sb && x == y;
}

namespace {
bool fixed_number(std::string_view s, unsigned& out) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{};
}
}  // namespace

result<Date> Date::parse(std::string_view text) {
  unsigned y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !fixed_number(text.substr(0, 4), y) ||
      !fixed_number(text.substr(5, 2), m) || !fixed_number(text.substr(8, 2), d)) {
    return Error::validation(fmt::format("'{}' is not a date in Odoo's form YYYY-MM-DD", text.substr(0, 40)));
  }
  std::chrono::year_month_day ymd{std::chrono::year{static_cast<int>(y)}, std::chrono::month{m}, std::chrono::day{d}};
  if (!ymd.ok()) return Error::validation(fmt::format("'{}' is not a calendar date", text));
  return Date{static_cast<int>(y), m, d};
}

std::string Date::to_string() const { return fmt::format("{:04}-{:02}-{:02}", year, month, day); }

result<DateTime> DateTime::parse(std::string_view text) {
  unsigned h = 0, mi = 0, s = 0;
  if (text.size() != 19 || text[10] != ' ' || text[13] != ':' || text[16] != ':' ||
      !fixed_number(text.substr(11, 2), h) || !fixed_number(text.substr(14, 2), mi) ||
      !fixed_number(text.substr(17, 2), s) || h > 23 || mi > 59 || s > 59) {
    return Error::validation(
        fmt::format("'{}' is not a UTC datetime in Odoo's form YYYY-MM-DD HH:MM:SS", text.substr(0, 40)));
  }
  auto d = Date::parse(text.substr(0, 10));
  if (!d) return d.error();
  return DateTime{d.value(), h, mi, s};
}

result<DateTime> DateTime::parse_truncated(std::string_view text) {
  if (text.size() > 20 && text[19] == '.') {
    std::string_view frac = text.substr(20);
    if (frac.size() <= 6 && frac.find_first_not_of("0123456789") == std::string_view::npos)
      return parse(text.substr(0, 19));
  }
  return parse(text);
}

std::chrono::sys_seconds DateTime::to_sys() const {
  using namespace std::chrono;
  const sys_days day{year_month_day{year{date.year}, month{date.month}, std::chrono::day{date.day}}};
  return day + hours{hour} + minutes{minute} + seconds{second};
}

DateTime DateTime::from_sys(std::chrono::sys_seconds t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> hms{t - day};
  return DateTime{Date{int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day())}, unsigned(hms.hours().count()),
                  unsigned(hms.minutes().count()), unsigned(hms.seconds().count())};
}

std::string DateTime::to_string() const {
  return fmt::format("{} {:02}:{:02}:{:02}", date.to_string(), hour, minute, second);
}

namespace {
constexpr char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    auto n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
             static_cast<unsigned char>(bytes[i + 2]);
    out += b64[(n >> 18) & 63];
    out += b64[(n >> 12) & 63];
    out += b64[(n >> 6) & 63];
    out += b64[n & 63];
  }
  if (std::size_t rest = bytes.size() - i; rest > 0) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += b64[(n >> 18) & 63];
    out += b64[(n >> 12) & 63];
    out += rest == 2 ? b64[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

result<std::string> base64_decode(std::string_view text) {
  std::array<int, 256> map;
  map.fill(-1);
  for (int k = 0; k < 64; ++k) map[static_cast<unsigned char>(b64[k])] = k;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  unsigned acc = 0;
  int bits = 0;
  std::size_t pad = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n' || c == '\r') continue;  // Odoo may wrap long values
    if (c == '=') {
      ++pad;
      continue;
    }
    if (pad > 0 || map[c] < 0) {
      return Error::validation(fmt::format("invalid base64 at character {}", i));
    }
    acc = (acc << 6) | static_cast<unsigned>(map[c]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  if (pad > 2) return Error::validation("invalid base64 padding");
  return out;
}

namespace {
template <class F>
std::string encode(F&& f) {
  json::Writer w;
  f(w);
  return std::string(w.unchecked_view());
}
}  // namespace

Values& Values::set(std::string_view field, std::string_view v) {
  members_.emplace_back(field, encode([&](json::Writer& w) { w.string(v); }));
  return *this;
}
Values& Values::set(std::string_view field, bool v) {
  members_.emplace_back(field, v ? "true" : "false");
  return *this;
}
Values& Values::set(std::string_view field, std::int64_t v) {
  members_.emplace_back(field, std::to_string(v));
  return *this;
}
Values& Values::set(std::string_view field, Decimal v) {
  members_.emplace_back(field, v.to_string());
  return *this;
}
Values& Values::set(std::string_view field, const Date& v) { return set(field, std::string_view(v.to_string())); }
Values& Values::set(std::string_view field, const DateTime& v) { return set(field, std::string_view(v.to_string())); }
Values& Values::set(std::string_view field, const Values& nested) {
  members_.emplace_back(field, nested.to_json());
  return *this;
}
Values& Values::set(std::string_view field, const std::vector<std::int64_t>& ids) {
  std::string s = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(ids[i]);
  }
  s += ']';
  members_.emplace_back(field, std::move(s));
  return *this;
}
Values& Values::set(std::string_view field, const std::vector<Command>& commands) {
  std::string s = "[";
  for (std::size_t i = 0; i < commands.size(); ++i) {
    if (i) s += ',';
    s += commands[i].to_json();
  }
  s += ']';
  members_.emplace_back(field, std::move(s));
  return *this;
}
Values& Values::set_json(std::string_view field, std::string_view raw_json) {
  members_.emplace_back(field, std::string(raw_json));
  return *this;
}
Values& Values::clear(std::string_view field) { return set(field, false); }

std::string Values::to_json() const {
  json::Writer w;
  w.begin_object();
  for (const auto& [k, v] : members_) w.key(k).raw(v);
  w.end_object();
  return std::string(w.unchecked_view());  // strings were encoded (and escaped) when set
}

Command Command::create(const Values& vals) { return Command("[0,0," + vals.to_json() + "]"); }
Command Command::update(std::int64_t id, const Values& vals) {
  return Command("[1," + std::to_string(id) + "," + vals.to_json() + "]");
}
Command Command::remove(std::int64_t id) { return Command("[2," + std::to_string(id) + ",0]"); }
Command Command::unlink(std::int64_t id) { return Command("[3," + std::to_string(id) + ",0]"); }
Command Command::link(std::int64_t id) { return Command("[4," + std::to_string(id) + ",0]"); }
Command Command::clear() { return Command("[5,0,0]"); }
Command Command::set(const std::vector<std::int64_t>& ids) {
  std::string s = "[6,0,[";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(ids[i]);
  }
  return Command(s + "]]");
}

}  // namespace odoo
}  // namespace v0
}  // namespace odoosync
