// Every fault mode of the emulator, injected through the control endpoint, seen by the real Client
// (libcurl, retry, circuit breaker): each is classified as the SDK promises, and the emulator reports
// that each injected fault was consumed.
#include <doctest/doctest.h>

#include "test_odoo.hpp"

#include <odoosync/emulator/emulated_odoo.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/odoo/client.hpp>

using namespace odoosync;
using namespace odoosync::odoo;

namespace {
// The shared fixture; faults go in and are read back through the control endpoint (TestOdoo::control).
struct Fixture {
  testing::TestOdoo odoo;

  explicit Fixture(int version = 18) : odoo(version) {}

  std::string url() const { return odoo.url(); }
  std::string api_key() const { return odoo.emulator->api_key(); }
  void inject(const std::string& json) { odoo.inject(json); }
  std::string faults() { return odoo.control("faults"); }
  std::string snapshot(const std::string& model) { return odoo.control("snapshot?model=" + model); }
  // A client of its own, with the default options (retry, circuit breaker) and these credentials.
  std::shared_ptr<Client> client(bool password = false, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    Config c;
    c.url = url();
    c.database = "retail18";
    c.login = "admin";
    if (password)
      c.password = Secret("admin");
    else
      c.api_key = Secret(api_key());
    c.protocol = Protocol::jsonrpc;
    c.timeout = timeout;
    return Client::create(c).value();
  }
};
}  // namespace

TEST_CASE("503 and 429 with Retry-After: a read is retried and succeeds, the faults were consumed") {
  Fixture f;
  f.inject(R"({"kind": "http_503", "model": "res.partner", "method": "search_count", "retry_after_s": 0})");
  f.inject(R"({"kind": "http_429", "model": "res.partner", "method": "search_count", "retry_after_s": 0})");
  auto c = f.client();
  auto n = c->search_count("res.partner", {});
  REQUIRE_MESSAGE(static_cast<bool>(n), (n ? std::string() : n.error().to_string()));
  CHECK(n.value() > 0);
  CHECK(f.faults().find(
            R"("kind": "http_503", "model": "res.partner", "method": "search_count", "times": 1, "consumed": 1)") !=
        std::string::npos);
  CHECK(f.faults().find(
            R"("kind": "http_429", "model": "res.partner", "method": "search_count", "times": 1, "consumed": 1)") !=
        std::string::npos);
}

TEST_CASE("502/504 on a write: not retried, an http error whose outcome is unknown") {
  Fixture f;
  f.inject(R"({"kind": "http_504", "model": "res.partner", "method": "create"})");
  auto c = f.client();
  auto id = c->create("res.partner", Values().set("name", "Gateway"));
  REQUIRE_FALSE(id);
  CHECK(id.error().kind() == ErrorKind::http);
  CHECK(id.error().http_status() == 504);
  CHECK(id.error().outcome_unknown());
  CHECK(id.error().retryable());
}

TEST_CASE("a reset before the call is applied, and one after it was applied and committed") {
  Fixture f;
  auto c = f.client();
  REQUIRE(c->search_count("res.partner", {}));  // logs in first
  f.inject(R"({"kind": "reset_before", "model": "res.partner", "method": "create"})");
  auto before = c->create("res.partner", Values().set("name", "Never Applied"));
  REQUIRE_FALSE(before);
  CHECK(before.error().transport_failure() == TransportFailure::reset);
  CHECK(before.error().outcome_unknown());  // the client cannot tell the two apart
  CHECK(f.snapshot("res.partner").find("Never Applied") == std::string::npos);

  f.inject(R"({"kind": "reset_after", "model": "res.partner", "method": "create"})");
  auto after = c->create("res.partner", Values().set("name", "Applied Anyway"));
  REQUIRE_FALSE(after);
  CHECK(after.error().transport_failure() == TransportFailure::reset);
  CHECK(after.error().outcome_unknown());
  CHECK(f.snapshot("res.partner").find("Applied Anyway") != std::string::npos);  // committed before the reset
}

TEST_CASE("latency beyond the client's timeout: a timeout after sending") {
  Fixture f;
  f.inject(R"({"kind": "latency", "model": "res.partner", "method": "create", "latency_ms": 1500})");
  auto c = f.client(false, std::chrono::milliseconds(300));
  REQUIRE(c->search_count("res.partner", {}));
  auto r = c->create("res.partner", Values().set("name", "Slow"));
  REQUIRE_FALSE(r);
  CHECK(r.error().transport_failure() == TransportFailure::timeout);
  CHECK(r.error().outcome_unknown());
}

