// Stock snapshots: the CSV and JSON Lines readers, strict, with errors naming line and column.
#include <odoosync/sync/snapshot.hpp>

#include <odoosync/core/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <utility>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {
namespace sync {
namespace {

// A value as an error shows it: quoted, cut at 40 characters.
std::string shown(std::string_view v) {
  if (v.size() > 40) return fmt::format("\"{}...\"", v.substr(0, 37));
  return fmt::format("\"{}\"", v);
}

// `where` is "line 3, column "sku"" or "line 3, field "sku"".
Error bad_value(std::string_view where, std::string_view value, std::string_view complaint) {
  if (value.empty()) return Error::validation(fmt::format("{}: {}", where, complaint));
  return Error::validation(fmt::format("{}: {} {}", where, shown(value), complaint));
}

std::string check_uom(std::string_view s) {
  if (s.size() > 32) return "must be at most 32 characters";
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F) return "must not contain control characters";
  }
  return {};
}

// The cells of one row as the text gave them.
struct Cells {
  std::string_view sku{}, location{}, quantity{}, uom{};
  bool quantity_is_number = false;  // a JSON number: shown without quotes
};

// The checked row, or the first complaint; `where(column)` names the place ("line 3, column "sku"").
template <class Where>
result<SnapshotRow> make_row(const Cells& c, std::size_t line, Where&& where) {
  SnapshotRow row;
  row.line = line;
  if (auto why = retail::rules::check_sku(c.sku); !why.empty()) return bad_value(where("sku"), c.sku, why);
  row.sku.value = std::string(c.sku);
  if (json::find_invalid_utf8(c.location)) return bad_value(where("location"), {}, "must be valid UTF-8");
  if (auto why = retail::rules::check_location(c.location); !why.empty())
    return bad_value(where("location"), c.location, why);
  row.location.value = std::string(c.location);
  if (auto why = check_uom(c.uom); !why.empty()) return bad_value(where("uom"), c.uom, why);
  if (c.quantity.empty()) return bad_value(where("quantity"), {}, "must not be empty");
  const auto bad_quantity = [&](std::string_view why) {
    if (c.quantity_is_number) return Error::validation(fmt::format("{}: {} {}", where("quantity"), c.quantity, why));
    return bad_value(where("quantity"), c.quantity, why);
  };
  auto q = retail::Quantity::parse(c.quantity, c.uom.empty() ? std::string("Units") : std::string(c.uom));
  if (!q) return bad_quantity(q.error().message());
  if (q.value().is_negative()) return bad_quantity("must not be negative (a snapshot holds counts)");
  row.quantity = std::move(q).value();
  return row;
}

// A (sku, location) given twice is an error naming both lines.
result<void> refuse_duplicates(const std::vector<SnapshotRow>& rows) {
  std::map<std::pair<std::string_view, std::string_view>, std::size_t> seen;
  for (const auto& r : rows) {
    auto [it, fresh] = seen.try_emplace({r.sku.value, r.location.value}, r.line);
    if (!fresh) {
      return Error::validation(fmt::format("lines {} and {}: SKU {} at location {} is given twice", it->second, r.line,
                                           shown(r.sku.value), shown(r.location.value)));
    }
  }
  return success();
}

// --- CSV (RFC 4180) ----------------------------------------------------------------------------------

