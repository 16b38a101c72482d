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
  if (ec != std::errc{} || p != tail.data() + tail.size() || id < 0) {
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
      checkpoint_(std::move(from)) {}

result<std::optional<json::Document>> ChangeCursor::next() {
  if (done_) return std::optional<json::Document>{};
  Domain since = domain_;
  if (checkpoint_.write_date) {
    // Strictly after the checkpoint in (write_date, id) order: later seconds, or the same second and a
    // higher id. A plain write_date > t would lose the rest of a second cut by a page boundary.
    const DateTime& t = *checkpoint_.write_date;
    since = domain_ && (field("write_date") > t || (field("write_date") == t && field("id") > checkpoint_.id));
  }
  auto page = client_.search_read(model_, since, fields_, {.offset = 0, .limit = page_size_, .order = "write_date asc, id asc"},
                                  options_);
  if (!page) return page.error();
  json::Document& rows = page.value();
  if (rows.Size() < static_cast<rapidjson::SizeType>(page_size_)) done_ = true;
  if (rows.Empty()) return std::optional<json::Document>{};
  const auto& last = rows[rows.Size() - 1];
  const auto* id = json::find(last, "id");
  const auto* wd = json::find(last, "write_date");
  if (!id || !id->IsInt64() || !wd || !wd->IsString()) {
    return Error::protocol(fmt::format("{}: a changed row lacks id or write_date", model_));
  }
  auto when = DateTime::parse({wd->GetString(), wd->GetStringLength()});
  if (!when) return std::move(when.error()).with_message_prefix(model_);
  checkpoint_ = Checkpoint{when.value(), id->GetInt64()};
  return std::optional<json::Document>(std::move(rows));
}

}  // namespace odoo
}  // namespace v0
}  // namespace odoosync
