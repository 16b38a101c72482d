// Private: the two facts about strings that every retail rule asks, shared by refs.cpp and the event files (event_*.cpp).
#pragma once

#include <cstddef>
#include <string_view>

namespace odoosync::retail::detail {

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

}  // namespace odoosync::retail::detail