TEST_CASE("a serialization failure is a retryable conflict and writes nothing") {
  Fixture f;
  f.inject(R"({"kind": "serialization_failure", "model": "res.partner", "method": "write"})");
  auto c = f.client();
  auto w = c->write("res.partner", {3}, Values().set("name", "Conflicted"));
  REQUIRE_FALSE(w);
  CHECK(w.error().kind() == ErrorKind::conflict);
  CHECK(w.error().retryable());
  CHECK(w.error().odoo_class() == "psycopg2.errors.SerializationFailure");
  CHECK(f.snapshot("res.partner").find("Conflicted") == std::string::npos);
  REQUIRE(c->write("res.partner", {3}, Values().set("name", "Conflicted")));  // consumed: the retry works
}

TEST_CASE("session expiry: the web-session client logs in again once and the call succeeds") {
  Fixture f;
  auto c = f.client(true);
  REQUIRE(c->search_count("res.partner", {}));
  f.inject(R"({"kind": "session_expired", "model": "res.partner", "method": "search_count"})");
  auto n = c->search_count("res.partner", {});
  REQUIRE_MESSAGE(static_cast<bool>(n), (n ? std::string() : n.error().to_string()));
  CHECK(f.faults().find(R"("consumed": 1)") != std::string::npos);
}

TEST_CASE("an expired API key: an auth error, over JSON-RPC and JSON-2") {
  Fixture f;
  auto c = f.client();
  REQUIRE(c->search_count("res.partner", {}));
  f.inject(R"({"kind": "key_expired", "model": "res.partner", "method": "search_count"})");
  auto r = c->search_count("res.partner", {});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == ErrorKind::auth);

  Fixture f19(19);
  Config c19;
  c19.url = f19.url();
  c19.api_key = Secret(f19.api_key());
  auto j = Client::create(c19).value();
  REQUIRE(j->search_count("res.partner", {}));
  f19.inject(R"({"kind": "key_expired", "model": "res.partner", "method": "search_count"})");
  auto e = j->search_count("res.partner", {});
  REQUIRE_FALSE(e);
  CHECK(e.error().kind() == ErrorKind::auth);
  CHECK(e.error().message().find("expired") != std::string::npos);
}

TEST_CASE("a down window answers 503 until cleared, the circuit breaker then fails fast") {
  Fixture f;
  f.inject(R"({"kind": "down", "times": 0, "retry_after_s": 0})");
  auto c = f.client();
  // The login is a read, so the retry policy tries it again, and every 503 counts against the
  // breaker (default: 5 failures in 30 s): the first call uses them up.
  auto first = c->create("res.partner", Values().set("name", "Down"));
  REQUIRE_FALSE(first);
  CHECK(first.error().http_status() == 503);
  CHECK(first.error().attempts() >= 4);
  auto fast = c->create("res.partner", Values().set("name", "Down"));
  REQUIRE_FALSE(fast);
  CHECK(fast.error().transport_failure() == TransportFailure::circuit_open);
  CHECK_FALSE(fast.error().request_sent());
  CHECK(f.snapshot("res.partner").find("\"Down\"") == std::string::npos);
}

TEST_CASE("faults with a probability follow the seed: the same seed gives the same sequence") {
  auto run = [](std::uint64_t seed) {
    auto started = EmulatedOdoo::start({.seed = seed, .data_dir = ODOOSYNC_EMULATOR_DATA_DIR});
    REQUIRE_MESSAGE(started, (started ? std::string() : started.error().to_string()));
    auto& server = *started.value();
    REQUIRE(server.inject(
        R"({"kind": "http_503", "model": "res.partner", "method": "search_count", "times": 0, "probability": 0.3, "retry_after_s": 0})"));
    auto curl = http::CurlTransport::create({.proxy = "none"}).value();
    std::string pattern;
    for (int i = 0; i < 40; ++i) {
      http::Request r;
      r.url = server.url() + "/jsonrpc";
      r.body =
          R"({"jsonrpc":"2.0","method":"call","params":{"service":"object","method":"execute_kw","args":["retail18",2,")" +
          server.api_key() + R"(","res.partner","search_count",[[]]]},"id":1})";
      pattern += curl->send(r).value().status == 503 ? 'x' : '.';
    }
    return pattern;
  };
  const auto a = run(7), b = run(7), c = run(8);
  CHECK(a == b);
  CHECK(a != c);
  const auto failures = std::count(a.begin(), a.end(), 'x');
  CHECK(failures > 2);
  CHECK(failures < 25);
}
