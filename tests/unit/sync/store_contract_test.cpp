// The Store contract (docs/sync.md), run against every store: MemoryStore and SqliteStore here
// (sync_tests), PostgresStore on a PostgreSQL server the test starts (postgres_tests, built from this file
// with ODOOSYNC_CONTRACT_POSTGRES).
#include <canary.hpp>
#include <odoosync/sync/memory_store.hpp>
#include <odoosync/sync/sqlite_store.hpp>
#include <odoosync/sync/lifecycle.hpp>

#include <doctest/doctest.h>

#include <sqlite3.h>

#ifdef ODOOSYNC_CONTRACT_POSTGRES
#include <odoosync/sync/postgres_store.hpp>
#include <postgres_server.hpp>
#endif

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

namespace os = odoosync;
namespace oss = odoosync::sync;
namespace fs = std::filesystem;

namespace {

#ifndef ODOOSYNC_CONTRACT_POSTGRES
fs::path temp_dir() {
  static std::atomic<int> n{0};
  auto dir = fs::temp_directory_path() / ("odoosync-store-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
  odoosync::testing::remove_scratch(dir);
  fs::create_directories(dir);
  return dir;
}

struct MemoryFactory {
  [[maybe_unused]] static constexpr const char* name = "memory";
  std::unique_ptr<oss::Store> make() { return std::make_unique<oss::MemoryStore>(); }
};
struct SqliteFactory {
  [[maybe_unused]] static constexpr const char* name = "sqlite";
  fs::path dir = temp_dir();
  ~SqliteFactory() { odoosync::testing::remove_scratch(dir); }
  std::unique_ptr<oss::Store> make() {
    auto s = oss::SqliteStore::open((dir / "store.db").string());
    REQUIRE_MESSAGE(s.has_value(), (s ? "" : s.error().to_string()));
    return std::move(s).value();
  }
};
#endif

#ifdef ODOOSYNC_CONTRACT_POSTGRES
// A fresh schema per test case on the test process's own server; lease expiry, due times and the flush
// interval follow the database's clock, so the tests wait where the others pass a later `now`.
struct PostgresFactory {
  [[maybe_unused]] static constexpr const char* name = "postgres";
  static constexpr bool database_clock = true;
  std::string schema = "contract_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++);
  static std::atomic<int>& counter() {
    static std::atomic<int> n{0};
    return n;
  }
  ~PostgresFactory() {
    if (auto* server = odoosync::testing::PostgresServer::shared(&error)) {
      server->exec("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
    }
  }
  std::string error;
  std::unique_ptr<oss::Store> make() {
    auto* server = odoosync::testing::PostgresServer::shared(&error);
    REQUIRE_MESSAGE(server != nullptr, "the test PostgreSQL server did not start: " << error);
    oss::PostgresOptions o;
    o.schema = schema;
    o.password = os::Secret(odoosync::testing::PostgresServer::password());
    auto s = oss::PostgresStore::open(server->url(), o);
    REQUIRE_MESSAGE(s.has_value(), (s ? "" : s.error().to_string()));
    return std::move(s).value();
  }
};
#define ODOOSYNC_STORES PostgresFactory
#else
#define ODOOSYNC_STORES MemoryFactory, SqliteFactory
#endif

// Lets `ms` pass for a store that judges time by its own clock (PostgreSQL's); the others take the
// `now` each call is given.
template <class F>
void advance(std::int64_t ms) {
  if constexpr (requires { F::database_clock; }) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }
}

oss::NewEvent ev(std::string id, std::string subject, std::string key = "k", oss::Lane lane = oss::Lane::realtime,
                 std::optional<std::int64_t> sequence = std::nullopt, std::string source = "pos/1") {
  oss::NewEvent e;
  e.source = std::move(source);
  e.id = std::move(id);
  e.type = "retail.stock.adjusted";
  e.subject = std::move(subject);
  e.sequence = sequence;
  e.lane = lane;
  e.batch_key = std::move(key);
  e.body = "{\"id\":\"" + e.id + "\"}";
  return e;
}

constexpr oss::Watermarks no_limit{0, 0};

oss::ClaimRequest rq(std::int64_t now, std::size_t max = 100, std::string owner = "w1") {
  oss::ClaimRequest r;
  r.owner = std::move(owner);
  r.now_ms = now;
  r.lease_ms = 1000;
  r.max_members = max;
  return r;
}

std::vector<std::string> ids(const oss::Batch& b) {
  std::vector<std::string> out;
  for (const auto& m : b.members) out.push_back(m.event.id);
  return out;
}

void append_all(oss::Store& s, std::vector<oss::NewEvent> v, std::int64_t now = 1000) {
  auto r = s.append(v, now, no_limit);
  REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().to_string()));
}

oss::Settlement settle(oss::SettleKind k, std::int64_t now, std::string error = {}) {
  oss::Settlement st;
  st.kind = k;
  st.now_ms = now;
  st.due_ms = now;
  st.error = std::move(error);
  return st;
}

}  // namespace

