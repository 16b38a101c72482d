#include <odoosync/sync/sqlite_store.hpp>
#include <odoosync/sync/lifecycle.hpp>
#include <odoosync/http/trace_context.hpp>

#include <cctype>

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "store_common.hpp"

namespace odoosync {
inline namespace v0 {
namespace sync {

namespace {

// Each entry takes the schema from version i to i + 1.
constexpr const char* migrations[] = {
    // 1: events, batches, audit, checkpoints.
    R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events(
  seq INTEGER PRIMARY KEY,
  source TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, subject TEXT NOT NULL,
  has_seq INTEGER NOT NULL, sequence INTEGER NOT NULL, lane INTEGER NOT NULL, batch_key TEXT NOT NULL,
  body TEXT NOT NULL, status INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  submitted_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, batch INTEGER NOT NULL DEFAULT 0,
  solo INTEGER NOT NULL DEFAULT 0, error TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '',
  audit_mark INTEGER NOT NULL DEFAULT 0,
  UNIQUE(source, id));
CREATE INDEX events_queue ON events(lane, status, seq);
CREATE INDEX events_subject ON events(subject, status, has_seq, sequence, seq);
CREATE TABLE batches(
  id INTEGER PRIMARY KEY, token TEXT NOT NULL, lane INTEGER NOT NULL, batch_key TEXT NOT NULL,
  attempt INTEGER NOT NULL, probe_first INTEGER NOT NULL, created_ms INTEGER NOT NULL, open INTEGER NOT NULL,
  owner TEXT NOT NULL DEFAULT '', lease_until INTEGER NOT NULL DEFAULT 0, due_ms INTEGER NOT NULL,
  leased_before INTEGER NOT NULL DEFAULT 0);
CREATE INDEX batches_open ON batches(open, lane, due_ms);
CREATE TABLE batch_members(batch INTEGER NOT NULL, pos INTEGER NOT NULL, seq INTEGER NOT NULL,
  PRIMARY KEY(batch, pos)) WITHOUT ROWID;
CREATE TABLE lane_depth(lane INTEGER PRIMARY KEY, depth INTEGER NOT NULL);
INSERT INTO lane_depth VALUES (0, 0), (1, 0);
CREATE TABLE audit(
  n INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, source TEXT NOT NULL, id TEXT NOT NULL, subject TEXT NOT NULL,
  action TEXT NOT NULL, attempt INTEGER NOT NULL, batch INTEGER NOT NULL, error TEXT NOT NULL,
  correlation_id TEXT NOT NULL);
CREATE INDEX audit_event ON audit(id, source);
CREATE INDEX audit_subject ON audit(subject);
CREATE TABLE checkpoints(name TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql",
    // 2: look-ups by event id alone and by correlation id.
    R"sql(
CREATE INDEX events_id ON events(id);
CREATE INDEX audit_correlation ON audit(correlation_id) WHERE correlation_id <> '';
)sql",
    // 3: has_seq says what its name says (it held 1 for an event without a sequence).
    R"sql(
UPDATE events SET has_seq = 1 - has_seq;
)sql",
    // 4: the push outbox (sync/outbox.hpp): items by (channel, kind, key) and their parts. Status values
    // are OutboxStatus's (0 pending, 1 pushed, 2 not_listed, 3 dead).
    R"sql(
CREATE TABLE outbox(
  channel TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
  seq_ms INTEGER NOT NULL, seq_id INTEGER NOT NULL, version INTEGER NOT NULL, status INTEGER NOT NULL,
  pushed TEXT, channel_value TEXT, sent TEXT, attempts INTEGER NOT NULL DEFAULT 0,
  due_ms INTEGER NOT NULL, changed_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, error TEXT NOT NULL DEFAULT '',
  owner TEXT NOT NULL DEFAULT '', lease_until INTEGER NOT NULL DEFAULT 0, epoch INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(channel, kind, key)) WITHOUT ROWID;
CREATE INDEX outbox_due ON outbox(channel, kind, status, due_ms);
CREATE TABLE outbox_parts(
  channel TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, part TEXT NOT NULL, value TEXT NOT NULL,
  seq_ms INTEGER NOT NULL, seq_id INTEGER NOT NULL,
  PRIMARY KEY(channel, kind, key, part)) WITHOUT ROWID;
)sql",
    // 5: traces. Each event's traceparent and trace id (indexed); each audit entry's trace id and the RPC
    // behind a settlement (correlation id, trace id, span id). Rows from before have none ('').
    R"sql(
ALTER TABLE events ADD COLUMN traceparent TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN trace_id TEXT NOT NULL DEFAULT '';
CREATE INDEX events_trace ON events(trace_id) WHERE trace_id <> '';
ALTER TABLE audit ADD COLUMN trace_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN rpc_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN rpc_trace_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN rpc_span_id TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_rpc_trace ON audit(rpc_trace_id) WHERE rpc_trace_id <> '';
)sql",
};
static_assert(std::size(migrations) == SqliteStore::schema_version);

Error sql_error(sqlite3* db, std::string_view what) {
  return Error(ErrorKind::storage, std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

// A prepared statement, reset after each use.
class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr) != SQLITE_OK) s_ = nullptr;
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(Stmt&& o) noexcept : db_(o.db_), s_(o.s_) { o.s_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept {
    std::swap(db_, o.db_);
    std::swap(s_, o.s_);
    return *this;
  }
  explicit operator bool() const { return s_ != nullptr; }

  Stmt& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data() ? v.data() : "", static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // Not copied: the text must outlive the step (and the reset that ends it).
  Stmt& bind_unchanged(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data() ? v.data() : "", static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  // SQLITE_ROW: true; SQLITE_DONE: false; else an error.
  result<bool> step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sql_error(db_, "sqlite step");
  }
  result<void> run() {
    auto r = step();
    reset();
    if (!r) return r.error();
    return success();
  }
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  std::int64_t i64(int col) { return sqlite3_column_int64(s_, col); }
  std::string text(int col) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col))) : std::string();
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* s_ = nullptr;
};

// Resets a statement when a scope ends (early returns included).
struct Resetter {
  Stmt& s;
  ~Resetter() { s.reset(); }
};

constexpr const char* event_columns =
    "seq, source, id, type, subject, has_seq, sequence, lane, batch_key, body, status, attempts, submitted_ms, "
    "updated_ms, batch, solo, error, reason, traceparent";

constexpr const char* prefixed_event_columns =
    "e.seq, e.source, e.id, e.type, e.subject, e.has_seq, e.sequence, e.lane, e.batch_key, e.body, e.status, "
    "e.attempts, e.submitted_ms, e.updated_ms, e.batch, e.solo, e.error, e.reason, e.traceparent";

StoredEvent read_event(Stmt& s) {
  StoredEvent e;
  e.seq = s.i64(0);
  e.event.source = s.text(1);
  e.event.id = s.text(2);
  e.event.type = s.text(3);
  e.event.subject = s.text(4);
  if (s.i64(5) != 0) e.event.sequence = s.i64(6);
  e.event.lane = static_cast<Lane>(s.i64(7));
  e.event.batch_key = s.text(8);
  e.event.body = s.text(9);
  e.status = static_cast<EventStatus>(s.i64(10));
  e.attempts = static_cast<int>(s.i64(11));
  e.submitted_ms = s.i64(12);
  e.updated_ms = s.i64(13);
  e.batch = s.i64(14);
  e.solo = s.i64(15) != 0;
  e.error = s.text(16);
  e.reason = s.text(17);
  e.event.traceparent = s.text(18);
  return e;
}

std::string event_sql(const char* tail) { return std::string("SELECT ") + event_columns + " FROM events " + tail; }

}  // namespace

struct SqliteStore::Impl {
  sqlite3* db = nullptr;
  std::string path;
  SqliteOptions options;
  std::string store_id;
  std::mutex db_mutex;  // one connection, one user at a time
  int lock_fd = -1;
  std::string exclusive_owner;
  std::atomic<std::uint64_t> commits{0};

  // Group commit.
  struct Submit {
    std::span<const NewEvent> events;
    std::int64_t now_ms = 0;
    const Watermarks* high_water = nullptr;
    std::optional<result<std::vector<Intake>>> out;
  };
  std::mutex queue_mutex;
  std::condition_variable queue_cv;
  std::vector<Submit*> queue;
  bool committing = false;

  std::map<std::string, Stmt, std::less<>> stmts;

  ~Impl() {
    stmts.clear();
    if (db) sqlite3_close(db);
    if (lock_fd >= 0) ::close(lock_fd);
  }

