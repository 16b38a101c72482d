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
  m.skus = {{"808950810", "TSHIRT-M"}, {"44012345678902", "MUG-1"}, {"95", "POSTER-A2"}};
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

TEST_CASE("Adapter: verify then map, and a forged delivery never reaches the mapping") {
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

namespace {
Mapped mapped(Provider p, const std::string& provider, const std::string& file,
              std::vector<std::pair<std::string, std::string>> headers = {}, ChannelMapping m = shop_mapping()) {
  auto r = map(p, delivery(payload(provider, file), std::move(headers)), m);
  REQUIRE_MESSAGE(r, (r ? "" : r.error().message()));
  return std::move(r.value());
}
}  // namespace

TEST_CASE("woocommerce order.created: net lines, discounts, taxes and shipping to the cent") {
  const auto m =
      mapped(Provider::woocommerce, "woocommerce", "order-created.json", {{"X-WC-Webhook-Topic", "order.created"}});
  REQUIRE(m.events.size() == 1);
  CHECK(m.events[0].id == "order/727/created");  // the fact, not the delivery: WooCommerce restates orders
  CHECK(m.events[0].time.to_string() == "2024-03-22T15:28:02Z");
  const auto& o = data_of<retail::OrderCreated>(m.events[0]).order;
  CHECK(o.number == "727");
  REQUIRE(o.lines.size() == 3);
  // 3 mugs, 12.61 before the discount: 4.21 each rounded up, the discount takes the rounding back.
  CHECK(o.lines[0].unit_price.to_string() == "4.21 EUR");
  CHECK(o.lines[0].discount->to_string() == "2.02 EUR");
  CHECK(o.lines[0].total.to_string() == "10.61 EUR");
  CHECK(o.lines[0].tax->to_string() == "2.02 EUR");
  CHECK(o.lines[1].sku.value == "POSTER-A2");  // no SKU: the variation's mapping
  CHECK_FALSE(o.lines[1].discount.has_value());
  CHECK(o.lines[2].sku.value == "SHIPPING");
  CHECK(o.total.to_string() == "28.58 EUR");
  CHECK(o.tax_total.to_string() == "4.57 EUR");
}

TEST_CASE("woocommerce order.updated: each refund once by its id, completed, cancelled, other statuses noted") {
  const auto refunded = mapped(Provider::woocommerce, "woocommerce", "order-updated-refunded.json",
                               {{"X-WC-Webhook-Topic", "order.updated"}});
  REQUIRE(refunded.events.size() == 2);
  CHECK(refunded.events[0].id == "refund/731");
  CHECK(refunded.events[1].id == "refund/733");
  const auto& r = data_of<retail::RefundApproved>(refunded.events[0]).refund;
  CHECK(r.amount.to_string() == "10.00 EUR");
  CHECK(r.order_number == "727");
  CHECK(r.reason == std::optional<std::string>("damaged"));
  CHECK_FALSE(data_of<retail::RefundApproved>(refunded.events[1]).refund.reason.has_value());

  const auto completed = mapped(Provider::woocommerce, "woocommerce", "order-updated-completed.json",
                                {{"X-WC-Webhook-Topic", "order.updated"}});
  REQUIRE(completed.events.size() == 1);
  CHECK(completed.events[0].id == "order/727/completed");
  const auto& s = data_of<retail::ShipmentDispatched>(completed.events[0]).shipment;
  CHECK(s.order_number == "727");
  CHECK(s.dispatched_at.to_string() == "2024-03-24T08:59:58Z");

  const auto cancelled = mapped(Provider::woocommerce, "woocommerce", "order-updated-cancelled.json",
                                {{"X-WC-Webhook-Topic", "order.updated"}});
  REQUIRE(cancelled.events.size() == 1);
  CHECK(data_of<retail::OrderCancelled>(cancelled.events[0]).number == "728");

  auto body = payload("woocommerce", "order-updated-cancelled.json");
  body.replace(body.find("\"cancelled\""), 11, "\"on-hold\"");
  auto held = map(Provider::woocommerce, delivery(body, {{"X-WC-Webhook-Topic", "order.updated"}}), shop_mapping());
  REQUIRE(held);
  CHECK(held.value().events.empty());
  CHECK(held.value().note == "status on-hold changes nothing in Odoo: nothing to take in");
}

TEST_CASE("woocommerce product.updated") {
  const auto m =
      mapped(Provider::woocommerce, "woocommerce", "product-updated.json", {{"X-WC-Webhook-Topic", "product.updated"}});
  REQUIRE(m.events.size() == 1);
  const auto& p = data_of<retail::ProductUpserted>(m.events[0]).product;
  CHECK(p.sku.value == "MUG-1");
  CHECK(p.name == "Mug");
  CHECK(p.list_price.to_string() == "12.00 EUR");
  CHECK(p.active);
}

TEST_CASE("stripe: payment_intent.succeeded, and one refund however many topics carry it") {
  const auto paid = mapped(Provider::stripe, "stripe", "payment-intent-succeeded.json");
  REQUIRE(paid.events.size() == 1);
  CHECK(paid.events[0].id == "d-1");
  const auto& p = data_of<retail::PaymentCaptured>(paid.events[0]).payment;
  CHECK(p.reference == "pi_3PxAbc2eZvKYlo2C1");
  CHECK(p.order_number == "SO-1001");
  CHECK(p.amount.to_string() == "30.79 EUR");
  CHECK(p.method == "card");
  CHECK(p.captured_at.to_string() == "2024-05-01T10:00:00Z");

  const auto charge = mapped(Provider::stripe, "stripe", "charge-refunded.json");
  const auto refund = mapped(Provider::stripe, "stripe", "refund-updated.json");
  REQUIRE(charge.events.size() == 1);
  REQUIRE(refund.events.size() == 1);
  CHECK(charge.events[0].id == "refund/re_3PxAbc2eZvKYlo2C1");
  CHECK(refund.events[0].id == charge.events[0].id);
  const auto& r = data_of<retail::RefundApproved>(charge.events[0]).refund;
  CHECK(r.order_number == "SO-1001");  // from the charge: the refund's own metadata is empty
  CHECK(r.amount.to_string() == "10.00 EUR");
  CHECK(r.reason == std::optional<std::string>("requested_by_customer"));

  SUBCASE("no order in the metadata is refused, naming the keys") {
    auto body = payload("stripe", "payment-intent-succeeded.json");
    body.replace(body.find("\"order_number\""), 14, "\"cart\"");
    auto msg = error_of(map(Provider::stripe, delivery(body), shop_mapping()));
    CHECK(msg.find("stripe payment_intent.succeeded: /data/object/metadata: names no order") == 0);
  }
  SUBCASE("a pending refund waits") {
    auto body = payload("stripe", "refund-updated.json");
    body.replace(body.find("\"succeeded\""), 11, "\"pending\"");
    auto r2 = map(Provider::stripe, delivery(body), shop_mapping());
    REQUIRE(r2);
    CHECK(r2.value().events.empty());
    CHECK(r2.value().note == "refund re_3PxAbc2eZvKYlo2C1 is pending: taken in when it succeeds");
  }
  SUBCASE("a thin event is refused") {
    auto msg = error_of(map(Provider::stripe, delivery(payload("stripe", "thin-event.json")), shop_mapping()));
    CHECK(msg.find("stripe: a thin event (v2) carries no data") == 0);
  }
}

TEST_CASE("paypal: PAYMENT.CAPTURE.COMPLETED and PAYMENT.CAPTURE.REFUNDED") {
  const auto paid = mapped(Provider::paypal, "paypal", "capture-completed.json");
  REQUIRE(paid.events.size() == 1);
  const auto& p = data_of<retail::PaymentCaptured>(paid.events[0]).payment;
  CHECK(p.reference == "29Y24445UY2083144");
  CHECK(p.order_number == "SO-1001");
  CHECK(p.amount.to_string() == "24.90 EUR");
  CHECK(p.method == "paypal");
  CHECK(p.captured_at.to_string() == "2022-02-02T00:23:08Z");
  const auto refunded = mapped(Provider::paypal, "paypal", "capture-refunded.json");
  REQUIRE(refunded.events.size() == 1);
  CHECK(refunded.events[0].id == "refund/1JU08902781691411");
  const auto& r = data_of<retail::RefundApproved>(refunded.events[0]).refund;
  CHECK(r.amount.to_string() == "10.00 EUR");
  CHECK(r.reason == std::optional<std::string>("Defective product"));
  auto body = payload("paypal", "capture-completed.json");
  body.replace(body.find("\"custom_id\""), 11, "\"custom_xx\"");
  auto msg = error_of(map(Provider::paypal, delivery(body), shop_mapping()));
  CHECK(msg.find("paypal PAYMENT.CAPTURE.COMPLETED: /resource/custom_id: names no order") == 0);
}

TEST_CASE("square: payments and refunds when completed, cancellations, stock on hand counts") {
  auto m = shop_mapping();
  m.locations["L88917AVBK2S5"] = "WH/Shop";
  m.skus["W62UWFY35CWMYGVWK6TWJDNI"] = "MUG-1";
  m.skus["AII4UHA2QJ7D3JQCPQMKSNXR"] = "FLOUR-KG";
  const auto paid = mapped(Provider::square, "square", "payment-updated.json", {}, m);
  REQUIRE(paid.events.size() == 1);
  CHECK(paid.events[0].id == "payment/hYy9pRFVxpDsO1FB05SunFWUe9JZY/completed");
  const auto& p = data_of<retail::PaymentCaptured>(paid.events[0]).payment;
  CHECK(p.order_number == "CAISENgvlJ6jLWAzERDzjyHVybY");
  CHECK(p.amount.to_string() == "24.90 EUR");
  CHECK(p.method == "card");

  const auto refund = mapped(Provider::square, "square", "refund-updated.json", {}, m);
  REQUIRE(refund.events.size() == 1);
  CHECK(refund.events[0].id == "refund/hYy9pRFVxpDsO1FB05SunFWUe9JZY_R1");
  CHECK(data_of<retail::RefundApproved>(refund.events[0]).refund.amount.to_string() == "10.00 EUR");

  const auto cancelled = mapped(Provider::square, "square", "order-updated-canceled.json", {}, m);
  REQUIRE(cancelled.events.size() == 1);
  CHECK(data_of<retail::OrderCancelled>(cancelled.events[0]).number == "CAISENgvlJ6jLWAzERDzjyHVybY");

  const auto counts = mapped(Provider::square, "square", "inventory-count-updated.json", {}, m);
  REQUIRE(counts.events.size() == 2);  // the SOLD count is not stock on hand
  CHECK(counts.events[0].id == "d-1#1");
  CHECK(counts.events[1].id == "d-1#2");
  const auto& s = std::get<retail::StockAdjusted>(counts.events[1].data);
  CHECK(s.sku.value == "FLOUR-KG");
  CHECK(s.location.value == "WH/Shop");
  CHECK(s.counted->value() == "2.5");

  auto body = payload("square", "payment-updated.json");
  body.replace(body.find("\"COMPLETED\""), 11, "\"APPROVED\"");
  auto approved = map(Provider::square, delivery(body), m);
  REQUIRE(approved);
  CHECK(approved.value().events.empty());
  CHECK(approved.value().note.find("is APPROVED: taken in when it completes") != std::string::npos);
}

TEST_CASE("odoo: the record that changed, as a wake-up, never as data") {
  const auto m = mapped(Provider::odoo, "odoo", "sale-order.json");
  CHECK(m.events.empty());
  REQUIRE(m.odoo_records.size() == 1);
  CHECK(m.odoo_records[0].model == "sale.order");
  CHECK(m.odoo_records[0].id == 17);
  auto msg = error_of(map(Provider::odoo, delivery(R"({"_model":"sale.order","_id":"17"})"), shop_mapping()));
  CHECK(msg == "odoo sale.order: /_id: must be a record id (a positive integer)");
}

TEST_CASE("amazon: ORDER_CHANGE cancels, and a new order comes from getOrder and getOrderItems") {
  const auto unshipped = mapped(Provider::amazon, "amazon", "order-change-unshipped.json");
  CHECK(unshipped.events.empty());
  CHECK(unshipped.note.find("ORDER_CHANGE carries no prices") != std::string::npos);
  const auto cancelled = mapped(Provider::amazon, "amazon", "order-change-canceled.json");
  REQUIRE(cancelled.events.size() == 1);
  CHECK(cancelled.events[0].id == "order/903-8868176-2219830/cancelled");
  CHECK(data_of<retail::OrderCancelled>(cancelled.events[0]).reason == std::optional<std::string>("Buyer cancelled"));

  auto m = shop_mapping();
  m.source = "channel/amazon-de";
  auto e = map_amazon_order(payload("amazon", "get-order.json"), payload("amazon", "get-order-items.json"), m);
  REQUIRE_MESSAGE(e, (e ? "" : e.error().message()));
  CHECK(e.value().id == "order/903-8868176-2219830/created");
  const auto& o = data_of<retail::OrderCreated>(e.value()).order;
  CHECK(o.channel.value == "marketplace/amazon-de");
  REQUIRE(o.lines.size() == 2);
  // Amazon.de's prices include VAT: 24.00 for two mugs is 20.17 net and 3.83 tax.
  CHECK(o.lines[0].total.to_string() == "20.17 EUR");
  CHECK(o.lines[0].tax->to_string() == "3.83 EUR");
  CHECK(o.lines[1].sku.value == "SHIPPING");
  CHECK(o.total.to_string() == "28.88 EUR");

  auto items = payload("amazon", "get-order-items.json");
  items.replace(items.find("\"903-8868176-2219830\""), 21, "\"903-0000000-0000000\"");
  auto wrong = map_amazon_order(payload("amazon", "get-order.json"), items, m);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().message() ==
        "amazon getOrderItems: /payload/AmazonOrderId: is not the order's (903-8868176-2219830)");
}

