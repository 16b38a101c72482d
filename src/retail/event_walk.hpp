// Private: the validating walk over an event's JSON (place as a JSON pointer, first problem thrown) and typed reads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/core/json.hpp>
#include <odoosync/retail/entities.hpp>

namespace odoosync {
inline namespace v0 {
namespace retail {
namespace detail {

using json::Value;

// The first problem of a walk, "<pointer>: <problem>". Internal: decode_event catches it, nothing else
// may let it out.
struct Invalid {
  std::string message;
};

// Where the walk is: a fixed array (no allocation per event); the decoder caps nesting below its size.
class Path {
 public:
  static constexpr std::size_t capacity = 64;
  void push(std::string_view key) { elems_[size_++] = Elem{key.data(), key.size(), false}; }
  void push(std::size_t index) { elems_[size_++] = Elem{nullptr, index, true}; }
  void pop() { --size_; }
  std::string str() const;  // the JSON pointer, "(event)" at the root

 private:
  struct Elem {  // trivial, so that the array below is not initialised
    const char* key;
    std::size_t n;  // the key's length, or the index
    bool is_index;
  };
  // Left uninitialised (a walk per event: zeroing 64 elements cost more than the rest of the path);
  // only elems_[0, size_) are ever read, and push() writes each of them whole.
  std::array<Elem, capacity> elems_;
  std::size_t size_ = 0;
};

// The walk's state: where it is, and a way out with the message.
class Walk {
 public:
  [[noreturn]] void fail(std::string_view why) const { throw Invalid{path_.str() + ": " + std::string(why)}; }
  [[noreturn]] void fail_at(std::string_view key, std::string_view why) {
    path_.push(key);
    fail(why);
  }
  Path& path() { return path_; }

 private:
  Path path_;
};

struct Enter {
  Enter(Walk& w, std::string_view key) : w_(w) { w_.path().push(key); }
  Enter(Walk& w, std::size_t index) : w_(w) { w_.path().push(index); }
  ~Enter() { w_.path().pop(); }
  Enter(const Enter&) = delete;
  Enter& operator=(const Enter&) = delete;
  Walk& w_;
};

inline std::string_view sv(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

// a == b for the short strings of an event (member names, types, schema URLs): compared in line, eight
// bytes at a time, which beats a call to memcmp at these lengths.
inline bool same_text(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t x, y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x != y) return false;
  }
  for (; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}
inline bool name_is(const Value& name, std::string_view key) { return same_text(sv(name), key); }

// Recursively refuses duplicate member names anywhere below a value (objects inside arrays included).
void check_unique_deep(Walk& w, const Value& v);
// The same below an object's members, for a caller that has checked the object's own names.
void check_unique_below(Walk& w, const Value& obj);

// An object's members, read with the walk positioned at the object.
class Obj {
 public:
  Obj(Walk& w, const Value& v) : w_(w), v_(v) {}

  // Readers ask for members in the order encode_event writes them, so the search starts after the
  // member found last and usually succeeds at once. Names are unique (check_unique_deep ran first), so
  // where the search starts does not change what it finds.
  const Value* find(std::string_view key) const {
    if (!v_.IsObject()) return nullptr;
    const rapidjson::SizeType n = v_.MemberCount();
    if (n == 0) return nullptr;
    const auto* first = &*v_.MemberBegin();
    for (rapidjson::SizeType k = 0, i = next_ < n ? next_ : 0; k < n; ++k) {
      if (name_is(first[i].name, key)) {
        next_ = i + 1;
        return &first[i].value;
      }
      if (++i == n) i = 0;
    }
    return nullptr;
  }
  bool has(std::string_view key) const { return find(key) != nullptr; }

  const Value& need(std::string_view key) {
    const Value* m = find(key);
    if (!m) w_.fail_at(key, "is required");
    return *m;
  }

  // Free text: 1..max characters (min 0 allows empty).
  std::string text(std::string_view key, std::size_t min, std::size_t max) {
    const Value& m = need(key);
    return text_of(key, m, min, max);
  }
  std::optional<std::string> opt_text(std::string_view key, std::size_t min, std::size_t max) {
    const Value* m = find(key);
    if (!m) return std::nullopt;
    return text_of(key, *m, min, max);
  }
  // A string checked by one of the rules in refs.hpp.
  std::string ruled(std::string_view key, std::string (*rule)(std::string_view)) {
    const Value& m = need(key);
    return ruled_of(key, m, rule);
  }
  std::optional<std::string> opt_ruled(std::string_view key, std::string (*rule)(std::string_view)) {
    const Value* m = find(key);
    if (!m) return std::nullopt;
    return ruled_of(key, *m, rule);
  }
  bool boolean(std::string_view key, bool fallback) {
    const Value* m = find(key);
    if (!m) return fallback;
    if (!m->IsBool()) w_.fail_at(key, "must be a boolean");
    return m->GetBool();
  }
  Timestamp timestamp(std::string_view key) { return timestamp_of(key, need(key)); }
  std::optional<Timestamp> opt_timestamp(std::string_view key) {
    const Value* m = find(key);
    if (!m) return std::nullopt;
    return timestamp_of(key, *m);
  }
  std::optional<CalendarDate> opt_date(std::string_view key);

  enum class Sign { any, non_negative, positive, non_zero };

  Money money(std::string_view key, Sign sign, const Currency* expected = nullptr, std::string_view like = {}) {
    return money_of(key, need(key), sign, expected, like);
  }
  std::optional<Money> opt_money(std::string_view key, Sign sign, const Currency* expected = nullptr,
                                 std::string_view like = {}) {
    const Value* m = find(key);
    if (!m) return std::nullopt;
    return money_of(key, *m, sign, expected, like);
  }
  Quantity quantity(std::string_view key, Sign sign) { return quantity_of(key, need(key), sign); }
  std::optional<Quantity> opt_quantity(std::string_view key, Sign sign) {
    const Value* m = find(key);
    if (!m) return std::nullopt;
    return quantity_of(key, *m, sign);
  }

  // An array of 1..max (or 0..max) objects, each read by `item`.
  template <class T, class F>
  std::vector<T> array(std::string_view key, std::size_t min, std::size_t max, F&& item) {
    return array_of<T>(key, need(key), min, max, item);
  }
  template <class T, class F>
  std::optional<std::vector<T>> opt_array(std::string_view key, std::size_t min, std::size_t max, F&& item) {
    const Value* m = find(key);
    if (!m) return std::nullopt;
    return array_of<T>(key, *m, min, max, item);
  }

  Walk& walk() { return w_; }

 private:
  std::string text_of(std::string_view key, const Value& m, std::size_t min, std::size_t max);
  std::string ruled_of(std::string_view key, const Value& m, std::string (*rule)(std::string_view));
  Timestamp timestamp_of(std::string_view key, const Value& m);
  void sign_check(Sign sign, bool negative, bool zero);
  Money money_of(std::string_view key, const Value& m, Sign sign, const Currency* expected, std::string_view like);
  Quantity quantity_of(std::string_view key, const Value& m, Sign sign);
  template <class T, class F>
  std::vector<T> array_of(std::string_view key, const Value& m, std::size_t min, std::size_t max, F& item) {
    Enter e(w_, key);
    if (!m.IsArray()) w_.fail("must be an array");
    if (m.Size() < min) w_.fail("must have at least " + std::to_string(min) + (min == 1 ? " item" : " items"));
    if (m.Size() > max) w_.fail("must have at most " + std::to_string(max) + " items");
    std::vector<T> out;
    out.reserve(m.Size());
    for (rapidjson::SizeType i = 0; i < m.Size(); ++i) {
      Enter ei(w_, i);
      if (!m[i].IsObject()) w_.fail("must be an object");
      Obj o(w_, m[i]);
      out.push_back(item(o));
    }
    return out;
  }

  Walk& w_;
  const Value& v_;
  mutable rapidjson::SizeType next_ = 0;  // where find() looks first
};

using Sign = Obj::Sign;

}  // namespace detail
}  // namespace retail
}  // namespace v0
}  // namespace odoosync
