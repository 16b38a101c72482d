// JSON over RapidJSON: a reader with limits on size and depth that reports a protocol error instead
// of crashing, and a writer into a reusable buffer that escapes everything and refuses invalid UTF-8.
// This header exposes RapidJSON types on purpose (responses are read in place, without a copy); the
// rest of the public headers do not include it.
#pragma once

#ifndef RAPIDJSON_HAS_STDSTRING
#define RAPIDJSON_HAS_STDSTRING 1
#endif
#include <rapidjson/document.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <odoosync/core/result.hpp>

namespace odoosync {
inline namespace v0 {
namespace json {

using Document = rapidjson::Document;
using Value = rapidjson::Value;

struct Limits {
  std::size_t max_bytes = std::size_t{64} << 20;  // whole text
  unsigned max_depth = 128;                       // nested arrays and objects
};

// Numbers are never converted by RapidJSON (its 1.1 full-precision path aborts on some inputs and reads
// others wrong, e.g. 0.184467440737095516159 as 4.7e-38): the reader takes them as text and converts
// them here, exactly. An integer that fits is an int64 (or uint64); anything else is the nearest
// double (std::from_chars, correctly rounded); a magnitude beyond the largest double is refused as
// "number out of range" rather than read as infinity. Values below the smallest double read as zero.
struct Number {
  enum class Kind { int64, uint64, real, out_of_range, invalid } kind = Kind::invalid;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double d = 0;
};
Number to_number(std::string_view json_number) noexcept;

// The byte offset of the first invalid UTF-8 sequence (overlong forms, surrogates and code points above
// U+10FFFF are invalid), or nothing if the text is valid.
std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept;

// Parses a whole JSON text. Errors are ErrorKind::protocol naming the byte offset and the cause:
// too large, too deep, invalid UTF-8, syntax, trailing content.
result<Document> parse(std::string_view text, const Limits& limits = {});
// Same, into an existing document, so its allocator's memory can be reused across calls.
result<void> parse_into(Document& doc, std::string_view text, const Limits& limits = {});

// The text of a string value (empty for any other type), without copying it.
inline std::string_view text(const Value& v) noexcept {
  return v.IsString() ? std::string_view(v.GetString(), v.GetStringLength()) : std::string_view();
}

// Member lookup that never asserts: nullptr when `v` is not an object or has no such key.
const Value* find(const Value& v, std::string_view key) noexcept;

// Serialises a value (or a whole document) to compact JSON.
std::string to_string(const Value& v);

// A streaming writer into a buffer that survives clear(), so building many requests allocates once.
// Strings are checked for UTF-8 first; the first invalid one poisons the writer and error() says where.
class Writer {
 public:
  Writer() : writer_(buffer_) {}
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void clear() {
    buffer_.Clear();
    writer_.Reset(buffer_);
    error_.reset();
    strings_ = 0;
  }

  Writer& begin_object() {
    writer_.StartObject();
    return *this;
  }
  Writer& end_object() {
    writer_.EndObject();
    return *this;
  }
  Writer& begin_array() {
    writer_.StartArray();
    return *this;
  }
  Writer& end_array() {
    writer_.EndArray();
    return *this;
  }
  Writer& key(std::string_view k) {
    if (checked(k)) writer_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    return *this;
  }
  Writer& string(std::string_view s) {
    if (checked(s)) writer_.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return *this;
  }
  Writer& null() {
    writer_.Null();
    return *this;
  }
  Writer& boolean(bool b) {
    writer_.Bool(b);
    return *this;
  }
  Writer& integer(std::int64_t i) {
    writer_.Int64(i);
    return *this;
  }
  Writer& unsigned_integer(std::uint64_t u) {
    writer_.Uint64(u);
    return *this;
  }
  // Shortest round-trip form. NaN and infinity have no JSON form and poison the writer.
  Writer& number(double d);
  // An already formatted decimal number, written as is (fixed-point amounts): must match JSON's grammar.
  Writer& decimal(std::string_view digits);
  // A whole JSON text produced elsewhere (a cached fragment); checked for UTF-8, not re-parsed.
  Writer& raw(std::string_view json_text);
  Writer& value(const Value& v);

  // Key plus value in one call, for the common object member.
  Writer& member(std::string_view k, std::string_view s) { return key(k).string(s); }
  Writer& member(std::string_view k, const char* s) { return key(k).string(s); }  // not the bool overload
  Writer& member(std::string_view k, std::int64_t i) { return key(k).integer(i); }
  Writer& member(std::string_view k, bool b) { return key(k).boolean(b); }

  bool complete() const { return writer_.IsComplete(); }
  const std::optional<Error>& error() const { return error_; }
  // The text so far: an error if a string was invalid or the value is not complete.
  result<std::string_view> view() const;
  std::string_view unchecked_view() const { return {buffer_.GetString(), buffer_.GetSize()}; }

 private:
  bool checked(std::string_view s) {
    ++strings_;
    if (error_) return false;
    if (auto bad = find_invalid_utf8(s)) {
      poison(*bad);
      return false;
    }
    return true;
  }
  void poison(std::size_t offset);

  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
  std::optional<Error> error_;
  std::size_t strings_ = 0;
};

namespace detail {
// Counts nesting and refuses to go deeper than the limit, so hostile input cannot exhaust the stack.
template <class Inner>
struct DepthLimitedHandler {
  Inner& inner;
  unsigned max_depth;
  bool convert_numbers = true;
  unsigned depth = 0;
  bool too_deep = false;
  bool bad_number = false;

  bool Null() { return inner.Null(); }
  bool Bool(bool b) { return inner.Bool(b); }
  bool Int(int i) { return inner.Int(i); }
  bool Uint(unsigned u) { return inner.Uint(u); }
  bool Int64(std::int64_t i) { return inner.Int64(i); }
  bool Uint64(std::uint64_t u) { return inner.Uint64(u); }
  bool Double(double d) { return inner.Double(d); }
  // With convert_numbers, RapidJSON hands every number over as text (kParseNumbersAsStringsFlag) and it
  // reaches the inner handler converted by to_number; one out of range stops the parse.
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    if (!convert_numbers) return inner.RawNumber(s, n, copy);
    const Number num = to_number(std::string_view(s, n));
    switch (num.kind) {
      case Number::Kind::int64:  // the narrowest call, as RapidJSON makes it
        if (num.i >= 0 && num.i <= 0xFFFFFFFFLL) return inner.Uint(static_cast<unsigned>(num.i));
        if (num.i < 0 && num.i >= INT32_MIN) return inner.Int(static_cast<int>(num.i));
        return num.i >= 0 ? inner.Uint64(static_cast<std::uint64_t>(num.i)) : inner.Int64(num.i);
      case Number::Kind::uint64: return inner.Uint64(num.u);
      case Number::Kind::real: return inner.Double(num.d);
      default: bad_number = true; return false;
    }
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return inner.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return inner.Key(s, n, copy); }
  bool StartObject() { return enter() && inner.StartObject(); }
  bool EndObject(rapidjson::SizeType n) {
    --depth;
    return inner.EndObject(n);
  }
  bool StartArray() { return enter() && inner.StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth;
    return inner.EndArray(n);
  }

  bool enter() {
    if (++depth > max_depth) {
      too_deep = true;
      return false;
    }
    return true;
  }
};

Error parse_error(rapidjson::ParseErrorCode code, std::size_t offset, bool too_deep, unsigned max_depth,
                  bool bad_number = false);
Error nul_error(std::size_t offset);
}  // namespace detail

// The flags parse() and parse_sax() use: numbers as text, converted by to_number.
inline constexpr unsigned parse_flags = rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag;

// Runs a SAX handler (RapidJSON's Handler concept) over a text under the same limits as parse().
// Typed decoders use this to go from bytes to structs without building a document. Numbers reach the
// handler converted (Int64, Uint64 or Double, see to_number) unless Flags is given without
// kParseNumbersAsStringsFlag's conversion, i.e. a caller that asks for RawNumber explicitly passes
// raw_numbers = true.
template <unsigned Flags = parse_flags, bool RawNumbers = false, class Handler>
result<void> parse_sax(std::string_view text, Handler& handler, const Limits& limits = {}) {
  if (text.size() > limits.max_bytes) {
    return Error::protocol("JSON text of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                           std::to_string(limits.max_bytes) + " bytes");
  }
  static_assert((Flags & rapidjson::kParseFullPrecisionFlag) == 0, "numbers are converted by json::to_number");
  detail::DepthLimitedHandler<Handler> limited{handler, limits.max_depth};
  limited.convert_numbers = !RawNumbers;
  rapidjson::MemoryStream ms(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> is(ms);
  rapidjson::Reader reader;
  rapidjson::ParseResult r =
      reader.Parse<Flags | rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag>(is, limited);
  // RapidJSON takes a NUL byte for the end of the text: whatever follows one is refused, never ignored.
  if (!r.IsError() && is.Tell() != text.size()) return detail::nul_error(is.Tell());
  if (r.IsError())
    return detail::parse_error(r.Code(), r.Offset(), limited.too_deep, limits.max_depth, limited.bad_number);
  return success();
}

}  // namespace json
}  // namespace v0
}  // namespace odoosync