TEST_CASE("configuration: the mapping keys, and their refusals") {
  const std::string secret_var = "ODOOSYNC_TEST_MAPPING_SECRET";
  ::setenv(secret_var.c_str(), odoosync::testing::canary_webhook_secret().c_str(), 1);
  auto parsed = parse_channels_config(
      R"({"channels":{"shop-eu":{"provider":"shopify","secret_env":["ODOOSYNC_TEST_MAPPING_SECRET"],
          "source":"shopify/eu","order_channel":"web/eu","warehouse":"WH2","currency":"EUR","shipping_sku":"SHIP",
          "locations":{"655441491":"WH2/Stock"},"default_location":"WH2/Shop","skus":{"808950810":"TSHIRT-M"}}}})",
      ".");
  REQUIRE_MESSAGE(parsed, (parsed ? "" : parsed.error().message()));
  const auto& mp = parsed.value().at(0).mapping;
  CHECK(mp.source == "shopify/eu");
  CHECK(mp.channel == "web/eu");
  CHECK(mp.warehouse == "WH2");
  CHECK(mp.locations.at("655441491") == "WH2/Stock");
  CHECK(mp.skus.at("808950810") == "TSHIRT-M");
  auto defaults = parse_channels_config(R"({"channels":{"shop-eu":{"secret_env":["ODOOSYNC_TEST_MAPPING_SECRET"],
      "provider":"shopify"}}})",
                                        ".");
  REQUIRE(defaults);
  CHECK(defaults.value().at(0).mapping.source == "channel/shop-eu");
  auto bad = parse_channels_config(R"({"channels":{"shop-eu":{"secret_env":["ODOOSYNC_TEST_MAPPING_SECRET"],
      "provider":"shopify","skus":{"1":7}}}})",
                                   ".");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message() == "channel \"shop-eu\": skus[\"1\"] must be a non-empty string");
  ::unsetenv(secret_var.c_str());
}

