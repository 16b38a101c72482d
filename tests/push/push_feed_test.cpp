// OutboundPuller (the Odoo emulator) -> Pusher (a fake channel): stock of two Odoo locations summed less
// the safety stock, prices, and done deliveries of the channel's own orders, on the emulator in its
// Odoo 18 and 19 modes, with and without the stock_delivery module.
#include "fake_channel.hpp"
#include "push_events.hpp"

#include <odoosync/odoo/domain.hpp>
#include <odoosync/push/config.hpp>
#include <odoosync/push/pusher.hpp>
#include <odoosync/sync/engine.hpp>
#include <odoosync/sync/memory_store.hpp>

#include <test_odoo.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <thread>
#include <fmt/format.h>

namespace os = odoosync;
namespace push = odoosync::push;
namespace oss = odoosync::sync;
using odoosync::testing::FakeChannel;
using Odoo = odoosync::testing::TestOdoo;

using namespace push_events;

namespace {

std::int64_t whole(double v) { return static_cast<std::int64_t>(v); }

}  // namespace

TEST_CASE("push feed: stock of two Odoo locations summed less the safety stock, and prices, reach the channel") {
  for (int version : {18, 19}) {
    CAPTURE(version);
    Odoo odoo(version);
    oss::MemoryStore engine_store, store;
    apply(odoo, engine_store,
          {stock_delta("s1", "FURN_7777", "WH/Stock/Shelf 1", "4"), stock_delta("s2", "FURN_8888", "WH/Stock", "2")});
    auto channel = std::make_shared<FakeChannel>();
    push::PushMapping mapping;
    mapping.stock_locations["loc-1"] = {"WH/Stock", "WH/Stock/Shelf 1"};
    mapping.safety_stock = 1;
    push::Pusher pusher(store, channel, "shop", mapping);
    oss::OutboundPuller puller(store, *odoo.client, push::pull_options("shop", {.settle = std::nullopt}));
    puller.add_sink(oss::Feed::stock_levels, pusher);
    puller.add_sink(oss::Feed::prices, pusher);
    auto pulled = puller.pull(oss::Feed::stock_levels);
    REQUIRE_MESSAGE(pulled, pulled.error().to_string());
    CHECK(store.checkpoint("push/shop/stock_levels").value().has_value());
    CHECK_FALSE(store.checkpoint("outbound/stock_levels").value().has_value());  // the channel's own checkpoint
    auto run = pusher.run(push::Kind::stock);
    REQUIRE_MESSAGE(run, run.error().to_string());
    CHECK(run.value().counts.applied > 0);
    for (const char* sku : {"FURN_7777", "FURN_8888"}) {
      CAPTURE(sku);
      const auto expected = std::max<std::int64_t>(
          0, whole(odoo.on_hand(sku, "WH/Stock")) + whole(odoo.on_hand(sku, "WH/Stock/Shelf 1")) - 1);
      CHECK(channel->level(sku, "loc-1") == expected);
    }
    CHECK(channel->level("FURN_7777", "loc-1") >= 3);  // the 4 on Shelf 1 counted

    // A change in Odoo reaches the channel with the next pull; nothing else is sent.
    const int calls = channel->level_calls;
    // A pull without `settle` read up to the newest second: the change goes into a later one.
    std::this_thread::sleep_for(std::chrono::milliseconds{1100});
    apply(odoo, engine_store, {stock_delta("s3", "FURN_7777", "WH/Stock/Shelf 1", "-2")});
    REQUIRE(puller.pull(oss::Feed::stock_levels));
    auto again = pusher.run(push::Kind::stock);
    REQUIRE(again);
    CHECK(again.value().counts.applied == 1);
    CHECK(channel->level_calls == calls + 1);
    CHECK(channel->level("FURN_7777", "loc-1") ==
          std::max<std::int64_t>(0, whole(odoo.on_hand("FURN_7777", "WH/Stock")) +
                                        whole(odoo.on_hand("FURN_7777", "WH/Stock/Shelf 1")) - 1));

    auto prices = puller.pull(oss::Feed::prices);
    REQUIRE_MESSAGE(prices, prices.error().to_string());
    auto pr = pusher.run(push::Kind::price);
    REQUIRE(pr);
    CHECK(pr.value().counts.applied == prices.value());
    auto list_price =
        odoo.client->search_read("product.product", os::odoo::field("default_code") == "FURN_7777", {"list_price"});
    REQUIRE(list_price);
    REQUIRE(channel->prices.count("FURN_7777"));
    CHECK(channel->prices.at("FURN_7777").amount() ==
          fmt::format("{:.2f}", list_price.value()[0]["list_price"].GetDouble()));
  }
}

