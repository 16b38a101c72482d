// Private: the two facts about strings that every retail rule asks, shared by refs.cpp and the event files (event_*.cpp).
#pragma once

#include <cstddef>
#include <string_view>

namespace odoosync {
inline namespace v0 {
namespace retail {
namespace detail {

// Every byte printable ASCII (0x20 … 0x7E), as almost every field of an event is: such a text is valid
// UTF-8, counts one character per byte and holds no control character and no Unicode space, so the
// checks below can be skipped (one pass instead of one per check).
inline bool printable_ascii(std::string_view s) {
  unsigned char bad = 0;  // no early exit, and a byte-wide flag: the loop vectorises
  for (unsigned char c : s) bad |= static_cast<unsigned char>(c - 0x20) > 0x5E;
  return bad == 0;
}

// Length in characters (UTF-8 code points); the text is valid UTF-8 when it comes from JSON.
inline std::size_t count_chars(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Unicode Cc: C0, DEL and the C1 controls U+0080–U+009F (C2 80 … C2 9F in UTF-8).
inline bool has_control_chars(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return true;
  }
  return false;
}

// Free text (names, notes): the controls above except tab, line feed and carriage return, which a note
// may hold. A NUL is always refused (neither PostgreSQL nor Odoo can store one).
inline bool has_control_chars_in_text(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return true;
  }
  return false;
}

// Unicode white space beyond ASCII (White_Space property): U+0085 and U+00A0, U+1680, U+2000–U+200A,
// U+2028, U+2029, U+202F, U+205F and U+3000. ASCII space and the C0 ones are the caller's to check.
inline bool has_unicode_space(std::string_view s) {
  const auto at = [&](std::size_t i) { return i < s.size() ? static_cast<unsigned char>(s[i]) : 0u; };
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned c = at(i);
    if (c == 0xC2 && (at(i + 1) == 0x85 || at(i + 1) == 0xA0)) return true;
    if (c == 0xE1 && at(i + 1) == 0x9A && at(i + 2) == 0x80) return true;
    if (c == 0xE2 && at(i + 1) == 0x80) {
      const unsigned d = at(i + 2);
      if ((d >= 0x80 && d <= 0x8A) || d == 0xA8 || d == 0xA9 || d == 0xAF) return true;
    }
    if (c == 0xE2 && at(i + 1) == 0x81 && at(i + 2) == 0x9F) return true;
    if (c == 0xE3 && at(i + 1) == 0x80 && at(i + 2) == 0x80) return true;
  }
  return false;
}

}  // namespace detail
}  // namespace retail
}  // namespace v0
}  // namespace odoosync