TEST_CASE("carriers: EasyPost tracker.updated and Shippo track_updated as retail.shipment.tracked") {
  const auto ep = mapped(Provider::easypost, "easypost", "tracker-updated.json");
  REQUIRE(ep.events.size() == 1);
  CHECK(ep.events[0].subject == "tracking/9400110898825022579493");
  const auto& t = data_of<retail::ShipmentTracked>(ep.events[0]);
  CHECK(t.status == "delivered");
  CHECK(t.carrier == std::optional<std::string>("USPS"));
  CHECK(t.at.to_string() == "2024-05-03T13:58:00Z");  // the newest tracking detail
  CHECK(t.detail == std::optional<std::string>("Delivered, In/At Mailbox"));

  const auto sh = mapped(Provider::shippo, "shippo", "track-updated.json");
  REQUIRE(sh.events.size() == 1);
  const auto& s = data_of<retail::ShipmentTracked>(sh.events[0]);
  CHECK(s.tracking_number == "9205590164917312751089");
  CHECK(s.status == "delivered");
  CHECK(s.at.to_string() == "2024-05-03T14:00:00Z");
  CHECK(s.detail == std::optional<std::string>("Delivered to mailbox"));

  auto body = payload("easypost", "tracker-updated.json");
  body.replace(body.find("\"status\":\"delivered\",\n   \"status_detail\""), 20, "\"status\":\"teleported\"");
  auto msg = error_of(map(Provider::easypost, delivery(body), shop_mapping()));
  CHECK(msg == "easypost tracker.updated: /result/status: unknown tracker status \"teleported\"");
  auto returned = payload("shippo", "track-updated.json");
  returned.replace(returned.find("\"DELIVERED\""), 11, "\"RETURNED\"");
  auto r = map(Provider::shippo, delivery(returned), shop_mapping());
  REQUIRE(r);
  CHECK(data_of<retail::ShipmentTracked>(r.value().events[0]).status == "returned");
}

