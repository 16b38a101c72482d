// Client over FakeTransport: what goes on the wire for each protocol, logins, version detection,
// session expiry, positional → named mapping, and decoded answers.
#include <doctest/doctest.h>

#include <canary.hpp>

#include <odoosync/http/fake_transport.hpp>
#include <odoosync/http/trace_context.hpp>
#include <odoosync/odoo/client.hpp>

#include <atomic>
#include <thread>

using namespace odoosync;
using namespace odoosync::odoo;
using http::FakeTransport;
using http::Request;
using http::Response;

namespace {
Config jsonrpc_config() {
  Config c;
  c.url = "http://odoo.test/";
  c.database = "retail18";
  c.login = "admin";
  c.api_key = Secret(odoosync::testing::canary_api_key());
  c.protocol = Protocol::jsonrpc;
  return c;
}
Config json2_config() {
  Config c;
  c.url = "http://odoo.test";
  c.database = "retail19";
  c.api_key = Secret(odoosync::testing::canary_api_key());
  c.protocol = Protocol::json2;
  return c;
}
Response reply(int status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
  Response r;
  r.status = status;
  r.headers.add("Content-Type", "application/json");
  for (auto& [k, v] : headers) r.headers.add(k, v);
  r.body = std::move(body);
  return r;
}
std::string rpc_result(std::string_view value) {
  return std::string(R"({"jsonrpc":"2.0","id":1,"result":)") + std::string(value) + "}";
}
// The params object of a JSON-RPC request, re-serialised canonically.
std::string params_of(const Request& r) {
  auto d = json::parse(r.body);
  REQUIRE(d);
  return json::to_string(d.value()["params"]);
}
std::shared_ptr<Client> make(Config c, std::shared_ptr<FakeTransport> fake) {
  auto client = Client::create(std::move(c), fake);
  REQUIRE(client);
  return client.value();
}
}  // namespace

TEST_CASE("JSON-RPC with an API key: authenticate once, then execute_kw with positional arguments") {
  auto fake = std::make_shared<FakeTransport>();
  fake->push(reply(200, rpc_result("2")))
      .push(reply(200, rpc_result(R"([{"id":1,"name":"Desk"}])")))
      .push(reply(200, rpc_result("7")));
  auto c = make(jsonrpc_config(), fake);
  auto rows = c->search_read("product.product", field("sale_ok") == true, {"name"}, {.limit = 5, .order = "id asc"});
  REQUIRE(rows);
  CHECK(std::string(rows.value()[0]["name"].GetString()) == "Desk");
  auto count = c->search_count("res.partner", {});
  REQUIRE(count);
  CHECK(count.value() == 7);
  auto sent = fake->requests();
  REQUIRE(sent.size() == 3);
  CHECK(sent[0].url == "http://odoo.test/jsonrpc");
  CHECK(params_of(sent[0]) == R"({"service":"common","method":"authenticate","args":["retail18","admin",")" +
                                  odoosync::testing::canary_api_key() + R"(",{}]})");
  CHECK(params_of(sent[1]) ==
        R"({"service":"object","method":"execute_kw","args":["retail18",2,")" + odoosync::testing::canary_api_key() +
            R"(",)"
            R"("product.product","search_read",[[["sale_ok","=",true]],["name"],0,5,"id asc"]]})");
  CHECK(params_of(sent[2]).find(R"("res.partner","search_count",[[]]])") != std::string::npos);
  CHECK(sent[1].idempotent);  // reads may be resent after a timeout
}

TEST_CASE("a failed JSON-RPC login is an auth error that names login and database, never the key") {
  auto fake = std::make_shared<FakeTransport>();
  fake->push(reply(200, rpc_result("false")));
  auto c = make(jsonrpc_config(), fake);
  auto r = c->search_count("res.partner", {});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == ErrorKind::auth);
  CHECK(r.error().message().find("'admin'") != std::string::npos);
  CHECK(r.error().message().find("'retail18'") != std::string::npos);
  CHECK(r.error().to_string().find("0123456789abcdef") == std::string::npos);
}

