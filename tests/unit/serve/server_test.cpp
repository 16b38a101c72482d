// WebhookServer over loopback: statuses through real HTTP, "200 only once durable" with a slow store,
// 413 before the body is sent, keep-alive, and a graceful stop with a request in flight.
#include <doctest/doctest.h>

#include <odoosync/serve/webhook_server.hpp>

#include <http_client.hpp>

#include <future>

#include "serve_support.hpp"

using namespace odoosync::testing::serve;
using odoosync::testing::HttpClient;
using odoosync::testing::HttpReply;

namespace {

struct Served {
  ControlledStore store;
  std::unique_ptr<sync::Engine> engine;
  TestChannel test;
  CapturedLog log;
  std::unique_ptr<srv::WebhookReceiver> receiver;
  std::unique_ptr<srv::WebhookServer> server;

  explicit Served(std::uint64_t high_water = 1'000'000, int threads = 4,
                  std::chrono::milliseconds read_timeout = std::chrono::milliseconds{5000},
                  std::size_t max_connections = 1024) {
    sync::EngineOptions eo;
    eo.lanes[0].high_water = high_water;
    engine = std::move(sync::Engine::create_intake(store, eo).value());
    std::vector<srv::ReceiverChannel> channels;
    channels.push_back(test.channel());
    srv::ReceiverOptions ro;
    ro.logger = log.logger();
    ro.retry_after = std::chrono::seconds{9};
    receiver = std::move(srv::WebhookReceiver::create(std::move(channels), *engine, ro).value());
    srv::ServerOptions so;
    so.threads = threads;
    so.logger = log.logger();
    so.read_timeout = read_timeout;
    so.max_connections = max_connections;
    auto s = srv::WebhookServer::start(*receiver, so);
    REQUIRE(s);
    server = std::move(s.value());
  }
};

HttpReply post(HttpClient& c, const std::string& body, const std::string& token = secret()) {
  return c.request("POST", "/webhooks/test?token=" + token, body, {{"X-Test-Token", token}});
}

}  // namespace

TEST_CASE("server: listens on 127.0.0.1 at the port it names, and answers every status over HTTP") {
  Served s(1);
  CHECK(s.server->address() == "127.0.0.1:" + std::to_string(s.server->port()));
  CHECK(s.server->port() != 0);
  HttpClient c(s.server->port());
  auto ok = post(c, stock_event("evt-1"));
  CHECK(ok.status == 200);
  CHECK(ok.header("content-type") == "application/json");
  CHECK(ok.body == "{\"status\":\"accepted\",\"events\":1,\"duplicates\":0}\n");
  auto dup = post(c, stock_event("evt-1"));  // the same connection: kept alive
  CHECK(dup.status == 200);
  CHECK(dup.body.find("\"duplicate\"") != std::string::npos);
  CHECK(s.store.held() == 1);
  auto busy = post(c, stock_event("evt-2", "SKU-2"));
  CHECK(busy.status == 503);
  CHECK(busy.header("retry-after") == "9");
  auto bad = post(c, stock_event("evt-3"), "forged");
  CHECK(bad.status == 401);
  auto invalid = post(c, "{}");
  CHECK(invalid.status == 400);
  CHECK(invalid.body.find("\"reason\":") != std::string::npos);
  CHECK(c.request("GET", "/webhooks/test").status == 405);
  CHECK(c.request("POST", "/webhooks/other", "{}").status == 404);
  auto health = c.request("GET", "/healthz");
  CHECK(health.status == 200);
  auto metrics = c.request("GET", "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find("odoosync_webhook_deliveries_total{channel=\"test\",outcome=\"backpressure\"} 1") !=
        std::string::npos);
  CHECK(s.store.held() == 1);
  const auto log = s.log.text();
  CHECK(log.find(secret()) == std::string::npos);
  CHECK(log.find("token=") == std::string::npos);
  CHECK(s.server->stop());
}

TEST_CASE("server: the 200 leaves only once the event is durable (a slow store is waited for)") {
  Served s;
  s.store.append_delay_ms = 300;
  HttpClient c(s.server->port());
  const auto t0 = std::chrono::steady_clock::now();
  auto r = post(c, stock_event("evt-slow"));
  const auto waited = std::chrono::steady_clock::now() - t0;
  CHECK(r.status == 200);
  // Read from the store underneath, the instant the answer arrived: the event is there.
  auto held = s.store.inner.get("channel/test", "evt-slow");
  REQUIRE(held);
  CHECK(held.value().has_value());
  CHECK(waited >= std::chrono::milliseconds{300});
}

