// Keyset paging by id, and incremental pulls by (write_date, id).
#include <odoosync/odoo/cursor.hpp>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {
namespace odoo {

namespace {
std::vector<std::string> with_fields(std::vector<std::string> fields, std::initializer_list<const char*> needed) {
  if (fields.empty()) return fields;  // all fields: id and write_date come anyway
  for (const char* f : needed)
    if (std::find(fields.begin(), fields.end(), f) == fields.end()) fields.emplace_back(f);
  return fields;
}
}  // namespace

IdCursor::IdCursor(Client& client, std::string model, Domain domain, std::vector<std::string> fields,
                   std::int64_t page_size, CallOptions options)
    : client_(client),
      model_(std::move(model)),
      domain_(std::move(domain)),
      fields_(with_fields(std::move(fields), {"id"})),
      page_size_(page_size > 0 ? page_size : 500),
      options_(std::move(options)) {}

result<std::optional<json::Document>> IdCursor::next() {
  if (done_) return std::optional<json::Document>{};
  auto page = client_.search_read(model_, domain_ && field("id") > last_id_, fields_,
                                  {.offset = 0, .limit = page_size_, .order = "id asc"}, options_);
  if (!page) return page.error();
  json::Document& rows = page.value();
  if (rows.Size() < static_cast<rapidjson::SizeType>(page_size_)) done_ = true;
  if (rows.Empty()) return std::optional<json::Document>{};
  const auto& last = rows[rows.Size() - 1];
  const auto* id = json::find(last, "id");
  if (!id || !id->IsInt64()) return Error::protocol(fmt::format("{}: a page row has no integer id", model_));
  if (id->GetInt64() <= last_id_) return Error::protocol(fmt::format("{}: ids did not increase across pages", model_));
  last_id_ = id->GetInt64();
  return std::optional<json::Document>(std::move(rows));
}

std::string Checkpoint::to_string() const {
  if (!write_date) return {};
  return fmt::format("{}#{}", write_date->to_string(), id);
}

result<Checkpoint> Checkpoint::parse(std::string_view text) {
  if (text.empty()) return Checkpoint{};
  auto hash = text.rfind('#');
  if (hash == std::string_view::npos) {
    return Error::validation(fmt::format("checkpoint '{}' is not 'YYYY-MM-DD HH:MM:SS#id'", text.substr(0, 40)));
  }
  auto when = DateTime::parse(text.substr(0, hash));
  if (!when) return std::move(when.error()).with_message_prefix("checkpoint");
  std::int64_t id = 0;
  std::string_view tail = text.substr(hash + 1);
  auto [p, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), id);
  // Canonical digits only ("#00" would print back as "#0": a checkpoint's text is its identity).
  const bool canonical = !tail.empty() && tail.find_first_not_of("0123456789") == std::string_view::npos &&
                         (tail.size() == 1 || tail.front() != '0');
  if (ec != std::errc{} || p != tail.data() + tail.size() || id < 0 || !canonical) {
    return Error::validation(fmt::format("checkpoint '{}': '{}' is not a record id", text.substr(0, 40), tail));
  }
  return Checkpoint{when.value(), id};
}

ChangeCursor::ChangeCursor(Client& client, std::string model, Domain domain, std::vector<std::string> fields,
                           Checkpoint from, std::int64_t page_size, CallOptions options)
    : client_(client),
      model_(std::move(model)),
      domain_(std::move(domain)),
      fields_(with_fields(std::move(fields), {"id", "write_date"})),
      page_size_(page_size > 0 ? page_size : 500),
      options_(std::move(options)),
      checkpoint_(from),
      second_open_(checkpoint_.write_date.has_value()) {}

result<json::Document> ChangeCursor::read(const Domain& domain, const char* order) {
  return client_.search_read(model_, domain, fields_, {.offset = 0, .limit = page_size_, .order = order}, options_);
}

