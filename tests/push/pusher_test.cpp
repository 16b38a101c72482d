// The Pusher against a fake channel (tests/push/fake_channel.hpp): coalescing, compare-and-set that keeps
// a channel's sale, per-item dead letters, Retry-After, a lost lease re-pushed idempotently, replay.
#include "fake_channel.hpp"

#include <odoosync/push/pusher.hpp>
#include <odoosync/retail/events.hpp>
#include <odoosync/sync/memory_store.hpp>
#include <odoosync/sync/sqlite_store.hpp>

#include <canary.hpp>
#include <doctest/doctest.h>

#include <filesystem>

namespace os = odoosync;
namespace push = odoosync::push;
namespace oss = odoosync::sync;
namespace retail = odoosync::retail;
using odoosync::testing::FakeChannel;

namespace {

retail::Event stock(const std::string& sku, const std::string& location, const std::string& counted,
                    std::int64_t quant_id, std::int64_t second) {
  retail::StockAdjusted s;
  s.sku.value = sku;
  s.location.value = location;
  s.counted = retail::Quantity::parse(counted).value();
  retail::Timestamp t{1'790'000'000 + second, 0};
  auto e = retail::make_event(
      std::move(s),
      {.source = "odoo", .id = "stock.quant/" + std::to_string(quant_id) + "@" + t.to_string(), .time = t});
  REQUIRE_MESSAGE(e.has_value(), (e ? "" : e.error().to_string()));
  return std::move(e).value();
}

retail::Event price(const std::string& sku, const std::string& amount, std::int64_t id, std::int64_t second) {
  retail::PriceChanged p;
  p.price.sku.value = sku;
  p.price.list_price = retail::Money::parse(amount, "EUR").value();
  retail::Timestamp t{1'790'000'000 + second, 0};
  auto e = retail::make_event(
      std::move(p), {.source = "odoo", .id = "product.product/" + std::to_string(id) + "@" + t.to_string(), .time = t});
  REQUIRE_MESSAGE(e.has_value(), (e ? "" : e.error().to_string()));
  return std::move(e).value();
}

struct Rig {
  os::ManualClock clock;
  oss::MemoryStore store;
  std::shared_ptr<FakeChannel> channel = std::make_shared<FakeChannel>();
  os::InMemoryMetrics metrics;
  push::PushMapping mapping;
  std::unique_ptr<push::Pusher> pusher;

  explicit Rig(std::string owner = "w1") {
    mapping.stock_locations[""] = {"WH/Stock"};
    pusher = make(std::move(owner));
  }
  std::unique_ptr<push::Pusher> make(std::string owner, std::chrono::milliseconds lease = std::chrono::seconds{60}) {
    push::PusherOptions o;
    o.owner = std::move(owner);
    o.clock = &clock;
    o.metrics = &metrics;
    o.seed = 7;
    o.lease = lease;
    o.max_attempts = 3;
    return std::make_unique<push::Pusher>(store, channel, "shop", mapping, o);
  }
  void accept(std::vector<retail::Event> events) {
    auto r = pusher->accept(events);
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().to_string()));
  }
  push::PushRound once(push::Kind kind = push::Kind::stock, push::Pusher* p = nullptr) {
    auto r = (p ? p : pusher.get())->push_once(kind);
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().to_string()));
    return r.value();
  }
  oss::OutboxItem item(const std::string& key, const std::string& kind = "stock") {
    auto r = store.outbox_get("shop", kind, key);
    REQUIRE(r.has_value());
    REQUIRE(r.value().has_value());
    return *r.value();
  }
};

}  // namespace

TEST_CASE("pusher: the sellable quantity sums the counts, rounds down, takes the safety stock off, never below 0") {
  std::vector<std::string> counts{"3.5", "2"};
  CHECK(push::sellable(counts, 0).value() == 5);
  CHECK(push::sellable(counts, 1).value() == 4);
  CHECK(push::sellable(counts, 9).value() == 0);
  std::vector<std::string> negative{"-4", "1"};
  CHECK(push::sellable(negative, 0).value() == 0);
  std::vector<std::string> bad{"a lot"};
  CHECK_FALSE(push::sellable(bad, 0).has_value());
}

