// The push to channels' figures (docs/benchmarks.md, "Push to channels"): item levels and prices pushed
// per second per channel, at each channel emulator's rate limit, against the limit itself. For each of
// Shopify, WooCommerce, Square and Amazon: the real client (push::make_<provider>_client over
// CurlTransport) against its emulator on loopback, a Pusher over a SqliteStore (FULL sync, in a temporary
// folder), N distinct SKUs listed in the channel, the outbox filled through Pusher::accept with the
// events OutboundPuller makes (retail.stock.adjusted with `counted`, ids "stock.quant/<id>@<write_date>";
// retail.price.changed, "product.product/<id>@<write_date>"), then Pusher::run timed:
//
//   stock, cold   a new client, store and emulator: SKU lookups included, levels not known to the channel
//   stock, warm   the same client again: every SKU resolved, the previous level known (compare-and-set)
//   prices        the same client: new list prices for every SKU
//
// The limits (emulator options): Shopify's standard plan (a 1000-point bucket restoring 100 points/s);
// Amazon's documented usage plan for patchListingsItem and getListingsItem (5/s, burst 5); WooCommerce
// 10 requests/s, burst 10 (a host's limit, announced in RateLimit-* headers: WooCommerce core has none);
// Square 10 requests/s, burst 10 (Square publishes no number) with the client paced to it
// (requests_per_second 10). Each phase starts with the channel's bucket full, so what the limit allowed
// in a phase of T seconds is burst + rate x T; "of allowance" is what was used over that.
//
//   build/release/tests/bench/bench_push [--quick] [--rounds R] [--channels shopify,woocommerce,square,amazon]
//                                        [--shopify N] [--woocommerce N] [--square N] [--amazon N]
//                                        [--woocommerce-burst B] [--dir DIR]
// --rounds: rounds of each phase for WooCommerce and Square, and of the warm stock phase for Shopify
// (default 3; the figures are medians). Catalogues: Shopify 1000 SKUs (5 variants per product),
// WooCommerce and Square 2000, Amazon 60: about 3 minutes. --quick: 100, 200, 200 and 6 SKUs, one round
// (a smoke run of about 17 s).
// --woocommerce-burst: the store's bucket (default 10), to see how the client's pacing by the announced
// budget fares with another burst.
// Exit status 1 when a value did not reach the channel or an item was left pending or dead.
#include <odoosync/core/json.hpp>
#include <odoosync/core/secret_source.hpp>
#include <odoosync/emulator/amazon.hpp>
#include <odoosync/emulator/shopify.hpp>
#include <odoosync/emulator/square.hpp>
#include <odoosync/emulator/woocommerce.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/push/channel_client.hpp>
#include <odoosync/push/pusher.hpp>
#include <odoosync/retail/events.hpp>
#include <odoosync/sync/sqlite_store.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
namespace ce = odoosync::channel_emulator;
using namespace odoosync;
using Steady = std::chrono::steady_clock;

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_push: %s\n", what.c_str());
  std::exit(2);
}

template <typename T>
T must(result<T> r, const std::string& what) {
  if (!r) die(what + ": " + r.error().to_string());
  return std::move(r).value();
}

void must(result<void> r, const std::string& what) {
  if (!r) die(what + ": " + r.error().to_string());
}

class FixedSecret final : public SecretSource {
 public:
  explicit FixedSecret(std::string value) : value_(std::move(value)) {}
  result<Secret> current() override { return Secret(value_); }
  result<Secret> refresh() override { return Secret(value_); }
  std::string description() const override { return "bench secret"; }

 private:
  std::string value_;
};
std::shared_ptr<SecretSource> secret(std::string value) { return std::make_shared<FixedSecret>(std::move(value)); }

std::string sku_of(std::size_t i) {
  char b[32];
  std::snprintf(b, sizeof b, "BENCH-%05zu", i);
  return b;
}

