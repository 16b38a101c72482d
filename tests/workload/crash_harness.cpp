// The crash and fault harness (ctest sync_crash_harness): a child process runs the sync engine on a
// generated day (stock deltas on 300 SKUs at two locations, 500 orders, catalogue upserts, events Odoo
// must refuse, malformed lines) against the emulator, which injects resets after commit, 503, 429 and
// serialization failures, and slow commits: the record-creating calls (sale.order, stock.picking,
// account.payment and account.move create, and every load) sometimes take --slow-commit-ms between
// starting and committing, and keep going when their client dies. The parent kills the child with
// SIGKILL at 200 seeded points, some of them aimed while such a slow call runs on the server (so the
// killed worker's request commits after the restarted engine probed), and restarts it; at the end it
// checks Odoo's state: every quant is the expected sum, every order exists once with its lines (orders
// are counted per client_order_ref: a duplicate names its token and ids), no event is lost, and the
// dead-letter queue holds exactly the refused ones.
//
//   sync_crash_harness [--kills N] [--seed S] [--scale K] [--odoo-version 18|19] [--keep DIR]
//                      [--slow-commit-ms MS] [--slow-probability P]   (MS 0: no slow commits)
//                      [--grace-ms MS]   (the engine's unknown_outcome_grace; default twice the slow commit)
#include "workload.hpp"

#include <canary.hpp>
#include <odoosync/core/json.hpp>
#include <odoosync/emulator/emulated_odoo.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/odoo/client.hpp>
#include <odoosync/sync/engine.hpp>
#include <odoosync/sync/memory_store.hpp>
#include <odoosync/sync/sqlite_store.hpp>

#include <sqlite3.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

extern char** environ;

namespace fs = std::filesystem;
namespace oss = odoosync::sync;
using namespace odoosync;
using odoo::field;

