// Verifiers with signatures made here under the secret canary (tests/support/canary.hpp): each provider
// verifies its own rule, refuses a forgery, takes any of several secrets, and never shows the secret,
// the expected signature or the URL's token in a message. Plus the body limit, header files and the
// configuration loader's refusals.
#include <doctest/doctest.h>

#include <odoosync/channels/config.hpp>
#include <odoosync/channels/crypto.hpp>
#include <odoosync/channels/verifier.hpp>

#include <canary.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace odoosync;
using namespace odoosync::channels;
namespace c = odoosync::channels::crypto;

namespace {

const std::string secret = odoosync::testing::canary_webhook_secret();
constexpr std::int64_t now_s = 1800000000;
const std::string body = R"({"id":"evt_1","event_id":"ev-1","NotificationMetadata":{"NotificationId":"n-1"},)"
                         R"("_model":"sale.order","_id":7,"write_date":"2027-01-15 08:00:00",)"
                         R"("data":{"carrier":"ups","tracking_number":"1Z","tracking_status":{"object_id":"s1"}}})";
const std::string square_url = "https://hooks.example/webhooks/square";

VerifierOptions options(std::vector<std::string> secrets) {
  VerifierOptions o;
  for (auto& s : secrets) o.secrets.emplace_back(std::move(s));
  o.square_notification_url = square_url;
  return o;
}

// A delivery of `text` signed with `key` the way `p` signs (HMAC and token providers).
Delivery signed_delivery(Provider p, const std::string& key, const std::string& text = body) {
  Delivery d;
  d.body = text;
  d.received_at = std::chrono::system_clock::time_point(std::chrono::seconds{now_s});
  switch (p) {
    case Provider::shopify:
      d.headers.add("X-Shopify-Hmac-Sha256", c::base64_encode(c::hmac_sha256(key, text)));
      d.headers.add("X-Shopify-Webhook-Id", "w-1");
      break;
    case Provider::woocommerce:
      d.headers.add("X-WC-Webhook-Signature", c::base64_encode(c::hmac_sha256(key, text)));
      break;
    case Provider::stripe:
      d.headers.add("Stripe-Signature", "t=" + std::to_string(now_s - 5) + ",v1=" +
                                            c::hex_encode(c::hmac_sha256(key, std::to_string(now_s - 5) + "." + text)));
      break;
    case Provider::square:
      d.headers.add("X-Square-HmacSha256-Signature", c::base64_encode(c::hmac_sha256(key, square_url + text)));
      break;
    case Provider::easypost:
      d.headers.add("X-Hmac-Signature", "hmac-sha256-hex=" + c::hex_encode(c::hmac_sha256(key, text)));
      break;
    case Provider::shippo: d.url = "https://hooks.example/webhooks/shippo?token=" + key; break;
    case Provider::odoo: d.url = "https://hooks.example/webhooks/odoo/" + key; break;
    default: break;
  }
  return d;
}

const Provider keyed[] = {Provider::shopify,  Provider::woocommerce, Provider::stripe, Provider::square,
                          Provider::easypost, Provider::shippo,      Provider::odoo};

// Nothing that would let a reader forge a delivery: the secret, what it signs, the URL with its token.
void check_clean(const Error& e, Provider p, const Delivery& good) {
  const std::string text = e.to_string();
  CHECK_MESSAGE(text.find(secret) == std::string::npos, "the canary secret in a " << to_string(p) << " error");
  for (const auto& [name, value] : good.headers)
    CHECK_MESSAGE(text.find(value) == std::string::npos, to_string(p) << " error shows the expected " << name);
  if (!good.url.empty()) CHECK(text.find(good.url) == std::string::npos);
}

}  // namespace

TEST_CASE("every keyed provider verifies its own signature under the canary secret") {
  for (Provider p : keyed) {
    CAPTURE(to_string(p));
    auto v = make_verifier(p, options({secret}));
    REQUIRE(v);
    auto ok = v.value()->verify(signed_delivery(p, secret));
    REQUIRE_MESSAGE(ok, (ok ? std::string() : ok.error().message()));
    CHECK(!ok.value().ping);
    CHECK(!ok.value().delivery_id.empty());
  }
}

TEST_CASE("a forgery is refused as auth, and the message shows no secret, expected signature or token") {
  for (Provider p : keyed) {
    CAPTURE(to_string(p));
    auto v = make_verifier(p, options({secret}));
    REQUIRE(v);
    const Delivery good = signed_delivery(p, secret);
    // Signed with another key (the token providers: another token).
    auto forged = v.value()->verify(signed_delivery(p, "not-the-canary-secret"));
    REQUIRE(!forged);
    CHECK(forged.error().kind() == ErrorKind::auth);
    check_clean(forged.error(), p, good);
    // The body changed after signing (the token providers do not sign the body: see docs/channels.md).
    Delivery tampered = good;
    tampered.body.back() = ' ';
    auto t = v.value()->verify(tampered);
    if (p == Provider::shippo || p == Provider::odoo) {
      REQUIRE(!t);
      CHECK(t.error().kind() == ErrorKind::validation);  // the body is no longer JSON
    } else {
      REQUIRE(!t);
      CHECK(t.error().kind() == ErrorKind::auth);
      CHECK(t.error().message().find("signature mismatch") != std::string::npos);
    }
    check_clean(t.error(), p, good);
  }
}

