// `odoosync serve`, black-box: the real binary started on 127.0.0.1 port 0, the address read from what
// it prints, deliveries signed under the secret canary posted to it, SIGTERM for a graceful stop; the
// canary absent from everything it printed and stored.
#include <doctest/doctest.h>

#include <odoosync/channels/crypto.hpp>

#include <http_client.hpp>
#include <serve_process.hpp>

#include <signal.h>

#include <filesystem>
#include <fstream>

#include "cli_support.hpp"

using namespace odoosync::testing::cli;
using odoosync::testing::HttpClient;
using odoosync::testing::ServeProcess;
namespace fs = std::filesystem;
namespace crypto = odoosync::channels::crypto;

namespace {

const std::string& webhook_secret() {
  static const std::string k = odoosync::testing::canary_webhook_secret();
  return k;
}

struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("odoosync-serve-cli-" + std::to_string(::getpid()));
  Scratch() { fs::create_directories(dir); }
  ~Scratch() { odoosync::testing::remove_scratch(dir); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary) << text;
    return (dir / name).string();
  }
  std::string path(const std::string& name) const { return (dir / name).string(); }
};

std::vector<std::pair<std::string, std::string>> shopify_headers(const std::string& body, const std::string& id,
                                                                 const std::string& topic = "orders/create") {
  return {{"X-Shopify-Topic", topic},
          {"X-Shopify-Webhook-Id", id},
          {"X-Shopify-Shop-Domain", "shop.myshopify.com"},
          {"X-Shopify-Hmac-Sha256", crypto::base64_encode(crypto::hmac_sha256(webhook_secret(), body))},
          {"Content-Type", "application/json"}};
}

}  // namespace

TEST_CASE("serve: prints where it listens, refuses a tampered delivery (401, nothing stored), stops on SIGTERM") {
  Scratch s;
  s.write("shop.secret", webhook_secret());
  const auto config = s.write("serve.json", R"({"listen": "127.0.0.1:8080", "store": "queue.db",
      "channels": {"shop": {"provider": "shopify", "secret_files": ["shop.secret"], "max_body_bytes": 2048}}})");
  ServeProcess p({"serve", "--listen", "127.0.0.1:0", "--config", config}, s.path("err.txt"));
  const auto line = p.first_line();
  REQUIRE(line.rfind("listening on 127.0.0.1:", 0) == 0);
  const auto port = odoosync::testing::port_of(line);
  REQUIRE(port != 0);
  CHECK(port != 8080);  // --listen wins over the file

  HttpClient c(port);
  const std::string body = R"({"id":820982911946154508,"name":"#9999","currency":"EUR"})";
  auto headers = shopify_headers(body, "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
  std::string tampered = body;
  tampered.replace(tampered.find("9999"), 4, "1001");
  auto refused = c.request("POST", "/webhooks/shop", tampered, headers);
  CHECK(refused.status == 401);
  CHECK(refused.body.find("signature mismatch") != std::string::npos);
  auto unsigned_ = c.request("POST", "/webhooks/shop", body, {{"X-Shopify-Topic", "orders/create"}});
  CHECK(unsigned_.status == 401);
  CHECK(c.request("POST", "/webhooks/shop", std::string(3000, ' '), headers).status == 413);
  CHECK(c.request("POST", "/webhooks/nowhere", body).status == 404);
  auto health = c.request("GET", "/healthz");
  CHECK(health.status == 200);
  CHECK(health.body == "{\"status\":\"ok\",\"realtime\":0,\"bulk\":0}\n");
  auto metrics = c.request("GET", "/metrics");
  CHECK(metrics.body.find("odoosync_webhook_deliveries_total{channel=\"shop\",outcome=\"unauthorized\"} 2") !=
        std::string::npos);
  CHECK(metrics.body.find("odoosync_webhook_deliveries_total{channel=\"shop\",outcome=\"too_large\"} 1") !=
        std::string::npos);
  CHECK(metrics.body.find("odoosync_queue_depth{lane=\"realtime\"} 0") != std::string::npos);

  CHECK(p.stop(SIGTERM) == 0);
  const auto err = slurp(s.path("err.txt"));
  CHECK(err.find("SIGTERM: stopping") != std::string::npos);
  CHECK(err.find("stopped: 3 deliveries, 0 events taken in") != std::string::npos);
  CHECK(err.find("\"outcome\":\"unauthorized\"") != std::string::npos);
  CHECK(err.find(webhook_secret()) == std::string::npos);
  CHECK(err.find(headers.back().second) == std::string::npos);  // no header value, not even the content type
  CHECK(err.find(headers[3].second) == std::string::npos);      // nor the signature
  // Nothing was stored: the store (made by serve in the file's folder) is empty.
  auto status = run("", "--json sync status --store '" + s.path("queue.db") + "'");
  CHECK(status.code == 0);
  CHECK(status.out.find("\"pending\":0") != std::string::npos);
  CHECK(status.out.find("\"pending\":1") == std::string::npos);
}

TEST_CASE("serve: SIGINT stops it as gracefully as SIGTERM") {
  Scratch s;
  s.write("shop.secret", webhook_secret());
  const auto config =
      s.write("serve.json", R"({"channels": {"shop": {"provider": "shopify", "secret_files": ["shop.secret"]}}})");
  ServeProcess p({"serve", "--listen", "127.0.0.1:0", "--config", config, "--store", s.path("q.db")},
                 s.path("err.txt"));
  REQUIRE(p.first_line().rfind("listening on 127.0.0.1:", 0) == 0);
  CHECK(p.stop(SIGINT) == 0);
  CHECK(slurp(s.path("err.txt")).find("SIGINT: stopping") != std::string::npos);
  CHECK(fs::exists(s.path("q.db")));  // --store wins over the default
}

