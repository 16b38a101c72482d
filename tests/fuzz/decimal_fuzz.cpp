// libFuzzer target: odoo::Decimal::parse, to_string and ==. The input is one decimal text, or two
// separated by the first ',' (compared with ==).
// Invariants: parse accepts exactly the documented form ([+-]digits[.digits], no exponent, at most 18
// digits, the integer part's leading zeros aside); what it accepts prints as the canonical text of the same number (sign, integer part without
// leading zeros, the decimals as given), which parses back to the same units and scale and is a JSON number
// (json::Writer::decimal takes it); two parsed decimals are == exactly when they are the same number.
#include <odoosync/core/json.hpp>
#include <odoosync/odoo/values.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"

using odoosync::odoo::Decimal;
using odoosync_fuzz::check;
using odoosync_fuzz::shown;

namespace {

// The documented grammar, written independently: the canonical text of the number, or nothing.
std::optional<std::string> reference(std::string_view t) {
  bool negative = false;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
    negative = t[0] == '-';
    t.remove_prefix(1);
  }
  const auto dot = t.find('.');
  const std::string_view whole = t.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? std::string_view() : t.substr(dot + 1);
  for (std::string_view part : {whole, frac})
    for (char c : part)
      if (c < '0' || c > '9') return std::nullopt;  // also a second '.'
  std::string_view significant_whole = whole;       // the integer part's leading zeros do not count
  while (!significant_whole.empty() && significant_whole[0] == '0') significant_whole.remove_prefix(1);
  if (whole.size() + frac.size() == 0 || significant_whole.size() + frac.size() > 18) return std::nullopt;
  if (dot != std::string_view::npos && frac.empty()) return std::nullopt;  // "1."
  std::string_view int_part = whole;
  while (!int_part.empty() && int_part[0] == '0') int_part.remove_prefix(1);
  std::string out(int_part.empty() ? "0" : int_part);
  if (dot != std::string_view::npos) out += "." + std::string(frac);
  const bool zero = out.find_first_of("123456789") == std::string::npos;
  return negative && !zero ? "-" + out : out;
}

__int128 scaled(const Decimal& d, int scale) {
  __int128 v = d.units;
  for (int s = d.scale; s < scale; ++s) v *= 10;
  return v;
}

std::optional<Decimal> one(std::string_view text) {
  auto d = Decimal::parse(text);
  const auto ref = reference(text);
  check(d.has_value() == ref.has_value(), "decimal.grammar", [&] {
    return shown(text) +
           (d ? " accepted, the grammar refuses it" : " refused (" + d.error().message() + "), the grammar takes it");
  });
  if (!d) {
    check(!d.error().message().empty(), "decimal.error_says_why");
    return std::nullopt;
  }
  const Decimal v = d.value();
  const std::string printed = v.to_string();
  check(printed == *ref, "decimal.canonical_text",
        [&] { return shown(text) + " printed " + shown(printed) + ", expected " + shown(*ref); });
  auto again = Decimal::parse(printed);
  check(again && again.value().units == v.units && again.value().scale == v.scale, "decimal.round_trip", [&] {
    return shown(text) + " printed " + shown(printed) +
           (again ? " re-parsed to another value" : " which is refused: " + again.error().message());
  });
  odoosync::json::Writer w;
  w.decimal(printed);
  check(static_cast<bool>(w.view()), "decimal.json_number", [&] { return shown(printed); });
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto comma = text.find(',');
  if (comma == std::string_view::npos) {
    one(text);
    return 0;
  }
  const auto a = one(text.substr(0, comma));
  const auto b = one(text.substr(comma + 1));
  if (a && b) {
    const int scale = a->scale > b->scale ? a->scale : b->scale;
    // Reported bug decimal.equality_overflow: == scales the side with fewer decimals up in int64, which
    // overflows (signed, UB) when that side's units times 10^(difference) passes INT64_MAX.
    const auto fits = [](__int128 v) { return v <= INT64_MAX && v >= INT64_MIN; };
    if (odoosync_fuzz::known("decimal.equality_overflow") && !(fits(scaled(*a, scale)) && fits(scaled(*b, scale))))
      return 0;
    const bool same = scaled(*a, scale) == scaled(*b, scale);
    check((*a == *b) == same, "decimal.equality", [&] { return shown(text); });
  }
  return 0;
}