TEST_CASE("rotation: any configured secret passes, in any order, and none of them is ever shown") {
  for (Provider p : keyed) {
    CAPTURE(to_string(p));
    const std::string old_secret = secret + "-old";
    auto both = make_verifier(p, options({old_secret, secret}));
    auto reversed = make_verifier(p, options({secret, old_secret}));
    auto only_old = make_verifier(p, options({old_secret}));
    REQUIRE((both && reversed && only_old));
    CHECK(both.value()->verify(signed_delivery(p, secret)));
    CHECK(both.value()->verify(signed_delivery(p, old_secret)));
    CHECK(reversed.value()->verify(signed_delivery(p, old_secret)));
    auto refused = only_old.value()->verify(signed_delivery(p, secret));
    REQUIRE(!refused);
    CHECK(refused.error().message().find(old_secret) == std::string::npos);
    check_clean(refused.error(), p, signed_delivery(p, secret));
  }
}

TEST_CASE("the body limit is checked before anything else, 4 MiB by default") {
  auto v = make_verifier(Provider::shopify, options({secret}));
  REQUIRE(v);
  const std::string big(std::size_t{4} << 20, 'x');
  CHECK(v.value()->verify(signed_delivery(Provider::shopify, secret, big)));
  auto over = v.value()->verify(signed_delivery(Provider::shopify, secret, big + "x"));
  REQUIRE(!over);
  CHECK(over.error().kind() == ErrorKind::validation);
  CHECK(over.error().message() == "Shopify delivery refused: the body is 4194305 bytes, over the limit of 4194304");
  Delivery unsigned_big;
  unsigned_big.body = big + "x";
  CHECK(v.value()->verify(unsigned_big).error().kind() == ErrorKind::validation);
}

TEST_CASE("Stripe: the tolerance counts from the delivery's arrival, and 0 turns the check off") {
  auto d = signed_delivery(Provider::stripe, secret);
  d.received_at += std::chrono::seconds{400};
  auto v = make_verifier(Provider::stripe, options({secret}));
  REQUIRE(v);
  auto late = v.value()->verify(d);
  REQUIRE(!late);
  CHECK(late.error().message() == "Stripe delivery refused: timestamp 405 s old (tolerance 300 s)");
  auto o = options({secret});
  o.tolerance = std::chrono::seconds{0};
  CHECK(make_verifier(Provider::stripe, o).value()->verify(d));
  o.tolerance = std::chrono::seconds{-1};
  CHECK(!make_verifier(Provider::stripe, o));
}

TEST_CASE("make_verifier refuses options that cannot work, naming what is missing") {
  auto no_secret = make_verifier(Provider::shopify, VerifierOptions{});
  REQUIRE(!no_secret);
  CHECK(no_secret.error().kind() == ErrorKind::validation);
  CHECK(no_secret.error().message() == "Shopify: no secret configured");
  CHECK(make_verifier(Provider::odoo, VerifierOptions{}).error().message() == "Odoo: no token configured");
  CHECK(make_verifier(Provider::stripe, options({""})).error().message() == "Stripe: an empty secret is configured");
  CHECK(make_verifier(Provider::paypal, options({})).error().message() == "PayPal: no webhook_id configured");
  auto pp = options({});
  pp.paypal_webhook_id = "WH";
  CHECK(make_verifier(Provider::paypal, pp).error().message() == "PayPal: no certificate configured");
  pp.paypal_certificates_pem = {"junk"};
  CHECK(make_verifier(Provider::paypal, pp).error().kind() == ErrorKind::validation);
  CHECK(make_verifier(Provider::amazon, VerifierOptions{}).error().message() ==
        "Amazon SP-API: no queue_urls configured");
  auto ep = make_verifier(Provider::easypost, options({"s\xc3\xa9"
                                                       "cret"}));
  REQUIRE(!ep);
  CHECK(ep.error().message().find("NFKD") != std::string::npos);
  CHECK(ep.error().message().find("s\xc3\xa9") == std::string::npos);
  auto zero = options({secret});
  zero.max_body_bytes = 0;
  CHECK(!make_verifier(Provider::shopify, zero));
}

