#include <odoosync/sync/postgres_store.hpp>
#include <odoosync/sync/lifecycle.hpp>
#include <odoosync/http/trace_context.hpp>

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "store_common.hpp"

namespace odoosync {
inline namespace v0 {
namespace sync {

namespace {

// Each entry takes the schema from version i to i + 1. The tables live in the store's own schema (the
// connection's search_path), so these name them bare.
constexpr const char* migrations[] = {
    // 1: events, subject leases, batches, lane depth counters, audit, checkpoints.
    R"sql(
CREATE TABLE meta(key text PRIMARY KEY, value text NOT NULL);
CREATE SEQUENCE events_seq;
CREATE TABLE events(
  seq bigint PRIMARY KEY DEFAULT nextval('events_seq'),
  source text NOT NULL, id text NOT NULL, type text NOT NULL, subject text NOT NULL,
  sequence bigint, lane smallint NOT NULL, batch_key text NOT NULL, body text NOT NULL,
  status smallint NOT NULL, attempts integer NOT NULL DEFAULT 0,
  submitted_ms bigint NOT NULL, updated_ms bigint NOT NULL,
  submitted_at timestamptz NOT NULL DEFAULT statement_timestamp(),
  batch bigint NOT NULL DEFAULT 0, solo boolean NOT NULL DEFAULT false,
  error text NOT NULL DEFAULT '', reason text NOT NULL DEFAULT '',
  audit_mark bigint NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX events_key ON events(id, source);
CREATE INDEX events_queue ON events(lane, seq) WHERE status = :pending;
CREATE INDEX events_subject ON events(subject, lane, seq) WHERE status = :pending;
CREATE INDEX events_dead ON events(seq) WHERE status = :dead;
CREATE SEQUENCE batches_id;
CREATE TABLE batches(
  id bigint PRIMARY KEY, token text NOT NULL, lane smallint NOT NULL, batch_key text NOT NULL,
  attempt integer NOT NULL, probe_first boolean NOT NULL, created_ms bigint NOT NULL, open boolean NOT NULL,
  owner text NOT NULL DEFAULT '', epoch bigint NOT NULL DEFAULT 0, lease_until timestamptz,
  lease_ms bigint NOT NULL DEFAULT 0, due_at timestamptz NOT NULL, leased_before boolean NOT NULL DEFAULT false,
  members bigint[] NOT NULL);
CREATE INDEX batches_open ON batches(lane, due_at, id) WHERE open;
CREATE TABLE subjects(subject text PRIMARY KEY, batch bigint NOT NULL);
CREATE INDEX subjects_batch ON subjects(batch);
CREATE TABLE lane_depth(lane smallint NOT NULL, stripe smallint NOT NULL, depth bigint NOT NULL,
  PRIMARY KEY(lane, stripe));
CREATE SEQUENCE audit_n;
CREATE TABLE audit(
  n bigint PRIMARY KEY DEFAULT nextval('audit_n'), at_ms bigint NOT NULL, source text NOT NULL, id text NOT NULL,
  subject text NOT NULL, action text NOT NULL, attempt integer NOT NULL, batch bigint NOT NULL, error text NOT NULL,
  correlation_id text NOT NULL);
CREATE INDEX audit_event ON audit(id, source);
CREATE INDEX audit_subject ON audit(subject);
CREATE INDEX audit_correlation ON audit(correlation_id) WHERE correlation_id <> '';
CREATE TABLE checkpoints(name text PRIMARY KEY, value text NOT NULL);
CREATE FUNCTION check_room(lane integer, depth bigint, adding bigint, high_water bigint) RETURNS boolean
LANGUAGE plpgsql AS $f$
BEGIN
  IF high_water > 0 AND depth + adding > high_water THEN
    RAISE EXCEPTION USING ERRCODE = 'OSBP1', MESSAGE = format('%s %s %s', lane, depth, high_water);
  END IF;
  RETURN true;
END $f$;
)sql",
    // 2: the push outbox (sync/outbox.hpp): items by (channel, kind, key) and their parts. Status values
    // are OutboxStatus's (0 pending, 1 pushed, 2 not_listed, 3 dead); due times and leases by the
    // database's clock (due_ms keeps the caller's idea of the same, for display).
    R"sql(
CREATE TABLE outbox(
  channel text NOT NULL, kind text NOT NULL, key text NOT NULL,
  seq_ms bigint NOT NULL, seq_id bigint NOT NULL, version bigint NOT NULL, status smallint NOT NULL,
  pushed text, channel_value text, sent text, attempts integer NOT NULL DEFAULT 0,
  due_at timestamptz NOT NULL, due_ms bigint NOT NULL, changed_ms bigint NOT NULL, updated_ms bigint NOT NULL,
  error text NOT NULL DEFAULT '', owner text NOT NULL DEFAULT '', lease_until timestamptz,
  epoch bigint NOT NULL DEFAULT 0,
  PRIMARY KEY(channel, kind, key));
CREATE INDEX outbox_due ON outbox(channel, kind, due_at) WHERE status = 0;
CREATE INDEX outbox_waiting ON outbox(channel, kind, status, key) WHERE status <> 1;
CREATE TABLE outbox_parts(
  channel text NOT NULL, kind text NOT NULL, key text NOT NULL, part text NOT NULL, value text NOT NULL,
  seq_ms bigint NOT NULL, seq_id bigint NOT NULL,
  PRIMARY KEY(channel, kind, key, part));
)sql",
    // 3: traces. Each event's traceparent and trace id (indexed); each audit entry's trace id and the RPC
    // behind a settlement (correlation id, trace id, span id). Rows from before have none (''); adding a
    // column with a constant default rewrites no table (PostgreSQL 11 and later).
    R"sql(
ALTER TABLE events ADD COLUMN traceparent text NOT NULL DEFAULT '', ADD COLUMN trace_id text NOT NULL DEFAULT '';
CREATE INDEX events_trace ON events(trace_id) WHERE trace_id <> '';
ALTER TABLE audit ADD COLUMN trace_id text NOT NULL DEFAULT '', ADD COLUMN rpc_id text NOT NULL DEFAULT '',
  ADD COLUMN rpc_trace_id text NOT NULL DEFAULT '', ADD COLUMN rpc_span_id text NOT NULL DEFAULT '';
CREATE INDEX audit_rpc_trace ON audit(rpc_trace_id) WHERE rpc_trace_id <> '';
)sql",
};
static_assert(std::size(migrations) == PostgresStore::schema_version);

// The striped depth counters: each backend adds to its own stripe, so concurrent intakes and settles
// do not queue on one row; depth() sums the stripes.
constexpr const char* stripe_sql = "(pg_backend_pid() % 16)";

constexpr const char* event_columns =
    "seq, source, id, type, subject, sequence, lane, batch_key, body, status, attempts, submitted_ms, updated_ms, "
    "batch, solo, error, reason, traceparent";

std::string prefixed(const char* alias) {
  std::string out;
  std::string_view cols = event_columns;
  while (!cols.empty()) {
    const auto comma = cols.find(',');
    auto col = cols.substr(0, comma);
    while (!col.empty() && col.front() == ' ') col.remove_prefix(1);
    if (!out.empty()) out += ", ";
    out += alias;
    out += '.';
    out += col;
    if (comma == std::string_view::npos) break;
    cols.remove_prefix(comma + 1);
  }
  return out;
}

std::int64_t to_i64(const char* s) {
  std::int64_t v = 0;
  if (s) std::from_chars(s, s + std::char_traits<char>::length(s), v);
  return v;
}

// An owned PGresult.
struct Res {
  PGresult* r = nullptr;
  Res() = default;
  explicit Res(PGresult* p) : r(p) {}
  ~Res() {
    if (r) PQclear(r);
  }
  Res(Res&& o) noexcept : r(o.r) { o.r = nullptr; }
  Res& operator=(Res&& o) noexcept {
    std::swap(r, o.r);
    return *this;
  }
  int rows() const { return PQntuples(r); }
  bool null(int row, int col) const { return PQgetisnull(r, row, col) != 0; }
  std::string text(int row, int col) const {
    return std::string(PQgetvalue(r, row, col), static_cast<std::size_t>(PQgetlength(r, row, col)));
  }
  std::int64_t i64(int row, int col) const { return to_i64(PQgetvalue(r, row, col)); }
  bool boolean(int row, int col) const { return PQgetvalue(r, row, col)[0] == 't'; }
};

StoredEvent read_event(const Res& r, int row, int c0 = 0) {
  StoredEvent e;
  e.seq = r.i64(row, c0 + 0);
  e.event.source = r.text(row, c0 + 1);
  e.event.id = r.text(row, c0 + 2);
  e.event.type = r.text(row, c0 + 3);
  e.event.subject = r.text(row, c0 + 4);
  if (!r.null(row, c0 + 5)) e.event.sequence = r.i64(row, c0 + 5);
  e.event.lane = static_cast<Lane>(r.i64(row, c0 + 6));
  e.event.batch_key = r.text(row, c0 + 7);
  e.event.body = r.text(row, c0 + 8);
  e.status = static_cast<EventStatus>(r.i64(row, c0 + 9));
  e.attempts = static_cast<int>(r.i64(row, c0 + 10));
  e.submitted_ms = r.i64(row, c0 + 11);
  e.updated_ms = r.i64(row, c0 + 12);
  e.batch = r.i64(row, c0 + 13);
  e.solo = r.boolean(row, c0 + 14);
  e.error = r.text(row, c0 + 15);
  e.reason = r.text(row, c0 + 16);
  e.event.traceparent = r.text(row, c0 + 17);
  return e;
}

// A parameter: text, or SQL NULL.
using Param = std::optional<std::string>;
Param p(std::int64_t v) { return std::to_string(v); }
Param p(std::string_view v) { return std::string(v); }
Param p(bool v) { return std::string(v ? "t" : "f"); }
Param p(const char* v) { return std::string(v); }

// PostgreSQL array literals: {"a","b\"c"} and {1,NULL,3}.
void add_element(std::string& out, std::string_view s) {
  out += out.size() > 1 ? ",\"" : "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}
void add_element(std::string& out, std::optional<std::int64_t> v) {
  if (out.size() > 1) out += ',';
  out += v ? std::to_string(*v) : std::string("NULL");
}
template <class T, class F>
std::string array_of(const T& items, F&& field) {
  std::string out = "{";
  for (const auto& it : items) add_element(out, field(it));
  out += '}';
  return out;
}

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

}  // namespace

bool is_postgres_location(std::string_view location) noexcept {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

struct PostgresStore::Impl {
  std::string conninfo;
  PostgresOptions options;
  std::string where;                 // postgresql://user@host:port/db (schema), for errors
  std::vector<std::string> secrets;  // every password we know of: scrubbed from every message
  std::string store_id;
  int lock_class = 0;  // advisory lock class of this store (its schema): subjects and workers

  struct Conn {
    PGconn* c = nullptr;
    std::unordered_map<std::string, std::string> prepared;  // sql -> statement name
    ~Conn() {
      if (c) PQfinish(c);
    }
  };
  std::mutex pool_mutex;
  std::condition_variable pool_cv;
  std::vector<std::unique_ptr<Conn>> idle;
  int open_conns = 0;

  // The worker's session lock lives on a connection of its own.
  std::mutex worker_mutex;
  std::unique_ptr<Conn> worker_conn;
  std::string worker_owner;
  bool worker_exclusive = false;

  // The fencing epoch each lease this process holds was claimed under.
  std::mutex epochs_mutex;
  std::map<std::int64_t, std::pair<std::string, std::int64_t>> epochs;

  std::string scrub(std::string msg) const {
    for (const auto& s : secrets) {
      if (s.size() < 3) continue;
      for (auto at = msg.find(s); at != std::string::npos; at = msg.find(s, at)) msg.replace(at, s.size(), "***");
    }
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return msg;
  }

  Error error(std::string_view what, const std::string& detail) const {
    return Error(ErrorKind::storage, "store " + where + ": " + std::string(what) + ": " + scrub(detail));
  }

  // A new connection, with its search_path set to the store's schema.
  result<std::unique_ptr<Conn>> connect() {
    const std::string timeout = std::to_string(options.connect_timeout_s);
    std::vector<const char*> keys{"connect_timeout", "application_name", "dbname"};
    std::vector<const char*> values{timeout.c_str(), "odoosync", conninfo.c_str()};
    if (options.password) {
      keys.push_back("password");
      values.push_back(options.password->reveal().data());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    auto conn = std::make_unique<Conn>();
    // The password must be passed as a C string: Secret holds a std::string, whose data() is terminated.
    conn->c = PQconnectdbParams(keys.data(), values.data(), 1);
    if (!conn->c) return Error(ErrorKind::storage, "store " + where + ": out of memory");
    if (PQstatus(conn->c) != CONNECTION_OK) return error("cannot connect", PQerrorMessage(conn->c));
    PQsetNoticeProcessor(
        conn->c, [](void*, const char*) {}, nullptr);  // notices are not errors: not printed
    const std::string set = "SET search_path TO \"" + options.schema + "\"";
    Res r(PQexec(conn->c, set.c_str()));
    if (PQresultStatus(r.r) != PGRES_COMMAND_OK) return error("cannot select the schema", PQerrorMessage(conn->c));
    // Plans made once per connection, not per call: planning the intake's statement for each call's
    // arrays cost more than running it (one event per call: about 2x faster this way, docs/benchmarks.md).
    // A server older than 12 has no such setting: it plans as before.
    Res g(PQexec(conn->c, "SET plan_cache_mode TO force_generic_plan"));
    return conn;
  }

  // A connection from the pool (a new one when fewer than `connections` are open), given back when the
  // lease object dies; a broken one is dropped instead.
  struct Lease {
    Impl* impl;
    std::unique_ptr<Conn> conn;
    Lease(Impl* i, std::unique_ptr<Conn> c) : impl(i), conn(std::move(c)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (!conn) return;
      std::lock_guard l(impl->pool_mutex);
      if (PQstatus(conn->c) == CONNECTION_OK && PQtransactionStatus(conn->c) == PQTRANS_IDLE) {
        impl->idle.push_back(std::move(conn));
      } else {
        conn.reset();
        --impl->open_conns;
      }
      impl->pool_cv.notify_one();
    }
  };

  result<Lease> acquire() {
    std::unique_lock l(pool_mutex);
    pool_cv.wait(l, [&] { return !idle.empty() || open_conns < std::max(1, options.connections); });
    if (!idle.empty()) {
      Lease lease{this, std::move(idle.back())};
      idle.pop_back();
      return lease;
    }
    ++open_conns;
    l.unlock();
    auto c = connect();
    if (!c) {
      std::lock_guard g(pool_mutex);
      --open_conns;
      pool_cv.notify_one();
      return c.error();
    }
    return Lease{this, std::move(c).value()};
  }

  // Runs `sql` with text parameters, prepared once per connection.
  result<Res> run(Conn& conn, const std::string& sql, const std::vector<Param>& params) {
    auto it = conn.prepared.find(sql);
    if (it == conn.prepared.end()) {
      std::string name = "s" + std::to_string(conn.prepared.size());
      Res prep(PQprepare(conn.c, name.c_str(), detail::with_status_values(sql).c_str(), 0, nullptr));
      if (PQresultStatus(prep.r) != PGRES_COMMAND_OK) return failure(conn, prep, "preparing a statement");
      it = conn.prepared.emplace(sql, std::move(name)).first;
    }
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& v : params) values.push_back(v ? v->c_str() : nullptr);
    Res r(PQexecPrepared(conn.c, it->second.c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr,
                         0));
    const auto st = PQresultStatus(r.r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return failure(conn, r, "a statement failed");
    return r;
  }

  result<void> exec(Conn& conn, const char* sql) {
    Res r(PQexec(conn.c, sql));
    if (PQresultStatus(r.r) != PGRES_COMMAND_OK) return failure(conn, r, sql).error();
    return success();
  }

  result<Res> failure(Conn& conn, const Res& r, std::string_view what) {
    const char* state = r.r ? PQresultErrorField(r.r, PG_DIAG_SQLSTATE) : nullptr;
    const std::string code = state ? state : "";
    std::string msg = r.r && *PQresultErrorMessage(r.r) ? PQresultErrorMessage(r.r) : PQerrorMessage(conn.c);
    if (code == "OSBP1") {  // check_room: lane, depth, high-water mark
      std::int64_t lane = 0, depth = 0, hw = 0;
      const char* m = PQresultErrorField(r.r, PG_DIAG_MESSAGE_PRIMARY);
      if (m && std::sscanf(m, "%lld %lld %lld", reinterpret_cast<long long*>(&lane),
                           reinterpret_cast<long long*>(&depth), reinterpret_cast<long long*>(&hw)) == 3) {
        return detail::over_watermark(static_cast<Lane>(lane), depth, static_cast<std::uint64_t>(hw));
      }
    }
    auto e = error(what, msg);
    if (code == "40001" || code == "40P01" || code == "55P03") return Error(ErrorKind::conflict, e.message());
    return e;
  }

  static bool broken(Conn& conn) { return PQstatus(conn.c) != CONNECTION_OK; }

  // Runs `body(conn)` on a pooled connection. A connection found broken (the server restarted, the
  // backend was terminated) is replaced and the call made once more: every call here is one statement
  // or one transaction, safe to repeat (a repeated intake reports the events as duplicates, a repeated
  // settle finds the batch settled and says conflict).
  template <class F>
  auto with_conn(F&& body) -> decltype(body(std::declval<Conn&>())) {
    for (int attempt = 0;; ++attempt) {
      auto lease = acquire();
      if (!lease) return lease.error();
      auto r = body(*lease.value().conn);
      if (r || attempt > 0 || !broken(*lease.value().conn)) return r;
      // The server went away (a restart drops every session): the idle connections are as dead as this
      // one, and the retry must not pick one of them.
      std::lock_guard l(pool_mutex);
      open_conns -= static_cast<int>(idle.size());
      idle.clear();
    }
  }

  // BEGIN ... COMMIT around `body`, rolled back when it fails.
  template <class F>
  auto transaction(Conn& conn, F&& body) -> decltype(body()) {
    ODOOSYNC_TRYV(exec(conn, "BEGIN"));
    auto r = body();
    if (!r) {
      if (!broken(conn)) (void)exec(conn, "ROLLBACK");
      return r;
    }
    if (auto c = exec(conn, "COMMIT"); !c) {
      if (!broken(conn)) (void)exec(conn, "ROLLBACK");
      return c.error();
    }
    return r;
  }

  // ---- claims -------------------------------------------------------------------------------------

  Batch batch_header(const Res& r) {
    Batch b;
    b.id = r.i64(0, 0);
    b.token = r.text(0, 1);
    b.lane = static_cast<Lane>(r.i64(0, 2));
    b.batch_key = r.text(0, 3);
    b.attempt = static_cast<int>(r.i64(0, 4));
    b.probe_first = r.boolean(0, 5);
    b.created_ms = r.i64(0, 6);
    return b;
  }

  void remember(const Batch& b, const std::string& owner, std::int64_t epoch) {
    std::lock_guard l(epochs_mutex);
    epochs[b.id] = {owner, epoch};
  }

  std::optional<std::int64_t> epoch_of(std::int64_t batch, std::string_view owner) {
    std::lock_guard l(epochs_mutex);
    auto it = epochs.find(batch);
    if (it == epochs.end() || it->second.first != owner) return std::nullopt;
    return it->second.second;
  }

  result<std::optional<Batch>> resume(Conn& conn, const ClaimRequest& rq) {
    static const std::string sql = std::string(R"sql(
WITH c AS (
  SELECT id, leased_before FROM batches
  WHERE open AND lane = $1 AND due_at <= statement_timestamp()
    AND (owner = '' OR lease_until <= statement_timestamp())
  ORDER BY due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED),
b AS (
  UPDATE batches SET owner = $2, epoch = batches.epoch + 1,
    lease_until = statement_timestamp() + $3::float8 * interval '1 millisecond', lease_ms = $3,
    leased_before = true, attempt = batches.attempt + 1, probe_first = batches.probe_first OR c.leased_before
  FROM c WHERE batches.id = c.id
  RETURNING batches.id, batches.token, batches.lane, batches.batch_key, batches.attempt, batches.probe_first,
    batches.created_ms, batches.epoch, c.leased_before AS abandoned, batches.members),
e AS (
  UPDATE events SET attempts = events.attempts + 1, updated_ms = $4 FROM b WHERE events.seq = ANY(b.members)
  RETURNING events.*),
a AS (
  INSERT INTO audit(at_ms, source, id, subject, action, attempt, batch, error, correlation_id, trace_id)
  SELECT $4, e.source, e.id, e.subject, 'resumed', e.attempts, b.id, '', b.token, e.trace_id FROM e, b
  ORDER BY array_position(b.members, e.seq))
SELECT b.id, b.token, b.lane, b.batch_key, b.attempt, b.probe_first, b.created_ms, b.epoch, b.abandoned,
  array_position(b.members, e.seq) AS pos, )sql") +
                                   prefixed("e") + " FROM b JOIN e ON true ORDER BY pos";
    ODOOSYNC_TRY(r, run(conn, sql, {p(static_cast<std::int64_t>(rq.lane)), p(rq.owner), p(rq.lease_ms), p(rq.now_ms)}));
    if (r.rows() == 0) return std::optional<Batch>();
    Batch b = batch_header(r);
    b.abandoned = r.boolean(0, 8);
    for (int i = 0; i < r.rows(); ++i) b.members.push_back(read_event(r, i, 10));
    remember(b, rq.owner, r.i64(0, 7));
    return std::optional<Batch>(std::move(b));
  }

  result<std::optional<Batch>> form(Conn& conn, const ClaimRequest& rq) {
    // Candidates: pending events of the lane whose subject has no open batch, in intake order.
    static const std::string scan_sql = R"sql(
SELECT e.seq, e.subject FROM events e
WHERE e.lane = $1 AND e.status = :pending AND e.seq > $2
  AND NOT EXISTS (SELECT 1 FROM subjects s WHERE s.subject = e.subject)
ORDER BY e.seq LIMIT 512)sql";
    // The subjects this claim may take: a transaction-scoped advisory lock each, skipped when another
    // claim holds it (no waiting). The check that a subject has no open batch is made by the next
    // statement, whose snapshot is taken after the lock.
    static const std::string lock_sql =
        "SELECT s FROM unnest($1::text[]) WITH ORDINALITY AS t(s, i) "
        "WHERE pg_try_advisory_xact_lock($2::integer, hashtext(s)) ORDER BY i";
    // Their pending events, each subject's in intake order, and whether each is older than the flush
    // interval by the database's clock.
    static const std::string heads_sql = R"sql(
SELECT e.seq, e.subject, e.source, e.sequence, e.batch_key, e.solo, e.attempts,
  coalesce(e.submitted_at <= statement_timestamp() - $3::float8 * interval '1 millisecond', true)
FROM unnest($1::text[]) AS s(subject)
CROSS JOIN LATERAL (
  SELECT * FROM events x WHERE x.subject = s.subject AND x.status = :pending AND x.lane = $2
  ORDER BY x.seq LIMIT $4) e
WHERE NOT EXISTS (SELECT 1 FROM subjects b WHERE b.subject = s.subject)
ORDER BY e.seq)sql";

    struct Head {
      std::int64_t seq;
      std::string source;
      bool has_sequence;
      std::int64_t sequence;
      std::string batch_key;
      bool solo;
      bool sent_before;
      bool ripe;
    };
    std::vector<std::int64_t> members;
    std::set<std::string> done;  // subjects looked at (taken or not)
    std::string key;
    bool solo = false, ripe = false, probe = false;
    std::int64_t after = 0;
    std::size_t scanned = 0;
    const std::size_t scan_limit = std::max<std::size_t>(rq.max_members * 20, 2000);
    const Param lag = rq.flush_before_ms == INT64_MAX ? Param() : p(rq.now_ms - rq.flush_before_ms);
    bool more = true;
    while (more && scanned < scan_limit && members.size() < rq.max_members && !solo) {
      ODOOSYNC_TRY(page, run(conn, scan_sql, {p(static_cast<std::int64_t>(rq.lane)), p(after)}));
      more = page.rows() == 512;
      std::vector<std::string> subjects;
      for (int i = 0; i < page.rows(); ++i) {
        after = page.i64(i, 0);
        if (++scanned > scan_limit) break;
        auto s = page.text(i, 1);
        if (done.insert(s).second) subjects.push_back(std::move(s));
      }
      // A few subjects at a time, in candidate order, until the batch is full: a claim locks and reads
      // only the subjects it may take (a claim of 100 among 100,000 pending events of 300 subjects reads
      // one subject's events, not all of them, and leaves the other subjects to other workers).
      // 1, 2, 4, ... 32 subjects per round: a subject with many pending events fills a batch alone.
      std::size_t chunk = 1;
      for (std::size_t from = 0; from < subjects.size() && members.size() < rq.max_members && !solo;
           from += chunk, chunk = std::min<std::size_t>(chunk * 2, 32)) {
        const std::vector<std::string> part(
            subjects.begin() + static_cast<std::ptrdiff_t>(from),
            subjects.begin() + static_cast<std::ptrdiff_t>(std::min(subjects.size(), from + chunk)));
        ODOOSYNC_TRY(locked, run(conn, lock_sql,
                                 {array_of(part, [](const std::string& s) { return std::string_view(s); }),
                                  p(std::int64_t{lock_class})}));
        if (locked.rows() == 0) continue;
        std::vector<std::string> mine;
        for (int i = 0; i < locked.rows(); ++i) mine.push_back(locked.text(i, 0));
        ODOOSYNC_TRY(heads,
                     run(conn, heads_sql,
                         {array_of(mine, [](const std::string& s) { return std::string_view(s); }),
                          p(static_cast<std::int64_t>(rq.lane)), lag, p(std::int64_t{options.subject_scan_limit})}));
        std::map<std::string, std::vector<Head>> by_subject;
        for (int i = 0; i < heads.rows(); ++i) {
          by_subject[heads.text(i, 1)].push_back(Head{heads.i64(i, 0), heads.text(i, 2), !heads.null(i, 3),
                                                      heads.i64(i, 3), heads.text(i, 4), heads.boolean(i, 5),
                                                      heads.i64(i, 6) > 0, heads.boolean(i, 7)});
        }
        for (const auto& subject : mine) {
          if (members.size() >= rq.max_members || solo) break;
          auto it = by_subject.find(subject);
          if (it == by_subject.end()) continue;  // taken meanwhile
          const auto& rows = it->second;
          std::vector<detail::RunItem> items;
          items.reserve(rows.size());
          for (const auto& h : rows)
            items.push_back({h.seq, h.source, h.has_sequence, h.sequence, h.batch_key, h.solo});
          for (auto i : detail::subject_run(items, key, solo, rq.max_members - members.size())) {
            members.push_back(rows[i].seq);
            ripe = ripe || rows[i].ripe;
            probe = probe || rows[i].sent_before;
          }
        }
      }
    }
    if (members.empty()) return std::optional<Batch>();
    if (members.size() < rq.max_members && !solo && !ripe) return std::optional<Batch>();

    static const std::string write_sql = std::string(R"sql(
WITH b AS (
  INSERT INTO batches(id, token, lane, batch_key, attempt, probe_first, created_ms, open, owner, epoch, lease_until,
    lease_ms, due_at, leased_before, members)
  SELECT n, $1 || '-b' || n, $2, $3, 1, $4, $5, true, $6, 1,
    statement_timestamp() + $7::float8 * interval '1 millisecond', $7, statement_timestamp(), true, $8::bigint[]
  FROM (SELECT nextval('batches_id') AS n) x
  RETURNING id, token, members),
e AS (
  UPDATE events SET status = :in_flight, batch = b.id, attempts = events.attempts + 1, updated_ms = $5 FROM b
  WHERE events.seq = ANY(b.members) AND events.status = :pending
  RETURNING events.*),
s AS (INSERT INTO subjects(subject, batch) SELECT DISTINCT e.subject, b.id FROM e, b),
a AS (
  INSERT INTO audit(at_ms, source, id, subject, action, attempt, batch, error, correlation_id, trace_id)
  SELECT $5, e.source, e.id, e.subject, 'claimed', e.attempts, b.id, '', b.token, e.trace_id FROM e, b
  ORDER BY array_position(b.members, e.seq))
SELECT b.id, b.token, array_position(b.members, e.seq) AS pos, )sql") +
                                         prefixed("e") + " FROM b JOIN e ON true ORDER BY pos";
    ODOOSYNC_TRY(
        w, run(conn, write_sql,
               {p(store_id), p(static_cast<std::int64_t>(rq.lane)), p(key), p(probe), p(rq.now_ms), p(rq.owner),
                p(rq.lease_ms), array_of(members, [](std::int64_t v) { return std::optional<std::int64_t>(v); })}));
    if (w.rows() != static_cast<int>(members.size())) {
      return Error(ErrorKind::conflict, "store " + where + ": a claim lost members to another worker");
    }
    Batch b;
    b.id = w.i64(0, 0);
    b.token = w.text(0, 1);
    b.lane = rq.lane;
    b.batch_key = key;
    b.attempt = 1;
    b.probe_first = probe;
    b.created_ms = rq.now_ms;
    for (int i = 0; i < w.rows(); ++i) b.members.push_back(read_event(w, i, 3));
    return std::optional<Batch>(std::move(b));
  }
};

PostgresStore::PostgresStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostgresStore::~PostgresStore() = default;

namespace {

bool valid_schema_name(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// The user-info part of a URI connection string (postgresql://user:password@host/...): the password is
// scrubbed from messages even when libpq cannot parse the rest.
std::string uri_password(std::string_view conninfo) {
  const auto scheme = conninfo.find("://");
  if (scheme == std::string_view::npos) return {};
  auto rest = conninfo.substr(scheme + 3);
  const auto at = rest.find('@');
  const auto slash = rest.find('/');
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) return {};
  auto userinfo = rest.substr(0, at);
  const auto colon = userinfo.find(':');
  if (colon == std::string_view::npos) return {};
  return std::string(userinfo.substr(colon + 1));
}

}  // namespace

result<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& conninfo, PostgresOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->conninfo = conninfo;
  impl->options = options;
  if (options.password && !options.password->empty()) impl->secrets.emplace_back(options.password->reveal());
  if (const char* env = std::getenv("PGPASSWORD"); env && *env) impl->secrets.emplace_back(env);
  if (auto pw = uri_password(conninfo); !pw.empty()) impl->secrets.push_back(pw);
  if (!valid_schema_name(options.schema)) {
    return Error::validation("PostgresStore: the schema name '" + options.schema +
                             "' is not a plain identifier (letters, digits, _)");
  }
  // Where it is, for errors: parsed by libpq, without the password.
  {
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
    if (!opts) {
      std::string m = err ? err : "out of memory";
      if (err) PQfreemem(err);
      impl->where = "(unparsed connection string)";
      return impl->error("the connection string is malformed", m);
    }
    std::map<std::string, std::string> kv;
    for (auto* o = opts; o->keyword; ++o) {
      if (o->val && *o->val) kv[o->keyword] = o->val;
      if (o->val && *o->val && std::string_view(o->keyword) == "password") impl->secrets.emplace_back(o->val);
    }
    PQconninfoFree(opts);
    auto get = [&](const char* k, const char* env, const char* fallback) {
      if (auto it = kv.find(k); it != kv.end()) return it->second;
      if (const char* v = std::getenv(env); v && *v) return std::string(v);
      return std::string(fallback);
    };
    const std::string user = get("user", "PGUSER", "");
    const std::string host = kv.count("hostaddr") ? kv["hostaddr"] : get("host", "PGHOST", "localhost");
    impl->where = "postgresql://" + (user.empty() ? "" : user + "@") + host + ":" + get("port", "PGPORT", "5432") +
                  "/" + get("dbname", "PGDATABASE", user.c_str()) + " (schema " + options.schema + ")";
  }
  auto* d = impl.get();
  // The migration: one transaction under an advisory lock, so two processes opening a new database at
  // once do not both create the schema.
  auto opened = d->with_conn([&](Impl::Conn& c) -> result<void> {
    return d->transaction(c, [&]() -> result<void> {
      ODOOSYNC_TRYV(d->run(c, "SELECT pg_advisory_xact_lock(hashtext('odoosync schema ' || $1))", {p(options.schema)}));
      ODOOSYNC_TRYV(d->exec(c, ("CREATE SCHEMA IF NOT EXISTS \"" + options.schema + "\"").c_str()));
      ODOOSYNC_TRY(has, d->run(c, "SELECT to_regclass('schema_version') IS NOT NULL", {}));
      int version = 0;
      if (has.boolean(0, 0)) {
        ODOOSYNC_TRY(v, d->run(c, "SELECT version FROM schema_version", {}));
        version = v.rows() ? static_cast<int>(v.i64(0, 0)) : 0;
      } else {
        ODOOSYNC_TRYV(d->exec(c, "CREATE TABLE schema_version(version integer NOT NULL)"));
        ODOOSYNC_TRYV(d->exec(c, "INSERT INTO schema_version VALUES (0)"));
      }
      if (version > schema_version) {
        return Error(ErrorKind::storage, "store " + d->where + " has schema version " + std::to_string(version) +
                                             ", newer than this build knows (" + std::to_string(schema_version) +
                                             "): use a newer odoosync");
      }
      const int target =
          options.max_schema_version > 0 ? std::min(options.max_schema_version, schema_version) : schema_version;
      for (int v = version; v < target; ++v) {
        ODOOSYNC_TRYV(d->exec(c, detail::with_status_values(migrations[v]).c_str()));
        if (v == 0) {
          ODOOSYNC_TRYV(
              d->run(c, "INSERT INTO meta(key, value) VALUES ('store_id', $1)", {p(detail::make_store_id())}));
        }
        ODOOSYNC_TRYV(d->run(c, "UPDATE schema_version SET version = $1", {p(std::int64_t{v + 1})}));
      }
      ODOOSYNC_TRY(id, d->run(c, "SELECT value FROM meta WHERE key = 'store_id'", {}));
      if (id.rows() == 0) return Error(ErrorKind::storage, "store " + d->where + " has no store id");
      d->store_id = id.text(0, 0);
      ODOOSYNC_TRY(k,
                   d->run(c, "SELECT hashtext('odoosync ' || $1 || ' ' || $2)", {p(options.schema), p(d->store_id)}));
      d->lock_class = static_cast<int>(k.i64(0, 0));
      return success();
    });
  });
  if (!opened) return opened.error();
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(impl)));
}

