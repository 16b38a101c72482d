// The WooCommerce REST v3 push client against the WooCommerce emulator: every operation, the
// read-then-write compare-and-set, per-item errors in batches, throttling, auth refresh, faults.
#include <doctest/doctest.h>

#include <odoosync/emulator/woocommerce.hpp>
#include <odoosync/push/channel_client.hpp>
#include <odoosync/push/woocommerce.hpp>

#include "push_test_support.hpp"

#include <thread>

using namespace odoosync;
namespace ce = odoosync::channel_emulator;
using push_test::secret;

namespace {

const std::string key = "ck_test_3f9a1b2c4d5e6f70";
const std::string secret_value = "cs_test_9e8d7c6b5a4f3e2d";

std::unique_ptr<ce::WooCommerceEmulator> emulator(ce::WooCommerceEmulator::Options o = {}) {
  o.consumer_key = key;
  o.consumer_secret = secret_value;
  auto e = ce::WooCommerceEmulator::start(o);
  REQUIRE(e);
  return std::move(e).value();
}

push::ChannelEndpoint endpoint(const ce::WooCommerceEmulator& e,
                               std::map<std::string, std::string, std::less<>> settings = {}) {
  push::ChannelEndpoint ep;
  ep.channel = "woo-eu";
  ep.base_url = e.base_url();
  ep.settings = std::move(settings);
  ep.settings["allow_insecure_loopback"] = "true";
  ep.secrets["consumer_key"] = secret(key);
  ep.secrets["consumer_secret"] = secret(secret_value);
  return ep;
}

std::unique_ptr<push::ChannelClient> client(const push::ChannelEndpoint& ep, Clock* clock = nullptr) {
  push::ClientDeps deps;
  deps.clock = clock;
  auto c = push::make_woocommerce_client(ep, deps);
  REQUIRE(c);
  return std::move(c).value();
}

push::Level level(std::string sku, std::int64_t q, std::optional<std::int64_t> expected = std::nullopt) {
  push::Level l;
  l.sku = std::move(sku);
  l.quantity = q;
  l.expected = expected;
  l.key = "lvl-" + l.sku + "-" + std::to_string(q);
  return l;
}

push::Price price(std::string sku, std::string amount, std::string currency = "EUR") {
  push::Price p;
  p.sku = std::move(sku);
  p.price = retail::Money::parse(amount, currency).value();
  return p;
}

void no_secret_in(const std::string& text) {
  CHECK(text.find(key) == std::string::npos);
  CHECK(text.find(secret_value) == std::string::npos);
}

}  // namespace

TEST_CASE("woocommerce: levels of products and variations go through products/batch and variations/batch") {
  auto e = emulator();
  e->seed_product("TEE-1", 5, "10.00");
  auto parent = e->seed_variable_product("HOODIE");
  e->seed_variation(parent, "HOODIE-RED-M", 3, "40.00");
  auto c = client(endpoint(*e));
  CHECK(c->provider() == "woocommerce");
  CHECK(c->limits().max_levels_per_call == 100);

  std::vector<push::Level> levels{level("TEE-1", 12), level("HOODIE-RED-M", 7), level("NOPE-404", 1)};
  auto r = c->set_levels(levels);
  REQUIRE(r);
  REQUIRE(r.value().size() == 3);
  CHECK(r.value()[0].outcome == push::Outcome::applied);
  CHECK(r.value()[1].outcome == push::Outcome::applied);
  CHECK(r.value()[2].outcome == push::Outcome::not_listed);
  CHECK(e->stock("TEE-1") == 12);
  CHECK(e->stock("HOODIE-RED-M") == 7);
  CHECK(e->batch_requests() == 2);  // one for products, one for the hoodie's variations

  // Cached: a second push resolves nothing again.
  auto before = e->requests();
  REQUIRE(c->set_levels(std::vector<push::Level>{level("TEE-1", 11), level("HOODIE-RED-M", 6)}));
  CHECK(e->requests() - before == 2);
  CHECK(c->read_level("TEE-1", "").value() == 11);
  CHECK(c->read_level("HOODIE-RED-M", "").value() == 6);
  CHECK_FALSE(c->read_level("NOPE-404", "").value().has_value());

  // A location cannot be set in WooCommerce (one stock per product).
  push::Level located = level("TEE-1", 3);
  located.location = "WH2";
  auto loc = c->set_levels(std::span<const push::Level>(&located, 1));
  REQUIRE(loc);
  CHECK(loc.value()[0].outcome == push::Outcome::rejected);
  CHECK(e->stock("TEE-1") == 11);
}