TEST_CASE_TEMPLATE("store contract: intake is durable, deduplicated by source and id, atomic", F, ODOOSYNC_STORES) {
  F f;
  auto s = f.make();
  std::vector<oss::NewEvent> v{ev("a", "s1"), ev("b", "s2"), ev("a", "s3"),
                               ev("a", "s4", "k", oss::Lane::realtime, {}, "pos/2")};
  auto r = s->append(v, 1000, no_limit);
  REQUIRE(r);
  CHECK(r.value() == std::vector<oss::Intake>{oss::Intake::accepted, oss::Intake::accepted, oss::Intake::duplicate,
                                              oss::Intake::accepted});
  auto again = s->append(std::vector<oss::NewEvent>{ev("b", "other")}, 2000, no_limit);
  REQUIRE(again);
  CHECK(again.value()[0] == oss::Intake::duplicate);
  auto got = s->get("pos/1", "b");
  REQUIRE(got);
  REQUIRE(got.value().has_value());
  CHECK(got.value()->event.subject == "s2");  // the duplicate changed nothing
  CHECK(got.value()->status == oss::EventStatus::pending);
  CHECK(got.value()->submitted_ms == 1000);
  CHECK(got.value()->event.body == "{\"id\":\"b\"}");
  auto both = s->find("a");
  REQUIRE(both);
  CHECK(both.value().size() == 2);
  auto st = s->status();
  REQUIRE(st);
  CHECK(st.value().lanes[0].pending == 3);
  CHECK(st.value().lanes[0].oldest_pending_ms == 1000);
  auto audit = s->audit(oss::AuditQuery{.source = "pos/1", .id = "b"});
  REQUIRE(audit);
  REQUIRE(audit.value().size() == 1);
  CHECK(audit.value()[0].action == "submitted");
}

TEST_CASE_TEMPLATE("store contract: above the high-water mark nothing of the call is stored", F, ODOOSYNC_STORES) {
  F f;
  auto s = f.make();
  const oss::Watermarks hw{3, 0};
  REQUIRE(s->append(std::vector<oss::NewEvent>{ev("a", "s1"), ev("b", "s2")}, 1, hw));
  auto over = s->append(std::vector<oss::NewEvent>{ev("c", "s3"), ev("d", "s4")}, 2, hw);
  REQUIRE_FALSE(over);
  CHECK(over.error().kind() == os::ErrorKind::backpressure);
  CHECK(over.error().message().find("realtime") != std::string::npos);
  auto c = s->get("pos/1", "c");
  REQUIRE(c);
  CHECK_FALSE(c.value().has_value());
  // Another lane has its own mark; duplicates do not count against it.
  CHECK(s->append(std::vector<oss::NewEvent>{ev("x", "p1", "k", oss::Lane::bulk)}, 3, hw));
  CHECK(s->append(std::vector<oss::NewEvent>{ev("a", "s1"), ev("c", "s3")}, 4, hw));
  // Settled events free room.
  auto b = s->claim(rq(5));
  REQUIRE(b);
  REQUIRE(b.value().has_value());
  REQUIRE(s->settle(b.value()->id, "w1", settle(oss::SettleKind::applied, 6)));
  CHECK(s->append(std::vector<oss::NewEvent>{ev("d", "s4")}, 7, hw));
}

TEST_CASE_TEMPLATE("store contract: one batch per subject, in sequence order, coalescing a subject's run", F,
                   ODOOSYNC_STORES) {
  F f;
  auto s = f.make();
  // s1 arrives out of order (sequence 2 before 1); s2 has a run of three with one batch key.
  append_all(*s, {ev("s1-2", "s1", "k", oss::Lane::realtime, 2), ev("s2-a", "s2"),
                  ev("s1-1", "s1", "k", oss::Lane::realtime, 1), ev("s2-b", "s2"), ev("s2-c", "s2"),
                  ev("s3-x", "s3", "other")});
  auto b1 = s->claim(rq(10));
  REQUIRE(b1);
  REQUIRE(b1.value().has_value());
  const auto& batch = *b1.value();
  CHECK(batch.batch_key == "k");
  CHECK(ids(batch) == std::vector<std::string>{"s1-1", "s1-2", "s2-a", "s2-b", "s2-c"});  // s1 from its head
  CHECK(batch.attempt == 1);
  CHECK_FALSE(batch.probe_first);
  CHECK(batch.token == oss::batch_token(s->store_id(), batch.id));
  auto by_token = s->audit(oss::AuditQuery{.correlation_id = batch.token});
  REQUIRE(by_token);
  CHECK(by_token.value().size() == 5);  // the claim of each member names the batch's token
  // The subjects of an open batch are busy: only s3 (another key) can go.
  auto b2 = s->claim(rq(11));
  REQUIRE(b2);
  REQUIRE(b2.value().has_value());
  CHECK(ids(*b2.value()) == std::vector<std::string>{"s3-x"});
  append_all(*s, {ev("s2-d", "s2")}, 12);
  auto b3 = s->claim(rq(13));
  REQUIRE(b3);
  CHECK_FALSE(b3.value().has_value());
  REQUIRE(s->settle(batch.id, "w1", settle(oss::SettleKind::applied, 14)));
  auto b4 = s->claim(rq(15));
  REQUIRE(b4);
  REQUIRE(b4.value().has_value());
  CHECK(ids(*b4.value()) == std::vector<std::string>{"s2-d"});
  auto st = s->status();
  REQUIRE(st);
  CHECK(st.value().lanes[0].applied == 5);
  CHECK(st.value().lanes[0].in_flight == 2);
  CHECK(st.value().lanes[0].open_batches == 2);
}

TEST_CASE_TEMPLATE("store contract: a subject whose head lies beyond the scan budget still moves", F, ODOOSYNC_STORES) {
  F f;
  auto s = f.make();
  // A point of sale uploads its day newest first: 2,500 events of one subject, sequences 2500 down to 1.
  std::vector<oss::NewEvent> v;
  for (int i = 2500; i >= 1; --i) v.push_back(ev("n" + std::to_string(i), "hot", "k", oss::Lane::realtime, i));
  append_all(*s, v);
  auto b = s->claim(rq(10, 100));
  REQUIRE(b);
  REQUIRE(b.value().has_value());
  REQUIRE(b.value()->members.size() == 100);
  CHECK(b.value()->members.front().event.sequence == 1);
  CHECK(b.value()->members.back().event.sequence == 100);
}

