// The Shopify push client against the Shopify emulator: levels with compare-and-set, prices, fulfilments,
// the cost bucket, auth refresh, faults and replays; the emulator's own version rules.
#include <doctest/doctest.h>

#include <odoosync/emulator/shopify.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/http/fake_transport.hpp>
#include <odoosync/push/channel_client.hpp>
#include <odoosync/push/shopify.hpp>

#include "canary.hpp"

#include <chrono>
#include <string>
#include <vector>

using namespace odoosync;
namespace ce = odoosync::channel_emulator;
using ce::ShopifyEmulator;

namespace {

// A token source whose refresh() moves to the next value (a rotated token), counting its reads.
class TestToken final : public SecretSource {
 public:
  explicit TestToken(std::vector<std::string> values) : values_(std::move(values)) {}
  result<Secret> current() override { return Secret(values_[at_]); }
  result<Secret> refresh() override {
    ++refreshes;
    if (at_ + 1 < values_.size()) ++at_;
    return Secret(values_[at_]);
  }
  std::string description() const override { return "test token"; }
  int refreshes = 0;

 private:
  std::vector<std::string> values_;
  std::size_t at_ = 0;
};

std::string token() { return testing::canary_api_key(); }

struct Shop {
  std::unique_ptr<ShopifyEmulator> emu;
  std::int64_t loc = 0;
  explicit Shop(ShopifyEmulator::Options o = {}) {
    o.access_token = token();
    auto started = ShopifyEmulator::start(std::move(o));
    REQUIRE(started);
    emu = std::move(started).value();
    loc = emu->add_location("Main");
  }
  // SKUs "<prefix>0".."<prefix>n-1", each available `qty` at loc, in products of `per_product`.
  void seed(const std::string& prefix, int n, std::int64_t qty, int per_product = 1) {
    for (int i = 0; i < n; ++i) {
      const std::string sku = prefix + std::to_string(i);
      emu->add_variant(sku, "10.00", per_product > 1 ? prefix + "-p" + std::to_string(i / per_product) : "");
      REQUIRE(emu->set_available(sku, loc, qty));
    }
  }
};

push::ChannelEndpoint endpoint(const std::string& url, std::shared_ptr<SecretSource> secret,
                               std::map<std::string, std::string, std::less<>> settings = {}) {
  push::ChannelEndpoint e;
  e.channel = "shop-eu";
  e.base_url = url;
  e.settings = std::move(settings);
  e.secrets["access_token"] = std::move(secret);
  return e;
}

std::unique_ptr<push::ChannelClient> client_for(const Shop& shop,
                                                std::map<std::string, std::string, std::less<>> s = {},
                                                Clock* clock = nullptr,
                                                std::shared_ptr<SecretSource> secret = nullptr) {
  if (!secret) secret = std::make_shared<TestToken>(std::vector<std::string>{token()});
  push::ClientDeps deps;
  deps.clock = clock;
  auto c = push::make_shopify_client(endpoint(shop.emu->url(), std::move(secret), std::move(s)), deps);
  REQUIRE(c);
  return std::move(c).value();
}

push::Level level(const std::string& sku, std::int64_t loc, std::int64_t qty, std::optional<std::int64_t> expected,
                  std::string key = "") {
  push::Level l;
  l.sku = sku;
  l.location = std::to_string(loc);
  l.quantity = qty;
  l.expected = expected;
  l.key = key.empty() ? "k-" + sku + "-" + std::to_string(qty) : key;
  return l;
}

push::Price price(const std::string& sku, const std::string& amount, const std::string& currency = "EUR") {
  auto m = retail::Money::parse(amount, currency);
  REQUIRE(m);
  return push::Price{sku, m.value(), "p-" + sku};
}

std::size_t count_op(const ShopifyEmulator::Stats& s, std::string_view op) {
  return static_cast<std::size_t>(std::count(s.operations.begin(), s.operations.end(), op));
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("shopify: levels are set with compare-and-set and read back") {
  Shop shop;
  shop.seed("A", 3, 5);
  auto client = client_for(shop);
  std::vector<push::Level> levels = {level("A0", shop.loc, 7, 5), level("A1", shop.loc, 0, 5),
                                     level("A2", shop.loc, 12, 5)};
  auto r = client->set_levels(levels);
  REQUIRE(r);
  REQUIRE(r.value().size() == 3);
  for (const auto& item : r.value()) CHECK(item.outcome == push::Outcome::applied);
  CHECK(shop.emu->available("A0", shop.loc) == 7);
  CHECK(shop.emu->available("A1", shop.loc) == 0);
  CHECK(shop.emu->available("A2", shop.loc) == 12);
  // the location as a GID works as well as the number
  auto read = client->read_level("A2", "gid://shopify/Location/" + std::to_string(shop.loc));
  REQUIRE(read);
  CHECK(read.value() == 12);
  auto none = client->read_level("NOPE", std::to_string(shop.loc));
  REQUIRE(none);
  CHECK_FALSE(none.value().has_value());
  const auto stats = shop.emu->stats();
  CHECK(count_op(stats, "inventorySetQuantities") == 1);  // one mutation for the three
  CHECK(stats.quantities_set == 3);
  CHECK(stats.throttled == 0);
}

TEST_CASE("shopify: an unknown expected quantity is read first and compared with what was read") {
  Shop shop;
  shop.seed("U", 2, 9);
  auto client = client_for(shop);
  std::vector<push::Level> levels = {level("U0", shop.loc, 4, std::nullopt), level("U1", shop.loc, 9, std::nullopt)};
  auto r = client->set_levels(levels);
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::applied);
  CHECK(r.value()[1].outcome == push::Outcome::applied);  // already 9: nothing to send
  CHECK(shop.emu->available("U0", shop.loc) == 4);
  const auto stats = shop.emu->stats();
  CHECK(count_op(stats, "nodes") == 1);
  CHECK(stats.quantities_set == 1);
}

TEST_CASE("shopify: a sale in the shop meanwhile makes the level stale and the others still apply") {
  Shop shop;
  shop.seed("S", 3, 10);
  auto client = client_for(shop);
  REQUIRE(shop.emu->sell("S1", shop.loc, 2));  // the shop sold two since Odoo's read
  std::vector<push::Level> levels = {level("S0", shop.loc, 6, 10), level("S1", shop.loc, 6, 10),
                                     level("S2", shop.loc, 6, 10)};
  auto r = client->set_levels(levels);
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::applied);
  CHECK(r.value()[1].outcome == push::Outcome::stale);
  CHECK(r.value()[1].channel_quantity == 8);
  CHECK(r.value()[2].outcome == push::Outcome::applied);
  CHECK(shop.emu->available("S1", shop.loc) == 8);  // the sale is not overwritten
  CHECK(shop.emu->available("S0", shop.loc) == 6);
  CHECK(shop.emu->available("S2", shop.loc) == 6);
}

