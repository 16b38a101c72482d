// PostgresStore's figures, side by side in one run (docs/benchmarks.md, "PostgreSQL store"):
//   1. durable intake, events/s: one event per call and 500 per call (and one per call from 8 threads),
//      PostgresStore vs SqliteStore vs raw PostgreSQL inserts of the same rows (one unique index on
//      (source, id), prepared statements, one transaction per call);
//   2. claim latency p50/p99 (a claim of up to 100 and its settle), idle, loaded (two threads submitting
//      and two more workers claiming meanwhile), and loaded with a transaction held open all along;
//   3. end-to-end events/s against the emulator (in this process): 1, 2 and 4 `odoosync sync run
//      --until-idle` processes on one PostgresStore, and one on a SqliteStore, the same day each time.
// The server is started by the program (tests/support/postgres_server.hpp) with fsync on, in $TMPDIR.
//
//   build/release/tests/bench/bench_postgres [--quick] [--section 1|2|3]
#include "workload.hpp"

#include <odoosync/emulator/emulated_odoo.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/odoo/client.hpp>
#include <odoosync/sync/engine.hpp>
#include <odoosync/sync/memory_store.hpp>
#include <odoosync/sync/postgres_store.hpp>
#include <odoosync/sync/sqlite_store.hpp>
#include <postgres_server.hpp>

#include <libpq-fe.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace fs = std::filesystem;
namespace oss = odoosync::sync;
using namespace odoosync;
using odoosync::testing::PostgresServer;
using Steady = std::chrono::steady_clock;

namespace {

double since(Steady::time_point t) { return std::chrono::duration<double>(Steady::now() - t).count(); }

std::vector<retail::Event> stock_events(std::size_t n, const std::string& prefix, int skus = 300) {
  std::vector<retail::Event> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string sku = workload::sku_name(static_cast<int>(i % static_cast<std::size_t>(skus)) + 1);
    out.push_back(retail::decode_event(R"({"specversion":"1.0","id":")" + prefix + std::to_string(i) +
                                       R"(","source":"pos/store-1","type":"retail.stock.adjusted","time":)"
                                       R"("2026-12-01T10:15:00Z","data":{"sku":")" +
                                       sku + R"(","location":"WH/Stock","delta":{"value":"-1","uom":"Units"}}})")
                      .value());
  }
  return out;
}