TEST_CASE("pusher: changes coalesce into one push of the newest, and an unchanged value is not sent again") {
  Rig rig;
  rig.accept({stock("SKU-1", "WH/Stock", "10", 7, 1), stock("SKU-1", "WH/Stock", "9", 7, 2)});
  rig.accept({stock("SKU-1", "WH/Stock", "8", 7, 3), stock("SKU-1", "WH/Stock", "11", 7, 0)});  // the last is older
  auto r = rig.once();
  CHECK(r.claimed == 1);
  CHECK(r.counts.applied == 1);
  CHECK(rig.channel->level_calls == 1);
  CHECK(rig.channel->level("SKU-1") == 8);
  REQUIRE(rig.channel->sent_levels.size() == 1);
  CHECK_FALSE(rig.channel->sent_levels[0][0].expected.has_value());  // first push: nothing to compare with
  CHECK_FALSE(rig.channel->sent_levels[0][0].key.empty());
  CHECK(rig.item("SKU-1@").pushed == std::optional<std::string>("8"));
  CHECK(rig.item("SKU-1@").channel_value == std::optional<std::string>("8"));
  // The same count written again later (another quant of the product, same sum): nothing is sent.
  rig.accept({stock("SKU-1", "WH/Stock", "8", 9, 5)});
  auto again = rig.once();
  CHECK(again.claimed == 1);
  CHECK(again.counts.unchanged == 1);
  CHECK(rig.channel->level_calls == 1);
  CHECK(rig.once().claimed == 0);
  CHECK(rig.metrics.counter("odoosync_push_items_total{channel=\"shop\",kind=\"stock\",outcome=\"applied\"}") == 1);
  CHECK(rig.metrics.counter("odoosync_push_items_total{channel=\"shop\",kind=\"stock\",outcome=\"unchanged\"}") == 1);
}

TEST_CASE("pusher: two Odoo locations feed one channel location, less the safety stock (per SKU too)") {
  Rig rig;
  rig.mapping.stock_locations.clear();
  rig.mapping.stock_locations["loc-1"] = {"WH/Stock", "WH/Stock/Shelf 1"};
  rig.mapping.safety_stock = 2;
  rig.mapping.safety_stock_by_sku["SKU-2"] = 0;
  rig.pusher = rig.make("w1");
  rig.accept({stock("SKU-1", "WH/Stock", "4", 1, 1), stock("SKU-1", "WH/Stock/Shelf 1", "3.5", 2, 1),
              stock("SKU-1", "WH/Other", "100", 3, 1), stock("SKU-2", "WH/Stock", "1", 4, 1)});
  rig.once();
  CHECK(rig.channel->level("SKU-1", "loc-1") == 5);  // 4 + 3 (3.5 rounded down) - 2
  CHECK(rig.channel->level("SKU-2", "loc-1") == 1);  // no safety stock for SKU-2
  // One location changes: the other's count is kept, the sum pushed.
  rig.accept({stock("SKU-1", "WH/Stock/Shelf 1", "1", 2, 2)});
  rig.once();
  CHECK(rig.channel->level("SKU-1", "loc-1") == 3);
}

TEST_CASE("pusher: compare-and-set refused because the channel sold meanwhile keeps that sale") {
  Rig rig;
  rig.accept({stock("SKU-1", "WH/Stock", "10", 7, 1)});
  rig.once();
  CHECK(rig.channel->level("SKU-1") == 10);
  // The shop sells 3; Odoo does not know yet, and its count moves for another reason (a POS sale of 2).
  rig.channel->sell("SKU-1", "", 3);
  rig.accept({stock("SKU-1", "WH/Stock", "8", 7, 2)});
  auto r = rig.once();
  CHECK(r.counts.stale == 1);
  CHECK(r.counts.applied == 1);
  CHECK(r.counts.calls == 2);               // the refused send and the recomputed one, at once
  CHECK(rig.channel->level("SKU-1") == 5);  // 8 - the 3 sold in the shop: not 8, which would oversell
  REQUIRE(rig.channel->sent_levels.size() == 3);
  CHECK(rig.channel->sent_levels[1][0].expected == std::optional<std::int64_t>(10));
  CHECK(rig.channel->sent_levels[2][0].expected == std::optional<std::int64_t>(7));
  CHECK(rig.channel->sent_levels[2][0].quantity == 5);
  CHECK(rig.channel->sent_levels[2][0].key != rig.channel->sent_levels[1][0].key);
  CHECK(rig.item("SKU-1@").pushed == std::optional<std::string>("8"));
  CHECK(rig.item("SKU-1@").channel_value == std::optional<std::string>("5"));
  // Odoo takes the shop's sale in: 5. The channel holds 5: pushed with expected 5, no hold-back.
  rig.accept({stock("SKU-1", "WH/Stock", "5", 7, 3)});
  rig.once();
  CHECK(rig.channel->level("SKU-1") == 5);
  CHECK(rig.channel->sent_levels.back()[0].expected == std::optional<std::int64_t>(5));
  // A sale between our read and our write, every time: resent a bounded number of times, then later.
  rig.channel->before_levels = [&](std::span<const push::Level>) { rig.channel->sell("SKU-1", "", 1); };
  rig.accept({stock("SKU-1", "WH/Stock", "20", 7, 4)});
  auto busy = rig.once();
  CHECK(busy.counts.stale == 4);  // the first send and three resends
  CHECK(busy.counts.retried == 1);
  CHECK(rig.item("SKU-1@").status == oss::OutboxStatus::pending);
  CHECK(rig.item("SKU-1@").channel_value == std::optional<std::string>("5"));  // what we last set: kept
  rig.channel->before_levels = nullptr;
  rig.clock.advance(std::chrono::minutes{10});
  auto calm = rig.once();
  CHECK(calm.counts.applied == 1);
  // 20 less every unit sold since we set 5 (4 sold during the busy round): 16.
  CHECK(rig.channel->level("SKU-1") == 16);
}