TEST_CASE("shopify: unknown SKUs and unstocked locations are not listed, bad input is rejected") {
  Shop shop;
  shop.seed("N", 1, 3);
  const std::int64_t other = shop.emu->add_location("Other");
  shop.emu->add_variant("DUP", "1.00");
  shop.emu->add_variant("DUP", "1.00");
  REQUIRE(shop.emu->set_available("DUP", shop.loc, 1));
  auto client = client_for(shop);
  std::vector<push::Level> levels = {level("NOPE", shop.loc, 1, 0), level("N0", other, 1, 0),
                                     level("N0", shop.loc, -1, 3), level("DUP", shop.loc, 2, 1),
                                     level("N0", shop.loc, 4, 3)};
  levels[2].quantity = -1;
  push::Level bad_loc = level("N0", shop.loc, 1, 3);
  bad_loc.location = "warehouse-1";
  levels.push_back(bad_loc);
  auto r = client->set_levels(levels);
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::not_listed);
  CHECK(r.value()[1].outcome == push::Outcome::not_listed);
  CHECK(contains(r.value()[1].message, "not stocked"));
  CHECK(r.value()[2].outcome == push::Outcome::rejected);
  CHECK(r.value()[3].outcome == push::Outcome::rejected);
  CHECK(contains(r.value()[3].message, "2 Shopify variants"));
  CHECK(r.value()[4].outcome == push::Outcome::applied);
  CHECK(r.value()[5].outcome == push::Outcome::rejected);
  CHECK(contains(r.value()[5].message, "warehouse-1"));
  CHECK(shop.emu->available("N0", shop.loc) == 4);
}