std::unique_ptr<oss::PostgresStore> pg_store(const PostgresServer& s, const std::string& schema) {
  oss::PostgresOptions o;
  o.schema = schema;
  o.password = Secret(PostgresServer::password());
  o.connections = 8;
  auto r = oss::PostgresStore::open(s.url(), o);
  if (!r) {
    std::fprintf(stderr, "%s\n", r.error().to_string().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

// Raw PostgreSQL: the same rows (canonical JSON body included) into a table with one unique index.
struct Raw {
  PGconn* c = nullptr;
  Raw(const PostgresServer& s, const std::string& table) {
    c = PQconnectdb(("host=127.0.0.1 port=" + std::to_string(s.port()) +
                     " dbname=odoosync user=odoosync options='-c client_min_messages=warning' password=" +
                     PostgresServer::password())
                        .c_str());
    exec("CREATE TABLE " + table +
         "(seq bigserial PRIMARY KEY, source text, id text, type text, subject text, lane smallint, batch_key text, "
         "body text, status smallint, submitted_ms bigint, UNIQUE(source, id))");
    PQclear(PQprepare(c, "one",
                      ("INSERT INTO " + table +
                       "(source, id, type, subject, lane, batch_key, body, status, submitted_ms) "
                       "VALUES ($1, $2, 'retail.stock.adjusted', $3, 0, 'retail.stock.adjusted/delta', $4, 0, 1)")
                          .c_str(),
                      0, nullptr));
    PQclear(PQprepare(c, "many",
                      ("INSERT INTO " + table +
                       "(source, id, type, subject, lane, batch_key, body, status, submitted_ms) "
                       "SELECT s, i, 'retail.stock.adjusted', j, 0, 'retail.stock.adjusted/delta', b, 0, 1 "
                       "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(s, i, j, b)")
                          .c_str(),
                      0, nullptr));
  }
  ~Raw() { PQfinish(c); }
  void exec(const std::string& sql) { PQclear(PQexec(c, sql.c_str())); }
  void one(const retail::Event& e, const std::string& body) {
    const char* v[] = {e.source.c_str(), e.id.c_str(), e.subject.c_str(), body.c_str()};
    PQclear(PQexecPrepared(c, "one", 4, v, nullptr, nullptr, 0));
  }
  static std::string array(const std::vector<std::string>& items) {
    std::string out = "{";
    for (const auto& s : items) {
      if (out.size() > 1) out += ',';
      out += '"';
      for (char ch : s) {
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
      }
      out += '"';
    }
    return out + "}";
  }
  void many(const std::vector<retail::Event>& evs, const std::vector<std::string>& bodies, std::size_t from,
            std::size_t to) {
    std::vector<std::string> s, i, j, b;
    for (std::size_t k = from; k < to; ++k) {
      s.push_back(evs[k].source);
      i.push_back(evs[k].id);
      j.push_back(evs[k].subject);
      b.push_back(bodies[k]);
    }
    const std::string a = array(s), bb = array(i), cc = array(j), dd = array(b);
    const char* v[] = {a.c_str(), bb.c_str(), cc.c_str(), dd.c_str()};
    PQclear(PQexecPrepared(c, "many", 4, v, nullptr, nullptr, 0));
  }
};

template <class F>
double rate(std::size_t n, F&& f) {
  const auto t = Steady::now();
  f();
  return static_cast<double>(n) / since(t);
}

void intake(const PostgresServer& pg, const fs::path& dir, bool quick) {
  const std::size_t single = quick ? 500 : 3000, batched = quick ? 20'000 : 100'000, chunk = 500;
  const int threads = 8;
  auto evs = stock_events(batched, "e");
  std::vector<std::string> bodies;
  for (const auto& e : evs) bodies.push_back(retail::encode_event(e));
  std::printf("\n## 1. Durable intake, events/s (PostgreSQL 15 fsync=on; SQLite WAL synchronous=FULL, %s)\n\n",
              dir.c_str());
  double raw1 = 0, pg1 = 0, sq1 = 0, rawb = 0, pgb = 0, sqb = 0, raw8 = 0, pg8 = 0, sq8 = 0;
  {
    Raw raw(pg, "raw_single");
    raw1 = rate(single, [&] {
      for (std::size_t i = 0; i < single; ++i) raw.one(evs[i], bodies[i]);
    });
  }
  {
    auto s = pg_store(pg, "bench_single");
    auto e = oss::Engine::create_intake(*s).value();
    pg1 = rate(single, [&] {
      for (std::size_t i = 0; i < single; ++i) (void)e->submit(evs[i]);
    });
  }
  {
    auto s = oss::SqliteStore::open((dir / "single.db").string()).value();
    auto e = oss::Engine::create_intake(*s).value();
    sq1 = rate(single, [&] {
      for (std::size_t i = 0; i < single; ++i) (void)e->submit(evs[i]);
    });
  }
  {
    Raw raw(pg, "raw_batched");
    rawb = rate(batched, [&] {
      for (std::size_t i = 0; i < batched; i += chunk) raw.many(evs, bodies, i, std::min(batched, i + chunk));
    });
  }
  {
    auto s = pg_store(pg, "bench_batched");
    auto e = oss::Engine::create_intake(*s).value();
    pgb = rate(batched, [&] {
      for (std::size_t i = 0; i < batched; i += chunk)
        (void)e->submit_many(std::span<const retail::Event>(evs.data() + i, std::min(chunk, batched - i)));
    });
  }
  {
    auto s = oss::SqliteStore::open((dir / "batched.db").string()).value();
    auto e = oss::Engine::create_intake(*s).value();
    sqb = rate(batched, [&] {
      for (std::size_t i = 0; i < batched; i += chunk)
        (void)e->submit_many(std::span<const retail::Event>(evs.data() + i, std::min(chunk, batched - i)));
    });
  }
  const std::size_t per = single / 2;
  auto threaded = [&](auto&& one) {
    return rate(per * threads, [&] {
      std::vector<std::thread> ts;
      for (int t = 0; t < threads; ++t)
        ts.emplace_back([&, t] {
          for (std::size_t i = 0; i < per; ++i) one(t, static_cast<std::size_t>(t) * per + i);
        });
      for (auto& t : ts) t.join();
    });
  };
  {
    std::vector<std::unique_ptr<Raw>> raws;
    for (int t = 0; t < threads; ++t) raws.push_back(std::make_unique<Raw>(pg, "raw_threads"));
    raw8 = threaded([&](int t, std::size_t i) { raws[static_cast<std::size_t>(t)]->one(evs[i], bodies[i]); });
  }
  {
    auto s = pg_store(pg, "bench_threads");
    auto e = oss::Engine::create_intake(*s).value();
    pg8 = threaded([&](int, std::size_t i) { (void)e->submit(evs[i]); });
  }
  {
    auto s = oss::SqliteStore::open((dir / "threads.db").string()).value();
    auto e = oss::Engine::create_intake(*s).value();
    sq8 = threaded([&](int, std::size_t i) { (void)e->submit(evs[i]); });
  }
  std::printf(
      "| intake | raw PostgreSQL | PostgresStore | SqliteStore | PostgresStore / raw | PostgresStore / SqliteStore "
      "|\n");
  std::printf("| --- | --- | --- | --- | --- | --- |\n");
  auto row = [](const char* what, double raw, double ours, double sq) {
    std::printf("| %s | %.0f | %.0f | %.0f | %.2f | %.2f |\n", what, raw, ours, sq, ours / raw, ours / sq);
  };
  row(("one event per call (" + std::to_string(single) + "), one thread").c_str(), raw1, pg1, sq1);
  row(("one event per call, 8 threads (" + std::to_string(per * threads) + ")").c_str(), raw8, pg8, sq8);
  row(("500 per call (" + std::to_string(batched) + ")").c_str(), rawb, pgb, sqb);
}

struct Latency {
  std::vector<double> ms;
  double pct(double p) {
    if (ms.empty()) return 0;
    std::sort(ms.begin(), ms.end());
    return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * static_cast<double>(ms.size())))];
  }
};

