// The webhook receiver's figures (docs/benchmarks.md, "serve"): deliveries per second accepted durably,
// and the time to a durable 200 (p50, p99), for 1..N concurrent senders, three ways in one run, each
// into a fresh SqliteStore (FULL sync, as `serve` opens it):
//   raw     the store's own intake: Engine::submit of the same events, mapped beforehand (no webhook at all);
//   direct  in-process: channels::Adapter::receive (HMAC-SHA256 verified, mapped) then submit_many;
//   http    the same deliveries POSTed to WebhookServer over loopback, keep-alive, one connection per sender.
// The deliveries are Shopify inventory_levels/update webhooks through the channel `serve` builds from its
// configuration (Shopify's HMAC check and mapping), so http/direct is the price of HTTP and the server alone.
//
//   build/release/tests/bench/bench_serve [--deliveries N] [--senders 1,4,16] [--threads T] [--dir DIR]
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
    d.body = R"({"inventory_item_id":)" + std::to_string(808950000 + i % 300) + R"(,"location_id":655441491,"available":)" +
             std::to_string(i % 50) + R"(,"updated_at":"2024-04-02T08:57:27-05:00",)"
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
        lat[static_cast<std::size_t>(s)].push_back(std::chrono::duration<double, std::milli>(Steady::now() - a).count());
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

struct Bench {
  fs::path dir;
  int run = 0;
  std::unique_ptr<sync::SqliteStore> store;
  std::unique_ptr<sync::Engine> engine;

  void fresh() {
    engine.reset();
    store.reset();
    const auto path = dir / ("serve-bench-" + std::to_string(++run) + ".db");
    store = sync::SqliteStore::open(path.string()).value();
    engine = sync::Engine::create_intake(*store).value();
  }
  std::uint64_t held() {
    std::uint64_t n = 0;
    for (const auto& l : store->status().value().lanes) n += l.total();
    return n;
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 4000;
  std::vector<int> senders = {1, 4, 16};
  int threads = 4;
  fs::path dir = fs::temp_directory_path() / ("odoosync-serve-bench-" + std::to_string(::getpid()));
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--deliveries" && i + 1 < argc) {
      n = std::stoul(argv[++i]);
    } else if (a == "--threads" && i + 1 < argc) {
      threads = std::stoi(argv[++i]);
    } else if (a == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (a == "--senders" && i + 1 < argc) {
      senders.clear();
      std::stringstream ss(argv[++i]);
      std::string item;
      while (std::getline(ss, item, ',')) senders.push_back(std::stoi(item));
    } else {
      std::fprintf(stderr, "usage: bench_serve [--deliveries N] [--senders 1,4,16] [--threads T] [--dir DIR]\n");
      return 2;
    }
  }
  fs::create_directories(dir);
  Bench b{dir};
  std::printf("%zu deliveries per run (Shopify inventory_levels/update, ~%zu bytes, HMAC-SHA256), SqliteStore "
              "(FULL sync), server threads %d\n",
              n, deliveries(1).front().body.size(), threads);
  std::printf("%8s | %-7s | %12s | %8s | %8s | %s\n", "senders", "way", "deliveries/s", "p50 ms", "p99 ms",
              "vs direct");
  for (const int s : senders) {
    const auto set = deliveries(n);
    const auto id = [&](std::size_t i) { return "s" + std::to_string(s) + "-" + std::to_string(i); };
    auto adapter = channels::Adapter::make(shop_config()).value();
    auto delivery = [&](std::size_t i) {
      channels::Delivery d;
      d.body = set[i].body;
      d.headers = headers_of(set[i], id(i));
      d.url = "http://127.0.0.1/webhooks/shop";
      return d;
    };

    // raw: the store's own intake of the same events, mapped beforehand.
    b.fresh();
    std::vector<retail::Event> events;
    events.reserve(n);
    for (std::size_t i = 0; i < n; ++i) events.push_back(adapter.receive(delivery(i)).value().events.at(0));
    auto raw = drive(n, s, [&] {
      return [&](std::size_t i) {
        auto r = b.engine->submit(events[i]);
        return r && r.value().intake == sync::Intake::accepted;
      };
    });
    if (b.held() != n) std::fprintf(stderr, "raw: %llu held\n", static_cast<unsigned long long>(b.held()));

    // direct: Adapter::receive (verify + map) then submit_many, in-process.
    b.fresh();
    auto direct = drive(n, s, [&] {
      return [&](std::size_t i) {
        auto m = adapter.receive(delivery(i));
        if (!m) return false;
        auto r = b.engine->submit_many(m.value().events);
        return static_cast<bool>(r);
      };
    });
    if (b.held() != n) std::fprintf(stderr, "direct: %llu held\n", static_cast<unsigned long long>(b.held()));

    // http: through WebhookReceiver and WebhookServer on loopback.
    b.fresh();
    auto receiver = serve::WebhookReceiver::create(std::vector<channels::ChannelConfig>{shop_config()}, *b.engine).value();
    serve::ServerOptions so;
    so.threads = threads;
    auto server = serve::WebhookServer::start(*receiver, so).value();
    const auto port = server->port();
    auto via_http = drive(n, s, [&] {
      auto client = std::make_shared<testing::HttpClient>(port);
      return [&, client](std::size_t i) {
        std::vector<std::pair<std::string, std::string>> h;
        for (const auto& [k, v] : headers_of(set[i], id(i))) h.emplace_back(k, v);
        auto r = client->request("POST", "/webhooks/shop", set[i].body, h);
        return r.status == 200;
      };
    });
    server->stop();
    if (b.held() != n) std::fprintf(stderr, "http: %llu held\n", static_cast<unsigned long long>(b.held()));

    auto row = [&](const char* way, const Figures& f) {
      std::printf("%8d | %-7s | %12.0f | %8.2f | %8.2f | %.2fx\n", s, way, f.per_s, f.p50_ms, f.p99_ms,
                  f.per_s / direct.per_s);
    };
    row("raw", raw);
    row("direct", direct);
    row("http", via_http);
    std::fflush(stdout);
  }
  b.engine.reset();
  b.store.reset();
  fs::remove_all(dir);
  return 0;
}
