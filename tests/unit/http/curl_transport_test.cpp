// CurlTransport against the loopback server: every failure classification, keep-alive reuse across
// calls and threads, limits, gzip, proxies from the environment, cancellation, and the policies on top.
#include <doctest/doctest.h>

#include <loopback_server.hpp>
#include <tls_server.hpp>
#include <odoosync/core/json.hpp>
#include <odoosync/http/circuit_breaker.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/http/retry.hpp>

#include <boost/asio.hpp>

#include <atomic>
#include <cstdlib>
#include <thread>
#include <vector>

using namespace odoosync;
using namespace odoosync::http;
using odoosync::testing::LoopbackServer;
using odoosync::testing::Reply;
using odoosync::testing::ServerOptions;
using namespace std::chrono_literals;

namespace {
std::shared_ptr<CurlTransport> transport(CurlOptions o = {}) {
  o.proxy = "none";  // a proxy in the CI environment must not capture loopback requests
  auto t = CurlTransport::create(std::move(o));
  REQUIRE(t);
  return t.value();
}
Request post(std::string url, std::string body = R"({"jsonrpc":"2.0","method":"call","params":{}})") {
  Request r;
  r.url = std::move(url);
  r.body = std::move(body);
  return r;
}
Request get(std::string url) {
  Request r;
  r.method = Method::get;
  r.url = std::move(url);
  return r;
}
// A port on 127.0.0.1 that nothing listens on: bind one, note it, close it.
std::uint16_t closed_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  auto port = a.local_endpoint().port();
  a.close();
  return port;
}
}  // namespace

TEST_CASE("POST round-trips body, status and headers, the correlation id is sent") {
  LoopbackServer server;
  auto t = transport();
  Request req = post(server.url() + "/echo", R"({"a":"caf\u00e9"})");
  req.correlation_id = "corr-42";
  auto r = t->send(req);
  REQUIRE(r);
  CHECK(r.value().status == 200);
  CHECK(r.value().body == R"({"a":"caf\u00e9"})");
  CHECK(r.value().header("x-echo-method") == "POST");
  CHECK(r.value().header("content-type") == "application/json");  // our default for a body
  auto seen = server.seen();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].header("X-Correlation-Id") == "corr-42");
  CHECK(seen[0].header("User-Agent") == "odoosync/0.1");
  CHECK(seen[0].header("Expect").empty());
  CHECK(seen[0].header("Accept-Encoding").find("gzip") != std::string::npos);

  auto g = t->send(get(server.url() + "/echo"));
  REQUIRE(g);
  CHECK(g.value().header("x-echo-method") == "GET");
}

TEST_CASE("HTTP error statuses are responses, not errors") {
  LoopbackServer server;
  auto t = transport();
  for (int code : {400, 404, 429, 500, 503}) {
    auto r = t->send(post(server.url() + "/status/" + std::to_string(code)));
    REQUIRE(r);
    CHECK(r.value().status == code);
  }
}

TEST_CASE("keep-alive: sequential requests reuse one connection") {
  LoopbackServer server;
  auto t = transport();
  for (int i = 0; i < 20; ++i) REQUIRE(t->send(post(server.url() + "/echo")));
  CHECK(server.connections_accepted() == 1);
  CHECK(t->stats().requests == 20);
  CHECK(t->stats().connections_opened == 1);
}

TEST_CASE("keep_alive = false opens a connection per request, a close-mode server works too") {
  LoopbackServer server;
  CurlOptions o;
  o.keep_alive = false;
  auto t = transport(o);
  for (int i = 0; i < 5; ++i) REQUIRE(t->send(post(server.url() + "/echo")));
  CHECK(server.connections_accepted() == 5);

  LoopbackServer closing(ServerOptions{.keep_alive = false});
  auto t2 = transport();
  for (int i = 0; i < 5; ++i) REQUIRE(t2->send(post(closing.url() + "/echo")));
  CHECK(closing.connections_accepted() == 5);

  LoopbackServer once;
  REQUIRE(t2->send(post(once.url() + "/close")));
  REQUIRE(t2->send(post(once.url() + "/echo")));
  CHECK(once.connections_accepted() == 2);
}

