// The packaging check's program: links the installed library and exercises it without a network.
#include <odoosync/core/json.hpp>
#include <odoosync/odoo/models.hpp>
#include <odoosync/odoosync.hpp>

#ifdef CONSUMER_HAS_EMULATOR
#include <odoosync/emulator/emulated_odoo.hpp>
#endif

#include <cstdio>
#include <string>
#include <unistd.h>
#include <memory>

namespace os = odoosync;

int main() {
  auto fake = std::make_shared<os::http::FakeTransport>();
  fake->push_json(503, "{}").push_json(200, R"({"jsonrpc":"2.0","id":1,"result":{"server_version":"18.0"}})");
  os::ManualClock clock;
  os::http::RetryTransport retry(fake, {}, clock, 1);
  os::http::Request req;
  req.url = "http://odoo.invalid/web/webclient/version_info";
  req.body = "{}";
  req.idempotent = true;
  auto r = retry.send(req);
  if (!r || r.value().status != 200) return 1;
  auto doc = os::json::parse(r.value().body);
  if (!doc) return 1;
  auto curl = os::http::CurlTransport::create();
  if (!curl) return 1;

  // The Odoo client from the installed headers, over a scripted JSON-2 server.
  auto odoo_fake = std::make_shared<os::http::FakeTransport>();
  odoo_fake->push_json(
      200,
      R"([{"id":7,"name":"Desk","default_code":"D-1","barcode":false,"list_price":12.5,)"
      R"("uom_id":[1,"Units"],"categ_id":false,"sale_ok":true,"active":true,"write_date":"2026-11-22 10:00:00"}])");
  os::odoo::Config cfg;
  cfg.url = "http://odoo.invalid";
  cfg.api_key = os::Secret("k");
  cfg.protocol = os::odoo::Protocol::json2;
  auto client = os::odoo::Client::create(cfg, odoo_fake);
  if (!client) return 1;
  auto products = os::odoo::search_read_as<os::odoo::Product>(*client.value(), os::odoo::field("sale_ok") == true);
  if (!products || products.value().front().list_price.to_string() != "12.5") return 1;
#ifdef CONSUMER_HAS_EMULATOR
  // The installed emulator with its installed data, over real HTTP.
  auto emulated = os::EmulatedOdoo::start({.odoo_version = 19});
  if (!emulated) {
    std::fprintf(stderr, "consumer: %s\n", emulated.error().to_string().c_str());
    return 1;
  }
  os::odoo::Config live;
  live.url = emulated.value()->url();
  live.api_key = os::Secret(emulated.value()->api_key());
  auto live_client = os::odoo::Client::create(live);
  if (!live_client) return 1;
  auto partners = live_client.value()->search_count("res.partner", {});
  if (!partners || partners.value() <= 0) return 1;
  std::printf("consumer: installed emulator (Odoo 19, JSON-2) has %lld partners\n",
              static_cast<long long>(partners.value()));
#endif
  std::printf("consumer: odoosync %s, server %s after %d attempts\n", os::library_version(),
              doc.value()["result"]["server_version"].GetString(), r.value().attempts);
  // The retail layer from the installed package: an event made, encoded and decoded back.
  auto ev = os::retail::make_event(os::retail::StockAdjusted{.sku = {"SKU-1"},
                                                             .location = {"WH/Stock"},
                                                             .delta = os::retail::Quantity::units(-2),
                                                             .counted = {},
                                                             .reason = {}},
                                   {.source = "pos/store-12", .id = "evt-1"});
  if (!ev || !os::retail::decode_event(os::retail::encode_event(ev.value()))) return 1;
  std::printf("consumer: retail event %s round-trips\n", ev.value().subject.c_str());

  // The sync layer: a SQLite store (libsqlite3 through the package's dependencies) takes the event once.
  const std::string db = "consumer-" + std::to_string(static_cast<long>(::getpid())) + ".db";
  {
    auto store = os::sync::SqliteStore::open(db);
    if (!store) return 1;
    auto engine = os::sync::Engine::create_intake(*store.value());
    if (!engine) return 1;
    auto first = engine.value()->submit(ev.value());
    auto again = engine.value()->submit(ev.value());
    if (!first || !again || again.value().intake != os::sync::Intake::duplicate) return 1;
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db + suffix).c_str());
  std::printf("consumer: sync store took the event once\n");

  // The channels layer (libcrypto through the package's dependencies): Shopify's published vector.
  os::channels::VerifierOptions options;
  options.secrets.emplace_back("test_secret_key");
  auto verifier = os::channels::make_verifier(os::channels::Provider::shopify, std::move(options));
  if (!verifier) return 1;
  os::channels::Delivery delivery;
  delivery.body = R"({"foo": "bar"})";
  delivery.headers.add("X-Shopify-Hmac-Sha256", "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=");
  delivery.headers.add("X-Shopify-Webhook-Id", "123456789");
  auto verified = verifier.value()->verify(delivery);
  if (!verified || verified.value().delivery_id != "123456789") return 1;
  std::printf("consumer: Shopify delivery %s verified\n", verified.value().delivery_id.c_str());
  return 0;
}
