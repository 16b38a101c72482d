// The push outbox's contract (sync/outbox.hpp, docs/push.md), run against every store: MemoryStore and
// SqliteStore in sync_tests, PostgresStore in postgres_tests (built from this file with
// ODOOSYNC_CONTRACT_POSTGRES, on the server the tests start).
#include <canary.hpp>
#include <odoosync/sync/memory_store.hpp>
#include <odoosync/sync/sqlite_store.hpp>

#include <doctest/doctest.h>

#ifdef ODOOSYNC_CONTRACT_POSTGRES
#include <odoosync/sync/postgres_store.hpp>
#include <postgres_server.hpp>
#endif

#include <atomic>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

namespace os = odoosync;
namespace oss = odoosync::sync;
namespace fs = std::filesystem;

namespace {

#ifndef ODOOSYNC_CONTRACT_POSTGRES
struct MemoryOutbox {
  std::unique_ptr<oss::Store> make() { return std::make_unique<oss::MemoryStore>(); }
};
struct SqliteOutbox {
  fs::path dir = [] {
    static std::atomic<int> n{0};
    auto d = fs::temp_directory_path() / ("odoosync-outbox-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    odoosync::testing::remove_scratch(d);
    fs::create_directories(d);
    return d;
  }();
  ~SqliteOutbox() { odoosync::testing::remove_scratch(dir); }
  std::unique_ptr<oss::Store> make() {
    auto s = oss::SqliteStore::open((dir / "store.db").string());
    REQUIRE_MESSAGE(s.has_value(), (s ? "" : s.error().to_string()));
    return std::move(s).value();
  }
};
#define ODOOSYNC_OUTBOX_STORES MemoryOutbox, SqliteOutbox
#else
struct PostgresOutbox {
  static constexpr bool database_clock = true;
  std::string schema = "outbox_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++);
  std::string error;
  static std::atomic<int>& counter() {
    static std::atomic<int> n{0};
    return n;
  }
  ~PostgresOutbox() {
    if (auto* server = odoosync::testing::PostgresServer::shared(&error))
      server->exec("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
  }
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
#define ODOOSYNC_OUTBOX_STORES PostgresOutbox
#endif

// Lets `ms` pass for a store that judges due times and leases by its own clock (PostgreSQL's).
template <class F>
void advance(std::int64_t ms) {
  if constexpr (requires { F::database_clock; }) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

oss::OutboxChange change(std::string key, std::string value, std::int64_t t, std::int64_t id, std::string part = "",
                         std::string kind = "stock", std::string channel = "shop") {
  return oss::OutboxChange{std::move(channel), std::move(kind),  std::move(key),
                           std::move(part),    std::move(value), oss::OutboxSequence{t, id}};
}

std::size_t upsert(oss::Store& s, std::vector<oss::OutboxChange> changes, std::int64_t now = 1000) {
  auto r = s.outbox_upsert(changes, now);
  REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().to_string()));
  return r.value();
}

std::vector<oss::OutboxItem> claim(oss::Store& s, std::int64_t now, std::string owner = "w1",
                                   std::int64_t lease = 60'000, std::string kind = "stock", std::size_t max = 100) {
  oss::OutboxClaim c;
  c.channel = "shop";
  c.kind = std::move(kind);
  c.owner = std::move(owner);
  c.now_ms = now;
  c.lease_ms = lease;
  c.max_items = max;
  auto r = s.outbox_claim(c);
  REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().to_string()));
  return std::move(r).value();
}

oss::OutboxSettle settled(const oss::OutboxItem& it, oss::OutboxStatus status, std::optional<std::string> pushed = {},
                          std::optional<std::string> channel_value = {}) {
  oss::OutboxSettle s;
  s.key = it.key;
  s.epoch = it.epoch;
  s.version = it.version;
  s.status = status;
  s.pushed = std::move(pushed);
  s.channel_value = std::move(channel_value);
  return s;
}

std::vector<bool> settle(oss::Store& s, std::string_view owner, std::int64_t now, std::vector<oss::OutboxSettle> v,
                         std::string kind = "stock") {
  auto r = s.outbox_settle("shop", kind, owner, now, v);
  REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().to_string()));
  return r.value();
}

oss::OutboxItem get(oss::Store& s, std::string key, std::string kind = "stock") {
  auto r = s.outbox_get("shop", kind, key);
  REQUIRE(r.has_value());
  REQUIRE(r.value().has_value());
  return *r.value();
}

}  // namespace

