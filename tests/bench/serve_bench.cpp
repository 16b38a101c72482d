// The webhook receiver's figures (docs/benchmarks.md, "serve"): deliveries per second accepted durably,
// and the time to a durable 200 (p50, p99), for 1..N concurrent senders, three ways in one run, each
// into a fresh SqliteStore (FULL sync, as `serve` opens it):
//   raw     the store's own intake: Engine::submit of the same events, mapped beforehand (no webhook at all);
//   direct  in-process: channels::Adapter::receive (HMAC-SHA256 verified, mapped) then submit_many;
//   http    the same deliveries POSTed to WebhookServer over loopback, keep-alive, one connection per sender.
// The deliveries are Shopify inventory_levels/update webhooks through the channel `serve` builds from its
// configuration (Shopify's HMAC check and mapping), so http/direct is the price of HTTP and the server alone.
//
//   build/release/tests/bench/bench_serve [--deliveries N] [--senders 1,4,16] [--threads T] [--rounds R]
//                                         [--normal] [--dir DIR]
// --threads: the server's threads (default: as many as senders, at least 4); --normal: SQLite's NORMAL sync.
#include <odoosync/channels/crypto.hpp>
#include <odoosync/channels/config.hpp>
#include <odoosync/channels/mapping.hpp>
#include <odoosync/serve/webhook_receiver.hpp>
#include <odoosync/serve/webhook_server.hpp>
#include <odoosync/sync/engine.hpp>
#include <odoosync/sync/sqlite_store.hpp>

#include <http_client.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace odoosync;
using Steady = std::chrono::steady_clock;

namespace {

const std::string secret = "bench-webhook-secret";

struct Delivery {
  std::string body;
  std::string hmac;
};

// Shopify inventory_levels/update deliveries (the payload of Shopify's documentation), 300 items.
std::vector<Delivery> deliveries(std::size_t n) {
  std::vector<Delivery> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    Delivery d;
    d.body = R"({"inventory_item_id":)" + std::to_string(808950000 + i % 300) +
             R"(,"location_id":655441491,"available":)" + std::to_string(i % 50) +
             R"(,"updated_at":"2024-04-02T08:57:27-05:00",)"
             R"("admin_graphql_api_id":"gid://shopify/InventoryLevel/655441491?inventory_item_id=)" +
             std::to_string(808950000 + i % 300) + "\"}";
    d.hmac = channels::crypto::base64_encode(channels::crypto::hmac_sha256(secret, d.body));
    out.push_back(std::move(d));
  }
  return out;
}

// The channel exactly as `serve` makes it from its configuration: Shopify's verifier and mapping.
channels::ChannelConfig shop_config() {
  channels::ChannelConfig c;
  c.name = "shop";
  c.provider = channels::Provider::shopify;
  c.options.secrets.emplace_back(secret);
  c.mapping.source = "channel/shop";
  c.mapping.currency = "EUR";
  c.mapping.locations = {{"655441491", "WH/Stock"}};
  for (int i = 0; i < 300; ++i) c.mapping.skus.emplace(std::to_string(808950000 + i), "SKU-" + std::to_string(i));
  return c;
}

http::Headers headers_of(const Delivery& d, const std::string& id) {
  http::Headers h;
  h.add("X-Shopify-Topic", "inventory_levels/update");
  h.add("X-Shopify-Webhook-Id", id);
  h.add("X-Shopify-Hmac-Sha256", d.hmac);
  h.add("Content-Type", "application/json");
  return h;
}

struct Figures {
  double per_s = 0, p50_ms = 0, p99_ms = 0;
  std::size_t ok = 0;
};

// Runs `one(i)` for every i in [0, n) on `senders` threads (each takes the next index); one() returns
// whether the delivery was accepted.
template <class One>
Figures drive(std::size_t n, int senders, One&& one_for_sender) {
  std::atomic<std::size_t> next{0}, ok{0};
  std::vector<std::vector<double>> lat(static_cast<std::size_t>(senders));
  const auto t0 = Steady::now();
  std::vector<std::thread> threads;
  for (int s = 0; s < senders; ++s) {
    threads.emplace_back([&, s] {
      auto one = one_for_sender();
      for (;;) {
        const auto i = next.fetch_add(1);
        if (i >= n) return;
        const auto a = Steady::now();
        if (one(i)) ok.fetch_add(1);
        lat[static_cast<std::size_t>(s)].push_back(
            std::chrono::duration<double, std::milli>(Steady::now() - a).count());
      }
    });
  }
  for (auto& t : threads) t.join();
  const double secs = std::chrono::duration<double>(Steady::now() - t0).count();
  std::vector<double> all;
  for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  Figures f;
  f.ok = ok.load();
  f.per_s = static_cast<double>(f.ok) / secs;
  if (!all.empty()) {
    f.p50_ms = all[all.size() / 2];
    f.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  }
  return f;
}

