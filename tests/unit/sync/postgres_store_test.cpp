// PostgresStore beyond the shared contract (store_contract_test.cpp runs that against it too): the
// database's clock governs leases, fencing epochs, worker locks, migrations, reconnection after the
// server dropped a connection, and errors that name the server but never the password.
#include <canary.hpp>
#include <odoosync/sync/postgres_store.hpp>
#include <postgres_server.hpp>

#include <doctest/doctest.h>

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace os = odoosync;
namespace oss = odoosync::sync;
using odoosync::testing::PostgresServer;

namespace {

PostgresServer& server() {
  std::string error;
  auto* s = PostgresServer::shared(&error);
  REQUIRE_MESSAGE(s != nullptr, "the test PostgreSQL server did not start: " << error);
  return *s;
}

std::string fresh_schema() {
  static std::atomic<int> n{0};
  return "pgtest_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
}

oss::PostgresOptions options(const std::string& schema) {
  oss::PostgresOptions o;
  o.schema = schema;
  o.password = os::Secret(PostgresServer::password());
  return o;
}

std::unique_ptr<oss::PostgresStore> open_store(const std::string& schema) {
  auto s = oss::PostgresStore::open(server().url(), options(schema));
  REQUIRE_MESSAGE(s.has_value(), (s ? "" : s.error().to_string()));
  return std::move(s).value();
}

oss::NewEvent ev(std::string id, std::string subject) {
  oss::NewEvent e;
  e.source = "pos/1";
  e.id = std::move(id);
  e.type = "retail.stock.adjusted";
  e.subject = std::move(subject);
  e.batch_key = "k";
  e.body = "{}";
  return e;
}

oss::ClaimRequest rq(std::int64_t now, std::string owner, std::int64_t lease_ms = 1000) {
  oss::ClaimRequest r;
  r.owner = std::move(owner);
  r.now_ms = now;
  r.lease_ms = lease_ms;
  return r;
}

oss::Settlement applied(std::int64_t now) {
  oss::Settlement s;
  s.kind = oss::SettleKind::applied;
  s.now_ms = now;
  return s;
}

void no_canary(const std::string& text) {
  CHECK_MESSAGE(text.find(PostgresServer::password()) == std::string::npos, "the password leaked: " << text);
}

}  // namespace

TEST_CASE("postgres store: the database's clock governs leases, not the callers' now") {
  auto s = open_store(fresh_schema());
  REQUIRE(s->append(std::vector<oss::NewEvent>{ev("a", "s1")}, 1000, oss::Watermarks{0, 0}));
  auto b = s->claim(rq(1000, "w1", 1000));
  REQUIRE(b);
  REQUIRE(b.value().has_value());
  // A worker whose clock runs a day ahead does not see the lease as expired.
  auto ahead = s->claim(rq(1000 + 86'400'000, "w2"));
  REQUIRE(ahead);
  CHECK_FALSE(ahead.value().has_value());
  // A second of the database's time later, it does.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto behind = s->claim(rq(0, "w3"));  // and a clock far behind takes it all the same
  REQUIRE(behind);
  REQUIRE(behind.value().has_value());
  CHECK(behind.value()->id == b.value()->id);
  CHECK(behind.value()->abandoned);
  CHECK(behind.value()->probe_first);
  // A renewal keeps it: the lease length counts from the database's now.
  REQUIRE(s->renew(behind.value()->id, "w3", 0));
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  REQUIRE(s->renew(behind.value()->id, "w3", 0));
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  auto still = s->claim(rq(5000, "w4"));
  REQUIRE(still);
  CHECK_FALSE(still.value().has_value());  // 1.2 s after the claim, but renewed 0.6 s ago
}

