// The public fixture: what a host's own tests write to get an Odoo for their client code.
#include <doctest/doctest.h>

#include <odoosync/emulator/emulated_odoo.hpp>
#include <odoosync/odoo/client.hpp>

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
