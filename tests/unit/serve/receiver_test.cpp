// WebhookReceiver without HTTP: every status it answers, what the store holds after each, the metrics
// and the log lines (never the secret canary, a header or the URL's query).
#include <doctest/doctest.h>

#include <odoosync/channels/config.hpp>
#include <odoosync/channels/crypto.hpp>
#include <odoosync/serve/config.hpp>
#include <odoosync/serve/webhook_receiver.hpp>
#include <odoosync/sync/engine.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "serve_support.hpp"

using namespace odoosync::testing::serve;
namespace os = odoosync;
namespace ch = odoosync::channels;

namespace {

struct Fixture {
  ControlledStore store;
  std::unique_ptr<sync::Engine> engine;
  std::unique_ptr<srv::WebhookReceiver> receiver;
  TestChannel test;
  CapturedLog log;
  std::vector<std::pair<std::string, std::size_t>> odoo_records;

  explicit Fixture(std::uint64_t high_water = 1'000'000, std::vector<srv::ReceiverChannel> extra = {}) {
    sync::EngineOptions eo;
    eo.lanes[0].high_water = high_water;
    engine = std::move(sync::Engine::create_intake(store, eo).value());
    srv::ReceiverOptions ro;
    ro.logger = log.logger();
    ro.retry_after = std::chrono::seconds{7};
    ro.on_odoo_records = [this](std::string_view c, const std::vector<ch::Mapped::OdooRecord>& r) {
      odoo_records.emplace_back(std::string(c), r.size());
    };
    extra.push_back(test.channel());
    auto r = srv::WebhookReceiver::create(std::move(extra), *engine, ro);
    REQUIRE(r);
    receiver = std::move(r.value());
  }

  srv::WebhookAnswer post(const std::string& body, const std::string& token = secret(),
                          const std::string& target = "/webhooks/test?token=" + secret()) {
    srv::WebhookRequest req;
    req.method = "POST";
    req.target = target;
    req.headers.add("Host", "hooks.example");
    if (!token.empty()) req.headers.add("X-Test-Token", token);
    req.body = body;
    return receiver->handle(std::move(req));
  }
};

srv::WebhookAnswer get(srv::WebhookReceiver& r, const std::string& target, const std::string& method = "GET") {
  srv::WebhookRequest req;
  req.method = method;
  req.target = target;
  return r.handle(std::move(req));
}

void no_canary(const std::string& text) {
  CHECK(text.find(secret()) == std::string::npos);
  CHECK(text.find(odoosync::testing::canary_api_key()) == std::string::npos);
}

}  // namespace

TEST_CASE("receiver: an authentic delivery answers 200 once its event is in the store") {
  Fixture f;
  auto a = f.post(stock_event("evt-1"));
  CHECK(a.status == 200);
  CHECK(a.body == "{\"status\":\"accepted\",\"events\":1,\"duplicates\":0}\n");
  auto held = f.store.get("channel/test", "evt-1");
  REQUIRE(held);
  REQUIRE(held.value().has_value());
  CHECK(held.value()->event.type == "retail.stock.adjusted");
  const auto m = f.receiver->metrics();
  CHECK(m.channels.at("test").deliveries[static_cast<std::size_t>(srv::Outcome::accepted)] == 1);
  CHECK(m.channels.at("test").events == 1);
  CHECK(f.log.text().find("\"status\":200,\"outcome\":\"accepted\"") != std::string::npos);
  CHECK(f.log.text().find("\"event\":\"evt-1\"") != std::string::npos);
  no_canary(f.log.text());  // the token was in the header and in the query: neither is logged
}

TEST_CASE("receiver: the provider's retry is a duplicate, answered 200, without a second row") {
  Fixture f;
  CHECK(f.post(stock_event("evt-1")).status == 200);
  auto again = f.post(stock_event("evt-1"));
  CHECK(again.status == 200);
  CHECK(again.body == "{\"status\":\"duplicate\",\"events\":0,\"duplicates\":1}\n");
  CHECK(f.store.held() == 1);
  const auto m = f.receiver->metrics().channels.at("test");
  CHECK(m.deliveries[static_cast<std::size_t>(srv::Outcome::duplicate)] == 1);
  CHECK(m.duplicates == 1);
}