TEST_CASE("shopify: a userError for one SKU rejects only that item, the rest of the batch is applied") {
  Shop shop;
  shop.seed("B", 5, 1);
  auto client = client_for(shop);
  shop.emu->inject({ShopifyEmulator::FaultKind::user_error, 1, 503, "B2", "inventorySetQuantities"});
  std::vector<push::Level> levels;
  for (int i = 0; i < 5; ++i) levels.push_back(level("B" + std::to_string(i), shop.loc, 20 + i, 1));
  auto r = client->set_levels(levels);
  REQUIRE(r);
  for (int i = 0; i < 5; ++i) {
    CAPTURE(i);
    CHECK(r.value()[static_cast<std::size_t>(i)].outcome ==
          (i == 2 ? push::Outcome::rejected : push::Outcome::applied));
    CHECK(shop.emu->available("B" + std::to_string(i), shop.loc) == (i == 2 ? 1 : 20 + i));
  }
  CHECK(contains(r.value()[2].message, "NON_MUTABLE_INVENTORY_ITEM"));
  const auto stats = shop.emu->stats();
  CHECK(count_op(stats, "inventorySetQuantities") == 2);  // the refused mutation, then the four again
  CHECK(stats.faults_consumed == 1);
}

TEST_CASE("shopify: the same item and location twice in one call go in order, the later last") {
  Shop shop;
  shop.seed("D", 1, 2);
  auto client = client_for(shop);
  std::vector<push::Level> levels = {level("D0", shop.loc, 5, 2), level("D0", shop.loc, 7, 5)};
  auto r = client->set_levels(levels);
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::applied);
  CHECK(r.value()[1].outcome == push::Outcome::applied);
  CHECK(shop.emu->available("D0", shop.loc) == 7);
}

TEST_CASE("shopify: versions before 2026-01 compare with compareQuantity") {
  Shop shop;
  shop.seed("L", 2, 4);
  auto client = client_for(shop, {{"api_version", "2025-10"}});
  REQUIRE(shop.emu->sell("L1", shop.loc, 1));
  std::vector<push::Level> levels = {level("L0", shop.loc, 8, 4), level("L1", shop.loc, 8, 4)};
  auto r = client->set_levels(levels);
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::applied);
  CHECK(r.value()[1].outcome == push::Outcome::stale);
  CHECK(r.value()[1].channel_quantity == 3);
  CHECK(shop.emu->stats().idempotent_replays == 0);
}

TEST_CASE("shopify: a lost answer to a level change is replayed from its idempotency key, not taken as stale") {
  Shop shop;
  shop.seed("R", 2, 4);
  auto client = client_for(shop);
  REQUIRE(client->read_level("R0", std::to_string(shop.loc)));  // warm the connection
  shop.emu->inject({ShopifyEmulator::FaultKind::reset_after_apply, 1, 503, "", "inventorySetQuantities"});
  std::vector<push::Level> levels = {level("R0", shop.loc, 9, 4), level("R1", shop.loc, 1, 4)};
  auto first = client->set_levels(levels);
  if (!first) {  // libcurl did not resend on its own: the Pusher would, with the same content
    CHECK(first.error().kind() == ErrorKind::transport);
    first = client->set_levels(levels);
  }
  REQUIRE(first);
  CHECK(first.value()[0].outcome == push::Outcome::applied);
  CHECK(first.value()[1].outcome == push::Outcome::applied);
  CHECK(shop.emu->available("R0", shop.loc) == 9);
  const auto stats = shop.emu->stats();
  CHECK(stats.idempotent_replays == 1);
  CHECK(stats.quantities_set == 2);  // applied once
  // And again later (the Pusher's retry of the same change): still applied.
  auto again = client->set_levels(levels);
  REQUIRE(again);
  CHECK(again.value()[0].outcome == push::Outcome::applied);
  CHECK(shop.emu->stats().quantities_set == 2);
}

TEST_CASE("shopify: without @idempotent (before 2026-01) a replayed level reads as applied when it holds our value") {
  Shop shop;
  shop.seed("Q", 1, 4);
  auto client = client_for(shop, {{"api_version", "2025-07"}});
  std::vector<push::Level> levels = {level("Q0", shop.loc, 9, 4)};
  REQUIRE(client->set_levels(levels));
  auto again = client->set_levels(levels);  // compareQuantity 4 is stale now, but 9 is what we set
  REQUIRE(again);
  CHECK(again.value()[0].outcome == push::Outcome::applied);
}