// The median of each figure over the rounds.
Figures median(std::vector<Figures> runs) {
  auto pick = [&](double Figures::*field) {
    std::vector<double> v;
    for (const auto& r : runs) v.push_back(r.*field);
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  Figures f;
  f.per_s = pick(&Figures::per_s);
  f.p50_ms = pick(&Figures::p50_ms);
  f.p99_ms = pick(&Figures::p99_ms);
  return f;
}

struct Bench {
  fs::path dir;
  sync::SqliteOptions options{};
  int run = 0;
  std::unique_ptr<sync::SqliteStore> store;
  std::unique_ptr<sync::Engine> engine;

  void fresh() {
    engine.reset();
    store.reset();
    const auto path = dir / ("serve-bench-" + std::to_string(++run) + ".db");
    store = sync::SqliteStore::open(path.string(), options).value();
    engine = sync::Engine::create_intake(*store).value();
  }
  // Every delivery must have been taken in, once.
  void check(const char* way, std::size_t n) {
    std::uint64_t held = 0;
    for (const auto& l : store->status().value().lanes) held += l.total();
    if (held != n) {
      std::fprintf(stderr, "%s: %llu events held, %zu expected\n", way, static_cast<unsigned long long>(held), n);
      std::exit(1);
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 2000;
  std::vector<int> senders = {1, 4, 16};
  int threads = 0;  // 0: as many server threads as senders (at least 4, the default of serve)
  int rounds = 3;
  bool normal = false;
  fs::path dir = fs::temp_directory_path() / ("odoosync-serve-bench-" + std::to_string(::getpid()));
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--deliveries" && i + 1 < argc) {
      n = std::stoul(argv[++i]);
    } else if (a == "--threads" && i + 1 < argc) {
      threads = std::stoi(argv[++i]);
    } else if (a == "--rounds" && i + 1 < argc) {
      rounds = std::max(1, std::stoi(argv[++i]));
    } else if (a == "--normal") {
      normal = true;
    } else if (a == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (a == "--senders" && i + 1 < argc) {
      senders.clear();
      std::stringstream ss(argv[++i]);
      std::string item;
      while (std::getline(ss, item, ',')) senders.push_back(std::stoi(item));
    } else {
      std::fprintf(stderr,
                   "usage: bench_serve [--deliveries N] [--senders 1,4,16] [--threads T] [--rounds R] [--normal] "
                   "[--dir DIR]\n");
      return 2;
    }
  }
  fs::create_directories(dir);
  Bench b{dir};
  b.options.synchronous_full = !normal;
  std::printf(
      "%zu deliveries per run (Shopify inventory_levels/update, ~%zu bytes, HMAC-SHA256), SqliteStore "
      "(%s sync), medians of %d interleaved rounds\n",
      n, deliveries(1).front().body.size(), normal ? "NORMAL" : "FULL", rounds);
  std::printf("%8s | %-12s | %12s | %8s | %8s | %s\n", "senders", "way", "deliveries/s", "p50 ms", "p99 ms",
              "vs direct");
  const auto set = deliveries(n);
  auto adapter = channels::Adapter::make(shop_config()).value();
  for (const int s : senders) {
    const auto id = [&](std::size_t i) { return "s" + std::to_string(s) + "-" + std::to_string(i); };
    auto delivery = [&](std::size_t i) {
      channels::Delivery d;
      d.body = set[i].body;
      d.headers = headers_of(set[i], id(i));
      d.url = "http://127.0.0.1/webhooks/shop";
      return d;
    };
    std::vector<retail::Event> events;
    events.reserve(n);
    for (std::size_t i = 0; i < n; ++i) events.push_back(adapter.receive(delivery(i)).value().events.at(0));
    const int server_threads = threads > 0 ? threads : std::max(4, s);

    std::vector<Figures> raw, direct, via_http;
    for (int round = 0; round < rounds; ++round) {
      // raw: the store's own intake of the same events, mapped beforehand.
      b.fresh();
      raw.push_back(drive(n, s, [&] {
        return [&](std::size_t i) {
          auto r = b.engine->submit(events[i]);
          return r && r.value().intake == sync::Intake::accepted;
        };
      }));
      b.check("raw", n);

      // direct: Adapter::receive (verify + map) then submit_many, in-process.
      b.fresh();
      direct.push_back(drive(n, s, [&] {
        return [&](std::size_t i) {
          auto m = adapter.receive(delivery(i));
          if (!m) return false;
          auto r = b.engine->submit_many(m.value().events);
          return static_cast<bool>(r);
        };
      }));
      b.check("direct", n);

      // http: through WebhookReceiver and WebhookServer on loopback, one keep-alive connection per sender.
      b.fresh();
      auto receiver =
          serve::WebhookReceiver::create(std::vector<channels::ChannelConfig>{shop_config()}, *b.engine).value();
      serve::ServerOptions so;
      so.threads = server_threads;
      auto server = serve::WebhookServer::start(*receiver, so).value();
      const auto port = server->port();
      via_http.push_back(drive(n, s, [&] {
        auto client = std::make_shared<testing::HttpClient>(port);
        return [&, client](std::size_t i) {
          std::vector<std::pair<std::string, std::string>> h;
          for (const auto& [k, v] : headers_of(set[i], id(i))) h.emplace_back(k, v);
          auto r = client->request("POST", "/webhooks/shop", set[i].body, h);
          return r.status == 200;
        };
      }));
      server->stop();
      b.check("http", n);
    }
    const auto d = median(direct);
    auto row = [&](const std::string& way, const Figures& f) {
      std::printf("%8d | %-12s | %12.0f | %8.2f | %8.2f | %.2fx\n", s, way.c_str(), f.per_s, f.p50_ms, f.p99_ms,
                  f.per_s / d.per_s);
    };
    row("raw", median(raw));
    row("direct", d);
    row("http (T=" + std::to_string(server_threads) + ")", median(via_http));
    std::fflush(stdout);
  }
  b.engine.reset();
  b.store.reset();
  fs::remove_all(dir);
  return 0;
}