TEST_CASE("woocommerce: with an expected quantity, a sale in the shop since makes the level stale, not overwritten") {
  auto e = emulator();
  e->seed_product("MUG", 5, "8.00");
  e->seed_product("CAP", 2, "9.00");
  auto c = client(endpoint(*e));
  REQUIRE(e->simulate_sale("MUG", 1));  // the shop sold one after Odoo's read
  std::vector<push::Level> levels{level("MUG", 9, 5), level("CAP", 6, 2)};
  auto r = c->set_levels(levels);
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::stale);
  CHECK(r.value()[0].channel_quantity == 4);
  CHECK(r.value()[1].outcome == push::Outcome::applied);
  CHECK(e->stock("MUG") == 4);  // the sale is not lost
  CHECK(e->stock("CAP") == 6);
  // The Pusher recomputes with what the channel holds and sends again.
  std::vector<push::Level> again{level("MUG", 8, 4)};
  auto r2 = c->set_levels(again);
  REQUIRE(r2);
  CHECK(r2.value()[0].outcome == push::Outcome::applied);
  CHECK(e->stock("MUG") == 8);
}

TEST_CASE("woocommerce: a per-item error in a batch rejects or retries that item alone") {
  auto e = emulator();
  e->seed_product("A-1", 1, "1.00");
  e->seed_product("B-1", 1, "1.00");
  e->seed_product("C-1", 1, "1.00");
  e->seed_product("D-1", 1, "1.00");
  ce::WooCommerceEmulator::Fault bad;
  bad.kind = ce::WooCommerceEmulator::FaultKind::item_error;
  bad.sku = "B-1";
  e->inject(bad);
  ce::WooCommerceEmulator::Fault locked;
  locked.kind = ce::WooCommerceEmulator::FaultKind::item_error;
  locked.sku = "D-1";
  locked.code = "woocommerce_rest_product_locked";
  locked.item_status = 500;
  e->inject(locked);
  auto c = client(endpoint(*e));
  std::vector<push::Level> levels{level("A-1", 5), level("B-1", 5), level("C-1", 5), level("D-1", 5)};
  auto r = c->set_levels(levels);
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::applied);
  CHECK(r.value()[1].outcome == push::Outcome::rejected);
  CHECK(r.value()[1].message.find("woocommerce_rest_invalid_stock") != std::string::npos);
  CHECK(r.value()[2].outcome == push::Outcome::applied);
  CHECK(r.value()[3].outcome == push::Outcome::retry);
  CHECK(e->stock("A-1") == 5);
  CHECK(e->stock("B-1") == 1);
  CHECK(e->stock("C-1") == 5);
  CHECK(e->stock("D-1") == 1);
  CHECK(e->faults_pending() == 0);
}

TEST_CASE("woocommerce: more than 100 levels are split into batches of at most 100") {
  auto e = emulator();
  std::vector<push::Level> levels;
  for (int i = 0; i < 150; ++i) {
    e->seed_product("BULK-" + std::to_string(i), 0, "1.00");
    levels.push_back(level("BULK-" + std::to_string(i), i));
  }
  auto c = client(endpoint(*e));
  auto r = c->set_levels(levels);
  REQUIRE(r);
  for (const auto& x : r.value()) CHECK(x.outcome == push::Outcome::applied);
  CHECK(e->batch_requests() == 2);
  CHECK(e->stock("BULK-149") == 149);
}