TEST_CASE("shopify: prices by product with exact decimals, the wrong currency and one bad variant rejected alone") {
  Shop shop;
  shop.seed("P", 4, 1, 3);  // P0..P2 in one product, P3 in another
  auto client = client_for(shop, {{"currency", "EUR"}});
  shop.emu->inject({ShopifyEmulator::FaultKind::user_error, 1, 503, "P1", "productVariantsBulkUpdate"});
  std::vector<push::Price> prices = {price("P0", "12.5"),    price("P1", "3.99"),        price("P2", "0.10"),
                                     price("P3", "1999.00"), price("P0", "5.00", "USD"), price("NOPE", "1.00")};
  auto r = client->set_prices(prices);
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::applied);
  CHECK(r.value()[1].outcome == push::Outcome::rejected);
  CHECK(r.value()[2].outcome == push::Outcome::applied);
  CHECK(r.value()[3].outcome == push::Outcome::applied);
  CHECK(r.value()[4].outcome == push::Outcome::rejected);
  CHECK(contains(r.value()[4].message, "EUR"));
  CHECK(r.value()[5].outcome == push::Outcome::not_listed);
  CHECK(shop.emu->price("P0") == "12.50");
  CHECK(shop.emu->price("P1") == "10.00");
  CHECK(shop.emu->price("P2") == "0.10");
  CHECK(shop.emu->price("P3") == "1999.00");
  CHECK(count_op(shop.emu->stats(), "productVariantsBulkUpdate") == 2);  // one per product
}

TEST_CASE("shopify: two prices for one SKU in a call go in successive mutations, the later last") {
  Shop shop;
  shop.seed("Z", 2, 1, 2);
  auto client = client_for(shop, {{"currency", "EUR"}});
  auto r = client->set_prices(std::vector<push::Price>{price("Z0", "1.00"), price("Z1", "2.00"), price("Z0", "3.00")});
  REQUIRE(r);
  for (const auto& item : r.value()) CHECK(item.outcome == push::Outcome::applied);
  CHECK(shop.emu->price("Z0") == "3.00");
  CHECK(shop.emu->price("Z1") == "2.00");
  CHECK(count_op(shop.emu->stats(), "productVariantsBulkUpdate") == 2);
}

TEST_CASE("shopify: without a currency setting the shop's own currency is read once") {
  ShopifyEmulator::Options o;
  o.currency = "JPY";
  Shop shop(o);
  shop.seed("J", 1, 1);
  auto client = client_for(shop);
  auto r = client->set_prices(std::vector<push::Price>{price("J0", "1200", "JPY"), price("J0", "12.00", "EUR")});
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::applied);
  CHECK(r.value()[1].outcome == push::Outcome::rejected);
  CHECK(shop.emu->price("J0") == "1200");
  REQUIRE(client->set_prices(std::vector<push::Price>{price("J0", "1300", "JPY")}));
  CHECK(count_op(shop.emu->stats(), "shop") == 1);
}

TEST_CASE("shopify: a fulfilment with tracking, and its replays, fulfil once") {
  Shop shop;
  shop.seed("F", 2, 5);
  const std::int64_t order = shop.emu->add_order({{"F0", 2}, {"F1", 1}});
  auto client = client_for(shop);
  push::Fulfilment f;
  f.order_id = std::to_string(order);  // the numeric id the inbound mapping stores
  f.shipment = "WH/OUT/00012";
  f.lines = {{"F0", 2}};
  f.carrier = "UPS";
  f.tracking_number = "1Z999AA10123456784";
  f.tracking_url = "https://www.ups.com/track?tracknum=1Z999AA10123456784";
  f.notify_customer = false;
  auto r = client->fulfil(std::span<const push::Fulfilment>(&f, 1));
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::applied);
  auto recorded = shop.emu->fulfillments(order);
  REQUIRE(recorded.size() == 1);
  CHECK(recorded[0].company == "UPS");
  CHECK(recorded[0].number == f.tracking_number);
  CHECK(recorded[0].url == f.tracking_url);
  CHECK_FALSE(recorded[0].notify_customer);
  CHECK(recorded[0].lines == std::vector<std::pair<std::string, std::int64_t>>{{"F0", 2}});
  // The same shipment again: found by its tracking number, not fulfilled twice.
  auto again = client->fulfil(std::span<const push::Fulfilment>(&f, 1));
  REQUIRE(again);
  CHECK(again.value()[0].outcome == push::Outcome::applied);
  CHECK(shop.emu->fulfillments(order).size() == 1);

  // The second shipment's answer is lost: the retry finds it.
  push::Fulfilment g = f;
  g.shipment = "WH/OUT/00013";
  g.lines = {{"F1", 1}};
  g.tracking_number = "1Z999AA10123456785";
  g.order_id = "gid://shopify/Order/" + std::to_string(order);
  shop.emu->inject({ShopifyEmulator::FaultKind::reset_after_apply, 1, 503, "", "fulfillmentCreate"});
  auto lost = client->fulfil(std::span<const push::Fulfilment>(&g, 1));
  if (!lost) lost = client->fulfil(std::span<const push::Fulfilment>(&g, 1));
  REQUIRE(lost);
  CHECK(lost.value()[0].outcome == push::Outcome::applied);
  CHECK(shop.emu->fulfillments(order).size() == 2);
}

