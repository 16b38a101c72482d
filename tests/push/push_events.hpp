// Events the push tests take into the Odoo emulator through the sync engine (stock counts, orders of a
// channel, their deliveries) before they push what Odoo then holds.
#pragma once

#include <odoosync/sync/engine.hpp>
#include <odoosync/sync/memory_store.hpp>

#include <test_odoo.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

namespace push_events {

namespace oss = odoosync::sync;
using Odoo = odoosync::testing::TestOdoo;

inline std::string stock_delta(const std::string& id, const std::string& sku, const std::string& loc,
                               const std::string& delta) {
  return R"({"specversion":"1.0","id":")" + id +
         R"(","source":"pos/store-1","type":"retail.stock.adjusted","time":"2026-12-01T10:15:00Z","data":{"sku":")" +
         sku + R"(","location":")" + loc + R"(","delta":{"value":")" + delta + R"(","uom":"Units"}}})";
}

inline std::string order(const std::string& id, const std::string& number, const std::string& channel,
                         const std::string& sku, int qty) {
  const std::string total = std::to_string(qty * 10) + ".00";
  return R"({"specversion":"1.0","id":")" + id + R"(","source":"channel/test","type":"retail.order.created",)" +
         R"("time":"2026-12-01T10:15:00Z","data":{"number":")" + number + R"(","channel":")" + channel +
         R"(","customer":"walk-in","currency":"EUR","ordered_at":"2026-12-01T10:14:31Z","lines":[{"sku":")" + sku +
         R"(","quantity":{"value":")" + std::to_string(qty) +
         R"(","uom":"Units"},"unit_price":{"amount":"10.00","currency":"EUR"},"total":{"amount":")" + total +
         R"(","currency":"EUR"}}],"subtotal":{"amount":")" + total +
         R"(","currency":"EUR"},"tax_total":{"amount":"0.00","currency":"EUR"},"total":{"amount":")" + total +
         R"(","currency":"EUR"}}})";
}

inline std::string shipped(const std::string& id, const std::string& number) {
  return R"({"specversion":"1.0","id":")" + id + R"(","source":"wms/1","type":"retail.shipment.dispatched",)" +
         R"("time":"2026-12-01T11:00:00Z","data":{"reference":"P-)" + number + R"(","order_number":")" + number +
         R"(","dispatched_at":"2026-12-01T11:00:00Z"}})";
}

inline std::string customer() {
  return R"({"specversion":"1.0","id":"c0","source":"erp/crm","type":"retail.customer.upserted",)"
         R"("time":"2026-11-30T08:00:00Z","data":{"ref":"walk-in","name":"Walk-in customer"}})";
}

inline void apply(Odoo& odoo, oss::MemoryStore& store, const std::vector<std::string>& events) {
  oss::EngineOptions o;
  o.retry.initial_backoff = std::chrono::milliseconds{5};
  o.retry.max_backoff = std::chrono::milliseconds{50};
  o.unknown_outcome_grace = std::chrono::milliseconds{0};
  o.worker_id = "feed-test";
  auto engine = oss::Engine::create(store, *odoo.client, o);
  REQUIRE(engine);
  for (const auto& e : events) {
    auto r = engine.value()->submit_json(e);
    REQUIRE_MESSAGE(r, r.error().to_string());
  }
  oss::RunOptions ro;
  ro.max_time = std::chrono::milliseconds{60'000};
  auto s = engine.value()->run_until_idle(ro);
  REQUIRE_MESSAGE(s, s.error().to_string());
  const auto dead = store.list(oss::EventStatus::dead, 100).value();
  for (const auto& d : dead) FAIL_CHECK(d.event.id << ": " << d.error);
}

}  // namespace push_events
