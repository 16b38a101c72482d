// libFuzzer target: any bytes into json::parse (and the SAX reader json::parse_sax, which decoders use).
// Invariants: what parse accepts has only finite numbers, valid UTF-8 strings and no deeper nesting than
// the limit; every number it accepted is the one the text says (integers exactly, reals the same double
// as glibc's correctly rounded strtod); the document serialises (json::to_string and json::Writer alike)
// to a text that parses to an equal document and serialises to the same text again.
#include <odoosync/core/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"

namespace json = odoosync::json;
using odoosync_fuzz::check;
using odoosync_fuzz::shown;

namespace {

// Walks a value: every double finite, every string and key valid UTF-8, depth within `max_depth`.
void walk(const json::Value& v, unsigned depth, unsigned max_depth) {
  if (v.IsDouble()) {
    check(std::isfinite(v.GetDouble()), "json.finite", [&] { return std::to_string(v.GetDouble()); });
  } else if (v.IsString()) {
    check(!json::find_invalid_utf8(json::text(v)), "json.utf8", [&] { return shown(json::text(v)); });
  } else if (v.IsArray()) {
    check(depth + 1 <= max_depth, "json.depth");
    for (const auto& e : v.GetArray()) walk(e, depth + 1, max_depth);
  } else if (v.IsObject()) {
    check(depth + 1 <= max_depth, "json.depth");
    for (const auto& m : v.GetObject()) {
      check(!json::find_invalid_utf8(json::text(m.name)), "json.utf8", [&] { return shown(json::text(m.name)); });
      walk(m.value, depth + 1, max_depth);
    }
  }
}

// Collects every number as the text gave it (parse_sax with raw numbers).
struct RawNumbers {
  std::vector<std::string> numbers;
  bool Null() { return true; }
  bool Bool(bool) { return true; }
  bool Int(int) { return true; }
  bool Uint(unsigned) { return true; }
  bool Int64(std::int64_t) { return true; }
  bool Uint64(std::uint64_t) { return true; }
  bool Double(double) { return true; }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    numbers.emplace_back(s, n);
    return true;
  }
  bool String(const char*, rapidjson::SizeType, bool) { return true; }
  bool Key(const char*, rapidjson::SizeType, bool) { return true; }
  bool StartObject() { return true; }
  bool EndObject(rapidjson::SizeType) { return true; }
  bool StartArray() { return true; }
  bool EndArray(rapidjson::SizeType) { return true; }
};

bool same_double(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Equal in type, value and order (RapidJSON's own operator== looks members up by name, which a text with
// a key given twice defeats). Doubles compare bit for bit, so -0.0 and 0.0 differ.
bool identical(const json::Value& a, const json::Value& b) {
  if (a.GetType() != b.GetType()) return false;
  if (a.IsNumber()) {
    if (a.IsDouble() != b.IsDouble() || a.IsInt64() != b.IsInt64() || a.IsUint64() != b.IsUint64()) return false;
    if (a.IsDouble()) return same_double(a.GetDouble(), b.GetDouble());
    return a.IsUint64() ? a.GetUint64() == b.GetUint64() : a.GetInt64() == b.GetInt64();
  }
  if (a.IsString()) return json::text(a) == json::text(b);
  if (a.IsArray()) {
    if (a.Size() != b.Size()) return false;
    for (rapidjson::SizeType i = 0; i < a.Size(); ++i)
      if (!identical(a[i], b[i])) return false;
    return true;
  }
  if (a.IsObject()) {
    if (a.MemberCount() != b.MemberCount()) return false;
    for (auto x = a.MemberBegin(), y = b.MemberBegin(); x != a.MemberEnd(); ++x, ++y)
      if (json::text(x->name) != json::text(y->name) || !identical(x->value, y->value)) return false;
    return true;
  }
  return true;  // null, true, false: the type says it all
}

// to_number against the C library: the integer as strtoll/strtoull read it, a real as strtod does.
void check_number(const std::string& t) {
  const json::Number n = json::to_number(t);
  using K = json::Number::Kind;
  check(n.kind == K::int64 || n.kind == K::uint64 || n.kind == K::real, "json.number_kind",
        [&] { return "parse accepted " + t + " but to_number says it is not a number in range"; });
  const bool integral = t.find_first_of(".eE") == std::string::npos;
  if (n.kind == K::int64) {
    check(integral && std::strtoll(t.c_str(), nullptr, 10) == n.i, "json.number_int", [&] { return t; });
  } else if (n.kind == K::uint64) {
    check(integral && t[0] != '-' && std::strtoull(t.c_str(), nullptr, 10) == n.u &&
              n.u > static_cast<std::uint64_t>(INT64_MAX),
          "json.number_uint", [&] { return t; });
  } else if (n.kind == K::real) {
    const double ref = std::strtod(t.c_str(), nullptr);
    check(std::isfinite(n.d), "json.finite", [&] { return t; });
    check(same_double(n.d, ref), "json.number_real", [&] {
      char buf[96];
      std::snprintf(buf, sizeof buf, " read as %.17g, strtod says %.17g", n.d, ref);
      return t + buf;
    });
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (odoosync_fuzz::skip_known_json(text)) return 0;
  const json::Limits limits{};
  auto doc = json::parse(text, limits);

  // The SAX reader with raw numbers accepts whatever parse accepts (parse refuses more: numbers out of
  // range, surrogate escapes).
  RawNumbers raw;
  auto sax = json::parse_sax<json::parse_flags, true>(text, raw, limits);
  if (!doc) {
    check(!doc.error().message().empty(), "json.error_says_why");
    return 0;
  }
  check(static_cast<bool>(sax), "json.sax_agrees", [&] { return sax.error().message(); });
  for (const auto& n : raw.numbers) check_number(n);

  walk(doc.value(), 0, limits.max_depth);

  const std::string once = json::to_string(doc.value());
  json::Writer w;
  w.value(doc.value());
  auto written = w.view();
  check(written && written.value() == once, "json.writer_agrees",
        [&] { return written ? shown(written.value()) + " vs " + shown(once) : written.error().message(); });

  auto back = json::parse(once, limits);
  check(static_cast<bool>(back), "json.round_trip_parses", [&] { return shown(once) + ": " + back.error().message(); });
  check(identical(back.value(), doc.value()), "json.round_trip_equal", [&] { return shown(once); });
  const std::string twice = json::to_string(back.value());
  check(twice == once, "json.round_trip_text", [&] { return shown(once) + " then " + shown(twice); });
  return 0;
}