TEST_CASE("receiver: a failed proof of origin answers 401 with the reason, nothing stored, nothing secret") {
  Fixture f;
  auto a = f.post(stock_event("evt-1"), "not-the-token");
  CHECK(a.status == 401);
  CHECK(a.body.find("\"error\":\"unauthorized\"") != std::string::npos);
  CHECK(a.body.find("token mismatch") != std::string::npos);
  CHECK(f.store.held() == 0);
  CHECK(f.store.appends == 0);
  auto none = f.post(stock_event("evt-2"), "");
  CHECK(none.status == 401);
  no_canary(a.body + none.body + f.log.text());
}

TEST_CASE("receiver: a Shopify delivery signed with the canary secret and then tampered answers 401") {
  ch::ChannelConfig shop;
  shop.name = "shop";
  shop.provider = ch::Provider::shopify;
  shop.options.secrets.emplace_back(secret());
  auto channel = srv::ReceiverChannel::from_config(shop);
  REQUIRE(channel);
  std::vector<srv::ReceiverChannel> extra;
  extra.push_back(std::move(channel.value()));
  Fixture f(1'000'000, std::move(extra));
  const std::string body = R"({"id":820982911946154508,"email":"jon@example.com"})";
  srv::WebhookRequest req;
  req.method = "POST";
  req.target = "/webhooks/shop";
  req.headers.add("X-Shopify-Topic", "orders/create");
  req.headers.add("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
  req.headers.add("X-Shopify-Hmac-Sha256", ch::crypto::base64_encode(ch::crypto::hmac_sha256(secret(), body)));
  req.body = body;
  req.body[10] = '3';  // one digit of the order id changed after signing
  auto a = f.receiver->handle(std::move(req));
  CHECK(a.status == 401);
  CHECK(a.body.find("signature mismatch") != std::string::npos);
  CHECK(f.store.held() == 0);
  no_canary(a.body + f.log.text());
}

TEST_CASE("receiver: an authentic but unusable delivery answers 400 with the reason, nothing stored") {
  Fixture f;
  auto a = f.post("{\"specversion\":\"1.0\"}");
  CHECK(a.status == 400);
  CHECK(a.body.rfind("{\"error\":\"invalid\",\"reason\":\"Test delivery", 0) == 0);
  CHECK(f.store.held() == 0);
  // An event of a type nobody registered is refused the same way.
  auto unknown = f.post(R"({"specversion":"1.0","id":"x-1","source":"channel/test","type":"acme.thing.done",)"
                        R"("time":"2026-12-01T10:15:00Z","data":{}})");
  CHECK(unknown.status == 400);
  CHECK(f.store.held() == 0);
  CHECK(f.receiver->metrics().channels.at("test").deliveries[static_cast<std::size_t>(srv::Outcome::invalid)] == 2);
}

TEST_CASE("receiver: a delivery with nothing to take in (a ping) answers 200 and stores nothing") {
  Fixture f;
  auto a = f.post("ping");
  CHECK(a.status == 200);
  CHECK(a.body == "{\"status\":\"ignored\",\"note\":\"ping: nothing to take in\",\"odoo_records\":0}\n");
  CHECK(f.store.held() == 0);
  CHECK(f.store.appends == 0);
}

TEST_CASE("receiver: back-pressure answers 503 with Retry-After, the event not stored") {
  Fixture f(1);  // the realtime lane holds at most one unsettled event
  CHECK(f.post(stock_event("evt-1")).status == 200);
  auto a = f.post(stock_event("evt-2", "SKU-2"));
  CHECK(a.status == 503);
  CHECK(a.headers.get("Retry-After") == std::optional<std::string_view>("7"));
  CHECK(a.body.find("\"error\":\"backpressure\"") != std::string::npos);
  CHECK(f.store.held() == 1);
  auto held = f.store.get("channel/test", "evt-2");
  REQUIRE(held);
  CHECK_FALSE(held.value().has_value());
  CHECK(f.receiver->metrics().channels.at("test").deliveries[static_cast<std::size_t>(srv::Outcome::backpressure)] ==
        1);
}

TEST_CASE("receiver: a store that fails answers 503 with Retry-After, and the reason stays in the log") {
  Fixture f;
  f.store.fail_append = true;
  auto a = f.post(stock_event("evt-1"));
  CHECK(a.status == 503);
  CHECK(a.headers.get("Retry-After") == std::optional<std::string_view>("7"));
  CHECK(a.body.find("disk I/O") == std::string::npos);  // the sender learns only to retry
  CHECK(f.log.text().find("disk I/O error (test)") != std::string::npos);
  f.store.fail_append = false;
  CHECK(f.post(stock_event("evt-1")).status == 200);  // the provider's retry goes through
  CHECK(f.store.held() == 1);
}

TEST_CASE("receiver: 404 for an unknown channel or path, 405 for a wrong method, 413 over the limit") {
  Fixture f;
  auto unknown = f.post(stock_event("evt-1"), secret(), "/webhooks/nope");
  CHECK(unknown.status == 404);
  CHECK(get(*f.receiver, "/elsewhere").status == 404);
  CHECK(get(*f.receiver, "/webhooks/").status == 404);
  auto wrong = get(*f.receiver, "/webhooks/test");
  CHECK(wrong.status == 405);
  CHECK(wrong.headers.get("Allow") == std::optional<std::string_view>("POST"));
  CHECK(get(*f.receiver, "/healthz", "POST").status == 405);
  // Before the body is read: the declared length decides.
  auto admitted = f.receiver->admit("POST", "/webhooks/test", 4096);
  CHECK_FALSE(admitted.answer);
  CHECK(admitted.body_limit == 4096);
  auto over = f.receiver->admit("POST", "/webhooks/test?x=1", 4097);
  REQUIRE(over.answer);
  CHECK(over.answer->status == 413);
  CHECK(over.answer->close);
  CHECK(over.answer->body.find("over the limit of 4096") != std::string::npos);
  // A host that hands the whole body over gets the same answer.
  CHECK(f.post(std::string(5000, 'x')).status == 413);
  CHECK(f.store.held() == 0);
  const auto m = f.receiver->metrics();
  CHECK(m.not_found == 3);
  CHECK(m.method_not_allowed == 2);
  CHECK(m.channels.at("test").deliveries[static_cast<std::size_t>(srv::Outcome::too_large)] == 2);
  // The Odoo token may be the last path segment: the channel is the first one.
  CHECK(f.post(stock_event("evt-9"), secret(), "/webhooks/test/" + secret()).status == 200);
}

TEST_CASE("receiver: /healthz answers 200 while the store answers, 503 when it does not") {
  Fixture f;
  CHECK(f.post(stock_event("evt-1")).status == 200);
  auto ok = get(*f.receiver, "/healthz");
  CHECK(ok.status == 200);
  CHECK(ok.body == "{\"status\":\"ok\",\"realtime\":1,\"bulk\":0}\n");
  CHECK(get(*f.receiver, "/healthz", "HEAD").body.empty());
  f.store.fail_depth = true;
  auto down = get(*f.receiver, "/healthz");
  CHECK(down.status == 503);
  CHECK(down.headers.contains("Retry-After"));
}

TEST_CASE("receiver: /metrics is Prometheus text with the receiver's series and the engine's") {
  Fixture f;
  CHECK(f.post(stock_event("evt-1")).status == 200);
  CHECK(f.post(stock_event("evt-1")).status == 200);
  CHECK(f.post(stock_event("evt-2"), "wrong").status == 401);
  auto m = get(*f.receiver, "/metrics");
  CHECK(m.status == 200);
  CHECK(m.content_type.rfind("text/plain; version=0.0.4", 0) == 0);
  const auto& t = m.body;
  CHECK(t.find("odoosync_webhook_deliveries_total{channel=\"test\",outcome=\"accepted\"} 1\n") != std::string::npos);
  CHECK(t.find("odoosync_webhook_deliveries_total{channel=\"test\",outcome=\"duplicate\"} 1\n") != std::string::npos);
  CHECK(t.find("odoosync_webhook_deliveries_total{channel=\"test\",outcome=\"unauthorized\"} 1\n") !=
        std::string::npos);
  CHECK(t.find("odoosync_webhook_events_total{channel=\"test\"} 1\n") != std::string::npos);
  CHECK(t.find("odoosync_webhook_duplicates_total{channel=\"test\"} 1\n") != std::string::npos);
  CHECK(t.find("odoosync_webhook_seconds_bucket{channel=\"test\",le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(t.find("odoosync_webhook_seconds_count{channel=\"test\"} 3\n") != std::string::npos);
  // The engine's own series follow (sync/metrics.hpp).
  CHECK(t.find("odoosync_events_submitted_total{lane=\"realtime\",type=\"retail.stock.adjusted\"} 1\n") !=
        std::string::npos);
  CHECK(t.find("odoosync_queue_depth{lane=\"realtime\"} 1\n") != std::string::npos);
  no_canary(t);
}

TEST_CASE("receiver: the channel names are checked, and Odoo's wake-ups reach the host") {
  ControlledStore store;
  auto engine = std::move(sync::Engine::create_intake(store).value());
  TestChannel t;
  std::vector<srv::ReceiverChannel> twice;
  twice.push_back(t.channel("a"));
  twice.push_back(t.channel("a"));
  auto dup = srv::WebhookReceiver::create(std::move(twice), *engine);
  REQUIRE_FALSE(dup);
  CHECK(dup.error().message().find("configured twice") != std::string::npos);
  std::vector<srv::ReceiverChannel> slash;
  slash.push_back(t.channel("a/b"));
  CHECK_FALSE(srv::WebhookReceiver::create(std::move(slash), *engine));

  std::vector<std::size_t> seen;
  srv::ReceiverChannel odoo;
  odoo.name = "odoo";
  odoo.receive = [](const ch::Delivery&) -> os::result<ch::Mapped> {
    ch::Mapped m;
    m.note = "Odoo's webhook: records to read back";
    m.odoo_records.push_back({"sale.order", 7});
    m.odoo_records.push_back({"sale.order", 8});
    return m;
  };
  srv::ReceiverOptions ro;
  ro.on_odoo_records = [&](std::string_view, const std::vector<ch::Mapped::OdooRecord>& r) {
    seen.push_back(r.size());
  };
  std::vector<srv::ReceiverChannel> list;
  list.push_back(std::move(odoo));
  auto r = srv::WebhookReceiver::create(std::move(list), *engine, ro);
  REQUIRE(r);
  srv::WebhookRequest req;
  req.method = "POST";
  req.target = "/webhooks/odoo";
  req.body = "{}";
  auto a = r.value()->handle(std::move(req));
  CHECK(a.status == 200);
  CHECK(a.body.find("\"odoo_records\":2") != std::string::npos);
  CHECK(seen == std::vector<std::size_t>{2});
  CHECK(r.value()->metrics().channels.at("odoo").odoo_records == 2);
}

TEST_CASE("serve configuration: serve's keys, the channels, secrets from files, unknown keys refused") {
  namespace fs = std::filesystem;
  const auto dir = fs::temp_directory_path() / ("odoosync-serve-config-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "shop.secret") << secret() << "\n";
  std::ofstream(dir / "odoo.secret") << odoosync::testing::canary_api_key() << "\n";
  auto c = srv::parse_serve_config(R"({"listen": "127.0.0.1:0", "store": "queue.db", "threads": 3,
      "public_url": "https://hooks.example", "retry_after_s": 12, "high_water": {"realtime": 500},
      "odoo": {"url": "http://127.0.0.1:1", "db": "x", "user": "sync", "api_key_file": "odoo.secret"},
      "channels": {"shop": {"provider": "shopify", "secret_files": ["shop.secret"]}}})",
                                   dir);
  REQUIRE(c);
  CHECK(c.value().listen == std::optional<std::string>("127.0.0.1:0"));
  CHECK(c.value().store == std::optional<std::string>((dir / "queue.db").string()));
  CHECK(c.value().server.threads == 3);
  CHECK(c.value().server.public_url == "https://hooks.example");
  CHECK(c.value().retry_after == std::chrono::seconds{12});
  CHECK(c.value().high_water[0] == std::optional<std::uint64_t>(500));
  CHECK_FALSE(c.value().high_water[1]);
  REQUIRE(c.value().odoo);
  CHECK(c.value().odoo->api_key.reveal() == odoosync::testing::canary_api_key());
  REQUIRE(c.value().channels.size() == 1);
  CHECK(c.value().channels[0].options.secrets.at(0).reveal() == secret());

  auto typo = srv::parse_serve_config(R"({"listne": "127.0.0.1:0", "channels": {}})", dir);
  REQUIRE_FALSE(typo);
  CHECK(typo.error().message().find("unknown key \"listne\"") != std::string::npos);
  auto inline_key = srv::parse_serve_config(R"({"odoo": {"api_key": "abc"}, "channels": {}})", dir);
  REQUIRE_FALSE(inline_key);  // a secret in the file itself is not a key serve knows
  CHECK(inline_key.error().message().find("unknown key \"api_key\"") != std::string::npos);
  CHECK_FALSE(srv::parse_serve_config(R"({"listen": "127.0.0.1:99999", "channels": {}})", dir));
  CHECK_FALSE(srv::parse_serve_config(R"({"listen": "localhost:80", "channels": {}})", dir));
  CHECK_FALSE(srv::parse_serve_config(R"({"public_url": "https://x/?token=1", "channels": {}})", dir));
  odoosync::testing::remove_scratch(dir);
}

TEST_CASE("listen addresses: host and port, IPv6 in brackets, a bare port on loopback") {
  auto a = srv::parse_listen_address("127.0.0.1:8080");
  REQUIRE(a);
  CHECK(a.value() == std::make_pair(std::string("127.0.0.1"), std::uint16_t{8080}));
  CHECK(srv::parse_listen_address("[::1]:0").value() == std::make_pair(std::string("::1"), std::uint16_t{0}));
  CHECK(srv::parse_listen_address(":9000").value() == std::make_pair(std::string("127.0.0.1"), std::uint16_t{9000}));
  CHECK(srv::parse_listen_address("9000").value().second == 9000);
  CHECK_FALSE(srv::parse_listen_address("127.0.0.1:"));
  CHECK_FALSE(srv::parse_listen_address("127.0.0.1:65536"));
  CHECK_FALSE(srv::parse_listen_address("example.com:80"));
}

namespace {

std::string shopify_payload(const std::string& name) {
  std::ifstream in(std::filesystem::path(ODOOSYNC_TEST_DATA_DIR) / "channels" / "shopify" / "payloads" / name,
                   std::ios::binary);
  REQUIRE_MESSAGE(in.good(), name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

srv::ReceiverChannel shop_channel() {
  ch::ChannelConfig shop;
  shop.name = "shop";
  shop.provider = ch::Provider::shopify;
  shop.options.secrets.emplace_back(secret());
  shop.mapping.source = "channel/shop";
  shop.mapping.currency = "EUR";
  shop.mapping.shipping_sku = "SHIPPING";
  shop.mapping.locations = {{"655441491", "WH/Stock"}};
  shop.mapping.skus = {{"808950810", "TSHIRT-M"}, {"44012345678902", "MUG-1"}, {"95", "POSTER-A2"}};
  auto c = srv::ReceiverChannel::from_config(shop);
  REQUIRE(c);
  return std::move(c.value());
}

srv::WebhookRequest shopify_request(const std::string& topic, const std::string& body, const std::string& id) {
  srv::WebhookRequest req;
  req.method = "POST";
  req.target = "/webhooks/shop";
  req.headers.add("X-Shopify-Topic", topic);
  req.headers.add("X-Shopify-Webhook-Id", id);
  req.headers.add("X-Shopify-Hmac-Sha256", ch::crypto::base64_encode(ch::crypto::hmac_sha256(secret(), body)));
  req.body = body;
  return req;
}

}  // namespace

TEST_CASE("receiver: Shopify's inventory_levels/update and orders/create, signed, are taken in under the webhook id") {
  std::vector<srv::ReceiverChannel> extra;
  extra.push_back(shop_channel());
  Fixture f(1'000'000, std::move(extra));
  const auto level = shopify_payload("inventory-levels-update.json");
  auto a = f.receiver->handle(shopify_request("inventory_levels/update", level, "wh-level-1"));
  CHECK(a.status == 200);
  CHECK(a.body == "{\"status\":\"accepted\",\"events\":1,\"duplicates\":0}\n");
  auto held = f.store.get("channel/shop", "wh-level-1");
  REQUIRE(held);
  REQUIRE(held.value().has_value());
  CHECK(held.value()->event.subject == "sku/TSHIRT-M@WH/Stock");
  // Shopify's retry carries the same X-Shopify-Webhook-Id: a duplicate, answered 200.
  auto retry = f.receiver->handle(shopify_request("inventory_levels/update", level, "wh-level-1"));
  CHECK(retry.status == 200);
  CHECK(retry.body.find("\"duplicate\"") != std::string::npos);
  CHECK(f.store.held() == 1);

  auto order = f.receiver->handle(shopify_request("orders/create", shopify_payload("orders-create.json"), "wh-o-1"));
  CHECK(order.status == 200);
  CHECK(order.body.find("\"accepted\"") != std::string::npos);
  CHECK(f.store.held() >= 2);
  // A topic that changes nothing in Odoo: 200, nothing stored.
  const auto before = f.store.held();
  auto other = f.receiver->handle(shopify_request("customers/update", "{\"id\":1}", "wh-c-1"));
  CHECK(other.status == 200);
  CHECK(other.body.find("\"ignored\"") != std::string::npos);
  CHECK(f.store.held() == before);
  // A location the channel does not map: 400 naming the field, nothing stored.
  auto elsewhere = level;
  elsewhere.replace(elsewhere.find("655441491"), 9, "111111111");
  auto refused = f.receiver->handle(shopify_request("inventory_levels/update", elsewhere, "wh-level-2"));
  CHECK(refused.status == 400);
  CHECK(refused.body.find("/location_id") != std::string::npos);
  CHECK(f.store.held() == before);
  no_canary(a.body + order.body + refused.body + f.log.text());
}

TEST_CASE("receiver: pages a host adds (the status page) are routed before the webhooks, any method, not counted") {
  ControlledStore store;
  auto engine = std::move(sync::Engine::create_intake(store).value());
  TestChannel t;
  std::vector<srv::ReceiverChannel> channels;
  channels.push_back(t.channel("test"));
  srv::ReceiverOptions ro;
  std::vector<std::string> seen;
  ro.serves_page = [](std::string_view path) { return path == "/status" || path == "/status/replay"; };
  ro.page = [&seen](const srv::WebhookRequest& r) {
    seen.push_back(r.method + " " + r.target + " " + r.body);
    srv::WebhookAnswer a;
    a.status = r.method == "POST" ? 401 : 200;
    a.content_type = "text/html; charset=utf-8";
    a.body = "page";
    return a;
  };
  auto r = srv::WebhookReceiver::create(std::move(channels), *engine, ro);
  REQUIRE(r);
  auto& rc = *r.value();
  // Before the body: no early answer, a small body limit; a declared body over it is 413.
  auto adm = rc.admit("POST", "/status/replay?x=1", 40);
  CHECK_FALSE(adm.answer.has_value());
  CHECK(adm.body_limit == 64 * 1024);
  auto big = rc.admit("POST", "/status/replay", 65 * 1024);
  REQUIRE(big.answer.has_value());
  CHECK(big.answer->status == 413);
  auto html = get(rc, "/status?after=3");
  CHECK(html.status == 200);
  CHECK(html.content_type == "text/html; charset=utf-8");
  srv::WebhookRequest post;
  post.method = "POST";
  post.target = "/status/replay";
  post.body = R"({"source":"a","id":"b"})";
  CHECK(rc.handle(post).status == 401);
  CHECK(seen == std::vector<std::string>{"GET /status?after=3 ", R"(POST /status/replay {"source":"a","id":"b"})"});
  // Other paths are the receiver's as before; no delivery was counted.
  CHECK(get(rc, "/statusx").status == 404);
  CHECK(get(rc, "/healthz").status == 200);
  CHECK(rc.metrics().channels.at("test").total() == 0);
}
