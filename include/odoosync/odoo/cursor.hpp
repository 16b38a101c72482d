// Paging: IdCursor walks any domain in id order, one page in memory at a time, and is stable under
// concurrent inserts (each page asks for ids above the last one seen, never an offset). ChangeCursor
// pulls records changed since a checkpoint, second by second of write_date: Odoo stores write_date
// with microseconds but reads it truncated to the second, so a second is read in id order between
// its two bounds (any number of rows, one page at a time), and a saved checkpoint resumes exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <odoosync/odoo/client.hpp>

namespace odoosync {
inline namespace v0 {
namespace odoo {

class IdCursor {
 public:
  IdCursor(Client& client, std::string model, Domain domain, std::vector<std::string> fields,
           std::int64_t page_size = 500, CallOptions options = {});
  // The next page (a JSON array of rows with `id`), or nothing when the walk is done.
  result<std::optional<json::Document>> next();
  std::int64_t last_id() const noexcept { return last_id_; }

 private:
  Client& client_;
  std::string model_;
  Domain domain_;
  std::vector<std::string> fields_;
  std::int64_t page_size_;
  CallOptions options_;
  std::int64_t last_id_ = 0;
  bool done_ = false;
};

// Where an incremental pull stands: every row of the seconds before `write_date` was handed over, and
// those of that second up to `id`.
struct Checkpoint {
  std::optional<DateTime> write_date;  // nothing: from the beginning
  std::int64_t id = 0;
  std::string to_string() const;  // "2026-11-22 10:05:00#1234", "" at the beginning
  static result<Checkpoint> parse(std::string_view text);
  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

class ChangeCursor {
 public:
  ChangeCursor(Client& client, std::string model, Domain domain, std::vector<std::string> fields, Checkpoint from = {},
               std::int64_t page_size = 500, CallOptions options = {});
  // Rows written at or after `until` (whole seconds, UTC) wait for a later pull. A transaction's rows
  // carry its start time and become visible when it commits, so a pull that stops a few seconds before
  // the server's now does not pass a second that a running transaction may still add to (docs/client.md).
  void stop_before(DateTime until) { until_ = until; }
  // The next page of changed rows, oldest second first (within a second, not in any particular order);
  // nothing when caught up.
  result<std::optional<json::Document>> next();
  // After the last row of the last page returned: save it once those rows are safely handled.
  const Checkpoint& checkpoint() const noexcept { return checkpoint_; }

 private:
  Client& client_;
  std::string model_;
  Domain domain_;
  std::vector<std::string> fields_;
  std::int64_t page_size_;
  CallOptions options_;
  Checkpoint checkpoint_;
  std::optional<DateTime> until_;
  bool second_open_ = false;  // rows of checkpoint_'s second above its id may remain
  bool done_ = false;

  result<json::Document> read(const Domain& domain, const char* order);
};

}  // namespace odoo
}  // namespace v0
}  // namespace odoosync