const std::string& PostgresStore::store_id() const noexcept { return impl_->store_id; }
const std::string& PostgresStore::location() const noexcept { return impl_->where; }

result<int> PostgresStore::database_schema_version() {
  return impl_->with_conn([&](Impl::Conn& c) -> result<int> {
    ODOOSYNC_TRY(r, impl_->run(c, "SELECT version FROM schema_version", {}));
    return r.rows() ? static_cast<int>(r.i64(0, 0)) : 0;
  });
}

result<std::vector<Intake>> PostgresStore::append(std::span<const NewEvent> events, std::int64_t now_ms,
                                                  const Watermarks& high_water) {
  if (events.empty()) return std::vector<Intake>();
  for (const auto& e : events) {
    if (has_nul(e.source) || has_nul(e.id) || has_nul(e.type) || has_nul(e.subject) || has_nul(e.batch_key) ||
        has_nul(e.body) || has_nul(e.traceparent)) {
      return Error::validation("event " + e.source + " " + e.id +
                               ": a text holds a NUL character, which PostgreSQL cannot store");
    }
  }
  // One statement: the inserts (a repeat of (source, id), in the store or earlier in this call, inserts
  // nothing), the depth counters, and the watermark check, which aborts the whole statement when over.
  static const std::string sql = std::string(R"sql(
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::smallint[], $7::text[],
    $8::text[], $11::text[], $12::text[])
    WITH ORDINALITY AS t(source, id, type, subject, sequence, lane, batch_key, body, traceparent, trace_id, ord)),
