// Typed records: a struct plus a field map declared once gives the field list for search_read and
// decodes each row straight into the struct. Unknown fields are ignored; a missing or mistyped field
// is a protocol error naming model, record id and field.
//
//   struct Shelf { std::int64_t id; std::string name; std::optional<std::string> code; };
//   template <> struct odoosync::odoo::RecordSchema<Shelf> {
//     static constexpr std::string_view model = "stock.location";
//     static constexpr auto fields = std::make_tuple(map_field("id", &Shelf::id), map_field("name", &Shelf::name),
//                                                    map_field("barcode", &Shelf::code));
//   };
//   auto shelves = odoo::search_read_as<Shelf>(*client, field("usage") == "internal");
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <odoosync/odoo/client.hpp>

namespace odoosync {
inline namespace v0 {
namespace odoo {

// A many2one value: [id, "display name"], or empty (id 0) for Odoo's `false`.
struct Many2one {
  std::int64_t id = 0;
  std::string name;
  explicit operator bool() const noexcept { return id != 0; }
  friend bool operator==(const Many2one&, const Many2one&) = default;
};

template <class T>
struct RecordSchema;  // specialise: `model` and `fields`

template <class Struct, class Member>
struct FieldMap {
  std::string_view name;
  Member Struct::*member;
};
template <class Struct, class Member>
constexpr FieldMap<Struct, Member> map_field(std::string_view name, Member Struct::*member) {
  return {name, member};
}

namespace detail {
// Each returns an empty string on success, else what was wrong ("expected a string, got 12").
std::string decode_field(const json::Value& v, std::int64_t& out);
std::string decode_field(const json::Value& v, bool& out);
std::string decode_field(const json::Value& v, std::string& out);  // `false` is refused: use optional
std::string decode_field(const json::Value& v, Decimal& out);      // exact: the number as Odoo wrote it
std::string decode_field(const json::Value& v, Date& out);
std::string decode_field(const json::Value& v, DateTime& out);
std::string decode_field(const json::Value& v, Many2one& out);  // `false` → id 0
std::string decode_field(const json::Value& v, std::vector<std::int64_t>& out);
template <class T>
std::string decode_field(const json::Value& v, std::optional<T>& out) {
  if ((v.IsBool() && !v.GetBool()) || v.IsNull()) {
    out.reset();
    return {};
  }
  T inner{};
  std::string err = decode_field(v, inner);
  if (err.empty()) out = std::move(inner);
  return err;
}
Error field_error(std::string_view model, const json::Value& row, std::string_view field, std::string_view what);
}  // namespace detail

// The field names of T, for search_read's `fields`.
template <class T>
std::vector<std::string> field_names() {
  std::vector<std::string> names;
  std::apply([&](const auto&... f) { (names.emplace_back(f.name), ...); }, RecordSchema<T>::fields);
  return names;
}

// One row (a JSON object from read/search_read) into T.
template <class T>
result<T> decode_record(const json::Value& row) {
  T out{};
  std::optional<Error> error;
  if (!row.IsObject()) return Error::protocol(std::string(RecordSchema<T>::model) + ": a record is not a JSON object");
  std::apply(
      [&](const auto&... f) {
        rapidjson::SizeType position = 0;
        auto one = [&](const auto& fm) {
          if (error) return;
          // Odoo answers the fields in the order asked, so the member at the same position is
          // almost always the one; fall back to a search when it is not.
          const json::Value* v = nullptr;
          if (position < row.MemberCount()) {
            const auto& m = row.MemberBegin()[position];
            if (std::string_view(m.name.GetString(), m.name.GetStringLength()) == fm.name) v = &m.value;
          }
          ++position;
          if (!v) v = json::find(row, fm.name);
          if (!v) {
            error = detail::field_error(RecordSchema<T>::model, row, fm.name, "missing from the answer");
            return;
          }
          std::string why = detail::decode_field(*v, out.*(fm.member));
          if (!why.empty()) error = detail::field_error(RecordSchema<T>::model, row, fm.name, why);
        };
        (one(f), ...);
      },
      RecordSchema<T>::fields);
  if (error) return *error;
  return out;
}

template <class T>
result<std::vector<T>> decode_records(const json::Value& rows) {
  if (!rows.IsArray()) return Error::protocol(std::string(RecordSchema<T>::model) + ": expected a list of records");
  std::vector<T> out;
  out.reserve(rows.Size());
  for (const auto& row : rows.GetArray()) {
    auto r = decode_record<T>(row);
    if (!r) return r.error();
    out.push_back(std::move(r.value()));
  }
  return out;
}

template <class T>
result<std::vector<T>> search_read_as(Client& client, const Domain& domain, const SearchOptions& page = {},
                                      const CallOptions& options = {}) {
  auto rows = client.search_read(RecordSchema<T>::model, domain, field_names<T>(), page, options);
  if (!rows) return rows.error();
  return decode_records<T>(rows.value());
}

template <class T>
result<std::vector<T>> read_as(Client& client, const std::vector<std::int64_t>& ids, const CallOptions& options = {}) {
  auto rows = client.read(RecordSchema<T>::model, ids, field_names<T>(), options);
  if (!rows) return rows.error();
  return decode_records<T>(rows.value());
}

}  // namespace odoo
}  // namespace v0
}  // namespace odoosync
