// JSON reader limits, UTF-8 validation and the writer's non-inline parts.
#include <odoosync/core/json.hpp>

#include <rapidjson/error/en.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {
namespace json {

std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    // ASCII runs are the common case: test eight bytes at a time.
    while (i + 8 <= n) {
      std::uint64_t chunk;
      std::memcpy(&chunk, s + i, 8);
      if (chunk & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    std::uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07u;
    } else {
      return i;  // continuation byte first, C0/C1 overlong lead, or F5..FF
    }
    if (i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k) {
      const unsigned char cc = s[i + k];
      if ((cc & 0xC0u) != 0x80u) return i;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;  // overlong, out of range, or a UTF-16 surrogate
    }
    i += len;
  }
  return std::nullopt;
}

Number to_number(std::string_view t) noexcept {
  Number n;
  if (t.empty()) return n;
  const char* first = t.data();
  const char* last = t.data() + t.size();
  // RapidJSON has checked the grammar; an integer has no '.', 'e' or 'E'.
  if (t.find_first_of(".eE") == std::string_view::npos) {
    if (t.front() == '-') {
      auto [p, ec] = std::from_chars(first, last, n.i);
      if (ec == std::errc() && p == last) {
        n.kind = Number::Kind::int64;
        return n;
      }
    } else {
      auto [p, ec] = std::from_chars(first, last, n.u);
      if (ec == std::errc() && p == last) {
        if (n.u <= static_cast<std::uint64_t>(INT64_MAX)) {
          n.i = static_cast<std::int64_t>(n.u);
          n.kind = Number::Kind::int64;
        } else {
          n.kind = Number::Kind::uint64;
        }
        return n;
      }
    }
  }
  double d = 0;
  auto [p, ec] = std::from_chars(first, last, d);
  if (p != last) return n;  // not a JSON number
  if (ec == std::errc::result_out_of_range) {
    // Too small for a double reads as zero (the nearest double); too large is refused. Which one it
    // was: the decimal exponent of the first significant digit, from the text itself.
    long exp10 = 0;
    std::size_t e = t.find_first_of("eE");
    std::string_view mant = t.substr(0, e);
    if (e != std::string_view::npos) {
      long x = 0;
      const char* ep = t.data() + e + 1;
      if (ep < last && *ep == '+') ++ep;
      auto [q, ec2] = std::from_chars(ep, last, x);
      // Clamped: the exponent may be as large as the text allows (-9223372036854775808), and beyond
      // ±100000 the answer (zero, or out of range) no longer changes.
      exp10 = ec2 == std::errc() ? std::clamp(x, -100000L, 100000L) : (ep < last && *ep == '-' ? -100000 : 100000);
      (void)q;
    }
    const std::size_t dot = mant.find('.');
    const std::size_t first_sig = mant.find_first_of("123456789");
    if (first_sig == std::string_view::npos) {
      n.d = mant.front() == '-' ? -0.0 : 0.0;
      n.kind = Number::Kind::real;
      return n;
    }
    const std::size_t int_end = dot == std::string_view::npos ? mant.size() : dot;
    const long pos =
        first_sig < int_end ? static_cast<long>(int_end - first_sig - 1) : -static_cast<long>(first_sig - int_end);
    if (exp10 + pos < 0) {
      n.d = mant.front() == '-' ? -0.0 : 0.0;
      n.kind = Number::Kind::real;
    } else {
      n.kind = Number::Kind::out_of_range;
    }
    return n;
  }
  if (ec != std::errc()) return n;
  n.d = d;
  n.kind = Number::Kind::real;
  return n;
}

namespace detail {
Error nul_error(std::size_t offset) {
  return Error::protocol(fmt::format("invalid JSON at byte {}: a NUL byte (nothing may follow the value)", offset));
}
Error parse_error(rapidjson::ParseErrorCode code, std::size_t offset, bool too_deep, unsigned max_depth,
                  bool bad_number) {
  if (bad_number || code == rapidjson::kParseErrorNumberTooBig) {
    return Error::protocol(
        fmt::format("number out of range at byte {}: its magnitude exceeds the largest double", offset));
  }
  if (too_deep) {
    return Error::protocol(
        fmt::format("JSON nesting deeper than the limit of {} levels at byte {}", max_depth, offset));
  }
  if (code == rapidjson::kParseErrorStringInvalidEncoding) {
    return Error::protocol(fmt::format("invalid UTF-8 in JSON string at byte {}", offset));
  }
  return Error::protocol(fmt::format("invalid JSON at byte {}: {}", offset, rapidjson::GetParseError_En(code)));
}
}  // namespace detail

