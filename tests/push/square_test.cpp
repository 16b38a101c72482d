// The Square push client against the Square emulator: physical counts at Odoo's write_date (a sale in
// Square after it survives), per-change refusals, idempotent replays, prices with catalogue versions,
// throttling, auth refresh, faults.
#include <doctest/doctest.h>

#include <odoosync/emulator/square.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/push/channel_client.hpp>
#include <odoosync/push/square.hpp>

#include "push_test_support.hpp"

using namespace odoosync;
namespace ce = odoosync::channel_emulator;
using push_test::secret;

namespace {

const std::string token = "EAAAl7x9Qm2VtestTokenSq0a1b2c3";

std::unique_ptr<ce::SquareEmulator> emulator(ce::SquareEmulator::Options o = {}) {
  o.access_token = token;
  o.locations = {"LOC-MAIN", "LOC-POPUP"};
  auto e = ce::SquareEmulator::start(o);
  REQUIRE(e);
  return std::move(e).value();
}

push::ChannelEndpoint endpoint(const ce::SquareEmulator& e,
                               std::map<std::string, std::string, std::less<>> settings = {}) {
  push::ChannelEndpoint ep;
  ep.channel = "square-shop";
  ep.base_url = e.url();
  ep.settings = std::move(settings);
  ep.settings["allow_insecure_loopback"] = "true";
  ep.secrets["access_token"] = secret(token);
  return ep;
}

std::unique_ptr<push::ChannelClient> client(const push::ChannelEndpoint& ep, Clock* clock = nullptr) {
  push::ClientDeps deps;
  deps.clock = clock;
  auto c = push::make_square_client(ep, deps);
  REQUIRE(c);
  return std::move(c).value();
}

retail::Timestamp ago(std::chrono::seconds s) { return retail::Timestamp::from(std::chrono::system_clock::now() - s); }

push::Level level(std::string sku, std::int64_t q, retail::Timestamp as_of, std::string location = "LOC-MAIN") {
  push::Level l;
  l.sku = std::move(sku);
  l.location = std::move(location);
  l.quantity = q;
  l.as_of = as_of;
  l.key = "lvl-" + l.sku + "-" + std::to_string(q);
  return l;
}

push::Price price(std::string sku, std::string amount, std::string currency = "USD") {
  push::Price p;
  p.sku = std::move(sku);
  p.price = retail::Money::parse(amount, currency).value();
  return p;
}

}  // namespace

TEST_CASE("square: a sale in Square timestamped after the count's occurred_at survives the push") {
  auto e = emulator();
  e->seed_variation("BEANS-1KG");
  e->seed_count("BEANS-1KG", "LOC-MAIN", 20, ago(std::chrono::hours{2}));
  e->simulate_sale("BEANS-1KG", "LOC-MAIN", 1, ago(std::chrono::minutes{30}));  // before Odoo's read: in its level
  const retail::Timestamp odoo_read = ago(std::chrono::minutes{10});
  e->simulate_sale("BEANS-1KG", "LOC-MAIN", 2, ago(std::chrono::minutes{5}));  // after Odoo's read
  CHECK(e->quantity("BEANS-1KG", "LOC-MAIN") == 17);
  auto c = client(endpoint(*e));
  // Odoo says 15 as of its read (it knew of the first sale and of a delivery out): Square applies the
  // count at that instant and its own later sale on top.
  std::vector<push::Level> levels{level("BEANS-1KG", 15, odoo_read)};
  auto r = c->set_levels(levels);
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::applied);
  CHECK(e->quantity("BEANS-1KG", "LOC-MAIN") == 13);
  CHECK(c->read_level("BEANS-1KG", "LOC-MAIN").value() == 13);
  CHECK(c->read_level("BEANS-1KG", "LOC-POPUP").value() == 0);
  CHECK_FALSE(c->read_level("NOT-SOLD-HERE", "LOC-MAIN").value().has_value());
}