namespace {

std::shared_ptr<odoo::Client> make_client(const std::string& url, const std::string& db, const std::string& key) {
  odoo::Config c;
  c.url = url;
  c.database = db;
  c.login = "admin";
  c.api_key = Secret(key);
  c.timeout = std::chrono::milliseconds{30'000};
  auto t = http::CurlTransport::create({.proxy = "none"});
  if (!t) return nullptr;
  auto client = odoo::Client::create(c, t.value());
  return client ? client.value() : nullptr;
}

oss::EngineOptions engine_options() {
  oss::EngineOptions o;
  o.retry.initial_backoff = std::chrono::milliseconds{10};
  o.retry.max_backoff = std::chrono::milliseconds{300};
  o.retry.max_attempts = 1000;  // the harness's faults are random: nothing it injects is permanent
  o.breaker.cool_down = std::chrono::milliseconds{200};
  o.breaker.failure_threshold = 20;
  o.lanes[0].batch_size = 25;  // small batches: more sends for the kills to land in
  o.lanes[1].batch_size = 25;
  // The parent's --grace-ms, through the environment (the child's arguments are positional).
  const char* grace = std::getenv("ODOOSYNC_HARNESS_GRACE_MS");
  o.unknown_outcome_grace = std::chrono::milliseconds{grace ? std::atoll(grace) : 0};
  return o;
}

// The child: submit the whole file (again: duplicates are reported and ignored), then run until idle.
int child(const std::string& store_path, const std::string& events, const std::string& url, const std::string& db,
          const std::string& key) {
  auto store = oss::SqliteStore::open(store_path);
  if (!store) {
    std::fprintf(stderr, "child: %s\n", store.error().to_string().c_str());
    return 2;
  }
  auto client = make_client(url, db, key);
  if (!client) return 2;
  auto engine = oss::Engine::create(*store.value(), *client, engine_options());
  if (!engine) return 2;
  std::ifstream in(events);
  std::string line;
  std::vector<retail::Event> chunk;
  // Lines already submitted (a checkpoint written after each chunk commits; a kill between the two
  // only means that chunk is submitted again, as duplicates).
  auto& s = *store.value();
  const auto mark = s.checkpoint("harness/submitted-lines");
  const long done = mark && mark.value() ? std::stol(*mark.value()) : 0;
  long n = 0;
  auto flush = [&]() -> bool {
    if (chunk.empty()) return true;
    auto r = engine.value()->submit_many(chunk);
    chunk.clear();
    if (!r) {
      std::fprintf(stderr, "child: submit: %s\n", r.error().to_string().c_str());
      return false;
    }
    return s.set_checkpoint("harness/submitted-lines", std::to_string(n)).has_value();
  };
  while (std::getline(in, line)) {
    if (++n <= done) continue;
    auto e = retail::decode_event(line);
    if (!e) continue;  // malformed: rejected at intake, nothing stored
    chunk.push_back(std::move(e).value());
    if (chunk.size() == 500 && !flush()) return 3;
  }
  if (!flush()) return 3;
  oss::RunOptions ro;
  ro.max_time = std::chrono::milliseconds{300'000};
  auto r = engine.value()->run_until_idle(ro);
  if (!r) {
    std::fprintf(stderr, "child: run: %s\n", r.error().to_string().c_str());
    return 4;
  }
  return r.value().idle ? 0 : 5;
}

struct Args {
  int kills = 200;
  std::uint64_t seed = 20261201;
  int scale = 1;
  int odoo_version = 18;
  std::string keep;
  int slow_commit_ms = 1500;
  int grace_ms = -1;  // the engine's unknown_outcome_grace; default: twice the slow commit
  double slow_probability = 0.1;
};

pid_t spawn_child(const std::string& self, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(self.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv.data(), environ) != 0) return -1;
  return pid;
}

int failures = 0;
void fail(const std::string& what) {
  if (++failures <= 40) std::fprintf(stderr, "FAIL: %s\n", what.c_str());
}

// Batches the killed child held leased: it died between claiming and settling them (mid-flight).
int leased_batches(const std::string& store_path) {
  sqlite3* db = nullptr;
  int n = -1;
  if (sqlite3_open_v2(store_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM batches WHERE open = 1 AND owner <> ''", -1, &st, nullptr) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      n = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return n;
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

}  // namespace

int main(int argc, char** argv) {
  if (argc == 7 && std::string(argv[1]) == "--child") return child(argv[2], argv[3], argv[4], argv[5], argv[6]);
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--kills")
      a.kills = std::stoi(v);
    else if (k == "--seed")
      a.seed = std::stoull(v);
    else if (k == "--scale")
      a.scale = std::stoi(v);
    else if (k == "--odoo-version")
      a.odoo_version = std::stoi(v);
    else if (k == "--keep")
      a.keep = v;
    else if (k == "--slow-commit-ms")
      a.slow_commit_ms = std::stoi(v);
    else if (k == "--grace-ms")
      a.grace_ms = std::stoi(v);
    else if (k == "--slow-probability")
      a.slow_probability = std::stod(v);
    else {
      std::fprintf(stderr,
                   "usage: %s [--kills N] [--seed S] [--scale K] [--odoo-version 18|19] [--keep DIR] [--slow-commit-ms "
                   "MS] [--slow-probability P] [--grace-ms MS]\n",
                   argv[0]);
      return 2;
    }
  }
  const auto started = std::chrono::steady_clock::now();
  const std::string self = fs::canonical("/proc/self/exe").string();
  const fs::path dir =
      a.keep.empty() ? fs::temp_directory_path() / ("odoosync-crash-" + std::to_string(::getpid())) : fs::path(a.keep);
  odoosync::testing::remove_scratch(dir);
  fs::create_directories(dir);

  workload::Spec spec;
  spec.seed = a.seed;
  spec.stock_events *= a.scale;
  spec.orders *= a.scale;
  spec.product_upserts *= a.scale;
  auto w = workload::generate(spec);
  const auto events_path = (dir / "events.jsonl").string();
  {
    std::ofstream out(events_path);
    for (const auto& l : w.lines) out << l << '\n';
  }
  const auto store_path = (dir / "odoosync.db").string();

  auto emulated = EmulatedOdoo::start({.odoo_version = a.odoo_version,
                                       .extra_products = static_cast<std::size_t>(spec.skus),
                                       .seed = a.seed,
                                       .data_dir = ODOOSYNC_EMULATOR_DATA_DIR});
  if (!emulated) {
    std::fprintf(stderr, "FAIL: the emulator did not start: %s\n", emulated.error().to_string().c_str());
    return 1;
  }
  const auto server = std::move(emulated).value();
  const std::string url = server->url(), db = server->database(), key = server->api_key();
  auto client = make_client(url, db, key);
  if (!client) {
    std::fprintf(stderr, "FAIL: no client\n");
    return 1;
  }
  {  // the walk-in customer the orders name and the opening stock counts, before the day starts
    oss::MemoryStore seed_store;
    auto seeder = oss::Engine::create(seed_store, *client, engine_options()).value();
    for (const auto& l : w.seed) (void)seeder->submit_json(l);
    if (!seeder->run_until_idle().value().idle) fail("seeding the walk-in customer and the opening counts");
    if (!seed_store.list(oss::EventStatus::dead, 10).value().empty()) fail("a seed event was dead-lettered");
  }
  std::printf("crash harness: %zu lines (%zu valid events, %zu to refuse), Odoo %d, %d kills, seed %llu\n",
              w.lines.size(), w.valid_events, w.dead.size(), a.odoo_version, a.kills,
              static_cast<unsigned long long>(a.seed));

  const char* faults[] = {
      R"({"kind": "reset_after", "times": 0, "probability": 0.04})",
      R"({"kind": "http_503", "times": 0, "probability": 0.03, "retry_after_s": 0})",
      R"({"kind": "http_429", "times": 0, "probability": 0.02, "retry_after_s": 0})",
      R"({"kind": "serialization_failure", "times": 0, "probability": 0.03})",
  };
  for (const char* f : faults) {
    if (!control(url, http::Method::post, f)) fail(std::string("injecting ") + f);
  }
  // Slow commits on the calls that create records: the call runs on after its client is killed and
  // commits later, as Odoo's does.
  if (a.slow_commit_ms > 0) {
    const std::pair<const char*, const char*> slow_calls[] = {
        {"sale.order", "create"},   {"stock.picking", "create"}, {"account.payment", "create"},
        {"account.move", "create"}, {"sale.order", "load"},      {"", "load"}};
    for (const auto& [model, method] : slow_calls) {
      // orders more often: the duplicates the final check counts come from them
      const double p = std::string(model) == "sale.order" ? std::min(1.0, a.slow_probability * 3) : a.slow_probability;
      const std::string f = fmt::format(
          R"({{"kind": "slow_commit", "model": "{}", "method": "{}", "times": 0, "probability": {}, "latency_ms": {}}})",
          model, method, p, a.slow_commit_ms);
      if (!control(url, http::Method::post, f)) fail("injecting " + f);
    }
  }

  std::mt19937_64 rng(a.seed);
  const std::vector<std::string> child_args{"--child", store_path, events_path, url, db, key};
  const int grace = a.grace_ms >= 0 ? a.grace_ms : 2 * a.slow_commit_ms;
  ::setenv("ODOOSYNC_HARNESS_GRACE_MS", std::to_string(grace).c_str(), 1);
  int killed = 0, finished_early = 0, mid_flight = 0, during_slow = 0;
  // Kill until `kills` of them died mid-run (a child that ran out of work before its kill does not count).
  for (int k = 0; killed < a.kills; ++k) {
    if (finished_early > 20) {
      fail("the work ran out after " + std::to_string(killed) + " kills");
      break;
    }
    const pid_t pid = spawn_child(self, child_args);
    if (pid <= 0) {
      fail("spawning the child");
      break;
    }
    // 40 % of the kills (with slow commits on) are aimed: wait (up to 800 ms, longer until one has
    // landed) until this child starts a slow sale.order create (or load), then kill it while the call
    // is still running on the server.
    const bool aim = a.slow_commit_ms > 0 && std::bernoulli_distribution(0.4)(rng);
    const int delay_ms = std::uniform_int_distribution<int>(20, 300)(rng);
    const int into_slow_ms = std::uniform_int_distribution<int>(2, std::max(3, a.slow_commit_ms / 3))(rng);
    bool aimed = false;
    if (aim) {
      const auto baseline = server->in_flight().slow_calls_started;
      auto order_create_started = [&] {
        const auto now = server->in_flight();
        if (now.slow_calls_started == baseline) return false;
        for (const auto& c : now.calls)
          if (c == "sale.order.create" || c == "sale.order.load") return true;  // the old mapping, the new
        return false;
      };
      // No slow order create by then: an ordinary kill (the work must last the kills). Until one aimed
      // kill has landed, wait longer: a new child first waits out the grace period for the batches its
      // predecessor abandoned, and its first slow order call may come only after that.
      const int wait_ms = during_slow == 0 ? 800 + grace + 2 * a.slow_commit_ms : 800;
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds{wait_ms};
      int ignored = 0;
      while (std::chrono::steady_clock::now() < give_up && !order_create_started() &&
             waitpid(pid, &ignored, WNOHANG) == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds{1});
      }
      if (order_create_started()) {
        std::this_thread::sleep_for(std::chrono::milliseconds{into_slow_ms});
        aimed = server->in_flight().count() > 0;
      } else if (waitpid(pid, &ignored, WNOHANG) == pid) {
        ++finished_early;  // it ran out of work before the kill
        if (!WIFEXITED(ignored) || WEXITSTATUS(ignored) != 0)
          fail("a child failed on its own (status " + std::to_string(ignored) + ")");
        continue;
      }
      // else: no slow call in time, an ordinary kill
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds{delay_ms});
    }
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      ++finished_early;  // it ran out of work before the kill
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("a child failed on its own (status " + std::to_string(status) + ")");
      continue;
    }
    ::kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    ++killed;
    if (aimed) ++during_slow;  // its request is still running on the server and will commit after this
    if (leased_batches(store_path) > 0) ++mid_flight;  // it died holding batches: claimed, maybe sent, not settled
    if (killed % 25 == 0) {
      auto st = oss::SqliteStore::open(store_path);
      if (st) {
        auto s = st.value()->status().value();
        std::printf("  %3d kills: realtime %llu applied, %llu left; bulk %llu applied, %llu left\n", killed,
                    static_cast<unsigned long long>(s.lanes[0].applied),
                    static_cast<unsigned long long>(s.lanes[0].pending + s.lanes[0].in_flight),
                    static_cast<unsigned long long>(s.lanes[1].applied),
                    static_cast<unsigned long long>(s.lanes[1].pending + s.lanes[1].in_flight));
        std::fflush(stdout);
      }
    }
  }
  // The faults stay on: the last run must finish through them too.
  const pid_t last = spawn_child(self, child_args);
  int status = 0;
  waitpid(last, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail("the last run did not end idle (status " + std::to_string(status) + ")");
  control(url, http::Method::del, "");

  // What the store says: nothing lost, exactly the refused ones dead.
  auto store = oss::SqliteStore::open(store_path).value();
  auto st = store->status().value();
  std::uint64_t applied = 0, dead = 0, left = 0;
  for (const auto& l : st.lanes) {
    applied += l.applied;
    dead += l.dead;
    left += l.pending + l.in_flight;
  }
  if (left != 0) fail(std::to_string(left) + " events were never settled");
  if (applied + dead != w.valid_events) {
    fail("store holds " + std::to_string(applied + dead) + " settled events, expected " +
         std::to_string(w.valid_events));
  }
  std::set<std::string> dead_keys;
  const auto dead_events = store->list(oss::EventStatus::dead, 100'000).value();
  for (const auto& e : dead_events) {
    dead_keys.insert(e.event.source + " " + e.event.id);
    if (!w.dead.count(e.event.source + " " + e.event.id))
      fail("dead but valid: " + e.event.source + " " + e.event.id + ": " + e.error);
  }
  for (const auto& d : w.dead) {
    if (!dead_keys.count(d)) fail("should be dead: " + d);
  }

  // What Odoo says: quants, orders, products.
  std::map<std::int64_t, std::string> code_of;
  {
    auto rows = client->search_read("product.product", field("default_code").like("EMU-"), {"default_code", "name"});
    if (!rows) {
      fail("reading products: " + rows.error().to_string());
    } else {
      for (const auto& r : rows.value().GetArray()) {
        const std::string code = r["default_code"].GetString();
        code_of[r["id"].GetInt64()] = code;
        auto it = w.product_names.find(code);
        if (it != w.product_names.end() && it->second != r["name"].GetString()) {
          fail("product " + code + " is named '" + r["name"].GetString() + "', expected '" + it->second + "'");
        }
      }
    }
  }
  std::map<std::string, double> quant;
  for (const auto& loc : spec.locations) {
    auto rows =
        client->search_read("stock.quant", field("location_id.complete_name") == loc, {"product_id", "quantity"});
    if (!rows) {
      fail("reading quants: " + rows.error().to_string());
      continue;
    }
    for (const auto& r : rows.value().GetArray()) {
      const auto it = code_of.find(r["product_id"][0].GetInt64());
      if (it != code_of.end()) quant[it->second + "@" + loc] += r["quantity"].GetDouble();
    }
  }
  int quant_mismatch = 0;
  for (const auto& [key_, sum] : w.stock_final) {
    const double got = quant[key_];
    if (got != static_cast<double>(sum)) {
      ++quant_mismatch;
      fail("quant " + key_ + " is " + std::to_string(got) + ", expected " + std::to_string(sum));
    }
  }
  std::map<std::string, int> seen_orders;
  std::map<std::string, std::vector<std::int64_t>> order_ids;  // client_order_ref → sale.order ids
  int duplicated_orders = 0, extra_orders = 0;
  {
    auto rows = client->search_read("sale.order", field("client_order_ref").like("WEB-"),
                                    {"client_order_ref", "order_line", "state"}, {.order = "id"});
    if (!rows) {
      fail("reading orders: " + rows.error().to_string());
    } else {
      for (const auto& r : rows.value().GetArray())
        order_ids[r["client_order_ref"].GetString()].push_back(r["id"].GetInt64());
      for (const auto& [ref, ids] : order_ids) {
        if (ids.size() < 2) continue;
        ++duplicated_orders;
        extra_orders += static_cast<int>(ids.size()) - 1;
        std::string list;
        for (auto id : ids) list += (list.empty() ? "" : ", ") + std::to_string(id);
        fail(fmt::format("DUPLICATE order {}: {} sale.order records (ids {})", ref, ids.size(), list));
      }
      for (const auto& r : rows.value().GetArray()) {
        const std::string ref = r["client_order_ref"].GetString();
        if (++seen_orders[ref] > 1) continue;  // reported above
        auto it = w.order_lines.find(ref);
        if (it == w.order_lines.end()) {
          fail("unexpected order " + ref);
          continue;
        }
        if (static_cast<int>(r["order_line"].Size()) != it->second) {
          fail("order " + ref + " has " + std::to_string(r["order_line"].Size()) + " lines, expected " +
               std::to_string(it->second));
        }
        if (std::string(r["state"].GetString()) != "sale")
          fail("order " + ref + " is in state " + r["state"].GetString());
      }
    }
  }
  for (const auto& [number, lines] : w.order_lines) {
    if (!seen_orders.count(number)) fail("order " + number + " is missing");
  }
  // The kills must have caught batches mid-flight: some were resumed (and probed).
  std::size_t resumed = 0;
  {
    auto all = store->audit(oss::AuditQuery{.limit = 10'000'000}).value();
    for (const auto& e : all) resumed += e.action == "resumed" ? 1 : 0;
  }

  if (resumed == 0) fail("no batch was ever resumed after a kill");
  if (mid_flight < a.kills / 4) {
    fail("only " + std::to_string(mid_flight) + " of " + std::to_string(killed) +
         " kills caught the child holding batches");
  }

  if (a.slow_commit_ms > 0 && during_slow == 0) fail("no kill landed while a slow call was running on the server");

  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (duplicated_orders > 0) {
    std::printf(
        "crash harness: DUPLICATES: %d orders exist more than once (%d extra sale.order records) - see the DUPLICATE "
        "lines\n",
        duplicated_orders, extra_orders);
  }
  std::printf(
      "crash harness: %d kills (%d of them holding leased batches, %d while a slow call of theirs was running on the "
      "server; "
      "%d children had finished), %zu resumed batch members, %llu applied, %llu dead, %zu quants and %zu orders "
      "checked, "
      "%d duplicated orders, %.1f s: %s\n",
      killed, mid_flight, during_slow, finished_early, resumed, static_cast<unsigned long long>(applied),
      static_cast<unsigned long long>(dead), w.stock_final.size(), w.order_lines.size(), duplicated_orders, secs,
      failures == 0 ? "PASS" : "FAIL");
  if (failures == 0 && a.keep.empty()) odoosync::testing::remove_scratch(dir);
  return failures == 0 ? 0 : 1;
}
