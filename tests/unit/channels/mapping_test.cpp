// The channels' payloads as canonical events: every mapped topic of every provider, on payloads written
// from the providers' documented fields (tests/data/channels/<provider>/payloads, SOURCES.md), each
// field checked where it lands; and the refusals, each naming the topic and the field.
#include <doctest/doctest.h>

#include <odoosync/channels/config.hpp>
#include <odoosync/channels/crypto.hpp>
#include <odoosync/channels/mapping.hpp>

#include <canary.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace odoosync;
using namespace odoosync::channels;
namespace fs = std::filesystem;

namespace {

std::string payload(const std::string& provider, const std::string& name) {
  std::ifstream in(fs::path(ODOOSYNC_TEST_DATA_DIR) / "channels" / provider / "payloads" / name, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), provider << "/payloads/" << name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ChannelMapping shop_mapping() {
  ChannelMapping m;
  m.source = "channel/shop-eu";
  m.currency = "EUR";
  m.shipping_sku = "SHIPPING";
  m.locations = {{"655441491", "WH/Stock"}};
  m.skus = {{"808950810", "TSHIRT-M"}, {"44012345678902", "MUG-1"}};
  return m;
}

Delivery delivery(std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
  Delivery d;
  d.body = std::move(body);
  for (auto& [k, v] : headers) d.headers.add(k, v);
  d.received_at = std::chrono::system_clock::time_point(std::chrono::seconds{1800000000});
  return d;
}

result<Mapped> map(Provider p, const Delivery& d, const ChannelMapping& m, std::string id = "d-1") {
  Verification v;
  v.delivery_id = std::move(id);
  return map_delivery(p, d, v, m);
}

Mapped shopify(const std::string& topic, const std::string& file, const ChannelMapping& m = shop_mapping()) {
  auto r = map(Provider::shopify, delivery(payload("shopify", file), {{"X-Shopify-Topic", topic}}), m);
  REQUIRE_MESSAGE(r, (r ? "" : r.error().message()));
  return std::move(r.value());
}

template <class T>
const T& data_of(const retail::Event& e) {
  const T* p = std::get_if<T>(&e.data);
  REQUIRE_MESSAGE(p, "event type " << e.type());
  return *p;
}

std::string error_of(const result<Mapped>& r) {
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == ErrorKind::validation);
  return r.error().message();
}

}  // namespace

TEST_CASE("shopify orders/create: lines, discounts, taxes and shipping exactly, the id above 2^53 kept") {
  const auto m = shopify("orders/create", "orders-create.json");
  REQUIRE(m.events.size() == 1);
  const auto& e = m.events[0];
  CHECK(e.id == "d-1");
  CHECK(e.source == "channel/shop-eu");
  CHECK(e.time.to_string() == "2024-04-02T14:00:00Z");
  const auto& o = data_of<retail::OrderCreated>(e).order;
  CHECK(o.number == "9007199254740993");  // 2^53 + 1: a double would have made it ...992
  CHECK(e.subject == "order/9007199254740993");
  CHECK(o.channel.value == "web/shop-eu");
  CHECK(o.note == std::optional<std::string>("Shopify #1001"));
  REQUIRE(o.lines.size() == 3);
  CHECK(o.lines[0].sku.value == "TSHIRT-M");
  CHECK(o.lines[0].quantity.value() == "2");
  CHECK(o.lines[0].unit_price.to_string() == "10.00 EUR");
  CHECK(o.lines[0].discount->to_string() == "5.00 EUR");
  CHECK(o.lines[0].tax->to_string() == "2.85 EUR");
  CHECK(o.lines[0].total.to_string() == "15.00 EUR");
  CHECK(o.lines[1].sku.value == "MUG-1");  // no SKU on the line: mapped from its variant
  CHECK(o.lines[1].total.to_string() == "9.99 EUR");
  CHECK(o.lines[2].sku.value == "SHIPPING");
  CHECK(o.lines[2].total.to_string() == "1.00 EUR");
  CHECK(o.lines[2].tax->to_string() == "0.19 EUR");
  CHECK(o.subtotal.to_string() == "25.99 EUR");
  CHECK(o.tax_total.to_string() == "4.80 EUR");
  CHECK(o.total.to_string() == "30.79 EUR");
}