namespace {
struct Stamp {
  DateTime second;
  std::int64_t id;
};
result<Stamp> stamp_of(const json::Value& row, std::string_view model) {
  const auto* id = json::find(row, "id");
  const auto* wd = json::find(row, "write_date");
  if (!id || !id->IsInt64() || !wd || !wd->IsString()) {
    return Error::protocol(fmt::format("{}: a changed row lacks id or write_date", model));
  }
  auto when = DateTime::parse_truncated({wd->GetString(), wd->GetStringLength()});
  if (!when) return std::move(when.error()).with_message_prefix(std::string(model));
  return Stamp{when.value(), id->GetInt64()};
}
}  // namespace

// Two reads, both exact whatever precision Odoo keeps:
//  - the rest of the checkpoint's second: write_date in [t, t+1s) and id above the checkpoint's, in id
//    order (ids are unique, so a page boundary cuts nowhere ambiguous);
//  - later seconds: write_date >= t+1s in (write_date, id) order. The stored order is by full precision,
//    and every second is a contiguous run of it, so each second of a page that is followed by a later one
//    is complete. The page's last second may be cut by the limit: it is dropped here and read by the
//    first kind of read (a page that is one second only is read that way from its start).
result<std::optional<json::Document>> ChangeCursor::next() {
  while (!done_) {
    if (second_open_) {
      const DateTime t = *checkpoint_.write_date;
      const DateTime t1 = t.plus(std::chrono::seconds{1});
      if (until_ && t1 > *until_) {
        done_ = true;
        break;
      }
      auto page = read(domain_ && field("write_date") >= t && field("write_date") < t1 && field("id") > checkpoint_.id,
                       "id asc");
      if (!page) return page.error();
      json::Document& rows = page.value();
      if (rows.Size() < static_cast<rapidjson::SizeType>(page_size_)) second_open_ = false;
      if (rows.Empty()) continue;
      for (const auto& r : rows.GetArray()) {
        ODOOSYNC_TRY(st, stamp_of(r, model_));
        if (st.id <= checkpoint_.id)
          return Error::protocol(fmt::format("{}: ids did not increase within a second", model_));
        checkpoint_.id = st.id;
      }
      return std::optional<json::Document>(std::move(rows));
    }
    Domain later = domain_;
    if (checkpoint_.write_date)
      later = later && field("write_date") >= checkpoint_.write_date->plus(std::chrono::seconds{1});
    if (until_) later = later && field("write_date") < *until_;
    auto page = read(later, "write_date asc, id asc");
    if (!page) return page.error();
    json::Document& rows = page.value();
    const bool full = rows.Size() >= static_cast<rapidjson::SizeType>(page_size_);
    if (!full) done_ = true;
    if (rows.Empty()) break;
    std::vector<Stamp> stamps;
    stamps.reserve(rows.Size());
    for (const auto& r : rows.GetArray()) {
      ODOOSYNC_TRY(st, stamp_of(r, model_));
      if (!stamps.empty() && st.second < stamps.back().second) {
        return Error::protocol(fmt::format("{}: rows are not in write_date order", model_));
      }
      stamps.push_back(st);
    }
    std::size_t keep = stamps.size();
    if (full) {
      while (keep > 0 && stamps[keep - 1].second == stamps.back().second) --keep;
      if (keep == 0) {  // one second fills the page: read it by id from its start
        checkpoint_ = Checkpoint{stamps.back().second, 0};
        second_open_ = true;
        continue;
      }
      rows.Erase(rows.Begin() + static_cast<rapidjson::SizeType>(keep), rows.End());
    }
    Checkpoint cp{stamps[keep - 1].second, 0};
    for (std::size_t i = 0; i < keep; ++i)
      if (stamps[i].second == *cp.write_date) cp.id = std::max(cp.id, stamps[i].id);
    checkpoint_ = cp;
    second_open_ = false;
    return std::optional<json::Document>(std::move(rows));
  }
  return std::optional<json::Document>{};
}

}  // namespace odoo
}  // namespace v0
}  // namespace odoosync