TEST_CASE("threads share the transport and its warm connections" * doctest::test_suite("concurrency")) {
  LoopbackServer server;
  auto t = transport();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int i = 0; i < 50; ++i) {
        auto r = t->send(post(server.url() + "/echo", "{\"k\":" + std::to_string(k) + "}"));
        if (r && r.value().body == "{\"k\":" + std::to_string(k) + "}") ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(ok == 200);
  CHECK(server.connections_accepted() <= 4);  // one per concurrent caller at most, then reused
  CHECK(t->stats().connections_opened == server.connections_accepted());
}

TEST_CASE("connection refused: never sent, retryable") {
  auto t = transport();
  auto r = t->send(post("http://127.0.0.1:" + std::to_string(closed_port()) + "/jsonrpc"));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == ErrorKind::transport);
  CHECK(r.error().transport_failure() == TransportFailure::connect);
  CHECK_FALSE(r.error().request_sent());
  CHECK_FALSE(r.error().outcome_unknown());
  CHECK(r.error().retryable());
}

TEST_CASE("an unknown host: DNS failure, never sent") {
  auto t = transport();
  auto r = t->send(post("http://odoosync-test-host.invalid/jsonrpc"));
  REQUIRE_FALSE(r);
  CHECK(r.error().transport_failure() == TransportFailure::dns);
  CHECK_FALSE(r.error().outcome_unknown());
}

TEST_CASE("a TLS handshake that fails: never sent, not retryable") {
  // A peer that answers the ClientHello with plain-HTTP bytes, as a misconfigured port would.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  std::thread peer([&acceptor] {
    boost::asio::ip::tcp::socket s(acceptor.get_executor());
    boost::system::error_code ec;
    acceptor.accept(s, ec);
    if (ec) return;
    char hello[512];
    s.read_some(boost::asio::buffer(hello), ec);
    boost::asio::write(
        s, boost::asio::buffer(std::string_view("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")), ec);
    s.close(ec);
  });
  auto t = transport();
  auto r = t->send(post("https://127.0.0.1:" + std::to_string(port) + "/echo"));
  peer.join();
  REQUIRE_FALSE(r);
  CHECK(r.error().transport_failure() == TransportFailure::tls);
  CHECK_FALSE(r.error().request_sent());
  CHECK_FALSE(r.error().retryable());
}

TEST_CASE("a timeout after the request was sent is outcome-unknown") {
  LoopbackServer server;
  CurlOptions o;
  o.timeout = 300ms;
  auto t = transport(o);
  auto r = t->send(post(server.url() + "/hang"));
  REQUIRE_FALSE(r);
  CHECK(r.error().transport_failure() == TransportFailure::timeout);
  CHECK(r.error().request_sent());
  CHECK(r.error().outcome_unknown());
  CHECK(server.requests_received() == 1);

  Request slow = post(server.url() + "/slow?ms=2000");
  slow.timeout = 200ms;  // the per-request limit wins over the transport's
  auto s = t->send(slow);
  REQUIRE_FALSE(s);
  CHECK(s.error().transport_failure() == TransportFailure::timeout);
}

TEST_CASE("a deadline already passed fails before sending, a near one bounds the wait") {
  LoopbackServer server;
  auto t = transport();
  Request req = post(server.url() + "/hang");
  req.deadline = Clock::system().now() - 1ms;
  auto r = t->send(req);
  REQUIRE_FALSE(r);
  CHECK(r.error().transport_failure() == TransportFailure::timeout);
  CHECK_FALSE(r.error().request_sent());
  CHECK(server.requests_received() == 0);

  req.deadline = Clock::system().now() + 300ms;
  auto near = t->send(req);
  REQUIRE_FALSE(near);
  CHECK(near.error().outcome_unknown());
}

