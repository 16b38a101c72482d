// The validating walk over an event's JSON and the typed reads of an object's members (event_walk.hpp).
#include "event_walk.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

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
      s += std::to_string(e.index);
      continue;
    }
    for (char c : e.key) {
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
    for (auto a = obj.MemberBegin(); a != obj.MemberEnd(); ++a) {
      for (auto b = a + 1; b != obj.MemberEnd(); ++b) {
        if (sv(a->name) == sv(b->name)) w.fail_at(sv(b->name), "duplicate member");
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
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      if (m->value.IsObject() || m->value.IsArray()) {
        Enter e(w, sv(m->name));
        check_unique_deep(w, m->value);
      }
    }
  } else if (v.IsArray()) {
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      if (v[i].IsObject() || v[i].IsArray()) {
        Enter e(w, i);
        check_unique_deep(w, v[i]);
      }
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
  const std::size_t n = count_chars(s);
  if (n < min) w_.fail("must be at least " + std::to_string(min) + " characters");
  if (n > max) w_.fail("must be at most " + std::to_string(max) + " characters");
  if (detail::has_control_chars_in_text(s)) w_.fail("must not contain control characters");
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
  auto t = Timestamp::parse(sv(m));
  if (!t) w_.fail(t.error().message());
  return t.value();
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
    auto cur = Currency::of(sv(code));
    if (!cur) w_.fail(cur.error().message());
    c = cur.value();
  }
  Enter ea(w_, "amount");
  auto parsed = Money::parse(sv(amount), c);
  if (!parsed) w_.fail(parsed.error().message());
  sign_check(sign, parsed.value().is_negative(), parsed.value().is_zero());
  if (expected && !(c == *expected)) {
    w_.path().pop();
    w_.fail_at("currency", "must be " + std::string(expected->code()) + " like " + std::string(like));
  }
  return parsed.value();
}
Quantity Obj::quantity_of(std::string_view key, const Value& m, Sign sign) {
  Enter e(w_, key);
  if (!m.IsObject()) w_.fail("must be an object");
  Obj o(w_, m);
  const Value& value = o.need("value");
  if (!value.IsString()) w_.fail_at("value", "must be a string");
  std::string uom = o.text("uom", 1, 32);
  Enter ev(w_, "value");
  auto q = Quantity::parse(sv(value), std::move(uom));
  if (!q) w_.fail(q.error().message());
  sign_check(sign, q.value().is_negative(), q.value().is_zero());
  return std::move(q).value();
}

}  // namespace detail
}  // namespace retail
}  // namespace v0
}  // namespace odoosync