TEST_CASE_TEMPLATE("store contract: intake order across sources, each source's sequence within it", F,
                   ODOOSYNC_STORES) {
  F f;
  auto s = f.make();
  // A till sells (sequences 1, 2), a stock take counts (no sequence), the till sells on (3); then the
  // till's sequence 5 arrives before its 4. Order: 1, 2, the count, 3, 4, 5.
  append_all(
      *s,
      {ev("sale-1", "x", "k", oss::Lane::realtime, 1, "pos/1"), ev("sale-2", "x", "k", oss::Lane::realtime, 2, "pos/1"),
       ev("count", "x", "k", oss::Lane::realtime, std::nullopt, "erp/stocktake"),
       ev("sale-3", "x", "k", oss::Lane::realtime, 3, "pos/1"), ev("sale-5", "x", "k", oss::Lane::realtime, 5, "pos/1"),
       ev("sale-4", "x", "k", oss::Lane::realtime, 4, "pos/1")});
  auto b = s->claim(rq(10));
  REQUIRE(b);
  REQUIRE(b.value().has_value());
  CHECK(ids(*b.value()) == std::vector<std::string>{"sale-1", "sale-2", "count", "sale-3", "sale-4", "sale-5"});
}

TEST_CASE_TEMPLATE("store contract: batch size, lanes and the flush interval", F, ODOOSYNC_STORES) {
  F f;
  auto s = f.make();
  std::vector<oss::NewEvent> v;
  for (int i = 0; i < 7; ++i) v.push_back(ev("e" + std::to_string(i), "s" + std::to_string(i)));
  v.push_back(ev("bulk-1", "p1", "k", oss::Lane::bulk));
  append_all(*s, v, 1000);
  auto r = rq(1001, 3);
  r.flush_before_ms = 500;  // not yet: but a full batch goes anyway
  auto b1 = s->claim(r);
  REQUIRE(b1);
  REQUIRE(b1.value().has_value());
  CHECK(b1.value()->members.size() == 3);
  CHECK(s->claim(r).value().has_value());
  auto partial = s->claim(r);  // one left: not full, too young
  REQUIRE(partial);
  CHECK_FALSE(partial.value().has_value());
  r.flush_before_ms = 1000;
  advance<F>(5);
  auto b3 = s->claim(r);
  REQUIRE(b3);
  REQUIRE(b3.value().has_value());
  CHECK(ids(*b3.value()) == std::vector<std::string>{"e6"});
  auto bulk = rq(1002);
  bulk.lane = oss::Lane::bulk;
  auto b4 = s->claim(bulk);
  REQUIRE(b4);
  REQUIRE(b4.value().has_value());
  CHECK(ids(*b4.value()) == std::vector<std::string>{"bulk-1"});
  CHECK(b4.value()->lane == oss::Lane::bulk);
}

TEST_CASE_TEMPLATE("store contract: leases, retry, resume after a crash with a probe", F, ODOOSYNC_STORES) {
  F f;
  auto s = f.make();
  append_all(*s, {ev("a", "s1"), ev("b", "s2")});
  auto b = s->claim(rq(10));
  REQUIRE(b);
  REQUIRE(b.value().has_value());
  const auto id = b.value()->id;
  const auto token = b.value()->token;
  CHECK(s->renew(id, "w1", 5000));
  auto stolen = s->renew(id, "w2", 5000);
  REQUIRE_FALSE(stolen);
  CHECK(stolen.error().kind() == os::ErrorKind::conflict);
  CHECK_FALSE(s->settle(id, "w2", settle(oss::SettleKind::applied, 11)));
  // Another worker sees nothing while the lease holds.
  auto other = s->claim(rq(20, 100, "w2"));
  REQUIRE(other);
  CHECK_FALSE(other.value().has_value());
  // A transient error: the batch stays whole, due later, and is probed (the send may have landed).
  auto retry = settle(oss::SettleKind::retry, 30, "transport/reset: connection reset");
  retry.due_ms = 100;
  retry.outcome_unknown = true;
  retry.correlation_id = "rpc-7";
  REQUIRE(s->settle(id, "w1", retry));
  CHECK_FALSE(s->claim(rq(50)).value().has_value());  // not due
  advance<F>(100);
  auto again = s->claim(rq(100, 100, "w2"));
  REQUIRE(again);
  REQUIRE(again.value().has_value());
  CHECK(again.value()->id == id);
  CHECK(again.value()->token == token);
  CHECK(again.value()->attempt == 2);
  CHECK(again.value()->probe_first);
  CHECK_FALSE(again.value()->abandoned);  // settled by its holder: not abandoned
  CHECK(ids(*again.value()) == std::vector<std::string>{"a", "b"});
  CHECK(again.value()->members[0].attempts == 2);
  CHECK(again.value()->members[0].error == "transport/reset: connection reset");
  // The holder vanishes; its lease expires; the next worker resumes the same batch and probes.
  advance<F>(1100);
  auto late = s->claim(rq(100 + 1000, 100, "w3"));
  REQUIRE(late);
  REQUIRE(late.value().has_value());
  CHECK(late.value()->id == id);
  CHECK(late.value()->attempt == 3);
  CHECK(late.value()->abandoned);  // its holder vanished mid-send
  // An exclusive worker start voids every lease at once.
  REQUIRE(s->begin_worker("w4", true, 1200));
  auto after = s->claim(rq(1201, 100, "w4"));
  REQUIRE(after);
  REQUIRE(after.value().has_value());
  CHECK(after.value()->id == id);
  CHECK(after.value()->probe_first);
  CHECK(after.value()->abandoned);
  REQUIRE(s->settle(id, "w4", settle(oss::SettleKind::applied, 1300)));
  auto corr = s->audit(oss::AuditQuery{.correlation_id = "rpc-7"});
  REQUIRE(corr);
  CHECK(corr.value().size() == 2);
  auto trail = s->audit(oss::AuditQuery{.source = "pos/1", .id = "a"});
  REQUIRE(trail);
  std::vector<std::string> actions;
  for (const auto& a : trail.value()) actions.push_back(a.action);
  CHECK(actions ==
        std::vector<std::string>{"submitted", "claimed", "retry", "resumed", "resumed", "resumed", "applied"});
  CHECK(trail.value().back().attempt == 4);
}

