// The channel emulators' loopback server, reached through the project's own HTTP stack (CurlTransport).
#include <doctest/doctest.h>

#include <odoosync/emulator/channel_server.hpp>
#include <odoosync/http/curl_transport.hpp>

#include <atomic>

using namespace odoosync;
namespace ce = odoosync::channel_emulator;

TEST_CASE("channel server: hands each request to its handler and answers what it says") {
  std::atomic<int> calls{0};
  auto server = ce::ChannelServer::start([&](const ce::FakeRequest& r) {
    ++calls;
    if (r.path == "/reset") {
      ce::FakeResponse cut;
      cut.action = ce::FakeResponse::Action::reset;
      return cut;
    }
    return ce::json_response(r.path == "/limited" ? 429 : 200,
                             "{\"method\":\"" + r.method + "\",\"path\":\"" + r.path + "\",\"sku\":\"" +
                                 r.query_param("sku") + "\",\"auth\":\"" + r.header("x-token") +
                                 "\",\"body\":" + (r.body.empty() ? std::string("null") : r.body) + "}",
                             {{"Retry-After", "2"}});
  });
  REQUIRE(server);
  auto transport = http::CurlTransport::create();
  REQUIRE(transport);

  http::Request req;
  req.method = http::Method::post;
  req.url = server.value()->url() + "/items?sku=A%2FB+1&x=2";
  req.headers.set("X-Token", "t1");
  req.headers.set("Content-Type", "application/json");
  req.body = "{\"n\":1}";
  auto res = transport.value()->send(req);
  REQUIRE(res);
  CHECK(res.value().status == 200);
  CHECK(res.value().body == R"({"method":"POST","path":"/items","sku":"A/B 1","auth":"t1","body":{"n":1}})");
  CHECK(res.value().header("content-type").value_or("") == "application/json");

  req.url = server.value()->url() + "/limited";
  req.body.clear();
  res = transport.value()->send(req);
  REQUIRE(res);
  CHECK(res.value().status == 429);
  CHECK(res.value().header("retry-after").value_or("") == "2");

  req.url = server.value()->url() + "/reset";
  res = transport.value()->send(req);
  CHECK_FALSE(res);
  // libcurl sends a request again once when a reused keep-alive connection is cut before any answer.
  CHECK(calls.load() >= 3);
  CHECK(server.value()->requests() == static_cast<std::uint64_t>(calls.load()));
  server.value()->stop();
  server.value()->stop();  // idempotent
}

TEST_CASE("channel server: a taken port is a clear error") {
  auto first = ce::ChannelServer::start([](const ce::FakeRequest&) { return ce::json_response(200, "{}"); });
  REQUIRE(first);
  auto second = ce::ChannelServer::start([](const ce::FakeRequest&) { return ce::json_response(200, "{}"); },
                                         first.value()->port());
  REQUIRE_FALSE(second);
  CHECK(second.error().message().find("cannot listen on 127.0.0.1:" + std::to_string(first.value()->port())) !=
        std::string::npos);
}