TEST_CASE("pusher: one bad item of a batch is a dead letter, the rest apply, and it can be replayed") {
  Rig rig;
  rig.channel->rejecting["SKU-2"] = "quantity too large";
  rig.channel->unlisted.insert("SKU-3");
  rig.accept({stock("SKU-1", "WH/Stock", "1", 1, 1), stock("SKU-2", "WH/Stock", "2", 2, 1),
              stock("SKU-3", "WH/Stock", "3", 3, 1), stock("SKU-4", "WH/Stock", "4", 4, 1)});
  auto r = rig.once();
  CHECK(r.claimed == 4);
  CHECK(r.counts.applied == 2);
  CHECK(r.counts.dead == 1);
  CHECK(r.counts.not_listed == 1);
  CHECK(rig.channel->level_calls == 1);
  CHECK(rig.channel->level("SKU-1") == 1);
  CHECK(rig.channel->level("SKU-4") == 4);
  CHECK(rig.item("SKU-3@").status == oss::OutboxStatus::not_listed);
  auto dead = rig.pusher->dead_letters();
  REQUIRE(dead);
  REQUIRE(dead.value().size() == 1);
  CHECK(dead.value()[0].key == "SKU-2@");
  CHECK(dead.value()[0].error == "quantity too large");
  auto st = rig.pusher->status();
  REQUIRE(st);
  CHECK(st.value().at("stock").dead == 1);
  CHECK(rig.metrics.gauge_value("odoosync_push_dead{channel=\"shop\",kind=\"stock\"}") == 1);
  CHECK(rig.once().claimed == 0);
  // The cause is fixed in the channel; the dead letter is replayed.
  rig.channel->rejecting.clear();
  REQUIRE(rig.pusher->replay(push::Kind::stock, "SKU-2@"));
  auto replayed = rig.once();
  CHECK(replayed.counts.applied == 1);
  CHECK(rig.channel->level("SKU-2") == 2);
  auto none = rig.pusher->replay(push::Kind::stock, "SKU-2@");
  REQUIRE_FALSE(none);
  CHECK(none.error().kind() == os::ErrorKind::not_found);
}

TEST_CASE("pusher: Retry-After of a refused call is honoured, on the pusher's clock") {
  Rig rig;
  rig.channel->call_errors.push_back(
      os::Error(os::ErrorKind::backpressure, "HTTP 429 Too Many Requests").with_retry_after(std::chrono::seconds{30}));
  rig.accept({price("SKU-1", "9.99", 11, 1), price("SKU-2", "5.00", 12, 1)});
  auto r = rig.once(push::Kind::price);
  CHECK(r.counts.retried == 2);
  REQUIRE(r.retry_after.has_value());
  CHECK(*r.retry_after == std::chrono::seconds{30});
  CHECK(rig.once(push::Kind::price).claimed == 0);
  rig.clock.advance(std::chrono::seconds{29});
  CHECK(rig.once(push::Kind::price).claimed == 0);
  rig.clock.advance(std::chrono::seconds{2});
  auto later = rig.once(push::Kind::price);
  CHECK(later.counts.applied == 2);
  CHECK(rig.channel->prices.at("SKU-1").to_string() == "9.99 EUR");
  CHECK(rig.channel->price_calls == 2);
}