TEST_CASE("square: counts for several variations and locations in one request, unknown SKUs not listed") {
  auto e = emulator();
  e->seed_variation("CUP-S");
  e->seed_variation("CUP-L");
  auto c = client(endpoint(*e, {{"location_id", "LOC-POPUP"}}));
  CHECK(c->provider() == "square");
  CHECK(c->limits().max_levels_per_call == 100);
  const auto t = ago(std::chrono::minutes{1});
  std::vector<push::Level> levels{level("CUP-S", 4, t), level("CUP-L", 9, t), level("CUP-S", 2, t, ""),
                                  level("CUP-XL", 1, t)};
  auto r = c->set_levels(levels);
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::applied);
  CHECK(r.value()[1].outcome == push::Outcome::applied);
  CHECK(r.value()[2].outcome == push::Outcome::applied);  // the location_id setting
  CHECK(r.value()[3].outcome == push::Outcome::not_listed);
  CHECK(e->inventory_batches() == 1);
  CHECK(e->quantity("CUP-S", "LOC-MAIN") == 4);
  CHECK(e->quantity("CUP-L", "LOC-MAIN") == 9);
  CHECK(e->quantity("CUP-S", "LOC-POPUP") == 2);

  // Older than Square takes (24 hours: a level that has not moved for a day) is sent as of the oldest
  // instant Square takes; a time ahead of Square's is now.
  std::vector<push::Level> odd{
      level("CUP-S", 1, ago(std::chrono::hours{25})),
      level("CUP-L", 8, retail::Timestamp::from(std::chrono::system_clock::now() + std::chrono::minutes{3}))};
  auto r2 = c->set_levels(odd);
  REQUIRE(r2);
  CHECK(r2.value()[0].outcome == push::Outcome::applied);
  CHECK(r2.value()[1].outcome == push::Outcome::applied);
  // Sent as of 23 h 50 min ago, it is older than the count of 4 made at `t`: Square keeps the newer one.
  CHECK(e->quantity("CUP-S", "LOC-MAIN") == 4);
  CHECK(e->quantity("CUP-L", "LOC-MAIN") == 8);

  auto no_location = client(endpoint(*e));
  std::vector<push::Level> bare{level("CUP-S", 3, t, "")};
  CHECK(no_location->set_levels(bare).value()[0].outcome == push::Outcome::rejected);
}

TEST_CASE("square: a refused change rejects that item alone, the rest is sent again and applied") {
  auto e = emulator();
  e->seed_variation("A-SQ");
  e->seed_variation("B-SQ");
  e->seed_variation("C-SQ");
  ce::SquareEmulator::Fault bad;
  bad.kind = ce::SquareEmulator::FaultKind::change_error;
  bad.sku = "B-SQ";
  e->inject(bad);
  auto c = client(endpoint(*e));
  const auto t = ago(std::chrono::minutes{1});
  std::vector<push::Level> levels{level("A-SQ", 1, t), level("B-SQ", 2, t), level("C-SQ", 3, t),
                                  level("C-SQ", 4, t, "LOC-NOWHERE")};
  auto r = c->set_levels(levels);
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::applied);
  CHECK(r.value()[1].outcome == push::Outcome::rejected);
  CHECK(r.value()[1].message.find("INVALID_VALUE") != std::string::npos);
  CHECK(r.value()[2].outcome == push::Outcome::applied);
  CHECK(r.value()[3].outcome == push::Outcome::not_listed);  // NOT_FOUND for the location
  CHECK(e->quantity("A-SQ", "LOC-MAIN") == 1);
  CHECK_FALSE(e->quantity("B-SQ", "LOC-MAIN").has_value());
  CHECK(e->quantity("C-SQ", "LOC-MAIN") == 3);
  CHECK(e->inventory_batches() == 1);
  CHECK(e->faults_pending() == 0);
}

TEST_CASE("square: a resent batch is deduplicated by its idempotency key, a reused key with other data refused") {
  auto e = emulator();
  e->seed_variation("DUP-1");
  auto c = client(endpoint(*e));
  const auto t = ago(std::chrono::minutes{2});
  std::vector<push::Level> levels{level("DUP-1", 10, t)};
  REQUIRE(c->set_levels(levels).value()[0].outcome == push::Outcome::applied);
  e->simulate_sale("DUP-1", "LOC-MAIN", 1, ago(std::chrono::minutes{1}));
  // The answer was lost; the Pusher sends the same level again: Square replays the first answer.
  auto again = c->set_levels(levels);
  REQUIRE(again);
  CHECK(again.value()[0].outcome == push::Outcome::applied);
  CHECK(e->idempotent_replays() == 1);
  CHECK(e->inventory_batches() == 1);
  CHECK(e->quantity("DUP-1", "LOC-MAIN") == 9);

  auto transport = http::CurlTransport::create().value();
  auto post = [&](const std::string& body) {
    http::Request req;
    req.url = e->url() + "/v2/inventory/changes/batch-create";
    req.headers.set("Authorization", "Bearer " + token);
    req.headers.set("Square-Version", "2026-07-15");
    req.headers.set("Content-Type", "application/json");
    req.body = body;
    return transport->send(req).value();
  };
  const std::string change = R"({"type":"PHYSICAL_COUNT","physical_count":{"catalog_object_id":")" +
                             std::string("VAR1001") +
                             R"(","state":"IN_STOCK","location_id":"LOC-MAIN","quantity":"5","occurred_at":")" +
                             ago(std::chrono::seconds{30}).to_string() + R"("}})";
  auto first = post(R"({"idempotency_key":"k-1","changes":[)" + change + "]}");
  CHECK(first.status == 200);
  auto reused = post(R"({"idempotency_key":"k-1","changes":[]})");
  CHECK(reused.status == 400);
  CHECK(reused.body.find("IDEMPOTENCY_KEY_REUSED") != std::string::npos);
}

