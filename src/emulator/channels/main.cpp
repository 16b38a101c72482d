// odoosync-channel-emulator: one of the channel emulators (Shopify, WooCommerce, Square, Amazon) on
// 127.0.0.1 as a program, for demos and for a host's own tests: seeded from a JSON file, its first line
// on stdout says where it listens and how to reach it, and it keeps a JSON file of what the channel
// shows (levels and prices per SKU) up to date. docs/push.md, "Channel emulators".
#include <odoosync/core/json.hpp>
#include <odoosync/emulator/amazon.hpp>
#include <odoosync/emulator/shopify.hpp>
#include <odoosync/emulator/square.hpp>
#include <odoosync/emulator/woocommerce.hpp>
#include <odoosync/retail/money.hpp>

#include <CLI/CLI.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

volatile std::sig_atomic_t stop_requested = 0;
void on_signal(int) { stop_requested = 1; }

namespace json = odoosync::json;
namespace ce = odoosync::channel_emulator;

struct Item {
  std::string sku;
  std::string price;          // decimal text, "" none
  std::int64_t quantity = 0;  // at every location
};

struct Seed {
  std::vector<std::string> locations;  // Shopify location names, Square location ids
  std::vector<Item> items;
};

int fail(const std::string& message) {
  std::fprintf(stderr, "odoosync-channel-emulator: %s\n", message.c_str());
  return 2;
}

// {"locations": ["Main"], "items": [{"sku": "FURN_0789", "price": "12.50", "quantity": 10}]}
bool read_seed(const std::string& path, Seed& seed, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read the seed file " + path;
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = json::parse(ss.str());
  if (!doc || !doc.value().IsObject()) {
    error = path + ": " + (doc ? std::string("expected a JSON object") : doc.error().message());
    return false;
  }
  if (const json::Value* locs = json::find(doc.value(), "locations")) {
    if (!locs->IsArray()) {
      error = path + ": \"locations\" must be an array of names";
      return false;
    }
    for (const auto& l : locs->GetArray()) {
      if (!l.IsString()) {
        error = path + ": \"locations\" must be an array of names";
        return false;
      }
      seed.locations.emplace_back(l.GetString(), l.GetStringLength());
    }
  }
  const json::Value* items = json::find(doc.value(), "items");
  if (!items || !items->IsArray()) {
    error = path + ": expected \"items\": [{\"sku\": ..., \"price\": ..., \"quantity\": ...}]";
    return false;
  }
  for (rapidjson::SizeType i = 0; i < items->Size(); ++i) {
    const json::Value& it = (*items)[i];
    const json::Value* sku = it.IsObject() ? json::find(it, "sku") : nullptr;
    if (!sku || !sku->IsString() || sku->GetStringLength() == 0) {
      error = path + ": items[" + std::to_string(i) + "] has no \"sku\" text";
      return false;
    }
    Item item;
    item.sku = sku->GetString();
    if (const json::Value* p = json::find(it, "price")) {
      if (!p->IsString()) {
        error = path + ": items[" + std::to_string(i) + "].price must be decimal text such as \"12.50\"";
        return false;
      }
      item.price = p->GetString();
    }
    if (const json::Value* q = json::find(it, "quantity")) {
      if (!q->IsInt64() || q->GetInt64() < 0) {
        error = path + ": items[" + std::to_string(i) + "].quantity must be a whole number, not negative";
        return false;
      }
      item.quantity = q->GetInt64();
    }
    seed.items.push_back(std::move(item));
  }
  return true;
}

void write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text << '\n';
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
}

