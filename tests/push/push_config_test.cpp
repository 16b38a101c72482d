// The channels configuration's "push" block (channels/config.hpp, push/config.hpp) and the `odoosync
// push` command's refusals, before any provider client exists.
#include <odoosync/push/config.hpp>

#include <canary.hpp>
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace os = odoosync;
namespace push = odoosync::push;
namespace ch = odoosync::channels;

namespace {

os::result<std::vector<ch::ChannelConfig>> parse(const std::string& channel_json) {
  return ch::parse_channels_config(R"({"channels": {"shop": )" + channel_json + "}}", "/etc/odoosync");
}

std::string error_of(const std::string& channel_json) {
  auto r = parse(channel_json);
  REQUIRE_FALSE(r);
  return r.error().message();
}

}  // namespace

TEST_CASE("push config: every key read, secrets as sources, stock locations and feeds") {
  ::setenv("ODOOSYNC_TEST_PUSH_TOKEN", "t0ken-value", 1);
  auto r = parse(R"({"provider": "shopify", "order_channel": "web/eu",
      "push": {"url": "https://shop.example", "settings": {"api_version": "2025-01"},
               "secrets": {"access_token": "env:ODOOSYNC_TEST_PUSH_TOKEN", "other": "file:token.secret"},
               "safety_stock": 2, "safety_stock_by_sku": {"SKU-1": 0},
               "stock_locations": {"gid://shopify/Location/1": ["WH/Stock", "WH/Stock/Shelf 1"]},
               "feeds": ["stock", "fulfilments"], "timeout_ms": 1500, "comment": "eu shop"}})");
  REQUIRE_MESSAGE(r, r.error().to_string());
  auto cp = push::channel_push(r.value()[0]);
  REQUIRE(cp);
  const auto& p = cp.value();
  CHECK(p.provider == "shopify");
  CHECK(p.endpoint.channel == "shop");
  CHECK(p.endpoint.base_url == "https://shop.example");
  CHECK(p.endpoint.settings.at("api_version") == "2025-01");
  REQUIRE(p.endpoint.secrets.count("access_token"));
  CHECK(p.endpoint.secrets.at("access_token")->current().value().reveal() == "t0ken-value");
  CHECK(p.endpoint.secrets.at("other")->description().find("/etc/odoosync/token.secret") != std::string::npos);
  CHECK(p.endpoint.timeout == std::optional<std::chrono::milliseconds>(1500));
  CHECK(p.mapping.safety_stock == 2);
  CHECK(p.mapping.safety_stock_by_sku.at("SKU-1") == 0);
  CHECK(p.mapping.stock_locations.at("gid://shopify/Location/1") ==
        std::vector<std::string>{"WH/Stock", "WH/Stock/Shelf 1"});
  CHECK(p.stock);
  CHECK_FALSE(p.prices);
  CHECK(p.fulfilments);
  CHECK(p.takes(push::Kind::fulfilment));
  CHECK_FALSE(p.takes(push::Kind::price));
  CHECK(p.order_origin == "web/eu");
  auto pulls = push::pull_options(p);
  CHECK(pulls.checkpoint_prefix == "push/shop/");
  CHECK(pulls.order_origin == std::optional<std::string>("web/eu"));
}

TEST_CASE("push config: defaults - the inverse of the inbound locations, the order origin per provider") {
  auto r = parse(R"({"provider": "shopify", "locations": {"655441491": "WH/Stock", "655441492": "WH/Stock"},
                     "push": {"url": "https://shop.example"}})");
  REQUIRE(r);
  auto p = push::channel_push(r.value()[0]).value();
  CHECK(p.mapping.stock_locations.size() == 2);
  CHECK(p.mapping.stock_locations.at("655441491") == std::vector<std::string>{"WH/Stock"});
  CHECK(p.order_origin == "web/shop");
  CHECK(p.stock);
  CHECK(p.prices);
  CHECK(p.fulfilments);
  auto woo = parse(R"({"provider": "woocommerce", "warehouse": "WH2", "push": {"url": "https://w.example"}})");
  REQUIRE(woo);
  auto w = push::channel_push(woo.value()[0]).value();
  CHECK(w.mapping.stock_locations.at("") == std::vector<std::string>{"WH2/Stock"});
  auto amazon = parse(R"({"provider": "amazon", "source": "channel/amz-eu", "default_location": "WH/Stock/Shelf 1",
                          "push": {"url": "https://sellingpartnerapi-eu.amazon.com"}})");
  REQUIRE(amazon);
  auto a = push::channel_push(amazon.value()[0]).value();
  CHECK(a.order_origin == "marketplace/amz-eu");
  CHECK(a.mapping.stock_locations.at("") == std::vector<std::string>{"WH/Stock/Shelf 1"});
  auto square = parse(R"({"provider": "square", "push": {"url": "https://connect.squareup.com"}})");
  REQUIRE(square);
  CHECK(push::channel_push(square.value()[0]).value().order_origin == "pos/shop");
  // No push block: a clear error naming the channel.
  auto none = parse(R"({"provider": "shopify"})");
  REQUIRE(none);
  auto missing = push::channel_push(none.value()[0]);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message() == "channel 'shop' has no \"push\" block in the configuration");
  CHECK(push::channel_pushes(none.value()).value().empty());
}