TEST_CASE_TEMPLATE("store contract: split, dead letters, replay and discard", F, ODOOSYNC_STORES) {
  F f;
  auto s = f.make();
  append_all(*s, {ev("good", "s1"), ev("bad", "s2"), ev("later", "s2")});
  auto b = s->claim(rq(10));
  REQUIRE(b);
  REQUIRE(b.value().has_value());
  CHECK(ids(*b.value()) == std::vector<std::string>{"good", "bad", "later"});
  REQUIRE(s->settle(b.value()->id, "w1", settle(oss::SettleKind::split, 11, "not_found: SKU-X")));
  // Each goes alone now, a subject's order kept, probed (they were sent before).
  auto one = s->claim(rq(12));
  REQUIRE(one);
  REQUIRE(one.value().has_value());
  CHECK(ids(*one.value()) == std::vector<std::string>{"good"});
  CHECK(one.value()->probe_first);
  auto two = s->claim(rq(13));
  REQUIRE(two);
  REQUIRE(two.value().has_value());
  CHECK(ids(*two.value()) == std::vector<std::string>{"bad"});
  CHECK_FALSE(s->claim(rq(14)).value().has_value());  // s2 busy; s1 done? not yet settled
  REQUIRE(s->settle(one.value()->id, "w1", settle(oss::SettleKind::applied, 15)));
  REQUIRE(
      s->settle(two.value()->id, "w1", settle(oss::SettleKind::dead, 16, "not_found: no product with SKU 'SKU-X'")));
  auto dead = s->list(oss::EventStatus::dead, 10);
  REQUIRE(dead);
  REQUIRE(dead.value().size() == 1);
  CHECK(dead.value()[0].event.id == "bad");
  CHECK(dead.value()[0].error == "not_found: no product with SKU 'SKU-X'");
  // A dead event does not block its subject.
  auto three = s->claim(rq(17));
  REQUIRE(three);
  REQUIRE(three.value().has_value());
  CHECK(ids(*three.value()) == std::vector<std::string>{"later"});
  REQUIRE(s->settle(three.value()->id, "w1", settle(oss::SettleKind::applied, 18)));

  auto not_dead = s->replay("pos/1", "good", 19);
  REQUIRE_FALSE(not_dead);
  CHECK(not_dead.error().kind() == os::ErrorKind::not_found);
  CHECK_FALSE(s->replay("pos/1", "nope", 19));
  REQUIRE(s->replay("pos/1", "bad", 20));
  auto re = s->claim(rq(21));
  REQUIRE(re);
  REQUIRE(re.value().has_value());
  CHECK(ids(*re.value()) == std::vector<std::string>{"bad"});
  CHECK(re.value()->probe_first);
  REQUIRE(s->settle(re.value()->id, "w1", settle(oss::SettleKind::dead, 22, "still unknown")));
  CHECK_FALSE(s->discard("pos/1", "bad", "", 23));
  REQUIRE(s->discard("pos/1", "bad", "SKU retired", 23));
  auto gone = s->get("pos/1", "bad");
  REQUIRE(gone);
  CHECK(gone.value()->status == oss::EventStatus::discarded);
  CHECK(gone.value()->reason == "SKU retired");
  auto st = s->status();
  REQUIRE(st);
  CHECK(st.value().lanes[0].dead == 0);
  CHECK(st.value().lanes[0].discarded == 1);
  CHECK(st.value().lanes[0].applied == 2);
  CHECK_FALSE(st.value().lanes[0].oldest_pending_ms.has_value());
  auto by_subject = s->audit(oss::AuditQuery{.subject = "s2"});
  REQUIRE(by_subject);
  CHECK(by_subject.value().back().action == "discarded");
  CHECK(by_subject.value().back().error == "SKU retired");
}

TEST_CASE_TEMPLATE("store contract: checkpoints", F, ODOOSYNC_STORES) {
  F f;
  auto s = f.make();
  auto none = s->checkpoint("stock.quant");
  REQUIRE(none);
  CHECK_FALSE(none.value().has_value());
  REQUIRE(s->set_checkpoint("stock.quant", "2026-11-22 10:05:00#12"));
  REQUIRE(s->set_checkpoint("stock.quant", "2026-11-22 10:06:00#13"));
  auto got = s->checkpoint("stock.quant");
  REQUIRE(got);
  CHECK(got.value().value() == "2026-11-22 10:06:00#13");
}

TEST_CASE_TEMPLATE("store contract: concurrent submitters and claimers lose nothing and share no subject", F,
                   ODOOSYNC_STORES) {
  F f;
  auto s = f.make();
  constexpr int threads = 4, per_thread = 200;
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto r = s->append(
            std::vector<oss::NewEvent>{ev(std::to_string(t) + "-" + std::to_string(i), "s" + std::to_string(i % 17))},
            i, no_limit);
        REQUIRE(r);
      }
    });
  }
  for (auto& t : ts) t.join();
  ts.clear();
  std::atomic<int> applied{0};
  std::mutex busy_mutex;
  std::set<std::string> busy;
  std::atomic<bool> overlap{false};
  for (int t = 0; t < 3; ++t) {
    ts.emplace_back([&, t] {
      const std::string owner = "w" + std::to_string(t);
      for (int idle = 0; idle < 50;) {
        auto b = s->claim(rq(1'000'000, 10, owner));
        REQUIRE(b);
        if (!b.value().has_value()) {
          ++idle;
          std::this_thread::yield();
          continue;
        }
        std::set<std::string> mine;
        for (const auto& m : b.value()->members) mine.insert(m.event.subject);
        {
          std::lock_guard l(busy_mutex);
          for (const auto& subj : mine)
            if (!busy.insert(subj).second) overlap = true;
        }
        {
          std::lock_guard l(busy_mutex);
          for (const auto& subj : mine) busy.erase(subj);
        }
        REQUIRE(s->settle(b.value()->id, owner, settle(oss::SettleKind::applied, 1'000'001)));
        applied += static_cast<int>(b.value()->members.size());
      }
    });
  }
  for (auto& t : ts) t.join();
  CHECK_FALSE(overlap.load());
  CHECK(applied.load() == threads * per_thread);
  auto st = s->status();
  REQUIRE(st);
  CHECK(st.value().lanes[0].applied == threads * per_thread);
}

