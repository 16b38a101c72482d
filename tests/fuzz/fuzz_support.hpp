// What the libFuzzer targets share: an invariant check that says which invariant broke before it aborts.
//
//   check(cond, "decimal.round_trip", [&] { return "text: " + text; });
//
// A broken invariant prints "fuzz: invariant <id> broken: <detail>" and aborts, so libFuzzer saves the
// input as a crash. ODOOSYNC_FUZZ_KNOWN (a comma-separated list of ids) names invariants already reported
// as broken: those are counted and reported once, not aborted on, so that a long run can look for
// anything else while the fix is pending (docs/fuzzing.md). Sanitizer reports cannot be skipped this way.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

namespace odoosync_fuzz {

inline const std::set<std::string, std::less<>>& known_broken() {
  static const std::set<std::string, std::less<>> ids = [] {
    std::set<std::string, std::less<>> out;
    const char* env = std::getenv("ODOOSYNC_FUZZ_KNOWN");
    std::string_view s = env ? env : "";
    while (!s.empty()) {
      const auto comma = s.find(',');
      const std::string_view id = s.substr(0, comma);
      if (!id.empty()) out.emplace(id);
      if (comma == std::string_view::npos) break;
      s.remove_prefix(comma + 1);
    }
    return out;
  }();
  return ids;
}

// Shows bytes readably in a failure message: printable ASCII as is, the rest as \xNN, cut at 300.
inline std::string shown(std::string_view s) {
  std::string out;
  for (unsigned char c : s.substr(0, 300)) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out += static_cast<char>(c);
    } else {
      static constexpr char hex[] = "0123456789ABCDEF";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  if (s.size() > 300) out += "...";
  return out;
}

// The known ids already shown in this run: each is shown once, and its detail is not even built again.
inline std::set<std::string, std::less<>>& reported_known() {
  static std::set<std::string, std::less<>> ids;
  return ids;
}

inline void broken(std::string_view id, const std::string& text) {
  if (known_broken().count(id)) {
    reported_known().emplace(id);
    std::fprintf(stderr, "fuzz: known broken invariant %.*s (ODOOSYNC_FUZZ_KNOWN), not aborting: %s\n",
                 static_cast<int>(id.size()), id.data(), text.c_str());
    return;
  }
  std::fprintf(stderr, "fuzz: invariant %.*s broken: %s\n", static_cast<int>(id.size()), id.data(), text.c_str());
  std::abort();
}

template <class Detail>
inline void check(bool ok, std::string_view id, Detail&& detail) {
  if (ok || reported_known().count(id)) return;
  broken(id, detail());
}

inline void check(bool ok, std::string_view id) {
  check(ok, id, [] { return std::string(); });
}

}  // namespace odoosync_fuzz

namespace odoosync_fuzz {

// True when `id` is listed in ODOOSYNC_FUZZ_KNOWN: a target then steps over the inputs that trigger that
// reported bug (for bugs a sanitizer reports, which check() cannot skip).
inline bool known(std::string_view id) { return known_broken().count(id) != 0; }

// Reported bug json.exponent_overflow: json::to_number adds the exponent (read into a long) to the
// position of the first significant digit without checking, which overflows (signed, UB) for a number out
// of double's range with an exponent near LONG_MIN or LONG_MAX, e.g. 0.01e-9223372036854775808. True if
// `text` has an 'e' or 'E' followed (after an optional sign) by 18 digits or more.
inline bool has_huge_exponent(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != 'e' && text[i] != 'E') continue;
    std::size_t j = i + 1;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
    std::size_t k = j;
    while (k < text.size() && text[k] >= '0' && text[k] <= '9') ++k;
    if (k - j >= 18) return true;
  }
  return false;
}

// The inputs a target steps over while their bug is listed in ODOOSYNC_FUZZ_KNOWN (JSON texts).
inline bool skip_known_json(std::string_view text) {
  return known("json.exponent_overflow") && has_huge_exponent(text);
}

}  // namespace odoosync_fuzz