std::string jstr(const std::string& s) {
  return json::to_string(json::Value(rapidjson::StringRef(s.data(), static_cast<rapidjson::SizeType>(s.size()))));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"odoosync-channel-emulator: a loopback Shopify, WooCommerce, Square or Amazon for push demos and tests"};
  std::string provider, seed_file, state_file;
  std::uint16_t port = 0;
  double rate = 0;
  app.add_option("--provider", provider, "shopify, woocommerce, square or amazon")
      ->required()
      ->check(CLI::IsMember({"shopify", "woocommerce", "square", "amazon"}));
  app.add_option("--port", port, "port on 127.0.0.1 (default: any free one, printed)");
  app.add_option("--seed", seed_file, "JSON: {\"locations\": [...], \"items\": [{\"sku\", \"price\", \"quantity\"}]}")
      ->check(CLI::ExistingFile);
  app.add_option("--state-file", state_file, "kept up to date (every 200 ms) with each SKU's levels and price");
  app.add_option("--rate", rate,
                 "the provider's limit: Shopify's restore rate in points/s (default 100), requests/s for "
                 "WooCommerce and Square (default: unlimited); Amazon keeps its documented usage plans");
  app.footer(
      "The first line on stdout is JSON: the provider, url, base_url (the push block's \"url\"), and the "
      "location ids. Credentials are the emulator's defaults (docs/push.md, \"Channel emulators\").");
  CLI11_PARSE(app, argc, argv);

  Seed seed;
  if (!seed_file.empty()) {
    std::string error;
    if (!read_seed(seed_file, seed, error)) return fail(error);
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  std::string base_url, url;
  std::vector<std::pair<std::string, std::string>> locations;  // name -> the channel's id
  std::function<std::string()> state;                          // the state file's text
  std::function<void()> stop;

  std::unique_ptr<ce::ShopifyEmulator> shopify;
  std::unique_ptr<ce::WooCommerceEmulator> woo;
  std::unique_ptr<ce::SquareEmulator> square;
  std::unique_ptr<ce::AmazonEmulator> amazon;
  const auto price_text = [](const std::optional<std::string>& p) { return p ? jstr(*p) : std::string("null"); };
  const auto count_text = [](const std::optional<std::int64_t>& q) {
    return q ? std::to_string(*q) : std::string("null");
  };

  if (provider == "shopify") {
    ce::ShopifyEmulator::Options o;
    o.port = port;
    if (rate > 0) o.restore_rate = rate;
    auto started = ce::ShopifyEmulator::start(o);
    if (!started) return fail(started.error().message());
    shopify = std::move(started).value();
    if (seed.locations.empty()) seed.locations.push_back("Main");
    std::vector<std::int64_t> ids;
    for (const auto& name : seed.locations) {
      ids.push_back(shopify->add_location(name));
      locations.emplace_back(name, "gid://shopify/Location/" + std::to_string(ids.back()));
    }
    for (const auto& item : seed.items) {
      shopify->add_variant(item.sku, item.price.empty() ? "0.00" : item.price);
      for (auto id : ids) shopify->set_available(item.sku, id, item.quantity);
    }
    url = base_url = shopify->url();
    state = [&, ids] {
      std::string out = "{\"provider\":\"shopify\",\"items\":{";
      for (std::size_t i = 0; i < seed.items.size(); ++i) {
        const auto& sku = seed.items[i].sku;
        out += (i ? "," : "") + jstr(sku) + ":{\"price\":" + price_text(shopify->price(sku)) + ",\"levels\":{";
        for (std::size_t l = 0; l < ids.size(); ++l) {
          out += (l ? "," : "") + jstr(locations[l].second) + ":" + count_text(shopify->available(sku, ids[l]));
        }
        out += "}}";
      }
      return out + "}}";
    };
    stop = [&] { shopify->stop(); };
  } else if (provider == "woocommerce") {
    ce::WooCommerceEmulator::Options o;
    o.port = port;
    o.requests_per_second = rate;
    o.burst = rate > 0 ? rate : 1;
    auto started = ce::WooCommerceEmulator::start(o);
    if (!started) return fail(started.error().message());
    woo = std::move(started).value();
    for (const auto& item : seed.items)
      woo->seed_product(item.sku, item.quantity, item.price.empty() ? "0" : item.price);
    url = woo->url();
    base_url = woo->base_url();
    locations.emplace_back("", "");
    state = [&] {
      std::string out = "{\"provider\":\"woocommerce\",\"items\":{";
      for (std::size_t i = 0; i < seed.items.size(); ++i) {
        const auto& sku = seed.items[i].sku;
        out += (i ? "," : "") + jstr(sku) + ":{\"price\":" + price_text(woo->regular_price(sku)) +
               ",\"levels\":{\"\":" + count_text(woo->stock(sku)) + "}}";
      }
      return out + "}}";
    };
    stop = [&] { woo->stop(); };
  } else if (provider == "square") {
    ce::SquareEmulator::Options o;
    o.port = port;
    o.requests_per_second = rate;
    o.burst = rate > 0 ? rate : 1;
    if (!seed.locations.empty()) o.locations = seed.locations;
    auto started = ce::SquareEmulator::start(o);
    if (!started) return fail(started.error().message());
    square = std::move(started).value();
    for (const auto& loc : o.locations) locations.emplace_back(loc, loc);
    for (const auto& item : seed.items) {
      std::optional<std::int64_t> minor;
      if (!item.price.empty()) {
        auto money = odoosync::retail::Money::parse(item.price, o.currency);
        if (!money) return fail("seed: " + item.sku + ": " + money.error().message());
        minor = money.value().minor_units();
      }
      square->seed_variation(item.sku, minor);
      for (const auto& loc : o.locations) {
        square->seed_count(item.sku, loc, item.quantity, odoosync::retail::Timestamp::now());
      }
    }
    url = base_url = square->url();
    state = [&, locs = o.locations] {
      std::string out = "{\"provider\":\"square\",\"items\":{";
      for (std::size_t i = 0; i < seed.items.size(); ++i) {
        const auto& sku = seed.items[i].sku;
        auto minor = square->price(sku);
        out += (i ? "," : "") + jstr(sku) + ":{\"price_minor\":" + count_text(minor) + ",\"levels\":{";
        for (std::size_t l = 0; l < locs.size(); ++l) {
          out += (l ? "," : "") + jstr(locs[l]) + ":" + count_text(square->quantity(sku, locs[l]));
        }
        out += "}}";
      }
      return out + "}}";
    };
    stop = [&] { square->stop(); };
  } else {
    ce::AmazonEmulator::Options o;
    o.port = port;
    auto started = ce::AmazonEmulator::start(o);
    if (!started) return fail(started.error().message());
    amazon = std::move(started).value();
    for (const auto& item : seed.items) {
      ce::AmazonEmulator::Listing l;
      l.sku = item.sku;
      l.quantity = item.quantity;
      l.price = item.price;
      l.currency = o.currency;
      amazon->seed(l);
    }
    url = base_url = amazon->url();
    locations.emplace_back("", "");
    state = [&] {
      std::string out = "{\"provider\":\"amazon\",\"items\":{";
      for (std::size_t i = 0; i < seed.items.size(); ++i) {
        const auto& sku = seed.items[i].sku;
        auto l = amazon->listing(sku);
        out += (i ? "," : "") + jstr(sku) +
               ":{\"price\":" + (l && !l->price.empty() ? jstr(l->price) : std::string("null")) +
               ",\"levels\":{\"\":" + (l ? std::to_string(l->quantity) : std::string("null")) + "}}";
      }
      return out + "}}";
    };
    stop = [&] { amazon->stop(); };
  }

  std::string first = "{\"provider\":" + jstr(provider) + ",\"url\":" + jstr(url) +
                      ",\"base_url\":" + jstr(base_url) + ",\"locations\":{";
  for (std::size_t i = 0; i < locations.size(); ++i) {
    first += (i ? "," : "") + jstr(locations[i].first) + ":" + jstr(locations[i].second);
  }
  first += "}}";
  std::printf("%s\n", first.c_str());
  std::fflush(stdout);

  std::string last;
  while (!stop_requested) {
    if (!state_file.empty()) {
      std::string now = state();
      if (now != last) {
        write_atomically(state_file, now);
        last = std::move(now);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (!state_file.empty()) write_atomically(state_file, state());
  stop();
  return 0;
}