TEST_CASE("square: prices go through batch upsert with the variation's version, re-read once on VERSION_MISMATCH") {
  auto e = emulator();
  e->seed_variation("TEA-GREEN", 350);
  e->seed_variation("TEA-BLACK");
  auto c = client(endpoint(*e, {{"currency", "USD"}}));
  std::vector<push::Price> prices{price("TEA-GREEN", "4.50"), price("TEA-BLACK", "3"), price("TEA-WHITE", "9.99"),
                                  price("TEA-GREEN", "4.00", "EUR")};
  auto r = c->set_prices(prices);
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::applied);
  CHECK(r.value()[1].outcome == push::Outcome::applied);
  CHECK(r.value()[2].outcome == push::Outcome::not_listed);
  CHECK(r.value()[3].outcome == push::Outcome::rejected);
  CHECK(e->price("TEA-GREEN") == 450);
  CHECK(e->price("TEA-BLACK") == 300);

  ce::SquareEmulator::Fault race;
  race.kind = ce::SquareEmulator::FaultKind::version_race;
  e->inject(race);  // once: the re-read gets the new version and the second upsert is applied
  std::vector<push::Price> one{price("TEA-GREEN", "4.75")};
  auto r2 = c->set_prices(one);
  REQUIRE(r2);
  CHECK(r2.value()[0].outcome == push::Outcome::applied);
  CHECK(e->price("TEA-GREEN") == 475);

  race.times = 2;  // twice: left to the Pusher's retry
  e->inject(race);
  std::vector<push::Price> two{price("TEA-GREEN", "5.00")};
  auto r3 = c->set_prices(two);
  REQUIRE(r3);
  CHECK(r3.value()[0].outcome == push::Outcome::retry);
  CHECK(r3.value()[0].message.find("VERSION_MISMATCH") != std::string::npos);
  CHECK(e->price("TEA-GREEN") == 475);
  CHECK(e->faults_pending() == 0);
}

TEST_CASE("square: fulfilments are not Square's: not listed, nothing sent") {
  auto e = emulator();
  auto c = client(endpoint(*e));
  push::Fulfilment f;
  f.order_id = "ORD-1";
  f.shipment = "WH/OUT/00001";
  auto r = c->fulfil(std::span<const push::Fulfilment>(&f, 1));
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::not_listed);
  CHECK(r.value()[0].message.find("point of sale") != std::string::npos);
  CHECK(e->requests() == 0);
}

