// The sync engine's figures, side by side in one run (docs/benchmarks.md):
//   1. durable intake: submit and submit_many vs raw SQLite inserts of the same rows (same pragmas), and raw
//      inserts into the store's own events table and indexes;
//   2. Odoo RPCs per 10,000 events, batched and coalesced vs one event per batch;
//   3. end-to-end events/s against the emulator with 0, 1 and 5 ms of injected latency;
//   4. memory with 1,000,000 pending events (SqliteStore and MemoryStore), and a claim among them.
//
//   build/release/tests/bench/bench_sync [--quick] [--section 1|2|4] [--dir DIR]
#include "workload.hpp"

#include <odoosync/emulator/emulated_odoo.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/http/instrumented_transport.hpp>
#include <odoosync/odoo/client.hpp>
#include <odoosync/sync/engine.hpp>
#include <odoosync/sync/memory_store.hpp>
#include <odoosync/sync/sqlite_store.hpp>

#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
namespace oss = odoosync::sync;
using namespace odoosync;
using Steady = std::chrono::steady_clock;

namespace {

double seconds_since(Steady::time_point t) { return std::chrono::duration<double>(Steady::now() - t).count(); }

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

std::vector<retail::Event> stock_events(std::size_t n, const std::string& prefix) {
  std::vector<retail::Event> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string sku = workload::sku_name(static_cast<int>(i % 300) + 1);
    const std::string json =
        R"({"specversion":"1.0","id":")" + prefix + std::to_string(i) +
        R"(","source":"pos/store-1","type":"retail.stock.adjusted","time":"2026-12-01T10:15:00Z","data":{"sku":")" +
        sku + R"(","location":"WH/Stock","delta":{"value":"-1","uom":"Units"}}})";
    out.push_back(retail::decode_event(json).value());
  }
  return out;
}

// Raw SQLite: the same events rows (canonical JSON body included), the same pragmas and unique index.
struct Raw {
  sqlite3* db = nullptr;
  sqlite3_stmt* ins = nullptr;
  explicit Raw(const std::string& path) {
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                 "CREATE TABLE events(seq INTEGER PRIMARY KEY, source TEXT, id TEXT, type TEXT, subject TEXT,"
                 " lane INTEGER, batch_key TEXT, body TEXT, status INTEGER, submitted_ms INTEGER, UNIQUE(source, id));",
                 nullptr, nullptr, nullptr);
    sqlite3_prepare_v2(db,
                       "INSERT INTO events(source, id, type, subject, lane, batch_key, body, status, submitted_ms) "
                       "VALUES (?,?,?,?,0,?,?,0,?)",
                       -1, &ins, nullptr);
  }
  ~Raw() {
    sqlite3_finalize(ins);
    sqlite3_close(db);
  }
  void insert(const retail::Event& e, const std::string& body) {
    sqlite3_bind_text(ins, 1, e.source.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, e.id.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, "retail.stock.adjusted", -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, e.subject.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 5, "retail.stock.adjusted/delta", -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 6, body.c_str(), static_cast<int>(body.size()), SQLITE_STATIC);
    sqlite3_bind_int64(ins, 7, 1);
    sqlite3_step(ins);
    sqlite3_reset(ins);
  }
};

// Raw SQLite again, but into SqliteStore's own events table and indexes (their SQL read from a store
// file, so they cannot drift): the same rows and index upkeep, none of the store's logic. The gap
// between raw and odoosync at 500 per call is mostly these indexes (docs/benchmarks.md).
struct RawStoreShaped {
  sqlite3* db = nullptr;
  sqlite3_stmt* ins = nullptr;
  RawStoreShaped(const std::string& path, const std::string& schema_from) {
    sqlite3* src = nullptr;
    sqlite3_open(schema_from.c_str(), &src);
    std::string schema = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(src,
                       "SELECT sql FROM sqlite_master WHERE tbl_name = 'events' AND sql IS NOT NULL ORDER BY type DESC",
                       -1, &q, nullptr);
    while (sqlite3_step(q) == SQLITE_ROW)
      schema += std::string(reinterpret_cast<const char*>(sqlite3_column_text(q, 0))) + ";";
    sqlite3_finalize(q);
    sqlite3_close(src);
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, schema.c_str(), nullptr, nullptr, nullptr);
    sqlite3_prepare_v2(
        db,
        "INSERT INTO events(source, id, type, subject, has_seq, sequence, lane, batch_key, body, status, "
        "submitted_ms, updated_ms, audit_mark) VALUES (?,?,?,?,0,0,0,?,?,0,?,?,0)",
        -1, &ins, nullptr);
  }
  ~RawStoreShaped() {
    sqlite3_finalize(ins);
    sqlite3_close(db);
  }
  void insert(const retail::Event& e, const std::string& body) {
    sqlite3_bind_text(ins, 1, e.source.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, e.id.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, "retail.stock.adjusted", -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, e.subject.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 5, "retail.stock.adjusted/delta", -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 6, body.c_str(), static_cast<int>(body.size()), SQLITE_STATIC);
    sqlite3_bind_int64(ins, 7, 1);
    sqlite3_bind_int64(ins, 8, 1);
    sqlite3_step(ins);
    sqlite3_reset(ins);
  }
};

