// End to end: stock, prices and deliveries change in the Odoo emulator and reach the four channel
// emulators (Shopify, WooCommerce, Square, Amazon) through the real push clients, configured from one
// channels file, under each provider's rate limit and with injected faults; then the oversell case: a
// sale in the shop between Odoo's read and our write is not lost.
#include <odoosync/channels/config.hpp>
#include <odoosync/emulator/amazon.hpp>
#include <odoosync/emulator/shopify.hpp>
#include <odoosync/emulator/square.hpp>
#include <odoosync/emulator/woocommerce.hpp>
#include <odoosync/odoo/domain.hpp>
#include <odoosync/push/config.hpp>
#include <odoosync/push/pusher.hpp>
#include <odoosync/sync/engine.hpp>
#include <odoosync/sync/memory_store.hpp>
#include <odoosync/sync/sqlite_store.hpp>

#include <test_odoo.hpp>

#include "push_events.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

namespace os = odoosync;
namespace push = odoosync::push;
namespace oss = odoosync::sync;
namespace ce = odoosync::channel_emulator;
using Odoo = odoosync::testing::TestOdoo;
using namespace push_events;

namespace {

const std::vector<std::string> skus = {"FURN_7777", "FURN_8888", "FURN_9999", "FURN_7800"};

// What a channel fed by WH/Stock and WH/Stock/Shelf 1 may sell of `sku`.
std::int64_t sellable(Odoo& odoo, const std::string& sku, std::int64_t safety) {
  const double held = odoo.on_hand(sku, "WH/Stock") + odoo.on_hand(sku, "WH/Stock/Shelf 1");
  return std::max<std::int64_t>(0, static_cast<std::int64_t>(held) - safety);
}

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

struct Channel {
  std::string name;
  std::unique_ptr<push::Pusher> pusher;
  std::unique_ptr<oss::OutboundPuller> puller;
  push::ChannelPush config;
};

}  // namespace