TEST_CASE("woocommerce: regular prices are set as exact decimals, in the store's currency only") {
  auto e = emulator();
  e->seed_product("TEE-2", 1, "10.00");
  auto parent = e->seed_variable_product("SOCKS");
  e->seed_variation(parent, "SOCKS-L", 1, "5.00");
  auto c = client(endpoint(*e));  // no currency setting: read from the store's settings
  std::vector<push::Price> prices{price("TEE-2", "12.5"), price("SOCKS-L", "4.99"), price("TEE-2", "11.00", "USD"),
                                  price("GONE", "1.00")};
  auto r = c->set_prices(prices);
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::applied);
  CHECK(r.value()[1].outcome == push::Outcome::applied);
  CHECK(r.value()[2].outcome == push::Outcome::rejected);
  CHECK(r.value()[2].message.find("EUR") != std::string::npos);
  CHECK(r.value()[3].outcome == push::Outcome::not_listed);
  CHECK(e->regular_price("TEE-2") == "12.50");
  CHECK(e->regular_price("SOCKS-L") == "4.99");

  auto usd = client(endpoint(*e, {{"currency", "USD"}}));
  std::vector<push::Price> eur{price("TEE-2", "1.00")};
  auto r2 = usd->set_prices(eur);
  REQUIRE(r2);
  CHECK(r2.value()[0].outcome == push::Outcome::rejected);
  CHECK(e->regular_price("TEE-2") == "12.50");
}

TEST_CASE("woocommerce: a fulfilment completes the order with one tracking note per shipment, also when retried") {
  auto e = emulator();
  auto order = e->seed_order("processing");
  auto cancelled = e->seed_order("cancelled");
  auto c = client(endpoint(*e));
  push::Fulfilment f;
  f.order_id = std::to_string(order);
  f.shipment = "WH/OUT/00012";
  f.carrier = "UPS";
  f.tracking_number = "1Z999AA10123456784";
  f.tracking_url = "https://www.ups.com/track?tracknum=1Z999AA10123456784";
  push::Fulfilment gone = f;
  gone.order_id = "999999";
  push::Fulfilment no = f;
  no.order_id = std::to_string(cancelled);
  std::vector<push::Fulfilment> all{f, gone, no};
  auto r = c->fulfil(all);
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::applied);
  CHECK(r.value()[1].outcome == push::Outcome::not_listed);
  CHECK(r.value()[2].outcome == push::Outcome::rejected);
  CHECK(e->order_status(order) == "completed");
  auto notes = e->order_notes(order);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].customer_note);
  CHECK(notes[0].note.find("Shipped with UPS, tracking 1Z999AA10123456784 https://www.ups.com/track") == 0);
  CHECK(notes[0].note.find("WH/OUT/00012") != std::string::npos);
  CHECK(e->order_status(cancelled) == "cancelled");

  // The answer was lost and the Pusher sends it again: no second note, applied.
  auto again = c->fulfil(std::span<const push::Fulfilment>(&f, 1));
  REQUIRE(again);
  CHECK(again.value()[0].outcome == push::Outcome::applied);
  CHECK(e->order_notes(order).size() == 1);

  // A second shipment of the same (already completed) order adds its own note.
  push::Fulfilment second = f;
  second.shipment = "WH/OUT/00013";
  second.tracking_number = "1Z2";
  second.tracking_url.clear();
  REQUIRE(c->fulfil(std::span<const push::Fulfilment>(&second, 1)));
  CHECK(e->order_notes(order).size() == 2);
}

