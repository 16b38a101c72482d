// Domain: Odoo's prefix-notation search filters, built from typed expressions and JSON-encoded
// (values are never pasted into strings):
//   field("sale_ok") == true && (field("list_price") > 10 || field("name").ilike("desk"))
//   → ["&", ["sale_ok","=",true], "|", ["list_price",">",10], ["name","ilike","desk"]]
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <odoosync/odoo/values.hpp>

namespace odoosync {
inline namespace v0 {
namespace odoo {

class Domain;

// The right-hand side of a condition. `false` is also Odoo's "is empty".
using DomainValue = std::variant<bool, std::int64_t, double, std::string, Decimal, Date, DateTime,
                                 std::vector<std::int64_t>, std::vector<std::string>, std::shared_ptr<const Domain>>;

class Domain {
 public:
  Domain() = default;  // the empty domain: every record
  static Domain condition(std::string_view field, std::string_view op, const DomainValue& value);
  // A domain already in Odoo's JSON form, e.g. from a command line; checked for shape.
  static result<Domain> from_json(std::string_view json_text);

  bool empty() const noexcept { return items_.empty() && !error_; }
  std::string to_json() const;  // "[]" for the empty domain
  // The JSON, or the validation error of a bad value in any condition (invalid UTF-8, NaN).
  result<std::string> encode() const;

  friend Domain operator&&(const Domain& a, const Domain& b);
  friend Domain operator||(const Domain& a, const Domain& b);
  friend Domain operator!(const Domain& a);

 private:
  std::vector<std::string> items_;      // encoded JSON elements: "\"&\"" or a condition triple
  std::shared_ptr<const Error> error_;  // the first bad value, carried through & | !
  friend Domain combine(std::string_view op, const Domain& a, const Domain* b);
};

inline DomainValue value_of(bool v) { return v; }
template <std::integral I>
requires(!std::same_as<I, bool>) DomainValue value_of(I v) { return static_cast<std::int64_t>(v); }
inline DomainValue value_of(double v) { return v; }
inline DomainValue value_of(const char* v) { return std::string(v); }
inline DomainValue value_of(std::string_view v) { return std::string(v); }
inline DomainValue value_of(const std::string& v) { return v; }
inline DomainValue value_of(const Decimal& v) { return v; }
inline DomainValue value_of(const Date& v) { return v; }
inline DomainValue value_of(const DateTime& v) { return v; }
inline DomainValue value_of(const DomainValue& v) { return v; }

// A field path ("partner_id.country_id.code") and its operators.
class Field {
 public:
  explicit Field(std::string_view name) : name_(name) {}

  // Each operator takes a bool, any integer, a double, a string, a Decimal, a Date or a DateTime,
  // deduced exactly so that a literal never converts to the wrong type (true to 1, "x" to true).
  template <class T>
  Domain operator==(const T& v) const {
    return Domain::condition(name_, "=", value_of(v));
  }
  template <class T>
  Domain operator!=(const T& v) const {
    return Domain::condition(name_, "!=", value_of(v));
  }
  template <class T>
  Domain operator<(const T& v) const {
    return Domain::condition(name_, "<", value_of(v));
  }
  template <class T>
  Domain operator<=(const T& v) const {
    return Domain::condition(name_, "<=", value_of(v));
  }
  template <class T>
  Domain operator>(const T& v) const {
    return Domain::condition(name_, ">", value_of(v));
  }
  template <class T>
  Domain operator>=(const T& v) const {
    return Domain::condition(name_, ">=", value_of(v));
  }

  Domain in(std::vector<std::int64_t> ids) const;
  Domain in(std::vector<std::string> values) const;
  Domain not_in(std::vector<std::int64_t> ids) const;
  Domain not_in(std::vector<std::string> values) const;
  Domain like(std::string_view pattern) const;  // %pattern%, case-sensitive
  Domain not_like(std::string_view pattern) const;
  Domain ilike(std::string_view pattern) const;
  Domain not_ilike(std::string_view pattern) const;
  Domain eq_like(std::string_view pattern) const;   // =like: the pattern as given (% and _ wildcards)
  Domain eq_ilike(std::string_view pattern) const;  // =ilike
  Domain child_of(std::int64_t id) const;
  Domain parent_of(std::int64_t id) const;
  Domain any(const Domain& sub) const;  // x2many/many2one: some related record matches
  Domain not_any(const Domain& sub) const;

 private:
  std::string name_;
};

inline Field field(std::string_view name) { return Field(name); }

}  // namespace odoo
}  // namespace v0
}  // namespace odoosync