namespace {
// Escapes like \ud800 decode to surrogate code points that RapidJSON would store as invalid UTF-8 in
// 1.1.0; checking the strings of the finished document catches them without slowing the parse much.
bool strings_valid(const Value& v, std::string_view& bad) {
  if (v.IsString()) {
    std::string_view s(v.GetString(), v.GetStringLength());
    if (find_invalid_utf8(s)) {
      bad = s;
      return false;
    }
    return true;
  }
  if (v.IsArray()) {
    for (const auto& e : v.GetArray())
      if (!strings_valid(e, bad)) return false;
  } else if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      if (!strings_valid(m.name, bad) || !strings_valid(m.value, bad)) return false;
    }
  }
  return true;
}
}  // namespace

result<void> parse_into(Document& doc, std::string_view text, const Limits& limits) {
  if (text.size() > limits.max_bytes) {
    return Error::protocol(
        fmt::format("JSON text of {} bytes exceeds the limit of {} bytes", text.size(), limits.max_bytes));
  }
  rapidjson::ParseResult pr;
  bool too_deep = false;
  bool bad_number = false;
  std::optional<std::size_t> nul_at;
  auto generate = [&](Document& target) {
    detail::DepthLimitedHandler<Document> limited{target, limits.max_depth};
    rapidjson::MemoryStream ms(text.data(), text.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> is(ms);
    rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, Document::AllocatorType> reader(
        &target.GetAllocator());
    pr = reader.Parse<parse_flags>(is, limited);
    // RapidJSON takes a NUL byte for the end of the text: whatever follows one is refused, never ignored.
    if (!pr.IsError() && is.Tell() != text.size()) nul_at = is.Tell();
    too_deep = limited.too_deep;
    bad_number = limited.bad_number;
    return !pr.IsError();
  };
  doc.SetNull();
  doc.Populate(generate);
  if (pr.IsError()) {
    doc.SetNull();
    return detail::parse_error(pr.Code(), pr.Offset(), too_deep, limits.max_depth, bad_number);
  }
  if (nul_at) {
    doc.SetNull();
    return detail::nul_error(*nul_at);
  }
  // Surrogate escapes are rare: only look when the text has a \u escape at all.
  if (text.find("\\u") != std::string_view::npos || text.find("\\U") != std::string_view::npos) {
    std::string_view bad;
    if (!strings_valid(doc, bad)) {
      doc.SetNull();
      return Error::protocol("invalid UTF-16 surrogate escape in JSON string");
    }
  }
  return success();
}

result<Document> parse(std::string_view text, const Limits& limits) {
  Document doc;
  auto r = parse_into(doc, text, limits);
  if (!r) return r.error();
  return doc;
}

const Value* find(const Value& v, std::string_view key) noexcept {
  if (!v.IsObject()) return nullptr;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    if (std::string_view(it->name.GetString(), it->name.GetStringLength()) == key) return &it->value;
  }
  return nullptr;
}

std::string to_string(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

Writer& Writer::number(double d) {
  if (!std::isfinite(d)) {
    if (!error_) error_ = Error::validation("JSON cannot represent NaN or infinity");
    return *this;
  }
  writer_.Double(d);
  return *this;
}

namespace {
bool is_json_number(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size()) return false;
  if (s[i] == '0') {
    ++i;
  } else if (s[i] >= '1' && s[i] <= '9') {
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  } else {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  return i == s.size();
}
}  // namespace

Writer& Writer::decimal(std::string_view digits) {
  if (!is_json_number(digits)) {
    if (!error_) error_ = Error::validation(fmt::format("'{}' is not a JSON number", digits.substr(0, 40)));
    return *this;
  }
  writer_.RawValue(digits.data(), digits.size(), rapidjson::kNumberType);
  return *this;
}

Writer& Writer::raw(std::string_view json_text) {
  if (auto bad = find_invalid_utf8(json_text)) {
    if (!error_) error_ = Error::validation(fmt::format("invalid UTF-8 in raw JSON at byte {}", *bad));
    return *this;
  }
  writer_.RawValue(json_text.data(), json_text.size(), rapidjson::kObjectType);
  return *this;
}

Writer& Writer::value(const Value& v) {
  // Strings of a parsed document were validated on the way in; values built by hand may not have been.
  ++strings_;
  if (error_) return *this;
  std::string_view bad;
  if (!strings_valid(v, bad)) {
    error_ = Error::validation(fmt::format("invalid UTF-8 at byte {} of a string in a JSON value given to the writer",
                                           find_invalid_utf8(bad).value_or(0)));
    return *this;
  }
  v.Accept(writer_);
  return *this;
}

void Writer::poison(std::size_t offset) {
  error_ = Error::validation(
      fmt::format("invalid UTF-8 at byte {} of string #{} given to the JSON writer", offset, strings_));
}

result<std::string_view> Writer::view() const {
  if (error_) return *error_;
  if (!writer_.IsComplete()) return Error::validation("JSON writer holds an incomplete value");
  return std::string_view(buffer_.GetString(), buffer_.GetSize());
}

}  // namespace json
}  // namespace v0
}  // namespace odoosync