TEST_CASE("JSON-2: bearer key, database header, ids and named arguments in one object") {
  auto fake = std::make_shared<FakeTransport>();
  fake->push(reply(200, R"([{"id":3,"name":"Gemini Furniture"}])")).push(reply(200, "[46]")).push(reply(200, "true"));
  auto c = make(json2_config(), fake);
  auto rows = c->read("res.partner", {3}, {"name"});
  REQUIRE(rows);
  CHECK(rows.value()[0]["id"].GetInt() == 3);
  auto id = c->create("res.partner", Values().set("name", "Acme"));
  REQUIRE(id);
  CHECK(id.value() == 46);
  REQUIRE(c->write("res.partner", {46}, Values().set("phone", "+32 2 555 01 01")));
  auto sent = fake->requests();
  REQUIRE(sent.size() == 3);
  CHECK(sent[0].url == "http://odoo.test/json/2/res.partner/read");
  CHECK(sent[0].headers.get("Authorization") == "bearer " + odoosync::testing::canary_api_key());
  CHECK(sent[0].headers.get("X-Odoo-Database") == "retail19");
  CHECK(sent[0].body == R"({"ids":[3],"fields":["name"]})");
  CHECK(sent[1].body == R"({"vals_list":[{"name":"Acme"}]})");
  CHECK(sent[2].body == R"({"ids":[46],"vals":{"phone":"+32 2 555 01 01"}})");
}

TEST_CASE("auto protocol: JSON-2 on a 19 server with an API key, JSON-RPC on 18") {
  {
    auto fake = std::make_shared<FakeTransport>();
    fake->push(reply(200, R"({"version_info":[19,0,0,"final",0,""],"version":"19.0"})")).push(reply(200, "5"));
    Config cfg = json2_config();
    cfg.protocol = Protocol::automatic;
    cfg.login = "admin";
    auto c = make(cfg, fake);
    REQUIRE(c->protocol());
    CHECK(c->protocol().value() == Protocol::json2);
    CHECK(c->version().value().text == "19.0");
    REQUIRE(c->search_count("res.partner", {}));
    CHECK(fake->requests()[0].method == http::Method::get);
    CHECK(fake->requests()[1].url == "http://odoo.test/json/2/res.partner/search_count");
    CHECK(fake->request_count() == 2);  // the version was asked once
  }
  {
    auto fake = std::make_shared<FakeTransport>();
    Response not_found;
    not_found.status = 404;
    not_found.body = "<html>Not Found</html>";
    fake->push(not_found)
        .push(reply(
            200,
            rpc_result(
                R"({"server_version":"18.0","server_version_info":[18,0,0,"final",0,""],"server_serie":"18.0","protocol_version":1})")))
        .push(reply(200, rpc_result("2")))
        .push(reply(200, rpc_result("3")));
    Config cfg = jsonrpc_config();
    cfg.protocol = Protocol::automatic;
    auto c = make(cfg, fake);
    CHECK(c->protocol().value() == Protocol::jsonrpc);
    CHECK(c->version().value().major == 18);
    CHECK(c->search_count("res.partner", {}).value() == 3);
    CHECK(fake->requests()[1].url == "http://odoo.test/web/webclient/version_info");
  }
  {
    auto fake = std::make_shared<FakeTransport>();
    fake->push(reply(200, R"({"version_info":["saas~18",4,0,"final",0,""],"version":"saas~18.4"})"));
    Config cfg = jsonrpc_config();
    cfg.protocol = Protocol::automatic;
    auto c = make(cfg, fake);
    CHECK(c->version().value().major == 18);
    CHECK(c->protocol().value() == Protocol::jsonrpc);  // saas~18.4's JSON-2 is the incompatible early form
  }
}

