// SqliteStore: the Store contract in one SQLite file (WAL journal, versioned schema migrated on open,
// group commit: concurrent submits share one transaction and one fsync). Other processes may read the
// file and submit to it while a worker runs; one process at a time runs the engine on it (begin_worker
// with `exclusive` takes a lock file next to it).
#pragma once

#include <memory>
#include <string>

#include <odoosync/sync/store.hpp>

namespace odoosync {
inline namespace v0 {
namespace sync {

struct SqliteOptions {
  // FULL: durable across power loss when a call returns. NORMAL: durable across a crash of the process,
  // not of the machine (WAL), and faster.
  bool synchronous_full = true;
  int busy_timeout_ms = 10'000;  // waiting for another process's transaction
  int max_schema_version = 0;    // tests: migrate no further than this (0: the newest)
};

class SqliteStore final : public Store {
 public:
  // Creates the file (and its schema) when missing, migrates an older schema, refuses a newer one.
  static result<std::unique_ptr<SqliteStore>> open(const std::string& path, SqliteOptions options = {});
  static constexpr int schema_version = 4;

  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  result<std::vector<Intake>> append(std::span<const NewEvent> events, std::int64_t now_ms,
                                     const Watermarks& high_water) override;
  result<std::optional<Batch>> claim(const ClaimRequest& request) override;
  result<void> renew(std::int64_t batch, std::string_view owner, std::int64_t until_ms) override;
  result<void> settle(std::int64_t batch, std::string_view owner, const Settlement& settlement) override;
  result<void> begin_worker(std::string_view owner, bool exclusive, std::int64_t now_ms) override;
  result<void> end_worker(std::string_view owner) override;
  result<std::optional<StoredEvent>> get(std::string_view source, std::string_view id) override;
  result<std::vector<StoredEvent>> find(std::string_view id) override;
  result<std::vector<StoredEvent>> list(EventStatus status, std::size_t limit, std::int64_t after_seq = 0) override;
  result<void> replay(std::string_view source, std::string_view id, std::int64_t now_ms) override;
  result<void> discard(std::string_view source, std::string_view id, std::string_view reason,
                       std::int64_t now_ms) override;
  result<std::vector<AuditEntry>> audit(const AuditQuery& query) override;
  result<StoreStatus> status() override;
  result<std::array<std::uint64_t, lane_count>> depth() override;
  result<std::optional<std::string>> checkpoint(std::string_view name) override;
  result<void> set_checkpoint(std::string_view name, std::string_view value) override;
  const std::string& store_id() const noexcept override;

  // The schema version of the open file (PRAGMA user_version).
  result<int> file_schema_version();
  // Group commits so far, and the submits they carried (a measure of how well commits were shared).
  std::uint64_t commits() const noexcept;

  struct Impl;

 private:
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