  result<void> exec(const char* sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
      std::string m = msg ? msg : "unknown";
      sqlite3_free(msg);
      return Error(ErrorKind::storage, "sqlite " + path + ": " + m);
    }
    return success();
  }

  result<Stmt*> stmt(const std::string& sql) {
    auto it = stmts.find(sql);
    if (it != stmts.end()) return &it->second;
    Stmt s(db, detail::with_status_values(sql).c_str());
    if (!s) return sql_error(db, "sqlite prepare");
    return &stmts.emplace(sql, std::move(s)).first->second;
  }

  // BEGIN IMMEDIATE ... COMMIT around `body`; rolled back when it fails.
  template <class F>
  auto transaction(F&& body) -> decltype(body()) {
    ODOOSYNC_TRYV(exec("BEGIN IMMEDIATE"));
    auto r = body();
    if (!r) {
      (void)exec("ROLLBACK");
      return r;
    }
    if (auto c = exec("COMMIT"); !c) {
      (void)exec("ROLLBACK");
      return c.error();
    }
    commits.fetch_add(1, std::memory_order_relaxed);
    return r;
  }

  result<void> add_audit(const StoredEvent& e, std::int64_t now, std::string_view action, std::int64_t batch,
                         std::string_view error = {}, std::string_view correlation = {}, const RpcRef& rpc = {}) {
    ODOOSYNC_TRY(
        s, stmt("INSERT INTO audit(at_ms, source, id, subject, action, attempt, batch, error, "
                "correlation_id, trace_id, rpc_id, rpc_trace_id, rpc_span_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    s->bind(1, now).bind(2, e.event.source).bind(3, e.event.id).bind(4, e.event.subject).bind(5, action);
    s->bind(6, std::int64_t{e.attempts}).bind(7, batch).bind(8, error).bind(9, correlation);
    s->bind(10, http::trace_id_of(e.event.traceparent)).bind(11, rpc.id).bind(12, rpc.trace_id).bind(13, rpc.span_id);
    return s->run();
  }

  result<void> add_depth(Lane lane, std::int64_t by) {
    ODOOSYNC_TRY(s, stmt("UPDATE lane_depth SET depth = depth + ? WHERE lane = ?"));
    s->bind(1, by).bind(2, static_cast<std::int64_t>(lane));
    return s->run();
  }

  result<std::optional<StoredEvent>> event_by_key(std::string_view source, std::string_view id) {
    ODOOSYNC_TRY(s, stmt(event_sql("WHERE source = ? AND id = ?")));
    Resetter r{*s};
    s->bind(1, source).bind(2, id);
    ODOOSYNC_TRY(row, s->step());
    if (!row) return std::optional<StoredEvent>();
    return std::optional<StoredEvent>(read_event(*s));
  }

  result<std::vector<Intake>> append_one(const Submit& sub) {
    // Insert first (a repeat of (source, id) inserts nothing), then check the watermarks: over one,
    // the caller rolls this submit's savepoint back and nothing of it stays.
    std::vector<Intake> out(sub.events.size(), Intake::accepted);
    std::array<std::int64_t, lane_count> adding{};
    // Where this intake falls in the audit trail: after the entries written so far.
    std::int64_t mark = 0;
    {
      ODOOSYNC_TRY(m, stmt("SELECT coalesce(max(n), 0) FROM audit"));
      Resetter r{*m};
      ODOOSYNC_TRY(row, m->step());
      if (row) mark = m->i64(0);
    }
    ODOOSYNC_TRY(ins, stmt("INSERT INTO events(source, id, type, subject, has_seq, sequence, lane, batch_key, body, "
                           "status, submitted_ms, updated_ms, audit_mark, traceparent, trace_id) "
                           "VALUES (?,?,?,?,?,?,?,?,?,:pending,?,?,?,?,?) ON CONFLICT(source, id) DO NOTHING"));
    for (std::size_t i = 0; i < sub.events.size(); ++i) {
      const auto& e = sub.events[i];
      // The submit's events outlive the insert: their texts are bound as they are, not copied.
      ins->bind_unchanged(1, e.source).bind_unchanged(2, e.id).bind_unchanged(3, e.type).bind_unchanged(4, e.subject);
      ins->bind(5, std::int64_t{e.sequence ? 1 : 0}).bind(6, e.sequence.value_or(0));
      ins->bind(7, static_cast<std::int64_t>(e.lane)).bind_unchanged(8, e.batch_key).bind_unchanged(9, e.body);
      ins->bind(10, sub.now_ms).bind(11, sub.now_ms).bind(12, mark);
      ins->bind_unchanged(13, e.traceparent).bind(14, http::trace_id_of(e.traceparent));
      ODOOSYNC_TRYV(ins->run());
      if (sqlite3_changes(db) == 0) {
        out[i] = Intake::duplicate;
        continue;
      }
      ++adding[static_cast<std::size_t>(e.lane)];  // its "submitted" audit entry is the events row itself
    }
    ODOOSYNC_TRY(depth, stmt("SELECT depth FROM lane_depth WHERE lane = ?"));
    for (std::size_t l = 0; l < lane_count; ++l) {
      const auto hw = (*sub.high_water)[l];
      if (hw == 0 || adding[l] == 0) continue;
      depth->bind(1, static_cast<std::int64_t>(l));
      auto row = depth->step();
      const std::int64_t d = row && row.value() ? depth->i64(0) : 0;
      depth->reset();
      if (!row) return row.error();
      if (static_cast<std::uint64_t>(d + adding[l]) > hw) {
        return detail::over_watermark(static_cast<Lane>(l), d, hw);
      }
    }
    for (std::size_t l = 0; l < lane_count; ++l) {
      if (adding[l] != 0) {
        ODOOSYNC_TRYV(add_depth(static_cast<Lane>(l), adding[l]));
      }
    }
    return out;
  }

  // Commits every queued submit in one transaction; each keeps its own outcome (a savepoint each).
  // The outcomes are handed back, not written into the submits: their owners read those under
  // queue_mutex, which the caller holds when it publishes them.
  std::vector<result<std::vector<Intake>>> commit_group(const std::vector<Submit*>& group) {
    std::lock_guard lock(db_mutex);
    std::vector<result<std::vector<Intake>>> out;
    out.reserve(group.size());
    auto begun = exec("BEGIN IMMEDIATE");
    if (!begun) {
      for (std::size_t i = 0; i < group.size(); ++i) out.emplace_back(begun.error());
      return out;
    }
    if (group.size() == 1) {
      // One submit: the transaction is its own, so a refusal rolls all of it back and no savepoint is
      // needed (under a savepoint SQLite keeps the original of every page the submit changes).
      auto r = append_one(*group.front());
      if (!r) {
        (void)exec("ROLLBACK");
        out.push_back(std::move(r));
        return out;
      }
      if (auto c = exec("COMMIT"); !c) {
        (void)exec("ROLLBACK");
        out.emplace_back(c.error());
        return out;
      }
      commits.fetch_add(1, std::memory_order_relaxed);
      out.push_back(std::move(r));
      return out;
    }
    for (auto* s : group) {
      if (auto sp = exec("SAVEPOINT submit"); !sp) {
        out.emplace_back(sp.error());
        continue;
      }
      auto r = append_one(*s);
      if (!r) {
        (void)exec("ROLLBACK TO submit");
      }
      (void)exec("RELEASE submit");
      out.push_back(std::move(r));
    }
    if (auto c = exec("COMMIT"); !c) {
      (void)exec("ROLLBACK");
      for (auto& r : out) r = result<std::vector<Intake>>(c.error());
      return out;
    }
    commits.fetch_add(1, std::memory_order_relaxed);
    return out;
  }

  result<Batch> load_batch(std::int64_t id) {
    Batch b;
    {
      ODOOSYNC_TRY(
          s, stmt("SELECT id, token, lane, batch_key, attempt, probe_first, created_ms FROM batches WHERE id = ?"));
      Resetter r{*s};
      s->bind(1, id);
      ODOOSYNC_TRY(row, s->step());
      if (!row) return Error(ErrorKind::storage, "sqlite " + path + ": batch " + std::to_string(id) + " vanished");
      b.id = s->i64(0);
      b.token = s->text(1);
      b.lane = static_cast<Lane>(s->i64(2));
      b.batch_key = s->text(3);
      b.attempt = static_cast<int>(s->i64(4));
      b.probe_first = s->i64(5) != 0;
      b.created_ms = s->i64(6);
    }
    ODOOSYNC_TRY(m, stmt(std::string("SELECT ") + prefixed_event_columns +
                         " FROM batch_members m JOIN events e ON e.seq = m.seq WHERE m.batch = ? ORDER BY m.pos"));
    Resetter r{*m};
    m->bind(1, id);
    for (;;) {
      ODOOSYNC_TRY(row, m->step());
      if (!row) break;
      b.members.push_back(read_event(*m));
    }
    return b;
  }

  result<std::vector<std::int64_t>> members_of(std::int64_t batch) {
    ODOOSYNC_TRY(m, stmt("SELECT seq FROM batch_members WHERE batch = ? ORDER BY pos"));
    Resetter r{*m};
    m->bind(1, batch);
    std::vector<std::int64_t> out;
    for (;;) {
      ODOOSYNC_TRY(row, m->step());
      if (!row) break;
      out.push_back(m->i64(0));
    }
    return out;
  }

  // What settling a batch needs of its members (no bodies): seq, lane, source, id, subject, attempts,
  // traceparent.
  result<std::vector<StoredEvent>> settle_rows(std::int64_t batch) {
    ODOOSYNC_TRY(m,
                 stmt("SELECT e.seq, e.lane, e.source, e.id, e.subject, e.attempts, e.traceparent FROM batch_members "
                      "m JOIN events e ON e.seq = m.seq WHERE m.batch = ? ORDER BY m.pos"));
    Resetter r{*m};
    m->bind(1, batch);
    std::vector<StoredEvent> out;
    for (;;) {
      ODOOSYNC_TRY(row, m->step());
      if (!row) break;
      StoredEvent e;
      e.seq = m->i64(0);
      e.event.lane = static_cast<Lane>(m->i64(1));
      e.event.source = m->text(2);
      e.event.id = m->text(3);
      e.event.subject = m->text(4);
      e.attempts = static_cast<int>(m->i64(5));
      e.event.traceparent = m->text(6);
      out.push_back(std::move(e));
    }
    return out;
  }

  result<std::optional<Batch>> resume(const ClaimRequest& rq) {
    std::int64_t id = 0;
    bool leased_before = false;
    {
      ODOOSYNC_TRY(s, stmt("SELECT id, leased_before FROM batches WHERE open = 1 AND lane = ? AND due_ms <= ? AND "
                           "(owner = '' OR lease_until <= ?) ORDER BY due_ms, id LIMIT 1"));
      Resetter r{*s};
      s->bind(1, static_cast<std::int64_t>(rq.lane)).bind(2, rq.now_ms).bind(3, rq.now_ms);
      ODOOSYNC_TRY(row, s->step());
      if (!row) return std::optional<Batch>();
      id = s->i64(0);
      leased_before = s->i64(1) != 0;
    }
    ODOOSYNC_TRY(u, stmt("UPDATE batches SET owner = ?, lease_until = ?, leased_before = 1, attempt = attempt + 1, "
                         "probe_first = (probe_first OR ?) WHERE id = ?"));
    u->bind(1, rq.owner).bind(2, rq.now_ms + rq.lease_ms).bind(3, std::int64_t{leased_before ? 1 : 0}).bind(4, id);
    ODOOSYNC_TRYV(u->run());
    ODOOSYNC_TRY(seqs, members_of(id));
    ODOOSYNC_TRY(inc, stmt("UPDATE events SET attempts = attempts + 1, updated_ms = ? WHERE seq = ?"));
    for (auto seq : seqs) {
      inc->bind(1, rq.now_ms).bind(2, seq);
      ODOOSYNC_TRYV(inc->run());
    }
    ODOOSYNC_TRY(b, load_batch(id));
    b.abandoned = leased_before;
    for (const auto& e : b.members) {
      ODOOSYNC_TRYV(add_audit(e, rq.now_ms, to_string(EventAction::resumed), id, "", b.token));
    }
    return std::optional<Batch>(std::move(b));
  }

  struct Candidate {
    std::int64_t seq = 0;
    std::string subject, batch_key;
    bool solo = false;
    std::int64_t submitted_ms = 0;
  };

  result<std::optional<Batch>> form(const ClaimRequest& rq) {
    std::set<std::string> busy;
    {
      ODOOSYNC_TRY(s, stmt("SELECT DISTINCT subject FROM events WHERE lane = ? AND status = :in_flight"));
      Resetter r{*s};
      s->bind(1, static_cast<std::int64_t>(rq.lane));
      for (;;) {
        ODOOSYNC_TRY(row, s->step());
        if (!row) break;
        busy.insert(s->text(0));
      }
    }
    // Subjects with an open batch are left out by the query, so they cost no scan budget.
    ODOOSYNC_TRY(scan,
                 stmt("SELECT seq, subject, batch_key, solo, submitted_ms FROM events "
                      "WHERE lane = ?1 AND status = :pending AND seq > ?2 AND subject NOT IN "
                      "(SELECT subject FROM events WHERE lane = ?1 AND status = :in_flight) ORDER BY seq LIMIT 512"));
    ODOOSYNC_TRY(head, stmt("SELECT seq, source, has_seq, sequence, batch_key, solo, submitted_ms FROM events "
                            "WHERE subject = ? AND status = :pending ORDER BY seq LIMIT 20000"));
    std::vector<std::int64_t> members;
    std::string key;
    bool solo = false;
    std::int64_t oldest = INT64_MAX;
    std::int64_t after = 0;
    std::size_t scanned = 0;
    const std::size_t scan_limit = std::max<std::size_t>(rq.max_members * 20, 2000);
    bool more = true;
    while (more && scanned < scan_limit && members.size() < rq.max_members && !solo) {
      std::vector<Candidate> page;
      {
        Resetter r{*scan};
        scan->bind(1, static_cast<std::int64_t>(rq.lane)).bind(2, after);
        for (;;) {
          ODOOSYNC_TRY(row, scan->step());
          if (!row) break;
          page.push_back(Candidate{scan->i64(0), scan->text(1), scan->text(2), scan->i64(3) != 0, scan->i64(4)});
        }
      }
      more = page.size() == 512;
      for (const auto& c : page) {
        after = c.seq;
        if (++scanned > scan_limit || members.size() >= rq.max_members || solo) break;
        if (busy.count(c.subject) != 0) continue;
        // The subject's pending events, in intake order; subject_run picks its head (which may have
        // come later in intake order: a lower sequence of its source) and the run that coalesces.
        struct Row {
          std::int64_t seq;
          std::string source;
          bool has_sequence;
          std::int64_t sequence;
          std::string batch_key;
          bool solo;
          std::int64_t submitted_ms;
        };
        std::vector<Row> rows;
        {
          Resetter r{*head};
          head->bind(1, c.subject);
          for (;;) {
            ODOOSYNC_TRY(row, head->step());
            if (!row) break;
            rows.push_back(Row{head->i64(0), head->text(1), head->i64(2) != 0, head->i64(3), head->text(4),
                               head->i64(5) != 0, head->i64(6)});
          }
        }
        std::vector<detail::RunItem> items;
        items.reserve(rows.size());
        for (const auto& rw : rows)
          items.push_back({rw.seq, rw.source, rw.has_sequence, rw.sequence, rw.batch_key, rw.solo});
        auto run = detail::subject_run(items, key, solo, rq.max_members - members.size());
        for (auto i : run) {
          members.push_back(rows[i].seq);
          oldest = std::min(oldest, rows[i].submitted_ms);
        }
        if (!run.empty()) busy.insert(c.subject);
      }
    }
    if (members.empty()) return std::optional<Batch>();
    if (members.size() < rq.max_members && !solo && oldest > rq.flush_before_ms) return std::optional<Batch>();

    ODOOSYNC_TRY(ins, stmt("INSERT INTO batches(token, lane, batch_key, attempt, probe_first, created_ms, open, owner, "
                           "lease_until, due_ms, leased_before) VALUES ('', ?, ?, 1, 0, ?, 1, ?, ?, ?, 1)"));
    ins->bind(1, static_cast<std::int64_t>(rq.lane)).bind(2, key).bind(3, rq.now_ms).bind(4, rq.owner);
    ins->bind(5, rq.now_ms + rq.lease_ms).bind(6, rq.now_ms);
    ODOOSYNC_TRYV(ins->run());
    const std::int64_t id = sqlite3_last_insert_rowid(db);
    ODOOSYNC_TRY(tok, stmt("UPDATE batches SET token = ? WHERE id = ?"));
    tok->bind(1, batch_token(store_id, id)).bind(2, id);
    ODOOSYNC_TRYV(tok->run());
    ODOOSYNC_TRY(mem, stmt("INSERT INTO batch_members(batch, pos, seq) VALUES (?, ?, ?)"));
    ODOOSYNC_TRY(upd, stmt("UPDATE events SET status = :in_flight, batch = ?, attempts = attempts + 1, updated_ms = ? "
                           "WHERE seq = ?"));
    bool probe = false;
    for (std::size_t i = 0; i < members.size(); ++i) {
      mem->bind(1, id).bind(2, static_cast<std::int64_t>(i)).bind(3, members[i]);
      ODOOSYNC_TRYV(mem->run());
      upd->bind(1, id).bind(2, rq.now_ms).bind(3, members[i]);
      ODOOSYNC_TRYV(upd->run());
    }
    ODOOSYNC_TRY(b, load_batch(id));
    for (const auto& e : b.members) {
      if (e.attempts > 1) probe = true;  // sent before, in another batch
      ODOOSYNC_TRYV(add_audit(e, rq.now_ms, to_string(EventAction::claimed), id, "", b.token));
    }
    if (probe) {
      ODOOSYNC_TRY(p, stmt("UPDATE batches SET probe_first = 1 WHERE id = ?"));
      p->bind(1, id);
      ODOOSYNC_TRYV(p->run());
      b.probe_first = true;
    }
    return std::optional<Batch>(std::move(b));
  }

  result<void> check_owner(std::int64_t batch, std::string_view owner) {
    ODOOSYNC_TRY(s, stmt("SELECT 1 FROM batches WHERE id = ? AND open = 1 AND owner = ?"));
    Resetter r{*s};
    s->bind(1, batch).bind(2, owner);
    ODOOSYNC_TRY(row, s->step());
    if (!row) {
      return detail::not_leased(batch, owner);
    }
    return success();
  }
};

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::~SqliteStore() = default;

result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path, SqliteOptions options) {
  if (path.empty()) return Error::validation("SqliteStore::open: the path is empty");
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  if (sqlite3_open_v2(path.c_str(), &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    auto e = sql_error(impl->db, "cannot open the store '" + path + "'");
    return e;
  }
  sqlite3_busy_timeout(impl->db, options.busy_timeout_ms);
  // Another process creating the same file at this moment: SQLite answers "locked" at once, without
  // its busy handler, where two connections would otherwise deadlock (switching a new file to WAL,
  // upgrading a read to a write). Each step of the opening is then tried again, for up to the busy
  // timeout.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.busy_timeout_ms);
  const auto patiently = [&](const auto& step) {
    for (;;) {
      auto r = step();
      if (r || std::chrono::steady_clock::now() >= deadline) return r;
      const int code = sqlite3_errcode(impl->db);
      if (code != SQLITE_BUSY && code != SQLITE_LOCKED) return r;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  };
  ODOOSYNC_TRYV(patiently([&] { return impl->exec("PRAGMA journal_mode=WAL"); }));
  ODOOSYNC_TRYV(impl->exec(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  ODOOSYNC_TRYV(impl->exec("PRAGMA foreign_keys=ON"));
  // Temporary files in memory: the statement journal (the original of each page a statement or a
  // group commit's savepoint changes, kept for a rollback to it) is one copy of every page written, and
  // on a file it cost a third of the writes of a batched intake. Nothing durable lives there.
  ODOOSYNC_TRYV(impl->exec("PRAGMA temp_store=MEMORY"));

  auto* raw = impl.get();
  int version = 0;
  {
    auto read = patiently([&]() -> result<int> {
      Stmt v(raw->db, "PRAGMA user_version");
      if (!v) return sql_error(raw->db, "cannot read the store '" + path + "'");
      auto row = v.step();
      if (!row) return row.error().with_message_prefix("cannot read the store '" + path + "'");
      return static_cast<int>(v.i64(0));
    });
    if (!read) return read.error();
    version = read.value();
  }
  if (version > schema_version) {
    return Error(ErrorKind::storage, "the store '" + path + "' has schema version " + std::to_string(version) +
                                         ", newer than this build knows (" + std::to_string(schema_version) +
                                         "): use a newer odoosync");
  }
  const int target =
      options.max_schema_version > 0 ? std::min(options.max_schema_version, schema_version) : schema_version;
  // Each step reads the version again inside its write transaction: another process opening the same
  // new file at the same time may have migrated it meanwhile (BEGIN IMMEDIATE waits for it), and a step
  // is never run twice.
  for (int v = version; v < target; ++v) {
    auto r = patiently([&] {
      return raw->transaction([&]() -> result<void> {
        Stmt now(raw->db, "PRAGMA user_version");
        if (!now) return sql_error(raw->db, "cannot read the store's version");
        ODOOSYNC_TRYV(now.step());
        if (static_cast<int>(now.i64(0)) > v) return success();  // migrated by the other process
        ODOOSYNC_TRYV(raw->exec(migrations[v]));
        if (v == 0) {
          Stmt s(raw->db, "INSERT INTO meta(key, value) VALUES ('store_id', ?)");
          s.bind(1, detail::make_store_id());
          ODOOSYNC_TRYV(s.run());
        }
        const std::string pragma = "PRAGMA user_version = " + std::to_string(v + 1);
        return raw->exec(pragma.c_str());
      });
    });
    if (!r)
      return r.error().with_message_prefix("migrating the store '" + path + "' to version " + std::to_string(v + 1));
  }
  {
    Stmt s(raw->db, "SELECT value FROM meta WHERE key = 'store_id'");
    auto row = s.step();
    if (!row || !row.value())
      return Error(ErrorKind::storage, "the store '" + path + "' has no store id: not an odoosync store?");
    raw->store_id = s.text(0);
  }
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
}

const std::string& SqliteStore::store_id() const noexcept { return impl_->store_id; }
std::uint64_t SqliteStore::commits() const noexcept { return impl_->commits.load(std::memory_order_relaxed); }

result<int> SqliteStore::file_schema_version() {
  std::lock_guard lock(impl_->db_mutex);
  Stmt v(impl_->db, "PRAGMA user_version");
  ODOOSYNC_TRYV(v.step());
  return static_cast<int>(v.i64(0));
}

result<std::vector<Intake>> SqliteStore::append(std::span<const NewEvent> events, std::int64_t now_ms,
                                                const Watermarks& high_water) {
  Impl::Submit me{events, now_ms, &high_water, std::nullopt};
  std::unique_lock lock(impl_->queue_mutex);
  impl_->queue.push_back(&me);
  while (!me.out) {
    if (!impl_->committing) {
      impl_->committing = true;
      std::vector<Impl::Submit*> group;
      group.swap(impl_->queue);
      lock.unlock();
      std::vector<result<std::vector<Intake>>> outcomes;
      try {
        outcomes = impl_->commit_group(group);
      } catch (...) {  // bad_alloc: fail this group, and never leave `committing` set (every submit would wait)
        outcomes.clear();
        for (std::size_t i = 0; i < group.size(); ++i) {
          outcomes.emplace_back(Error(ErrorKind::storage, "sqlite " + impl_->path + ": out of memory in a commit"));
        }
      }
      lock.lock();
      for (std::size_t i = 0; i < group.size(); ++i) group[i]->out = std::move(outcomes[i]);
      impl_->committing = false;
      impl_->queue_cv.notify_all();
    } else {
      impl_->queue_cv.wait(lock);
    }
  }
  return std::move(*me.out);
}

result<std::optional<Batch>> SqliteStore::claim(const ClaimRequest& rq) {
  std::lock_guard lock(impl_->db_mutex);
  return impl_->transaction([&]() -> result<std::optional<Batch>> {
    ODOOSYNC_TRY(resumed, impl_->resume(rq));
    if (resumed) return resumed;
    return impl_->form(rq);
  });
}

result<void> SqliteStore::renew(std::int64_t batch, std::string_view owner, std::int64_t until_ms) {
  std::lock_guard lock(impl_->db_mutex);
  return impl_->transaction([&]() -> result<void> {
    ODOOSYNC_TRYV(impl_->check_owner(batch, owner));
    ODOOSYNC_TRY(s, impl_->stmt("UPDATE batches SET lease_until = ? WHERE id = ?"));
    s->bind(1, until_ms).bind(2, batch);
    return s->run();
  });
}

result<void> SqliteStore::settle(std::int64_t batch, std::string_view owner, const Settlement& st) {
  std::lock_guard lock(impl_->db_mutex);
  auto& d = *impl_;
  return d.transaction([&]() -> result<void> {
    ODOOSYNC_TRYV(d.check_owner(batch, owner));
    ODOOSYNC_TRY(members, d.settle_rows(batch));
    // Every member moves along the lifecycle table from in_flight (sync/lifecycle.hpp).
    ODOOSYNC_TRY(t, transition(EventStatus::in_flight, settle_action(st.kind)));
    ODOOSYNC_TRY(
        u, d.stmt("UPDATE events SET status = ?3, solo = (solo OR ?4), error = ?5, updated_ms = ?1 WHERE seq = ?2"));
    std::array<std::int64_t, lane_count> settled{};
    for (const auto& e : members) {
      u->bind(1, st.now_ms).bind(2, e.seq).bind(3, static_cast<std::int64_t>(t.to));
      u->bind(4, std::int64_t{t.solo_after ? 1 : 0})
          .bind(5, st.kind == SettleKind::applied ? std::string_view() : std::string_view(st.error));
      ODOOSYNC_TRYV(u->run());
      if (!t.counts_in_depth) ++settled[static_cast<std::size_t>(e.event.lane)];
      ODOOSYNC_TRYV(d.add_audit(e, st.now_ms, to_string(t.action), batch, st.error, st.correlation_id, st.rpc));
    }
    for (std::size_t l = 0; l < lane_count; ++l) {
      if (settled[l] != 0) {
        ODOOSYNC_TRYV(d.add_depth(static_cast<Lane>(l), -settled[l]));
      }
    }
    if (st.kind == SettleKind::retry) {
      ODOOSYNC_TRY(b, d.stmt("UPDATE batches SET owner = '', lease_until = 0, leased_before = 0, due_ms = ?, "
                             "probe_first = (probe_first OR ?) WHERE id = ?"));
      b->bind(1, st.due_ms).bind(2, std::int64_t{st.outcome_unknown ? 1 : 0}).bind(3, batch);
      return b->run();
    }
    ODOOSYNC_TRY(b, d.stmt("UPDATE batches SET open = 0, owner = '', lease_until = 0 WHERE id = ?"));
    b->bind(1, batch);
    return b->run();
  });
}

result<void> SqliteStore::begin_worker(std::string_view owner, bool exclusive, std::int64_t) {
  if (!exclusive) return success();
  std::lock_guard lock(impl_->db_mutex);
  if (!impl_->exclusive_owner.empty() && impl_->exclusive_owner != owner) {
    return Error(ErrorKind::storage, "another engine (" + impl_->exclusive_owner + ") runs on '" + impl_->path + "'");
  }
  if (impl_->lock_fd < 0) {
    const std::string lock_path = impl_->path + ".worker-lock";
    const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Error(ErrorKind::storage, "cannot create the lock file '" + lock_path + "'");
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      return Error(ErrorKind::storage, "another process runs the sync engine on '" + impl_->path + "'");
    }
    impl_->lock_fd = fd;
  }
  auto voided = impl_->transaction([&]() -> result<void> {
    return impl_->exec(
        "UPDATE batches SET owner = '', lease_until = 0, probe_first = 1 WHERE open = 1 AND owner <> ''");
  });
  if (voided) impl_->exclusive_owner = std::string(owner);
  return voided;
}

result<void> SqliteStore::end_worker(std::string_view owner) {
  std::lock_guard lock(impl_->db_mutex);
  if (impl_->exclusive_owner == owner) impl_->exclusive_owner.clear();
  return success();
}

result<std::optional<StoredEvent>> SqliteStore::get(std::string_view source, std::string_view id) {
  std::lock_guard lock(impl_->db_mutex);
  return impl_->event_by_key(source, id);
}

result<std::vector<StoredEvent>> SqliteStore::find(std::string_view id) {
  std::lock_guard lock(impl_->db_mutex);
  ODOOSYNC_TRY(s, impl_->stmt(event_sql("WHERE id = ? ORDER BY seq")));
  Resetter r{*s};
  s->bind(1, id);
  std::vector<StoredEvent> out;
  for (;;) {
    ODOOSYNC_TRY(row, s->step());
    if (!row) break;
    out.push_back(read_event(*s));
  }
  return out;
}

result<std::vector<StoredEvent>> SqliteStore::list(EventStatus status, std::size_t limit, std::int64_t after_seq) {
  std::lock_guard lock(impl_->db_mutex);
  // lane IN (0, 1): the (lane, status, seq) index serves it (a bare status = ? would scan every event).
  ODOOSYNC_TRY(s, impl_->stmt(event_sql("WHERE lane IN (0, 1) AND status = ? AND seq > ? ORDER BY seq LIMIT ?")));
  Resetter r{*s};
  s->bind(1, static_cast<std::int64_t>(status)).bind(2, after_seq).bind(3, static_cast<std::int64_t>(limit));
  std::vector<StoredEvent> out;
  for (;;) {
    ODOOSYNC_TRY(row, s->step());
    if (!row) break;
    out.push_back(read_event(*s));
  }
  return out;
}

result<void> SqliteStore::replay(std::string_view source, std::string_view id, std::int64_t now_ms) {
  std::lock_guard lock(impl_->db_mutex);
  auto& d = *impl_;
  return d.transaction([&]() -> result<void> {
    ODOOSYNC_TRY(e, d.event_by_key(source, id));
    if (!e || e->status != EventStatus::dead) return detail::not_dead(source, id, e.has_value());
    ODOOSYNC_TRY(t, transition(e->status, EventAction::replayed));
    ODOOSYNC_TRY(u, d.stmt("UPDATE events SET status = ?, solo = (solo OR ?), updated_ms = ? WHERE seq = ?"));
    u->bind(1, static_cast<std::int64_t>(t.to))
        .bind(2, std::int64_t{t.solo_after ? 1 : 0})
        .bind(3, now_ms)
        .bind(4, e->seq);
    ODOOSYNC_TRYV(u->run());
    if (t.counts_in_depth && !counts_in_depth(e->status)) {
      ODOOSYNC_TRYV(d.add_depth(e->event.lane, 1));
    }
    return d.add_audit(*e, now_ms, to_string(EventAction::replayed), 0);
  });
}

result<void> SqliteStore::discard(std::string_view source, std::string_view id, std::string_view reason,
                                  std::int64_t now_ms) {
  if (reason.empty()) return Error::validation("discard: a reason is required");
  std::lock_guard lock(impl_->db_mutex);
  auto& d = *impl_;
  return d.transaction([&]() -> result<void> {
    ODOOSYNC_TRY(e, d.event_by_key(source, id));
    if (!e || e->status != EventStatus::dead) return detail::not_dead(source, id, e.has_value());
    ODOOSYNC_TRY(t, transition(e->status, EventAction::discarded));
    ODOOSYNC_TRY(u, d.stmt("UPDATE events SET status = ?, reason = ?, updated_ms = ? WHERE seq = ?"));
    u->bind(1, static_cast<std::int64_t>(t.to)).bind(2, reason).bind(3, now_ms).bind(4, e->seq);
    ODOOSYNC_TRYV(u->run());
    return d.add_audit(*e, now_ms, to_string(EventAction::discarded), 0, reason);
  });
}

result<std::vector<AuditEntry>> SqliteStore::audit(const AuditQuery& q) {
  std::lock_guard lock(impl_->db_mutex);
  // "submitted" is read from the events row (written once, at intake), placed after the audit entries
  // that existed then (audit_mark); the later changes come from audit, in the order they were written.
  std::string where;
  std::vector<std::string> args;
  if (q.id) where += " AND id = ?", args.push_back(*q.id);
  if (q.source) where += " AND source = ?", args.push_back(*q.source);
  if (q.subject) where += " AND subject = ?", args.push_back(*q.subject);
  // A trace: the events whose own trace it is and those its RPCs carried (found through the partial
  // indexes), each with its whole trail (through the (source, id) and (id, source) indexes: a row value
  // IN a subquery alone would scan both tables).
  std::string with;
  if (q.trace_id) {
    with =
        "WITH k(source, id) AS (SELECT source, id FROM events WHERE trace_id = ? AND trace_id <> '' UNION "
        "SELECT source, id FROM audit WHERE rpc_trace_id = ? AND rpc_trace_id <> '') ";
    where += " AND id IN (SELECT id FROM k) AND (source, id) IN (SELECT source, id FROM k)";
  }
  std::string corr;
  if (q.correlation_id) corr = " AND correlation_id = ? AND correlation_id <> ''";  // the partial index
  const std::string sql =
      with +
      "SELECT at_ms, source, id, subject, action, attempt, batch, error, correlation_id, trace_id, rpc_id, "
      "rpc_trace_id, rpc_span_id FROM ("
      "SELECT submitted_ms AS at_ms, source, id, subject, 'submitted' AS action, 0 AS attempt, 0 AS batch, '' AS "
      "error, '' AS correlation_id, trace_id, '' AS rpc_id, '' AS rpc_trace_id, '' AS rpc_span_id, audit_mark AS k1, "
      "seq AS k2 FROM events WHERE " +
      std::string(q.correlation_id ? "0" : "1") + where +
      " UNION ALL SELECT at_ms, source, id, subject, action, attempt, batch, error, correlation_id, trace_id, rpc_id, "
      "rpc_trace_id, rpc_span_id, n AS k1, -1 AS k2 FROM audit WHERE 1" +
      where + corr + ") ORDER BY k1, k2 LIMIT ?";
  ODOOSYNC_TRY(s, impl_->stmt(sql));
  Resetter r{*s};
  int i = 1;
  if (q.trace_id) {
    s->bind(i++, *q.trace_id);
    s->bind(i++, *q.trace_id);
  }
  for (const auto& a : args) s->bind(i++, a);
  for (const auto& a : args) s->bind(i++, a);
  if (q.correlation_id) s->bind(i++, *q.correlation_id);
  s->bind(i, static_cast<std::int64_t>(q.limit));
  std::vector<AuditEntry> out;
  for (;;) {
    ODOOSYNC_TRY(row, s->step());
    if (!row) break;
    AuditEntry a;
    a.at_ms = s->i64(0);
    a.source = s->text(1);
    a.id = s->text(2);
    a.subject = s->text(3);
    a.action = s->text(4);
    a.attempt = static_cast<int>(s->i64(5));
    a.batch = s->i64(6);
    a.error = s->text(7);
    a.correlation_id = s->text(8);
    a.trace_id = s->text(9);
    a.rpc = RpcRef{s->text(10), s->text(11), s->text(12)};
    out.push_back(std::move(a));
  }
  return out;
}

result<StoreStatus> SqliteStore::status() {
  std::lock_guard lock(impl_->db_mutex);
  StoreStatus st;
  {
    ODOOSYNC_TRY(s, impl_->stmt("SELECT lane, type, status, count(*) FROM events GROUP BY lane, type, status"));
    Resetter r{*s};
    for (;;) {
      ODOOSYNC_TRY(row, s->step());
      if (!row) break;
      auto& l = st.lanes[static_cast<std::size_t>(s->i64(0)) % lane_count];
      const auto n = static_cast<std::uint64_t>(s->i64(3));
      const auto status = static_cast<EventStatus>(s->i64(2));
      l.add(status, n);
      l.by_type[s->text(1)].add(status, n);
    }
  }
  for (std::size_t lane = 0; lane < lane_count; ++lane) {
    ODOOSYNC_TRY(
        s, impl_->stmt("SELECT min(submitted_ms) FROM events WHERE lane = ? AND status IN (:pending, :in_flight)"));
    Resetter r{*s};
    s->bind(1, static_cast<std::int64_t>(lane));
    ODOOSYNC_TRY(row, s->step());
    if (row && st.lanes[lane].pending + st.lanes[lane].in_flight > 0) st.lanes[lane].oldest_pending_ms = s->i64(0);
  }
  {
    ODOOSYNC_TRY(s, impl_->stmt("SELECT lane, count(*) FROM batches WHERE open = 1 GROUP BY lane"));
    Resetter r{*s};
    for (;;) {
      ODOOSYNC_TRY(row, s->step());
      if (!row) break;
      st.lanes[static_cast<std::size_t>(s->i64(0)) % lane_count].open_batches = static_cast<std::uint64_t>(s->i64(1));
    }
  }
  return st;
}

result<std::array<std::uint64_t, lane_count>> SqliteStore::depth() {
  std::lock_guard lock(impl_->db_mutex);
  ODOOSYNC_TRY(s, impl_->stmt("SELECT lane, depth FROM lane_depth"));
  Resetter r{*s};
  std::array<std::uint64_t, lane_count> out{};
  for (;;) {
    ODOOSYNC_TRY(row, s->step());
    if (!row) break;
    out[static_cast<std::size_t>(s->i64(0)) % lane_count] =
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, s->i64(1)));
  }
  return out;
}

result<QueueMoves> SqliteStore::queue_moves(std::int64_t since_ms, std::size_t limit, std::int64_t slack_ms) {
  auto& d = *impl_;
  const auto max_rows = limit > SIZE_MAX / 4 ? SIZE_MAX : limit * 4;
  // First, in one read transaction: the depth, the oldest unsettled events and the newest keys of both
  // tables. The walks then read only rows below those keys, a page at a time with the store's lock taken
  // for each page alone (intake and claims go on between pages): keys only grow (one writer at a time,
  // rows never deleted), so no row of that moment is missed and none after it is read.
  QueueMoves snap;
  std::int64_t audit_end = 0, events_end = 0;
  {
    std::lock_guard lock(d.db_mutex);
    auto first = [&]() -> result<void> {
      {
        ODOOSYNC_TRY(st, d.stmt("SELECT lane, depth FROM lane_depth"));
        Resetter r{*st};
        for (;;) {
          ODOOSYNC_TRY(row, st->step());
          if (!row) break;
          snap.depth[static_cast<std::size_t>(st->i64(0)) % lane_count] =
              static_cast<std::uint64_t>(std::max<std::int64_t>(0, st->i64(1)));
        }
      }
      for (auto [sql, end] : {std::pair{"SELECT coalesce(max(n), 0) FROM audit", &audit_end},
                              std::pair{"SELECT coalesce(max(seq), 0) FROM events", &events_end}}) {
        ODOOSYNC_TRY(st, d.stmt(sql));
        Resetter r{*st};
        ODOOSYNC_TRY(row, st->step());
        if (row) *end = st->i64(0);
      }
      // Pending and in flight apart: each an index range of (lane, status, seq), not a sort of the queue.
      ODOOSYNC_TRY(st,
                   d.stmt("SELECT seq, submitted_ms FROM events WHERE lane = ? AND status = ? ORDER BY seq LIMIT ?"));
      for (std::size_t lane = 0; lane < lane_count; ++lane) {
        auto& heads = snap.heads[lane];
        for (auto status : {EventStatus::pending, EventStatus::in_flight}) {
          Resetter r{*st};
          st->bind(1, static_cast<std::int64_t>(lane))
              .bind(2, static_cast<std::int64_t>(status))
              .bind(3, static_cast<std::int64_t>(detail::queue_head_count));
          for (;;) {
            ODOOSYNC_TRY(row, st->step());
            if (!row) break;
            heads.push_back(QueueHead{st->i64(0), st->i64(1)});
          }
        }
        std::sort(heads.begin(), heads.end(), [](const QueueHead& x, const QueueHead& y) { return x.seq < y.seq; });
        if (heads.size() > detail::queue_head_count) heads.resize(detail::queue_head_count);
      }
      return success();
    };
    ODOOSYNC_TRYV(d.exec("BEGIN"));
    auto done = first();
    (void)d.exec(done ? "COMMIT" : "ROLLBACK");
    if (!done) return done.error();
  }
  // Pages down the primary keys (audit.n, events.seq), each an index range; the event of an audit entry
  // is found through UNIQUE(source, id).
  auto audit_page = [&](std::int64_t before, std::size_t n) -> result<std::vector<detail::MoveRow>> {
    std::lock_guard lock(d.db_mutex);
    ODOOSYNC_TRY(st, d.stmt("SELECT a.n, a.at_ms, a.action, e.lane, e.seq, e.submitted_ms FROM (SELECT n, at_ms, "
                            "action, source, id FROM audit WHERE n < ? ORDER BY n DESC LIMIT ?) a LEFT JOIN events e "
                            "ON a.action IN ('applied', 'dead', 'replayed') AND e.source = a.source AND e.id = a.id "
                            "ORDER BY a.n DESC"));
    Resetter r{*st};
    st->bind(1, before).bind(2, static_cast<std::int64_t>(n));
    std::vector<detail::MoveRow> rows;
    for (;;) {
      ODOOSYNC_TRY(row, st->step());
      if (!row) break;
      detail::MoveRow m{st->i64(0), st->i64(1), detail::move_kind(st->text(2))};
      if (m.kind && st->i64(4) == 0) m.kind.reset();  // its event is gone: nothing to place
      m.lane = static_cast<Lane>(st->i64(3) % static_cast<std::int64_t>(lane_count));
      m.seq = st->i64(4);
      m.submitted_ms = st->i64(5);
      rows.push_back(m);
    }
    return rows;
  };
  auto event_page = [&](std::int64_t before, std::size_t n) -> result<std::vector<detail::MoveRow>> {
    std::lock_guard lock(d.db_mutex);
    ODOOSYNC_TRY(st, d.stmt("SELECT seq, submitted_ms, lane FROM events WHERE seq < ? ORDER BY seq DESC LIMIT ?"));
    Resetter r{*st};
    st->bind(1, before).bind(2, static_cast<std::int64_t>(n));
    std::vector<detail::MoveRow> rows;
    for (;;) {
      ODOOSYNC_TRY(row, st->step());
      if (!row) break;
      const auto seq = st->i64(0);
      rows.push_back(detail::MoveRow{seq, st->i64(1), QueueMove::Kind::submitted,
                                     static_cast<Lane>(st->i64(2) % static_cast<std::int64_t>(lane_count)), seq,
                                     st->i64(1)});
    }
    return rows;
  };
  ODOOSYNC_TRY(a, detail::walk_moves(audit_page, audit_end + 1, since_ms, slack_ms, limit, max_rows));
  ODOOSYNC_TRY(e, detail::walk_moves(event_page, events_end + 1, since_ms, slack_ms, limit, max_rows));
  auto out = detail::merge_moves(std::move(a), std::move(e), since_ms, limit);
  out.depth = snap.depth;
  out.heads = std::move(snap.heads);
  return out;
}

result<std::optional<std::string>> SqliteStore::checkpoint(std::string_view name) {
  std::lock_guard lock(impl_->db_mutex);
  ODOOSYNC_TRY(s, impl_->stmt("SELECT value FROM checkpoints WHERE name = ?"));
  Resetter r{*s};
  s->bind(1, name);
  ODOOSYNC_TRY(row, s->step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(s->text(0));
}

result<void> SqliteStore::set_checkpoint(std::string_view name, std::string_view value) {
  std::lock_guard lock(impl_->db_mutex);
  return impl_->transaction([&]() -> result<void> {
    ODOOSYNC_TRY(s, impl_->stmt("INSERT INTO checkpoints(name, value) VALUES (?, ?) "
                                "ON CONFLICT(name) DO UPDATE SET value = excluded.value"));
    s->bind(1, name).bind(2, value);
    return s->run();
  });
}

// ---- the push outbox ------------------------------------------------------------------------------

namespace {

constexpr const char* outbox_columns =
    "channel, kind, key, seq_ms, seq_id, version, status, pushed, channel_value, sent, attempts, due_ms, changed_ms, "
    "updated_ms, error, epoch";

// Columns 16..18 of the outbox queries say whether pushed, channel_value and sent are NULL.
OutboxItem read_item(Stmt& s) {
  const bool is_null[3] = {s.i64(16) != 0, s.i64(17) != 0, s.i64(18) != 0};
  {
    OutboxItem it;
    it.channel = s.text(0);
    it.kind = s.text(1);
    it.key = s.text(2);
    it.sequence = OutboxSequence{s.i64(3), s.i64(4)};
    it.version = s.i64(5);
    it.status = static_cast<OutboxStatus>(s.i64(6));
    if (!is_null[0]) it.pushed = s.text(7);
    if (!is_null[1]) it.channel_value = s.text(8);
    if (!is_null[2]) it.sent = s.text(9);
    it.attempts = static_cast<int>(s.i64(10));
    it.due_ms = s.i64(11);
    it.changed_ms = s.i64(12);
    it.updated_ms = s.i64(13);
    it.error = s.text(14);
    it.epoch = s.i64(15);
    return it;
  }
}

// The NULL flags of pushed, channel_value and sent: columns 16..18 of the outbox queries below.
constexpr const char* outbox_null_flags = ", pushed IS NULL, channel_value IS NULL, sent IS NULL";

result<std::vector<OutboxItem>> read_items(Stmt& s) {
  std::vector<OutboxItem> out;
  for (;;) {
    ODOOSYNC_TRY(row, s.step());
    if (!row) break;
    out.push_back(read_item(s));
  }
  return out;
}

std::string outbox_select(const char* tail) {
  return std::string("SELECT ") + outbox_columns + outbox_null_flags + " FROM outbox " + tail;
}

result<void> load_parts(SqliteStore::Impl& d, std::vector<OutboxItem>& items) {
  ODOOSYNC_TRY(s, d.stmt("SELECT part, value, seq_ms, seq_id FROM outbox_parts WHERE channel = ? AND kind = ? AND "
                         "key = ? ORDER BY part"));
  for (auto& it : items) {
    Resetter r{*s};
    s->bind(1, it.channel).bind(2, it.kind).bind(3, it.key);
    for (;;) {
      ODOOSYNC_TRY(row, s->step());
      if (!row) break;
      it.parts.push_back(OutboxPart{s->text(0), s->text(1), OutboxSequence{s->i64(2), s->i64(3)}});
    }
  }
  return success();
}
}  // namespace

result<std::size_t> SqliteStore::outbox_upsert(std::span<const OutboxChange> changes, std::int64_t now_ms) {
  ODOOSYNC_TRYV(detail::check_outbox_changes(changes));
  std::lock_guard lock(impl_->db_mutex);
  auto& d = *impl_;
  return d.transaction([&]() -> result<std::size_t> {
    // A part is written when it is new, or its sequence is not older and something differs.
    ODOOSYNC_TRY(part, d.stmt("INSERT INTO outbox_parts(channel, kind, key, part, value, seq_ms, seq_id) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(channel, kind, key, part) DO UPDATE "
                              "SET value = excluded.value, seq_ms = excluded.seq_ms, seq_id = excluded.seq_id "
                              "WHERE (excluded.seq_ms, excluded.seq_id) >= (outbox_parts.seq_ms, outbox_parts.seq_id) "
                              "AND (excluded.value <> outbox_parts.value OR excluded.seq_ms <> outbox_parts.seq_ms "
                              "OR excluded.seq_id <> outbox_parts.seq_id)"));
    ODOOSYNC_TRY(
        item,
        d.stmt(
            "INSERT INTO outbox(channel, kind, key, seq_ms, seq_id, version, status, due_ms, changed_ms, updated_ms) "
            "VALUES (?1, ?2, ?3, ?4, ?5, 1, 0, ?6, ?6, ?6) ON CONFLICT(channel, kind, key) DO UPDATE SET "
            "seq_ms = CASE WHEN (excluded.seq_ms, excluded.seq_id) > (outbox.seq_ms, outbox.seq_id) THEN "
            "excluded.seq_ms "
            "ELSE outbox.seq_ms END, "
            "seq_id = CASE WHEN (excluded.seq_ms, excluded.seq_id) > (outbox.seq_ms, outbox.seq_id) THEN "
            "excluded.seq_id "
            "ELSE outbox.seq_id END, "
            "version = outbox.version + 1, updated_ms = excluded.updated_ms, "
            "attempts = CASE WHEN outbox.status = 0 THEN outbox.attempts ELSE 0 END, "
            "error = CASE WHEN outbox.status = 0 THEN outbox.error ELSE '' END, "
            "due_ms = CASE WHEN outbox.status = 0 THEN outbox.due_ms ELSE excluded.due_ms END, "
            "changed_ms = CASE WHEN outbox.status = 0 THEN outbox.changed_ms ELSE excluded.changed_ms END, "
            "status = 0"));
    std::set<std::tuple<std::string_view, std::string_view, std::string_view>> touched;
    for (const auto& c : changes) {
      part->bind(1, c.channel).bind(2, c.kind).bind(3, c.key).bind(4, c.part).bind(5, c.value);
      part->bind(6, c.sequence.time_ms).bind(7, c.sequence.id);
      ODOOSYNC_TRYV(part->run());
      if (sqlite3_changes(d.db) == 0) continue;
      item->bind(1, c.channel).bind(2, c.kind).bind(3, c.key).bind(4, c.sequence.time_ms).bind(5, c.sequence.id);
      item->bind(6, now_ms);
      ODOOSYNC_TRYV(item->run());
      touched.emplace(c.channel, c.kind, c.key);
    }
    return touched.size();
  });
}

result<std::vector<OutboxItem>> SqliteStore::outbox_claim(const OutboxClaim& c) {
  std::lock_guard lock(impl_->db_mutex);
  auto& d = *impl_;
  return d.transaction([&]() -> result<std::vector<OutboxItem>> {
    std::vector<std::string> keys;
    {
      // The (channel, kind, status, due_ms) index gives the due items in order.
      ODOOSYNC_TRY(s, d.stmt("SELECT key FROM outbox WHERE channel = ? AND kind = ? AND status = 0 AND due_ms <= ? "
                             "AND (owner = '' OR lease_until <= ?) ORDER BY due_ms, key LIMIT ?"));
      Resetter r{*s};
      s->bind(1, c.channel).bind(2, c.kind).bind(3, c.now_ms).bind(4, c.now_ms);
      s->bind(5, static_cast<std::int64_t>(c.max_items));
      for (;;) {
        ODOOSYNC_TRY(row, s->step());
        if (!row) break;
        keys.push_back(s->text(0));
      }
    }
    ODOOSYNC_TRY(u, d.stmt("UPDATE outbox SET owner = ?4, lease_until = ?5, epoch = epoch + 1 "
                           "WHERE channel = ?1 AND kind = ?2 AND key = ?3"));
    ODOOSYNC_TRY(g, d.stmt(outbox_select("WHERE channel = ? AND kind = ? AND key = ?")));
    std::vector<OutboxItem> out;
    for (const auto& k : keys) {
      u->bind(1, c.channel).bind(2, c.kind).bind(3, k).bind(4, c.owner).bind(5, c.now_ms + c.lease_ms);
      ODOOSYNC_TRYV(u->run());
      Resetter r{*g};
      g->bind(1, c.channel).bind(2, c.kind).bind(3, k);
      ODOOSYNC_TRY(one, read_items(*g));
      for (auto& it : one) out.push_back(std::move(it));
    }
    ODOOSYNC_TRYV(load_parts(d, out));
    return out;
  });
}

result<std::vector<bool>> SqliteStore::outbox_mark_sent(std::string_view channel, std::string_view kind,
                                                        std::string_view owner, std::span<const OutboxSend> sends) {
  std::lock_guard lock(impl_->db_mutex);
  auto& d = *impl_;
  return d.transaction([&]() -> result<std::vector<bool>> {
    ODOOSYNC_TRY(u, d.stmt("UPDATE outbox SET sent = ?5 WHERE channel = ?1 AND kind = ?2 AND key = ?3 AND owner = ?4 "
                           "AND epoch = ?6"));
    std::vector<bool> out;
    for (const auto& s : sends) {
      u->bind(1, channel).bind(2, kind).bind(3, s.key).bind(4, owner).bind(5, s.value).bind(6, s.epoch);
      ODOOSYNC_TRYV(u->run());
      out.push_back(sqlite3_changes(d.db) > 0);
    }
    return out;
  });
}

result<std::vector<bool>> SqliteStore::outbox_settle(std::string_view channel, std::string_view kind,
                                                     std::string_view owner, std::int64_t now_ms,
                                                     std::span<const OutboxSettle> settles) {
  std::lock_guard lock(impl_->db_mutex);
  auto& d = *impl_;
  return d.transaction([&]() -> result<std::vector<bool>> {
    // ?7: the claimed version is still the item's (else it stays pending for its newer value).
    ODOOSYNC_TRY(u, d.stmt("UPDATE outbox SET owner = '', lease_until = 0, updated_ms = ?6, "
                           "pushed = CASE WHEN ?8 THEN ?9 ELSE pushed END, "
                           "channel_value = CASE WHEN ?10 THEN ?11 ELSE channel_value END, "
                           "sent = CASE WHEN ?12 THEN sent ELSE NULL END, "
                           "status = CASE WHEN version = ?7 THEN ?13 ELSE 0 END, "
                           "error = CASE WHEN version = ?7 OR ?13 = 0 THEN ?14 ELSE '' END, "
                           "due_ms = CASE WHEN ?13 = 0 THEN ?15 WHEN version = ?7 THEN due_ms ELSE ?6 END, "
                           "attempts = CASE WHEN version <> ?7 THEN (CASE WHEN ?13 = 0 THEN attempts ELSE 0 END) "
                           "WHEN ?13 = 0 THEN attempts + ?16 WHEN ?13 = 3 THEN attempts ELSE 0 END "
                           "WHERE channel = ?1 AND kind = ?2 AND key = ?3 AND owner = ?4 AND epoch = ?5"));
    std::vector<bool> out;
    for (const auto& s : settles) {
      u->bind(1, channel).bind(2, kind).bind(3, s.key).bind(4, owner).bind(5, s.epoch).bind(6, now_ms);
      u->bind(7, s.version).bind(8, std::int64_t{s.pushed ? 1 : 0}).bind(9, s.pushed.value_or(""));
      u->bind(10, std::int64_t{s.channel_value ? 1 : 0}).bind(11, s.channel_value.value_or(""));
      u->bind(12, std::int64_t{s.outcome_unknown ? 1 : 0}).bind(13, static_cast<std::int64_t>(s.status));
      u->bind(14, s.error).bind(15, s.due_ms).bind(16, std::int64_t{s.count_attempt ? 1 : 0});
      ODOOSYNC_TRYV(u->run());
      out.push_back(sqlite3_changes(d.db) > 0);
    }
    return out;
  });
}

result<std::optional<OutboxItem>> SqliteStore::outbox_get(std::string_view channel, std::string_view kind,
                                                          std::string_view key) {
  std::lock_guard lock(impl_->db_mutex);
  auto& d = *impl_;
  ODOOSYNC_TRY(g, d.stmt(outbox_select("WHERE channel = ? AND kind = ? AND key = ?")));
  std::vector<OutboxItem> items;
  {
    Resetter r{*g};
    g->bind(1, channel).bind(2, kind).bind(3, key);
    ODOOSYNC_TRY(one, read_items(*g));
    items = std::move(one);
  }
  if (items.empty()) return std::optional<OutboxItem>();
  ODOOSYNC_TRYV(load_parts(d, items));
  items.front().epoch = 0;
  return std::optional<OutboxItem>(std::move(items.front()));
}

result<std::vector<OutboxItem>> SqliteStore::outbox_list(const OutboxQuery& q) {
  std::lock_guard lock(impl_->db_mutex);
  auto& d = *impl_;
  std::vector<OutboxItem> items;
  {
    // By kind: the (channel, kind, status) prefix of the index serves each kind's page.
    ODOOSYNC_TRY(g, d.stmt(outbox_select("WHERE channel = ?1 AND (?2 = '' OR kind = ?2) AND status = ?3 AND "
                                         "(kind, key) > (?4, ?5) ORDER BY kind, key LIMIT ?6")));
    Resetter r{*g};
    g->bind(1, q.channel).bind(2, q.kind.value_or("")).bind(3, static_cast<std::int64_t>(q.status));
    g->bind(4, q.after_kind).bind(5, q.after_key).bind(6, static_cast<std::int64_t>(q.limit));
    ODOOSYNC_TRY(all, read_items(*g));
    items = std::move(all);
  }
  ODOOSYNC_TRYV(load_parts(d, items));
  for (auto& it : items) it.epoch = 0;
  return items;
}

result<void> SqliteStore::outbox_replay(std::string_view channel, std::string_view kind, std::string_view key,
                                        std::int64_t now_ms) {
  std::lock_guard lock(impl_->db_mutex);
  auto& d = *impl_;
  return d.transaction([&]() -> result<void> {
    ODOOSYNC_TRY(u, d.stmt("UPDATE outbox SET status = 0, attempts = 0, due_ms = ?4, changed_ms = ?4, updated_ms = ?4 "
                           "WHERE channel = ?1 AND kind = ?2 AND key = ?3 AND status = 3"));
    u->bind(1, channel).bind(2, kind).bind(3, key).bind(4, now_ms);
    ODOOSYNC_TRYV(u->run());
    if (sqlite3_changes(d.db) > 0) return success();
    ODOOSYNC_TRY(e, d.stmt("SELECT 1 FROM outbox WHERE channel = ? AND kind = ? AND key = ?"));
    Resetter r{*e};
    e->bind(1, channel).bind(2, kind).bind(3, key);
    ODOOSYNC_TRY(row, e->step());
    return detail::outbox_not_dead(channel, kind, key, row);
  });
}

result<OutboxStatusCounts> SqliteStore::outbox_status(std::string_view channel) {
  std::lock_guard lock(impl_->db_mutex);
  auto& d = *impl_;
  OutboxStatusCounts out;
  std::vector<std::string> kinds;
  {
    // The kinds present: one seek of the primary key per kind, however many items each holds.
    ODOOSYNC_TRY(s, d.stmt("WITH RECURSIVE k(kind) AS (SELECT min(kind) FROM outbox WHERE channel = ?1 UNION ALL "
                           "SELECT (SELECT min(kind) FROM outbox WHERE channel = ?1 AND kind > k.kind) FROM k "
                           "WHERE k.kind IS NOT NULL) SELECT kind FROM k WHERE kind IS NOT NULL"));
    Resetter r{*s};
    s->bind(1, channel);
    for (;;) {
      ODOOSYNC_TRY(row, s->step());
      if (!row) break;
      kinds.push_back(s->text(0));
    }
  }
  ODOOSYNC_TRY(n, d.stmt("SELECT count(*), min(changed_ms) FROM outbox WHERE channel = ? AND kind = ? AND status = ?"));
  for (const auto& k : kinds) {
    auto& ks = out[k];
    for (auto st : {OutboxStatus::pending, OutboxStatus::not_listed, OutboxStatus::dead}) {
      Resetter r{*n};
      n->bind(1, channel).bind(2, k).bind(3, static_cast<std::int64_t>(st));
      ODOOSYNC_TRY(row, n->step());
      if (!row) continue;
      const auto count = static_cast<std::uint64_t>(n->i64(0));
      if (st == OutboxStatus::pending) {
        ks.pending = count;
        if (count > 0) ks.oldest_pending_ms = n->i64(1);
      } else if (st == OutboxStatus::not_listed) {
        ks.not_listed = count;
      } else {
        ks.dead = count;
      }
    }
  }
  return out;
}

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
