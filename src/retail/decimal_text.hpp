// Private: exact decimal strings for Money and Quantity.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace odoosync::retail::detail {

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

struct DecimalText {
  bool ok = false;
  bool negative = false;
  bool too_many_digits = false;
  i128 digits = 0;   // all digits as one integer
  int decimals = 0;  // how many after the point
};

// -?(0|[1-9][0-9]*)(\.[0-9]+)?  — at most 18 significant digits in all.
inline DecimalText parse_decimal_text(std::string_view s) {
  DecimalText d;
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') {
    d.negative = true;
    ++i;
  }
  const std::size_t int_start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  const std::size_t int_len = i - int_start;
  if (int_len == 0 || (int_len > 1 && s[int_start] == '0')) return d;
  std::size_t frac_len = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t f = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    frac_len = i - f;
    if (frac_len == 0) return d;
  }
  if (i != s.size()) return d;
  int count = 0;
  for (char c : s) {
    if (c < '0' || c > '9') continue;
    if (count > 0 || c != '0') ++count;  // leading zeros are not significant
    if (count > 18) {
      d.too_many_digits = true;
      d.ok = true;
      return d;
    }
    d.digits = d.digits * 10 + (c - '0');
  }
  d.decimals = static_cast<int>(frac_len);
  d.ok = true;
  return d;
}

inline i128 pow10_128(int n) {
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

}  // namespace odoosync::retail::detail