TEST_CASE("shopify: fulfilments of unknown orders, surplus lines and whole orders") {
  Shop shop;
  shop.seed("G", 2, 5);
  const std::int64_t order = shop.emu->add_order({{"G0", 1}, {"G1", 3}});
  auto client = client_for(shop);
  std::vector<push::Fulfilment> fs(4);
  fs[0].order_id = "999999";
  fs[0].shipment = "WH/OUT/1";
  fs[1].order_id = std::to_string(order);
  fs[1].shipment = "WH/OUT/2";
  fs[1].lines = {{"G1", 4}};
  fs[2].order_id = std::to_string(order);
  fs[2].shipment = "WH/OUT/3";
  fs[2].lines = {{"ZZ", 1}};
  fs[3].order_id = std::to_string(order);
  fs[3].shipment = "WH/OUT/4";  // no lines: everything left, no tracking
  auto r = client->fulfil(fs);
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::not_listed);
  CHECK(r.value()[1].outcome == push::Outcome::rejected);
  CHECK(contains(r.value()[1].message, "more than"));
  CHECK(r.value()[2].outcome == push::Outcome::rejected);
  CHECK(r.value()[3].outcome == push::Outcome::applied);
  auto recorded = shop.emu->fulfillments(order);
  REQUIRE(recorded.size() == 1);
  CHECK(recorded[0].lines.size() == 2);
  // Nothing left: a replay without a tracking number is applied, and nothing more is created.
  auto again = client->fulfil(std::span<const push::Fulfilment>(&fs[3], 1));
  REQUIRE(again);
  CHECK(again.value()[0].outcome == push::Outcome::applied);
  CHECK(shop.emu->fulfillments(order).size() == 1);
}

TEST_CASE("shopify: the client waits for the cost bucket so the shop refuses nothing, at the restore rate") {
  ManualClock clock;  // shared: the client's waits move the emulator's bucket time
  ShopifyEmulator::Options o;
  o.restore_rate = 50;  // the older documentation's rate, below today's standard 100
  o.maximum_available = 1000;
  o.clock = &clock;
  Shop shop(o);
  const int n = 2000;
  shop.seed("T", n, 1);
  auto client = client_for(shop, {{"max_wait_ms", "600000"}}, &clock);
  std::vector<push::Level> levels;
  for (int i = 0; i < n; ++i) levels.push_back(level("T" + std::to_string(i), shop.loc, 5, 1));
  const auto t0 = clock.now();
  auto r = client->set_levels(levels);
  REQUIRE(r);
  for (const auto& item : r.value()) REQUIRE(item.outcome == push::Outcome::applied);
  const double seconds = std::chrono::duration<double>(clock.now() - t0).count();
  const auto stats = shop.emu->stats();
  CHECK(stats.throttled == 0);  // never refused
  CHECK(stats.quantities_set == static_cast<std::uint64_t>(n));
  CHECK_FALSE(clock.sleeps().empty());
  // What was spent fits the bucket plus what it restored, and the client waited no longer than it had
  // to: each wait ends when the bucket holds the next request's requested cost (303 at most here).
  CHECK(stats.points_charged <= o.maximum_available + o.restore_rate * seconds + 1e-6);
  CHECK(o.restore_rate * seconds <= stats.points_charged - o.maximum_available + 303 + 100);
  const double levels_per_second = n / seconds;
  const double points_per_second = (stats.points_charged - o.maximum_available) / seconds;
  MESSAGE("2000 levels at restoreRate 50: " << seconds << " s emulated, " << levels_per_second << " levels/s, "
                                            << points_per_second << " points/s beyond the first bucket");
  CHECK(points_per_second <= o.restore_rate + 1e-6);
  CHECK(client->limits().sustained_rate == doctest::Approx(50));
  CHECK(client->limits().unit == "cost points");
  CHECK(client->limits().max_levels_per_call == 250);

  // Once the SKUs are known, levels cost one mutation (10 points) per 250: the same push again takes
  // at most the 80 points' restore time.
  const auto t1 = clock.now();
  for (auto& l : levels) {
    l.expected = 5;
    l.quantity = 6;
  }
  auto second = client->set_levels(levels);
  REQUIRE(second);
  for (const auto& item : second.value()) REQUIRE(item.outcome == push::Outcome::applied);
  CHECK(shop.emu->stats().throttled == 0);
  CHECK(count_op(shop.emu->stats(), "inventorySetQuantities") == 16);
  CHECK(clock.now() - t1 <= std::chrono::milliseconds(1700));
  MESSAGE("the same 2000 levels with SKUs known: 8 mutations, "
          << std::chrono::duration<double>(clock.now() - t1).count()
          << " s emulated (the ceiling at restoreRate 50 is 250 levels per 10 points: 1250 levels/s)");
}