TEST_CASE("resets before or after the body, and truncated bodies, are outcome-unknown") {
  LoopbackServer server;
  auto t = transport();
  for (const char* path : {"/reset-before-body", "/reset-after-body", "/truncated"}) {
    CAPTURE(path);
    auto r = t->send(post(server.url() + path));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == ErrorKind::transport);
    CHECK(r.error().transport_failure() == TransportFailure::reset);
    CHECK(r.error().outcome_unknown());
    CHECK(r.error().retryable());
  }
  // the transport recovers: the next request on a fresh connection works
  REQUIRE(t->send(post(server.url() + "/echo")));
}

TEST_CASE("a large request body is sent whole") {
  LoopbackServer server;
  auto t = transport();
  std::string body(3 << 20, 'x');
  auto r = t->send(post(server.url() + "/echo", body));
  REQUIRE(r);
  CHECK(r.value().body.size() == body.size());
}

TEST_CASE("a response over the size limit is a protocol error, with or without Content-Length") {
  LoopbackServer server;
  CurlOptions o;
  o.max_response_bytes = 1000;
  auto t = transport(o);
  REQUIRE(t->send(post(server.url() + "/big?bytes=1000")));
  auto r = t->send(post(server.url() + "/big?bytes=1001"));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == ErrorKind::protocol);
  CHECK(r.error().message() == "response larger than the limit of 1000 bytes");
  CHECK(r.error().outcome_unknown());
  // decompressed size counts: the gzip route inflates past 1000 bytes from a small wire size
  auto z = t->send(get(server.url() + "/gzip"));
  REQUIRE_FALSE(z);
  CHECK(z.error().kind() == ErrorKind::protocol);
}

TEST_CASE("gzip responses are accepted and decoded") {
  LoopbackServer server;
  auto t = transport();
  auto r = t->send(get(server.url() + "/gzip"));
  REQUIRE(r);
  CHECK(r.value().header("content-encoding") == "gzip");
  auto doc = json::parse(r.value().body);
  REQUIRE(doc);
  CHECK(doc.value()["compressed"].GetBool());
}

TEST_CASE("an invalid body arrives as is and the JSON reader rejects it") {
  LoopbackServer server;
  auto t = transport();
  auto r = t->send(post(server.url() + "/invalid"));
  REQUIRE(r);
  auto doc = json::parse(r.value().body);
  REQUIRE_FALSE(doc);
  CHECK(doc.error().kind() == ErrorKind::protocol);
}

TEST_CASE("cancelling from another thread stops a call in flight") {
  LoopbackServer server;
  auto t = transport();
  Request req = post(server.url() + "/hang");
  req.cancel = CancellationToken{};
  std::thread canceller([tok = *req.cancel] {
    std::this_thread::sleep_for(100ms);
    tok.cancel();
  });
  auto r = t->send(req);
  canceller.join();
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == ErrorKind::cancelled);
  CHECK(r.error().outcome_unknown());
}

TEST_CASE("proxies come from the standard environment variables unless turned off") {
  LoopbackServer proxy;
  ::setenv("http_proxy", proxy.url().c_str(), 1);
  ::unsetenv("no_proxy");
  ::unsetenv("NO_PROXY");
  auto made = CurlTransport::create({});  // proxy option empty: the environment decides
  REQUIRE(made);
  auto r = made.value()->send(post("http://odoo.through-proxy.invalid/echo"));
  ::unsetenv("http_proxy");
  REQUIRE(r);  // the proxy (our loopback server) answered
  auto seen = proxy.seen();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].target.rfind("http://odoo.through-proxy.invalid/", 0) == 0);
}

