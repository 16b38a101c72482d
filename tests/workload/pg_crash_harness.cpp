// The multi-process crash harness on PostgreSQL (ctest postgres_crash_harness): three `odoosync sync run`
// processes share one PostgresStore on a PostgreSQL server of the harness's own, against the emulator,
// which injects resets after commit, 503s and serialization failures. Meanwhile the harness SIGKILLs
// random workers (and starts new ones), SIGSTOPs others for longer than their lease (their batches go to
// another worker; when they wake, their renewals and settles are fenced off), terminates the workers'
// backends with pg_terminate_backend, restarts PostgreSQL (an immediate shutdown: crash recovery), and
// holds a transaction open from start to end. Then: nothing lost, each effect once (every quant is its
// expected sum, every order exists once with its lines and is confirmed, every product has its last
// name), the dead-letter queue holds exactly the refused events, no two batches of one subject were ever
// open at once, each source's events of a subject were applied in sequence order, and more than one
// worker did the work.
//
//   pg_crash_harness --cli PATH [--seconds S] [--seed N] [--lease-s S]
#include "workload.hpp"

#include <canary.hpp>
#include <odoosync/core/json.hpp>
#include <odoosync/emulator/emulated_odoo.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/odoo/client.hpp>
#include <odoosync/sync/engine.hpp>
#include <odoosync/sync/memory_store.hpp>
#include <odoosync/sync/postgres_store.hpp>
#include <postgres_server.hpp>

#include <libpq-fe.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <thread>

extern char** environ;

using namespace odoosync;
namespace oss = odoosync::sync;
using odoo::field;
using odoosync::testing::PostgresServer;
using Steady = std::chrono::steady_clock;

namespace {

int failures = 0;
void fail(const std::string& what) {
  if (++failures <= 40) std::fprintf(stderr, "FAIL: %s\n", what.c_str());
}

std::shared_ptr<odoo::Client> make_client(const std::string& url, const std::string& db, const std::string& key) {
  odoo::Config c;
  c.url = url;
  c.database = db;
  c.login = "admin";
  c.api_key = Secret(key);
  auto t = http::CurlTransport::create({.proxy = "none"});
  if (!t) return nullptr;
  auto client = odoo::Client::create(c, t.value());
  return client ? client.value() : nullptr;
}

bool control(const std::string& url, http::Method method, const std::string& body) {
  auto t = http::CurlTransport::create({.proxy = "none"}).value();
  http::Request r;
  r.method = method;
  r.url = url + "/__emulator__/faults";
  r.body = body;
  auto resp = t->send(r);
  return resp && resp.value().status == 200;
}

pid_t spawn_worker(const std::string& cli, const std::string& store_url, double lease_s) {
  const std::vector<std::string> args{
      cli,       "--store", store_url,          "sync", "run",          "--lease", fmt::format("{}", lease_s),
      "--grace", "0",       "--realtime-batch", "20",   "--bulk-batch", "20"};
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);  // progress lines
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, cli.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

// A superuser connection of the harness's own.
struct Sql {
  PGconn* c = nullptr;
  explicit Sql(const PostgresServer& s) {
    c = PQconnectdb(fmt::format("host=127.0.0.1 port={} dbname=odoosync user=odoosync password={} "
                                "options='-c client_min_messages=warning'",
                                s.port(), PostgresServer::password())
                        .c_str());
  }
  ~Sql() { PQfinish(c); }
  bool ok() const { return PQstatus(c) == CONNECTION_OK; }
  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    std::vector<std::vector<std::string>> out;
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
      for (int i = 0; i < PQntuples(r); ++i) {
        std::vector<std::string> row;
        for (int j = 0; j < PQnfields(r); ++j) row.emplace_back(PQgetvalue(r, i, j));
        out.push_back(std::move(row));
      }
    } else if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      fail("sql: " + std::string(PQresultErrorMessage(r)) + " in " + sql.substr(0, 80));
    }
    PQclear(r);
    return out;
  }
};

}  // namespace