TEST_CASE("shopify orders/create: refused rather than taken in wrong") {
  auto body = payload("shopify", "orders-create.json");
  auto m = shop_mapping();
  SUBCASE("shipping without a shipping SKU: the total would not add up") {
    m.shipping_sku.clear();
    auto msg = error_of(map(Provider::shopify, delivery(body, {{"X-Shopify-Topic", "orders/create"}}), m));
    CHECK(msg.find("shopify orders/create: /total_price: the lines add up to 29.60 EUR") == 0);
    CHECK(msg.find("shipping_sku") != std::string::npos);
  }
  SUBCASE("a variant without a SKU mapping") {
    m.skus.erase("44012345678902");
    auto msg = error_of(map(Provider::shopify, delivery(body, {{"X-Shopify-Topic", "orders/create"}}), m));
    CHECK(msg ==
          "shopify orders/create: /line_items/1/variant_id: the item 44012345678902 has no SKU in the "
          "channel's \"skus\" mapping");
  }
  SUBCASE("an id with a fraction cannot be kept exactly") {
    auto bad = body;
    bad.replace(bad.find("9007199254740993"), 16, "9007199254740993.5");
    auto msg = error_of(map(Provider::shopify, delivery(bad, {{"X-Shopify-Topic", "orders/create"}}), m));
    CHECK(msg.find("shopify orders/create: /id: an id that is not an integer") == 0);
  }
  SUBCASE("an amount with more decimals than the currency has") {
    auto bad = body;
    bad.replace(bad.find("\"3.33\""), 6, "\"3.333\"");
    auto msg = error_of(map(Provider::shopify, delivery(bad, {{"X-Shopify-Topic", "orders/create"}}), m));
    CHECK(msg.find("shopify orders/create: /line_items/1/price:") == 0);
  }
  SUBCASE("not JSON") {
    auto msg =
        error_of(map(Provider::shopify, delivery(body.substr(0, 40), {{"X-Shopify-Topic", "orders/create"}}), m));
    CHECK(msg.find("shopify orders/create: the body is not JSON") == 0);
  }
  SUBCASE("no topic") {
    auto msg = error_of(map(Provider::shopify, delivery(body), m));
    CHECK(msg == "shopify: no X-Shopify-Topic header names the topic");
  }
}

TEST_CASE("shopify orders/paid and orders/cancelled") {
  const auto paid = shopify("orders/paid", "orders-paid.json");
  REQUIRE(paid.events.size() == 1);
  const auto& p = data_of<retail::PaymentCaptured>(paid.events[0]).payment;
  CHECK(p.order_number == "9007199254740993");
  CHECK(p.amount.to_string() == "30.79 EUR");
  CHECK(p.method == "shopify_payments");
  CHECK(p.provider == std::optional<std::string>("shopify"));
  CHECK(p.captured_at.to_string() == "2024-04-02T14:00:00Z");

  const auto cancelled = shopify("orders/cancelled", "orders-cancelled.json");
  REQUIRE(cancelled.events.size() == 1);
  const auto& c = data_of<retail::OrderCancelled>(cancelled.events[0]);
  CHECK(c.number == "9007199254740993");
  CHECK(c.reason == std::optional<std::string>("customer"));
  CHECK(cancelled.events[0].time.to_string() == "2024-04-03T16:00:00Z");
}

TEST_CASE("shopify refunds/create: the successful transactions' money, lines when they add up") {
  const auto m = shopify("refunds/create", "refunds-create.json");
  REQUIRE(m.events.size() == 1);
  const auto& r = data_of<retail::RefundApproved>(m.events[0]).refund;
  CHECK(r.reference == "shopify-refund-929361466");
  CHECK(r.order_number == "9007199254740993");
  CHECK(r.amount.to_string() == "8.93 EUR");  // the failed transaction is not counted
  CHECK(r.restock);                           // restock_type "return"
  CHECK(r.reason == std::optional<std::string>("damaged"));
  REQUIRE(r.lines.has_value());
  REQUIRE(r.lines->size() == 1);
  CHECK((*r.lines)[0].sku.value == "TSHIRT-M");
  CHECK((*r.lines)[0].amount.to_string() == "8.93 EUR");  // subtotal 7.5 and tax 1.43, numbers in the payload

  SUBCASE("lines that do not add up to the money are left out, not the refund") {
    auto body = payload("shopify", "refunds-create.json");
    body.replace(body.find("\"8.93\""), 6, "\"9.93\"");
    auto r2 = map(Provider::shopify, delivery(body, {{"X-Shopify-Topic", "refunds/create"}}), shop_mapping());
    REQUIRE(r2);
    const auto& rr = data_of<retail::RefundApproved>(r2.value().events[0]).refund;
    CHECK(rr.amount.to_string() == "9.93 EUR");
    CHECK_FALSE(rr.lines.has_value());
  }
  SUBCASE("a refund that moves no money is noted, not taken in") {
    auto body = payload("shopify", "refunds-create.json");
    body.replace(body.find("\"success\""), 9, "\"pending\"");
    auto r2 = map(Provider::shopify, delivery(body, {{"X-Shopify-Topic", "refunds/create"}}), shop_mapping());
    REQUIRE(r2);
    CHECK(r2.value().events.empty());
    CHECK(r2.value().note.find("moves no money") != std::string::npos);
  }
}