TEST_CASE("web session: a password logs in once, and again once when the session expires") {
  auto fake = std::make_shared<FakeTransport>();
  const std::string expired =
      R"({"jsonrpc":"2.0","id":null,"error":{"code":100,"message":"Odoo Session Expired","data":{"name":"odoo.http.SessionExpiredException","debug":"Traceback...","message":"Session expired","arguments":["Session expired"],"context":{}}}})";
  fake->push(reply(200, rpc_result(R"({"uid":2})"), {{"Set-Cookie", "session_id=abc123; HttpOnly; Path=/"}}))
      .push(reply(200, rpc_result("4")))
      .push(reply(200, expired))
      .push(reply(200, rpc_result(R"({"uid":2})"), {{"Set-Cookie", "session_id=def456; HttpOnly; Path=/"}}))
      .push(reply(200, rpc_result("5")))
      .push(reply(200, expired))
      .push(reply(200, rpc_result(R"({"uid":2})"), {{"Set-Cookie", "session_id=ghi789; Path=/"}}))
      .push(reply(200, expired));
  Config cfg = jsonrpc_config();
  cfg.api_key = Secret();
  cfg.password = Secret("hunter2-password");
  auto c = make(cfg, fake);
  CHECK(c->search_count("res.partner", {}).value() == 4);
  CHECK(c->search_count("res.partner", {}).value() == 5);
  auto third = c->search_count("res.partner", {});
  REQUIRE_FALSE(third);  // expired again right after logging in: reported, not looped
  CHECK(third.error().kind() == ErrorKind::auth);
  CHECK(third.error().odoo_class() == "odoo.http.SessionExpiredException");
  auto sent = fake->requests();
  REQUIRE(sent.size() == 8);
  CHECK(sent[0].url == "http://odoo.test/web/session/authenticate");
  CHECK(sent[1].url == "http://odoo.test/web/dataset/call_kw/res.partner/search_count");
  CHECK(sent[1].headers.get("Cookie") == "session_id=abc123");
  CHECK(params_of(sent[1]) == R"({"model":"res.partner","method":"search_count","args":[[]],"kwargs":{}})");
  CHECK(sent[4].headers.get("Cookie") == "session_id=def456");
  CHECK(third.error().to_string().find("hunter2") == std::string::npos);
}

TEST_CASE("JSON-2 raw call with positional arguments names them from /doc-bearer, cached") {
  auto fake = std::make_shared<FakeTransport>();
  const char* doc = R"J({"model":"res.partner","name":"Contact","doc":"","fields":{},"methods":{
    "search_read":{"signature":"(domain=None, fields=None, offset=0, limit=None, order=None, read_kwargs)","api":["model"],
      "parameters":{"domain":{},"fields":{},"offset":{},"limit":{},"order":{},"read_kwargs":{"kind":"VAR_KEYWORD"}}},
    "write":{"signature":"(vals)","parameters":{"vals":{}}}}})J";
  fake->push(reply(200, doc)).push(reply(200, "[]")).push(reply(200, "true"));
  auto c = make(json2_config(), fake);
  REQUIRE(c->call("res.partner", "search_read", R"([[["is_company","=",true]],["name"]])", R"({"limit":2})"));
  REQUIRE(c->call("res.partner", "write", R"([[7],{"name":"X"}])"));
  auto sent = fake->requests();
  REQUIRE(sent.size() == 3);
  CHECK(sent[0].url == "http://odoo.test/doc-bearer/res.partner.json");
  CHECK(sent[1].body == R"({"domain":[["is_company","=",true]],"fields":["name"],"limit":2})");
  CHECK(sent[2].body == R"({"ids":[7],"vals":{"name":"X"}})");

  auto too_many = c->call("res.partner", "write", R"([[7],{"name":"X"},3])");
  REQUIRE_FALSE(too_many);
  CHECK(too_many.error().kind() == ErrorKind::validation);
  auto twice = c->call("res.partner", "search_read", R"([[]])", R"({"domain":[]})");
  CHECK(twice.error().message().find("both by position and by name") != std::string::npos);
  auto unknown = c->call("res.partner", "frobnicate", "[1]");
  CHECK(unknown.error().kind() == ErrorKind::not_found);
  CHECK(fake->request_count() == 3);  // the doc was fetched once
}