TEST_CASE_TEMPLATE("outbox contract: changes of one item coalesce, the newest value kept", F, ODOOSYNC_OUTBOX_STORES) {
  F f;
  auto store = f.make();
  auto& s = *store;
  CHECK(upsert(s, {change("A@1", "5", 100, 1), change("A@1", "4", 100, 2), change("A@1", "3", 200, 1),
                   change("B@1", "9", 100, 3)}) == 2);
  auto a = get(s, "A@1");
  REQUIRE(a.parts.size() == 1);
  CHECK(a.parts[0].value == "3");
  CHECK(a.parts[0].sequence == oss::OutboxSequence{200, 1});
  CHECK(a.sequence == oss::OutboxSequence{200, 1});
  CHECK(a.status == oss::OutboxStatus::pending);
  CHECK_FALSE(a.pushed.has_value());
  // One claim gives each item once, with its newest value.
  auto items = claim(s, 2000);
  REQUIRE(items.size() == 2);
  for (const auto& it : items) CHECK(it.epoch > 0);
  // The same change again, or an older one, changes nothing.
  CHECK(upsert(s, {change("A@1", "3", 200, 1)}) == 0);
  CHECK(upsert(s, {change("A@1", "7", 150, 9)}) == 0);
  CHECK(upsert(s, {change("A@1", "8", 200, 0)}) == 0);  // same time, lower record id: older
  CHECK(get(s, "A@1").parts[0].value == "3");
  CHECK(get(s, "A@1").version == a.version);
  // A newer one is taken; the same sequence with a new value too (read again later).
  CHECK(upsert(s, {change("A@1", "6", 200, 1)}) == 1);
  CHECK(get(s, "A@1").parts[0].value == "6");
  CHECK(get(s, "A@1").version > a.version);
}

TEST_CASE_TEMPLATE("outbox contract: parts keep their own newest value", F, ODOOSYNC_OUTBOX_STORES) {
  F f;
  auto store = f.make();
  auto& s = *store;
  upsert(s, {change("A@1", "10", 100, 1, "WH/Stock"), change("A@1", "2", 300, 5, "WH/Stock/Shelf 1")});
  upsert(s, {change("A@1", "7", 200, 1, "WH/Stock"), change("A@1", "1", 250, 5, "WH/Stock/Shelf 1")});
  auto a = get(s, "A@1");
  REQUIRE(a.parts.size() == 2);
  CHECK(a.parts[0].part == "WH/Stock");
  CHECK(a.parts[0].value == "7");
  CHECK(a.parts[1].part == "WH/Stock/Shelf 1");
  CHECK(a.parts[1].value == "2");  // 250 is older than 300: refused
  CHECK(a.sequence == oss::OutboxSequence{300, 5});
}

TEST_CASE_TEMPLATE("outbox contract: settle records what was pushed, a newer change stays pending", F,
                   ODOOSYNC_OUTBOX_STORES) {
  F f;
  auto store = f.make();
  auto& s = *store;
  upsert(s, {change("A@1", "5", 100, 1), change("B@1", "6", 100, 2)});
  auto items = claim(s, 2000);
  REQUIRE(items.size() == 2);
  // Claimed items are not claimed again while leased.
  CHECK(claim(s, 2001, "w2").empty());
  // B changes while it is being pushed.
  upsert(s, {change("B@1", "4", 300, 2)}, 2100);
  auto done = settle(
      s, "w1", 2200,
      {settled(items[0], oss::OutboxStatus::pushed, "5", "5"), settled(items[1], oss::OutboxStatus::pushed, "6", "6")});
  CHECK(done == std::vector<bool>{true, true});
  auto a = get(s, "A@1");
  CHECK(a.status == oss::OutboxStatus::pushed);
  CHECK(a.pushed == std::optional<std::string>("5"));
  CHECK(a.channel_value == std::optional<std::string>("5"));
  auto b = get(s, "B@1");
  CHECK(b.status == oss::OutboxStatus::pending);  // its newer value is still to push
  CHECK(b.channel_value == std::optional<std::string>("6"));
  auto again = claim(s, 2300, "w2");
  REQUIRE(again.size() == 1);
  CHECK(again[0].key == "B@1");
  CHECK(again[0].parts[0].value == "4");
  CHECK(again[0].channel_value == std::optional<std::string>("6"));
  // A change of a pushed item makes it pending again, due now.
  settle(s, "w2", 2400, {settled(again[0], oss::OutboxStatus::pushed, "4", "4")});
  upsert(s, {change("A@1", "2", 500, 1)}, 2500);
  CHECK(get(s, "A@1").status == oss::OutboxStatus::pending);
  auto third = claim(s, 2600);
  REQUIRE(third.size() == 1);
  CHECK(third[0].key == "A@1");
  CHECK(third[0].pushed == std::optional<std::string>("5"));
}

