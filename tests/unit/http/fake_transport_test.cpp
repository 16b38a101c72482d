// FakeTransport: scripted answers, fallback, recorded requests; InstrumentedTransport on top of it.
#include <doctest/doctest.h>

#include <odoosync/core/json.hpp>
#include <odoosync/http/fake_transport.hpp>
#include <odoosync/http/instrumented_transport.hpp>

using namespace odoosync;
using namespace odoosync::http;

TEST_CASE("FakeTransport answers in order, then from its fallback, and records every request") {
  FakeTransport fake;
  fake.push_json(200, R"({"result":1})").push(Error::transport(TransportFailure::reset, true, "boom"));
  Request req{.url = "http://x/jsonrpc", .body = "{}"};
  auto a = fake.send(req);
  REQUIRE(a);
  CHECK(a.value().body == R"({"result":1})");
  CHECK(a.value().header("content-type") == "application/json");
  CHECK(fake.send(req).error().transport_failure() == TransportFailure::reset);
  auto none = fake.send(req);
  REQUIRE_FALSE(none);
  CHECK(none.error().message() == "FakeTransport: no scripted answer for POST http://x/jsonrpc");
  fake.set_fallback([](const Request& r) -> result<Response> { return Response{.status = 201, .body = r.body}; });
  CHECK(fake.send(req).value().status == 201);
  CHECK(fake.request_count() == 4);
  CHECK(fake.remaining() == 0);
  CHECK(fake.requests()[0].url == "http://x/jsonrpc");
}

TEST_CASE("InstrumentedTransport logs without secrets and counts by method and status") {
  auto fake = std::make_shared<FakeTransport>();
  fake->push_json(503, "{}").push(Error::transport(TransportFailure::timeout, true, "slow"));
  std::vector<std::string> lines;
  auto sink = std::make_shared<JsonLinesSink>([&lines](std::string_view l) { lines.emplace_back(l); }, LogLevel::debug);
  auto metrics = std::make_shared<InMemoryMetrics>();
  InstrumentedTransport t(fake, Logger(sink), metrics);
  Request req{.url = "https://odoo.test/json/2/res.partner/search_read?token=SECRET-Q",
              .body = "{\"password\":\"SECRET-B\"}"};
  req.headers.add("Authorization", "Bearer SECRET-KEY");
  req.headers.add("Content-Type", "application/json");
  CHECK(t.send(req).value().status == 503);
  CHECK_FALSE(t.send(req));
  REQUIRE(lines.size() == 2);
  for (const auto& l : lines) {
    CHECK(l.find("SECRET") == std::string::npos);
    CHECK(json::parse(l));
  }
  CHECK(lines[0].find("application/json") != std::string::npos);
  CHECK(lines[1].find("outcome_unknown\":true") != std::string::npos);
  CHECK(metrics->counter(R"(odoosync_http_requests_total{method="POST",status="503"})") == 1);
  CHECK(metrics->counter(R"(odoosync_http_requests_total{method="POST",status="error:timeout"})") == 1);
  CHECK(metrics->summary(R"(odoosync_http_request_seconds{method="POST"})").count == 2);
}