TEST_CASE("a method that returns None is success with null, in both protocols") {
  auto fake = std::make_shared<FakeTransport>();
  fake->push(reply(200, rpc_result("2"))).push(reply(200, R"({"jsonrpc":"2.0","id":44})"));
  auto c = make(jsonrpc_config(), fake);
  auto r = c->call_named("stock.quant", "action_apply_inventory", {12});
  REQUIRE(r);
  CHECK(r.value().IsNull());
  auto fake2 = std::make_shared<FakeTransport>();
  fake2->push(reply(200, "null"));
  auto c2 = make(json2_config(), fake2);
  auto r2 = c2->call_named("stock.quant", "action_apply_inventory", {12});
  REQUIRE(r2);
  CHECK(r2.value().IsNull());
  CHECK(fake2->requests()[0].body == R"({"ids":[12]})");
}

TEST_CASE("load: ids on success, on a bad row a validation error naming each row and field") {
  auto fake = std::make_shared<FakeTransport>();
  fake->push(reply(200, R"({"ids":[164,165],"messages":[],"nextrow":0})"))
      .push(reply(
          200,
          R"({"ids":false,"messages":[{"type":"error","rows":{"from":1,"to":1},"record":1,"field":"list_price","field_name":"Sales Price","message":"'abc' does not seem to be a number for field 'Sales Price'"}],"nextrow":0})"));
  auto c = make(json2_config(), fake);
  auto ok = c->load("product.product", {"id", "name", "list_price"},
                    {{"odoosync.p_1", "Desk", "12.50"}, {"odoosync.p_2", "Chair", "7"}});
  REQUIRE(ok);
  CHECK(ok.value().written());
  CHECK(ok.value().ids == std::vector<std::int64_t>{164, 165});
  CHECK(
      fake->requests()[0].body ==
      R"({"fields":["id","name","list_price"],"data":[["odoosync.p_1","Desk","12.50"],["odoosync.p_2","Chair","7"]]})");
  auto bad = c->load("product.product", {"id", "list_price"}, {{"odoosync.p_1", "1"}, {"odoosync.p_2", "abc"}});
  REQUIRE(bad);  // the call succeeded; Odoo refused the rows
  CHECK_FALSE(bad.value().written());
  CHECK(bad.value().ids.empty());
  REQUIRE(bad.value().messages.size() == 1);
  CHECK(bad.value().messages[0].row == 1);
  CHECK(bad.value().messages[0].field == "list_price");
  const Error refused = bad.value().refusal("product.product");
  CHECK(refused.kind() == ErrorKind::validation);
  CHECK(refused.odoo_class() == "odoo.exceptions.ValidationError");
  CHECK(refused.message().find("row 1 field 'list_price'") != std::string::npos);
  auto ragged = c->load("product.product", {"id", "name"}, {{"only-one"}});
  CHECK(ragged.error().message() == "load: row 0 has 1 values for 2 fields");
}

TEST_CASE("the default context is merged under the call's own") {
  auto fake = std::make_shared<FakeTransport>();
  fake->push(reply(200, "[]")).push(reply(200, "[]"));
  Config cfg = json2_config();
  cfg.lang = "fr_FR";
  cfg.tz = "Europe/Brussels";
  cfg.allowed_company_ids = {1, 3};
  auto c = make(cfg, fake);
  REQUIRE(c->search("res.partner", {}));
  REQUIRE(c->search("res.partner", {}, {}, {.context_json = R"({"lang":"en_US","active_test":false})"}));
  auto sent = fake->requests();
  CHECK(
      sent[0].body ==
      R"({"context":{"lang":"fr_FR","tz":"Europe/Brussels","allowed_company_ids":[1,3]},"domain":[],"offset":0,"limit":null,"order":null})");
  CHECK(sent[1].body.find(
            R"("context":{"tz":"Europe/Brussels","allowed_company_ids":[1,3],"lang":"en_US","active_test":false})") !=
        std::string::npos);
}