TEST_CASE_TEMPLATE("outbox contract: a lease taken over fences the old holder", F, ODOOSYNC_OUTBOX_STORES) {
  F f;
  auto store = f.make();
  auto& s = *store;
  upsert(s, {change("A@1", "5", 100, 1)});
  auto first = claim(s, 1000, "w1", 200);
  REQUIRE(first.size() == 1);
  CHECK(claim(s, 1100, "w2", 200).empty());
  advance<F>(400);
  auto second = claim(s, 1400, "w2", 60'000);
  REQUIRE(second.size() == 1);
  CHECK(second[0].epoch > first[0].epoch);
  // The first holder's writes are refused, and change nothing.
  std::vector<oss::OutboxSend> sends{{"A@1", first[0].epoch, "5"}};
  auto sent = s.outbox_mark_sent("shop", "stock", "w1", sends);
  REQUIRE(sent);
  CHECK(sent.value() == std::vector<bool>{false});
  CHECK(settle(s, "w1", 1500, {settled(first[0], oss::OutboxStatus::dead)}) == std::vector<bool>{false});
  CHECK(get(s, "A@1").status == oss::OutboxStatus::pending);
  // Even the same owner with the old epoch (a worker that lost its lease and claimed again).
  CHECK(settle(s, "w2", 1500, {settled(first[0], oss::OutboxStatus::pushed)}) == std::vector<bool>{false});
  CHECK(settle(s, "w2", 1500, {settled(second[0], oss::OutboxStatus::pushed, "5", "5")}) == std::vector<bool>{true});
  CHECK(get(s, "A@1").status == oss::OutboxStatus::pushed);
}

TEST_CASE_TEMPLATE("outbox contract: retry schedule, written-ahead sends, dead letters and replay", F,
                   ODOOSYNC_OUTBOX_STORES) {
  F f;
  auto store = f.make();
  auto& s = *store;
  upsert(s, {change("A@1", "5", 100, 1), change("B@1", "6", 100, 2)});
  auto items = claim(s, 1000);
  REQUIRE(items.size() == 2);
  std::vector<oss::OutboxSend> sends{{"A@1", items[0].epoch, "5"}, {"B@1", items[1].epoch, "6"}};
  auto sent = s.outbox_mark_sent("shop", "stock", "w1", sends);
  REQUIRE(sent);
  CHECK(sent.value() == std::vector<bool>{true, true});
  auto retry = settled(items[0], oss::OutboxStatus::pending);
  retry.due_ms = 1000 + 500;
  retry.error = "HTTP 503";
  retry.outcome_unknown = true;
  auto dead = settled(items[1], oss::OutboxStatus::dead);
  dead.error = "price must be positive";
  CHECK(settle(s, "w1", 1000, {retry, dead}) == std::vector<bool>{true, true});
  auto a = get(s, "A@1");
  CHECK(a.status == oss::OutboxStatus::pending);
  CHECK(a.attempts == 1);
  CHECK(a.error == "HTTP 503");
  CHECK(a.sent == std::optional<std::string>("5"));  // its outcome is not known: kept
  CHECK(get(s, "B@1").sent == std::nullopt);
  CHECK(claim(s, 1100).empty());  // not due yet
  advance<F>(600);
  auto later = claim(s, 1600);
  REQUIRE(later.size() == 1);
  CHECK(later[0].sent == std::optional<std::string>("5"));
  CHECK(settle(s, "w1", 1700, {settled(later[0], oss::OutboxStatus::pushed, "5", "5")}) == std::vector<bool>{true});
  CHECK(get(s, "A@1").sent == std::nullopt);
  CHECK(get(s, "A@1").attempts == 0);

  // The dead letter: listed, counted, replayed once.
  oss::OutboxQuery q;
  q.channel = "shop";
  auto dl = s.outbox_list(q);
  REQUIRE(dl);
  REQUIRE(dl.value().size() == 1);
  CHECK(dl.value()[0].key == "B@1");
  CHECK(dl.value()[0].error == "price must be positive");
  REQUIRE(dl.value()[0].parts.size() == 1);
  auto st = s.outbox_status("shop");
  REQUIRE(st);
  CHECK(st.value().at("stock").dead == 1);
  CHECK(st.value().at("stock").pending == 0);
  auto not_dead = s.outbox_replay("shop", "stock", "A@1", 1800);
  REQUIRE_FALSE(not_dead);
  CHECK(not_dead.error().kind() == os::ErrorKind::not_found);
  auto missing = s.outbox_replay("shop", "stock", "nope", 1800);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind() == os::ErrorKind::not_found);
  REQUIRE(s.outbox_replay("shop", "stock", "B@1", 1800));
  CHECK(get(s, "B@1").status == oss::OutboxStatus::pending);
  CHECK(get(s, "B@1").attempts == 0);
  auto st2 = s.outbox_status("shop");
  REQUIRE(st2);
  CHECK(st2.value().at("stock").pending == 1);
  CHECK(st2.value().at("stock").oldest_pending_ms == std::optional<std::int64_t>(1800));
  auto replayed = claim(s, 1900);
  REQUIRE(replayed.size() == 1);
  CHECK(replayed[0].key == "B@1");
}