TEST_CASE("bad options and URLs are refused with the setting named") {
  CurlOptions o;
  o.ca_file = "/nonexistent/ca.pem";
  auto r = CurlTransport::create(o);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == ErrorKind::validation);
  CHECK(r.error().message().find("ca_file") != std::string::npos);
  CurlOptions z;
  z.timeout = 0ms;
  CHECK(CurlTransport::create(z).error().message().find("timeout") != std::string::npos);
  auto t = transport();
  auto bad = t->send(post("gopher://127.0.0.1/"));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind() == ErrorKind::validation);
  CHECK(CurlOptions{}.verify_tls);  // on unless turned off
}

TEST_CASE("RetryTransport over curl: 429 with Retry-After then 503, then success") {
  LoopbackServer server;
  server.script("/echo", {Reply{.status = 429, .headers = {{"Retry-After", "2"}}},
                          Reply{.status = 503, .headers = {{"Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT"}}}});
  ManualClock clock;  // waits are recorded, not slept
  RetryTransport t(transport(), RetryPolicy{}, clock, 7);
  Request req = post(server.url() + "/echo", "{\"n\":1}");
  req.idempotent = true;
  auto r = t.send(req);
  REQUIRE(r);
  CHECK(r.value().status == 200);
  CHECK(r.value().attempts == 3);
  CHECK(server.scripted_remaining() == 0);
  auto sleeps = clock.sleeps();
  REQUIRE(sleeps.size() == 2);
  CHECK(sleeps[0] == 2s);
  CHECK(sleeps[1] == 0s);  // a date in the past: go now
}

TEST_CASE("RetryTransport over curl retries a reset only for idempotent requests") {
  LoopbackServer server;
  ManualClock clock;
  RetryTransport t(transport(), RetryPolicy{}, clock, 7);
  server.script("/echo", {Reply{.action = Reply::Action::reset_after_body}});
  auto once = t.send(post(server.url() + "/echo"));
  REQUIRE_FALSE(once);
  CHECK(once.error().outcome_unknown());
  CHECK(server.requests_received() == 1);

  server.script("/echo", {Reply{.action = Reply::Action::reset_after_body}});
  Request req = post(server.url() + "/echo");
  req.idempotent = true;
  REQUIRE(t.send(req));
  CHECK(server.requests_received() == 3);
}

TEST_CASE("circuit breaker over curl opens on a dead server and recovers when it is back") {
  ManualClock clock;
  auto breaker = std::make_shared<CircuitBreaker>(
      CircuitBreakerOptions{.failure_threshold = 2, .window = 10s, .cool_down = 1s}, clock);
  CircuitBreakerTransport t(transport(), breaker);
  const std::string dead = "http://127.0.0.1:" + std::to_string(closed_port()) + "/echo";
  CHECK_FALSE(t.send(post(dead)));
  CHECK_FALSE(t.send(post(dead)));
  CHECK(breaker->state() == CircuitState::open);
  CHECK(t.send(post(dead)).error().transport_failure() == TransportFailure::circuit_open);
  LoopbackServer server;
  clock.advance(1s);
  REQUIRE(t.send(post(server.url() + "/echo")));
  CHECK(breaker->state() == CircuitState::closed);
}

TEST_CASE("TLS: a self-signed certificate is refused by default, accepted with its ca_file or verification off") {
  odoosync::testing::TlsServer server;
  auto strict = transport();
  auto refused = strict->send(post(server.url() + "/echo"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().transport_failure() == TransportFailure::tls);
  CHECK_FALSE(refused.error().request_sent());
  CHECK_FALSE(refused.error().retryable());

  CurlOptions with_ca;
  with_ca.ca_file = server.ca_file();
  auto trusted = transport(with_ca)->send(post(server.url() + "/echo"));
  REQUIRE(trusted);
  CHECK(trusted.value().status == 200);
  CHECK(trusted.value().body == R"({"tls":true})");

  CurlOptions off;
  off.verify_tls = false;
  auto unverified = transport(off)->send(post(server.url() + "/echo"));
  REQUIRE(unverified);
  CHECK(server.handshakes() == 2);
}