TEST_CASE("square: 429 RATE_LIMITED is waited out (Retry-After, else a doubling backoff), pacing avoids it") {
  SUBCASE("a bare 429 backs off 1 s, then 2 s") {
    ManualClock clock;
    ce::SquareEmulator::Options o;
    o.requests_per_second = 0.4;  // a token every 2.5 s
    o.burst = 1;
    o.retry_after_header = false;
    o.clock = &clock;
    auto e = emulator(o);
    e->seed_variation("RL-1");
    auto c = client(endpoint(*e), &clock);
    REQUIRE(c->read_level("RL-1", "LOC-MAIN"));  // search (the token), then counts: refused twice
    CHECK(e->refused_429() == 2);
    REQUIRE(clock.sleeps().size() == 2);
    CHECK(clock.sleeps()[0] == std::chrono::seconds{1});
    CHECK(clock.sleeps()[1] == std::chrono::seconds{2});
  }
  SUBCASE("beyond max_wait: backpressure with the wait asked for") {
    auto e = emulator();
    e->seed_variation("RL-2");
    ce::SquareEmulator::Fault slow;
    slow.kind = ce::SquareEmulator::FaultKind::too_many_requests;
    slow.retry_after = std::chrono::seconds{90};
    e->inject(slow);
    ManualClock clock;
    auto c = client(endpoint(*e), &clock);
    auto r = c->set_levels(std::vector<push::Level>{level("RL-2", 1, ago(std::chrono::seconds{5}))});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == ErrorKind::backpressure);
    CHECK(r.error().retry_after() == std::chrono::milliseconds{90'000});
  }
  SUBCASE("requests_per_second under the server's rate: no refusal") {
    ce::SquareEmulator::Options o;
    o.requests_per_second = 10;
    o.burst = 1;
    auto e = emulator(o);
    e->seed_variation("RL-3");
    auto c = client(endpoint(*e, {{"requests_per_second", "8"}}));
    for (int i = 0; i < 6; ++i) REQUIRE(c->read_level("RL-3", "LOC-MAIN"));
    CHECK(e->requests() == 7);
    CHECK(e->refused_429() == 0);
  }
}

TEST_CASE("square: a refused token is read again once and the request resent, never shown in errors") {
  auto e = emulator();
  e->seed_variation("AUTH-1");
  const std::string rotated = "EAAArotatedTokenSq9z8y7x6w5";
  e->set_access_token(rotated);
  auto ep = endpoint(*e);
  auto source = secret(token, rotated);  // the operator rotated it; the client still holds the old one
  ep.secrets["access_token"] = source;
  auto c = client(ep);
  REQUIRE(c->read_level("AUTH-1", "LOC-MAIN"));
  CHECK(source->refreshes() == 1);
  CHECK(e->auth_failures() == 1);

  auto revoked = endpoint(*e);
  auto never = secret(token);
  revoked.secrets["access_token"] = never;
  auto c2 = client(revoked);
  auto r = c2->set_levels(std::vector<push::Level>{level("AUTH-1", 1, ago(std::chrono::seconds{5}))});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == ErrorKind::auth);
  CHECK(never->refreshes() == 1);
  CHECK(r.error().to_string().find(token) == std::string::npos);
  CHECK(r.error().to_string().find(rotated) == std::string::npos);
  CHECK(r.error().message().find("square-shop") != std::string::npos);
}

TEST_CASE("square: a 5xx is a whole-call error and nothing was applied") {
  auto e = emulator();
  e->seed_variation("DOWN-1");
  auto c = client(endpoint(*e));
  REQUIRE(c->read_level("DOWN-1", "LOC-MAIN"));  // resolved and cached
  ce::SquareEmulator::Fault down;
  down.status = 500;
  down.path_contains = "/v2/inventory/changes";
  e->inject(down);
  auto r = c->set_levels(std::vector<push::Level>{level("DOWN-1", 6, ago(std::chrono::seconds{5}))});
  REQUIRE_FALSE(r);
  CHECK(r.error().http_status() == 500);
  CHECK(r.error().message().find("INTERNAL_SERVER_ERROR") != std::string::npos);
  CHECK(r.error().to_string().find(token) == std::string::npos);
  CHECK(e->quantity("DOWN-1", "LOC-MAIN").value_or(0) == 0);
}

TEST_CASE("square: the endpoint is checked: origin only, HTTPS, a token, a version date") {
  push::ChannelEndpoint ep;
  ep.channel = "sq";
  ep.base_url = "https://connect.squareupsandbox.com";
  ep.secrets["access_token"] = secret(token);
  CHECK(push::make_square_client(ep));
  CHECK(push::make_channel_client("square", ep));
  ep.base_url = "https://connect.squareup.com/v2";
  CHECK_FALSE(push::make_square_client(ep));
  ep.base_url = "http://connect.squareup.com";
  CHECK_FALSE(push::make_square_client(ep));
  ep.base_url = "https://connect.squareup.com";
  ep.settings["square_version"] = "latest";
  auto r = push::make_square_client(ep);
  REQUIRE_FALSE(r);
  CHECK(r.error().message().find("'square_version'") != std::string::npos);
  ep.settings.clear();
  ep.secrets.clear();
  r = push::make_square_client(ep);
  REQUIRE_FALSE(r);
  CHECK(r.error().message().find("'access_token'") != std::string::npos);
  CHECK(r.error().message().find("sq") != std::string::npos);
}
