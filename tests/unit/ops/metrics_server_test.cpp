// ops::MetricsServer on loopback: what GET /metrics and /healthz answer, what it refuses, a callback that
// throws, many scrapes at once, an idle connection closed at its deadline and by stop(); and
// ops::prometheus_text over an InMemoryMetrics sink.
#include <doctest/doctest.h>

#include <odoosync/core/metrics.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/ops/api_key_expiry.hpp>
#include <odoosync/ops/metrics_server.hpp>
#include <odoosync/ops/prometheus_text.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace odoosync;

namespace {

std::unique_ptr<ops::MetricsServer> serve(ops::MetricsServerOptions o) {
  auto s = ops::MetricsServer::start(std::move(o));
  REQUIRE_MESSAGE(s, (s ? std::string() : s.error().to_string()));
  return std::move(s).value();
}

result<http::Response> request(const std::string& url, http::Method method = http::Method::get) {
  auto t = http::CurlTransport::create({.connect_timeout = std::chrono::milliseconds{2000},
                                        .timeout = std::chrono::milliseconds{5000},
                                        .proxy = "none",
                                        .keep_alive = false});
  REQUIRE(t);
  http::Request r;
  r.method = method;
  r.url = url;
  return t.value()->send(r);
}

// A plain TCP connection to 127.0.0.1:port that sends nothing; -1 when it cannot connect.
int connect_idle(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Seconds until the server closes `fd` (a read returns 0 or fails), at most `limit`.
double seconds_until_closed(int fd, double limit) {
  timeval tv{};
  tv.tv_sec = static_cast<long>(limit);
  tv.tv_usec = static_cast<long>((limit - static_cast<double>(tv.tv_sec)) * 1e6);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const auto t0 = std::chrono::steady_clock::now();
  char c = 0;
  const auto n = ::recv(fd, &c, 1, 0);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return n <= 0 && took < limit ? took : limit;
}

}  // namespace

TEST_CASE("metrics server: GET /metrics answers the callback's text, /healthz 200, others 404 and 405") {
  std::atomic<int> calls{0};
  auto s = serve({.listen = "127.0.0.1:0", .metrics = [&] {
                    ++calls;
                    return std::string("# TYPE x gauge\nx 1\n");
                  }});
  REQUIRE(s->port() != 0);
  CHECK(s->address() == "127.0.0.1:" + std::to_string(s->port()));
  const std::string base = "http://" + s->address();

  auto m = request(base + "/metrics");
  REQUIRE_MESSAGE(m, (m ? std::string() : m.error().to_string()));
  CHECK(m.value().status == 200);
  CHECK(m.value().body == "# TYPE x gauge\nx 1\n");
  CHECK(m.value().header("Content-Type").value_or("") == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(calls == 1);
  auto q = request(base + "/metrics?name[]=x");  // Prometheus' own scrapes may carry a query
  REQUIRE(q);
  CHECK(q.value().status == 200);

  auto h = request(base + "/healthz");
  REQUIRE(h);
  CHECK(h.value().status == 200);
  CHECK(h.value().body == "ok\n");

  auto nf = request(base + "/");
  REQUIRE(nf);
  CHECK(nf.value().status == 404);
  auto post = request(base + "/metrics", http::Method::post);
  REQUIRE(post);
  CHECK(post.value().status == 405);
  CHECK(post.value().header("Allow").value_or("") == "GET");
  CHECK(calls == 2);  // neither the 404 nor the 405 asked for metrics
}

TEST_CASE("metrics server: /healthz is 503 with the reason while the health callback fails") {
  std::atomic<bool> healthy{true};
  auto s = serve({.listen = "127.0.0.1:0",
                  .metrics = [] { return std::string(); },
                  .health = [&]() -> result<void> {
                    if (healthy) return success();
                    return Error(ErrorKind::storage, "database is locked");
                  }});
  const std::string url = "http://" + s->address() + "/healthz";
  CHECK(request(url).value().status == 200);
  healthy = false;
  auto bad = request(url);
  REQUIRE(bad);
  CHECK(bad.value().status == 503);
  CHECK(bad.value().body == "unhealthy: database is locked\n");
  healthy = true;
  CHECK(request(url).value().status == 200);
}

TEST_CASE("metrics server: a callback that throws is a 500, and the server goes on") {
  std::atomic<bool> fail{true};
  auto s = serve({.listen = "127.0.0.1:0", .metrics = [&] {
                    if (fail) throw std::runtime_error("store gone");
                    return std::string("y 2\n");
                  }});
  const std::string url = "http://" + s->address() + "/metrics";
  auto r = request(url);
  REQUIRE(r);
  CHECK(r.value().status == 500);
  CHECK(r.value().body.find("store gone") != std::string::npos);
  fail = false;
  auto ok = request(url);
  REQUIRE(ok);
  CHECK(ok.value().status == 200);
  CHECK(ok.value().body == "y 2\n");
}

TEST_CASE("metrics server: refuses bad addresses, a missing callback and a port already taken") {
  for (const char* bad : {"", "nope", "127.0.0.1", "127.0.0.1:", "127.0.0.1:99999", "127.0.0.1:80x", ":9464",
                          "example.com:9464", "::1:9464", "[::1:9464"}) {
    CAPTURE(bad);
    auto s = ops::MetricsServer::start({.listen = bad, .metrics = [] { return std::string(); }});
    REQUIRE_FALSE(s);
    CHECK(s.error().kind() == ErrorKind::validation);
    CHECK(s.error().message().find("expected HOST:PORT") != std::string::npos);
  }
  auto none = ops::MetricsServer::start({.listen = "127.0.0.1:0"});
  REQUIRE_FALSE(none);
  CHECK(none.error().kind() == ErrorKind::validation);

  auto first = serve({.listen = "localhost:0", .metrics = [] { return std::string(); }});
  CHECK(first->address().rfind("127.0.0.1:", 0) == 0);
  auto second = ops::MetricsServer::start({.listen = first->address(), .metrics = [] { return std::string(); }});
  REQUIRE_FALSE(second);
  CHECK(second.error().kind() == ErrorKind::transport);
  CHECK(second.error().message().find("cannot listen on " + first->address()) != std::string::npos);
}

TEST_CASE("metrics server: many scrapes at once all get their answer") {
  std::atomic<int> calls{0};
  auto s = serve({.listen = "127.0.0.1:0", .metrics = [&] {
                    ++calls;
                    return std::string(64 * 1024, 'z');  // larger than one write
                  }});
  const std::string url = "http://" + s->address() + "/metrics";
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto r = request(url);
        if (r && r.value().status == 200 && r.value().body.size() == 64 * 1024) ++good;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(good == 80);
  CHECK(calls == 80);
}

TEST_CASE("metrics server: an idle connection is closed at the deadline, and stop() does not wait for it") {
  auto s = serve(
      {.listen = "127.0.0.1:0", .metrics = [] { return std::string(); }, .io_timeout = std::chrono::milliseconds{300}});
  const int idle = connect_idle(s->port());
  REQUIRE(idle >= 0);
  const double closed_after = seconds_until_closed(idle, 5.0);
  ::close(idle);
  CHECK(closed_after >= 0.2);
  CHECK(closed_after < 3.0);

  auto slow = serve({.listen = "127.0.0.1:0", .metrics = [] { return std::string(); }});  // 10 s deadline
  const auto port = slow->port();
  const int held = connect_idle(port);
  REQUIRE(held >= 0);
  std::this_thread::sleep_for(std::chrono::milliseconds{100});  // accepted by now
  const auto t0 = std::chrono::steady_clock::now();
  slow->stop();
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(took < 1.5);
  CHECK(seconds_until_closed(held, 2.0) < 2.0);
  ::close(held);
  slow->stop();  // twice: nothing
  const int after = connect_idle(port);
  CHECK(after == -1);
  if (after >= 0) ::close(after);
}

TEST_CASE("prometheus_text: counters, summaries with their max, gauges, one TYPE line per name") {
  InMemoryMetrics sink;
  const MetricLabel ok[] = {{"method", "POST"}, {"status", "200"}};
  const MetricLabel failed[] = {{"method", "POST"}, {"status", "error:timeout"}};
  sink.increment("odoosync_http_requests_total", ok, 3);
  sink.increment("odoosync_http_requests_total", failed);
  const MetricLabel post[] = {{"method", "POST"}};
  sink.observe("odoosync_http_request_seconds", post, 0.25);
  sink.observe("odoosync_http_request_seconds", post, 0.75);
  const MetricLabel q[] = {{"name", "a\"b"}};
  sink.gauge("host_queue", q, 4.5);
  const auto text = ops::prometheus_text(sink);
  CHECK(text ==
        "# TYPE host_queue gauge\n"
        "host_queue{name=\"a\\\"b\"} 4.5\n"
        "# TYPE odoosync_http_request_seconds summary\n"
        "odoosync_http_request_seconds_count{method=\"POST\"} 2\n"
        "odoosync_http_request_seconds_sum{method=\"POST\"} 1.000000\n"
        "# TYPE odoosync_http_request_seconds_max gauge\n"
        "odoosync_http_request_seconds_max{method=\"POST\"} 0.750000\n"
        "# TYPE odoosync_http_requests_total counter\n"
        "odoosync_http_requests_total{method=\"POST\",status=\"200\"} 3\n"
        "odoosync_http_requests_total{method=\"POST\",status=\"error:timeout\"} 1\n");
  CHECK(ops::prometheus_text(InMemoryMetrics{}).empty());
}

TEST_CASE("api_key_expiry_gauge: seconds left, negative once expired, nothing without an expiry") {
  const auto now = std::chrono::system_clock::time_point{std::chrono::hours{24 * 20000}};
  const auto g = ops::api_key_expiry_gauge(now + std::chrono::hours{48}, now);
  CHECK(g.find("# TYPE odoosync_api_key_expiry_seconds gauge\n") != std::string::npos);
  CHECK(g.find("\nodoosync_api_key_expiry_seconds 172800.000\n") != std::string::npos);
  CHECK(
      ops::api_key_expiry_gauge(now - std::chrono::seconds{5}, now).find("odoosync_api_key_expiry_seconds -5.000\n") !=
      std::string::npos);
  CHECK(ops::api_key_expiry_gauge(std::nullopt, now).empty());
}