TEST_CASE("woocommerce: a connection cut mid-fulfilment is a whole-call error and the retry adds one note") {
  auto e = emulator();
  auto order = e->seed_order("processing");
  auto c = client(endpoint(*e));
  push::Fulfilment f;
  f.order_id = std::to_string(order);
  f.shipment = "WH/OUT/00020";
  f.tracking_number = "TRK20";
  ce::WooCommerceEmulator::Fault cut;
  cut.kind = ce::WooCommerceEmulator::FaultKind::reset;
  cut.path_contains = "/orders/";
  cut.times = 2;  // libcurl resends once on a reused connection cut before any answer
  e->inject(cut);
  auto r = c->fulfil(std::span<const push::Fulfilment>(&f, 1));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == ErrorKind::transport);
  std::vector<push::ItemResult> done;
  for (int attempt = 0; attempt < 3 && done.empty(); ++attempt) {  // the Pusher's retries
    if (auto again = c->fulfil(std::span<const push::Fulfilment>(&f, 1))) done = again.value();
  }
  REQUIRE(done.size() == 1);
  CHECK(done[0].outcome == push::Outcome::applied);
  CHECK(e->faults_pending() == 0);
  CHECK(e->faults_injected() == 2);
  CHECK(e->order_notes(order).size() == 1);
  CHECK(e->order_status(order) == "completed");
}

TEST_CASE("woocommerce: 429 with Retry-After is waited out through the clock, beyond max_wait it is backpressure") {
  auto e = emulator();
  e->seed_product("R-1", 1, "1.00");
  ManualClock clock;
  auto c = client(endpoint(*e), &clock);
  ce::WooCommerceEmulator::Fault slow;
  slow.kind = ce::WooCommerceEmulator::FaultKind::too_many_requests;
  slow.retry_after = std::chrono::seconds{2};
  e->inject(slow);
  std::vector<push::Level> levels{level("R-1", 4)};
  auto r = c->set_levels(levels);
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::applied);
  REQUIRE(clock.sleeps().size() == 1);
  CHECK(clock.sleeps()[0] == std::chrono::seconds{2});

  slow.retry_after = std::chrono::seconds{45};  // more than the default max_wait of 30 s
  e->inject(slow);
  auto r2 = c->set_levels(std::vector<push::Level>{level("R-1", 5)});
  REQUIRE_FALSE(r2);
  CHECK(r2.error().kind() == ErrorKind::backpressure);
  CHECK(r2.error().retry_after() == std::chrono::milliseconds{45'000});
  CHECK(e->stock("R-1") == 4);
}

TEST_CASE("woocommerce: the client keeps under the store's rate, so the emulator refuses nothing") {
  SUBCASE("from the announced budget (RateLimit-Remaining / RateLimit-Reset)") {
    ce::WooCommerceEmulator::Options o;
    o.requests_per_second = 4;
    o.burst = 2;
    auto e = emulator(o);
    e->seed_product("P-1", 1, "1.00");
    auto c = client(endpoint(*e));
    for (int i = 0; i < 5; ++i) REQUIRE(c->read_level("P-1", ""));
    CHECK(e->requests() == 6);
    CHECK(e->refused_429() == 0);
  }
  SUBCASE("from the requests_per_second setting") {
    ce::WooCommerceEmulator::Options o;
    o.requests_per_second = 10;
    o.burst = 1;
    o.announce_budget = false;
    auto e = emulator(o);
    e->seed_product("P-2", 1, "1.00");
    auto c = client(endpoint(*e, {{"requests_per_second", "8"}}));
    CHECK(c->limits().sustained_rate == 8);
    for (int i = 0; i < 8; ++i) REQUIRE(c->read_level("P-2", ""));
    CHECK(e->refused_429() == 0);
  }
  SUBCASE("without either, the server refuses and the client waits out its Retry-After") {
    ce::WooCommerceEmulator::Options o;
    ManualClock clock;  // one clock for both: the client's waits refill the store's bucket
    o.requests_per_second = 50;
    o.burst = 1;
    o.announce_budget = false;
    o.clock = &clock;
    auto e = emulator(o);
    e->seed_product("P-3", 1, "1.00");
    auto c = client(endpoint(*e), &clock);
    for (int i = 0; i < 4; ++i) REQUIRE(c->read_level("P-3", ""));
    CHECK(e->refused_429() > 0);
    CHECK(e->refused_429() == clock.sleeps().size());
    for (auto d : clock.sleeps()) CHECK(d == std::chrono::seconds{1});
  }
}

TEST_CASE("woocommerce: refused credentials are read again once and the request sent again once") {
  auto e = emulator();
  e->seed_product("K-1", 1, "1.00");
  auto ep = endpoint(*e);
  auto stale_secret = secret("cs_old_0000000000000000", secret_value);
  ep.secrets["consumer_secret"] = stale_secret;
  auto c = client(ep);
  auto r = c->read_level("K-1", "");
  REQUIRE(r);
  CHECK(r.value() == 1);
  CHECK(stale_secret->refreshes() == 1);
  CHECK(e->auth_failures() == 1);

  auto wrong = endpoint(*e);
  auto never = secret("cs_wrong_111111111111111");
  wrong.secrets["consumer_secret"] = never;
  auto c2 = client(wrong);
  auto r2 = c2->read_level("K-1", "");
  REQUIRE_FALSE(r2);
  CHECK(r2.error().kind() == ErrorKind::auth);
  CHECK(never->refreshes() == 1);
  CHECK(r2.error().message().find("woo-eu") != std::string::npos);
  no_secret_in(r2.error().to_string());
  CHECK(r2.error().to_string().find("cs_wrong_111111111111111") == std::string::npos);
}

TEST_CASE("woocommerce: a 5xx is a whole-call error naming the channel, with no secret in it") {
  auto e = emulator();
  e->seed_product("F-1", 1, "1.00");
  auto c = client(endpoint(*e));
  ce::WooCommerceEmulator::Fault down;
  down.status = 503;
  e->inject(down);
  auto r = c->set_levels(std::vector<push::Level>{level("F-1", 3)});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == ErrorKind::http);
  CHECK(r.error().http_status() == 503);
  CHECK(r.error().message().find("channel 'woo-eu' (woocommerce)") != std::string::npos);
  no_secret_in(r.error().to_string());
  CHECK(e->stock("F-1") == 1);
  auto r2 = c->set_levels(std::vector<push::Level>{level("F-1", 3)});
  REQUIRE(r2);
  CHECK(e->stock("F-1") == 3);
}