TEST_CASE("shopify inventory_levels/update: a count at the mapped location, the SKU from the item") {
  const auto m = shopify("inventory_levels/update", "inventory-levels-update.json");
  REQUIRE(m.events.size() == 1);
  const auto& s = std::get<retail::StockAdjusted>(m.events[0].data);
  CHECK(s.sku.value == "TSHIRT-M");
  CHECK(s.location.value == "WH/Stock");
  REQUIRE(s.counted.has_value());
  CHECK(s.counted->value() == "6");
  CHECK_FALSE(s.delta.has_value());
  CHECK(m.events[0].subject == "sku/TSHIRT-M@WH/Stock");

  auto mapping = shop_mapping();
  mapping.locations.clear();
  auto msg = error_of(map(
      Provider::shopify,
      delivery(payload("shopify", "inventory-levels-update.json"), {{"X-Shopify-Topic", "inventory_levels/update"}}),
      mapping));
  CHECK(msg.find("shopify inventory_levels/update: /location_id: the location 655441491 is not in") == 0);
  mapping.default_location = "WH/Shop";
  auto ok = map(
      Provider::shopify,
      delivery(payload("shopify", "inventory-levels-update.json"), {{"X-Shopify-Topic", "inventory_levels/update"}}),
      mapping);
  REQUIRE(ok);
  CHECK(std::get<retail::StockAdjusted>(ok.value().events[0].data).location.value == "WH/Shop");
}

TEST_CASE("shopify products/update: one product per variant with a SKU, in the configured currency") {
  const auto m = shopify("products/update", "products-update.json");
  REQUIRE(m.events.size() == 1);  // the variant without a SKU cannot be matched
  CHECK(m.events[0].id == "d-1");
  const auto& p = data_of<retail::ProductUpserted>(m.events[0]).product;
  CHECK(p.sku.value == "TSHIRT-M");
  CHECK(p.name == "T-Shirt - M");
  CHECK(p.list_price.to_string() == "29.99 EUR");
  CHECK(p.barcode->value == "4006381333931");
  CHECK(p.category == std::optional<std::string>("Apparel"));
  CHECK(p.active);
  auto mapping = shop_mapping();
  mapping.currency.clear();
  auto msg = error_of(
      map(Provider::shopify,
          delivery(payload("shopify", "products-update.json"), {{"X-Shopify-Topic", "products/update"}}), mapping));
  CHECK(msg.find("set \"currency\"") != std::string::npos);
}

TEST_CASE("shopify: an unmapped topic is noted and takes nothing in") {
  auto r = map(Provider::shopify, delivery("{\"id\":1}", {{"X-Shopify-Topic", "customers/create"}}), shop_mapping());
  REQUIRE(r);
  CHECK(r.value().events.empty());
  CHECK(r.value().note == "topic customers/create is not mapped: nothing to take in");
}

TEST_CASE("Adapter: verify then map; a forged delivery never reaches the mapping") {
  const std::string secret = odoosync::testing::canary_webhook_secret();
  ChannelConfig config;
  config.name = "shop-eu";
  config.provider = Provider::shopify;
  config.options.secrets.emplace_back(secret);
  config.mapping = shop_mapping();
  auto adapter = Adapter::make(config);
  REQUIRE(adapter);
  const auto body = payload("shopify", "orders-cancelled.json");
  auto d = delivery(body, {{"X-Shopify-Topic", "orders/cancelled"},
                           {"X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"},
                           {"X-Shopify-Hmac-Sha256", crypto::base64_encode(crypto::hmac_sha256(secret, body))}});
  auto r = adapter.value().receive(d);
  REQUIRE_MESSAGE(r, (r ? "" : r.error().message()));
  REQUIRE(r.value().events.size() == 1);
  CHECK(r.value().events[0].id == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
  d.body.back() = ' ';
  auto forged = adapter.value().receive(d);
  REQUIRE_FALSE(forged);
  CHECK(forged.error().kind() == ErrorKind::auth);
}