mark AS (SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS m FROM audit_n),
ins AS (
  INSERT INTO events(source, id, type, subject, sequence, lane, batch_key, body, status, submitted_ms, updated_ms,
    audit_mark, traceparent, trace_id)
  SELECT source, id, type, subject, sequence, lane, batch_key, body, :pending, $9, $9, (SELECT m FROM mark),
    traceparent, trace_id
  FROM input ORDER BY ord
  ON CONFLICT (source, id) DO NOTHING
  RETURNING source, id, lane),
added AS (SELECT lane, count(*) AS n FROM ins GROUP BY lane),
depth AS (
  INSERT INTO lane_depth(lane, stripe, depth) SELECT lane, )sql") +
                                 stripe_sql + R"sql(, n FROM added
  ON CONFLICT (lane, stripe) DO UPDATE SET depth = lane_depth.depth + excluded.depth)
SELECT ins.source, ins.id,
  (SELECT bool_and(check_room(a.lane, (SELECT coalesce(sum(d.depth), 0) FROM lane_depth d WHERE d.lane = a.lane)::bigint,
     a.n, ($10::bigint[])[a.lane + 1])) FROM added a)
FROM ins)sql";
  std::vector<Param> params{
      array_of(events, [](const NewEvent& e) { return std::string_view(e.source); }),
      array_of(events, [](const NewEvent& e) { return std::string_view(e.id); }),
      array_of(events, [](const NewEvent& e) { return std::string_view(e.type); }),
      array_of(events, [](const NewEvent& e) { return std::string_view(e.subject); }),
      array_of(events, [](const NewEvent& e) { return e.sequence; }),
      array_of(events,
               [](const NewEvent& e) { return std::optional<std::int64_t>(static_cast<std::int64_t>(e.lane)); }),
      array_of(events, [](const NewEvent& e) { return std::string_view(e.batch_key); }),
      array_of(events, [](const NewEvent& e) { return std::string_view(e.body); }),
      p(now_ms),
      array_of(high_water, [](std::uint64_t v) { return std::optional<std::int64_t>(static_cast<std::int64_t>(v)); }),
      array_of(events, [](const NewEvent& e) { return std::string_view(e.traceparent); }),
  };
  std::vector<std::string> trace_ids;
  trace_ids.reserve(events.size());
  for (const auto& e : events) trace_ids.push_back(http::trace_id_of(e.traceparent));
  params.push_back(array_of(trace_ids, [](const std::string& t) { return std::string_view(t); }));
  return impl_->with_conn([&](Impl::Conn& c) -> result<std::vector<Intake>> {
    ODOOSYNC_TRY(r, impl_->run(c, sql, params));
    std::set<std::pair<std::string, std::string>> inserted;
    for (int i = 0; i < r.rows(); ++i) inserted.emplace(r.text(i, 0), r.text(i, 1));
    std::vector<Intake> out;
    out.reserve(events.size());
    for (const auto& e : events) {
      // The first of a repeated (source, id) in this call was inserted; the set forgets it once used.
      auto it = inserted.find({e.source, e.id});
      if (it != inserted.end()) {
        out.push_back(Intake::accepted);
        inserted.erase(it);
      } else {
        out.push_back(Intake::duplicate);
      }
    }
    return out;
  });
}