void intake(const fs::path& dir, bool quick) {
  std::printf("\n## 1. Durable intake (SQLite, WAL, synchronous=FULL, %s)\n\n", dir.c_str());
  const std::size_t single = quick ? 300 : 2000, batched = quick ? 20'000 : 100'000, chunk = 500;
  auto evs = stock_events(batched, "e");
  std::vector<std::string> bodies;
  bodies.reserve(evs.size());
  for (const auto& e : evs) bodies.push_back(retail::encode_event(e));

  double raw_single = 0, ours_single = 0, raw_batch = 0, ours_batch = 0, raw_threads = 0, ours_threads = 0,
         shaped_batch = 0;
  {
    fs::remove_all(dir / "raw1.db");
    Raw raw((dir / "raw1.db").string());
    auto t = Steady::now();
    for (std::size_t i = 0; i < single; ++i) {
      sqlite3_exec(raw.db, "BEGIN", nullptr, nullptr, nullptr);
      raw.insert(evs[i], bodies[i]);
      sqlite3_exec(raw.db, "COMMIT", nullptr, nullptr, nullptr);
    }
    raw_single = static_cast<double>(single) / seconds_since(t);
  }
  {
    auto store = oss::SqliteStore::open((dir / "ours1.db").string()).value();
    auto engine = oss::Engine::create_intake(*store).value();
    auto t = Steady::now();
    for (std::size_t i = 0; i < single; ++i) (void)engine->submit(evs[i]);
    ours_single = static_cast<double>(single) / seconds_since(t);
  }
  {
    Raw raw((dir / "raw2.db").string());
    auto t = Steady::now();
    for (std::size_t i = 0; i < batched; i += chunk) {
      sqlite3_exec(raw.db, "BEGIN", nullptr, nullptr, nullptr);
      for (std::size_t j = i; j < std::min(batched, i + chunk); ++j) raw.insert(evs[j], bodies[j]);
      sqlite3_exec(raw.db, "COMMIT", nullptr, nullptr, nullptr);
    }
    raw_batch = static_cast<double>(batched) / seconds_since(t);
  }
  {
    auto store = oss::SqliteStore::open((dir / "ours2.db").string()).value();
    auto engine = oss::Engine::create_intake(*store).value();
    auto t = Steady::now();
    for (std::size_t i = 0; i < batched; i += chunk) {
      (void)engine->submit_many(std::span<const retail::Event>(evs.data() + i, std::min(chunk, batched - i)));
    }
    ours_batch = static_cast<double>(batched) / seconds_since(t);
  }
  {
    RawStoreShaped raw((dir / "shaped2.db").string(), (dir / "ours2.db").string());
    auto t = Steady::now();
    for (std::size_t i = 0; i < batched; i += chunk) {
      sqlite3_exec(raw.db, "BEGIN", nullptr, nullptr, nullptr);
      for (std::size_t j = i; j < std::min(batched, i + chunk); ++j) raw.insert(evs[j], bodies[j]);
      sqlite3_exec(raw.db, "COMMIT", nullptr, nullptr, nullptr);
    }
    shaped_batch = static_cast<double>(batched) / seconds_since(t);
  }
  const int threads = 8;
  const std::size_t per_thread = single / 2;
  {
    Raw raw((dir / "raw3.db").string());
    std::mutex m;
    auto t = Steady::now();
    std::vector<std::thread> ts;
    for (int k = 0; k < threads; ++k) {
      ts.emplace_back([&, k] {
        for (std::size_t i = 0; i < per_thread; ++i) {
          const std::size_t n = static_cast<std::size_t>(k) * per_thread + i;
          std::lock_guard l(m);
          sqlite3_exec(raw.db, "BEGIN", nullptr, nullptr, nullptr);
          raw.insert(evs[n], bodies[n]);
          sqlite3_exec(raw.db, "COMMIT", nullptr, nullptr, nullptr);
        }
      });
    }
    for (auto& th : ts) th.join();
    raw_threads = static_cast<double>(threads * per_thread) / seconds_since(t);
  }
  {
    auto store = oss::SqliteStore::open((dir / "ours3.db").string()).value();
    auto engine = oss::Engine::create_intake(*store).value();
    auto t = Steady::now();
    std::vector<std::thread> ts;
    for (int k = 0; k < threads; ++k) {
      ts.emplace_back([&, k] {
        for (std::size_t i = 0; i < per_thread; ++i)
          (void)engine->submit(evs[static_cast<std::size_t>(k) * per_thread + i]);
      });
    }
    for (auto& th : ts) th.join();
    ours_threads = static_cast<double>(threads * per_thread) / seconds_since(t);
    std::printf("(8 threads: %zu submits shared %llu commits)\n\n", threads * per_thread,
                static_cast<unsigned long long>(store->commits()));
  }
  std::printf("| intake | raw SQLite inserts/s | odoosync events/s | odoosync / raw |\n| --- | --- | --- | --- |\n");
  std::printf("| one event per call (%zu), one thread | %.0f | %.0f | %.2f |\n", single, raw_single, ours_single,
              ours_single / raw_single);
  std::printf("| one event per call, 8 threads (%zu) | %.0f | %.0f | %.2f |\n", threads * per_thread, raw_threads,
              ours_threads, ours_threads / raw_threads);
  std::printf("| %zu per call (%zu) | %.0f | %.0f | %.2f |\n", chunk, batched, raw_batch, ours_batch,
              ours_batch / raw_batch);
  std::printf("| %zu per call, raw into SqliteStore's events table and indexes | %.0f | %.0f | %.2f |\n", chunk,
              shaped_batch, ours_batch, ours_batch / shaped_batch);
}