TEST_CASE("shopify: on the real clock too, the client waits for the bucket and nothing is refused") {
  ShopifyEmulator::Options o;  // the emulator's real clock, a small bucket restoring fast
  o.maximum_available = 400;
  o.restore_rate = 2000;
  Shop shop(o);
  shop.seed("V", 300, 1);  // six resolution queries of 303 requested, 153 actual: ~0.3 s of waiting
  auto client = client_for(shop);
  std::vector<push::Level> levels;
  for (int i = 0; i < 300; ++i) levels.push_back(level("V" + std::to_string(i), shop.loc, 2, 1));
  const auto t0 = std::chrono::steady_clock::now();
  auto r = client->set_levels(levels);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(r);
  for (const auto& item : r.value()) REQUIRE(item.outcome == push::Outcome::applied);
  const auto stats = shop.emu->stats();
  CHECK(stats.throttled == 0);
  CHECK(stats.points_charged <= o.maximum_available + o.restore_rate * seconds + 1e-6);
  CHECK(seconds >= (stats.points_charged - o.maximum_available) / o.restore_rate);
}

TEST_CASE("shopify: a wait beyond max_wait is backpressure with retry_after, and nothing is refused") {
  ManualClock clock;
  ShopifyEmulator::Options o;
  o.restore_rate = 1;
  o.clock = &clock;
  Shop shop(o);
  shop.seed("W", 300, 1);  // six resolution queries of 303 points (153 once answered): the sixth does not fit
  auto client = client_for(shop, {{"max_wait_ms", "2000"}}, &clock);
  std::vector<push::Level> levels;
  for (int i = 0; i < 300; ++i) levels.push_back(level("W" + std::to_string(i), shop.loc, 5, 1));
  auto r = client->set_levels(levels);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == ErrorKind::backpressure);
  REQUIRE(r.error().retry_after().has_value());
  CHECK(r.error().retry_after()->count() > 2000);
  CHECK(shop.emu->stats().throttled == 0);
  CHECK(clock.sleeps().empty());  // it did not wait for what it could not get
}

TEST_CASE("shopify: a bucket smaller than a query fails that call once, then the batches are cut to fit") {
  ManualClock clock;
  ShopifyEmulator::Options o;
  o.maximum_available = 200;  // less than a 50-SKU resolution query (303)
  o.clock = &clock;
  Shop shop(o);
  shop.seed("M", 60, 1);
  auto client = client_for(shop, {}, &clock);
  std::vector<push::Level> levels;
  for (int i = 0; i < 60; ++i) levels.push_back(level("M" + std::to_string(i), shop.loc, 3, 1));
  auto first = client->set_levels(levels);
  REQUIRE_FALSE(first);
  CHECK(first.error().kind() == ErrorKind::protocol);
  CHECK(contains(first.error().message(), "bucket of 200"));
  auto second = client->set_levels(levels);
  REQUIRE(second);
  for (const auto& item : second.value()) CHECK(item.outcome == push::Outcome::applied);
  CHECK(shop.emu->stats().throttled == 1);  // only the first, unknowing, query
}

TEST_CASE("shopify: a THROTTLED answer or a 429 is waited out within max_wait and sent again") {
  ManualClock clock;
  ShopifyEmulator::Options o;
  o.clock = &clock;
  Shop shop(o);
  shop.seed("H", 1, 1);
  auto client = client_for(shop, {}, &clock);
  shop.emu->inject({ShopifyEmulator::FaultKind::throttled, 1, 503, "", "productVariants"});
  shop.emu->inject({ShopifyEmulator::FaultKind::http_error, 1, 429, "", "inventorySetQuantities"});
  std::vector<push::Level> levels = {level("H0", shop.loc, 3, 1)};
  auto r = client->set_levels(levels);
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::applied);
  CHECK(shop.emu->stats().faults_consumed == 2);
  const auto sleeps = clock.sleeps();
  REQUIRE(sleeps.size() == 2);
  CHECK(sleeps[0] >= std::chrono::milliseconds(10));    // (requested - available) / restore, at least a point
  CHECK(sleeps[1] == std::chrono::milliseconds(2000));  // Retry-After: 2.0
}