// Claims of up to 100 events (and their settles) by one worker; claim latency only.
Latency claims(oss::Store& s, int n, const std::string& owner) {
  Latency l;
  for (int i = 0; i < n; ++i) {
    oss::ClaimRequest rq;
    rq.owner = owner;
    rq.now_ms = 1;
    rq.lease_ms = 60'000;
    rq.max_members = 100;
    const auto t = Steady::now();
    auto b = s.claim(rq);
    l.ms.push_back(since(t) * 1000);
    if (!b || !b.value()) continue;
    oss::Settlement st;
    st.kind = oss::SettleKind::applied;
    st.now_ms = 2;
    (void)s.settle(b.value()->id, owner, st);
  }
  return l;
}

void claim_latency(const PostgresServer& pg, bool quick) {
  std::printf("\n## 2. Claim latency, ms (a claim of up to 100 among pending stock events on 300 SKUs)\n\n");
  const std::size_t pending = quick ? 20'000 : 100'000;
  const int n = quick ? 100 : 300;
  std::printf("| state | claims | p50 | p99 | max |\n| --- | --- | --- | --- | --- |\n");
  auto report = [](const char* what, Latency l) {
    const auto count = l.ms.size();
    std::printf("| %s | %zu | %.2f | %.2f | %.2f |\n", what, count, l.pct(0.5), l.pct(0.99), l.pct(1.0));
  };
  auto run = [&](const char* what, bool loaded, bool old_txn) {
    const std::string schema = std::string("claims_") + (loaded ? "l" : "i") + (old_txn ? "o" : "");
    auto s = pg_store(pg, schema);
    {
      auto evs = stock_events(pending, "p");
      auto e = oss::Engine::create_intake(*s).value();
      for (std::size_t i = 0; i < pending; i += 500)
        (void)e->submit_many(std::span<const retail::Event>(evs.data() + i, std::min<std::size_t>(500, pending - i)));
    }
    Raw old(pg, "old_" + schema);
    if (old_txn) {
      old.exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
      old.exec("SELECT txid_current(), count(*) FROM \"" + schema + "\".events");
    }
    std::atomic<bool> stop{false};
    std::vector<std::thread> load;
    if (loaded) {
      for (int t = 0; t < 2; ++t)
        load.emplace_back([&, t] {  // intake: 100 events every 50 ms per thread (4,000 events/s in all)
          auto e = oss::Engine::create_intake(*s).value();
          auto next = Steady::now();
          for (int round = 0; !stop; ++round) {
            auto more = stock_events(100, "l" + std::to_string(t) + "-" + std::to_string(round) + "-");
            (void)e->submit_many(more);
            next += std::chrono::milliseconds(50);
            std::this_thread::sleep_until(next);
          }
        });
      for (int t = 0; t < 2; ++t)
        load.emplace_back([&, t] {  // two more workers claiming and settling
          while (!stop) (void)claims(*s, 1, "load" + std::to_string(t));
        });
    }
    auto l = claims(*s, n, "measured");
    stop = true;
    for (auto& t : load) t.join();
    if (old_txn) old.exec("COMMIT");
    report(what, std::move(l));
  };
  run("idle", false, false);
  run("loaded: 4,000 events/s submitted, 2 more workers claiming", true, false);
  run("loaded, and a transaction held open all along", true, true);
}