struct CsvRecord {
  std::vector<std::string> fields{};
  std::size_t line = 0;  // where the record begins
  bool blank = false;    // an empty line
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits the text into records. Quoted fields may hold commas, quotes ("") and line breaks; unquoted
// fields are trimmed of spaces and tabs. Lines end in LF or CRLF.
result<std::vector<CsvRecord>> split_csv(std::string_view text) {
  std::vector<CsvRecord> out;
  std::size_t line = 1;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    CsvRecord rec;
    rec.line = line;
    bool end_of_record = false;
    while (!end_of_record) {
      std::string value;
      std::size_t j = i;  // spaces before an opening quote are not part of the field
      while (j < n && (text[j] == ' ' || text[j] == '\t')) ++j;
      if (j < n && text[j] == '"') i = j;
      if (i < n && text[i] == '"') {
        const std::size_t opened = line;
        ++i;
        while (true) {
          if (i >= n) return Error::validation(fmt::format("line {}: a quoted field is not closed", opened));
          const char c = text[i++];
          if (c == '"') {
            if (i < n && text[i] == '"') {
              value += '"';
              ++i;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          value += c;
        }
        while (i < n && (text[i] == ' ' || text[i] == '\t')) ++i;
        if (i < n && text[i] != ',' && text[i] != '\n' && !(text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') &&
            !(text[i] == '\r' && i + 1 == n)) {
          return Error::validation(fmt::format("line {}: text after the closing quote of a field", line));
        }
      } else {
        const std::size_t start = i;
        while (i < n && text[i] != ',' && text[i] != '\n') {
          if (text[i] == '"') {
            return Error::validation(fmt::format(
                "line {}: a quote inside an unquoted field (quote the whole field and double the quote)", line));
          }
          ++i;
        }
        std::string_view raw = text.substr(start, i - start);
        if (!raw.empty() && raw.back() == '\r' && (i >= n || text[i] == '\n')) raw.remove_suffix(1);
        value = std::string(trim(raw));
      }
      rec.fields.push_back(std::move(value));
      if (i < n && text[i] == '\r') ++i;  // the CR of a CRLF after a quoted field
      if (i >= n) {
        end_of_record = true;
      } else if (text[i] == ',') {
        ++i;
      } else {  // '\n'
        ++i;
        ++line;
        end_of_record = true;
      }
    }
    rec.blank = rec.fields.size() == 1 && rec.fields[0].empty();
    out.push_back(std::move(rec));
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

result<std::vector<SnapshotRow>> parse_csv(std::string_view text) {
  if (auto bad = json::find_invalid_utf8(text)) {
    const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(*bad), '\n');
    return Error::validation(fmt::format("line {}: invalid UTF-8", line));
  }
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a byte-order mark (spreadsheets write one)
  ODOOSYNC_TRY(records, split_csv(text));
  auto rec = records.begin();
  while (rec != records.end() && rec->blank) ++rec;
  if (rec == records.end()) {
    return Error::validation(
        "the CSV snapshot is empty: it needs a header row naming the columns sku, location and quantity");
  }
  const CsvRecord& header = *rec++;
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::size_t col_sku = none, col_location = none, col_quantity = none, col_uom = none;
  std::vector<std::string> names;
  for (std::size_t c = 0; c < header.fields.size(); ++c) {
    std::string name = lower(trim(header.fields[c]));
    if (std::find(names.begin(), names.end(), name) != names.end() && !name.empty()) {
      return Error::validation(fmt::format("line {}: column \"{}\" appears twice in the header", header.line, name));
    }
    names.push_back(name);
    if (name == "sku")
      col_sku = c;
    else if (name == "location")
      col_location = c;
    else if (name == "quantity")
      col_quantity = c;
    else if (name == "uom")
      col_uom = c;
  }
  for (auto [col, name] :
       {std::pair{col_sku, "sku"}, std::pair{col_location, "location"}, std::pair{col_quantity, "quantity"}}) {
    if (col == none) {
      return Error::validation(
          fmt::format("line {}: the header has no \"{}\" column (it must name the columns sku, location and quantity)",
                      header.line, name));
    }
  }
  std::vector<SnapshotRow> rows;
  for (; rec != records.end(); ++rec) {
    if (rec->blank) continue;
    if (rec->fields.size() != header.fields.size()) {
      return Error::validation(fmt::format("line {}: {} field{} where the header has {}", rec->line, rec->fields.size(),
                                           rec->fields.size() == 1 ? "" : "s", header.fields.size()));
    }
    const auto where = [&](std::string_view col) { return fmt::format("line {}, column \"{}\"", rec->line, col); };
    Cells cells{
        .sku = rec->fields[col_sku], .location = rec->fields[col_location], .quantity = rec->fields[col_quantity]};
    if (col_uom != none) cells.uom = rec->fields[col_uom];
    ODOOSYNC_TRY(row, make_row(cells, rec->line, where));
    rows.push_back(std::move(row));
  }
  return rows;
}

// --- JSON Lines ----------------------------------------------------------------------------------------

// One line's object, read with SAX so that numbers arrive as their text (never through a double) and a
// member given twice is seen.
struct LineHandler {
  enum class Kind { string, number, other };
  struct Member {
    Kind kind = Kind::other;
    std::string text{};
    std::string_view json_type{};  // for "must be a string, got <type>"
  };

  unsigned depth = 0;
  bool top_is_object = false;
  std::string key{};
  std::map<std::string, Member, std::less<>> members{};
  std::string error{};

  bool value(Kind kind, std::string_view text, std::string_view type) {
    if (depth == 0) {
      error = "must be a JSON object such as {\"sku\": \"SKU-1\", \"location\": \"WH/Stock\", \"quantity\": \"2\"}";
      return false;
    }
    if (depth == 1) {
      if (kind == Kind::string && json::find_invalid_utf8(text)) {
        error = fmt::format("field \"{}\": must be valid UTF-8", key);
        return false;
      }
      members[key] = Member{kind, std::string(text), type};
    }
    return true;
  }
  bool Null() { return value(Kind::other, {}, "null"); }
  bool Bool(bool b) { return value(Kind::other, {}, b ? "true" : "false"); }
  bool Int(int) { return value(Kind::other, {}, "a number"); }  // not reached: numbers come as text
  bool Uint(unsigned) { return value(Kind::other, {}, "a number"); }
  bool Int64(std::int64_t) { return value(Kind::other, {}, "a number"); }
  bool Uint64(std::uint64_t) { return value(Kind::other, {}, "a number"); }
  bool Double(double) { return value(Kind::other, {}, "a number"); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) { return value(Kind::number, {s, n}, "a number"); }
  bool String(const char* s, rapidjson::SizeType n, bool) { return value(Kind::string, {s, n}, "a string"); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (depth != 1) return true;
    key.assign(s, n);
    if (json::find_invalid_utf8(key)) {
      error = "a member name is not valid UTF-8";
      return false;
    }
    if (members.count(key)) {
      error = fmt::format("field \"{}\" appears twice", key);
      return false;
    }
    return true;
  }
  bool StartObject() {
    if (depth == 0)
      top_is_object = true;
    else if (depth == 1 && !value(Kind::other, {}, "an object"))
      return false;
    ++depth;
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    --depth;
    return true;
  }
  bool StartArray() {
    if (!value(Kind::other, {}, "an array")) return false;
    ++depth;
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth;
    return true;
  }
};

result<std::vector<SnapshotRow>> parse_jsonl(std::string_view text) {
  std::vector<SnapshotRow> rows;
  std::size_t line = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    ++line;
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(pos, end - pos);
    pos = end + 1;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (line == 1 && l.starts_with("\xEF\xBB\xBF")) l.remove_prefix(3);
    if (trim(l).empty()) continue;
    LineHandler h;
    json::Limits limits;
    limits.max_bytes = std::size_t{1} << 20;
    limits.max_depth = 16;
    auto parsed =
        json::parse_sax<json::parse_flags, true>(l, h, limits);
    if (!h.error.empty()) return Error::validation(fmt::format("line {}: {}", line, h.error));
    if (!parsed) return Error::validation(fmt::format("line {}: {}", line, parsed.error().message()));
    if (!h.top_is_object) {
      return Error::validation(
          fmt::format("line {}: must be a JSON object such as {{\"sku\": \"SKU-1\", \"location\": \"WH/Stock\", "
                      "\"quantity\": \"2\"}}",
                      line));
    }
    const auto where = [&](std::string_view f) { return fmt::format("line {}, field \"{}\"", line, f); };
    std::string_view values[3];
    const char* required[3] = {"sku", "location", "quantity"};
    for (int k = 0; k < 3; ++k) {
      auto it = h.members.find(required[k]);
      if (it == h.members.end())
        return Error::validation(fmt::format("line {}: field \"{}\" is missing", line, required[k]));
      const LineHandler::Member& m = it->second;
      if (k < 2 && m.kind != LineHandler::Kind::string) {
        return Error::validation(fmt::format("{}: must be a string, got {}", where(required[k]), m.json_type));
      }
      if (k == 2) {
        if (m.kind == LineHandler::Kind::other) {
          return Error::validation(fmt::format("{}: must be a decimal string such as \"12.5\" or a number, got {}",
                                               where("quantity"), m.json_type));
        }
        if (m.kind == LineHandler::Kind::number && m.text.find_first_of("eE") != std::string::npos) {
          return Error::validation(
              fmt::format("{}: {} has an exponent; write the quantity as a plain decimal", where("quantity"), m.text));
        }
      }
      values[k] = m.text;
    }
    std::string_view uom;
    if (auto it = h.members.find("uom"); it != h.members.end()) {
      if (it->second.kind != LineHandler::Kind::string) {
        return Error::validation(fmt::format("{}: must be a string, got {}", where("uom"), it->second.json_type));
      }
      uom = it->second.text;
      if (uom.empty()) return Error::validation(fmt::format("{}: must not be empty", where("uom")));
    }
    Cells cells{.sku = values[0], .location = values[1], .quantity = values[2], .uom = uom};
    cells.quantity_is_number = h.members.find("quantity")->second.kind == LineHandler::Kind::number;
    ODOOSYNC_TRY(row, make_row(cells, line, where));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

std::string_view to_string(SnapshotFormat format) noexcept { return format == SnapshotFormat::csv ? "csv" : "jsonl"; }

result<std::vector<SnapshotRow>> parse_stock_snapshot(std::string_view text, SnapshotFormat format) {
  ODOOSYNC_TRY(rows, format == SnapshotFormat::csv ? parse_csv(text) : parse_jsonl(text));
  ODOOSYNC_TRYV(refuse_duplicates(rows));
  return rows;
}

result<std::vector<SnapshotRow>> read_stock_snapshot(const std::string& path) {
  const std::string name = lower(path);
  SnapshotFormat format = SnapshotFormat::csv;
  if (name.ends_with(".csv")) {
    format = SnapshotFormat::csv;
  } else if (name.ends_with(".jsonl") || name.ends_with(".ndjson")) {
    format = SnapshotFormat::jsonl;
  } else {
    return Error::validation(
        fmt::format("{}: unknown snapshot format: the file name must end in .csv, .jsonl or .ndjson", path));
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Error(ErrorKind::storage, fmt::format("{}: cannot open the snapshot: {}", path, std::strerror(errno)));
  std::string text;
  char buf[1 << 16];
  while (true) {
    const std::size_t got = std::fread(buf, 1, sizeof buf, f);
    text.append(buf, got);
    if (got < sizeof buf) break;
  }
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed)
    return Error(ErrorKind::storage, fmt::format("{}: cannot read the snapshot: {}", path, std::strerror(err)));
  auto rows = parse_stock_snapshot(text, format);
  if (!rows) return std::move(rows.error()).with_message_prefix(path);
  return rows;
}

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
