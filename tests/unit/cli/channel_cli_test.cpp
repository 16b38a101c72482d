// `odoosync channel verify`, black-box: the providers' fixtures through the real binary, exit codes
// (0 verified, 4 refused origin, 3 unusable delivery or configuration), secrets only from files or the
// environment, and the secret canary absent from everything it prints.
#include <doctest/doctest.h>

#include <odoosync/channels/crypto.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "cli_support.hpp"

using namespace odoosync::testing::cli;
namespace fs = std::filesystem;

namespace {

const std::string data = std::string(ODOOSYNC_TEST_DATA_DIR) + "/channels/";
const std::string& key_webhook() {
  static const std::string k = odoosync::testing::canary_webhook_secret();
  return k;
}

std::string fixture(const std::string& provider, const std::string& headers, const std::string& body) {
  return "--headers '" + data + provider + "/" + headers + "' --body '" + data + provider + "/" + body + "'";
}

struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("odoosync-channel-cli-" + std::to_string(::getpid()));
  Scratch() { fs::create_directories(dir); }
  ~Scratch() { odoosync::testing::remove_scratch(dir); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary) << text;
    return (dir / name).string();
  }
};

}  // namespace

TEST_CASE("channel verify: a published vector holds, exit 0 and its delivery id") {
  auto r = run("", "channel verify shopify " + fixture("shopify", "published.headers", "published.body") +
                       " --secret-file '" + data + "shopify/published.secret'");
  CHECK(r.code == 0);
  CHECK(r.out == "verified: channel shopify (shopify), delivery 123456789\n");
  CHECK(r.err.empty());
  auto j = run("", "--json channel verify square " + fixture("square", "published.headers", "published.body") +
                       " --secret-file '" + data + "square/published.secret'" +
                       " --url https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9");
  CHECK(j.code == 0);
  CHECK(
      j.out ==
      R"({"verified":true,"channel":"square","provider":"square","delivery_id":"ac3ac95b-f97d-458c-a6e6-18981597e05f","ping":false})"
      "\n");
}

TEST_CASE("channel verify: a tampered body or an old timestamp exits 4 (auth), naming why") {
  auto t = run("", "channel verify shopify " + fixture("shopify", "published.headers", "tampered.body") +
                       " --secret-file '" + data + "shopify/published.secret'");
  CHECK(t.code == 4);
  CHECK(t.out.empty());
  CHECK(t.err.find("signature mismatch") != std::string::npos);
  auto old = run("", "channel verify stripe " + fixture("stripe", "derived.headers", "derived.body") +
                         " --secret-file '" + data + "stripe/test.secret' --now 1700000412");
  CHECK(old.code == 4);
  CHECK(old.err.find("timestamp 412 s old (tolerance 300 s)") != std::string::npos);
  auto fresh = run("", "channel verify stripe " + fixture("stripe", "derived.headers", "derived.body") +
                           " --secret-file '" + data + "stripe/test.secret' --now 1700000299");
  CHECK(fresh.code == 0);
}

TEST_CASE("channel verify: PayPal through --config, the certificate checked at --now") {
  Scratch s;
  const auto config = s.write("channels.json", R"({"channels": {"paypal-eu": {"provider": "paypal",
      "webhook_id": "96605875FF6516633", "certificate_files": [")" +
                                                   data + R"(paypal/paypal-sandbox-2017.crt"]}}})");
  const auto args =
      "channel verify paypal-eu --config '" + config + "' " + fixture("paypal", "published.headers", "published.body");
  auto then = run("", args + " --now 1491000000");
  CHECK(then.code == 0);
  CHECK(then.out == "verified: channel paypal-eu (paypal), delivery WH-2MW4820926242972J-6SG447389E205703U\n");
  auto today = run("", args);
  CHECK(today.code == 4);
  CHECK(today.err.find("certificate expired on 2019-04-26T12:00:00Z") != std::string::npos);
  auto other = run("", "channel verify paypal-us --config '" + config + "' " +
                           fixture("paypal", "published.headers", "published.body"));
  CHECK(other.code == 3);
  CHECK(other.err.find("no channel \"paypal-us\"") != std::string::npos);
  auto bare = run("", "channel verify paypal " + fixture("paypal", "published.headers", "published.body"));
  CHECK(bare.code == 3);
  CHECK(bare.err.find("needs --config") != std::string::npos);
}

TEST_CASE("channel verify: the WooCommerce ping is recognised, exit 0") {
  auto r = run("", "channel verify woocommerce " + fixture("woocommerce", "ping.headers", "ping.body") +
                       " --secret-file '" + data + "woocommerce/stored.secret'");
  CHECK(r.code == 0);
  CHECK(r.out.find("ping: channel woocommerce") != std::string::npos);
}