#ifdef ODOOSYNC_CLI_PATH
pid_t spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0].c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

void end_to_end(const PostgresServer& pg, const fs::path& dir, bool quick) {
  std::printf("\n## 3. End to end against the emulator: `odoosync sync run --until-idle` processes, events/s\n\n");
  workload::Spec spec;
  spec.stock_events = quick ? 1000 : 4200;
  spec.orders = quick ? 100 : 500;
  spec.product_upserts = quick ? 100 : 300;
  spec.malformed = 0;
  auto w = workload::generate(spec);
  ::setenv("PGPASSWORD", PostgresServer::password().c_str(), 1);
  std::printf("| store | processes | events | seconds | events/s |\n| --- | --- | --- | --- | --- |\n");
  auto one = [&](const std::string& store, int processes) {
    auto em = EmulatedOdoo::start({.odoo_version = 18,
                                   .extra_products = static_cast<std::size_t>(spec.skus),
                                   .data_dir = ODOOSYNC_EMULATOR_DATA_DIR})
                  .value();
    odoo::Config c;
    c.url = em->url();
    c.database = em->database();
    c.login = "admin";
    c.api_key = Secret(em->api_key());
    auto client = odoo::Client::create(c, http::CurlTransport::create({.proxy = "none"}).value()).value();
    {
      oss::MemoryStore seed;
      auto e = oss::Engine::create(seed, *client, oss::EngineOptions{}).value();
      for (const auto& l : w.seed) (void)e->submit_json(l);
      (void)e->run_until_idle();
    }
    std::unique_ptr<oss::Store> st;
    if (store == "postgres") {
      pg.exec("DROP SCHEMA IF EXISTS odoosync CASCADE");  // the tool's default schema, fresh for each run
      st = pg_store(pg, "odoosync");
    } else {
      st = oss::SqliteStore::open((dir / "e2e.db").string()).value();
    }
    std::size_t n = 0;
    {
      auto intake = oss::Engine::create_intake(*st).value();
      for (const auto& l : w.lines) n += intake->submit_json(l).has_value() ? 1 : 0;
    }
    const std::string location = store == "postgres" ? pg.url() : (dir / "e2e.db").string();
    ::setenv("ODOO_URL", em->url().c_str(), 1);
    ::setenv("ODOO_DB", em->database().c_str(), 1);
    ::setenv("ODOO_USER", "admin", 1);
    ::setenv("ODOO_API_KEY", em->api_key().c_str(), 1);
    const auto t = Steady::now();
    std::vector<pid_t> pids;
    for (int i = 0; i < processes; ++i)
      pids.push_back(spawn({ODOOSYNC_CLI_PATH, "--store", location, "sync", "run", "--until-idle", "--grace", "0"}));
    for (auto pid : pids) {
      int status = 0;
      ::waitpid(pid, &status, 0);
    }
    const double secs = since(t);
    auto status = st->status().value();
    const auto left =
        status.lanes[0].pending + status.lanes[0].in_flight + status.lanes[1].pending + status.lanes[1].in_flight;
    std::printf("| %s | %d | %zu%s | %.1f | %.0f |\n", store.c_str(), processes, n,
                left ? (" (" + std::to_string(left) + " left!)").c_str() : "", secs, static_cast<double>(n) / secs);
    std::fflush(stdout);
  };
  one("sqlite", 1);
  for (int p : {1, 2, 4}) one("postgres", p);
}
#endif

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  int section = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--quick") quick = true;
    if (std::string(argv[i]) == "--section" && i + 1 < argc) section = std::atoi(argv[++i]);
  }
  std::string error;
  odoosync::testing::PostgresServerOptions o;
  o.fsync = true;
  auto pg = PostgresServer::start(&error, o);
  if (!pg) {
    std::fprintf(stderr, "bench_postgres: the PostgreSQL server did not start: %s\n", error.c_str());
    return 1;
  }
  const fs::path dir = fs::temp_directory_path() / ("odoosync-bench-pg-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  if (section == 0 || section == 1) intake(*pg, dir, quick);
  if (section == 0 || section == 2) claim_latency(*pg, quick);
#ifdef ODOOSYNC_CLI_PATH
  if (section == 0 || section == 3) end_to_end(*pg, dir, quick);
#endif
  fs::remove_all(dir);
  return 0;
}
