// The validating walk over an event's JSON and the typed reads of an object's members (event_walk.hpp).
#include "event_walk.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "amounts.hpp"
#include "text.hpp"

namespace odoosync {
inline namespace v0 {
namespace retail {
namespace detail {

std::string Path::str() const {
  if (size_ == 0) return "(event)";
  std::string s;
  for (std::size_t i = 0; i < size_; ++i) {
    const Elem& e = elems_[i];
    s += '/';
    if (e.is_index) {
      s += std::to_string(e.n);
      continue;
    }
    for (char c : std::string_view(e.key, e.n)) {
      if (c == '~')
        s += "~0";
      else if (c == '/')
        s += "~1";
      else
        s += c;
    }
  }
  return s;
}

namespace {

// Refuses duplicate member names in an object (the walk is at the object).
void check_unique(Walk& w, const Value& obj) {
  const auto n = obj.MemberCount();
  if (n < 2) return;
  if (n <= 16) {
    // Every pair, in order. The names are gathered first (each one's length is behind a flag test), into
    // arrays left uninitialised: this runs for every object of every event.
    const char* text[16];
    rapidjson::SizeType size[16];
    std::size_t k = 0;
    for (auto m = obj.MemberBegin(); m != obj.MemberEnd(); ++m, ++k) {
      text[k] = m->name.GetString();
      size[k] = m->name.GetStringLength();
    }
    for (std::size_t a = 0; a < k; ++a) {
      for (std::size_t b = a + 1; b < k; ++b) {
        if (size[a] == size[b] && same_text({text[a], size[a]}, {text[b], size[b]})) {
          w.fail_at({text[a], size[a]}, "duplicate member");
        }
      }
    }
    return;
  }
  std::vector<std::pair<std::string_view, std::size_t>> names;
  names.reserve(n);
  std::size_t i = 0;
  for (auto m = obj.MemberBegin(); m != obj.MemberEnd(); ++m) names.emplace_back(sv(m->name), i++);
  std::sort(names.begin(), names.end());
  std::string_view first_dup;
  std::size_t first_index = SIZE_MAX;
  for (std::size_t k = 1; k < names.size(); ++k) {
    if (names[k].first == names[k - 1].first && names[k].second < first_index) {
      first_dup = names[k].first;
      first_index = names[k].second;
    }
  }
  if (first_index != SIZE_MAX) w.fail_at(first_dup, "duplicate member");
}

}  // namespace

// Recursively refuses duplicates anywhere below a value (objects inside arrays included).
void check_unique_deep(Walk& w, const Value& v) {
  if (v.IsObject()) {
    check_unique(w, v);
    check_unique_below(w, v);
  } else if (v.IsArray()) {
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      if (v[i].IsObject() || v[i].IsArray()) {
        Enter e(w, i);
        check_unique_deep(w, v[i]);
      }
    }
  }
}

void check_unique_below(Walk& w, const Value& obj) {
  for (auto m = obj.MemberBegin(); m != obj.MemberEnd(); ++m) {
    if (m->value.IsObject() || m->value.IsArray()) {
      Enter e(w, sv(m->name));
      check_unique_deep(w, m->value);
    }
  }
}

std::optional<CalendarDate> Obj::opt_date(std::string_view key) {
  const Value* m = find(key);
  if (!m) return std::nullopt;
  Enter e(w_, key);
  if (!m->IsString()) w_.fail("must be a string");
  auto d = CalendarDate::parse(sv(*m));
  if (!d) w_.fail(d.error().message());
  return d.value();
}

std::string Obj::text_of(std::string_view key, const Value& m, std::size_t min, std::size_t max) {
  Enter e(w_, key);
  if (!m.IsString()) w_.fail("must be a string");
  const std::string_view s = sv(m);
  if (s.empty() && min > 0) w_.fail("must not be empty");
  const bool plain = printable_ascii(s);  // one character a byte, no control characters
  const std::size_t n = plain ? s.size() : count_chars(s);
  if (n < min) w_.fail("must be at least " + std::to_string(min) + " characters");
  if (n > max) w_.fail("must be at most " + std::to_string(max) + " characters");
  if (!plain && detail::has_control_chars_in_text(s)) w_.fail("must not contain control characters");
  return std::string(s);
}
std::string Obj::ruled_of(std::string_view key, const Value& m, std::string (*rule)(std::string_view)) {
  Enter e(w_, key);
  if (!m.IsString()) w_.fail("must be a string");
  std::string why = rule(sv(m));
  if (!why.empty()) w_.fail(why);
  return std::string(sv(m));
}
Timestamp Obj::timestamp_of(std::string_view key, const Value& m) {
  Enter e(w_, key);
  if (!m.IsString()) w_.fail("must be a string");
  if (auto t = read_timestamp(sv(m))) return *t;
  w_.fail(Timestamp::parse(sv(m)).error().message());
}
void Obj::sign_check(Sign sign, bool negative, bool zero) {
  if (sign == Sign::positive && (negative || zero)) w_.fail("must be positive");
  if (sign == Sign::non_negative && negative) w_.fail("must not be negative");
  if (sign == Sign::non_zero && zero) w_.fail("must not be zero");
}
Money Obj::money_of(std::string_view key, const Value& m, Sign sign, const Currency* expected, std::string_view like) {
  Enter e(w_, key);
  if (!m.IsObject()) w_.fail("must be an object");
  Obj o(w_, m);
  const Value& amount = o.need("amount");
  if (!amount.IsString()) w_.fail_at("amount", "must be a string");
  const Value& code = o.need("currency");
  Currency c;
  {
    Enter ec(w_, "currency");
    if (!code.IsString()) w_.fail("must be a string");
    if (expected && sv(code) == expected->code()) {
      c = *expected;  // the usual case (an order's lines): no look-up in the currency table
    } else {
      auto cur = Currency::of(sv(code));
      if (!cur) w_.fail(cur.error().message());
      c = cur.value();
    }
  }
  Enter ea(w_, "amount");
  const auto minor = money_minor_units(sv(amount), c.exponent());
  if (!minor) w_.fail(Money::parse(sv(amount), c).error().message());
  const Money parsed(*minor, c);
  sign_check(sign, parsed.is_negative(), parsed.is_zero());
  if (expected && !(c == *expected)) {
    w_.path().pop();
    w_.fail_at("currency", "must be " + std::string(expected->code()) + " like " + std::string(like));
  }
  return parsed;
}
Quantity Obj::quantity_of(std::string_view key, const Value& m, Sign sign) {
  Enter e(w_, key);
  if (!m.IsObject()) w_.fail("must be an object");
  Obj o(w_, m);
  const Value& value = o.need("value");
  if (!value.IsString()) w_.fail_at("value", "must be a string");
  std::string uom = o.text("uom", 1, 32);
  Enter ev(w_, "value");
  const auto micros = quantity_micro_units(sv(value));
  if (!micros) w_.fail(Quantity::parse(sv(value)).error().message());
  Quantity q(*micros, std::move(uom));
  sign_check(sign, q.is_negative(), q.is_zero());
  return q;
}

}  // namespace detail
}  // namespace retail
}  // namespace v0
}  // namespace odoosync