TEST_CASE_TEMPLATE("outbox contract: a new value revives a dead or not-listed item", F, ODOOSYNC_OUTBOX_STORES) {
  F f;
  auto store = f.make();
  auto& s = *store;
  upsert(s, {change("A@1", "5", 100, 1), change("B@1", "6", 100, 2)});
  auto items = claim(s, 1000);
  REQUIRE(items.size() == 2);
  auto dead = settled(items[0], oss::OutboxStatus::dead);
  dead.error = "refused";
  settle(s, "w1", 1000, {dead, settled(items[1], oss::OutboxStatus::not_listed, "6")});
  oss::OutboxQuery q;
  q.channel = "shop";
  q.status = oss::OutboxStatus::not_listed;
  auto nl = s.outbox_list(q);
  REQUIRE(nl);
  REQUIRE(nl.value().size() == 1);
  CHECK(nl.value()[0].key == "B@1");
  upsert(s, {change("A@1", "4", 200, 1), change("B@1", "7", 200, 2)}, 1100);
  CHECK(get(s, "A@1").status == oss::OutboxStatus::pending);
  CHECK(get(s, "A@1").error.empty());
  CHECK(get(s, "B@1").status == oss::OutboxStatus::pending);
  CHECK(claim(s, 1200).size() == 2);
  // Kinds and channels are apart.
  upsert(s, {change("SKU", "9.99 EUR", 100, 1, "", "price"), change("SKU", "1.00 EUR", 100, 1, "", "price", "other")});
  auto prices = claim(s, 1300, "w1", 60'000, "price");
  REQUIRE(prices.size() == 1);
  CHECK(prices[0].parts[0].value == "9.99 EUR");
}

TEST_CASE_TEMPLATE("outbox contract: claims are bounded and oldest due first", F, ODOOSYNC_OUTBOX_STORES) {
  F f;
  auto store = f.make();
  auto& s = *store;
  std::vector<oss::OutboxChange> many;
  for (int i = 0; i < 30; ++i) many.push_back(change("S" + std::to_string(100 + i), "1", 100, i));
  upsert(s, many);
  auto first = claim(s, 2000, "w1", 60'000, "stock", 10);
  CHECK(first.size() == 10);
  auto second = claim(s, 2000, "w2", 60'000, "stock", 100);
  CHECK(second.size() == 20);
  std::set<std::string> keys;
  for (const auto& it : first) keys.insert(it.key);
  for (const auto& it : second) keys.insert(it.key);
  CHECK(keys.size() == 30);
}

TEST_CASE_TEMPLATE("outbox contract: two writers never put an older value over a newer one", F,
                   ODOOSYNC_OUTBOX_STORES) {
  F f;
  auto store = f.make();
  auto& s = *store;
  // Two writers hand the same items' changes, interleaved and in opposite orders; pages of 8 changes.
  constexpr int items = 12, versions = 40;
  auto writer = [&](bool reverse) {
    for (int v0 = 0; v0 < versions; ++v0) {
      const int v = reverse ? versions - 1 - v0 : v0;
      std::vector<oss::OutboxChange> page;
      for (int i = 0; i < items; ++i) {
        page.push_back(change("K" + std::to_string(i), std::to_string(v), 1000 + v, 7, "P" + std::to_string(i % 2)));
      }
      auto r = s.outbox_upsert(page, 5000);
      if (!r) FAIL_CHECK(r.error().to_string());
    }
  };
  std::thread a(writer, false), b(writer, true);
  a.join();
  b.join();
  for (int i = 0; i < items; ++i) {
    auto it = get(s, "K" + std::to_string(i));
    REQUIRE(it.parts.size() == 1);
    CHECK(it.parts[0].value == std::to_string(versions - 1));
    CHECK(it.sequence == oss::OutboxSequence{1000 + versions - 1, 7});
  }
}