// The level of SKU i in stock phase k: 1..97, never the same in two successive phases.
std::int64_t level_of(std::size_t i, int k) {
  return 1 + static_cast<std::int64_t>((i + static_cast<std::size_t>(k)) % 97);
}
// The price of SKU i in price phase k, in minor units: 10.00 .. 59.99, new in every phase.
std::int64_t cents_of(std::size_t i, int k) { return 1000 + static_cast<std::int64_t>(i % 500) * 10 + k; }
std::string amount_of(std::int64_t cents) {
  char b[32];
  std::snprintf(b, sizeof b, "%lld.%02lld", static_cast<long long>(cents / 100), static_cast<long long>(cents % 100));
  return b;
}

// "12.3" with a sensible number of digits for the size.
std::string num(double v) {
  char b[32];
  if (v >= 100)
    std::snprintf(b, sizeof b, "%.0f", v);
  else if (v >= 10)
    std::snprintf(b, sizeof b, "%.1f", v);
  else
    std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

void sleep_s(double seconds) {
  if (seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

// What a channel's limit admits: `rate` per second, a bucket of `burst`.
struct Limit {
  double rate = 0;
  double burst = 0;
  std::string unit;  // "requests", "points", "PATCH"
};

// What the emulator counted, cumulative.
struct Usage {
  double used = 0;   // what the limit counts: requests, or cost points charged (Shopify), or PATCHes (Amazon)
  double used2 = 0;  // Amazon: getListingsItem requests (their own bucket)
  std::uint64_t requests = 0;
  std::uint64_t refused = 0;  // 429s / THROTTLED from the limit itself
};

class Channel {
 public:
  virtual ~Channel() = default;
  virtual std::string name() const = 0;
  // A new emulator with SKUs 0..n-1 listed (stocked at the channel's location), its bucket full.
  virtual void start(std::size_t n) = 0;
  virtual std::shared_ptr<push::ChannelClient> client() = 0;
  virtual std::string location() const = 0;  // the channel location levels are pushed to
  virtual std::string currency() const = 0;
  virtual Usage usage() const = 0;
  virtual Limit limit() const = 0;
  virtual std::optional<Limit> limit2() const { return std::nullopt; }
  // Waits until the limit's bucket is full again.
  virtual void refill() = 0;
  virtual std::optional<std::int64_t> level(const std::string& sku) const = 0;
  virtual std::optional<std::int64_t> price_cents(const std::string& sku) const = 0;
  virtual std::string setup() const = 0;  // the limit and the client's settings, for the header
};

std::optional<std::int64_t> cents_from_text(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  auto m = retail::Money::parse(*text, "EUR");
  if (!m) return std::nullopt;
  return m.value().minor_units();
}

// --- Shopify -----------------------------------------------------------------------------------------

class ShopifyChannel final : public Channel {
 public:
  static constexpr int variants_per_product = 5;
  std::string name() const override { return "shopify"; }
  void start(std::size_t n) override {
    if (emu_) emu_->stop();
    ce::ShopifyEmulator::Options o;
    o.access_token = token_;
    o.currency = "EUR";
    o.maximum_available = 1000;  // the standard plan
    o.restore_rate = 100;
    emu_ = must(ce::ShopifyEmulator::start(o), "shopify emulator");
    location_ = emu_->add_location("Warehouse");
    for (std::size_t i = 0; i < n; ++i) {
      const std::string sku = sku_of(i);
      emu_->add_variant(sku, "9.99", "product-" + std::to_string(i / variants_per_product));
      if (!emu_->set_available(sku, location_, 0)) die("shopify: cannot stock " + sku);
    }
    if (!probe_) probe_ = must(http::CurlTransport::create(), "curl");
  }
  std::shared_ptr<push::ChannelClient> client() override {
    push::ChannelEndpoint e;
    e.channel = "bench-shopify";
    e.base_url = emu_->url();
    e.secrets["access_token"] = secret(token_);
    return must(push::make_shopify_client(e), "shopify client");
  }
  std::string location() const override { return "gid://shopify/Location/" + std::to_string(location_); }
  std::string currency() const override { return "EUR"; }
  Usage usage() const override {
    auto s = emu_->stats();
    return Usage{s.points_charged, 0, s.requests, s.throttled};
  }
  Limit limit() const override { return Limit{100, 1000, "points"}; }
  // Asks the shop how full the bucket is (a 1-point query) and waits for the rest.
  void refill() override {
    http::Request r;
    r.method = http::Method::post;
    r.url = emu_->url() + "/admin/api/2026-10/graphql.json";
    r.headers.add("Content-Type", "application/json");
    r.headers.add("X-Shopify-Access-Token", token_);
    r.body = R"({"query":"query BenchProbe { shop { currencyCode } }","variables":{}})";
    auto res = must(probe_->send(r), "shopify probe");
    auto doc = must(json::parse(res.body), "shopify probe answer");
    const json::Value* ext = json::find(doc, "extensions");
    const json::Value* cost = ext ? json::find(*ext, "cost") : nullptr;
    const json::Value* status = cost ? json::find(*cost, "throttleStatus") : nullptr;
    const json::Value* available = status ? json::find(*status, "currentlyAvailable") : nullptr;
    if (!available || !available->IsNumber()) die("shopify probe: no throttleStatus in " + res.body);
    sleep_s((1000 - available->GetDouble()) / 100 + 0.05);
  }
  std::optional<std::int64_t> level(const std::string& sku) const override { return emu_->available(sku, location_); }
  std::optional<std::int64_t> price_cents(const std::string& sku) const override {
    return cents_from_text(emu_->price(sku));
  }
  std::string setup() const override {
    return "standard plan: a 1000-point bucket restoring 100 points/s; API 2026-10; " +
           std::to_string(variants_per_product) + " variants per product";
  }

 private:
  std::string token_ = "shpat_bench";
  std::unique_ptr<ce::ShopifyEmulator> emu_;
  std::int64_t location_ = 0;
  std::shared_ptr<http::CurlTransport> probe_;
};

// --- WooCommerce -------------------------------------------------------------------------------------

class WooChannel final : public Channel {
 public:
  explicit WooChannel(double burst) : burst_(burst) {}
  std::string name() const override { return "woocommerce"; }
  void start(std::size_t n) override {
    if (emu_) emu_->stop();
    ce::WooCommerceEmulator::Options o;
    o.consumer_key = "ck_bench";
    o.consumer_secret = "cs_bench";
    o.currency = "EUR";
    o.requests_per_second = 10;
    o.burst = burst_;
    o.announce_budget = true;
    emu_ = must(ce::WooCommerceEmulator::start(o), "woocommerce emulator");
    for (std::size_t i = 0; i < n; ++i) emu_->seed_product(sku_of(i), 0, "9.99");
  }
  std::shared_ptr<push::ChannelClient> client() override {
    push::ChannelEndpoint e;
    e.channel = "bench-woocommerce";
    e.base_url = emu_->base_url();
    e.settings["allow_insecure_loopback"] = "true";
    e.secrets["consumer_key"] = secret("ck_bench");
    e.secrets["consumer_secret"] = secret("cs_bench");
    return must(push::make_woocommerce_client(e), "woocommerce client");
  }
  std::string location() const override { return ""; }
  std::string currency() const override { return "EUR"; }
  Usage usage() const override {
    return Usage{static_cast<double>(emu_->requests()), 0, emu_->requests(), emu_->refused_429()};
  }
  Limit limit() const override { return Limit{10, burst_, "requests"}; }
  void refill() override { sleep_s(burst_ / 10 + 0.1); }
  std::optional<std::int64_t> level(const std::string& sku) const override { return emu_->stock(sku); }
  std::optional<std::int64_t> price_cents(const std::string& sku) const override {
    return cents_from_text(emu_->regular_price(sku));
  }
  std::string setup() const override {
    return "10 requests/s, burst " + num(burst_) +
           " (a host's limit: WooCommerce core has none), announced in RateLimit-*; the client paces by the "
           "announcement (no requests_per_second)";
  }

 private:
  double burst_ = 10;
  std::unique_ptr<ce::WooCommerceEmulator> emu_;
};

// --- Square ------------------------------------------------------------------------------------------

class SquareChannel final : public Channel {
 public:
  std::string name() const override { return "square"; }
  void start(std::size_t n) override {
    if (emu_) emu_->stop();
    ce::SquareEmulator::Options o;
    o.access_token = "EAAAbench";
    o.locations = {"L1"};
    o.currency = "USD";
    o.requests_per_second = 10;
    o.burst = 10;
    emu_ = must(ce::SquareEmulator::start(o), "square emulator");
    for (std::size_t i = 0; i < n; ++i) emu_->seed_variation(sku_of(i), 999);
  }
  std::shared_ptr<push::ChannelClient> client() override {
    push::ChannelEndpoint e;
    e.channel = "bench-square";
    e.base_url = emu_->url();
    e.settings["allow_insecure_loopback"] = "true";
    e.settings["currency"] = "USD";
    e.settings["requests_per_second"] = "10";
    e.secrets["access_token"] = secret("EAAAbench");
    return must(push::make_square_client(e), "square client");
  }
  std::string location() const override { return "L1"; }
  std::string currency() const override { return "USD"; }
  Usage usage() const override {
    return Usage{static_cast<double>(emu_->requests()), 0, emu_->requests(), emu_->refused_429()};
  }
  Limit limit() const override { return Limit{10, 10, "requests"}; }
  void refill() override { sleep_s(10.0 / 10 + 0.1); }
  std::optional<std::int64_t> level(const std::string& sku) const override { return emu_->quantity(sku, "L1"); }
  std::optional<std::int64_t> price_cents(const std::string& sku) const override { return emu_->price(sku); }
  std::string setup() const override {
    return "10 requests/s, burst 10 (Square publishes no number: a choice); client requests_per_second 10";
  }

 private:
  std::unique_ptr<ce::SquareEmulator> emu_;
};

// --- Amazon ------------------------------------------------------------------------------------------

class AmazonChannel final : public Channel {
 public:
  std::string name() const override { return "amazon"; }
  void start(std::size_t n) override {
    if (emu_) emu_->stop();
    ce::AmazonEmulator::Options o;  // the documented plans: patch and get listings 5/s, burst 5
    o.currency = "EUR";
    options_ = o;
    emu_ = must(ce::AmazonEmulator::start(o), "amazon emulator");
    for (std::size_t i = 0; i < n; ++i) {
      ce::AmazonEmulator::Listing l;
      l.sku = sku_of(i);
      l.quantity = 0;
      emu_->seed(l);
    }
  }
  std::shared_ptr<push::ChannelClient> client() override {
    push::ChannelEndpoint e;
    e.channel = "bench-amazon";
    e.base_url = emu_->url();
    e.settings = {
        {"seller_id", options_.seller_id}, {"marketplace_id", options_.marketplace_id}, {"lwa_url", emu_->lwa_url()}};
    e.secrets = {{"lwa_client_id", secret(options_.client_id)},
                 {"lwa_client_secret", secret(options_.client_secret)},
                 {"refresh_token", secret(options_.refresh_token)}};
    return must(push::make_amazon_client(e), "amazon client");
  }
  std::string location() const override { return ""; }
  std::string currency() const override { return "EUR"; }
  Usage usage() const override {
    auto c = emu_->counts();
    auto op = [&](const char* name) {
      auto it = c.by_operation.find(name);
      return it == c.by_operation.end() ? 0.0 : static_cast<double>(it->second);
    };
    return Usage{op("patchListingsItem"), op("getListingsItem"), c.requests, c.throttled};
  }
  Limit limit() const override { return Limit{options_.patch_listings.rate, options_.patch_listings.burst, "PATCH"}; }
  std::optional<Limit> limit2() const override {
    return Limit{options_.get_listings.rate, options_.get_listings.burst, "GET"};
  }
  void refill() override { sleep_s(5.0 / 5 + 0.1); }
  std::optional<std::int64_t> level(const std::string& sku) const override {
    auto l = emu_->listing(sku);
    if (!l) return std::nullopt;
    return l->quantity;
  }
  std::optional<std::int64_t> price_cents(const std::string& sku) const override {
    auto l = emu_->listing(sku);
    if (!l || l->price.empty()) return std::nullopt;
    return cents_from_text(l->price);
  }
  std::string setup() const override {
    return "documented usage plans: patchListingsItem and getListingsItem 5/s, burst 5 each";
  }

 private:
  ce::AmazonEmulator::Options options_;
  std::unique_ptr<ce::AmazonEmulator> emu_;
};

// --- the phases --------------------------------------------------------------------------------------

// The client as the Pusher sees it, with the time spent inside its calls (HTTP, the channel's answer and
// the client's throttle waits): the rest of a run is the Pusher and the store.
class TimedClient final : public push::ChannelClient {
 public:
  explicit TimedClient(std::shared_ptr<push::ChannelClient> inner) : inner_(std::move(inner)) {}
  std::string_view provider() const noexcept override { return inner_->provider(); }
  push::ChannelLimits limits() const override { return inner_->limits(); }
  result<std::vector<push::ItemResult>> set_levels(std::span<const push::Level> levels) override {
    return timed([&] { return inner_->set_levels(levels); });
  }
  result<std::vector<push::ItemResult>> set_prices(std::span<const push::Price> prices) override {
    return timed([&] { return inner_->set_prices(prices); });
  }
  result<std::vector<push::ItemResult>> fulfil(std::span<const push::Fulfilment> fulfilments) override {
    return timed([&] { return inner_->fulfil(fulfilments); });
  }
  result<std::optional<std::int64_t>> read_level(std::string_view sku, std::string_view location) override {
    return inner_->read_level(sku, location);
  }
  double seconds() const { return seconds_; }

 private:
  template <typename F>
  result<std::vector<push::ItemResult>> timed(F f) {
    const auto t0 = Steady::now();
    auto r = f();
    seconds_ += std::chrono::duration<double>(Steady::now() - t0).count();
    return r;
  }
  std::shared_ptr<push::ChannelClient> inner_;
  double seconds_ = 0;
};

struct Sample {
  double seconds = 0;
  std::uint64_t applied = 0;
  std::uint64_t calls = 0;  // ChannelClient calls the Pusher made
  double in_client = 0;     // seconds inside those calls
  Usage used{};
  std::uint64_t left = 0;  // pending or dead after the run
  std::size_t wrong = 0;   // SKUs whose value in the channel is not what was pushed
};

struct PhaseResult {
  std::string channel, phase;
  std::size_t items = 0;
  std::vector<Sample> samples;
};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

class Rig {
 public:
  Rig(Channel& channel, fs::path dir) : ch_(channel), dir_(std::move(dir)) {}

  // A new emulator, client, store and Pusher.
  void fresh(std::size_t n) {
    n_ = n;
    pusher_.reset();
    store_.reset();
    ch_.start(n);
    client_ = std::make_shared<TimedClient>(ch_.client());
    const fs::path db = dir_ / (ch_.name() + "-" + std::to_string(++stores_) + ".db");
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
    store_ = must(sync::SqliteStore::open(db.string()), "store");
    push::PushMapping mapping;
    mapping.stock_locations[ch_.location()] = {"WH/Stock"};
    push::PusherOptions o;
    o.owner = "bench";
    o.seed = 17;
    pusher_ = std::make_unique<push::Pusher>(*store_, client_, "bench-" + ch_.name(), mapping, o);
  }

  Sample stock(int k) {
    std::vector<retail::Event> events;
    events.reserve(n_);
    const retail::Timestamp now = write_date();
    for (std::size_t i = 0; i < n_; ++i) {
      retail::StockAdjusted s;
      s.sku.value = sku_of(i);
      s.location.value = "WH/Stock";
      s.counted = must(retail::Quantity::parse(std::to_string(level_of(i, k))), "quantity");
      events.push_back(must(
          retail::make_event(
              std::move(s),
              {.source = "odoo", .id = "stock.quant/" + std::to_string(5000 + i) + "@" + now.to_string(), .time = now}),
          "stock event"));
    }
    must(pusher_->accept(events), "accept");
    Sample s = timed(push::Kind::stock);
    for (std::size_t i = 0; i < n_; ++i)
      if (ch_.level(sku_of(i)) != level_of(i, k)) ++s.wrong;
    return s;
  }

  Sample prices(int k) {
    std::vector<retail::Event> events;
    events.reserve(n_);
    const retail::Timestamp now = write_date();
    for (std::size_t i = 0; i < n_; ++i) {
      retail::PriceChanged p;
      p.price.sku.value = sku_of(i);
      p.price.list_price = must(retail::Money::parse(amount_of(cents_of(i, k)), ch_.currency()), "price");
      events.push_back(must(
          retail::make_event(std::move(p), {.source = "odoo",
                                            .id = "product.product/" + std::to_string(9000 + i) + "@" + now.to_string(),
                                            .time = now}),
          "price event"));
    }
    must(pusher_->accept(events), "accept");
    Sample s = timed(push::Kind::price);
    for (std::size_t i = 0; i < n_; ++i)
      if (ch_.price_cents(sku_of(i)) != cents_of(i, k)) ++s.wrong;
    return s;
  }

 private:
  // Odoo's write_date, to the millisecond.
  static retail::Timestamp write_date() {
    auto t = retail::Timestamp::now();
    t.nanos -= t.nanos % 1'000'000;
    return t;
  }

  Sample timed(push::Kind kind) {
    Sample s;
    const Usage before = ch_.usage();
    const double in_client = client_->seconds();
    const auto t0 = Steady::now();
    auto summary = must(pusher_->run(kind), "push run");
    s.seconds = std::chrono::duration<double>(Steady::now() - t0).count();
    s.in_client = client_->seconds() - in_client;
    const Usage after = ch_.usage();
    s.applied = summary.counts.applied;
    s.calls = summary.counts.calls;
    s.used = Usage{after.used - before.used, after.used2 - before.used2, after.requests - before.requests,
                   after.refused - before.refused};
    s.left = summary.pending + summary.dead;
    if (!summary.last_error.empty()) std::fprintf(stderr, "  %s: %s\n", ch_.name().c_str(), summary.last_error.c_str());
    return s;
  }

  Channel& ch_;
  fs::path dir_;
  std::size_t n_ = 0;
  int stores_ = 0;
  std::shared_ptr<TimedClient> client_;
  std::unique_ptr<sync::SqliteStore> store_;
  std::unique_ptr<push::Pusher> pusher_;
};

struct Plan {
  std::size_t n = 0;
  int cold = 1, warm = 1, prices = 1;
};

std::vector<PhaseResult> run_channel(Channel& ch, const Plan& plan, const fs::path& dir) {
  Rig rig(ch, dir);
  PhaseResult cold{ch.name(), "stock, cold", plan.n, {}};
  PhaseResult warm{ch.name(), "stock, warm", plan.n, {}};
  PhaseResult prices{ch.name(), "prices", plan.n, {}};
  int k = 0;
  for (int r = 0; r < plan.cold; ++r) {
    rig.fresh(plan.n);
    cold.samples.push_back(rig.stock(++k));
    std::fprintf(stderr, "  %s stock cold round %d: %.1f s\n", ch.name().c_str(), r + 1, cold.samples.back().seconds);
  }
  for (int r = 0; r < plan.warm; ++r) {
    ch.refill();
    warm.samples.push_back(rig.stock(++k));
    std::fprintf(stderr, "  %s stock warm round %d: %.1f s\n", ch.name().c_str(), r + 1, warm.samples.back().seconds);
  }
  for (int r = 0; r < plan.prices; ++r) {
    ch.refill();
    prices.samples.push_back(rig.prices(r + 1));
    std::fprintf(stderr, "  %s prices round %d: %.1f s\n", ch.name().c_str(), r + 1, prices.samples.back().seconds);
  }
  return {cold, warm, prices};
}

bool report(const std::vector<PhaseResult>& results, const std::vector<std::unique_ptr<Channel>>& channels) {
  bool ok = true;
  std::printf(
      "\n| channel | pushed | items | rounds | s | items/s | limit | used | used/s | of allowance | ceiling items/s | "
      "refused | Pusher calls / requests | in client calls |\n");
  std::printf("| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |\n");
  for (const auto& r : results) {
    const Channel* ch = nullptr;
    for (const auto& c : channels)
      if (c->name() == r.channel) ch = c.get();
    const Limit lim = ch->limit();
    const auto lim2 = ch->limit2();
    std::vector<double> secs, rate, used, used_rate, share, ceiling, calls, requests, used2, share2, inside;
    std::uint64_t refused = 0, left = 0, wrong = 0;
    for (const auto& s : r.samples) {
      secs.push_back(s.seconds);
      rate.push_back(static_cast<double>(s.applied) / s.seconds);
      used.push_back(s.used.used);
      used_rate.push_back(s.used.used / s.seconds);
      share.push_back(s.used.used / (lim.burst + lim.rate * s.seconds));
      // The items/s this phase's mix of requests would reach at exactly the sustained rate.
      ceiling.push_back(s.used.used > 0 ? lim.rate * static_cast<double>(s.applied) / s.used.used : 0);
      calls.push_back(static_cast<double>(s.calls));
      requests.push_back(static_cast<double>(s.used.requests));
      inside.push_back(s.in_client / s.seconds);
      if (lim2) {
        used2.push_back(s.used.used2);
        share2.push_back(s.used.used2 / (lim2->burst + lim2->rate * s.seconds));
      }
      refused += s.used.refused;
      left += s.left;
      wrong += s.wrong;
      if (s.applied != r.items) ok = false;
    }
    if (left || wrong) ok = false;
    std::string used_text = num(median(used)) + " " + lim.unit;
    std::string share_text = num(median(share));
    if (lim2 && median(used2) > 0) {
      used_text += " + " + num(median(used2)) + " " + lim2->unit;
      share_text += " (" + lim2->unit + " " + num(median(share2)) + ")";
    }
    std::printf("| %s | %s | %zu | %zu | %s | %s | %s/s, burst %s | %s | %s | %s | %s | %llu | %s / %s | %.0f %% |%s\n",
                r.channel.c_str(), r.phase.c_str(), r.items, r.samples.size(), num(median(secs)).c_str(),
                num(median(rate)).c_str(), num(lim.rate).c_str(), num(lim.burst).c_str(), used_text.c_str(),
                num(median(used_rate)).c_str(), share_text.c_str(), num(median(ceiling)).c_str(),
                static_cast<unsigned long long>(refused), num(median(calls)).c_str(), num(median(requests)).c_str(),
                100 * median(inside),
                left || wrong ? (" NOT DONE: " + std::to_string(left) + " left, " + std::to_string(wrong) +
                                 " wrong in the channel")
                                    .c_str()
                              : "");
  }
  return ok;
}

std::string load_average() {
  double l[3] = {0, 0, 0};
  if (::getloadavg(l, 3) != 3) return "unknown";
  char b[64];
  std::snprintf(b, sizeof b, "%.2f %.2f %.2f", l[0], l[1], l[2]);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  int rounds = 3;
  std::vector<std::string> wanted = {"shopify", "woocommerce", "square", "amazon"};
  std::size_t n_shopify = 1000, n_woo = 2000, n_square = 2000, n_amazon = 60;
  double woo_burst = 10;
  std::optional<std::size_t> o_shopify, o_woo, o_square, o_amazon;
  fs::path dir = fs::temp_directory_path() / ("odoosync-push-bench-" + std::to_string(::getpid()));
  auto count = [&](int& i) -> std::size_t {
    if (i + 1 >= argc) die(std::string(argv[i]) + " needs a number");
    const long v = std::strtol(argv[++i], nullptr, 10);
    if (v <= 0) die(std::string(argv[i - 1]) + " needs a positive number");
    return static_cast<std::size_t>(v);
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") {
      quick = true;
    } else if (a == "--rounds") {
      rounds = static_cast<int>(count(i));
    } else if (a == "--shopify") {
      o_shopify = count(i);
    } else if (a == "--woocommerce") {
      o_woo = count(i);
    } else if (a == "--square") {
      o_square = count(i);
    } else if (a == "--amazon") {
      o_amazon = count(i);
    } else if (a == "--woocommerce-burst") {
      woo_burst = static_cast<double>(count(i));
    } else if (a == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (a == "--channels" && i + 1 < argc) {
      wanted.clear();
      std::stringstream ss(argv[++i]);
      std::string item;
      while (std::getline(ss, item, ',')) wanted.push_back(item);
    } else {
      std::fprintf(stderr,
                   "usage: bench_push [--quick] [--rounds R] [--channels shopify,woocommerce,square,amazon] "
                   "[--shopify N] [--woocommerce N] [--square N] [--amazon N] [--woocommerce-burst B] [--dir DIR]\n");
      return 2;
    }
  }
  if (quick) {
    n_shopify = 100, n_woo = 200, n_square = 200, n_amazon = 6;
    rounds = 1;
  }
  n_shopify = o_shopify.value_or(n_shopify);
  n_woo = o_woo.value_or(n_woo);
  n_square = o_square.value_or(n_square);
  n_amazon = o_amazon.value_or(n_amazon);
  fs::create_directories(dir);

  std::vector<std::unique_ptr<Channel>> channels;
  std::vector<Plan> plans;
  for (const auto& w : wanted) {
    if (w == "shopify") {
      channels.push_back(std::make_unique<ShopifyChannel>());
      plans.push_back(Plan{n_shopify, 1, rounds, 1});  // cold and prices wait out the bucket: one round
    } else if (w == "woocommerce") {
      channels.push_back(std::make_unique<WooChannel>(woo_burst));
      plans.push_back(Plan{n_woo, rounds, rounds, rounds});
    } else if (w == "square") {
      channels.push_back(std::make_unique<SquareChannel>());
      plans.push_back(Plan{n_square, rounds, rounds, rounds});
    } else if (w == "amazon") {
      channels.push_back(std::make_unique<AmazonChannel>());
      plans.push_back(Plan{n_amazon, 1, 1, 1});  // 5 SKUs a second: one round of each
    } else {
      die("unknown channel '" + w + "' (shopify, woocommerce, square, amazon)");
    }
  }

  std::time_t started = std::time(nullptr);
  char when[64];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M", std::gmtime(&started));
  std::printf("bench_push %s UTC, %u cores, load average at start %s; SqliteStore FULL sync in %s\n", when,
              std::thread::hardware_concurrency(), load_average().c_str(), dir.c_str());
  for (std::size_t i = 0; i < channels.size(); ++i)
    std::printf("  %-11s %zu SKUs; %s\n", channels[i]->name().c_str(), plans[i].n, channels[i]->setup().c_str());
  std::fflush(stdout);

  const auto t0 = Steady::now();
  std::vector<PhaseResult> results;
  for (std::size_t i = 0; i < channels.size(); ++i) {
    auto r = run_channel(*channels[i], plans[i], dir);
    results.insert(results.end(), r.begin(), r.end());
  }
  const double total = std::chrono::duration<double>(Steady::now() - t0).count();
  const bool ok = report(results, channels);
  std::printf(
      "\nitems/s: items applied over the Pusher::run time. used: what the limit counts (requests, Shopify's "
      "cost points charged, Amazon's PATCHes and GETs). of allowance: used / (burst + rate x seconds), the "
      "most the limit admits from a full bucket. ceiling items/s: rate x items / used, what this mix of "
      "requests reaches at exactly the sustained rate. refused: 429 / THROTTLED counted by the emulator. in client "
      "calls: the share of the run spent inside the "
      "client's calls (HTTP, the channel, the client's throttle waits); the rest is the Pusher and the store.\n");
  std::printf("total %.0f s; load average at end %s\n", total, load_average().c_str());
  channels.clear();
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (!ok) {
    std::fprintf(stderr, "bench_push: some values did not reach their channel (see NOT DONE above)\n");
    return 1;
  }
  return 0;
}