TEST_CASE_TEMPLATE(
    "store contract: traces - each event's trace kept, the RPC behind a settlement audited, found by trace", F,
    ODOOSYNC_STORES) {
  F f;
  auto s = f.make();
  const std::string t1 = "4bf92f3577b34da6a3ce929d0e0e4736", t2 = "0af7651916cd43dd8448eb211c80319c";
  auto a = ev("a", "s1");
  a.traceparent = "00-" + t1 + "-00f067aa0ba902b7-01";
  auto b = ev("b", "s2");
  b.traceparent = "00-" + t2 + "-b7ad6b7169203331-01";
  auto c = ev("c", "s3");  // no trace of its own
  auto d = ev("d", "p1", "k", oss::Lane::bulk);
  d.traceparent = "00-" + t2 + "-1111111111111111-00";
  append_all(*s, {a, b, c, d});
  auto got = s->get("pos/1", "a");
  REQUIRE(got);
  REQUIRE(got.value().has_value());
  CHECK(got.value()->event.traceparent == a.traceparent);
  CHECK(s->get("pos/1", "c").value()->event.traceparent.empty());

  // One batch of three traces; its first send fails on an RPC of trace t1, its second applies it.
  auto batch = s->claim(rq(10));
  REQUIRE(batch);
  REQUIRE(batch.value().has_value());
  REQUIRE(ids(*batch.value()) == std::vector<std::string>{"a", "b", "c"});
  CHECK(batch.value()->members[1].event.traceparent == b.traceparent);
  const auto token = batch.value()->token;
  auto retry = settle(oss::SettleKind::retry, 11, "transport/reset: connection reset");
  retry.outcome_unknown = true;
  retry.correlation_id = token + "/1/2";
  retry.rpc = oss::RpcRef{token + "/1/2", t1, "aaaaaaaaaaaaaaaa"};
  REQUIRE(s->settle(batch.value()->id, "w1", retry));
  advance<F>(5);
  auto again = s->claim(rq(12));
  REQUIRE(again);
  REQUIRE(again.value().has_value());
  CHECK(again.value()->id == batch.value()->id);
  auto applied = settle(oss::SettleKind::applied, 13);
  applied.correlation_id = token;
  applied.rpc = oss::RpcRef{token + "/2/4", t1, "bbbbbbbbbbbbbbbb"};
  REQUIRE(s->settle(again.value()->id, "w1", applied));

  // Trace t1: "a" (its own) and "b" and "c" (carried by its RPCs), each with its whole trail.
  auto by_t1 = s->audit(oss::AuditQuery{.trace_id = t1});
  REQUIRE(by_t1);
  std::map<std::string, std::vector<std::string>> trails;
  for (const auto& e : by_t1.value()) trails[e.id].push_back(e.action);
  CHECK(trails.size() == 3);
  CHECK(trails["a"] == std::vector<std::string>{"submitted", "claimed", "retry", "resumed", "applied"});
  CHECK(trails["c"] == trails["a"]);
  for (const auto& e : by_t1.value()) {
    CHECK(e.trace_id == (e.id == "a" ? t1 : e.id == "b" ? t2 : ""));
    if (e.action == "retry") {
      CHECK(e.rpc == oss::RpcRef{token + "/1/2", t1, "aaaaaaaaaaaaaaaa"});
      CHECK(e.correlation_id == token + "/1/2");
    } else if (e.action == "applied") {
      CHECK(e.rpc == oss::RpcRef{token + "/2/4", t1, "bbbbbbbbbbbbbbbb"});
      CHECK(e.correlation_id == token);
    } else {
      CHECK(e.rpc.empty());
    }
  }
  // Trace t2: "b" (applied by an RPC of t1) and "d" (another lane, not sent yet); never "a" or "c".
  auto by_t2 = s->audit(oss::AuditQuery{.trace_id = t2});
  REQUIRE(by_t2);
  std::map<std::string, std::vector<std::string>> t2_trails;
  for (const auto& e : by_t2.value()) t2_trails[e.id].push_back(e.action);
  CHECK(t2_trails.size() == 2);
  CHECK(t2_trails["b"] == trails["a"]);
  CHECK(t2_trails["d"] == std::vector<std::string>{"submitted"});
  // With other filters, and for traces that match nothing.
  auto only_c = s->audit(oss::AuditQuery{.id = "c", .trace_id = t1});
  REQUIRE(only_c);
  CHECK(only_c.value().size() == 5);
  CHECK(s->audit(oss::AuditQuery{.trace_id = std::string(32, 'f')}).value().empty());
  CHECK(s->audit(oss::AuditQuery{.trace_id = std::string()}).value().empty());
  CHECK(s->audit(oss::AuditQuery{.trace_id = t1, .limit = 2}).value().size() == 2);

  // Dead letters, replays and discards keep the event's trace.
  auto bulk = rq(20);
  bulk.lane = oss::Lane::bulk;
  auto db = s->claim(bulk);
  REQUIRE(db);
  REQUIRE(db.value().has_value());
  auto dead = settle(oss::SettleKind::dead, 21, "validation: no");
  dead.rpc = oss::RpcRef{db.value()->token + "/1/1", t2, "cccccccccccccccc"};
  REQUIRE(s->settle(db.value()->id, "w1", dead));
  REQUIRE(s->replay("pos/1", "d", 22));
  auto trail = s->audit(oss::AuditQuery{.source = "pos/1", .id = "d"});
  REQUIRE(trail);
  REQUIRE(trail.value().size() == 4);
  for (const auto& e : trail.value()) CHECK(e.trace_id == t2);
  CHECK(trail.value()[2].action == "dead");
  CHECK(trail.value()[2].rpc.span_id == "cccccccccccccccc");
  CHECK(trail.value()[3].action == "replayed");
  CHECK(trail.value()[3].rpc.empty());
}

