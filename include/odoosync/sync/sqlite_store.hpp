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
  static constexpr int schema_version = 5;

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
  result<QueueMoves> queue_moves(std::int64_t since_ms, std::size_t limit, std::int64_t slack_ms = 120'000) override;
  result<std::optional<std::string>> checkpoint(std::string_view name) override;
  result<void> set_checkpoint(std::string_view name, std::string_view value) override;
  const std::string& store_id() const noexcept override;
  result<std::size_t> outbox_upsert(std::span<const OutboxChange> changes, std::int64_t now_ms) override;
  result<std::vector<OutboxItem>> outbox_claim(const OutboxClaim& claim) override;
  result<std::vector<bool>> outbox_mark_sent(std::string_view channel, std::string_view kind, std::string_view owner,
                                             std::span<const OutboxSend> sends) override;
  result<std::vector<bool>> outbox_settle(std::string_view channel, std::string_view kind, std::string_view owner,
                                          std::int64_t now_ms, std::span<const OutboxSettle> settles) override;
  result<std::optional<OutboxItem>> outbox_get(std::string_view channel, std::string_view kind,
                                               std::string_view key) override;
  result<std::vector<OutboxItem>> outbox_list(const OutboxQuery& query) override;
  result<void> outbox_replay(std::string_view channel, std::string_view kind, std::string_view key,
                             std::int64_t now_ms) override;
  result<OutboxStatusCounts> outbox_status(std::string_view channel) override;

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