TEST_CASE("channel verify: secrets from a file or the environment, never printed, and never from the command line") {
  Scratch s;
  const std::string body = R"({"id":"evt_canary","object":"event"})";
  const std::string t = "1800000000";
  const std::string sig =
      odoosync::channels::crypto::hex_encode(odoosync::channels::crypto::hmac_sha256(key_webhook(), t + "." + body));
  const auto body_file = s.write("body.json", body);
  const auto headers_file = s.write("headers.txt", "Stripe-Signature: t=" + t + ",v1=" + sig + "\n");
  const auto secret_file = s.write("stripe.secret", key_webhook());
  const std::string files = " --headers '" + headers_file + "' --body '" + body_file + "' --now 1800000001";
  auto from_file = run("", "channel verify stripe" + files + " --secret-file '" + secret_file + "'");
  CHECK(from_file.code == 0);
  CHECK(from_file.out == "verified: channel stripe (stripe), delivery evt_canary\n");
  auto from_env =
      run("STRIPE_SECRET=" + key_webhook(), "channel verify stripe" + files + " --secret-env STRIPE_SECRET");
  CHECK(from_env.code == 0);
  // A wrong secret: refused, and neither the secret nor the signature it would have needed is shown.
  const auto wrong = s.write("wrong.secret", key_webhook() + "x");
  auto refused = run("", "channel verify stripe" + files + " --secret-file '" + wrong + "'");
  CHECK(refused.code == 4);
  CHECK(refused.err.find(key_webhook()) == std::string::npos);
  CHECK(refused.err.find(sig) == std::string::npos);
  // There is no option that takes a secret's value.
  auto inline_secret = run("", "channel verify stripe" + files + " --secret not-a-real-secret");
  CHECK(inline_secret.code == 2);
  auto missing = run("", "channel verify stripe" + files + " --secret-env ODOOSYNC_NO_SUCH_VARIABLE");
  CHECK(missing.code == 3);
  CHECK(missing.err.find("ODOOSYNC_NO_SUCH_VARIABLE is not set") != std::string::npos);
}

TEST_CASE("channel verify: unusable input exits 3 and says what is wrong") {
  auto unknown = run("", "channel verify ebay " + fixture("shopify", "published.headers", "published.body"));
  CHECK(unknown.code == 3);
  CHECK(unknown.err.find("unknown channel \"ebay\"") != std::string::npos);
  auto no_secret = run("", "channel verify shopify " + fixture("shopify", "published.headers", "published.body"));
  CHECK(no_secret.code == 3);
  CHECK(no_secret.err.find("no secret configured") != std::string::npos);
  auto no_headers = run("", "channel verify shopify --headers /nonexistent --body '" + data +
                                "shopify/published.body' --secret-file '" + data + "shopify/published.secret'");
  CHECK(no_headers.code == 3);
  Scratch s;
  auto bad_headers = run("", "channel verify shopify --headers '" + s.write("h.txt", "no colon here\n") + "' --body '" +
                                 data + "shopify/published.body' --secret-file '" + data + "shopify/published.secret'");
  CHECK(bad_headers.code == 3);
  CHECK(bad_headers.err.find("header line 1 has no colon") != std::string::npos);
  auto usage = run("", "channel verify shopify");
  CHECK(usage.code == 2);
}

TEST_CASE("channel events: a verified delivery's canonical events, one JSON per line, as serve stores them") {
  Scratch s;
  const auto body_path = data + "shopify/payloads/orders-create.json";
  std::ifstream in(body_path, std::ios::binary);
  const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto sign = [&](const std::string& text) {
    return odoosync::channels::crypto::base64_encode(odoosync::channels::crypto::hmac_sha256(key_webhook(), text));
  };
  const auto headers = s.write("h.txt",
                               "X-Shopify-Topic: orders/create\nX-Shopify-Webhook-Id: w-77\n"
                               "X-Shopify-Hmac-Sha256: " +
                                   sign(body) + "\n");
  s.write("shop.secret", key_webhook());
  const auto config =
      s.write("channels.json", R"({"channels":{"shop-eu":{"provider":"shopify","secret_files":["shop.secret"],)"
                               R"("shipping_sku":"SHIPPING","skus":{"44012345678902":"MUG-1"}}}})");
  auto r = run(
      "", "channel events shop-eu --config '" + config + "' --headers '" + headers + "' --body '" + body_path + "'");
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  REQUIRE(std::count(r.out.begin(), r.out.end(), '\n') == 1);
  CHECK(r.out.find(R"({"specversion":"1.0","id":"w-77","source":"channel/shop-eu","type":"retail.order.created",)") ==
        0);
  CHECK(r.out.find(R"("number":"9007199254740993")") != std::string::npos);
  CHECK(r.out.find(R"("total":{"amount":"30.79","currency":"EUR"})") != std::string::npos);

  // Verified but not mappable: exit 3 naming the field; forged: exit 4 before any mapping.
  const auto no_ship = s.write("noship.json", R"({"channels":{"shop-eu":{"provider":"shopify",)"
                                              R"("secret_files":["shop.secret"],"skus":{"44012345678902":"MUG-1"}}}})");
  auto unmapped = run(
      "", "channel events shop-eu --config '" + no_ship + "' --headers '" + headers + "' --body '" + body_path + "'");
  CHECK(unmapped.code == 3);
  CHECK(unmapped.out.empty());
  CHECK(unmapped.err.find("shopify orders/create: /total_price: the lines add up to 29.60 EUR") != std::string::npos);
  const auto forged = s.write("forged.json", body + " ");
  auto refused =
      run("", "channel events shop-eu --config '" + config + "' --headers '" + headers + "' --body '" + forged + "'");
  CHECK(refused.code == 4);
  CHECK(refused.out.empty());
  CHECK(refused.err.find(key_webhook()) == std::string::npos);

  // Nothing to take in: no output, the reason on stderr, exit 0.
  const auto topic = s.write("h2.txt",
                             "X-Shopify-Topic: customers/create\nX-Shopify-Webhook-Id: w-78\n"
                             "X-Shopify-Hmac-Sha256: " +
                                 sign(body) + "\n");
  auto nothing =
      run("", "channel events shop-eu --config '" + config + "' --headers '" + topic + "' --body '" + body_path + "'");
  CHECK(nothing.code == 0);
  CHECK(nothing.out.empty());
  CHECK(nothing.err == "channel shop-eu: topic customers/create is not mapped: nothing to take in\n");
}
