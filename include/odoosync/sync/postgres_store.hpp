// PostgresStore: the Store contract in a PostgreSQL database shared by many engine processes on many
// machines (libpq). Claims lease *subjects*: a `subjects` row per subject with an open batch, taken under
// a transaction-scoped advisory lock that other workers skip (they never queue on each other); open
// batches are resumed with `FOR UPDATE SKIP LOCKED`. Every lease carries a fencing epoch, bumped by
// each claim, and every renew and settle is checked against the owner and the epoch its claim saw, so a
// worker whose lease was taken over cannot complete its batch. Lease expiry, retry due times and the
// flush interval are judged by the database's clock (docs/sync.md, "A PostgreSQL store shared by many
// workers", says how the callers' `now_ms` is reconciled with it). Intake is one statement per call
// (`INSERT ... ON CONFLICT (source, id) DO NOTHING` over arrays); there is no trigger or NOTIFY per
// insert: workers poll. The audit trail and the checkpoints live in the same database.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <odoosync/core/secret.hpp>
#include <odoosync/sync/store.hpp>

namespace odoosync {
inline namespace v0 {
namespace sync {

struct PostgresOptions {
  // The PostgreSQL schema the store's tables live in (created when missing): several stores may share
  // one database under different schemas. Letters, digits and '_', starting with a letter or '_'.
  std::string schema = "odoosync";
  // The password, when it is neither in the connection string nor in libpq's own places ($PGPASSWORD,
  // $PGPASSFILE, ~/.pgpass). Never printed: errors name the host, port, database and user only.
  std::optional<Secret> password{};
  // Connections kept open, one per concurrent call (engine workers, the heartbeat, intake).
  int connections = 4;
  int connect_timeout_s = 10;  // unless the connection string sets connect_timeout
  // A claim considers at most this many events of one subject (as SqliteStore does).
  int subject_scan_limit = 20'000;
  int max_schema_version = 0;  // tests: migrate no further than this (0: the newest)
};

class PostgresStore final : public Store {
 public:
  // `conninfo`: a libpq connection string, `postgresql://user@host:port/db?...` or `host=... dbname=...`.
  // Connects, creates the schema when missing, migrates an older one, refuses a newer one. A bad
  // connection string or an unreachable server is ErrorKind::storage naming host and port (never the
  // password).
  static result<std::unique_ptr<PostgresStore>> open(const std::string& conninfo, PostgresOptions options = {});
  static constexpr int schema_version = 3;

  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  result<std::vector<Intake>> append(std::span<const NewEvent> events, std::int64_t now_ms,
                                     const Watermarks& high_water) override;
  result<std::optional<Batch>> claim(const ClaimRequest& request) override;
  // Extends the lease by the length its claim asked for, from the database's now (`until_ms` is the
  // caller's idea of the same; the database's clock governs).
  result<void> renew(std::int64_t batch, std::string_view owner, std::int64_t until_ms) override;
  result<void> settle(std::int64_t batch, std::string_view owner, const Settlement& settlement) override;
  // exclusive: a session advisory lock no other worker holds (refused with ErrorKind::storage while
  // any other worker, exclusive or shared, lives), then every lease is voided. Not exclusive: a shared
  // lock, so an exclusive worker cannot start meanwhile; leases of dead workers expire by themselves.
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

  // The schema version in the database.
  result<int> database_schema_version();
  // Where the store is, without the password: postgresql://user@host:port/db (schema).
  const std::string& location() const noexcept;

  struct Impl;

 private:
  explicit PostgresStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Whether a store location names a PostgreSQL database (postgresql:// or postgres://).
bool is_postgres_location(std::string_view location) noexcept;

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
