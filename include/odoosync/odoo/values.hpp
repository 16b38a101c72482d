// Odoo values on the wire: a Values object (field → value) for create/write, x2many Commands, and
// exact decimals for money and quantities (never binary floating point in our types).
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <odoosync/core/result.hpp>

namespace odoosync {
inline namespace v0 {
namespace odoo {

// A fixed-point decimal: `units` scaled by 10^-scale (12.50 = {1250, 2}). Written to JSON as the
// exact decimal literal "12.50", which Odoo reads into its float or monetary field.
struct Decimal {
  std::int64_t units = 0;
  std::uint8_t scale = 0;

  // "-12.5", "3", "0.001"; no exponent; at most 18 digits, not counting the integer part's leading zeros
  static result<Decimal> parse(std::string_view text);
  std::string to_string() const;
  friend bool operator==(const Decimal& a, const Decimal& b) noexcept;  // numeric equality: 1.50 == 1.5
};

// Odoo's date forms: "YYYY-MM-DD" and UTC "YYYY-MM-DD HH:MM:SS".
struct Date {
  int year = 1970;
  unsigned month = 1, day = 1;
  static result<Date> parse(std::string_view text);
  std::string to_string() const;
  friend bool operator==(const Date&, const Date&) = default;
};
struct DateTime {
  Date date;
  unsigned hour = 0, minute = 0, second = 0;
  static result<DateTime> parse(std::string_view text);
  // Odoo keeps microseconds in the database and reads them away: "…:SS.ffffff" parses to the second.
  static result<DateTime> parse_truncated(std::string_view text);
  std::string to_string() const;
  std::chrono::sys_seconds to_sys() const;
  static DateTime from_sys(std::chrono::sys_seconds t);
  DateTime plus(std::chrono::seconds s) const { return from_sys(to_sys() + s); }
  friend auto operator<=>(const DateTime& a, const DateTime& b) { return a.to_sys() <=> b.to_sys(); }
  friend bool operator==(const DateTime&, const DateTime&) = default;
};

// Base64 for binary fields (RFC 4648, with padding).
std::string base64_encode(std::string_view bytes);
result<std::string> base64_decode(std::string_view text);

class Command;

// An ordered set of field values, encoded to JSON as it is built. Strings must be UTF-8 (checked when
// the request is written). `false` is Odoo's empty value; use clear(field) for it.
class Values {
 public:
  Values& set(std::string_view field, std::string_view v);
  Values& set(std::string_view field, const char* v) { return set(field, std::string_view(v)); }
  Values& set(std::string_view field, const std::string& v) { return set(field, std::string_view(v)); }
  Values& set(std::string_view field, bool v);
  Values& set(std::string_view field, int v) { return set(field, static_cast<std::int64_t>(v)); }
  Values& set(std::string_view field, std::int64_t v);
  Values& set(std::string_view field, Decimal v);
  Values& set(std::string_view field, const Date& v);
  Values& set(std::string_view field, const DateTime& v);
  Values& set(std::string_view field, const Values& nested);                  // a dict value
  Values& set(std::string_view field, const std::vector<std::int64_t>& ids);  // many2many as a list of ids
  Values& set(std::string_view field, const std::vector<Command>& commands);  // x2many commands
  Values& set_json(std::string_view field, std::string_view raw_json);        // anything else, as JSON text
  Values& clear(std::string_view field);                                      // false: empty the field

  bool empty() const noexcept { return members_.empty(); }
  std::size_t size() const noexcept { return members_.size(); }
  // The JSON object text, e.g. {"name":"Acme","list_price":12.50}.
  std::string to_json() const;

 private:
  std::vector<std::pair<std::string, std::string>> members_;  // field, encoded JSON value
  friend class Command;
};

// x2many commands, as Odoo numbers them: [0,0,vals] create, [1,id,vals] update, [2,id,0] delete,
// [3,id,0] unlink, [4,id,0] link, [5,0,0] clear, [6,0,ids] set.
class Command {
 public:
  static Command create(const Values& vals);
  static Command update(std::int64_t id, const Values& vals);
  static Command remove(std::int64_t id);  // 2: delete the record itself
  static Command unlink(std::int64_t id);  // 3: cut the relation, keep the record
  static Command link(std::int64_t id);
  static Command clear();
  static Command set(const std::vector<std::int64_t>& ids);
  const std::string& to_json() const noexcept { return json_; }

 private:
  explicit Command(std::string json) : json_(std::move(json)) {}
  std::string json_;
};

}  // namespace odoo
}  // namespace v0
}  // namespace odoosync