TEST_CASE("pusher: an item's transient failure backs off with jitter and becomes a dead letter at the bound") {
  Rig rig;
  rig.channel->failing["SKU-1"] = 10;
  rig.accept({price("SKU-1", "1.00", 1, 1)});
  auto first = rig.once(push::Kind::price);
  CHECK(first.counts.retried == 1);
  auto it = rig.item("SKU-1", "price");
  CHECK(it.attempts == 1);
  CHECK(it.due_ms > it.updated_ms);
  CHECK(it.due_ms <= it.updated_ms + 1000);  // the first backoff: at most the base
  for (int i = 0; i < 3; ++i) {
    rig.clock.advance(std::chrono::minutes{10});
    rig.once(push::Kind::price);
  }
  CHECK(rig.item("SKU-1", "price").status == oss::OutboxStatus::dead);
  CHECK(rig.item("SKU-1", "price").error.find("gave up after 3 attempts") != std::string::npos);
}

TEST_CASE("pusher: an auth refusal stops the round and is reported, the items wait") {
  Rig rig;
  rig.channel->call_errors.push_back(os::Error(os::ErrorKind::auth, "the access token was refused"));
  rig.accept({stock("SKU-1", "WH/Stock", "1", 1, 1)});
  auto r = rig.pusher->push_once(push::Kind::stock);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == os::ErrorKind::auth);
  auto it = rig.item("SKU-1@");
  CHECK(it.status == oss::OutboxStatus::pending);
  CHECK(it.attempts == 0);
  rig.clock.advance(std::chrono::minutes{2});
  CHECK(rig.once().counts.applied == 1);
}

TEST_CASE("pusher: a crash between the push and its settle is re-pushed idempotently by the next worker") {
  Rig rig;
  auto a = rig.make("a", std::chrono::seconds{5});
  auto b = rig.make("b", std::chrono::seconds{5});
  REQUIRE(a->accept(std::vector<retail::Event>{stock("SKU-1", "WH/Stock", "10", 7, 1)}));
  rig.once(push::Kind::stock, a.get());
  CHECK(rig.channel->level("SKU-1") == 10);
  REQUIRE(a->accept(std::vector<retail::Event>{stock("SKU-1", "WH/Stock", "6", 7, 2)}));
  // Worker a sets 6 in the channel, then stalls past its lease (as a crash would) before settling.
  rig.channel->after_levels = [&](std::span<const push::Level>) {
    rig.clock.advance(std::chrono::seconds{10});
    rig.channel->after_levels = nullptr;
    // Worker b takes the item over meanwhile, while the shop sells 1.
    rig.channel->sell("SKU-1", "", 1);
    auto r = b->push_once(push::Kind::stock);
    REQUIRE(r);
    CHECK(r.value().claimed == 1);
  };
  auto stalled = rig.once(push::Kind::stock, a.get());
  CHECK(stalled.counts.lost == 1);  // its settle was refused: b holds the item
  // b saw that 6 had been sent (written ahead) but not whether it applied: the channel held 10 or 6, and
  // holds 5 now. Not knowing which, the larger sale (10 - 5) is held back: 6 - 5 = 1, never an oversell
  // (docs/push.md, "After a crash"); the next change of the item sets it right.
  CHECK(rig.channel->level("SKU-1") == 1);
  auto it = rig.item("SKU-1@");
  CHECK(it.status == oss::OutboxStatus::pushed);
  CHECK(it.pushed == std::optional<std::string>("6"));
  CHECK(it.channel_value == std::optional<std::string>("1"));
  CHECK_FALSE(it.sent.has_value());
}

TEST_CASE("pusher: a lost lease without a sale: the next worker's send matches and changes nothing") {
  Rig rig;
  auto a = rig.make("a", std::chrono::seconds{5});
  auto b = rig.make("b", std::chrono::seconds{5});
  REQUIRE(a->accept(std::vector<retail::Event>{stock("SKU-1", "WH/Stock", "10", 7, 1)}));
  rig.channel->after_levels = [&](std::span<const push::Level>) {
    rig.clock.advance(std::chrono::seconds{10});
    rig.channel->after_levels = nullptr;
    // a stalls (or died) after the channel applied; b takes the item over.
    CHECK(rig.item("SKU-1@").sent == std::optional<std::string>("10"));
    auto r = b->push_once(push::Kind::stock);
    REQUIRE(r);
    CHECK(r.value().counts.applied == 1);
    CHECK(r.value().counts.stale == 0);
  };
  CHECK(rig.once(push::Kind::stock, a.get()).counts.lost == 1);
  CHECK(rig.channel->level("SKU-1") == 10);
  REQUIRE(rig.channel->sent_levels.size() == 2);
  CHECK(rig.channel->sent_levels.back()[0].expected == std::optional<std::int64_t>(10));  // what a had sent
  CHECK(rig.channel->sent_levels.back()[0].key == rig.channel->sent_levels.front()[0].key);
  CHECK(rig.item("SKU-1@").status == oss::OutboxStatus::pushed);
}