#ifndef ODOOSYNC_CONTRACT_POSTGRES  // SqliteStore alone, and the lifecycle table: sync_tests
namespace {

// Runs SQL on a store file directly (as the code of an older version wrote it).
void exec_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* msg = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg);
  const std::string why = msg ? msg : "";
  sqlite3_free(msg);
  sqlite3_close(db);
  REQUIRE_MESSAGE(rc == SQLITE_OK, why);
}

// A store file of schema `version`, created by this build and then written the way that version's code
// wrote it: events "a" and "b" (no sequence) in flight in batch 1, leased to w1, with their audit. Before
// version 3, has_seq held 1 for an event without a sequence. Returns the store id.
std::string old_store(const std::string& path, int version) {
  std::string id;
  {
    oss::SqliteOptions old;
    old.max_schema_version = version;
    auto s = oss::SqliteStore::open(path, old);
    REQUIRE(s);
    CHECK(s.value()->file_schema_version().value() == version);
    id = s.value()->store_id();
  }
  const std::string no_seq = version < 3 ? "1" : "0";
  const std::string token = oss::batch_token(id, 1);
  exec_sql(
      path,
      "INSERT INTO events(seq, source, id, type, subject, has_seq, sequence, lane, batch_key, body, status, "
      "attempts, submitted_ms, updated_ms, batch) VALUES "
      "(1, 'pos/1', 'a', 'retail.stock.adjusted', 's1', " +
          no_seq +
          ", 0, 0, 'k', '{\"id\":\"a\"}', 1, 1, 1000, 10, 1),"
          "(2, 'pos/1', 'b', 'retail.stock.adjusted', 's2', " +
          no_seq +
          ", 0, 0, 'k', '{\"id\":\"b\"}', 1, 1, 1000, 10, 1);"
          "INSERT INTO batches(id, token, lane, batch_key, attempt, probe_first, created_ms, open, owner, lease_until, "
          "due_ms, leased_before) VALUES (1, '" +
          token +
          "', 0, 'k', 1, 0, 10, 1, 'w1', 1010, 10, 1);"
          "INSERT INTO batch_members(batch, pos, seq) VALUES (1, 0, 1), (1, 1, 2);"
          "UPDATE lane_depth SET depth = 2 WHERE lane = 0;"
          "INSERT INTO audit(at_ms, source, id, subject, action, attempt, batch, error, correlation_id) VALUES "
          "(10, 'pos/1', 'a', 's1', 'claimed', 1, 1, '', '" +
          token +
          "'),"
          "(10, 'pos/1', 'b', 's2', 'claimed', 1, 1, '', '" +
          token + "');");
  return id;
}

}  // namespace

TEST_CASE("sqlite store: survives reopening, migrates an old schema, refuses a newer one") {
  auto dir = temp_dir();
  const auto path = (dir / "store.db").string();
  const std::string id = old_store(path, 1);
  {
    auto s = oss::SqliteStore::open(path);
    REQUIRE(s);
    CHECK(s.value()->file_schema_version().value() == oss::SqliteStore::schema_version);
    CHECK(s.value()->store_id() == id);
    auto a = s.value()->get("pos/1", "a");
    REQUIRE(a);
    REQUIRE(a.value().has_value());
    CHECK(a.value()->status == oss::EventStatus::in_flight);
    CHECK_FALSE(a.value()->event.sequence.has_value());
    REQUIRE(s.value()->begin_worker("w2", true, 20));
    auto b = s.value()->claim(rq(21, 100, "w2"));
    REQUIRE(b);
    REQUIRE(b.value().has_value());
    CHECK(b.value()->probe_first);
    CHECK(ids(*b.value()) == std::vector<std::string>{"a", "b"});
    // A second exclusive worker on the same file is refused while this one lives.
    auto other = oss::SqliteStore::open(path);
    REQUIRE(other);
    auto refused = other.value()->begin_worker("w3", true, 22);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind() == os::ErrorKind::storage);
  }
  {
    exec_sql(path, "PRAGMA user_version = 99");
    auto s = oss::SqliteStore::open(path);
    REQUIRE_FALSE(s);
    CHECK(s.error().kind() == os::ErrorKind::storage);
    CHECK(s.error().message().find("schema version 99") != std::string::npos);
  }
  auto bad = oss::SqliteStore::open((dir / "no-such-dir" / "x.db").string());
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message().find("no-such-dir") != std::string::npos);
  odoosync::testing::remove_scratch(dir);
}

