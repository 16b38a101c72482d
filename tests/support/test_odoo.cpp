// TestOdoo: the integration tests' shared fixture, on the public EmulatedOdoo.
#include "test_odoo.hpp"

#include <odoosync/http/curl_transport.hpp>
#include <odoosync/odoo/client.hpp>
#include <odoosync/sync/engine.hpp>

#include <doctest/doctest.h>

namespace odoosync::testing {

TestOdoo::TestOdoo(int v, std::size_t extra_products, ClientKind kind, std::vector<std::string> modules) : version(v) {
  EmulatedOdooOptions eo;
  eo.odoo_version = v;
  eo.extra_products = extra_products;
  eo.modules = std::move(modules);
  auto e = EmulatedOdoo::start(eo);
  REQUIRE_MESSAGE(e, (e ? std::string() : e.error().to_string()));
  emulator = std::move(e.value());
  config.url = emulator->url();
  config.database = emulator->database();
  config.login = emulator->login();
  config.api_key = Secret(emulator->api_key());
  odoo::ClientOptions base;
  base.proxy = "none";
  odoo::ClientOptions options = kind == ClientKind::engine ? sync::engine_client_options(metrics, {}, base) : base;
  options.pipeline.metrics = metrics;
  auto c = odoo::Client::create(config, options);
  REQUIRE_MESSAGE(c, (c ? std::string() : c.error().to_string()));
  client = c.value();
}

std::string TestOdoo::control(const std::string& path, const std::string& body) {
  auto t = http::CurlTransport::create({.proxy = "none"});
  REQUIRE(t);
  http::Request r;
  r.method = body.empty() ? http::Method::get : http::Method::post;
  r.url = emulator->url() + "/__emulator__/" + path;
  r.body = body;
  auto resp = t.value()->send(r);
  REQUIRE_MESSAGE(resp, (resp ? std::string() : resp.error().to_string()));
  REQUIRE_MESSAGE(resp.value().status == 200, resp.value().body);
  return resp.value().body;
}

double TestOdoo::on_hand(const std::string& sku, const std::string& location) {
  auto rows = client->search_read(
      "stock.quant",
      odoo::field("product_id.default_code") == sku && odoo::field("location_id.complete_name") == location,
      {"quantity"});
  REQUIRE_MESSAGE(rows, (rows ? std::string() : rows.error().to_string()));
  double sum = 0;
  for (const auto& r : rows.value().GetArray()) sum += r["quantity"].GetDouble();
  return sum;
}

std::int64_t TestOdoo::count(const std::string& model, const odoo::Domain& domain) {
  auto n = client->search_count(model, domain);
  REQUIRE_MESSAGE(n, (n ? std::string() : n.error().to_string()));
  return n.value();
}

}  // namespace odoosync::testing