result<std::optional<Batch>> PostgresStore::claim(const ClaimRequest& rq) {
  return impl_->with_conn([&](Impl::Conn& c) -> result<std::optional<Batch>> {
    ODOOSYNC_TRY(resumed, impl_->resume(c, rq));
    if (resumed) return resumed;
    ODOOSYNC_TRY(formed, impl_->transaction(c, [&] { return impl_->form(c, rq); }));
    if (formed) impl_->remember(*formed, rq.owner, 1);
    return formed;
  });
}

result<void> PostgresStore::renew(std::int64_t batch, std::string_view owner, std::int64_t) {
  const auto epoch = impl_->epoch_of(batch, owner);
  return impl_->with_conn([&](Impl::Conn& c) -> result<void> {
    ODOOSYNC_TRY(r, impl_->run(c,
                               "UPDATE batches SET lease_until = statement_timestamp() + lease_ms::float8 * interval "
                               "'1 millisecond' WHERE id = $1 AND open AND owner = $2 AND ($3::bigint IS NULL OR "
                               "epoch = $3) RETURNING id",
                               {p(batch), p(owner), epoch ? p(*epoch) : Param()}));
    if (r.rows() == 0) return detail::not_leased(batch, owner);
    return success();
  });
}

result<void> PostgresStore::settle(std::int64_t batch, std::string_view owner, const Settlement& st) {
  ODOOSYNC_TRY(t, transition(EventStatus::in_flight, settle_action(st.kind)));
  const auto epoch = impl_->epoch_of(batch, owner);
  const bool closes = closes_batch(st.kind);
  static const std::string sql = std::string(R"sql(
WITH b AS (
  UPDATE batches SET open = NOT $7, owner = '', lease_until = NULL,
    leased_before = CASE WHEN $7 THEN leased_before ELSE false END,
    due_at = CASE WHEN $7 THEN due_at ELSE statement_timestamp() + $8::float8 * interval '1 millisecond' END,
    probe_first = CASE WHEN $7 THEN probe_first ELSE probe_first OR $9 END
  WHERE id = $1 AND open AND owner = $2 AND ($3::bigint IS NULL OR epoch = $3)
  RETURNING id, members),
e AS (
  UPDATE events SET status = $4, solo = events.solo OR $5, error = $11, updated_ms = $10 FROM b
  WHERE events.seq = ANY(b.members) AND events.status = :in_flight
  RETURNING events.seq, events.lane, events.source, events.id, events.subject, events.attempts, events.trace_id),
s AS (DELETE FROM subjects WHERE $7 AND batch IN (SELECT id FROM b)),
d AS (
  INSERT INTO lane_depth(lane, stripe, depth) SELECT lane, )sql") +
                                 stripe_sql + R"sql(, -count(*) FROM e WHERE NOT $6 GROUP BY lane
  ON CONFLICT (lane, stripe) DO UPDATE SET depth = lane_depth.depth + excluded.depth),
a AS (
  INSERT INTO audit(at_ms, source, id, subject, action, attempt, batch, error, correlation_id, trace_id, rpc_id,
    rpc_trace_id, rpc_span_id)
  SELECT $10, e.source, e.id, e.subject, $12, e.attempts, $1, $13, $14, e.trace_id, $15, $16, $17 FROM e, b
  ORDER BY array_position(b.members, e.seq))
SELECT count(*) FROM b)sql";
  const std::vector<Param> params{p(batch),
                                  p(owner),
                                  epoch ? p(*epoch) : Param(),
                                  p(static_cast<std::int64_t>(t.to)),
                                  p(t.solo_after),
                                  p(t.counts_in_depth),
                                  p(closes),
                                  p(std::max<std::int64_t>(0, st.due_ms - st.now_ms)),
                                  p(st.outcome_unknown),
                                  p(st.now_ms),
                                  p(st.kind == SettleKind::applied ? std::string_view() : std::string_view(st.error)),
                                  p(to_string(t.action)),
                                  p(st.error),
                                  p(st.correlation_id),
                                  p(st.rpc.id),
                                  p(st.rpc.trace_id),
                                  p(st.rpc.span_id)};
  if (has_nul(st.error) || has_nul(st.correlation_id) || has_nul(st.rpc.id) || has_nul(st.rpc.trace_id) ||
      has_nul(st.rpc.span_id))
    return Error::validation("settle: a text holds a NUL character");
  return impl_->with_conn([&](Impl::Conn& c) -> result<void> {
    ODOOSYNC_TRY(r, impl_->run(c, sql, params));
    if (r.i64(0, 0) == 0) {
      return Error(ErrorKind::conflict, detail::not_leased(batch, owner).message() +
                                            " (its lease was taken over, or it was settled already)");
    }
    std::lock_guard l(impl_->epochs_mutex);
    impl_->epochs.erase(batch);
    return success();
  });
}