TEST_CASE("woocommerce: the endpoint is checked: HTTPS only, known settings, both secrets") {
  push::ChannelEndpoint ep;
  ep.channel = "woo-x";
  ep.base_url = "http://shop.example/wp-json/wc/v3";
  ep.secrets["consumer_key"] = secret(key);
  ep.secrets["consumer_secret"] = secret(secret_value);
  auto r = push::make_woocommerce_client(ep);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == ErrorKind::validation);
  CHECK(r.error().message().find("https") != std::string::npos);
  ep.settings["allow_insecure_loopback"] = "true";  // not for a remote host
  CHECK_FALSE(push::make_woocommerce_client(ep));
  ep.base_url = "https://shop.example/wp-json/wc/v3";
  ep.settings.clear();
  CHECK(push::make_woocommerce_client(ep));
  ep.settings["colour"] = "blue";
  r = push::make_woocommerce_client(ep);
  REQUIRE_FALSE(r);
  CHECK(r.error().message().find("'colour'") != std::string::npos);
  CHECK(r.error().message().find("woo-x") != std::string::npos);
  ep.settings.clear();
  ep.settings["batch_size"] = "101";
  CHECK_FALSE(push::make_woocommerce_client(ep));
  ep.settings.clear();
  ep.secrets.erase("consumer_secret");
  r = push::make_woocommerce_client(ep);
  REQUIRE_FALSE(r);
  CHECK(r.error().message().find("'consumer_secret'") != std::string::npos);
  CHECK(push::make_channel_client("woocommerce", ep).error().message() == r.error().message());
}