TEST_CASE("shopify: an auth refusal refreshes the token once, then is an auth error without the token") {
  Shop shop;
  shop.seed("K", 1, 1);
  auto rotating = std::make_shared<TestToken>(std::vector<std::string>{"shpat_old_token_value", token()});
  auto client = client_for(shop, {}, nullptr, rotating);
  auto r = client->read_level("K0", std::to_string(shop.loc));
  REQUIRE(r);
  CHECK(r.value() == 1);
  CHECK(rotating->refreshes == 1);

  shop.emu->set_access_token("shpat_someone_else");
  auto refused = client->read_level("K0", std::to_string(shop.loc));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind() == ErrorKind::auth);
  CHECK(refused.error().http_status() == 401);
  CHECK(rotating->refreshes == 2);
  CHECK_FALSE(contains(refused.error().to_string(), token()));
  CHECK(contains(refused.error().message(), "shop-eu"));
}

TEST_CASE("shopify: a 5xx or a reset is a whole-call error and nothing is half-applied") {
  Shop shop;
  shop.seed("X", 2, 1);
  auto client = client_for(shop);
  std::vector<push::Level> levels = {level("X0", shop.loc, 4, 1), level("X1", shop.loc, 4, 1)};
  REQUIRE(client->read_level("X0", std::to_string(shop.loc)));
  shop.emu->inject({ShopifyEmulator::FaultKind::http_error, 1, 503, "", "inventorySetQuantities"});
  auto r = client->set_levels(levels);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == ErrorKind::http);
  CHECK(r.error().http_status() == 503);
  CHECK(shop.emu->available("X0", shop.loc) == 1);
  // A reset on a fresh request (two of them, past libcurl's own resend): a transport error.
  shop.emu->inject({ShopifyEmulator::FaultKind::reset, 2, 503, "", "inventorySetQuantities"});
  r = client->set_levels(levels);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == ErrorKind::transport);
  CHECK(shop.emu->available("X0", shop.loc) == 1);
  r = client->set_levels(levels);
  REQUIRE(r);
  CHECK(r.value()[0].outcome == push::Outcome::applied);
  CHECK(shop.emu->available("X1", shop.loc) == 4);
}

TEST_CASE("shopify: secrets never appear in errors, even when the server quotes them") {
  auto fake = std::make_shared<http::FakeTransport>();
  const std::string secret = token();
  fake->push_json(500, "{\"errors\":\"bad token " + secret + "\"}");
  fake->push_json(200, "{\"errors\":[{\"message\":\"token " + secret + " is odd\"}]}");
  fake->push(Error::transport(TransportFailure::reset, true, "reset while sending " + secret));
  push::ClientDeps deps;
  deps.transport = fake;
  auto c = push::make_shopify_client(
      endpoint("https://shop.example", std::make_shared<TestToken>(std::vector<std::string>{secret})), deps);
  REQUIRE(c);
  for (int i = 0; i < 3; ++i) {
    auto r = c.value()->read_level("A", "1");
    REQUIRE_FALSE(r);
    CAPTURE(i);
    CHECK_FALSE(contains(r.error().to_string(), secret));
    CHECK(contains(r.error().message(), std::string(Secret::redacted)));
  }
  const auto sent = fake->requests();
  REQUIRE(sent.size() == 3);
  CHECK(sent[0].url ==
        "https://shop.example/admin/api/" + std::string(push::shopify::default_api_version) + "/graphql.json");
  CHECK(sent[0].headers.get("X-Shopify-Access-Token").value_or("") == secret);
}

TEST_CASE("shopify: settings and secrets are checked, the error naming the key") {
  auto t = std::make_shared<TestToken>(std::vector<std::string>{"x"});
  auto check = [&](push::ChannelEndpoint e, const std::string& expected) {
    auto c = push::make_shopify_client(e, {std::make_shared<http::FakeTransport>(), nullptr});
    REQUIRE_FALSE(c);
    CHECK(c.error().kind() == ErrorKind::validation);
    CHECK(contains(c.error().message(), expected));
    CHECK(contains(c.error().message(), "shop-eu"));
  };
  auto e = endpoint("https://s.myshopify.com", t);
  e.secrets.clear();
  check(e, "access_token");
  check(endpoint("https://s.myshopify.com", t, {{"api_verison", "2026-10"}}), "api_verison");
  check(endpoint("https://s.myshopify.com", t, {{"api_version", "2026-02"}}), "api_version");
  check(endpoint("https://s.myshopify.com", t, {{"api_version", "2024-10"}}), "2025-04");
  check(endpoint("https://s.myshopify.com", t, {{"currency", "EURO"}}), "currency");
  check(endpoint("https://s.myshopify.com", t, {{"max_wait_ms", "soon"}}), "max_wait_ms");
  check(endpoint("s.myshopify.com", t), "base_url");
  e = endpoint("https://s.myshopify.com", t);
  e.secrets["password"] = t;
  check(e, "password");
  auto ok = push::make_channel_client("shopify", endpoint("https://s.myshopify.com", t),
                                      {std::make_shared<http::FakeTransport>(), nullptr});
  REQUIRE(ok);
  CHECK(ok.value()->provider() == "shopify");
  CHECK(ok.value()->limits().sustained_rate == doctest::Approx(push::shopify::default_restore_rate));
  CHECK(ok.value()->limits().max_prices_per_call == 250);
}