TEST_CASE("postgres store: a worker whose lease was taken over cannot settle or renew (fencing epoch)") {
  const auto schema = fresh_schema();
  auto first = open_store(schema);
  auto second = open_store(schema);  // another process, with the same worker name
  REQUIRE(first->append(std::vector<oss::NewEvent>{ev("a", "s1"), ev("b", "s2")}, 1, oss::Watermarks{0, 0}));
  auto b = first->claim(rq(1, "worker"));
  REQUIRE(b);
  REQUIRE(b.value().has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the first one stalls past its lease
  auto taken = second->claim(rq(2, "worker", 60'000));
  REQUIRE(taken);
  REQUIRE(taken.value().has_value());
  CHECK(taken.value()->id == b.value()->id);
  CHECK(taken.value()->attempt == 2);
  // The stalled one wakes up: same owner name, older epoch. Neither its renewal nor its settlement lands.
  auto renewed = first->renew(b.value()->id, "worker", 0);
  REQUIRE_FALSE(renewed);
  CHECK(renewed.error().kind() == os::ErrorKind::conflict);
  auto settled = first->settle(b.value()->id, "worker", applied(3));
  REQUIRE_FALSE(settled);
  CHECK(settled.error().kind() == os::ErrorKind::conflict);
  auto a = second->get("pos/1", "a");
  REQUIRE(a);
  CHECK(a.value()->status == oss::EventStatus::in_flight);  // nothing of the stale settle landed
  REQUIRE(second->settle(b.value()->id, "worker", applied(4)));
  auto trail = second->audit({.source = "pos/1", .id = "a"});
  REQUIRE(trail);
  std::vector<std::string> actions;
  for (const auto& e : trail.value()) actions.push_back(e.action);
  CHECK(actions == std::vector<std::string>{"submitted", "claimed", "resumed", "applied"});
  CHECK(second->depth().value()[0] == 0);
}

TEST_CASE("postgres store: workers on many store objects never share a subject, and lose nothing") {
  const auto schema = fresh_schema();
  auto seed = open_store(schema);
  constexpr int events = 600;
  std::vector<oss::NewEvent> v;
  for (int i = 0; i < events; ++i) v.push_back(ev("e" + std::to_string(i), "s" + std::to_string(i % 23)));
  REQUIRE(seed->append(v, 1, oss::Watermarks{0, 0}));
  std::mutex m;
  std::map<std::string, std::string> holder;               // subject -> owner of its open batch
  std::map<std::string, std::vector<std::int64_t>> order;  // subject -> seqs as applied
  std::atomic<bool> overlap{false};
  std::atomic<int> done{0};
  std::vector<std::thread> ts;
  for (int w = 0; w < 4; ++w) {
    ts.emplace_back([&, w] {
      auto s = oss::PostgresStore::open(server().url(), options(schema));
      if (!s) return;
      const std::string owner = "w" + std::to_string(w);
      for (int idle = 0; idle < 30;) {
        oss::ClaimRequest r = rq(2, owner, 30'000);
        r.max_members = 7;
        auto b = s.value()->claim(r);
        if (!b || !b.value()) {
          ++idle;
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
          continue;
        }
        {
          std::lock_guard l(m);
          for (const auto& e : b.value()->members) {
            auto [it, fresh] = holder.emplace(e.event.subject, owner);
            if (!fresh && it->second != owner) overlap = true;
            order[e.event.subject].push_back(e.seq);
          }
        }
        {
          std::lock_guard l(m);
          for (const auto& e : b.value()->members) holder.erase(e.event.subject);
        }
        if (s.value()->settle(b.value()->id, owner, applied(3))) done += static_cast<int>(b.value()->members.size());
      }
    });
  }
  for (auto& t : ts) t.join();
  CHECK_FALSE(overlap.load());
  CHECK(done.load() == events);
  for (const auto& kv : order) CHECK_MESSAGE(std::is_sorted(kv.second.begin(), kv.second.end()), kv.first);
  auto st = seed->status();
  REQUIRE(st);
  CHECK(st.value().lanes[0].applied == events);
  CHECK(st.value().lanes[0].open_batches == 0);
}

TEST_CASE("postgres store: one exclusive worker, or many shared ones") {
  const auto schema = fresh_schema();
  auto a = open_store(schema);
  auto b = open_store(schema);
  REQUIRE(a->begin_worker("wa", false, 1));
  REQUIRE(b->begin_worker("wb", false, 1));  // shared workers coexist
  auto refused = open_store(schema)->begin_worker("wx", true, 1);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind() == os::ErrorKind::storage);
  CHECK(refused.error().message().find("127.0.0.1") != std::string::npos);
  REQUIRE(a->end_worker("wa"));
  REQUIRE(b->end_worker("wb"));
  auto x = open_store(schema);
  REQUIRE(x->begin_worker("wx", true, 1));
  auto shared = a->begin_worker("wa", false, 1);
  REQUIRE_FALSE(shared);
  CHECK(shared.error().kind() == os::ErrorKind::storage);
  REQUIRE(x->end_worker("wx"));
  CHECK(a->begin_worker("wa", false, 1));
}

TEST_CASE("postgres store: reopening keeps the store, a newer schema is refused") {
  const auto schema = fresh_schema();
  std::string id;
  {
    auto s = open_store(schema);
    id = s->store_id();
    CHECK(s->database_schema_version().value() == oss::PostgresStore::schema_version);
    REQUIRE(s->append(std::vector<oss::NewEvent>{ev("a", "s1")}, 1, oss::Watermarks{0, 0}));
  }
  {
    auto s = open_store(schema);
    CHECK(s->store_id() == id);
    CHECK(s->get("pos/1", "a").value().has_value());
  }
  REQUIRE(server().exec("UPDATE \"" + schema + "\".schema_version SET version = 99"));
  auto newer = oss::PostgresStore::open(server().url(), options(schema));
  REQUIRE_FALSE(newer);
  CHECK(newer.error().kind() == os::ErrorKind::storage);
  CHECK(newer.error().message().find("schema version 99") != std::string::npos);
  auto bad_schema = oss::PostgresStore::open(server().url(), options("no; drop"));
  REQUIRE_FALSE(bad_schema);
  CHECK(bad_schema.error().kind() == os::ErrorKind::validation);
}

TEST_CASE("postgres store: migration 3 adds traces - old rows have none, and work on as before") {
  const auto schema = fresh_schema();
  {
    auto o = options(schema);
    o.max_schema_version = 1;
    auto s = oss::PostgresStore::open(server().url(), o);
    REQUIRE_MESSAGE(s.has_value(), (s ? "" : s.error().to_string()));
    CHECK(s.value()->database_schema_version().value() == 1);
  }
  // Rows as the code of version 1 wrote them: two pending events, an audit entry.
  const std::string q = "\"" + schema + "\".";
  REQUIRE(
      server().exec("INSERT INTO " + q +
                    "events(source, id, type, subject, sequence, lane, batch_key, body, status, submitted_ms, "
                    "updated_ms) VALUES ('pos/1', 'a', 'retail.stock.adjusted', 's1', NULL, 0, 'k', '{}', 0, 1, 1), "
                    "('pos/1', 'b', 'retail.stock.adjusted', 's2', NULL, 0, 'k', '{}', 0, 1, 1)"));
  REQUIRE(server().exec("INSERT INTO " + q + "lane_depth(lane, stripe, depth) VALUES (0, 0, 2)"));
  REQUIRE(server().exec("INSERT INTO " + q +
                        "audit(at_ms, source, id, subject, action, attempt, batch, error, correlation_id) VALUES "
                        "(1, 'pos/1', 'a', 's1', 'replayed', 0, 0, '', '')"));
  auto s = open_store(schema);
  CHECK(s->database_schema_version().value() == oss::PostgresStore::schema_version);
  auto a = s->get("pos/1", "a");
  REQUIRE(a);
  REQUIRE(a.value().has_value());
  CHECK(a.value()->event.traceparent.empty());
  auto trail = s->audit(oss::AuditQuery{.source = "pos/1", .id = "a"});
  REQUIRE(trail);
  REQUIRE(trail.value().size() == 2);
  for (const auto& e : trail.value()) {
    CHECK(e.trace_id.empty());
    CHECK(e.rpc.empty());
  }
  // The old events go on, settled with the RPC behind them; new events bring their trace.
  auto b = s->claim(rq(10, "w1"));
  REQUIRE(b);
  REQUIRE(b.value().has_value());
  CHECK(b.value()->members.size() == 2);
  const std::string t = "4bf92f3577b34da6a3ce929d0e0e4736";
  auto done = applied(11);
  done.rpc = oss::RpcRef{b.value()->token + "/1/1", t, "00f067aa0ba902b7"};
  REQUIRE(s->settle(b.value()->id, "w1", done));
  auto c = ev("c", "s3");
  c.traceparent = "00-" + t + "-b7ad6b7169203331-01";
  REQUIRE(s->append(std::vector<oss::NewEvent>{c}, 12, oss::Watermarks{0, 0}));
  auto by_trace = s->audit(oss::AuditQuery{.trace_id = t});
  REQUIRE(by_trace);
  std::set<std::string> found;
  for (const auto& e : by_trace.value()) found.insert(e.id);
  CHECK(found == std::set<std::string>{"a", "b", "c"});
  CHECK(s->get("pos/1", "c").value()->event.traceparent == c.traceparent);
  // The look-ups by trace have their indexes.
  CHECK(server().exec("DO $$ BEGIN IF (SELECT count(*) FROM pg_indexes WHERE schemaname = '" + schema +
                      "' AND indexname IN ('events_trace', 'audit_rpc_trace')) <> 2 THEN RAISE EXCEPTION 'missing'; "
                      "END IF; END $$"));
}

TEST_CASE("postgres store: a connection the server dropped is replaced") {
  const auto schema = fresh_schema();
  auto s = open_store(schema);
  REQUIRE(s->set_checkpoint("x", "1"));
  REQUIRE(server().exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'odoosync' AND pid <> "
      "pg_backend_pid()"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto got = s->checkpoint("x");
  REQUIRE_MESSAGE(got.has_value(), got.error().to_string());
  CHECK(got.value() == std::optional<std::string>("1"));
}

TEST_CASE("postgres store: errors name the server, never the password") {
  const std::string pw = PostgresServer::password();
  // Wrong password, given in the options.
  {
    auto o = options(fresh_schema());
    o.password = os::Secret(pw + "-wrong");
    auto s = oss::PostgresStore::open(server().url(), o);
    REQUIRE_FALSE(s);
    CHECK(s.error().kind() == os::ErrorKind::storage);
    CHECK(s.error().message().find("127.0.0.1:" + std::to_string(server().port())) != std::string::npos);
    no_canary(s.error().to_string());
  }
  // The password in the connection string, to a port nobody listens on.
  {
    const std::string url = "postgresql://odoosync:" + pw + "@127.0.0.1:1/odoosync";
    auto o = options(fresh_schema());
    o.password.reset();
    auto s = oss::PostgresStore::open(url, o);
    REQUIRE_FALSE(s);
    CHECK(s.error().kind() == os::ErrorKind::storage);
    CHECK(s.error().message().find("127.0.0.1:1") != std::string::npos);
    no_canary(s.error().to_string());
  }
  // A malformed connection string that holds the password.
  {
    auto s = oss::PostgresStore::open("postgresql://odoosync:" + pw + "@127.0.0.1:notaport/db", options("x"));
    REQUIRE_FALSE(s);
    CHECK(s.error().kind() == os::ErrorKind::storage);
    no_canary(s.error().to_string());
  }
  // PGPASSWORD, libpq's own: the store connects with it.
  {
    ::setenv("PGPASSWORD", pw.c_str(), 1);
    auto o = options(fresh_schema());
    o.password.reset();
    auto s = oss::PostgresStore::open(server().url(), o);
    ::unsetenv("PGPASSWORD");
    REQUIRE_MESSAGE(s.has_value(), (s ? "" : s.error().to_string()));
  }
}

TEST_CASE("postgres store: texts PostgreSQL cannot hold are refused whole") {
  auto s = open_store(fresh_schema());
  auto bad = ev(std::string("a\0b", 3), "s1");
  auto r = s->append(std::vector<oss::NewEvent>{ev("ok", "s1"), bad}, 1, oss::Watermarks{0, 0});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == os::ErrorKind::validation);
  CHECK_FALSE(s->get("pos/1", "ok").value().has_value());
  // Quotes, backslashes, braces and commas travel through the array literals untouched.
  auto odd = ev("q\"u\\o{t,e}", "sub \"x\"");
  odd.body = R"({"a":"b\"c\\d"})";
  REQUIRE(s->append(std::vector<oss::NewEvent>{odd}, 1, oss::Watermarks{0, 0}));
  auto got = s->get("pos/1", "q\"u\\o{t,e}");
  REQUIRE(got);
  REQUIRE(got.value().has_value());
  CHECK(got.value()->event.subject == "sub \"x\"");
  CHECK(got.value()->event.body == R"({"a":"b\"c\\d"})");
}