struct Emulated {
  std::unique_ptr<EmulatedOdoo> server;
  std::shared_ptr<InMemoryMetrics> metrics = std::make_shared<InMemoryMetrics>();
  std::shared_ptr<odoo::Client> client;
  Emulated() {
    server = EmulatedOdoo::start({.extra_products = 300, .data_dir = ODOOSYNC_EMULATOR_DATA_DIR}).value();
    odoo::Config c;
    c.url = server->url();
    c.database = "retail18";
    c.login = "admin";
    c.api_key = Secret(server->api_key());
    std::shared_ptr<http::Transport> t = http::CurlTransport::create({.proxy = "none"}).value();
    t = std::make_shared<http::InstrumentedTransport>(t, Logger{}, metrics);
    client = odoo::Client::create(c, t).value();
  }
  void fault(const std::string& json, http::Method method = http::Method::post) {
    auto t = http::CurlTransport::create({.proxy = "none"}).value();
    http::Request r;
    r.method = method;
    r.url = server->url() + "/__emulator__/faults";
    r.body = json;
    (void)t->send(r);
  }
};

struct E2E {
  std::size_t events = 0;
  std::uint64_t rpcs = 0;
  double seconds = 0;
};

E2E drive(Emulated& odoo, const std::vector<std::string>& lines, std::size_t batch_size) {
  oss::MemoryStore store;
  oss::EngineOptions o;
  o.metrics = odoo.metrics;
  o.lanes[0].batch_size = batch_size;
  o.lanes[1].batch_size = batch_size;
  auto engine = oss::Engine::create(store, *odoo.client, o).value();
  E2E r;
  for (const auto& l : lines) {
    if (engine->submit_json(l)) ++r.events;
  }
  const auto before = engine->metrics().rpc_count;
  auto t = Steady::now();
  auto s = engine->run_until_idle().value();
  r.seconds = seconds_since(t);
  r.rpcs = engine->metrics().rpc_count - before;
  if (!s.idle) std::fprintf(stderr, "bench_sync: a run did not end idle\n");
  return r;
}

std::vector<std::string> day(int stock, int orders, int products, std::uint64_t seed) {
  workload::Spec spec;
  spec.seed = seed;
  spec.stock_events = stock;
  spec.orders = orders;
  spec.product_upserts = products;
  spec.unknown_sku_events = 0;
  spec.malformed = 0;
  auto w = workload::generate(spec);
  std::vector<std::string> lines = w.seed;
  lines.insert(lines.end(), w.lines.begin(), w.lines.end());
  return lines;
}