TEST_CASE("pusher: run() waits for retries within its bound and reports what is left") {
  Rig rig;
  rig.channel->call_errors.push_back(
      os::Error(os::ErrorKind::http, "HTTP 503").with_retry_after(std::chrono::seconds{2}));
  rig.accept({price("SKU-1", "1.00", 1, 1)});
  push::RunOptions quick;
  auto now = rig.pusher->run(push::Kind::price, quick);
  REQUIRE(now);
  CHECK(now.value().pending == 1);
  CHECK(now.value().counts.retried == 1);
  push::RunOptions patient;
  patient.wait_for_retries = std::chrono::seconds{10};
  auto done = rig.pusher->run(push::Kind::price, patient);
  REQUIRE(done);
  CHECK(done.value().pending == 0);
  CHECK(done.value().counts.applied == 1);
}

TEST_CASE("pusher: fulfilments go once per shipment, with their lines and tracking") {
  Rig rig;
  retail::ShipmentDispatched d;
  d.shipment.reference = "WH/OUT/00012";
  d.shipment.order_number = "5512345";
  d.shipment.dispatched_at = retail::Timestamp{1'790'000'100, 0};
  d.shipment.carrier = "UPS";
  d.shipment.tracking_number = "1Z999";
  retail::StockLine l;
  l.sku.value = "SKU-1";
  l.quantity = retail::Quantity::units(2);
  d.shipment.lines = std::vector<retail::StockLine>{l};
  retail::Timestamp t{1'790'000'100, 0};
  auto e = retail::make_event(d, {.source = "odoo", .id = "stock.picking/12@" + t.to_string(), .time = t});
  REQUIRE(e);
  rig.accept({e.value()});
  auto r = rig.once(push::Kind::fulfilment);
  CHECK(r.counts.applied == 1);
  REQUIRE(rig.channel->fulfilled.size() == 1);
  const auto& f = rig.channel->fulfilled[0];
  CHECK(f.order_id == "5512345");
  CHECK(f.shipment == "WH/OUT/00012");
  CHECK(f.carrier == "UPS");
  CHECK(f.tracking_number == "1Z999");
  REQUIRE(f.lines.size() == 1);
  CHECK(f.lines[0].sku == "SKU-1");
  CHECK(f.lines[0].quantity == 2);
  // The same picking handed again (a page pulled twice): nothing more is sent.
  rig.accept({e.value()});
  CHECK(rig.once(push::Kind::fulfilment).claimed == 0);
  CHECK(rig.channel->fulfil_calls == 1);
}

TEST_CASE("pusher: the outbox survives the process (SQLite), and only the store's newest value is pushed") {
  auto dir = std::filesystem::temp_directory_path() / ("odoosync-pusher-" + std::to_string(::getpid()));
  odoosync::testing::remove_scratch(dir);
  std::filesystem::create_directories(dir);
  const auto path = (dir / "store.db").string();
  auto channel = std::make_shared<FakeChannel>();
  push::PushMapping mapping;
  mapping.stock_locations[""] = {"WH/Stock"};
  {
    auto store = oss::SqliteStore::open(path);
    REQUIRE(store);
    push::Pusher p(*store.value(), channel, "shop", mapping);
    REQUIRE(p.accept(
        std::vector<retail::Event>{stock("SKU-1", "WH/Stock", "3", 1, 1), stock("SKU-1", "WH/Stock", "4", 1, 2)}));
  }
  {
    auto store = oss::SqliteStore::open(path);
    REQUIRE(store);
    push::Pusher p(*store.value(), channel, "shop", mapping);
    auto r = p.run(push::Kind::stock);
    REQUIRE(r);
    CHECK(r.value().counts.applied == 1);
    CHECK(channel->level("SKU-1") == 4);
  }
  odoosync::testing::remove_scratch(dir);
}