result<void> PostgresStore::begin_worker(std::string_view owner, bool exclusive, std::int64_t) {
  auto& d = *impl_;
  std::lock_guard l(d.worker_mutex);
  if (!d.worker_owner.empty() && d.worker_owner != owner && (exclusive || d.worker_exclusive)) {
    return Error(ErrorKind::storage, "another engine (" + d.worker_owner + ") runs on " + d.where);
  }
  if (!d.worker_conn || Impl::broken(*d.worker_conn)) {
    d.worker_conn.reset();
    ODOOSYNC_TRY(c, d.connect());
    d.worker_conn = std::move(c);
  }
  auto& c = *d.worker_conn;
  if (d.worker_owner.empty()) {
    ODOOSYNC_TRY(r, d.run(c,
                          exclusive ? "SELECT pg_try_advisory_lock($1::integer, 0)"
                                    : "SELECT pg_try_advisory_lock_shared($1::integer, 0)",
                          {p(std::int64_t{d.lock_class})}));
    if (!r.boolean(0, 0)) {
      return Error(ErrorKind::storage,
                   std::string(exclusive ? "another engine runs on " : "an exclusive engine runs on ") + d.where);
    }
    d.worker_owner = std::string(owner);
    d.worker_exclusive = exclusive;
  }
  if (!exclusive) return success();
  ODOOSYNC_TRYV(d.run(c,
                      "UPDATE batches SET owner = '', lease_until = NULL, probe_first = true, epoch = epoch + 1 "
                      "WHERE open AND owner <> ''",
                      {}));
  return success();
}

result<void> PostgresStore::end_worker(std::string_view owner) {
  auto& d = *impl_;
  std::lock_guard l(d.worker_mutex);
  if (d.worker_owner != owner) return success();
  d.worker_owner.clear();
  // Released before the call returns: a closed session's locks go only when its backend has exited,
  // a moment later, and another worker beginning right after this would be refused meanwhile.
  if (d.worker_conn && !Impl::broken(*d.worker_conn))
    (void)d.run(*d.worker_conn, "SELECT pg_advisory_unlock_all()", {});
  d.worker_conn.reset();
  return success();
}

result<std::optional<StoredEvent>> PostgresStore::get(std::string_view source, std::string_view id) {
  static const std::string sql = std::string("SELECT ") + event_columns + " FROM events WHERE source = $1 AND id = $2";
  return impl_->with_conn([&](Impl::Conn& c) -> result<std::optional<StoredEvent>> {
    ODOOSYNC_TRY(r, impl_->run(c, sql, {p(source), p(id)}));
    if (r.rows() == 0) return std::optional<StoredEvent>();
    return std::optional<StoredEvent>(read_event(r, 0));
  });
}

result<std::vector<StoredEvent>> PostgresStore::find(std::string_view id) {
  static const std::string sql = std::string("SELECT ") + event_columns + " FROM events WHERE id = $1 ORDER BY seq";
  return impl_->with_conn([&](Impl::Conn& c) -> result<std::vector<StoredEvent>> {
    ODOOSYNC_TRY(r, impl_->run(c, sql, {p(id)}));
    std::vector<StoredEvent> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(read_event(r, i));
    return out;
  });
}

result<std::vector<StoredEvent>> PostgresStore::list(EventStatus status, std::size_t limit, std::int64_t after_seq) {
  static const std::string sql =
      std::string("SELECT ") + event_columns + " FROM events WHERE status = $1 AND seq > $2 ORDER BY seq LIMIT $3";
  return impl_->with_conn([&](Impl::Conn& c) -> result<std::vector<StoredEvent>> {
    ODOOSYNC_TRY(r, impl_->run(c, sql,
                               {p(static_cast<std::int64_t>(status)), p(after_seq),
                                p(static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)))}));
    std::vector<StoredEvent> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(read_event(r, i));
    return out;
  });
}

namespace {

// A dead event changes status (replayed, discarded) in one statement, with its audit entry and depth.
const std::string& dead_event_sql() {
  static const std::string sql = std::string(R"sql(
WITH e AS (
  UPDATE events SET status = $3, solo = solo OR $4, reason = CASE WHEN $7 THEN $6 ELSE reason END, updated_ms = $5
  WHERE source = $1 AND id = $2 AND status = :dead
  RETURNING seq, lane, source, id, subject, attempts, trace_id),
d AS (
  INSERT INTO lane_depth(lane, stripe, depth) SELECT lane, )sql") +
                                 stripe_sql + R"sql(, count(*) FROM e WHERE $8 GROUP BY lane
  ON CONFLICT (lane, stripe) DO UPDATE SET depth = lane_depth.depth + excluded.depth),
a AS (
  INSERT INTO audit(at_ms, source, id, subject, action, attempt, batch, error, correlation_id, trace_id)
  SELECT $5, e.source, e.id, e.subject, $9, e.attempts, 0, $6, '', e.trace_id FROM e)
SELECT count(*) FROM e)sql";
  return sql;
}

}  // namespace

result<void> PostgresStore::replay(std::string_view source, std::string_view id, std::int64_t now_ms) {
  ODOOSYNC_TRY(t, transition(EventStatus::dead, EventAction::replayed));
  return impl_->with_conn([&](Impl::Conn& c) -> result<void> {
    ODOOSYNC_TRY(r, impl_->run(c, dead_event_sql(),
                               {p(source), p(id), p(static_cast<std::int64_t>(t.to)), p(t.solo_after), p(now_ms), p(""),
                                p(false), p(t.counts_in_depth && !counts_in_depth(EventStatus::dead)),
                                p(to_string(EventAction::replayed))}));
    if (r.i64(0, 0) == 0) {
      ODOOSYNC_TRY(e, impl_->run(c, "SELECT 1 FROM events WHERE source = $1 AND id = $2", {p(source), p(id)}));
      return detail::not_dead(source, id, e.rows() > 0);
    }
    return success();
  });
}

result<void> PostgresStore::discard(std::string_view source, std::string_view id, std::string_view reason,
                                    std::int64_t now_ms) {
  if (reason.empty()) return Error::validation("discard: a reason is required");
  if (has_nul(reason)) return Error::validation("discard: the reason holds a NUL character");
  ODOOSYNC_TRY(t, transition(EventStatus::dead, EventAction::discarded));
  return impl_->with_conn([&](Impl::Conn& c) -> result<void> {
    ODOOSYNC_TRY(r, impl_->run(c, dead_event_sql(),
                               {p(source), p(id), p(static_cast<std::int64_t>(t.to)), p(t.solo_after), p(now_ms),
                                p(reason), p(true), p(false), p(to_string(EventAction::discarded))}));
    if (r.i64(0, 0) == 0) {
      ODOOSYNC_TRY(e, impl_->run(c, "SELECT 1 FROM events WHERE source = $1 AND id = $2", {p(source), p(id)}));
      return detail::not_dead(source, id, e.rows() > 0);
    }
    return success();
  });
}

