#include <odoosync/retail/refs.hpp>

#include <odoosync/core/json.hpp>

#include "text.hpp"

namespace odoosync {
inline namespace v0 {
namespace retail {
namespace rules {
namespace {

using detail::count_chars;
using detail::has_control_chars;

std::string text_rule(std::string_view s, std::size_t max) {
  if (s.empty()) return "must not be empty";
  if (!detail::printable_ascii(s)) {  // else: valid UTF-8, one character a byte, no control characters
    if (json::find_invalid_utf8(s)) return "must be valid UTF-8";
    if (count_chars(s) > max) return "must be at most " + std::to_string(max) + " characters";
    if (has_control_chars(s)) return "must not contain control characters";
  } else if (s.size() > max) {
    return "must be at most " + std::to_string(max) + " characters";
  }
  if (s.front() == ' ' || s.back() == ' ') return "must not start or end with a space";
  return {};
}

bool gtin_check_ok(std::string_view digits, char& expected) {
  int sum = 0;
  const std::size_t n = digits.size();
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const int d = digits[i] - '0';
    // weights 3,1,3,... counted from the digit next to the check digit
    sum += ((n - 1 - i) % 2 == 1) ? d * 3 : d;
  }
  expected = static_cast<char>('0' + (10 - sum % 10) % 10);
  return digits.back() == expected;
}

}  // namespace

std::string check_sku(std::string_view s) {
  std::string r = text_rule(s, 64);
  if (r.empty() && s.find('@') != std::string_view::npos) r = "must not contain \"@\"";
  return r;
}

std::string check_reference(std::string_view s) { return text_rule(s, 64); }

std::string check_tracking_number(std::string_view s) { return text_rule(s, 128); }

std::string check_barcode(std::string_view s) {
  if (s.empty()) return "must not be empty";
  if (s.size() > 48) return "must be at most 48 characters";
  bool all_digits = true;
  for (unsigned char c : s) {
    if (c < 0x21 || c > 0x7E) return "must be printable ASCII";
    all_digits = all_digits && c >= '0' && c <= '9';
  }
  if (all_digits && (s.size() == 8 || s.size() == 12 || s.size() == 13 || s.size() == 14)) {
    char expected = 0;
    if (!gtin_check_ok(s, expected)) return std::string("check digit is wrong (expected ") + expected + ")";
  }
  return {};
}

std::string check_location(std::string_view s) {
  if (s.empty()) return "must not be empty";
  if (!detail::printable_ascii(s)) {  // else: one character a byte, no control characters
    if (count_chars(s) > 128) return "must be at most 128 characters";
    if (has_control_chars(s)) return "must not contain control characters";
  } else if (s.size() > 128) {
    return "must be at most 128 characters";
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = s.find('/', start);
    const std::string_view seg =
        s.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty() || seg.front() == ' ' || seg.back() == ' ') return "must be a location such as \"WH/Stock\"";
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return {};
}

std::string check_channel(std::string_view s) {
  const std::size_t slash = s.find('/');
  const auto bad = [] { return std::string("must be a channel such as \"pos/store-12\""); };
  if (slash == std::string_view::npos) return bad();
  const std::string_view kind = s.substr(0, slash), name = s.substr(slash + 1);
  if (kind.empty() || kind.size() > 32 || !(kind[0] >= 'a' && kind[0] <= 'z')) return bad();
  for (char c : kind) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return bad();
  }
  if (name.empty() || name.size() > 64) return bad();
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '-'))
      return bad();
  }
  return {};
}

}  // namespace rules

namespace {
template <class T>
result<T> checked(std::string_view text, std::string (*rule)(std::string_view)) {
  std::string why = rule(text);
  if (!why.empty()) return Error::validation(why);
  return T{std::string(text)};
}
}  // namespace

result<Sku> Sku::parse(std::string_view t) { return checked<Sku>(t, rules::check_sku); }
result<Barcode> Barcode::parse(std::string_view t) { return checked<Barcode>(t, rules::check_barcode); }
result<LocationRef> LocationRef::parse(std::string_view t) { return checked<LocationRef>(t, rules::check_location); }
result<ChannelRef> ChannelRef::parse(std::string_view t) { return checked<ChannelRef>(t, rules::check_channel); }

}  // namespace retail
}  // namespace v0
}  // namespace odoosync