TEST_CASE("shopify emulator: 2026-04 requires @idempotent and changeFromQuantity, refuses compareQuantity") {
  Shop shop;
  shop.seed("E", 1, 3);
  auto transport = http::CurlTransport::create();
  REQUIRE(transport);
  auto post = [&](const std::string& version, const std::string& body, const std::string& tok) {
    http::Request req;
    req.url = shop.emu->url() + "/admin/api/" + version + "/graphql.json";
    req.headers.add("Content-Type", "application/json");
    req.headers.add("X-Shopify-Access-Token", tok);
    req.body = body;
    auto res = transport.value()->send(req);
    REQUIRE(res);
    return res.value();
  };
  // The inventory item's id, through the API.
  auto found = post("2026-04",
                    R"({"query":"query { productVariants(first: 2, query: $q) { nodes { id } } }","variables":)"
                    R"({"first":2,"query":"sku:\"E0\""}})",
                    token());
  CHECK(found.status == 200);
  CHECK(contains(found.body, "gid://shopify/InventoryItem/"));
  CHECK(contains(found.body, "\"throttleStatus\""));
  const auto at = found.body.find("gid://shopify/InventoryItem/");
  const std::string item = found.body.substr(at, found.body.find('"', at) - at);
  const std::string loc = "gid://shopify/Location/" + std::to_string(shop.loc);
  const std::string input = R"({"input":{"name":"available","reason":"correction","quantities":[{"inventoryItemId":")" +
                            item + R"(","locationId":")" + loc + R"(","quantity":5,)";
  const std::string doc = "mutation M($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input)";
  const std::string rest = " { inventoryAdjustmentGroup { id } userErrors { code field message } } }";
  auto no_key =
      post("2026-04", R"({"query":")" + doc + rest + R"(","variables":)" + input + R"("changeFromQuantity":3}]}}})",
           token());
  CHECK(contains(no_key.body, "@idempotent"));
  const std::string keyed = doc + R"( @idempotent(key: \"k-1\"))" + rest;
  auto compare =
      post("2026-04", R"({"query":")" + keyed + R"(","variables":)" + input + R"("compareQuantity":3}]}}})", token());
  CHECK(contains(compare.body, "compareQuantity (Field is not defined"));
  auto stale = post("2026-04", R"({"query":")" + keyed + R"(","variables":)" + input + R"("changeFromQuantity":2}]}}})",
                    token());
  CHECK(contains(stale.body, "CHANGE_FROM_QUANTITY_STALE"));
  CHECK(contains(stale.body, R"("field":["input","quantities","0","changeFromQuantity"])"));
  // The key is spent on that request: other parameters under it are a mismatch.
  auto mismatch = post(
      "2026-04", R"({"query":")" + keyed + R"(","variables":)" + input + R"("changeFromQuantity":3}]}}})", token());
  CHECK(contains(mismatch.body, "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"));
  CHECK(shop.emu->available("E0", shop.loc) == 3);
  auto legacy = post(
      "2025-10", R"({"query":")" + doc + rest + R"(","variables":)" + input + R"("compareQuantity":3}]}}})", token());
  CHECK(contains(legacy.body, R"("inventoryAdjustmentGroup":{"id")"));
  CHECK(shop.emu->available("E0", shop.loc) == 5);
  auto denied = post("2026-04", R"({"query":"query { shop { currencyCode } }"})", "shpat_wrong");
  CHECK(denied.status == 401);
  CHECK(contains(denied.body, "Invalid API key or access token"));
  auto unknown = post("2026-04", R"({"query":"query { customers(first: 1) { nodes { id } } }"})", token());
  CHECK(contains(unknown.body, "not a GraphQL server"));
}