TEST_CASE("an expired key is an auth error that says so, a rotated key is used at once") {
  auto fake = std::make_shared<FakeTransport>();
  fake
      ->push(reply(
          401,
          R"({"name":"werkzeug.exceptions.Unauthorized","message":"Invalid apikey","arguments":["Invalid apikey",401],"context":{},"debug":"Traceback"})",
          {{"WWW-Authenticate", "Bearer "}}))
      .push(reply(200, "1"));
  auto c = make(json2_config(), fake);
  auto r = c->search_count("res.partner", {});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == ErrorKind::auth);
  CHECK(r.error().message().find("expired") != std::string::npos);
  CHECK(r.error().odoo_class() == "werkzeug.exceptions.Unauthorized");
  CHECK(r.error().debug().empty());
  c->rotate_api_key(Secret("1111111111111111111111111111111111111111"));
  REQUIRE(c->search_count("res.partner", {}));
  CHECK(fake->requests()[1].headers.get("Authorization") == "bearer 1111111111111111111111111111111111111111");
}

TEST_CASE("helpers refuse what Odoo would silently accept") {
  auto fake = std::make_shared<FakeTransport>();
  auto c = make(json2_config(), fake);
  CHECK(c->write("res.partner", {}, Values().set("name", "x")).error().kind() == ErrorKind::validation);
  CHECK(c->unlink("res.partner", {}).error().kind() == ErrorKind::validation);
  CHECK(c->read("res.partner", {}, {}).value().Size() == 0);
  CHECK(c->search("res.partner", field("name") == std::string("\xFF")).error().kind() == ErrorKind::validation);
  CHECK(fake->request_count() == 0);  // nothing was sent
}

TEST_CASE("bad configuration names the setting") {
  auto fake = std::make_shared<FakeTransport>();
  Config c;
  CHECK(Client::create(c, fake).error().message().find("ODOO_URL") != std::string::npos);
  c.url = "odoo.example.com";
  CHECK(Client::create(c, fake).error().message().find("missing scheme") != std::string::npos);
  c.url = "https://odoo.example.com/odoo";
  CHECK(Client::create(c, fake).error().message().find("without a path") != std::string::npos);
  c.url = "https://odoo.example.com";
  CHECK(Client::create(c, fake).error().message().find("ODOO_API_KEY / ODOO_PASSWORD") != std::string::npos);
  c.password = Secret("x");
  CHECK(Client::create(c, fake).error().message().find("ODOO_DB") != std::string::npos);
  c.database = "db";
  CHECK(Client::create(c, fake).error().message().find("ODOO_USER") != std::string::npos);
  c.login = "admin";
  CHECK(Client::create(c, fake));
  c.protocol = Protocol::json2;
  CHECK(Client::create(c, fake).error().message().find("API key") != std::string::npos);
  CHECK(parse_protocol("xmlrpc").error().message().find("auto, jsonrpc, json2") != std::string::npos);
}

TEST_CASE("Config::from_env reads ODOO_* over the base") {
  ::setenv("ODOO_URL", "http://127.0.0.1:8069", 1);
  ::setenv("ODOO_DB", "retail18", 1);
  ::setenv("ODOO_USER", "admin", 1);
  ::setenv("ODOO_API_KEY", "k", 1);
  ::setenv("ODOO_PROTOCOL", "jsonrpc", 1);
  ::setenv("ODOO_COMPANY_IDS", "1,3", 1);
  auto c = Config::from_env();
  REQUIRE(c);
  CHECK(c.value().url == "http://127.0.0.1:8069");
  CHECK(c.value().api_key.reveal() == "k");
  CHECK(c.value().protocol == Protocol::jsonrpc);
  CHECK(c.value().allowed_company_ids == std::vector<std::int64_t>{1, 3});
  ::setenv("ODOO_COMPANY_IDS", "1,x", 1);
  CHECK(Config::from_env().error().message().find("ODOO_COMPANY_IDS") != std::string::npos);
  ::setenv("ODOO_PROTOCOL", "soap", 1);
  CHECK(Config::from_env().error().message().find("ODOO_PROTOCOL") != std::string::npos);
  for (const char* v : {"ODOO_URL", "ODOO_DB", "ODOO_USER", "ODOO_API_KEY", "ODOO_PROTOCOL", "ODOO_COMPANY_IDS"})
    ::unsetenv(v);
}