int main(int argc, char** argv) {
  odoosync::testing::canary_setup();
  std::string cli;
  int seconds = 45;
  std::uint64_t seed = 20261207;
  double lease_s = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--cli")
      cli = v;
    else if (k == "--seconds")
      seconds = std::stoi(v);
    else if (k == "--seed")
      seed = std::stoull(v);
    else if (k == "--lease-s")
      lease_s = std::stod(v);
  }
  if (cli.empty()) {
    std::fprintf(stderr, "usage: %s --cli PATH [--seconds S] [--seed N] [--lease-s S]\n", argv[0]);
    return 2;
  }
  const auto started = Steady::now();
  std::string error;
  auto pg = PostgresServer::start(&error);
  if (!pg) {
    std::fprintf(stderr, "FAIL: the test PostgreSQL server did not start: %s\n", error.c_str());
    return 1;
  }
  const std::string store_url = pg->url();
  ::setenv("PGPASSWORD", PostgresServer::password().c_str(), 1);  // the workers' password: libpq's own

  workload::Spec spec;
  spec.seed = seed;
  spec.stock_events = 1500;
  spec.orders = 150;
  spec.product_upserts = 150;
  auto w = workload::generate(spec);

  auto emulated = EmulatedOdoo::start({.odoo_version = 18,
                                       .extra_products = static_cast<std::size_t>(spec.skus),
                                       .seed = seed,
                                       .data_dir = ODOOSYNC_EMULATOR_DATA_DIR});
  if (!emulated) {
    std::fprintf(stderr, "FAIL: the emulator did not start: %s\n", emulated.error().to_string().c_str());
    return 1;
  }
  const auto server = std::move(emulated).value();
  const std::string url = server->url(), db = server->database(), key = server->api_key();
  ::setenv("ODOO_URL", url.c_str(), 1);
  ::setenv("ODOO_DB", db.c_str(), 1);
  ::setenv("ODOO_USER", "admin", 1);
  ::setenv("ODOO_API_KEY", key.c_str(), 1);
  auto client = make_client(url, db, key);
  if (!client) {
    std::fprintf(stderr, "FAIL: no client\n");
    return 1;
  }
  {  // the walk-in customer and the opening counts, before the day
    oss::MemoryStore seed_store;
    auto seeder = oss::Engine::create(seed_store, *client, oss::EngineOptions{}).value();
    for (const auto& l : w.seed) (void)seeder->submit_json(l);
    if (!seeder->run_until_idle().value().idle) fail("seeding");
  }
  // The day, submitted to the shared store.
  {
    oss::PostgresOptions o;
    o.password = Secret(PostgresServer::password());
    auto store = oss::PostgresStore::open(store_url, o);
    if (!store) {
      std::fprintf(stderr, "FAIL: %s\n", store.error().to_string().c_str());
      return 1;
    }
    auto intake = oss::Engine::create_intake(*store.value()).value();
    std::vector<retail::Event> chunk;
    for (const auto& l : w.lines) {
      auto e = retail::decode_event(l);
      if (!e) continue;
      chunk.push_back(std::move(e).value());
      if (chunk.size() == 500) {
        if (!intake->submit_many(chunk)) fail("submitting");
        chunk.clear();
      }
    }
    if (!chunk.empty() && !intake->submit_many(chunk)) fail("submitting");
  }
  std::printf("pg crash harness: %zu valid events (%zu to refuse), 3 workers, lease %.1f s, PostgreSQL on port %d\n",
              w.valid_events, w.dead.size(), lease_s, pg->port());
  std::fflush(stdout);

  for (const char* f : {R"({"kind": "reset_after", "times": 0, "probability": 0.02})",
                        R"({"kind": "http_503", "times": 0, "probability": 0.01, "retry_after_s": 0})",
                        R"({"kind": "serialization_failure", "times": 0, "probability": 0.02})"}) {
    if (!control(url, http::Method::post, f)) fail(std::string("injecting ") + f);
  }

  // An old transaction, held from start to end: its snapshot keeps every dead row version alive.
  auto old = std::make_unique<Sql>(*pg);
  if (!old->ok()) fail("the old transaction's connection");
  old->rows("BEGIN ISOLATION LEVEL REPEATABLE READ");
  old->rows("SELECT txid_current(), count(*) FROM odoosync.events");

  std::vector<pid_t> workers;
  for (int i = 0; i < 3; ++i) workers.push_back(spawn_worker(cli, store_url, lease_s));
  std::mt19937_64 rng(seed);
  int kills = 0, stops = 0, terminations = 0, restarts = 0;
  std::set<std::string> owners;
  const auto chaos_end = Steady::now() + std::chrono::seconds(seconds);
  const auto restart_at = Steady::now() + std::chrono::seconds(seconds / 3);
  bool restarted = false;
  auto unsettled = [&]() -> long {
    Sql s(*pg);
    if (!s.ok()) return -1;
    auto r = s.rows("SELECT count(*) FROM odoosync.events WHERE status IN (0, 1)");
    return r.empty() ? -1 : std::stol(r[0][0]);
  };
  while (Steady::now() < chaos_end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(300, 1200)(rng)));
    {
      Sql s(*pg);
      if (s.ok())
        for (const auto& r : s.rows("SELECT DISTINCT owner FROM odoosync.batches WHERE owner <> ''"))
          owners.insert(r[0].substr(0, r[0].find('/')));  // the engine's id: one per process
    }
    if (!restarted && Steady::now() >= restart_at) {
      restarted = true;
      std::string e;
      if (!pg->restart(&e)) {
        fail("restarting PostgreSQL: " + e);
        break;
      }
      ++restarts;
      // The old transaction died with the server: hold a new one.
      old = std::make_unique<Sql>(*pg);
      old->rows("BEGIN ISOLATION LEVEL REPEATABLE READ");
      old->rows("SELECT txid_current(), count(*) FROM odoosync.events");
      continue;
    }
    const int action = std::uniform_int_distribution<int>(0, 2)(rng);
    const std::size_t victim = std::uniform_int_distribution<std::size_t>(0, workers.size() - 1)(rng);
    if (action == 0) {
      ::kill(workers[victim], SIGKILL);
      int st = 0;
      ::waitpid(workers[victim], &st, 0);
      workers[victim] = spawn_worker(cli, store_url, lease_s);
      ++kills;
    } else if (action == 1) {
      // Stalled past its lease: another worker takes its batches; when it wakes, it is fenced off.
      ::kill(workers[victim], SIGSTOP);
      std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(lease_s * 1000) + 1500));
      ::kill(workers[victim], SIGCONT);
      ++stops;
    } else {
      pg->exec(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'odoosync' "
          "AND random() < 0.5");
      ++terminations;
    }
    int st = 0;
    for (auto& p : workers) {
      if (::waitpid(p, &st, WNOHANG) == p) {
        fail("a worker exited on its own (status " + std::to_string(st) + ")");
        p = spawn_worker(cli, store_url, lease_s);
      }
    }
  }
  // Calm: the workers finish the day (faults stay on).
  const auto drain_end = Steady::now() + std::chrono::seconds(150);
  long left = -1;
  while (Steady::now() < drain_end) {
    left = unsettled();
    if (left == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  for (auto p : workers) ::kill(p, SIGTERM);
  for (auto p : workers) {
    int st = 0;
    ::waitpid(p, &st, 0);
  }
  control(url, http::Method::del, "");
  old->rows("COMMIT");
  if (left != 0) fail(std::to_string(left) + " events were never settled");

  // The store: nothing lost, exactly the refused ones dead.
  oss::PostgresOptions o;
  o.password = Secret(PostgresServer::password());
  auto store = oss::PostgresStore::open(store_url, o).value();
  auto st = store->status().value();
  std::uint64_t applied = 0, dead = 0;
  for (const auto& l : st.lanes) applied += l.applied, dead += l.dead;
  if (applied + dead != w.valid_events)
    fail(fmt::format("the store holds {} settled events, expected {}", applied + dead, w.valid_events));
  std::set<std::string> dead_keys;
  const auto dead_events = store->list(oss::EventStatus::dead, 100'000).value();  // not a temporary's member
  for (const auto& e : dead_events) {
    dead_keys.insert(e.event.source + " " + e.event.id);
    if (!w.dead.count(e.event.source + " " + e.event.id))
      fail("dead but valid: " + e.event.source + " " + e.event.id + ": " + e.error);
  }
  for (const auto& d : w.dead)
    if (!dead_keys.count(d)) fail("should be dead: " + d);

  // Order: no two open batches of one subject at once, and each source's sequences applied in order.
  Sql s(*pg);
  int overlaps = 0, out_of_order = 0;
  {
    std::map<std::string, std::string> open;  // subject -> batch
    for (const auto& r : s.rows("SELECT subject, action, batch FROM odoosync.audit ORDER BY n")) {
      const auto& subject = r[0];
      const auto& action = r[1];
      if (action == "claimed") {
        auto [it, fresh] = open.emplace(subject, r[2]);
        if (!fresh && it->second != r[2]) {
          if (++overlaps <= 5)
            fail("subject " + subject + ": batch " + r[2] + " claimed while " + it->second + " open");
          it->second = r[2];
        }
      } else if (action == "applied" || action == "dead" || action == "split") {
        auto it = open.find(subject);
        if (it != open.end() && it->second == r[2]) open.erase(it);
      }
    }
    std::map<std::string, long> last;  // subject|source -> last applied sequence
    for (const auto& r :
         s.rows("SELECT a.subject, a.source, e.sequence FROM odoosync.audit a JOIN odoosync.events e "
                "USING (source, id) WHERE a.action = 'applied' AND e.sequence IS NOT NULL ORDER BY a.n")) {
      const long seq = std::stol(r[2]);
      auto& l = last[r[0] + "|" + r[1]];
      if (seq < l && ++out_of_order <= 5)
        fail("subject " + r[0] + ": " + r[1] + "'s sequence " + r[2] + " applied after " + std::to_string(l));
      l = std::max(l, seq);
    }
  }
  long resumed = 0;
  for (const auto& r : s.rows("SELECT count(*) FROM odoosync.audit WHERE action = 'resumed'"))
    resumed = std::stol(r[0]);
  if (resumed == 0) fail("no batch was ever resumed: the kills and stops caught nothing in flight");
  if (owners.size() < 3) fail("only " + std::to_string(owners.size()) + " workers were ever seen holding batches");

  // Odoo: quants, orders, products.
  std::map<std::int64_t, std::string> code_of;
  if (auto rows =
          client->search_read("product.product", field("default_code").like("EMU-"), {"default_code", "name"})) {
    for (const auto& r : rows.value().GetArray()) {
      const std::string code = r["default_code"].GetString();
      code_of[r["id"].GetInt64()] = code;
      auto it = w.product_names.find(code);
      if (it != w.product_names.end() && it->second != r["name"].GetString())
        fail("product " + code + " is named '" + r["name"].GetString() + "', expected '" + it->second + "'");
    }
  } else {
    fail("reading products");
  }
  std::map<std::string, double> quant;
  for (const auto& loc : spec.locations) {
    auto rows =
        client->search_read("stock.quant", field("location_id.complete_name") == loc, {"product_id", "quantity"});
    if (!rows) {
      fail("reading quants");
      continue;
    }
    for (const auto& r : rows.value().GetArray()) {
      const auto it = code_of.find(r["product_id"][0].GetInt64());
      if (it != code_of.end()) quant[it->second + "@" + loc] += r["quantity"].GetDouble();
    }
  }
  for (const auto& [k, sum] : w.stock_final)
    if (quant[k] != static_cast<double>(sum)) fail(fmt::format("quant {} is {}, expected {}", k, quant[k], sum));
  int duplicated = 0;
  std::map<std::string, int> seen;
  if (auto rows = client->search_read("sale.order", field("client_order_ref").like("WEB-"),
                                      {"client_order_ref", "order_line", "state"})) {
    for (const auto& r : rows.value().GetArray()) {
      const std::string ref = r["client_order_ref"].GetString();
      if (++seen[ref] > 1) {
        ++duplicated;
        fail("DUPLICATE order " + ref);
        continue;
      }
      auto it = w.order_lines.find(ref);
      if (it == w.order_lines.end()) {
        fail("unexpected order " + ref);
        continue;
      }
      if (static_cast<int>(r["order_line"].Size()) != it->second) fail("order " + ref + " has the wrong lines");
      if (std::string(r["state"].GetString()) != "sale")
        fail("order " + ref + " is in state " + r["state"].GetString());
    }
  } else {
    fail("reading orders");
  }
  for (const auto& [number, lines] : w.order_lines)
    if (!seen.count(number)) fail("order " + number + " is missing");

  const double secs = std::chrono::duration<double>(Steady::now() - started).count();
  std::printf(
      "pg crash harness: %d kills, %d stops past the lease, %d backend terminations, %d PostgreSQL restarts, an old "
      "transaction held open; %zu workers seen holding batches, %ld resumed batch members, %llu applied, %llu dead, "
      "%zu quants and %zu orders checked, %d duplicated orders, %d overlapping subject batches, %d out of sequence, "
      "%.1f s: %s\n",
      kills, stops, terminations, restarts, owners.size(), resumed, static_cast<unsigned long long>(applied),
      static_cast<unsigned long long>(dead), w.stock_final.size(), w.order_lines.size(), duplicated, overlaps,
      out_of_order, secs, failures == 0 ? "PASS" : "FAIL");
  return failures == 0 ? 0 : 1;
}