TEST_CASE("push feed: done deliveries of the channel's own orders become fulfilments, with or without stock_delivery") {
  for (int version : {18, 19}) {
    for (bool delivery : {false, true}) {
      CAPTURE(version);
      CAPTURE(delivery);
      Odoo odoo(version, 0, odoosync::testing::ClientKind::engine,
                delivery ? std::vector<std::string>{"stock_delivery"} : std::vector<std::string>{});
      oss::MemoryStore engine_store, store;
      // Orders first: the engine orders events per subject only, and a shipment's subject is not its order's.
      apply(odoo, engine_store, {customer(), stock_delta("s1", "FURN_7777", "WH/Stock", "10")});
      apply(odoo, engine_store,
            {order("o1", "5001", "web/shop", "FURN_7777", 2), order("o2", "6001", "web/other", "FURN_7777", 1),
             order("o3", "5002", "web/shop", "FURN_7777", 3)});
      apply(odoo, engine_store, {shipped("d1", "5001"), shipped("d2", "6001")});
      if (delivery) {
        // The warehouse wrote the carrier's tracking number on the delivery (stock_delivery's field).
        auto pick = odoo.client->search("stock.picking", os::odoo::field("sale_id.client_order_ref") == "5001");
        REQUIRE(pick);
        REQUIRE(pick.value().size() == 1);
        os::odoo::Values v;
        v.set("carrier_tracking_ref", "1Z999AA10123456784");
        REQUIRE(odoo.client->write("stock.picking", pick.value(), v));
      }
      auto channel = std::make_shared<FakeChannel>();
      auto config = os::channels::parse_channels_config(
          R"({"channels": {"shop": {"provider": "shopify", "order_channel": "web/shop",
              "push": {"url": "https://shop.example", "feeds": ["fulfilments"]}}}})",
          ".");
      REQUIRE_MESSAGE(config, config.error().to_string());
      auto cp = push::channel_push(config.value()[0]);
      REQUIRE(cp);
      CHECK(cp.value().order_origin == "web/shop");
      push::Pusher pusher(store, channel, "shop", cp.value().mapping);
      oss::OutboundPuller puller(store, *odoo.client, push::pull_options(cp.value(), {.settle = std::nullopt}));
      puller.add_sink(oss::Feed::fulfilments, pusher);
      auto pulled = puller.pull(oss::Feed::fulfilments);
      REQUIRE_MESSAGE(pulled, pulled.error().to_string());
      CHECK(pulled.value() == 1);  // 6001 is another channel's, 5002 is not shipped yet
      auto run = pusher.run(push::Kind::fulfilment);
      REQUIRE_MESSAGE(run, run.error().to_string());
      REQUIRE(channel->fulfilled.size() == 1);
      const auto& f = channel->fulfilled[0];
      CHECK(f.order_id == "5001");
      CHECK(f.shipment.starts_with("WH/OUT/"));
      REQUIRE(f.lines.size() == 1);
      CHECK(f.lines[0].sku == "FURN_7777");
      CHECK(f.lines[0].quantity == 2);
      CHECK(f.tracking_number == (delivery ? "1Z999AA10123456784" : ""));
      CHECK(f.carrier.empty());  // the emulator's stock_delivery has no carriers

      // The next delivery of the channel comes with the next pull; the first is not sent again. (A pull
      // without `settle` reads up to the newest second: the change goes into a later one.)
      std::this_thread::sleep_for(std::chrono::milliseconds{1100});
      apply(odoo, engine_store, {shipped("d3", "5002")});
      auto next = puller.pull(oss::Feed::fulfilments);
      REQUIRE(next);
      CHECK(next.value() == 1);
      REQUIRE(pusher.run(push::Kind::fulfilment));
      REQUIRE(channel->fulfilled.size() == 2);
      CHECK(channel->fulfilled[1].order_id == "5002");
      CHECK(channel->fulfilled[1].lines[0].quantity == 3);
      CHECK(channel->fulfil_calls == 2);
    }
  }
}
