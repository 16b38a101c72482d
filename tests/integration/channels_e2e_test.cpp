// Issue 16's end to end: the providers' deliveries, signed as each signs them, posted to the real
// `odoosync serve --sync` (with the providers' retries and a forgery), and Odoo's state checked after the
// sync workers in the same process took them on: a Shopify order and its retry, its Stripe payment, a
// WooCommerce order and its cancellation, a Square stock count, an EasyPost tracking update noted on the
// order's delivery and Shippo's for the same parcel, Odoo's own webhook (a wake-up, nothing stored). PayPal is left out: its signature
// needs PayPal's certificate, which only its own published vector has (channels_tests verify it).
#include <canary.hpp>
#include <doctest/doctest.h>

#include <odoosync/channels/crypto.hpp>
#include <odoosync/odoo/client.hpp>

#include <http_client.hpp>
#include <serve_process.hpp>

#include "test_odoo.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
namespace crypto = odoosync::channels::crypto;
using odoosync::odoo::field;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

using Headers = std::vector<std::pair<std::string, std::string>>;

// Waits (10 s at most) for `done`.
bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 100; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  return done();
}

}  // namespace

TEST_CASE("channels end to end: signed deliveries through serve --sync reach Odoo once each") {
  odoosync::testing::TestOdoo odoo(18, 0, odoosync::testing::ClientKind::plain, {"stock_delivery"});
  auto& c = *odoo.client;
  // The walk-in customer the shops' orders go to.
  REQUIRE(c.create("res.partner", odoosync::odoo::Values().set("name", "Walk-in").set("ref", "walk-in")));

  const auto dir = fs::temp_directory_path() / ("odoosync-channels-e2e-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string secret = odoosync::testing::canary_webhook_secret();
  std::ofstream(dir / "hooks.secret") << secret;
  std::ofstream(dir / "odoo.secret") << odoo.emulator->api_key();
  std::ofstream(dir / "serve.json") << R"({"store": "queue.db",
    "odoo": {"url": ")" << odoo.url()
                                    << R"(", "db": "retail18", "user": "admin", "api_key_file": "odoo.secret"},
    "channels": {
      "shop": {"provider": "shopify", "secret_files": ["hooks.secret"]},
      "woo": {"provider": "woocommerce", "secret_files": ["hooks.secret"]},
      "stripe": {"secret_files": ["hooks.secret"]},
      "square": {"secret_files": ["hooks.secret"], "notification_url": "https://hooks.example/webhooks/square",
                 "locations": {"L88917AVBK2S5": "WH/Stock"}, "skus": {"W62UWFY35CWMYGVWK6TWJDNI": "FURN_9999"}},
      "easypost": {"secret_files": ["hooks.secret"]},
      "shippo": {"secret_files": ["hooks.secret"]},
      "odoo": {"provider": "odoo", "secret_files": ["hooks.secret"]}}})";

  odoosync::testing::ServeProcess serve(
      {"serve", "--listen", "127.0.0.1:0", "--config", (dir / "serve.json").string(), "--sync"},
      (dir / "err.txt").string());
  const auto port = odoosync::testing::port_of(serve.first_line());
  REQUIRE_MESSAGE(port != 0, slurp(dir / "err.txt"));
  odoosync::testing::HttpClient http(port);
  auto post = [&](const std::string& channel, const std::string& body, Headers h, const std::string& query = {}) {
    h.emplace_back("Content-Type", "application/json");
    return http.request("POST", "/webhooks/" + channel + query, body, h);
  };
  auto b64 = [&](const std::string& body) { return crypto::base64_encode(crypto::hmac_sha256(secret, body)); };

  // Shopify: a new order, then Shopify's retry of the same delivery.
  const std::string order = R"({"id":9007199254740993,"name":"#1001","created_at":"2026-12-07T09:00:00+01:00",
    "currency":"EUR","taxes_included":false,"total_price":"1200.00",
    "line_items":[{"id":1,"variant_id":2,"sku":"FURN_7777","quantity":2,"price":"600.00","total_discount":"0.00",
                   "discount_allocations":[],"tax_lines":[]}]})";
  const Headers shopify = {{"X-Shopify-Topic", "orders/create"},
                           {"X-Shopify-Webhook-Id", "5f1c7a4e-0d62-4c1b-9a8e-2b7d3c4e5f60"},
                           {"X-Shopify-Hmac-Sha256", b64(order)}};
  auto created = post("shop", order, shopify);
  CHECK(created.status == 200);
  CHECK(created.body.find("\"accepted\"") != std::string::npos);
  auto retried = post("shop", order, shopify);
  CHECK(retried.status == 200);
  CHECK(retried.body.find("\"duplicate\"") != std::string::npos);

  std::int64_t sale = 0;
  REQUIRE_MESSAGE(eventually([&] {
                    auto r = c.search_read("sale.order", field("client_order_ref") == "9007199254740993", {"state"});
                    if (!r || r.value().Empty()) return false;
                    sale = r.value()[0]["id"].GetInt64();
                    return std::string(r.value()[0]["state"].GetString()) == "sale";
                  }),
                  slurp(dir / "err.txt"));

  // Stripe: its payment for that order (the shop put the order's number in the PaymentIntent's metadata),
  // then a forgery of the same, refused before anything is stored.
  const std::string t = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  const std::string payment = R"({"id":"evt_e2e_1","object":"event","created":)" + t +
                              R"(,"type":"payment_intent.succeeded","data":{"object":{"id":"pi_e2e_1",
    "object":"payment_intent","amount":120000,"amount_received":120000,"currency":"eur","status":"succeeded",
    "payment_method_types":["card"],"metadata":{"order_number":"9007199254740993"}}}})";
  auto sig = [&](const std::string& body) {
    return "t=" + t + ",v1=" + crypto::hex_encode(crypto::hmac_sha256(secret, t + "." + body));
  };
  CHECK(post("stripe", payment, {{"Stripe-Signature", sig(payment)}}).status == 200);
  auto forged = payment;
  forged.replace(forged.find("120000,\"amount_received\""), 6, "999999");
  auto refused = post("stripe", forged, {{"Stripe-Signature", sig(payment)}});
  CHECK(refused.status == 401);
  CHECK(refused.body.find(secret) == std::string::npos);

  // WooCommerce: an order, then its cancellation (an order.updated restating the order).
  const std::string woo = R"({"id":727,"number":"727","status":"processing","currency":"EUR",
    "date_created_gmt":"2026-12-07T08:10:00","date_modified_gmt":"2026-12-07T08:10:00","total":"500.00",
    "shipping_total":"0.00","shipping_tax":"0.00","refunds":[],
    "line_items":[{"id":1,"product_id":93,"variation_id":0,"sku":"FURN_8888","quantity":1,"subtotal":"500.00",
                   "total":"500.00","total_tax":"0.00"}]})";
  const Headers woo_created = {{"X-WC-Webhook-Topic", "order.created"},
                               {"X-WC-Webhook-Source", "https://shop.example/"},
                               {"X-WC-Webhook-ID", "12"},
                               {"X-WC-Webhook-Signature", b64(woo)}};
  CHECK(post("woo", woo, woo_created).status == 200);
  REQUIRE(eventually([&] { return odoo.count("sale.order", field("client_order_ref") == "727") == 1; }));
  auto cancelled_body = woo;
  cancelled_body.replace(cancelled_body.find("\"processing\""), 12, "\"cancelled\"");
  cancelled_body.replace(cancelled_body.find("\"date_modified_gmt\":\"2026-12-07T08:10:00\""), 41,
                         "\"date_modified_gmt\":\"2026-12-07T08:20:00\"");
  const Headers woo_updated = {{"X-WC-Webhook-Topic", "order.updated"},
                               {"X-WC-Webhook-Source", "https://shop.example/"},
                               {"X-WC-Webhook-ID", "13"},
                               {"X-WC-Webhook-Signature", b64(cancelled_body)}};
  CHECK(post("woo", cancelled_body, woo_updated).status == 200);

  // Square: the store's count of a product.
  const std::string count = R"({"merchant_id":"M1","type":"inventory.count.updated","event_id":"e2e-sq-1",
    "created_at":"2026-12-07T08:30:00Z","data":{"type":"inventory","id":"x","object":{"inventory_counts":[
      {"catalog_object_id":"W62UWFY35CWMYGVWK6TWJDNI","catalog_object_type":"ITEM_VARIATION","state":"IN_STOCK",
       "location_id":"L88917AVBK2S5","quantity":"12","calculated_at":"2026-12-07T08:29:59Z"}]}}})";
  CHECK(post("square", count,
             {{"X-Square-HmacSha256-Signature",
               crypto::base64_encode(crypto::hmac_sha256(secret, "https://hooks.example/webhooks/square" + count))}})
            .status == 200);

  // Odoo's own webhook: authenticated by the token in its URL, a wake-up only.
  auto wake =
      post("odoo", R"x({"_action": "Notify(#1)", "_id": 7, "_model": "sale.order", "id": 7})x", {}, "?token=" + secret);
  CHECK(wake.status == 200);
  CHECK(wake.body.find("\"ignored\"") != std::string::npos);
  CHECK(post("odoo", R"({"_id": 7, "_model": "sale.order"})", {}, "?token=wrong").status == 401);

  // The warehouse prints the label of the Shopify order's delivery; EasyPost then says it was delivered.
  std::int64_t picking = 0;
  REQUIRE(eventually([&] {
    auto p = c.search_read("stock.picking", field("sale_id") == sale, {"id"});
    if (!p || p.value().Empty()) return false;
    picking = p.value()[0]["id"].GetInt64();
    return true;
  }));
  REQUIRE(c.write("stock.picking", {picking},
                  odoosync::odoo::Values().set("carrier_tracking_ref", "9400110898825022579493")));
  const std::string tracker = R"({"id":"evt_e2e_trk","object":"Event","description":"tracker.updated",
    "created_at":"2026-12-07T10:00:05Z","updated_at":"2026-12-07T10:00:05Z","result":{"id":"trk_1",
    "object":"Tracker","tracking_code":"9400110898825022579493","status":"delivered","status_detail":"arrived",
    "carrier":"USPS","updated_at":"2026-12-07T10:00:04Z","tracking_details":[{"message":"Delivered, In/At Mailbox",
    "status":"delivered","datetime":"2026-12-07T09:58:00Z"}]}})";
  CHECK(post("easypost", tracker,
             {{"X-Hmac-Signature", "hmac-sha256-hex=" + crypto::hex_encode(crypto::hmac_sha256(secret, tracker))}})
            .status == 200);

  // Shippo, tracking the same parcel (authenticated by the token in its URL), an earlier status.
  const std::string track = R"({"event":"track_updated","test":false,"data":{"carrier":"usps",
    "tracking_number":"9400110898825022579493","tracking_status":{"object_id":"s-e2e-1","status":"TRANSIT",
    "status_details":"In transit to the next facility","status_date":"2026-12-07T07:00:00Z"}}})";
  CHECK(post("shippo", track, {}, "?token=" + secret).status == 200);
  auto shippo_again = post("shippo", track, {}, "?token=" + secret);  // Shippo sends the same status again
  CHECK(shippo_again.status == 200);
  CHECK(shippo_again.body.find("\"duplicate\"") != std::string::npos);

  // Odoo's state once the workers are through.
  CHECK(eventually([&] { return odoo.count("account.payment", field("amount") == 1200.0) == 1; }));
  CHECK(eventually([&] {
    auto r = c.search_read("sale.order", field("client_order_ref") == "727", {"state"});
    return r && !r.value().Empty() && std::string(r.value()[0]["state"].GetString()) == "cancel";
  }));
  CHECK(eventually([&] { return odoo.on_hand("FURN_9999", "WH/Stock") == 12; }));
  CHECK(eventually([&] {
    return odoo.count("mail.message", field("model") == "stock.picking" && field("res_id") == picking &&
                                          field("body").ilike("delivered")) == 1;
  }));
  CHECK(eventually([&] {
    return odoo.count("mail.message", field("model") == "stock.picking" && field("res_id") == picking &&
                                          field("body").ilike("in_transit")) == 1;
  }));
  CHECK(odoo.count("sale.order", field("client_order_ref") == "9007199254740993") == 1);  // the retry: once
  auto metrics = http.request("GET", "/metrics");
  CHECK(metrics.body.find(R"(odoosync_webhook_deliveries_total{channel="shop",outcome="duplicate"} 1)") !=
        std::string::npos);
  CHECK(metrics.body.find(R"(odoosync_webhook_deliveries_total{channel="stripe",outcome="unauthorized"} 1)") !=
        std::string::npos);
  CHECK(serve.stop() == 0);
  const auto err = slurp(dir / "err.txt");
  CHECK(err.find(secret) == std::string::npos);
  CHECK(err.find(odoo.emulator->api_key()) == std::string::npos);
  odoosync::testing::remove_scratch(dir);
}
