// Field decoders for typed records: each names what it expected and what came instead.
#include <odoosync/odoo/record.hpp>

#include <rapidjson/internal/dtoa.h>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {
namespace odoo {
namespace detail {

namespace {
std::string got(const json::Value& v) {
  std::string s = json::to_string(v);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}
}  // namespace

std::string decode_field(const json::Value& v, std::int64_t& out) {
  if (!v.IsInt64()) return "expected an integer, got " + got(v);
  out = v.GetInt64();
  return {};
}

std::string decode_field(const json::Value& v, bool& out) {
  if (!v.IsBool()) return "expected true or false, got " + got(v);
  out = v.GetBool();
  return {};
}

std::string decode_field(const json::Value& v, std::string& out) {
  if (!v.IsString())
    return "expected a string, got " + got(v) + (v.IsFalse() ? " (empty: declare it std::optional)" : "");
  out.assign(v.GetString(), v.GetStringLength());
  return {};
}

std::string decode_field(const json::Value& v, Decimal& out) {
  if (!v.IsNumber()) return "expected a number, got " + got(v);
  if (v.IsInt64()) {
    out = Decimal{v.GetInt64(), 0};
    return {};
  }
  // The shortest text that reads back as the same double is the text Odoo (Python's repr) wrote.
  char buf[40];
  char* end = rapidjson::internal::dtoa(v.GetDouble(), buf);
  std::string_view text(buf, static_cast<std::size_t>(end - buf));
  if (text.find_first_of("eE") != std::string_view::npos) {
    return "a number too large or small for a decimal: " + std::string(text);
  }
  auto d = Decimal::parse(text);
  if (!d) return d.error().message();
  out = d.value();
  return {};
}

std::string decode_field(const json::Value& v, Date& out) {
  if (!v.IsString()) return "expected a date string, got " + got(v);
  auto d = Date::parse({v.GetString(), v.GetStringLength()});
  if (!d) return d.error().message();
  out = d.value();
  return {};
}

std::string decode_field(const json::Value& v, DateTime& out) {
  if (!v.IsString()) return "expected a datetime string, got " + got(v);
  auto d = DateTime::parse({v.GetString(), v.GetStringLength()});
  if (!d) return d.error().message();
  out = d.value();
  return {};
}

std::string decode_field(const json::Value& v, Many2one& out) {
  if (v.IsFalse()) {
    out = {};
    return {};
  }
  if (v.IsInt64()) {  // read with load=None gives the bare id
    out = {v.GetInt64(), {}};
    return {};
  }
  if (!v.IsArray() || v.Size() != 2 || !v[0].IsInt64() || !v[1].IsString()) {
    return "expected [id, \"name\"] or false, got " + got(v);
  }
  out = {v[0].GetInt64(), std::string(v[1].GetString(), v[1].GetStringLength())};
  return {};
}

std::string decode_field(const json::Value& v, std::vector<std::int64_t>& out) {
  if (!v.IsArray()) return "expected a list of ids, got " + got(v);
  out.clear();
  for (const auto& x : v.GetArray()) {
    if (!x.IsInt64()) return "expected a list of ids, got " + got(v);
    out.push_back(x.GetInt64());
  }
  return {};
}

Error field_error(std::string_view model, const json::Value& row, std::string_view field, std::string_view what) {
  const json::Value* id = json::find(row, "id");
  std::string rec = id && id->IsInt64() ? std::to_string(id->GetInt64()) : std::string("?");
  return Error::protocol(fmt::format("{} record {}: field '{}' {}", model, rec, field, what));
}

}  // namespace detail
}  // namespace odoo
}  // namespace v0
}  // namespace odoosync
