// Private: exact decimal strings for Money and Quantity.
#pragma once

#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

namespace odoosync {
inline namespace v0 {
namespace retail {
namespace detail {

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

struct DecimalText {
  bool ok = false;
  bool negative = false;
  bool too_many_digits = false;
  i128 digits = 0;   // all digits as one integer
  int decimals = 0;  // how many after the point
};

// -?(0|[1-9][0-9]*)(\.[0-9]+)?  — at most 18 significant digits in all. One pass (every amount and
// quantity of every event goes through here): the grammar is checked while the digits are summed, and
// at most 18 significant digits always fit in 64 bits.
inline DecimalText parse_decimal_text(std::string_view s) {
  DecimalText d;
  const std::size_t n = s.size();
  std::size_t i = 0;
  if (i < n && s[i] == '-') {
    d.negative = true;
    ++i;
  }
  std::uint64_t v = 0;
  int count = 0;  // significant digits so far (leading zeros are not)
  const auto add = [&](char c) {
    const auto digit = static_cast<unsigned>(c - '0');
    if (count > 0 || digit != 0) ++count;
    if (count <= 18) v = v * 10 + digit;
  };
  const std::size_t int_start = i;
  while (i < n && s[i] >= '0' && s[i] <= '9') add(s[i++]);
  const std::size_t int_len = i - int_start;
  if (int_len == 0 || (int_len > 1 && s[int_start] == '0')) return d;
  std::size_t frac_len = 0;
  if (i < n && s[i] == '.') {
    ++i;
    const std::size_t f = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') add(s[i++]);
    frac_len = i - f;
    if (frac_len == 0) return d;
  }
  if (i != n) return d;
  d.ok = true;
  if (count > 18) {
    d.too_many_digits = true;
    return d;
  }
  d.digits = v;
  d.decimals = static_cast<int>(frac_len);
  return d;
}

inline i128 pow10_128(int n) {
  constexpr std::int64_t small[] = {1, 10, 100, 1000, 10000, 100000, 1000000};  // the usual exponents
  if (n >= 0 && n < static_cast<int>(std::size(small))) return small[n];
  i128 p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

// `value` scaled by 10^-decimals, written with exactly `decimals` digits after the point (none when 0).
inline std::string format_fixed(std::int64_t value, int decimals) {
  const bool neg = value < 0;
  u128 mag = neg ? static_cast<u128>(-static_cast<i128>(value)) : static_cast<u128>(value);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(mag % 10)));
    mag /= 10;
  } while (mag != 0);
  if (decimals > 0) {
    while (static_cast<int>(digits.size()) <= decimals) digits.insert(digits.begin(), '0');
    digits.insert(digits.end() - decimals, '.');
  }
  if (neg) digits.insert(digits.begin(), '-');
  return digits;
}

}  // namespace detail
}  // namespace retail
}  // namespace v0
}  // namespace odoosync
