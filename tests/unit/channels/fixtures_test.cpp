// Every provider's fixtures (tests/data/channels/<provider>/cases.json): the published vectors verify
// and name their delivery id, and every tampered, expired, truncated, wrong-secret and oversized variant
// is refused with its kind and reason, through the same configuration loader the CLI uses.
#include <doctest/doctest.h>

#include <odoosync/channels/config.hpp>
#include <odoosync/channels/verifier.hpp>
#include <odoosync/core/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace odoosync;
using namespace odoosync::channels;
namespace fs = std::filesystem;

namespace {

const fs::path root = fs::path(ODOOSYNC_TEST_DATA_DIR) / "channels";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE_MESSAGE(in, "cannot read " << p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The provider's channel object with the case's overrides on top, as a configuration file's text.
std::string config_text(const json::Value& base, const json::Value* overrides) {
  json::Document doc;
  doc.SetObject();
  auto& a = doc.GetAllocator();
  json::Value channel(base, a);
  if (overrides) {
    for (const auto& m : overrides->GetObject()) {
      channel.RemoveMember(m.name);
      channel.AddMember(json::Value(m.name, a), json::Value(m.value, a), a);
    }
  }
  json::Value channels(rapidjson::kObjectType);
  channels.AddMember("fixture", channel, a);
  doc.AddMember("channels", channels, a);
  return json::to_string(doc);
}

struct Outcome {
  std::size_t cases = 0, verified = 0, refused = 0;
};

Outcome run_provider(const std::string& provider) {
  Outcome outcome;
  const fs::path dir = root / provider;
  auto cases = json::parse(slurp(dir / "cases.json"));
  REQUIRE(cases);
  const auto& doc = cases.value();
  // Every secret of the folder, to make sure no message ever shows one.
  std::vector<std::string> secrets;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".secret") secrets.push_back(slurp(e.path()));

  for (const auto& c : json::find(doc, "cases")->GetArray()) {
    const std::string name(json::text(*json::find(c, "name")));
    CAPTURE(provider);
    CAPTURE(name);
    ++outcome.cases;
    auto config = parse_channels_config(config_text(*json::find(doc, "channel"), json::find(c, "channel")), dir);
    const std::string expect(json::text(*json::find(c, "expect")));
    result<Verification> verdict = Error::validation("not run");
    if (!config) {
      verdict = config.error();
    } else {
      REQUIRE(config.value().size() == 1);
      auto verifier = make_verifier(config.value()[0].provider, config.value()[0].options);
      if (!verifier) {
        verdict = verifier.error();
      } else {
        CHECK(to_string(verifier.value()->provider()) == provider);
        Delivery d;
        d.body = slurp(dir / std::string(json::text(*json::find(c, "body"))));
        auto headers = parse_header_lines(slurp(dir / std::string(json::text(*json::find(c, "headers")))));
        REQUIRE(headers);
        d.headers = headers.value();
        if (const auto* url = json::find(c, "url")) d.url = std::string(json::text(*url));
        if (const auto* now = json::find(c, "now"))
          d.received_at = std::chrono::system_clock::time_point(std::chrono::seconds{now->GetInt64()});
        verdict = verifier.value()->verify(d);
        for (const auto& [hname, value] : d.headers) {
          if (verdict || value.size() < 16) continue;
          CHECK_MESSAGE(verdict.error().message().find(value) == std::string::npos, "the message shows " << hname);
        }
        if (verdict) {
          auto id = verifier.value()->delivery_id(d);
          REQUIRE(id);
          CHECK(id.value() == verdict.value().delivery_id);
        }
      }
    }
    if (expect == "verified" || expect == "ping") {
      REQUIRE_MESSAGE(verdict, (verdict ? std::string() : verdict.error().message()));
      ++outcome.verified;
      CHECK(verdict.value().ping == (expect == "ping"));
      CHECK(verdict.value().delivery_id == json::text(*json::find(c, "delivery_id")));
      continue;
    }
    REQUIRE_MESSAGE(!verdict, "expected a refusal");
    ++outcome.refused;
    const auto& e = verdict.error();
    CHECK(to_string(e.kind()) == expect);
    const std::string reason(json::text(*json::find(c, "reason")));
    CHECK_MESSAGE(e.message().find(reason) != std::string::npos, e.message());
    for (const auto& s : secrets)
      if (s.size() >= 4) CHECK_MESSAGE(e.message().find(s) == std::string::npos, "a secret in: " << e.message());
  }
  return outcome;
}

}  // namespace

TEST_CASE("Shopify fixtures: the SDK's vector and its tampered variants") {
  auto o = run_provider("shopify");
  CHECK(o.verified >= 4);
  CHECK(o.refused >= 7);
}
TEST_CASE("WooCommerce fixtures: derived vector with PHP escapes, entity-decoded secret, the ping") {
  auto o = run_provider("woocommerce");
  CHECK(o.verified >= 4);
  CHECK(o.refused >= 6);
}
TEST_CASE("Stripe fixtures: v1 over t.body, rotation, 300 s tolerance against the delivery's time") {
  auto o = run_provider("stripe");
  CHECK(o.verified >= 7);
  CHECK(o.refused >= 9);
}
TEST_CASE("PayPal fixtures: the SDK's RSA vector with its certificate, validity against the delivery's time") {
  auto o = run_provider("paypal");
  CHECK(o.verified >= 3);
  CHECK(o.refused >= 10);
}
TEST_CASE("Square fixtures: the SDK's three vectors over URL + body, and its negatives") {
  auto o = run_provider("square");
  CHECK(o.verified >= 4);
  CHECK(o.refused >= 10);
}
TEST_CASE("EasyPost fixtures: the SDK's vector with the NFKD secret, and its negatives") {
  auto o = run_provider("easypost");
  CHECK(o.verified >= 3);
  CHECK(o.refused >= 7);
}
TEST_CASE("Shippo fixtures: the URL token, synthesised delivery ids") {
  auto o = run_provider("shippo");
  CHECK(o.verified >= 4);
  CHECK(o.refused >= 4);
}
TEST_CASE("Odoo fixtures: the URL token in the path or the query, synthesised delivery ids") {
  auto o = run_provider("odoo");
  CHECK(o.verified >= 3);
  CHECK(o.refused >= 4);
}
TEST_CASE("Amazon fixtures: accepted only from a configured SQS queue, NotificationId as the id") {
  auto o = run_provider("amazon");
  CHECK(o.verified >= 1);
  CHECK(o.refused >= 4);
}