TEST_CASE("serve: a bad configuration exits 3 before listening, naming the problem and no secret") {
  Scratch s;
  s.write("shop.secret", webhook_secret());
  auto typo = run(
      "", "serve --listen 127.0.0.1:0 --config '" + s.write("typo.json", R"({"listne": "x", "channels": {}})") + "'");
  CHECK(typo.code == 3);
  CHECK(typo.err.find("unknown key \"listne\"") != std::string::npos);
  auto no_env = run(
      "", "serve --listen 127.0.0.1:0 --config '" +
              s.write("env.json",
                      R"({"channels": {"shop": {"provider": "shopify", "secret_env": ["ODOOSYNC_NO_SUCH_VAR"]}}})") +
              "'");
  CHECK(no_env.code == 3);
  CHECK(no_env.err.find("ODOOSYNC_NO_SUCH_VAR is not set") != std::string::npos);
  const auto good =
      s.write("good.json", R"({"channels": {"shop": {"provider": "shopify", "secret_files": ["shop.secret"]}}})");
  auto bad_listen = run("", "serve --listen localhost:80 --config '" + good + "'");
  CHECK(bad_listen.code == 3);
  CHECK(bad_listen.err.find("is not an IP address") != std::string::npos);
  auto no_config = run("", "serve --listen 127.0.0.1:0");
  CHECK(no_config.code == 2);
  // No option takes a secret's value.
  auto inline_secret = run("", "serve --listen 127.0.0.1:0 --config '" + good + "' --secret abc");
  CHECK(inline_secret.code == 2);
  auto sync_without_odoo =
      run("", "serve --listen 127.0.0.1:0 --sync --store '" + s.path("x.db") + "' --config '" + good + "'");
  CHECK(sync_without_odoo.code == 3);
  CHECK(sync_without_odoo.err.find("ODOO_URL") != std::string::npos);
  for (const auto& r : {typo, no_env, bad_listen, sync_without_odoo})
    CHECK(r.err.find(webhook_secret()) == std::string::npos);
}

TEST_CASE("serve: a signed Shopify delivery is in the store when its 200 arrives, and its retry is a duplicate") {
  Scratch s;
  s.write("shop.secret", webhook_secret());
  const auto config = s.write("serve.json", R"({"store": "queue.db", "channels": {"shop": {"provider": "shopify",
      "secret_files": ["shop.secret"], "locations": {"655441491": "WH/Stock"}, "skus": {"808950810": "TSHIRT-M"}}}})");
  ServeProcess p({"serve", "--listen", "127.0.0.1:0", "--config", config}, s.path("err.txt"));
  const auto port = odoosync::testing::port_of(p.first_line());
  REQUIRE(port != 0);
  std::ifstream in(std::string(ODOOSYNC_TEST_DATA_DIR) + "/channels/shopify/payloads/inventory-levels-update.json",
                   std::ios::binary);
  const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE_FALSE(body.empty());
  HttpClient c(port);
  auto headers = shopify_headers(body, "7f0d7d33-4c2e-4a57-9b6f-9d7e0e4f1a21", "inventory_levels/update");
  auto first = c.request("POST", "/webhooks/shop", body, headers);
  CHECK(first.status == 200);
  CHECK(first.body == "{\"status\":\"accepted\",\"events\":1,\"duplicates\":0}\n");
  // Read by another process while serve still runs: the event is already there.
  auto status = run("", "--json sync status --store '" + s.path("queue.db") + "'");
  CHECK(status.out.find("\"realtime\":{\"pending\":1,") != std::string::npos);
  auto again = c.request("POST", "/webhooks/shop", body, headers);
  CHECK(again.status == 200);
  CHECK(again.body == "{\"status\":\"duplicate\",\"events\":0,\"duplicates\":1}\n");
  auto shown = run("", "sync dlq show 7f0d7d33-4c2e-4a57-9b6f-9d7e0e4f1a21 --store '" + s.path("queue.db") + "'");
  CHECK(shown.out.find("event      channel/shop 7f0d7d33-4c2e-4a57-9b6f-9d7e0e4f1a21") != std::string::npos);
  CHECK(shown.out.find("subject    sku/TSHIRT-M@WH/Stock") != std::string::npos);
  // `channel events` on the same delivery, recorded to files, prints exactly what serve stored.
  std::string header_lines;
  for (const auto& [k, v] : headers) header_lines += k + ": " + v + "\n";
  const auto events =
      run("", "channel events shop --config '" + config + "' --headers '" + s.write("delivery.headers", header_lines) +
                  "' --body '" + s.write("delivery.body", body) + "'");
  CHECK(events.code == 0);
  const auto at = shown.out.find("body       ");
  REQUIRE(at != std::string::npos);
  CHECK(events.out == shown.out.substr(at + 11));
  CHECK(p.stop() == 0);
  const auto err = slurp(s.path("err.txt"));
  CHECK(err.find("stopped: 2 deliveries, 1 events taken in, 1 duplicates") != std::string::npos);
  CHECK(err.find(webhook_secret()) == std::string::npos);
}