TEST_CASE("one client serves many threads" * doctest::test_suite("concurrency")) {
  auto fake = std::make_shared<FakeTransport>();
  fake->set_fallback([](const Request& r) -> result<Response> {
    return reply(200, r.url.find("search_count") != std::string::npos ? "42" : "[]");
  });
  auto c = make(json2_config(), fake);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i)
        if (auto r = c->search_count("res.partner", field("id") > i); r && r.value() == 42) ++ok;
    });
  for (auto& t : threads) t.join();
  CHECK(ok == 200);
}

TEST_CASE("calls carry their deadline and cancellation token down to the transport") {
  auto fake = std::make_shared<FakeTransport>();
  fake->push(reply(200, "3")).push(reply(200, "true"));
  auto c = make(json2_config(), fake);
  CallOptions o;
  o.deadline = Clock::system().now() + std::chrono::seconds(5);
  o.cancel = CancellationToken{};
  REQUIRE(c->search_count("res.partner", {}, o));
  REQUIRE(c->write("res.partner", {3}, Values().set("name", "x"), o));
  auto sent = fake->requests();
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].deadline == o.deadline);
  REQUIRE(sent[0].cancel);
  o.cancel->cancel();
  CHECK(sent[0].cancel->cancelled());  // the same token: cancelling it reaches the call in flight
  CHECK(sent[0].idempotent);           // a read
  CHECK_FALSE(sent[1].idempotent);     // a write is not resent after an unknown outcome
}

TEST_CASE("under a trace scope every request carries traceparent and a correlation id, and a failure names it") {
  const auto trace = http::TraceParent::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").value();
  {
    auto fake = std::make_shared<FakeTransport>();
    const std::string refused =
        R"({"jsonrpc":"2.0","id":3,"error":{"code":200,"message":"Odoo Server Error","data":{"name":)"
        R"("odoo.exceptions.ValidationError","debug":"","message":"No.","arguments":["No."],"context":{}}}})";
    fake->push(reply(200, rpc_result("2"))).push(reply(200, rpc_result("7"))).push(reply(200, refused));
    auto c = make(jsonrpc_config(), fake);
    http::TraceScope scope(trace, "congo=t61rcWkgMzE", "os1-b3/1");
    REQUIRE(c->search_count("res.partner", {}));
    auto r = c->create("res.partner", Values().set("name", "Acme"));
    REQUIRE_FALSE(r);
    CHECK(r.error().correlation_id() == "os1-b3/1/3");  // the request it failed on
    auto sent = fake->requests();
    REQUIRE(sent.size() == 3);  // the login is a request of the scope too
    for (std::size_t i = 0; i < sent.size(); ++i) {
      const auto header = sent[i].headers.get("traceparent");
      REQUIRE(header);
      CHECK(header->substr(0, 36) == "00-4bf92f3577b34da6a3ce929d0e0e4736-");
      CHECK(header->substr(36, 16) == scope.requests()[i].span_id);
      CHECK(sent[i].headers.get("tracestate") == "congo=t61rcWkgMzE");
      CHECK(sent[i].correlation_id == "os1-b3/1/" + std::to_string(i + 1));
    }
    CHECK(scope.requests()[1].idempotent);
    CHECK_FALSE(scope.requests()[2].idempotent);
  }
  {
    auto fake = std::make_shared<FakeTransport>();
    fake->push(reply(200, "[46]"));
    auto c = make(json2_config(), fake);
    {
      http::TraceScope scope(trace);
      REQUIRE(c->create("res.partner", Values().set("name", "Acme")));
    }
    fake->push(reply(200, "7"));
    REQUIRE(c->search_count("res.partner", {}));  // the scope has ended: nothing added
    auto sent = fake->requests();
    REQUIRE(sent.size() == 2);
    CHECK(sent[0].headers.get("traceparent").has_value());
    CHECK(sent[0].headers.get("Authorization").has_value());
    CHECK_FALSE(sent[1].headers.get("traceparent").has_value());
    CHECK(sent[1].correlation_id.empty());
  }
}