result<std::vector<AuditEntry>> PostgresStore::audit(const AuditQuery& q) {
  // "submitted" is read from the events row, placed after the audit entries that existed at intake
  // (audit_mark), as SqliteStore does; the later changes come from audit in the order they were written.
  std::vector<Param> params;
  std::string where;
  auto add = [&](const char* col, const std::string& v) {
    params.push_back(v);
    where += std::string(" AND ") + col + " = $" + std::to_string(params.size());
  };
  if (q.id) add("id", *q.id);
  if (q.source) add("source", *q.source);
  if (q.subject) add("subject", *q.subject);
  if (q.trace_id) {
    // The events of the trace and those its RPCs carried, each with its whole trail (both through the
    // partial indexes).
    params.push_back(*q.trace_id);
    const std::string t = "$" + std::to_string(params.size());
    where += " AND (source, id) IN (SELECT source, id FROM events WHERE trace_id = " + t +
             " AND trace_id <> '' UNION SELECT source, id FROM audit WHERE rpc_trace_id = " + t +
             " AND rpc_trace_id <> '')";
  }
  std::string corr;
  if (q.correlation_id) {
    params.push_back(*q.correlation_id);
    corr = " AND correlation_id = $" + std::to_string(params.size()) + " AND correlation_id <> ''";
  }
  params.push_back(std::to_string(std::min<std::size_t>(q.limit, INT64_MAX)));
  for (const auto& v : params) {
    if (v && has_nul(*v)) return Error::validation("audit: a query text holds a NUL character");
  }
  const std::string sql =
      "SELECT at_ms, source, id, subject, action, attempt, batch, error, correlation_id, trace_id, rpc_id, "
      "rpc_trace_id, rpc_span_id FROM ("
      "SELECT submitted_ms AS at_ms, source, id, subject, 'submitted' AS action, 0 AS attempt, 0::bigint AS batch, "
      "'' AS error, '' AS correlation_id, trace_id, '' AS rpc_id, '' AS rpc_trace_id, '' AS rpc_span_id, "
      "audit_mark AS k1, seq AS k2 FROM events WHERE " +
      std::string(q.correlation_id ? "false" : "true") + where +
      " UNION ALL SELECT at_ms, source, id, subject, action, attempt, batch, error, correlation_id, trace_id, rpc_id, "
      "rpc_trace_id, rpc_span_id, n AS k1, -1::bigint AS k2 FROM audit WHERE true" +
      where + corr + ") x ORDER BY k1, k2 LIMIT $" + std::to_string(params.size());
  return impl_->with_conn([&](Impl::Conn& c) -> result<std::vector<AuditEntry>> {
    ODOOSYNC_TRY(r, impl_->run(c, sql, params));
    std::vector<AuditEntry> out;
    for (int i = 0; i < r.rows(); ++i) {
      AuditEntry a;
      a.at_ms = r.i64(i, 0);
      a.source = r.text(i, 1);
      a.id = r.text(i, 2);
      a.subject = r.text(i, 3);
      a.action = r.text(i, 4);
      a.attempt = static_cast<int>(r.i64(i, 5));
      a.batch = r.i64(i, 6);
      a.error = r.text(i, 7);
      a.correlation_id = r.text(i, 8);
      a.trace_id = r.text(i, 9);
      a.rpc = RpcRef{r.text(i, 10), r.text(i, 11), r.text(i, 12)};
      out.push_back(std::move(a));
    }
    return out;
  });
}

result<StoreStatus> PostgresStore::status() {
  return impl_->with_conn([&](Impl::Conn& c) -> result<StoreStatus> {
    StoreStatus st;
    ODOOSYNC_TRY(counts, impl_->run(c, "SELECT lane, type, status, count(*) FROM events GROUP BY 1, 2, 3", {}));
    for (int i = 0; i < counts.rows(); ++i) {
      auto& l = st.lanes[static_cast<std::size_t>(counts.i64(i, 0)) % lane_count];
      const auto n = static_cast<std::uint64_t>(counts.i64(i, 3));
      const auto status = static_cast<EventStatus>(counts.i64(i, 2));
      l.add(status, n);
      l.by_type[counts.text(i, 1)].add(status, n);
    }
    ODOOSYNC_TRY(oldest, impl_->run(c,
                                    "SELECT lane, min(submitted_ms) FROM events WHERE status IN (:pending, :in_flight) "
                                    "GROUP BY lane",
                                    {}));
    for (int i = 0; i < oldest.rows(); ++i)
      st.lanes[static_cast<std::size_t>(oldest.i64(i, 0)) % lane_count].oldest_pending_ms = oldest.i64(i, 1);
    ODOOSYNC_TRY(open, impl_->run(c, "SELECT lane, count(*) FROM batches WHERE open GROUP BY lane", {}));
    for (int i = 0; i < open.rows(); ++i)
      st.lanes[static_cast<std::size_t>(open.i64(i, 0)) % lane_count].open_batches =
          static_cast<std::uint64_t>(open.i64(i, 1));
    return st;
  });
}

result<std::array<std::uint64_t, lane_count>> PostgresStore::depth() {
  return impl_->with_conn([&](Impl::Conn& c) -> result<std::array<std::uint64_t, lane_count>> {
    ODOOSYNC_TRY(r, impl_->run(c, "SELECT lane, sum(depth) FROM lane_depth GROUP BY lane", {}));
    std::array<std::uint64_t, lane_count> out{};
    for (int i = 0; i < r.rows(); ++i)
      out[static_cast<std::size_t>(r.i64(i, 0)) % lane_count] =
          static_cast<std::uint64_t>(std::max<std::int64_t>(0, r.i64(i, 1)));
    return out;
  });
}