TEST_CASE("push config: mistakes are refused naming the channel and the key") {
  CHECK(error_of(R"({"provider": "shopify", "push": {"url": "https://s", "safety": 2}})") ==
        "channel \"shop\": push: unknown key \"safety\"");
  CHECK(error_of(R"({"provider": "shopify", "push": {}})") == "channel \"shop\": push: url must be a non-empty string");
  CHECK(error_of(R"({"provider": "stripe", "push": {"url": "https://s"}})") ==
        "channel \"shop\": push: the provider stripe has no push client (shopify, woocommerce, square, amazon)");
  CHECK(error_of(R"({"provider": "shopify", "push": {"url": "https://s", "safety_stock": -1}})") ==
        "channel \"shop\": push: safety_stock must be a whole number >= 0");
  CHECK(error_of(R"({"provider": "shopify", "push": {"url": "https://s", "safety_stock_by_sku": {"A": 1.5}}})") ==
        "channel \"shop\": push: safety_stock_by_sku[\"A\"] must be a whole number >= 0");
  CHECK(error_of(R"({"provider": "shopify", "push": {"url": "https://s", "secrets": {"token": "vault:x"}}})")
            .starts_with("channel \"shop\": push: secrets[\"token\"]"));
  CHECK(error_of(R"({"provider": "shopify", "push": {"url": "https://s", "feeds": ["stock", "orders"]}})") ==
        "channel \"shop\": push: feeds: unknown feed \"orders\" (stock, prices, fulfilments)");
  CHECK(
      error_of(R"({"provider": "shopify", "push": {"url": "https://s", "stock_locations": {"a@b": ["WH/Stock"]}}})") ==
      "channel \"shop\": push: stock_locations: the channel location \"a@b\" holds an '@'");
  CHECK(error_of(R"({"provider": "shopify", "push": {"url": "https://s", "stock_locations": {"1": []}}})") ==
        "channel \"shop\": push: stock_locations[\"1\"] names no Odoo location");
  CHECK(error_of(R"({"provider": "shopify", "push": {"url": "https://s", "timeout_ms": 0}})") ==
        "channel \"shop\": push: timeout_ms must be a positive integer");
  CHECK(error_of(R"({"provider": "shopify", "push": [1]})") == "channel \"shop\": push must be an object");
}

#ifdef ODOOSYNC_CLI_PATH
namespace {
struct Ran {
  int code = 0;
  std::string out;
};
Ran cli(const std::string& args) {
  const auto out = std::filesystem::temp_directory_path() / ("odoosync-push-cli-" + std::to_string(::getpid()));
  const std::string cmd = std::string("env -u ODOO_URL -u ODOO_DB -u ODOO_USER -u ODOO_API_KEY ") + ODOOSYNC_CLI_PATH +
                          " " + args + " > " + out.string() + " 2>&1";
  const int status = std::system(cmd.c_str());
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  odoosync::testing::remove_scratch(out);
  return Ran{WIFEXITED(status) ? WEXITSTATUS(status) : -1, ss.str()};
}
}  // namespace

TEST_CASE("odoosync push: configuration refusals before Odoo is asked, dead letters and replay of the store") {
  const auto dir = std::filesystem::temp_directory_path() / ("odoosync-push-cli-dir-" + std::to_string(::getpid()));
  odoosync::testing::remove_scratch(dir);
  std::filesystem::create_directories(dir);
  const auto config = (dir / "channels.json").string();
  {
    std::ofstream f(config);
    f << R"({"channels": {"plain": {"provider": "shopify"},
                          "prices-only": {"provider": "shopify", "push": {"url": "https://s.example", "feeds": ["prices"]}}}})";
  }
  const std::string store = "--store " + (dir / "store.db").string();
  auto no_block = cli(store + " push stock --channel plain --config " + config);
  CHECK(no_block.code != 0);
  CHECK(no_block.out.find("channel 'plain' has no \"push\" block") != std::string::npos);
  auto unknown = cli(store + " push stock --channel nowhere --config " + config);
  CHECK(unknown.code != 0);
  CHECK(unknown.out.find("no channel 'nowhere'") != std::string::npos);
  auto not_taken = cli(store + " push stock --channel prices-only --config " + config);
  CHECK(not_taken.code != 0);
  CHECK(not_taken.out.find("does not take stock") != std::string::npos);
  auto typo = cli(store + " push prices --channel prices-only --config " + (dir / "missing.json").string());
  CHECK(typo.code != 0);
  std::ofstream(config)
      << R"({"channels": {"typo": {"provider": "shopify", "push": {"url": "https://s", "feed": []}}}})";
  auto bad_key = cli(store + " push stock --channel typo --config " + config);
  CHECK(bad_key.code != 0);
  CHECK(bad_key.out.find("push: unknown key \"feed\"") != std::string::npos);
  auto usage = cli(store + " push stock --config " + config);
  CHECK(usage.code == 2);  // --channel is required
  auto dead = cli(store + " push dead-letters --channel shop");
  CHECK(dead.code == 0);
  CHECK(dead.out.find("no dead letters for shop") != std::string::npos);
  auto replay = cli(store + " push replay --channel shop SKU-1@");
  CHECK(replay.code != 0);
  CHECK(replay.out.find("no stock item 'SKU-1@' of channel 'shop' in the outbox") != std::string::npos);
  odoosync::testing::remove_scratch(dir);
}
#endif