TEST_CASE("sqlite store: migration 5 adds traces - old rows have none, and work on as before") {
  auto dir = temp_dir();
  const auto path = (dir / "store.db").string();
  old_store(path, 3);
  auto s = oss::SqliteStore::open(path);
  REQUIRE(s);
  auto& store = *s.value();
  CHECK(store.file_schema_version().value() == oss::SqliteStore::schema_version);
  auto a = store.get("pos/1", "a");
  REQUIRE(a);
  REQUIRE(a.value().has_value());
  CHECK(a.value()->event.traceparent.empty());
  auto trail = store.audit(oss::AuditQuery{.source = "pos/1", .id = "a"});
  REQUIRE(trail);
  REQUIRE(trail.value().size() == 2);
  CHECK(trail.value()[1].action == "claimed");
  CHECK(trail.value()[1].trace_id.empty());
  CHECK(trail.value()[1].rpc.empty());
  // The old batch goes on, and is settled with the RPC behind it; new events bring their trace.
  REQUIRE(store.begin_worker("w2", true, 20));
  auto b = store.claim(rq(21, 100, "w2"));
  REQUIRE(b);
  REQUIRE(b.value().has_value());
  const std::string t = "4bf92f3577b34da6a3ce929d0e0e4736";
  auto done = settle(oss::SettleKind::applied, 22);
  done.rpc = oss::RpcRef{b.value()->token + "/2/1", t, "00f067aa0ba902b7"};
  REQUIRE(store.settle(b.value()->id, "w2", done));
  auto traced = ev("c", "s3");
  traced.traceparent = "00-" + t + "-b7ad6b7169203331-01";
  append_all(store, {traced}, 23);
  auto by_trace = store.audit(oss::AuditQuery{.trace_id = t});
  REQUIRE(by_trace);
  std::set<std::string> found;
  for (const auto& e : by_trace.value()) found.insert(e.id);
  CHECK(found == std::set<std::string>{"a", "b", "c"});  // a and b through the RPC that applied them
  // The look-ups by trace are served by the new indexes.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "SELECT name FROM sqlite_master WHERE type = 'index' AND name IN "
                             "('events_trace', 'audit_rpc_trace') ORDER BY name",
                             -1, &st, nullptr) == SQLITE_OK);
  std::vector<std::string> indexes;
  while (sqlite3_step(st) == SQLITE_ROW)
    indexes.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  sqlite3_finalize(st);
  sqlite3_close(db);
  CHECK(indexes == std::vector<std::string>{"audit_rpc_trace", "events_trace"});
  odoosync::testing::remove_scratch(dir);
}

TEST_CASE("sqlite store: concurrent submits share commits") {
  auto dir = temp_dir();
  auto s = oss::SqliteStore::open((dir / "store.db").string());
  REQUIRE(s);
  auto& store = *s.value();
  const auto before = store.commits();
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        REQUIRE(store.append(std::vector<oss::NewEvent>{ev(std::to_string(t) + "-" + std::to_string(i), "s")}, 1,
                             no_limit));
      }
    });
  }
  for (auto& t : ts) t.join();
  CHECK(store.status().value().lanes[0].pending == 400);
  MESSAGE("400 submits from 8 threads took " << store.commits() - before << " commits");
  CHECK(store.commits() - before <= 400);
  odoosync::testing::remove_scratch(dir);
}

TEST_CASE("sqlite store: migration 3 turns has_seq right way round, sequences kept") {
  auto dir = temp_dir();
  const auto path = (dir / "store.db").string();
  {
    oss::SqliteOptions old;
    old.max_schema_version = 2;
    REQUIRE(oss::SqliteStore::open(path, old));
  }
  // What a version-2 store written by the code of that version holds: 0 when there is a sequence.
  exec_sql(path,
           "INSERT INTO events(seq, source, id, type, subject, has_seq, sequence, lane, batch_key, body, status, "
           "submitted_ms, updated_ms) VALUES "
           "(1, 'pos/1', 'with', 'retail.stock.adjusted', 's1', 0, 7, 0, 'k', '{}', 0, 1000, 1000),"
           "(2, 'pos/1', 'without', 'retail.stock.adjusted', 's2', 1, 0, 0, 'k', '{}', 0, 1000, 1000);"
           "UPDATE lane_depth SET depth = 2 WHERE lane = 0;");
  auto s = oss::SqliteStore::open(path);
  REQUIRE(s);
  CHECK(s.value()->file_schema_version().value() == oss::SqliteStore::schema_version);
  auto with = s.value()->get("pos/1", "with");
  auto without = s.value()->get("pos/1", "without");
  REQUIRE(with);
  REQUIRE(without);
  REQUIRE(with.value().has_value());
  REQUIRE(without.value().has_value());
  CHECK(with.value()->event.sequence == std::optional<std::int64_t>(7));
  CHECK_FALSE(without.value()->event.sequence.has_value());
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT id, has_seq FROM events ORDER BY seq", -1, &st, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK(sqlite3_column_int(st, 1) == 1);  // "with"
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK(sqlite3_column_int(st, 1) == 0);  // "without"
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  odoosync::testing::remove_scratch(dir);
}

TEST_CASE("lifecycle: the table has one transition per action and status, and refuses the rest") {
  using oss::EventAction;
  using oss::EventStatus;
  auto submitted = oss::transition(std::nullopt, EventAction::submitted);
  REQUIRE(submitted);
  CHECK(submitted.value().to == EventStatus::pending);
  CHECK(oss::transition(EventStatus::pending, EventAction::claimed).value().to == EventStatus::in_flight);
  CHECK(oss::transition(EventStatus::in_flight, EventAction::split).value().solo_after);
  CHECK(oss::transition(EventStatus::dead, EventAction::replayed).value().to == EventStatus::pending);
  CHECK(oss::transition(EventStatus::dead, EventAction::discarded).value().to == EventStatus::discarded);
  auto bad = oss::transition(EventStatus::applied, EventAction::replayed);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind() == odoosync::ErrorKind::conflict);
  CHECK(bad.error().message() == "event lifecycle: no transition 'replayed' from applied");
  CHECK_FALSE(oss::transition(EventStatus::pending, EventAction::applied));
  CHECK_FALSE(oss::transition(EventStatus::discarded, EventAction::discarded));
  // Every (action, from) pair appears once, and the audit names are the settle kinds' names.
  for (std::size_t i = 0; i < oss::event_transitions.size(); ++i)
    for (std::size_t j = i + 1; j < oss::event_transitions.size(); ++j)
      CHECK_FALSE((oss::event_transitions[i].action == oss::event_transitions[j].action &&
                   oss::event_transitions[i].from == oss::event_transitions[j].from));
  for (auto k : {oss::SettleKind::applied, oss::SettleKind::retry, oss::SettleKind::dead, oss::SettleKind::split})
    CHECK(oss::to_string(oss::settle_action(k)) == oss::to_string(k));
}