result<QueueMoves> PostgresStore::queue_moves(std::int64_t since_ms, std::size_t limit, std::int64_t slack_ms) {
  return impl_->with_conn([&](Impl::Conn& c) -> result<QueueMoves> {
    const auto max_rows = limit > SIZE_MAX / 4 ? SIZE_MAX : limit * 4;
    // Pages down the primary keys (audit.n, events.seq); the event of an audit entry looked up through
    // events_key, row by row (LATERAL with LIMIT 1, which PostgreSQL does not flatten into a join: a hash
    // join would scan every event).
    auto audit_page = [&](std::int64_t before, std::size_t n) -> result<std::vector<detail::MoveRow>> {
      ODOOSYNC_TRY(r,
                   impl_->run(c,
                              "SELECT a.n, a.at_ms, a.action, e.lane, e.seq, e.submitted_ms FROM (SELECT n, at_ms, "
                              "action, source, id FROM audit WHERE n < $1 ORDER BY n DESC LIMIT $2) a LEFT JOIN "
                              "LATERAL (SELECT lane, seq, submitted_ms FROM events x WHERE x.id = a.id AND "
                              "x.source = a.source AND a.action IN ('applied', 'dead', 'replayed') LIMIT 1) e ON true "
                              "ORDER BY a.n DESC",
                              {p(before), p(static_cast<std::int64_t>(n))}));
      std::vector<detail::MoveRow> rows;
      for (int i = 0; i < r.rows(); ++i) {
        detail::MoveRow m{r.i64(i, 0), r.i64(i, 1), r.null(i, 4) ? std::nullopt : detail::move_kind(r.text(i, 2))};
        if (m.kind) {
          m.lane = static_cast<Lane>(r.i64(i, 3) % static_cast<std::int64_t>(lane_count));
          m.seq = r.i64(i, 4);
          m.submitted_ms = r.i64(i, 5);
        }
        rows.push_back(m);
      }
      return rows;
    };
    auto event_page = [&](std::int64_t before, std::size_t n) -> result<std::vector<detail::MoveRow>> {
      ODOOSYNC_TRY(r,
                   impl_->run(c, "SELECT seq, submitted_ms, lane FROM events WHERE seq < $1 ORDER BY seq DESC LIMIT $2",
                              {p(before), p(static_cast<std::int64_t>(n))}));
      std::vector<detail::MoveRow> rows;
      for (int i = 0; i < r.rows(); ++i) {
        const auto seq = r.i64(i, 0);
        rows.push_back(detail::MoveRow{seq, r.i64(i, 1), QueueMove::Kind::submitted,
                                       static_cast<Lane>(r.i64(i, 2) % static_cast<std::int64_t>(lane_count)), seq,
                                       r.i64(i, 1)});
      }
      return rows;
    };
    auto body = [&]() -> result<QueueMoves> {
      ODOOSYNC_TRY(a, detail::walk_moves(audit_page, INT64_MAX, since_ms, slack_ms, limit, max_rows));
      ODOOSYNC_TRY(e, detail::walk_moves(event_page, INT64_MAX, since_ms, slack_ms, limit, max_rows));
      auto out = detail::merge_moves(std::move(a), std::move(e), since_ms, limit);
      ODOOSYNC_TRY(depth, impl_->run(c, "SELECT lane, sum(depth) FROM lane_depth GROUP BY lane", {}));
      for (int i = 0; i < depth.rows(); ++i)
        out.depth[static_cast<std::size_t>(depth.i64(i, 0)) % lane_count] =
            static_cast<std::uint64_t>(std::max<std::int64_t>(0, depth.i64(i, 1)));
      const auto heads_n = p(static_cast<std::int64_t>(detail::queue_head_count));
      for (std::size_t lane = 0; lane < lane_count; ++lane) {
        const auto l = p(static_cast<std::int64_t>(lane));
        // Pending: the partial index events_queue. In flight: members of the open batches (batches_open),
        // few by construction; events has no index on that status.
        ODOOSYNC_TRY(pending, impl_->run(c,
                                         "SELECT seq, submitted_ms FROM events WHERE lane = $1 AND status = :pending "
                                         "ORDER BY seq LIMIT $2",
                                         {l, heads_n}));
        ODOOSYNC_TRY(flying, impl_->run(c,
                                        "SELECT e.seq, e.submitted_ms FROM batches b CROSS JOIN LATERAL "
                                        "unnest(b.members) AS m(seq) JOIN events e ON e.seq = m.seq WHERE b.open AND "
                                        "b.lane = $1 AND e.status = :in_flight ORDER BY e.seq LIMIT $2",
                                        {l, heads_n}));
        auto& heads = out.heads[lane];
        for (const Res* r : {&pending, &flying})
          for (int i = 0; i < r->rows(); ++i) heads.push_back(QueueHead{r->i64(i, 0), r->i64(i, 1)});
        std::sort(heads.begin(), heads.end(), [](const QueueHead& x, const QueueHead& y) { return x.seq < y.seq; });
        if (heads.size() > detail::queue_head_count) heads.resize(detail::queue_head_count);
      }
      return out;
    };
    // One snapshot for the moves, the depth and the heads.
    ODOOSYNC_TRYV(impl_->exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    auto out = body();
    if (!Impl::broken(c)) (void)impl_->exec(c, out ? "COMMIT" : "ROLLBACK");
    return out;
  });
}

result<std::optional<std::string>> PostgresStore::checkpoint(std::string_view name) {
  return impl_->with_conn([&](Impl::Conn& c) -> result<std::optional<std::string>> {
    ODOOSYNC_TRY(r, impl_->run(c, "SELECT value FROM checkpoints WHERE name = $1", {p(name)}));
    if (r.rows() == 0) return std::optional<std::string>();
    return std::optional<std::string>(r.text(0, 0));
  });
}

result<void> PostgresStore::set_checkpoint(std::string_view name, std::string_view value) {
  if (has_nul(name) || has_nul(value)) return Error::validation("checkpoint: a text holds a NUL character");
  return impl_->with_conn([&](Impl::Conn& c) -> result<void> {
    ODOOSYNC_TRYV(impl_->run(c,
                             "INSERT INTO checkpoints(name, value) VALUES ($1, $2) "
                             "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                             {p(name), p(value)}));
    return success();
  });
}

// ---- the push outbox ------------------------------------------------------------------------------

namespace {

constexpr const char* outbox_columns =
    "o.channel, o.kind, o.key, o.seq_ms, o.seq_id, o.version, o.status, o.pushed, o.channel_value, o.sent, "
    "o.attempts, o.due_ms, o.changed_ms, o.updated_ms, o.error, o.epoch";

OutboxItem read_item(const Res& r, int row) {
  OutboxItem it;
  it.channel = r.text(row, 0);
  it.kind = r.text(row, 1);
  it.key = r.text(row, 2);
  it.sequence = OutboxSequence{r.i64(row, 3), r.i64(row, 4)};
  it.version = r.i64(row, 5);
  it.status = static_cast<OutboxStatus>(r.i64(row, 6));
  if (!r.null(row, 7)) it.pushed = r.text(row, 7);
  if (!r.null(row, 8)) it.channel_value = r.text(row, 8);
  if (!r.null(row, 9)) it.sent = r.text(row, 9);
  it.attempts = static_cast<int>(r.i64(row, 10));
  it.due_ms = r.i64(row, 11);
  it.changed_ms = r.i64(row, 12);
  it.updated_ms = r.i64(row, 13);
  it.error = r.text(row, 14);
  it.epoch = r.i64(row, 15);
  return it;
}

template <class T, class F>
std::string text_array(const T& items, F&& field) {
  std::string out = "{";
  for (const auto& it : items) add_element(out, std::string_view(field(it)));
  out += '}';
  return out;
}
template <class T, class F>
std::string int_array(const T& items, F&& field) {
  std::string out = "{";
  for (const auto& it : items) add_element(out, std::optional<std::int64_t>(field(it)));
  out += '}';
  return out;
}

// The parts of the items, in one read.
result<void> outbox_parts(PostgresStore::Impl& d, PostgresStore::Impl::Conn& c, std::vector<OutboxItem>& items) {
  if (items.empty()) return success();
  static const std::string sql =
      "SELECT p.channel, p.kind, p.key, p.part, p.value, p.seq_ms, p.seq_id FROM unnest($1::text[], $2::text[], "
      "$3::text[]) AS i(channel, kind, key) JOIN outbox_parts p ON p.channel = i.channel AND p.kind = i.kind AND "
      "p.key = i.key ORDER BY p.channel, p.kind, p.key, p.part";
  ODOOSYNC_TRY(r, d.run(c, sql,
                        {text_array(items, [](const OutboxItem& i) -> const std::string& { return i.channel; }),
                         text_array(items, [](const OutboxItem& i) -> const std::string& { return i.kind; }),
                         text_array(items, [](const OutboxItem& i) -> const std::string& { return i.key; })}));
  std::map<std::tuple<std::string, std::string, std::string>, OutboxItem*> by_key;
  for (auto& it : items) by_key[{it.channel, it.kind, it.key}] = &it;
  for (int i = 0; i < r.rows(); ++i) {
    auto f = by_key.find({r.text(i, 0), r.text(i, 1), r.text(i, 2)});
    if (f == by_key.end()) continue;
    f->second->parts.push_back(OutboxPart{r.text(i, 3), r.text(i, 4), OutboxSequence{r.i64(i, 5), r.i64(i, 6)}});
  }
  return success();
}
}  // namespace

result<std::size_t> PostgresStore::outbox_upsert(std::span<const OutboxChange> changes, std::int64_t now_ms) {
  ODOOSYNC_TRYV(detail::check_outbox_changes(changes));
  if (changes.empty()) return std::size_t{0};
  // One statement: the newest change of each part (a page may hold several), written where its sequence
  // is not older than the one held (ON CONFLICT re-checks against the row as committed by a concurrent
  // writer, so two writers cannot put an older value over a newer one); then the items of the parts
  // written, in key order (two writers lock rows in the same order).
  static const std::string sql = R"sql(
WITH c AS (
  SELECT DISTINCT ON (channel, kind, key, part) channel, kind, key, part, value, seq_ms, seq_id
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[])
    WITH ORDINALITY AS t(channel, kind, key, part, value, seq_ms, seq_id, n)
  ORDER BY channel, kind, key, part, seq_ms DESC, seq_id DESC, n DESC),
p AS (
  INSERT INTO outbox_parts AS o(channel, kind, key, part, value, seq_ms, seq_id)
  SELECT channel, kind, key, part, value, seq_ms, seq_id FROM c ORDER BY channel, kind, key, part
  ON CONFLICT (channel, kind, key, part) DO UPDATE SET value = excluded.value, seq_ms = excluded.seq_ms,
    seq_id = excluded.seq_id
  WHERE (excluded.seq_ms, excluded.seq_id) >= (o.seq_ms, o.seq_id)
    AND (excluded.value <> o.value OR excluded.seq_ms <> o.seq_ms OR excluded.seq_id <> o.seq_id)
  RETURNING o.channel, o.kind, o.key, o.seq_ms, o.seq_id),
g AS (
  SELECT channel, kind, key, (array_agg(seq_ms ORDER BY seq_ms DESC, seq_id DESC))[1] AS seq_ms,
    (array_agg(seq_id ORDER BY seq_ms DESC, seq_id DESC))[1] AS seq_id
  FROM p GROUP BY channel, kind, key),
i AS (
  INSERT INTO outbox AS o(channel, kind, key, seq_ms, seq_id, version, status, due_at, due_ms, changed_ms, updated_ms)
  SELECT channel, kind, key, seq_ms, seq_id, 1, 0, statement_timestamp(), $8, $8, $8 FROM g
  ORDER BY channel, kind, key
  ON CONFLICT (channel, kind, key) DO UPDATE SET
    seq_ms = CASE WHEN (excluded.seq_ms, excluded.seq_id) > (o.seq_ms, o.seq_id) THEN excluded.seq_ms ELSE o.seq_ms END,
    seq_id = CASE WHEN (excluded.seq_ms, excluded.seq_id) > (o.seq_ms, o.seq_id) THEN excluded.seq_id ELSE o.seq_id END,
    version = o.version + 1, updated_ms = excluded.updated_ms,
    attempts = CASE WHEN o.status = 0 THEN o.attempts ELSE 0 END,
    error = CASE WHEN o.status = 0 THEN o.error ELSE '' END,
    due_at = CASE WHEN o.status = 0 THEN o.due_at ELSE excluded.due_at END,
    due_ms = CASE WHEN o.status = 0 THEN o.due_ms ELSE excluded.due_ms END,
    changed_ms = CASE WHEN o.status = 0 THEN o.changed_ms ELSE excluded.changed_ms END,
    status = 0
  RETURNING 1)
SELECT count(*) FROM i)sql";
  const std::vector<Param> params{
      text_array(changes, [](const OutboxChange& c) -> const std::string& { return c.channel; }),
      text_array(changes, [](const OutboxChange& c) -> const std::string& { return c.kind; }),
      text_array(changes, [](const OutboxChange& c) -> const std::string& { return c.key; }),
      text_array(changes, [](const OutboxChange& c) -> const std::string& { return c.part; }),
      text_array(changes, [](const OutboxChange& c) -> const std::string& { return c.value; }),
      int_array(changes, [](const OutboxChange& c) { return c.sequence.time_ms; }),
      int_array(changes, [](const OutboxChange& c) { return c.sequence.id; }),
      p(now_ms)};
  // Two writers of overlapping items may still deadlock on the parts' unique index; the loser is rolled
  // back whole and tried again.
  for (int attempt = 0;; ++attempt) {
    auto r = impl_->with_conn([&](Impl::Conn& c) -> result<std::size_t> {
      ODOOSYNC_TRY(res, impl_->run(c, sql, params));
      return static_cast<std::size_t>(res.i64(0, 0));
    });
    if (r || r.error().kind() != ErrorKind::conflict || attempt >= 4) return r;
  }
}

result<std::vector<OutboxItem>> PostgresStore::outbox_claim(const OutboxClaim& cl) {
  static const std::string sql = std::string(R"sql(
WITH c AS (
  SELECT channel, kind, key FROM outbox
  WHERE channel = $1 AND kind = $2 AND status = 0 AND due_at <= statement_timestamp()
    AND (owner = '' OR lease_until <= statement_timestamp())
  ORDER BY due_at LIMIT $5 FOR UPDATE SKIP LOCKED)
UPDATE outbox o SET owner = $3, lease_until = statement_timestamp() + $4::float8 * interval '1 millisecond',
  epoch = o.epoch + 1
FROM c WHERE o.channel = c.channel AND o.kind = c.kind AND o.key = c.key
RETURNING )sql") + outbox_columns;
  return impl_->with_conn([&](Impl::Conn& c) -> result<std::vector<OutboxItem>> {
    ODOOSYNC_TRY(r, impl_->run(c, sql,
                               {p(cl.channel), p(cl.kind), p(cl.owner), p(cl.lease_ms),
                                p(static_cast<std::int64_t>(cl.max_items))}));
    std::vector<OutboxItem> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(read_item(r, i));
    std::sort(out.begin(), out.end(), [](const OutboxItem& a, const OutboxItem& b) {
      return std::tie(a.due_ms, a.key) < std::tie(b.due_ms, b.key);
    });
    ODOOSYNC_TRYV(outbox_parts(*impl_, c, out));
    return out;
  });
}

result<std::vector<bool>> PostgresStore::outbox_mark_sent(std::string_view channel, std::string_view kind,
                                                          std::string_view owner, std::span<const OutboxSend> sends) {
  for (const auto& s : sends) {
    if (has_nul(s.value)) return Error::validation("outbox: a text holds a NUL character");
  }
  static const std::string sql =
      "UPDATE outbox o SET sent = s.value FROM unnest($4::text[], $5::bigint[], $6::text[]) WITH ORDINALITY "
      "AS s(key, epoch, value, n) WHERE o.channel = $1 AND o.kind = $2 AND o.key = s.key AND o.owner = $3 AND "
      "o.epoch = s.epoch RETURNING s.n";
  return impl_->with_conn([&](Impl::Conn& c) -> result<std::vector<bool>> {
    ODOOSYNC_TRY(r, impl_->run(c, sql,
                               {p(channel), p(kind), p(owner),
                                text_array(sends, [](const OutboxSend& s) -> const std::string& { return s.key; }),
                                int_array(sends, [](const OutboxSend& s) { return s.epoch; }),
                                text_array(sends, [](const OutboxSend& s) -> const std::string& { return s.value; })}));
    std::vector<bool> out(sends.size(), false);
    for (int i = 0; i < r.rows(); ++i) {
      const auto n = r.i64(i, 0);
      if (n >= 1 && static_cast<std::size_t>(n) <= out.size()) out[static_cast<std::size_t>(n - 1)] = true;
    }
    return out;
  });
}

result<std::vector<bool>> PostgresStore::outbox_settle(std::string_view channel, std::string_view kind,
                                                       std::string_view owner, std::int64_t now_ms,
                                                       std::span<const OutboxSettle> settles) {
  for (const auto& s : settles) {
    if (has_nul(s.error) || has_nul(s.pushed.value_or("")) || has_nul(s.channel_value.value_or("")))
      return Error::validation("outbox: a text holds a NUL character");
  }
  // $7: the claimed version is still the item's (else it stays pending, due now, for its newer value).
  static const std::string sql = R"sql(
UPDATE outbox SET owner = '', lease_until = NULL, updated_ms = $6,
  pushed = CASE WHEN $8 THEN $9 ELSE pushed END,
  channel_value = CASE WHEN $10 THEN $11 ELSE channel_value END,
  sent = CASE WHEN $12 THEN sent ELSE NULL END,
  status = CASE WHEN version = $7 THEN $13::smallint ELSE 0 END,
  error = CASE WHEN version = $7 OR $13 = 0 THEN $14 ELSE '' END,
  due_at = CASE WHEN $13 = 0 THEN statement_timestamp() + $16::float8 * interval '1 millisecond'
                WHEN version = $7 THEN due_at ELSE statement_timestamp() END,
  due_ms = CASE WHEN $13 = 0 THEN $15 WHEN version = $7 THEN due_ms ELSE $6 END,
  attempts = CASE WHEN version <> $7 THEN (CASE WHEN $13 = 0 THEN attempts ELSE 0 END)
                  WHEN $13 = 0 THEN attempts + $17 WHEN $13 = 3 THEN attempts ELSE 0 END
WHERE channel = $1 AND kind = $2 AND key = $3 AND owner = $4 AND epoch = $5)sql";
  return impl_->with_conn([&](Impl::Conn& c) -> result<std::vector<bool>> {
    return impl_->transaction(c, [&]() -> result<std::vector<bool>> {
      std::vector<bool> out;
      for (const auto& s : settles) {
        ODOOSYNC_TRY(
            r, impl_->run(c, sql,
                          {p(channel), p(kind), p(s.key), p(owner), p(s.epoch), p(now_ms), p(s.version),
                           p(s.pushed.has_value()), p(s.pushed.value_or("")), p(s.channel_value.has_value()),
                           p(s.channel_value.value_or("")), p(s.outcome_unknown),
                           p(static_cast<std::int64_t>(s.status)), p(s.error), p(s.due_ms),
                           p(std::max<std::int64_t>(0, s.due_ms - now_ms)), p(std::int64_t{s.count_attempt ? 1 : 0})}));
        const char* n = PQcmdTuples(r.r);
        out.push_back(n && *n && std::string_view(n) != "0");
      }
      return out;
    });
  });
}