TEST_CASE("the verification fixtures from the providers' own SDKs and schemas map too") {
  struct Case {
    Provider p;
    std::string provider, body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::size_t events;
    std::string note;
  };
  auto body = [](const std::string& provider, const std::string& file) {
    std::ifstream in(fs::path(ODOOSYNC_TEST_DATA_DIR) / "channels" / provider / file, std::ios::binary);
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  const std::vector<Case> cases = {
      // EasyPost's official event fixture: a real tracker.updated.
      {Provider::easypost, "easypost", body("easypost", "published.body"), {}, 1, ""},
      {Provider::square,
       "square",
       body("square", "published.body"),
       {},
       0,
       "event type webhooks.test_notification is not mapped: nothing to take in"},
      {Provider::paypal,
       "paypal",
       body("paypal", "published.body"),
       {},
       0,
       "event type BILLING.PLAN.CREATED is not mapped: nothing to take in"},
      {Provider::shippo, "shippo", body("shippo", "track-updated.body"), {}, 1, ""},
      {Provider::amazon, "amazon", body("amazon", "schema-example.body"), {}, 0, "ORDER_CHANGE carries no prices"},
      {Provider::odoo, "odoo", body("odoo", "action.body"), {}, 0, "read back from Odoo"},
      {Provider::woocommerce,
       "woocommerce",
       body("woocommerce", "derived.body"),
       {{"X-WC-Webhook-Topic", "order.updated"}},
       0,
       ""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.provider);
    auto r = map(c.p, delivery(c.body, c.headers), shop_mapping());
    REQUIRE_MESSAGE(r, (r ? "" : r.error().message()));
    if (c.p == Provider::woocommerce) {
      CHECK((!r.value().events.empty() || !r.value().note.empty()));
      continue;
    }
    CHECK(r.value().events.size() == c.events);
    if (!c.note.empty()) CHECK(r.value().note.find(c.note) != std::string::npos);
  }
}

TEST_CASE("mapping refuses what cannot be represented: a count beyond a quantity, Stripe's ISK in hundredths") {
  auto level = payload("shopify", "inventory-levels-update.json");
  level.replace(level.find("\"available\":6"), 13, "\"available\":10000000000000");
  auto msg = error_of(
      map(Provider::shopify, delivery(level, {{"X-Shopify-Topic", "inventory_levels/update"}}), shop_mapping()));
  CHECK(msg == "shopify inventory_levels/update: /available: a count this large cannot be a quantity");
  auto pay = payload("stripe", "payment-intent-succeeded.json");
  pay.replace(pay.find("\"eur\""), 5, "\"isk\"");
  auto isk = error_of(map(Provider::stripe, delivery(pay), shop_mapping()));
  CHECK(isk.find("stripe payment_intent.succeeded: /data/object/currency: ISK: Stripe sends it in hundredths") == 0);
  auto negative = payload("stripe", "refund-updated.json");
  negative.replace(negative.find("\"amount\":1000"), 13, "\"amount\":-1000");
  CHECK(error_of(map(Provider::stripe, delivery(negative), shop_mapping())).find("/data/object/amount: must be") !=
        std::string::npos);
}

TEST_CASE("amazon: a shipping promotion with its tax, on a marketplace whose prices include tax, adds up") {
  auto m = shop_mapping();
  auto order = payload("amazon", "get-order.json");
  order.replace(order.find("\"28.88\""), 7, "\"24.00\"");
  auto items = payload("amazon", "get-order-items.json");
  items.replace(items.find("\"PromotionDiscount\""), 0,
                R"("ShippingDiscount":{"CurrencyCode":"EUR","Amount":"4.88"},)"
                R"("ShippingDiscountTax":{"CurrencyCode":"EUR","Amount":"0.78"},)");
  auto e = map_amazon_order(order, items, m);
  REQUIRE_MESSAGE(e, (e ? "" : e.error().message()));
  const auto& o = data_of<retail::OrderCreated>(e.value()).order;
  REQUIRE(o.lines.size() == 1);  // free shipping: no shipping line
  CHECK(o.total.to_string() == "24.00 EUR");
  CHECK(o.lines[0].total.to_string() == "20.17 EUR");
}
