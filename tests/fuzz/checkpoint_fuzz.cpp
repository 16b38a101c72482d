// libFuzzer target: odoo::Checkpoint::parse, and the date parsers it stands on (DateTime::parse,
// DateTime::parse_truncated, Date::parse), with the fuzzer's bytes.
// Invariants: a checkpoint that parses formats to the same text and parses back to an equal checkpoint;
// a Date or DateTime that parses formats to the same text and survives to_sys/from_sys; parse_truncated
// reads "…:SS.ffffff" as the second its first 19 characters name.
#include <odoosync/odoo/cursor.hpp>
#include <odoosync/odoo/values.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"

using namespace odoosync::odoo;
using odoosync_fuzz::check;
using odoosync_fuzz::shown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto cp = Checkpoint::parse(text)) {
    const std::string printed = cp.value().to_string();
    auto back = Checkpoint::parse(printed);
    check(back && back.value() == cp.value(), "checkpoint.round_trip",
          [&] { return shown(text) + " printed " + shown(printed); });
    // The id as written: leading zeros and "-0" parse to the number and print without them.
    const auto hash = text.rfind('#');
    const bool id_only = hash != std::string_view::npos && printed.size() > hash &&
                         printed.compare(0, hash + 1, text.substr(0, hash + 1)) == 0;
    check(printed == text, id_only ? "checkpoint.id_not_canonical" : "checkpoint.text_round_trip",
          [&] { return shown(text) + " printed " + shown(printed); });
    check(cp.value().id >= 0, "checkpoint.id_not_negative", [&] { return shown(text); });
  } else {
    check(!text.empty() && !cp.error().message().empty(), "checkpoint.error_says_why", [&] { return shown(text); });
  }

  if (auto d = Date::parse(text)) {
    check(d.value().to_string() == text, "date.text_round_trip",
          [&] { return shown(text) + " printed " + shown(d.value().to_string()); });
  }
  auto dt = DateTime::parse(text);
  if (dt) {
    const DateTime v = dt.value();
    check(v.to_string() == text, "datetime.text_round_trip",
          [&] { return shown(text) + " printed " + shown(v.to_string()); });
    check(DateTime::from_sys(v.to_sys()) == v, "datetime.sys_round_trip", [&] { return shown(text); });
    check(v.hour < 24 && v.minute < 60 && v.second < 60 && v.date.month >= 1 && v.date.month <= 12 && v.date.day >= 1 &&
              v.date.day <= 31,
          "datetime.fields_in_range", [&] { return shown(text); });
  }
  if (auto t = DateTime::parse_truncated(text)) {
    auto whole = DateTime::parse(text.substr(0, 19));
    check(whole && whole.value() == t.value(), "datetime.truncated_is_the_second", [&] { return shown(text); });
    check(text.size() == 19 || (text.size() > 20 && text.size() <= 26 && text[19] == '.'), "datetime.truncated_form",
          [&] { return shown(text); });
  } else {
    check(!dt, "datetime.truncated_takes_whole_seconds", [&] { return shown(text); });
  }
  return 0;
}