result<std::optional<OutboxItem>> PostgresStore::outbox_get(std::string_view channel, std::string_view kind,
                                                            std::string_view key) {
  static const std::string sql =
      std::string("SELECT ") + outbox_columns + " FROM outbox o WHERE o.channel = $1 AND o.kind = $2 AND o.key = $3";
  return impl_->with_conn([&](Impl::Conn& c) -> result<std::optional<OutboxItem>> {
    ODOOSYNC_TRY(r, impl_->run(c, sql, {p(channel), p(kind), p(key)}));
    if (r.rows() == 0) return std::optional<OutboxItem>();
    std::vector<OutboxItem> items{read_item(r, 0)};
    items.front().epoch = 0;
    ODOOSYNC_TRYV(outbox_parts(*impl_, c, items));
    return std::optional<OutboxItem>(std::move(items.front()));
  });
}

result<std::vector<OutboxItem>> PostgresStore::outbox_list(const OutboxQuery& q) {
  static const std::string sql = std::string("SELECT ") + outbox_columns +
                                 " FROM outbox o WHERE o.channel = $1 AND ($2 = '' OR o.kind = $2) AND o.status = $3 "
                                 "AND o.status <> 1 AND (o.kind, o.key) > ($4, $5) ORDER BY o.kind, o.key LIMIT $6";
  static const std::string pushed_sql = std::string("SELECT ") + outbox_columns +
                                        " FROM outbox o WHERE o.channel = $1 AND ($2 = '' OR o.kind = $2) AND "
                                        "o.status = $3 AND (o.kind, o.key) > ($4, $5) ORDER BY o.kind, o.key LIMIT $6";
  return impl_->with_conn([&](Impl::Conn& c) -> result<std::vector<OutboxItem>> {
    ODOOSYNC_TRY(r, impl_->run(c, q.status == OutboxStatus::pushed ? pushed_sql : sql,
                               {p(q.channel), p(q.kind.value_or("")), p(static_cast<std::int64_t>(q.status)),
                                p(q.after_kind), p(q.after_key), p(static_cast<std::int64_t>(q.limit))}));
    std::vector<OutboxItem> out;
    for (int i = 0; i < r.rows(); ++i) {
      out.push_back(read_item(r, i));
      out.back().epoch = 0;
    }
    ODOOSYNC_TRYV(outbox_parts(*impl_, c, out));
    return out;
  });
}

result<void> PostgresStore::outbox_replay(std::string_view channel, std::string_view kind, std::string_view key,
                                          std::int64_t now_ms) {
  return impl_->with_conn([&](Impl::Conn& c) -> result<void> {
    ODOOSYNC_TRY(r, impl_->run(c,
                               "WITH u AS (UPDATE outbox SET status = 0, attempts = 0, due_at = statement_timestamp(), "
                               "due_ms = $4, changed_ms = $4, updated_ms = $4 WHERE channel = $1 AND kind = $2 AND "
                               "key = $3 AND status = 3 RETURNING 1) SELECT (SELECT count(*) FROM u), "
                               "EXISTS (SELECT 1 FROM outbox WHERE channel = $1 AND kind = $2 AND key = $3)",
                               {p(channel), p(kind), p(key), p(now_ms)}));
    if (r.i64(0, 0) > 0) return success();
    return detail::outbox_not_dead(channel, kind, key, r.boolean(0, 1));
  });
}

result<OutboxStatusCounts> PostgresStore::outbox_status(std::string_view channel) {
  // The kinds present by one seek each (however many items a kind holds), then the counts of the items
  // that are not pushed (the partial index), and the oldest pending change.
  static const std::string sql = R"sql(
WITH RECURSIVE k(kind) AS (
  SELECT min(kind) FROM outbox WHERE channel = $1
  UNION ALL
  SELECT (SELECT min(kind) FROM outbox WHERE channel = $1 AND kind > k.kind) FROM k WHERE k.kind IS NOT NULL)
SELECT k.kind,
  (SELECT count(*) FROM outbox o WHERE o.channel = $1 AND o.kind = k.kind AND o.status = 0 AND o.status <> 1),
  (SELECT count(*) FROM outbox o WHERE o.channel = $1 AND o.kind = k.kind AND o.status = 2 AND o.status <> 1),
  (SELECT count(*) FROM outbox o WHERE o.channel = $1 AND o.kind = k.kind AND o.status = 3 AND o.status <> 1),
  (SELECT min(changed_ms) FROM outbox o WHERE o.channel = $1 AND o.kind = k.kind AND o.status = 0)
FROM k WHERE k.kind IS NOT NULL)sql";
  return impl_->with_conn([&](Impl::Conn& c) -> result<OutboxStatusCounts> {
    ODOOSYNC_TRY(r, impl_->run(c, sql, {p(channel)}));
    OutboxStatusCounts out;
    for (int i = 0; i < r.rows(); ++i) {
      auto& k = out[r.text(i, 0)];
      k.pending = static_cast<std::uint64_t>(r.i64(i, 1));
      k.not_listed = static_cast<std::uint64_t>(r.i64(i, 2));
      k.dead = static_cast<std::uint64_t>(r.i64(i, 3));
      if (!r.null(i, 4)) k.oldest_pending_ms = r.i64(i, 4);
    }
    return out;
  });
}

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