TEST_CASE(
    "push end to end: Odoo's stock, prices and deliveries reach Shopify, WooCommerce, Square and Amazon exactly, "
    "under their rate limits and injected faults") {
  Odoo odoo(18, 0, odoosync::testing::ClientKind::engine, {"stock_delivery"});
  oss::MemoryStore engine_store;
  apply(odoo, engine_store,
        {customer(), stock_delta("s1", "FURN_7777", "WH/Stock", "12"),
         stock_delta("s2", "FURN_7777", "WH/Stock/Shelf 1", "5"), stock_delta("s3", "FURN_8888", "WH/Stock", "7"),
         stock_delta("s4", "FURN_9999", "WH/Stock", "3"), stock_delta("s5", "FURN_7800", "WH/Stock", "20")});

  // The channels, at their providers' limits (slowed down where a test can afford it, so the limits bite).
  ce::ShopifyEmulator::Options so;
  so.restore_rate = 50;         // older plans' rate
  so.maximum_available = 1000;  // the standard plan's bucket, restoring slower than it does
  auto shopify = ce::ShopifyEmulator::start(so);
  REQUIRE(shopify);
  auto& shop = *shopify.value();
  const std::int64_t main_loc = shop.add_location("Main");
  ce::WooCommerceEmulator::Options wo;
  wo.currency = "USD";
  wo.requests_per_second = 4;
  wo.burst = 2;
  auto woocommerce = ce::WooCommerceEmulator::start(wo);
  REQUIRE(woocommerce);
  auto& woo = *woocommerce.value();
  ce::SquareEmulator::Options qo;
  qo.locations = {"L1"};
  qo.currency = "USD";
  qo.requests_per_second = 4;
  qo.burst = 2;
  auto square_emu = ce::SquareEmulator::start(qo);
  REQUIRE(square_emu);
  auto& square = *square_emu.value();
  ce::AmazonEmulator::Options ao;
  ao.currency = "USD";
  auto amazon_emu = ce::AmazonEmulator::start(ao);
  REQUIRE(amazon_emu);
  auto& amazon = *amazon_emu.value();
  for (const auto& sku : skus) {
    shop.add_variant(sku, "1.00");
    shop.set_available(sku, main_loc, 0);
    woo.seed_product(sku, 0, "1.00");
    square.seed_variation(sku, 100);
    ce::AmazonEmulator::Listing l;
    l.sku = sku;
    l.currency = "USD";
    amazon.seed(l);
  }
  // Orders placed in three of the channels, taken into Odoo by the inbound side, then shipped.
  const std::int64_t shop_order = shop.add_order({{"FURN_8888", 2}});
  const std::int64_t woo_order = woo.seed_order("processing");
  ce::AmazonEmulator::Order amazon_order;
  amazon_order.order_id = "302-1234567-7654321";
  amazon_order.items.push_back({"OI-1", "FURN_9999", 1, 0});
  amazon.seed_order(amazon_order);
  apply(odoo, engine_store,
        {order("o1", std::to_string(shop_order), "web/shop-eu", "FURN_8888", 2),
         order("o2", std::to_string(woo_order), "web/woo", "FURN_7800", 1),
         order("o3", amazon_order.order_id, "marketplace/amazon-de", "FURN_9999", 1)});
  apply(odoo, engine_store,
        {shipped("d1", std::to_string(shop_order)), shipped("d2", std::to_string(woo_order)),
         shipped("d3", amazon_order.order_id)});
  // The warehouse wrote each parcel's tracking number on its delivery (stock_delivery's field).
  const std::map<std::string, std::string> tracking = {{std::to_string(shop_order), "1Z999AA10123456784"},
                                                       {std::to_string(woo_order), "JJD000390007211"},
                                                       {amazon_order.order_id, "TBA123456789000"}};
  for (const auto& [ref, number] : tracking) {
    auto picks = odoo.client->search("stock.picking", os::odoo::field("sale_id.client_order_ref") == ref);
    REQUIRE(picks);
    REQUIRE(picks.value().size() == 1);
    os::odoo::Values v;
    v.set("carrier_tracking_ref", number);
    REQUIRE(odoo.client->write("stock.picking", picks.value(), v));
  }

  // Faults: every channel fails whole calls and one item of its own.
  shop.inject({.kind = ce::ShopifyEmulator::FaultKind::http_error, .times = 1, .status = 503});
  shop.inject({.kind = ce::ShopifyEmulator::FaultKind::reset_after_apply,
               .times = 1,
               .status = 503,
               .sku = {},
               .operation = "inventorySetQuantities"});
  shop.inject({.kind = ce::ShopifyEmulator::FaultKind::user_error,
               .times = 1,
               .status = 503,
               .sku = "FURN_9999",
               .operation = "inventorySetQuantities"});
  ce::WooCommerceEmulator::Fault wf;
  wf.kind = ce::WooCommerceEmulator::FaultKind::status;
  wf.status = 502;
  woo.inject(wf);
  ce::WooCommerceEmulator::Fault wi;
  wi.kind = ce::WooCommerceEmulator::FaultKind::item_error;
  wi.sku = "FURN_8888";
  woo.inject(wi);
  ce::SquareEmulator::Fault qr;
  qr.kind = ce::SquareEmulator::FaultKind::reset;
  square.inject(qr);
  ce::AmazonEmulator::Fault af;
  af.status = 503;
  af.operation = "patchListingsItem";
  amazon.inject(af);
  amazon.invalid_next("FURN_7800");

  // One configuration file for the four, secrets in files beside it.
  const auto dir =
      std::filesystem::temp_directory_path() /
      fmt::format("push-e2e-{}-{}", ::getpid(), std::chrono::steady_clock::now().time_since_epoch().count());
  std::filesystem::create_directories(dir);
  write_file(dir / "shopify.secret", "shpat_emulator");
  write_file(dir / "woo-key.secret", "ck_emulator");
  write_file(dir / "woo-secret.secret", "cs_emulator");
  write_file(dir / "square.secret", "EAAAemulator");
  write_file(dir / "lwa-id.secret", ao.client_id);
  write_file(dir / "lwa-secret.secret", ao.client_secret);
  write_file(dir / "lwa-refresh.secret", ao.refresh_token);
  const std::string stock_from = R"(["WH/Stock", "WH/Stock/Shelf 1"])";
  const std::string config_text = fmt::format(
      R"({{"channels": {{
  "shop-eu": {{"provider": "shopify", "order_channel": "web/shop-eu",
    "push": {{"url": "{}", "settings": {{"currency": "USD"}}, "secrets": {{"access_token": "file:shopify.secret"}},
             "safety_stock": 1, "stock_locations": {{"gid://shopify/Location/{}": {}}}}}}},
  "woo": {{"provider": "woocommerce", "order_channel": "web/woo",
    "push": {{"url": "{}", "settings": {{"allow_insecure_loopback": "true", "currency": "USD"}},
             "secrets": {{"consumer_key": "file:woo-key.secret", "consumer_secret": "file:woo-secret.secret"}},
             "stock_locations": {{"": {}}}}}}},
  "square": {{"provider": "square",
    "push": {{"url": "{}", "settings": {{"allow_insecure_loopback": "true", "currency": "USD",
                                        "requests_per_second": "3"}},
             "secrets": {{"access_token": "file:square.secret"}}, "stock_locations": {{"L1": {}}},
             "feeds": ["stock", "prices"]}}}},
  "amazon-de": {{"provider": "amazon", "order_channel": "marketplace/amazon-de",
    "push": {{"url": "{}", "settings": {{"seller_id": "{}", "marketplace_id": "{}", "lwa_url": "{}", "currency": "USD"}},
             "secrets": {{"lwa_client_id": "file:lwa-id.secret", "lwa_client_secret": "file:lwa-secret.secret",
                          "refresh_token": "file:lwa-refresh.secret"}},
             "safety_stock": 2, "stock_locations": {{"": {}}}}}}}}}}})",
      shop.url(), main_loc, stock_from, woo.base_url(), stock_from, square.url(), stock_from, amazon.url(),
      ao.seller_id, ao.marketplace_id, amazon.lwa_url(), stock_from);
  write_file(dir / "channels.json", config_text);
  auto loaded = os::channels::load_channels_config(dir / "channels.json");
  REQUIRE_MESSAGE(loaded, loaded.error().to_string());
  auto pushes = push::channel_pushes(loaded.value());
  REQUIRE_MESSAGE(pushes, pushes.error().to_string());
  REQUIRE(pushes.value().size() == 4);

  auto store_path = (dir / "push.db").string();
  auto opened = oss::SqliteStore::open(store_path);
  REQUIRE(opened);
  oss::SqliteStore& store = *opened.value();
  std::vector<Channel> channels;
  for (const auto& cp : pushes.value()) {
    auto client = push::make_channel_client(cp.provider, cp.endpoint);
    REQUIRE_MESSAGE(client, client.error().to_string());
    push::PusherOptions po;
    po.backoff_base = std::chrono::milliseconds{20};
    po.backoff_max = std::chrono::milliseconds{200};
    po.seed = 7;
    Channel c;
    c.name = cp.channel;
    c.config = cp;
    c.pusher = std::make_unique<push::Pusher>(store, std::shared_ptr<push::ChannelClient>(std::move(client).value()),
                                              cp.channel, cp.mapping, po);
    c.puller =
        std::make_unique<oss::OutboundPuller>(store, *odoo.client, push::pull_options(cp, {.settle = std::nullopt}));
    for (auto kind : {push::Kind::stock, push::Kind::price, push::Kind::fulfilment}) {
      if (cp.takes(kind)) c.puller->add_sink(push::feed_of(kind), *c.pusher);
    }
    channels.push_back(std::move(c));
  }

  const auto push_all = [&](push::Kind kind) {
    for (auto& c : channels) {
      if (!c.config.takes(kind)) continue;
      CAPTURE(c.name);
      auto pulled = c.puller->pull(push::feed_of(kind));
      REQUIRE_MESSAGE(pulled, pulled.error().to_string());
      push::RunOptions ro;
      ro.wait_for_retries = std::chrono::milliseconds{5'000};
      auto run = c.pusher->run(kind, ro);
      REQUIRE_MESSAGE(run, run.error().to_string());
      const auto& n = run.value().counts;
      MESSAGE(c.name << " " << push::to_string(kind) << ": pulled " << pulled.value() << ", applied " << n.applied
                     << ", stale " << n.stale << ", not listed " << n.not_listed << ", retried " << n.retried
                     << ", dead " << n.dead << ", calls " << n.calls << ", pending " << run.value().pending
                     << ", last error: " << run.value().last_error);
      auto dead = c.pusher->dead_letters();
      REQUIRE(dead);
      for (const auto& d : dead.value()) MESSAGE("  dead " << d.key << ": " << d.error);
    }
  };
  const auto dead_keys = [&](Channel& c) {
    std::vector<std::string> keys;
    auto dead = c.pusher->dead_letters();
    REQUIRE(dead);
    for (const auto& d : dead.value()) keys.push_back(d.key);
    return keys;
  };
  // -1: the channel has no level for it.
  const auto level_of = [&](const std::string& channel, const std::string& sku) -> std::int64_t {
    if (channel == "shop-eu") return shop.available(sku, main_loc).value_or(-1);
    if (channel == "woo") return woo.stock(sku).value_or(-1);
    if (channel == "square") return square.quantity(sku, "L1").value_or(-1);
    auto l = amazon.listing(sku);
    return l ? l->quantity : -1;
  };
  const std::map<std::string, std::int64_t> safety = {{"shop-eu", 1}, {"woo", 0}, {"square", 0}, {"amazon-de", 2}};
  // The one item each channel refuses once (its fault), dead-lettered alone.
  const std::map<std::string, std::string> refused = {
      {"shop-eu", "FURN_9999"}, {"woo", "FURN_8888"}, {"amazon-de", "FURN_7800"}};

  SUBCASE("stock, prices and fulfilments") {
    push_all(push::Kind::stock);
    for (auto& c : channels) {
      CAPTURE(c.name);
      auto dead = dead_keys(c);
      for (const auto& sku : skus) {
        CAPTURE(sku);
        const bool is_refused = refused.count(c.name) && refused.at(c.name) == sku;
        if (is_refused) continue;
        CHECK(level_of(c.name, sku) == sellable(odoo, sku, safety.at(c.name)));
      }
      if (refused.count(c.name)) {
        REQUIRE(dead.size() == 1);
        CHECK(dead[0].find(refused.at(c.name)) != std::string::npos);
        // The fault was once: a replay delivers it.
        REQUIRE(c.pusher->replay(push::Kind::stock, dead[0]));
        push::RunOptions ro;
        ro.wait_for_retries = std::chrono::milliseconds{5'000};
        auto again = c.pusher->run(push::Kind::stock, ro);
        REQUIRE_MESSAGE(again, again.error().to_string());
        MESSAGE("replay: applied " << again.value().counts.applied << ", stale " << again.value().counts.stale
                                   << ", retried " << again.value().counts.retried << ", last error "
                                   << again.value().last_error);
        CHECK(level_of(c.name, refused.at(c.name)) == sellable(odoo, refused.at(c.name), safety.at(c.name)));
      } else {
        CHECK(dead.empty());
      }
    }
    // The limits were kept: the clients waited rather than being refused (Square publishes no rate and
    // announces no budget: its client paces itself at the configured requests_per_second).
    CHECK(shop.stats().throttled == 0);
    CHECK(woo.refused_429() == 0);
    CHECK(square.refused_429() == 0);
    CHECK(amazon.counts().throttled == 0);
    // Every fault was met (and survived).
    CHECK(shop.stats().faults_consumed == shop.stats().faults_injected);
    CHECK(woo.faults_pending() == 0);
    CHECK(square.faults_pending() == 0);
    CHECK(amazon.counts().faults_consumed == amazon.counts().faults_injected);

    // Odoo moves on: only the change travels, and it arrives everywhere.
    std::this_thread::sleep_for(std::chrono::milliseconds{1100});
    apply(odoo, engine_store, {stock_delta("s6", "FURN_7777", "WH/Stock/Shelf 1", "-4")});
    const auto before = shop.stats().quantities_set;
    push_all(push::Kind::stock);
    for (auto& c : channels) {
      CAPTURE(c.name);
      CHECK(level_of(c.name, "FURN_7777") == sellable(odoo, "FURN_7777", safety.at(c.name)));
    }
    CHECK(shop.stats().quantities_set == before + 1);

    // Prices: Odoo's list prices, exactly.
    push_all(push::Kind::price);
    for (const auto& sku : skus) {
      CAPTURE(sku);
      auto row = odoo.client->search_read("product.product", os::odoo::field("default_code") == sku, {"list_price"});
      REQUIRE(row);
      const std::string want = fmt::format("{:.2f}", row.value()[0]["list_price"].GetDouble());
      CHECK(shop.price(sku).value_or("none") == want);
      CHECK(woo.regular_price(sku).value_or("none") == want);
      auto minor = os::retail::Money::parse(want, "USD");
      REQUIRE(minor);
      CHECK(square.price(sku).value_or(-1) == minor.value().minor_units());
      auto l = amazon.listing(sku);
      REQUIRE(l);
      CHECK(os::retail::Money::parse(l->price, "USD").value().minor_units() == minor.value().minor_units());
    }

    // Fulfilments: each channel's own delivery, once, with the tracking number where Odoo has one.
    push_all(push::Kind::fulfilment);
    push_all(push::Kind::fulfilment);  // nothing new: nothing sent twice
    auto f = shop.fulfillments(shop_order);
    REQUIRE(f.size() == 1);
    CHECK(f[0].number == "1Z999AA10123456784");
    REQUIRE(f[0].lines.size() == 1);
    CHECK(f[0].lines[0] == std::pair<std::string, std::int64_t>{"FURN_8888", 2});
    CHECK(woo.order_status(woo_order).value_or("none") == "completed");
    REQUIRE(woo.order_notes(woo_order).size() == 1);
    CHECK(woo.order_notes(woo_order)[0].note.find("JJD000390007211") != std::string::npos);
    auto shipped_order = amazon.order(amazon_order.order_id);
    REQUIRE(shipped_order);
    CHECK(shipped_order->status() == "Shipped");
    REQUIRE(shipped_order->packages.size() == 1);
    CHECK(shipped_order->packages[0].tracking_number == "TBA123456789000");
  }

  SUBCASE("oversell: a sale in the shop between Odoo's read and our write is kept") {
    push_all(push::Kind::stock);
    auto& shop_channel = channels[0].name == "shop-eu" ? channels[0] : channels[1];
    REQUIRE(shop_channel.name == "shop-eu");
    const std::int64_t shown = *shop.available("FURN_7777", main_loc);
    REQUIRE(shown == sellable(odoo, "FURN_7777", 1));
    // Odoo receives 6 more; we read it (the pull)...
    std::this_thread::sleep_for(std::chrono::milliseconds{1100});
    apply(odoo, engine_store, {stock_delta("s7", "FURN_7777", "WH/Stock", "6")});
    REQUIRE(shop_channel.puller->pull(oss::Feed::stock_levels));
    // ... and before we write, the shop sells 2 that Odoo has not heard of yet.
    REQUIRE(shop.sell("FURN_7777", main_loc, 2));
    auto run = shop_channel.pusher->run(push::Kind::stock);
    REQUIRE_MESSAGE(run, run.error().to_string());
    CHECK(run.value().counts.stale >= 1);
    // Odoo's new level less the 2 sold: not Odoo's level alone, which would sell 2 that are gone.
    CHECK(*shop.available("FURN_7777", main_loc) == sellable(odoo, "FURN_7777", 1) - 2);
    // When the order reaches Odoo, the level it brings is the one the shop already shows.
    std::this_thread::sleep_for(std::chrono::milliseconds{1100});
    apply(odoo, engine_store, {stock_delta("s8", "FURN_7777", "WH/Stock", "-2")});
    REQUIRE(shop_channel.puller->pull(oss::Feed::stock_levels));
    REQUIRE(shop_channel.pusher->run(push::Kind::stock));
    CHECK(*shop.available("FURN_7777", main_loc) == sellable(odoo, "FURN_7777", 1));
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