TEST_CASE("a WooCommerce ping is recognised only in its exact form and without a signature header") {
  auto v = make_verifier(Provider::woocommerce, options({secret}));
  REQUIRE(v);
  Delivery ping;
  ping.body = "webhook_id=42";
  auto r = v.value()->verify(ping);
  REQUIRE(r);
  CHECK(r.value().ping);
  CHECK(r.value().delivery_id == "ping:42");
  for (const char* not_ping : {"webhook_id=", "webhook_id=4a", "webhook_id=42\n", "id=42", ""}) {
    Delivery d;
    d.body = not_ping;
    auto refused = v.value()->verify(d);
    REQUIRE(!refused);
    CHECK(refused.error().kind() == ErrorKind::auth);
  }
  // With a signature header the body is verified like any other: a forged "ping" is refused.
  ping.headers.add("X-WC-Webhook-Signature", c::base64_encode(c::hmac_sha256("other", ping.body)));
  CHECK(!v.value()->verify(ping));
}

TEST_CASE("delivery_id works without the signature, and says what is missing") {
  auto v = make_verifier(Provider::stripe, options({secret}));
  REQUIRE(v);
  Delivery d;
  d.body = R"({"id":"evt_9"})";
  CHECK(v.value()->delivery_id(d).value() == "evt_9");
  d.body = R"({"object":"event"})";
  CHECK(v.value()->delivery_id(d).error().message() == "Stripe delivery: the body has no id");
  d.body = "{";
  CHECK(v.value()->delivery_id(d).error().message().find("the body is not JSON") != std::string::npos);
}

TEST_CASE("header files: Name: value lines, CRLF, comments, and refusals name the line, not its text") {
  auto h = parse_header_lines("# recorded 2026-12-07\r\nX-Shopify-Topic:  orders/create \r\n\r\nx-empty:\nA: b: c\n");
  REQUIRE(h);
  CHECK(h.value().size() == 3);
  CHECK(*h.value().get("x-shopify-topic") == "orders/create");
  CHECK(*h.value().get("X-Empty") == "");
  CHECK(*h.value().get("a") == "b: c");
  auto bad = parse_header_lines("A: 1\nsecret-looking-line-without-colon\n");
  REQUIRE(!bad);
  CHECK(bad.error().message() == "header line 2 has no colon (expected \"Name: value\")");
  CHECK(!parse_header_lines("Bad Name: x\n"));
  CHECK(!parse_header_lines(": x\n"));
}

TEST_CASE("configuration: secrets from files and the environment, unknown keys and providers refused") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "odoosync-channels-config";
  fs::create_directories(dir);
  { std::ofstream(dir / "shop.secret") << secret << "\n"; }
  ::setenv("ODOOSYNC_TEST_CHANNEL_SECRET", (secret + "-env").c_str(), 1);
  auto cfg = parse_channels_config(
      R"({"listen": "ignored", "channels": {
           "shop-eu": {"provider": "shopify", "secret_files": ["shop.secret"], "secret_env": ["ODOOSYNC_TEST_CHANNEL_SECRET"],
                       "max_body_bytes": 1000},
           "stripe": {"secret_files": ["shop.secret"], "tolerance_s": 60}}})",
      dir);
  REQUIRE_MESSAGE(cfg, (cfg ? std::string() : cfg.error().message()));
  REQUIRE(cfg.value().size() == 2);
  CHECK(cfg.value()[0].name == "shop-eu");
  CHECK(cfg.value()[0].provider == Provider::shopify);
  CHECK(cfg.value()[0].options.secrets.size() == 2);
  CHECK(cfg.value()[0].options.secrets[0].reveal() == secret);  // the trailing newline is not part of it
  CHECK(cfg.value()[0].options.max_body_bytes == 1000);
  CHECK(cfg.value()[1].provider == Provider::stripe);
  CHECK(cfg.value()[1].options.tolerance == std::chrono::seconds{60});
  auto v = make_verifier(cfg.value()[0].provider, cfg.value()[0].options);
  REQUIRE(v);
  CHECK(v.value()->verify(signed_delivery(Provider::shopify, secret + "-env", "{}")));

  auto typo = parse_channels_config(R"({"channels": {"shopify": {"secret_file": ["shop.secret"]}}})", dir);
  REQUIRE(!typo);
  CHECK(typo.error().message() == "channel \"shopify\": unknown key \"secret_file\"");
  auto unknown = parse_channels_config(R"({"channels": {"ebay": {}}})", dir);
  CHECK(unknown.error().message().find("unknown provider \"ebay\"") != std::string::npos);
  ::unsetenv("ODOOSYNC_TEST_CHANNEL_SECRET");
  auto env =
      parse_channels_config(R"({"channels": {"shopify": {"secret_env": ["ODOOSYNC_TEST_CHANNEL_SECRET"]}}})", dir);
  CHECK(env.error().message() ==
        "channel \"shopify\": secret_env: the environment variable ODOOSYNC_TEST_CHANNEL_SECRET is not set");
  auto missing = parse_channels_config(R"({"channels": {"shopify": {"secret_files": ["nope.secret"]}}})", dir);
  REQUIRE(!missing);
  CHECK(missing.error().kind() == ErrorKind::validation);
  CHECK(!parse_channels_config(R"({"channel": {}})", dir));
  CHECK(!parse_channels_config("not json", dir));
  odoosync::testing::remove_scratch(dir);
}