void rpcs_and_throughput(bool quick) {
  std::printf("\n## 2. Odoo RPCs per 10,000 events (emulator, 300 SKUs)\n\n");
  const int scale = quick ? 1 : 5;
  {
    auto lines = day(1600 * scale, 200 * scale, 200 * scale, 1);  // 2,000 × scale events, and the seed
    std::vector<std::pair<std::size_t, E2E>> runs;
    for (std::size_t batch : {std::size_t{100}, std::size_t{500}}) {
      Emulated odoo;
      runs.emplace_back(batch, drive(odoo, lines, batch));
    }
    Emulated odoo1;
    auto lines1 = day(800, 100, 100, 2);  // one event per batch: about 1,600 events, scaled to 10,000
    auto single = drive(odoo1, lines1, 1);
    const auto per10k = [](const E2E& r) {
      return static_cast<double>(r.rpcs) * 10'000.0 / static_cast<double>(r.events);
    };
    std::printf(
        "| mode | events | RPCs | RPCs per 10,000 events | vs one RPC per event | vs one event per batch | events/s "
        "|\n");
    std::printf("| --- | --- | --- | --- | --- | --- | --- |\n");
    for (const auto& [batch, r] : runs) {
      std::printf("| batches of up to %zu, deltas coalesced | %zu | %llu | %.0f | %.1fx fewer | %.0fx fewer | %.0f |\n",
                  batch, r.events, static_cast<unsigned long long>(r.rpcs), per10k(r), 10'000.0 / per10k(r),
                  per10k(single) / per10k(r), static_cast<double>(r.events) / r.seconds);
    }
    std::printf("| one event per batch | %zu | %llu | %.0f | %.2fx | 1 | %.0f |\n", single.events,
                static_cast<unsigned long long>(single.rpcs), per10k(single), 10'000.0 / per10k(single),
                static_cast<double>(single.events) / single.seconds);
  }
  std::printf("\n## 3. End-to-end events/s against the emulator with injected latency per call\n\n");
  std::printf("| latency per call | events | RPCs | seconds | events/s |\n| --- | --- | --- | --- | --- |\n");
  for (int ms : {0, 1, 5}) {
    Emulated odoo;
    if (ms > 0) odoo.fault(R"({"kind": "latency", "times": 0, "latency_ms": )" + std::to_string(ms) + "}");
    auto lines = day(8000 / (quick ? 5 : 1), 1000 / (quick ? 5 : 1), 1000 / (quick ? 5 : 1), 3);
    auto r = drive(odoo, lines, 100);
    std::printf("| %d ms | %zu | %llu | %.2f | %.0f |\n", ms, r.events, static_cast<unsigned long long>(r.rpcs),
                r.seconds, static_cast<double>(r.events) / r.seconds);
  }
}

void memory(const fs::path& dir, bool quick) {
  const std::size_t n = quick ? 100'000 : 1'000'000, chunk = 5'000;
  std::printf("\n## 4. Memory with %zu pending events\n\n", n);
  std::printf("| store | RSS before | RSS after intake | after a claim of 100 | file | intake s | claim ms |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- |\n");
  for (int kind = 0; kind < 2; ++kind) {
    const long before = rss_kib();
    std::unique_ptr<oss::Store> store;
    if (kind == 0) {
      oss::SqliteOptions so;
      store = oss::SqliteStore::open((dir / "million.db").string(), so).value();
    } else {
      store = std::make_unique<oss::MemoryStore>();
    }
    auto engine = oss::Engine::create_intake(*store).value();
    auto t = Steady::now();
    for (std::size_t i = 0; i < n; i += chunk) {
      auto evs = stock_events(chunk, "m" + std::to_string(i) + "-");
      (void)engine->submit_many(evs);
    }
    const double intake_s = seconds_since(t);
    const long after = rss_kib();
    oss::ClaimRequest rq;
    rq.owner = "bench";
    rq.now_ms = INT64_MAX / 2;
    rq.max_members = 100;
    auto tc = Steady::now();
    auto b = store->claim(rq);
    const double claim_ms = seconds_since(tc) * 1000;
    const long claimed = rss_kib();
    const auto file = kind == 0 ? fs::file_size(dir / "million.db") +
                                      (fs::exists(dir / "million.db-wal") ? fs::file_size(dir / "million.db-wal") : 0)
                                : 0;
    std::printf("| %s | %.0f MiB | %.0f MiB | %.0f MiB | %s | %.1f | %.1f%s |\n",
                kind == 0 ? "SqliteStore" : "MemoryStore", static_cast<double>(before) / 1024,
                static_cast<double>(after) / 1024, static_cast<double>(claimed) / 1024,
                kind == 0 ? (std::to_string(file >> 20) + " MiB").c_str() : "-", intake_s, claim_ms,
                b && b.value() ? "" : " (no batch!)");
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  int only = 0;  // --section N: run one section
  fs::path dir = fs::temp_directory_path() / ("odoosync-bench-" + std::to_string(::getpid()));
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick")
      quick = true;
    else if (a == "--dir" && i + 1 < argc)
      dir = argv[++i];
    else if (a == "--section" && i + 1 < argc)
      only = std::atoi(argv[++i]);
    else {
      std::fprintf(stderr, "usage: %s [--quick] [--section 1|2|4] [--dir DIR]\n", argv[0]);
      return 2;
    }
  }
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::printf("# bench_sync%s (2 cores; one run, side by side)\n", quick ? " --quick" : "");
  if (only == 0 || only == 1) intake(dir, quick);
  if (only == 0 || only == 2 || only == 3) rpcs_and_throughput(quick);
  if (only == 0 || only == 4) memory(dir, quick);
  fs::remove_all(dir);
  return 0;
}