#endif

// Both stores write the same audit actions for the same story: claimed, retry, resumed, split, claimed,
// dead, replayed, claimed, applied.
TEST_CASE_TEMPLATE("store contract: the audit trail names the lifecycle's actions", F, ODOOSYNC_STORES) {
  F f;
  auto s = f.make();
  append_all(*s, {ev("a", "s1"), ev("b", "s2")});
  auto b = s->claim(rq(10)).value().value();
  REQUIRE(b.members.size() == 2);
  REQUIRE(s->settle(b.id, "w1", {.kind = oss::SettleKind::split, .now_ms = 11, .error = "bad"}));
  auto a1 = s->claim(rq(12)).value().value();
  REQUIRE(s->settle(a1.id, "w1", {.kind = oss::SettleKind::dead, .now_ms = 13, .error = "bad"}));
  const auto& dead_one = a1.members.front().event;
  REQUIRE(s->replay(dead_one.source, dead_one.id, 14));
  auto audit = s->audit({.source = dead_one.source, .id = dead_one.id});
  REQUIRE(audit);
  std::vector<std::string> actions;
  for (const auto& e : audit.value()) actions.push_back(e.action);
  CHECK(actions == std::vector<std::string>{"submitted", "claimed", "split", "claimed", "dead", "replayed"});
  auto st = s->get(dead_one.source, dead_one.id).value().value();
  CHECK(st.status == oss::EventStatus::pending);
  CHECK(st.solo);
  auto depth = s->depth().value();
  CHECK(depth[0] == 2);
}

TEST_CASE_TEMPLATE("store contract: queue moves since a time, newest first, with the depth and the oldest unsettled", F,
                   ODOOSYNC_STORES) {
  F f;
  auto s = f.make();
  append_all(*s, {ev("old", "p0", "k", oss::Lane::bulk)}, 500);  // before the window: no move, but a head
  append_all(*s, {ev("a", "s1"), ev("b", "s2"), ev("c", "s3")}, 10'000);
  auto ab = s->claim(rq(11'000, 2));
  REQUIRE(ab);
  REQUIRE(ab.value().has_value());
  REQUIRE(ids(*ab.value()) == std::vector<std::string>{"a", "b"});
  REQUIRE(s->settle(ab.value()->id, "w1", settle(oss::SettleKind::applied, 12'000)));
  auto c = s->claim(rq(13'000, 1));
  REQUIRE(c);
  REQUIRE(c.value().has_value());
  REQUIRE(s->settle(c.value()->id, "w1", settle(oss::SettleKind::dead, 14'000, "refused")));
  REQUIRE(s->replay("pos/1", "c", 15'000));
  const auto c_seq = s->get("pos/1", "c").value()->seq;

  auto m = s->queue_moves(9'000, 1000, 1000);
  REQUIRE_MESSAGE(m.has_value(), (m ? "" : m.error().to_string()));
  const auto& got = m.value();
  CHECK_FALSE(got.truncated);
  CHECK(got.complete_from_ms == 9'000);
  using K = oss::QueueMove::Kind;
  std::vector<std::pair<K, std::int64_t>> seen;
  for (const auto& mv : got.moves) seen.emplace_back(mv.kind, mv.at_ms);
  REQUIRE(seen.size() == 7);
  CHECK(seen[0] == std::make_pair(K::replayed, std::int64_t{15'000}));
  CHECK(seen[1] == std::make_pair(K::dead, std::int64_t{14'000}));
  CHECK(seen[2] == std::make_pair(K::applied, std::int64_t{12'000}));
  CHECK(seen[3] == std::make_pair(K::applied, std::int64_t{12'000}));
  for (std::size_t i = 4; i < 7; ++i) CHECK(seen[i] == std::make_pair(K::submitted, std::int64_t{10'000}));
  for (const auto& mv : got.moves) {
    CHECK(mv.lane == oss::Lane::realtime);
    CHECK(mv.submitted_ms == 10'000);
    if (mv.kind == K::replayed || mv.kind == K::dead) CHECK(mv.seq == c_seq);
  }
  CHECK(got.depth[0] == 1);  // c, pending again
  CHECK(got.depth[1] == 1);  // old
  REQUIRE(got.heads[0].size() == 1);
  CHECK(got.heads[0][0].seq == c_seq);
  REQUIRE(got.heads[1].size() == 1);
  CHECK(got.heads[1][0].submitted_ms == 500);

  // A limit keeps the newest and says the rest is missing, never leaving a hole after what it keeps.
  auto cut = s->queue_moves(9'000, 3, 1000);
  REQUIRE(cut);
  CHECK(cut.value().truncated);
  CHECK(cut.value().complete_from_ms == 12'001);  // a move of 12'000 was left out
  REQUIRE_FALSE(cut.value().moves.empty());
  CHECK(cut.value().moves.size() <= 3);
  CHECK(cut.value().moves.front().kind == K::replayed);
  for (const auto& mv : cut.value().moves) CHECK(mv.at_ms >= 14'000);

  // Nothing since: no move, the same depth.
  auto none = s->queue_moves(20'000, 1000, 1000);
  REQUIRE(none);
  CHECK(none.value().moves.empty());
  CHECK_FALSE(none.value().truncated);
  CHECK(none.value().depth[0] == 1);
}
