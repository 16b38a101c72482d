// The webhook receiver's figures (docs/benchmarks.md, "serve"): deliveries per second accepted durably,
// and the time to a durable 200 (p50, p99), for 1..N concurrent senders, three ways in one run, each
// into a fresh SqliteStore (FULL sync, as `serve` opens it):
//   raw     the store's own intake: Engine::submit of events decoded beforehand (no webhook at all);
//   direct  in-process: the channel's receive (HMAC-SHA256 verified, body decoded) then submit_many;
//   http    the same deliveries POSTed to WebhookServer over loopback, keep-alive, one connection per sender.
// The HMAC check is Shopify's own verifier; the mapping is the CloudEvent decoder (the provider mappings
// are measured by their own benchmarks), so http/direct is the price of HTTP and the server alone.
//
//   build/release/tests/bench/bench_serve [--deliveries N] [--senders 1,4,16] [--threads T] [--dir DIR]
#include <odoosync/channels/crypto.hpp>
#include <odoosync/channels/verifier.hpp>
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

std::vector<Delivery> deliveries(std::size_t n, const std::string& prefix) {
  std::vector<Delivery> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    Delivery d;
    d.body = R"({"specversion":"1.0","id":")" + prefix + std::to_string(i) +
             R"(","source":"channel/shop","type":"retail.stock.adjusted","time":"2026-12-01T10:15:00Z",)"
             R"("data":{"sku":"SKU-)" +
             std::to_string(i % 300) + R"(","location":"WH/Stock","delta":{"value":"-1","uom":"Units"}}})";
    d.hmac = channels::crypto::base64_encode(channels::crypto::hmac_sha256(secret, d.body));
    out.push_back(std::move(d));
  }
  return out;
}

serve::ReceiverChannel shop_channel() {
  channels::VerifierOptions o;
  o.secrets.emplace_back(secret);
  std::shared_ptr<const channels::Verifier> v = channels::make_verifier(channels::Provider::shopify, o).value();
  serve::ReceiverChannel c;
  c.name = "shop";
  c.receive = [v](const channels::Delivery& d) -> result<channels::Mapped> {
    ODOOSYNC_TRYV(v->verify(d));
    ODOOSYNC_TRY(e, retail::decode_event(d.body));
    channels::Mapped m;
    m.events.push_back(std::move(e));
    return m;
  };
  return c;
}

http::Headers headers_of(const Delivery& d, std::size_t i) {
  http::Headers h;
  h.add("X-Shopify-Topic", "inventory_levels/update");
  h.add("X-Shopify-Webhook-Id", "wh-" + std::to_string(i));
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
  std::printf("%zu deliveries per run, ~%zu bytes each, SqliteStore (FULL sync), server threads %d\n", n,
              deliveries(1, "x").front().body.size(), threads);
  std::printf("%8s | %-7s | %12s | %8s | %8s | %s\n", "senders", "way", "deliveries/s", "p50 ms", "p99 ms",
              "vs direct");
  for (const int s : senders) {
    const auto set = deliveries(n, "s" + std::to_string(s) + "-");

    // raw: the store's own intake of the same events, decoded beforehand.
    b.fresh();
    std::vector<retail::Event> events;
    events.reserve(n);
    for (const auto& d : set) events.push_back(retail::decode_event(d.body).value());
    auto raw = drive(n, s, [&] {
      return [&](std::size_t i) {
        auto r = b.engine->submit(events[i]);
        return r && r.value().intake == sync::Intake::accepted;
      };
    });
    if (b.held() != n) std::fprintf(stderr, "raw: %llu held\n", static_cast<unsigned long long>(b.held()));

    // direct: receive (verify + map) then submit_many, in-process.
    b.fresh();
    auto channel = shop_channel();
    auto direct = drive(n, s, [&] {
      return [&](std::size_t i) {
        channels::Delivery d;
        d.body = set[i].body;
        d.headers = headers_of(set[i], i);
        d.url = "http://127.0.0.1/webhooks/shop";
        auto m = channel.receive(d);
        if (!m) return false;
        auto r = b.engine->submit_many(m.value().events);
        return static_cast<bool>(r);
      };
    });
    if (b.held() != n) std::fprintf(stderr, "direct: %llu held\n", static_cast<unsigned long long>(b.held()));

    // http: through WebhookReceiver and WebhookServer on loopback.
    b.fresh();
    std::vector<serve::ReceiverChannel> list;
    list.push_back(shop_channel());
    auto receiver = serve::WebhookReceiver::create(std::move(list), *b.engine).value();
    serve::ServerOptions so;
    so.threads = threads;
    auto server = serve::WebhookServer::start(*receiver, so).value();
    const auto port = server->port();
    auto via_http = drive(n, s, [&] {
      auto client = std::make_shared<testing::HttpClient>(port);
      return [&, client](std::size_t i) {
        std::vector<std::pair<std::string, std::string>> h;
        for (const auto& [k, v] : headers_of(set[i], i)) h.emplace_back(k, v);
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
