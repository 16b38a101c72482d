// The public fixture: what a host's own tests write to get an Odoo for their client code.
#include <doctest/doctest.h>

#include <odoosync/emulator/emulated_odoo.hpp>
#include <odoosync/odoo/client.hpp>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

using namespace odoosync;

TEST_CASE("EmulatedOdoo starts on a free port, serves a Client, takes faults, and stops") {
  for (int version : {18, 19}) {
    CAPTURE(version);
    auto odoo = EmulatedOdoo::start({.odoo_version = version});
    REQUIRE(odoo);
    odoo::Config c;
    c.url = odoo.value()->url();
    c.database = odoo.value()->database();
    c.login = odoo.value()->login();
    c.api_key = Secret(odoo.value()->api_key());
    auto client = odoo::Client::create(c).value();
    CHECK(client->protocol().value() == (version >= 19 ? odoo::Protocol::json2 : odoo::Protocol::jsonrpc));
    REQUIRE(client->search_count("res.partner", {}));
    REQUIRE(odoo.value()->inject(R"({"kind": "serialization_failure", "model": "res.partner", "method": "write"})"));
    CHECK(client->write("res.partner", {3}, odoo::Values().set("name", "x")).error().kind() == ErrorKind::conflict);
    odoo.value()->stop();
    CHECK(client->search_count("res.partner", {}).error().kind() == ErrorKind::transport);
  }
}

TEST_CASE("EmulatedOdoo refuses bad options and bad faults with an error, not an exception") {
  CHECK(EmulatedOdoo::start({.odoo_version = 16}).error().kind() == ErrorKind::validation);
  CHECK(EmulatedOdoo::start({.fixture_file = "/nonexistent/fixture.json"}).error().kind() == ErrorKind::storage);
  auto odoo = EmulatedOdoo::start();
  REQUIRE(odoo);
  CHECK(odoo.value()->inject("[1]").error().kind() == ErrorKind::validation);
}

TEST_CASE("EmulatedOdoo::in_flight lists the calls a slow_commit holds, and none once they commit or it stops") {
  auto started = EmulatedOdoo::start();
  REQUIRE(started);
  auto& odoo = *started.value();
  odoo::Config c;
  c.url = odoo.url();
  c.database = odoo.database();
  c.login = odoo.login();
  c.api_key = Secret(odoo.api_key());
  auto client = odoo::Client::create(c).value();
  REQUIRE(client->search_count("res.partner", {}));  // logs in first
  CHECK(odoo.in_flight().count() == 0);
  CHECK(odoo.in_flight().slow_calls_started == 0);
  auto wait_for = [&](std::size_t n) {
    for (int i = 0; i < 1000 && odoo.in_flight().count() != n; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  };

  REQUIRE(odoo.inject(R"({"kind": "slow_commit", "model": "res.partner", "method": "create", "latency_ms": 700})"));
  auto slow =
      std::async(std::launch::async, [&] { return client->create("res.partner", odoo::Values().set("name", "Slow")); });
  wait_for(1);
  const auto waiting = odoo.in_flight();
  CHECK(waiting.count() == 1);
  CHECK(waiting.calls == std::vector<std::string>{"res.partner.create"});
  CHECK(waiting.slow_calls_started == 1);
  CHECK(slow.get());  // committed after its 700 ms
  CHECK(odoo.in_flight().count() == 0);
  CHECK(odoo.in_flight().slow_calls_started == 1);

  // stopping abandons a call still waiting to commit: it is no longer listed and its client hears nothing
  REQUIRE(odoo.inject(R"({"kind": "slow_commit", "model": "res.partner", "method": "create", "latency_ms": 60000})"));
  auto abandoned = std::async(std::launch::async,
                              [&] { return client->create("res.partner", odoo::Values().set("name", "Never")); });
  wait_for(1);
  CHECK(odoo.in_flight().calls == std::vector<std::string>{"res.partner.create"});
  CHECK(odoo.in_flight().slow_calls_started == 2);
  odoo.stop();
  CHECK(odoo.in_flight().count() == 0);
  CHECK(odoo.in_flight().slow_calls_started == 2);
  CHECK_FALSE(abandoned.get());
}