TEST_CASE("server: 413 answers a declared length over the limit before the body is sent") {
  Served s;
  HttpClient c(s.server->port());
  // Headers alone, announcing 10 MB: the answer comes without a byte of the body.
  REQUIRE(
      c.send_raw("POST /webhooks/test HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n"
                 "Content-Type: application/json\r\n\r\n"));
  auto r = c.read_reply();
  CHECK(r.status == 413);
  CHECK(r.header("connection") == "close");
  CHECK(r.body.find("over the limit of 4096") != std::string::npos);
  // A chunked body has no declared length: cut where it passes the limit.
  HttpClient chunked(s.server->port());
  const std::string chunk(3000, 'x');
  char size[16];
  std::snprintf(size, sizeof size, "%zx", chunk.size());
  REQUIRE(chunked.send_raw("POST /webhooks/test HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                           std::string(size) + "\r\n" + chunk + "\r\n" + size + "\r\n" + chunk + "\r\n0\r\n\r\n"));
  auto rc = chunked.read_reply();
  CHECK(rc.status == 413);
  CHECK(s.store.held() == 0);
  CHECK(s.receiver->metrics().channels.at("test").deliveries[static_cast<std::size_t>(srv::Outcome::too_large)] == 2);
}

TEST_CASE("server: Expect: 100-continue is answered, then the body is read") {
  Served s;
  HttpClient c(s.server->port());
  const auto body = stock_event("evt-100");
  REQUIRE(c.send_raw("POST /webhooks/test HTTP/1.1\r\nHost: x\r\nX-Test-Token: " + secret() +
                     "\r\nExpect: 100-continue\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n"));
  auto cont = c.read_reply();
  CHECK(cont.status == 100);
  REQUIRE(c.send_raw(body));
  auto r = c.read_reply();
  CHECK(r.status == 200);
  CHECK(s.store.held() == 1);
}

TEST_CASE("server: a graceful stop finishes the request in flight, closes idle connections, refuses new ones") {
  Served s;
  *s.test.hold_ms = 600;  // the channel takes its time verifying
  HttpClient idle(s.server->port());
  REQUIRE(idle.connect());
  auto in_flight = std::async(std::launch::async, [&] {
    HttpClient c(s.server->port());
    return post(c, stock_event("evt-flight"));
  });
  while (s.test.entered->load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds{5});
  const auto t0 = std::chrono::steady_clock::now();
  const bool clean = s.server->stop(std::chrono::milliseconds{5000});
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(clean);
  auto r = in_flight.get();
  CHECK(r.status == 200);
  CHECK(r.header("connection") == "close");
  CHECK(s.store.held() == 1);                     // answered, and durable
  CHECK(took < std::chrono::milliseconds{3000});  // the idle connection did not hold the stop up
  CHECK(idle.closed_by_server());
  HttpClient late(s.server->port());
  CHECK_FALSE(late.connect());
}

TEST_CASE("server: a stop cut short at its deadline reports it") {
  Served s(1'000'000, 1);
  *s.test.hold_ms = 1500;
  auto in_flight = std::async(std::launch::async, [&] {
    HttpClient c(s.server->port());
    return post(c, stock_event("evt-long"));
  });
  while (s.test.entered->load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds{5});
  CHECK_FALSE(s.server->stop(std::chrono::milliseconds{100}));
  // The handling itself is not interrupted (the store never sees half a delivery): the event is durable
  // whether or not its answer left before the connection was cut.
  auto r = in_flight.get();
  CHECK((r.status == 0 || r.status == 200));
  CHECK(s.store.held() == 1);
}

TEST_CASE("server: concurrent senders are all answered, each event stored once") {
  Served s(1'000'000, 4);
  constexpr int senders = 8, each = 25;
  std::vector<std::future<int>> done;
  for (int t = 0; t < senders; ++t) {
    done.push_back(std::async(std::launch::async, [&, t] {
      HttpClient c(s.server->port());
      int ok = 0;
      for (int i = 0; i < each; ++i) {
        // Every event twice: the second is the provider's retry.
        const auto e = stock_event("evt-" + std::to_string(t) + "-" + std::to_string(i), "SKU-" + std::to_string(t));
        ok += post(c, e).status == 200;
        ok += post(c, e).status == 200;
      }
      return ok;
    }));
  }
  int ok = 0;
  for (auto& d : done) ok += d.get();
  CHECK(ok == senders * each * 2);
  CHECK(s.store.held() == static_cast<std::uint64_t>(senders * each));
  const auto m = s.receiver->metrics().channels.at("test");
  CHECK(m.events == static_cast<std::uint64_t>(senders * each));
  CHECK(m.duplicates == static_cast<std::uint64_t>(senders * each));
}

TEST_CASE("server: a sender that stalls mid-request is cut at read_timeout, and the others are served meanwhile") {
  Served s(1'000'000, 1, std::chrono::milliseconds{300});
  HttpClient slow(s.server->port());
  REQUIRE(slow.send_raw("POST /webhooks/test HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"half\":"));
  HttpClient other(s.server->port());  // one thread: reads are asynchronous, a stalled one blocks nobody
  CHECK(post(other, stock_event("evt-other")).status == 200);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(slow.closed_by_server());
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds{3000});
  CHECK(s.store.held() == 1);
}

TEST_CASE("server: connections over max_connections are closed on arrival") {
  Served s(1'000'000, 2, std::chrono::milliseconds{5000}, 2);
  HttpClient a(s.server->port()), b(s.server->port()), c(s.server->port());
  REQUIRE(a.connect());
  REQUIRE(b.connect());
  CHECK(a.request("GET", "/healthz").status == 200);
  CHECK(b.request("GET", "/healthz").status == 200);
  REQUIRE(c.connect());  // the kernel accepts it; the server closes it at once
  CHECK(c.closed_by_server());
  CHECK(s.log.text().find("max_connections reached") != std::string::npos);
}
