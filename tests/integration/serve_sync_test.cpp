// `odoosync serve --sync` against the emulator: a signed Shopify delivery posted to the real binary is
// answered 200 once durable, and the sync workers in the same process take it on to Odoo's quant; the
// provider's retry changes nothing more. The secret canary is the webhook secret and the API key.
#include <canary.hpp>
#include <doctest/doctest.h>

#include <odoosync/channels/crypto.hpp>

#include <http_client.hpp>
#include <serve_process.hpp>

#include "test_odoo.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
namespace crypto = odoosync::channels::crypto;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("serve --sync: a Shopify stock level posted to serve reaches Odoo, once") {
  odoosync::testing::TestOdoo odoo;  // Odoo 18 with the demo data: FURN_7777 in WH/Stock
  const auto dir = fs::temp_directory_path() / ("odoosync-serve-sync-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string secret = odoosync::testing::canary_webhook_secret();
  std::ofstream(dir / "shop.secret") << secret;
  std::ofstream(dir / "odoo.secret") << odoo.emulator->api_key();
  std::ofstream(dir / "serve.json") << R"({"store": "queue.db",
    "odoo": {"url": ")" << odoo.url()
                                    << R"(", "db": "retail18", "user": "admin", "api_key_file": "odoo.secret"},
    "channels": {"shop": {"provider": "shopify", "secret_files": ["shop.secret"],
                          "locations": {"655441491": "WH/Stock"}, "skus": {"808950810": "FURN_7777"}}}})";
  {
    odoosync::testing::ServeProcess serve(
        {"serve", "--listen", "127.0.0.1:0", "--config", (dir / "serve.json").string(), "--sync"},
        (dir / "err.txt").string());
    const auto port = odoosync::testing::port_of(serve.first_line());
    REQUIRE_MESSAGE(port != 0, slurp(dir / "err.txt"));

    const std::string body =
        R"({"inventory_item_id":808950810,"location_id":655441491,"available":37,"updated_at":"2026-12-07T08:57:27-05:00"})";
    const std::vector<std::pair<std::string, std::string>> headers = {
        {"X-Shopify-Topic", "inventory_levels/update"},
        {"X-Shopify-Webhook-Id", "0b1c2d3e-4f50-4a61-8b72-93a4b5c6d7e8"},
        {"X-Shopify-Hmac-Sha256", crypto::base64_encode(crypto::hmac_sha256(secret, body))},
        {"Content-Type", "application/json"}};
    odoosync::testing::HttpClient c(port);
    auto first = c.request("POST", "/webhooks/shop", body, headers);
    CHECK(first.status == 200);
    CHECK(first.body.find("\"accepted\"") != std::string::npos);

    double on_hand = -1;
    for (int i = 0; i < 200 && on_hand != 37; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
      on_hand = odoo.on_hand("FURN_7777", "WH/Stock");
    }
    CHECK(on_hand == 37);
    // Shopify's retry of the same delivery: a duplicate, nothing applied again.
    auto retry = c.request("POST", "/webhooks/shop", body, headers);
    CHECK(retry.status == 200);
    CHECK(retry.body.find("\"duplicate\"") != std::string::npos);
    auto metrics = c.request("GET", "/metrics");
    CHECK(metrics.body.find("odoosync_events_applied_total{lane=\"realtime\",type=\"retail.stock.adjusted\"} 1") !=
          std::string::npos);
    CHECK(serve.stop() == 0);
  }
  CHECK(odoo.on_hand("FURN_7777", "WH/Stock") == 37);
  const auto err = slurp(dir / "err.txt");
  CHECK(err.find("sync workers running") != std::string::npos);
  CHECK(err.find("stopped: 2 deliveries, 1 events taken in, 1 duplicates") != std::string::npos);
  CHECK(err.find(secret) == std::string::npos);
  CHECK(err.find(odoo.emulator->api_key()) == std::string::npos);
  odoosync::testing::remove_scratch(dir);
}
