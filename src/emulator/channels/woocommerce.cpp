// The WooCommerce REST API v3 emulator (include/odoosync/emulator/woocommerce.hpp). Shapes after the
// REST API documentation (woocommerce.github.io/woocommerce-rest-api-docs: products, product variations,
// orders, order notes, settings) and WC_REST_Controller::batch_items (per-item errors, the 100-object limit).
#include <odoosync/emulator/woocommerce.hpp>

#include <odoosync/channels/crypto.hpp>
#include <odoosync/core/json.hpp>
#include <odoosync/emulator/channel_server.hpp>

#include "token_bucket.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <mutex>
#include <set>

namespace odoosync {
inline namespace v0 {
namespace channel_emulator {

namespace {

constexpr std::string_view root = "/wp-json/wc/v3/";

struct Product {
  std::int64_t id = 0;
  std::string sku;
  std::string type = "simple";  // simple, variable, variation
  std::int64_t parent_id = 0;
  bool manage_stock = false;
  std::optional<std::int64_t> stock;
  std::string regular_price;
};

struct Order {
  std::int64_t id = 0;
  std::string status;
  std::vector<WooCommerceEmulator::OrderNote> notes;
};

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::optional<std::int64_t> to_id(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

bool decimal_price(std::string_view s) {
  if (s.empty()) return true;  // clears the price
  auto dot = s.find('.');
  auto whole = s.substr(0, dot);
  if (whole.empty() || whole.find_first_not_of("0123456789") != std::string_view::npos) return false;
  if (dot == std::string_view::npos) return true;
  auto frac = s.substr(dot + 1);
  return !frac.empty() && frac.size() <= 6 && frac.find_first_not_of("0123456789") == std::string_view::npos;
}

FakeResponse wc_error(int status, std::string_view code, std::string_view message,
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
  json::Writer w;
  w.begin_object().member("code", code).member("message", message).key("data").begin_object();
  w.key("status").integer(status).end_object().end_object();
  return json_response(status, std::string(w.unchecked_view()), std::move(headers));
}

}  // namespace

struct WooCommerceEmulator::State {
  Options options;
  Clock* clock = nullptr;
  mutable std::mutex mutex;
  std::unique_ptr<ChannelServer> server;
  std::map<std::int64_t, Product> products;
  std::map<std::int64_t, Order> orders;
  std::int64_t next_id = 100;
  detail::TokenBucket bucket;
  std::vector<Fault> faults;
  std::uint64_t faults_injected = 0, requests = 0, refused = 0, batches = 0, auth_failures = 0;

  Product* by_sku(const std::string& sku) {
    for (auto& [id, p] : products) {
      if (p.sku == sku && !sku.empty()) return &p;
    }
    return nullptr;
  }

  void write_product(json::Writer& w, const Product& p) const {
    w.begin_object();
    w.key("id").integer(p.id);
    w.member("name", std::string_view(p.sku.empty() ? "Product" : p.sku));
    w.member("sku", std::string_view(p.sku));
    w.member("type", std::string_view(p.type));
    w.key("parent_id").integer(p.parent_id);
    w.member("status", "publish");
    w.member("manage_stock", p.manage_stock);
    w.key("stock_quantity");
    if (p.manage_stock && p.stock)
      w.integer(*p.stock);
    else
      w.null();
    w.member("stock_status", (!p.manage_stock || (p.stock && *p.stock > 0)) ? "instock" : "outofstock");
    w.member("regular_price", std::string_view(p.regular_price));
    w.member("price", std::string_view(p.regular_price));
    w.end_object();
  }

  FakeResponse product_list(const FakeRequest& r, std::int64_t parent) {
    std::set<std::string> skus;
    for (auto& s : split(r.query_param("sku"), ',')) {
      if (!s.empty()) skus.insert(s);
    }
    std::set<std::int64_t> include;
    for (auto& s : split(r.query_param("include"), ',')) {
      if (auto id = to_id(s)) include.insert(*id);
    }
    std::string type = r.query_param("type");
    std::int64_t per_page = 10, page = 1;
    if (auto n = to_id(r.query_param("per_page"))) per_page = *n;
    if (auto n = to_id(r.query_param("page"))) page = *n;
    if (per_page > 100) return wc_error(400, "rest_invalid_param", "Invalid parameter(s): per_page");
    std::vector<const Product*> hits;
    for (const auto& [id, p] : products) {
      if (parent ? (p.type != "variation" || p.parent_id != parent) : p.type == "variation") continue;
      if (!skus.empty() && !skus.count(p.sku)) continue;
      if (!r.query_param("include").empty() && !include.count(p.id)) continue;
      if (!type.empty() && p.type != type) continue;
      hits.push_back(&p);
    }
    json::Writer w;
    w.begin_array();
    for (std::size_t i = static_cast<std::size_t>((page - 1) * per_page);
         i < hits.size() && i < static_cast<std::size_t>(page * per_page); ++i) {
      write_product(w, *hits[i]);
    }
    w.end_array();
    std::int64_t pages = (static_cast<std::int64_t>(hits.size()) + per_page - 1) / per_page;
    return json_response(200, std::string(w.unchecked_view()),
                         {{"X-WP-Total", std::to_string(hits.size())}, {"X-WP-TotalPages", std::to_string(pages)}});
  }

  // POST products/batch or products/{parent}/variations/batch: only "update" is emulated.
  FakeResponse batch(const FakeRequest& r, std::int64_t parent) {
    auto doc = json::parse(r.body);
    if (!doc || !doc.value().IsObject()) return wc_error(400, "rest_invalid_json", "Invalid JSON body passed.");
    const json::Value* update = json::find(doc.value(), "update");
    std::size_t total = 0;
    for (const char* k : {"create", "update", "delete"}) {
      if (auto v = json::find(doc.value(), k); v && v->IsArray()) total += v->Size();
    }
    if (total > 100) {
      return wc_error(413, "woocommerce_rest_request_entity_too_large",
                      "Unable to accept more than 100 items for this request.");
    }
    ++batches;
    json::Writer w;
    w.begin_object().key("update").begin_array();
    if (update && update->IsArray()) {
      for (const auto& item : update->GetArray()) {
        const json::Value* idv = json::find(item, "id");
        std::int64_t id = idv && idv->IsInt64() ? idv->GetInt64() : 0;
        auto it = products.find(id);
        bool belongs =
            it != products.end() && (parent ? it->second.type == "variation" && it->second.parent_id == parent
                                            : it->second.type != "variation");
        auto item_error = [&](int status, std::string_view code, std::string_view message) {
          w.begin_object().key("id").integer(id).key("error").begin_object();
          w.member("code", code).member("message", message).key("data").begin_object();
          w.key("status").integer(status).end_object().end_object().end_object();
        };
        if (!belongs) {
          item_error(400,
                     parent ? "woocommerce_rest_product_variation_invalid_id" : "woocommerce_rest_product_invalid_id",
                     "Invalid ID.");
          continue;
        }
        Product& p = it->second;
        bool faulted = false;
        for (auto& f : faults) {
          if (f.kind == FaultKind::item_error && f.times > 0 && f.sku == p.sku) {
            --f.times;
            ++faults_injected;
            item_error(f.item_status, f.code, "Injected failure for this item.");
            faulted = true;
            break;
          }
        }
        if (faulted) continue;
        const json::Value* q = json::find(item, "stock_quantity");
        const json::Value* ms = json::find(item, "manage_stock");
        const json::Value* price = json::find(item, "regular_price");
        if ((q && !q->IsInt64() && !q->IsNull()) || (ms && !ms->IsBool()) || (price && !price->IsString())) {
          item_error(400, "rest_invalid_param", "Invalid parameter(s): stock_quantity, manage_stock or regular_price");
          continue;
        }
        if (price && !decimal_price(json::text(*price))) {
          item_error(400, "rest_invalid_param", "regular_price is not a decimal number.");
          continue;
        }
        if (ms) p.manage_stock = ms->GetBool();
        if (q && q->IsInt64()) p.stock = q->GetInt64();
        if (price) p.regular_price = std::string(json::text(*price));
        write_product(w, p);
      }
    }
    w.end_array().end_object();
    return json_response(200, std::string(w.unchecked_view()));
  }

  FakeResponse order_answer(const Order& o) const {
    json::Writer w;
    w.begin_object().key("id").integer(o.id).member("status", std::string_view(o.status));
    w.member("currency", std::string_view(options.currency)).end_object();
    return json_response(200, std::string(w.unchecked_view()));
  }

  FakeResponse route(const FakeRequest& r) {
    if (r.path.compare(0, root.size(), root) != 0)
      return wc_error(404, "rest_no_route", "No route was found matching the URL and request method.");
    auto seg = split(std::string_view(r.path).substr(root.size()), '/');
    const bool get = r.method == "GET";
    if (seg.size() == 1 && seg[0] == "products" && get) return product_list(r, 0);
    if (seg.size() == 2 && seg[0] == "products" && seg[1] == "batch" &&
        (r.method == "POST" || r.method == "PUT" || r.method == "PATCH"))
      return batch(r, 0);
    if (seg.size() >= 2 && seg[0] == "products") {
      auto id = to_id(seg[1]);
      auto it = id ? products.find(*id) : products.end();
      if (it == products.end() || it->second.type == "variation") {
        return wc_error(404, "woocommerce_rest_product_invalid_id", "Invalid ID.");
      }
      if (seg.size() == 2 && get) {
        json::Writer w;
        write_product(w, it->second);
        return json_response(200, std::string(w.unchecked_view()));
      }
      if (seg.size() == 3 && seg[2] == "variations" && get) return product_list(r, *id);
      if (seg.size() == 4 && seg[2] == "variations" && seg[3] == "batch" && r.method == "POST") return batch(r, *id);
      if (seg.size() == 4 && seg[2] == "variations" && get) {
        auto vid = to_id(seg[3]);
        auto v = vid ? products.find(*vid) : products.end();
        if (v == products.end() || v->second.type != "variation" || v->second.parent_id != *id) {
          return wc_error(404, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.");
        }
        json::Writer w;
        write_product(w, v->second);
        return json_response(200, std::string(w.unchecked_view()));
      }
    }
    if (seg.size() >= 2 && seg[0] == "orders") {
      auto id = to_id(seg[1]);
      auto it = id ? orders.find(*id) : orders.end();
      if (it == orders.end()) return wc_error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.");
      Order& o = it->second;
      if (seg.size() == 2 && get) return order_answer(o);
      if (seg.size() == 2 && (r.method == "PUT" || r.method == "POST" || r.method == "PATCH")) {
        auto doc = json::parse(r.body);
        if (!doc || !doc.value().IsObject()) return wc_error(400, "rest_invalid_json", "Invalid JSON body passed.");
        if (auto st = json::find(doc.value(), "status")) {
          static const std::set<std::string_view> valid{"pending",   "processing", "on-hold", "completed",
                                                        "cancelled", "refunded",   "failed"};
          if (!st->IsString() || !valid.count(json::text(*st))) {
            return wc_error(400, "rest_invalid_param", "Invalid parameter(s): status");
          }
          o.status = std::string(json::text(*st));
        }
        return order_answer(o);
      }
      if (seg.size() == 3 && seg[2] == "notes") {
        if (get) {
          json::Writer w;
          w.begin_array();
          for (std::size_t i = o.notes.size(); i-- > 0;) {  // newest first, as WooCommerce lists them
            w.begin_object().key("id").integer(static_cast<std::int64_t>(1000 * o.id + i));
            w.member("note", std::string_view(o.notes[i].note)).member("customer_note", o.notes[i].customer_note);
            w.end_object();
          }
          w.end_array();
          return json_response(200, std::string(w.unchecked_view()));
        }
        if (r.method == "POST") {
          auto doc = json::parse(r.body);
          const json::Value* note = doc ? json::find(doc.value(), "note") : nullptr;
          if (!note || !note->IsString() || json::text(*note).empty()) {
            return wc_error(400, "rest_missing_callback_param", "Missing parameter(s): note");
          }
          const json::Value* cn = json::find(doc.value(), "customer_note");
          o.notes.push_back({std::string(json::text(*note)), cn && cn->IsBool() && cn->GetBool()});
          json::Writer w;
          w.begin_object().key("id").integer(static_cast<std::int64_t>(1000 * o.id + o.notes.size() - 1));
          w.member("note", json::text(*note)).member("customer_note", o.notes.back().customer_note).end_object();
          return json_response(201, std::string(w.unchecked_view()));
        }
      }
    }
    if (seg.size() == 3 && seg[0] == "settings" && seg[1] == "general" && seg[2] == "woocommerce_currency" && get) {
      json::Writer w;
      w.begin_object().member("id", "woocommerce_currency").member("label", "Currency");
      w.member("value", std::string_view(options.currency)).end_object();
      return json_response(200, std::string(w.unchecked_view()));
    }
    return wc_error(404, "rest_no_route", "No route was found matching the URL and request method.");
  }

  std::vector<std::pair<std::string, std::string>> budget_headers() const {
    if (!bucket.limited() || !options.announce_budget) return {};
    return {{"RateLimit-Limit", std::to_string(static_cast<long>(bucket.burst()))},
            {"RateLimit-Remaining", std::to_string(static_cast<long>(std::floor(bucket.remaining())))},
            {"RateLimit-Reset", std::to_string(static_cast<long>(std::ceil(bucket.seconds_to_token())))}};
  }

  FakeResponse handle(const FakeRequest& r) {
    std::lock_guard lock(mutex);
    ++requests;
    for (auto& f : faults) {
      if (f.kind == FaultKind::item_error || f.times <= 0) continue;
      if (!f.path_contains.empty() && r.path.find(f.path_contains) == std::string::npos) continue;
      --f.times;
      ++faults_injected;
      if (f.kind == FaultKind::reset) {
        FakeResponse cut;
        cut.action = FakeResponse::Action::reset;
        return cut;
      }
      if (f.kind == FaultKind::too_many_requests) {
        return wc_error(429, "woocommerce_rest_too_many_requests", "Too many requests.",
                        {{"Retry-After", std::to_string(f.retry_after.count())}});
      }
      return wc_error(f.status, "internal_server_error", "There has been a critical error on this website.");
    }
    if (!bucket.take(clock->now())) {
      ++refused;
      auto headers = budget_headers();
      headers.emplace_back("Retry-After",
                           std::to_string(std::max<long>(1, static_cast<long>(std::ceil(bucket.seconds_to_token())))));
      return wc_error(429, "rate_limit_exceeded", "Too many requests. Please wait and try again.", std::move(headers));
    }
    // HTTP Basic: consumer key as the user, consumer secret as the password.
    std::string auth = r.header("Authorization");
    if (auth.compare(0, 6, "Basic ") != 0) {
      ++auth_failures;
      return wc_error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.");
    }
    auto decoded = channels::crypto::base64_decode(std::string_view(auth).substr(6));
    auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos || decoded->substr(0, colon) != options.consumer_key) {
      ++auth_failures;
      return wc_error(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.");
    }
    if (!channels::crypto::constant_time_equal(decoded->substr(colon + 1), options.consumer_secret)) {
      ++auth_failures;
      return wc_error(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.");
    }
    FakeResponse res = route(r);
    for (auto& h : budget_headers()) res.headers.push_back(std::move(h));
    return res;
  }
};

result<std::unique_ptr<WooCommerceEmulator>> WooCommerceEmulator::start(Options options) {
  if (options.consumer_key.rfind("ck_", 0) != 0 || options.consumer_secret.rfind("cs_", 0) != 0) {
    return Error::validation("WooCommerce emulator: the consumer key starts with ck_ and the secret with cs_");
  }
  auto state = std::make_unique<State>();
  state->clock = options.clock ? options.clock : &Clock::system();
  state->bucket.configure(options.requests_per_second, options.burst, state->clock->now());
  state->options = std::move(options);
  State* raw = state.get();
  auto server = ChannelServer::start([raw](const FakeRequest& r) { return raw->handle(r); }, raw->options.port);
  if (!server) return std::move(server).error();
  state->server = std::move(server).value();
  return std::unique_ptr<WooCommerceEmulator>(new WooCommerceEmulator(std::move(state)));
}

WooCommerceEmulator::WooCommerceEmulator(std::unique_ptr<State> state) : state_(std::move(state)) {}
WooCommerceEmulator::~WooCommerceEmulator() { stop(); }

std::string WooCommerceEmulator::url() const { return state_->server->url(); }
std::string WooCommerceEmulator::base_url() const { return url() + "/wp-json/wc/v3"; }
void WooCommerceEmulator::stop() { state_->server->stop(); }

std::int64_t WooCommerceEmulator::seed_product(const std::string& sku, std::optional<std::int64_t> stock,
                                               const std::string& price) {
  std::lock_guard lock(state_->mutex);
  Product p;
  p.id = state_->next_id++;
  p.sku = sku;
  p.manage_stock = stock.has_value();
  p.stock = stock;
  p.regular_price = price;
  state_->products[p.id] = p;
  return p.id;
}

std::int64_t WooCommerceEmulator::seed_variable_product(const std::string& sku) {
  std::lock_guard lock(state_->mutex);
  Product p;
  p.id = state_->next_id++;
  p.sku = sku;
  p.type = "variable";
  state_->products[p.id] = p;
  return p.id;
}

std::int64_t WooCommerceEmulator::seed_variation(std::int64_t parent_id, const std::string& sku,
                                                 std::optional<std::int64_t> stock, const std::string& price) {
  std::lock_guard lock(state_->mutex);
  Product p;
  p.id = state_->next_id++;
  p.sku = sku;
  p.type = "variation";
  p.parent_id = parent_id;
  p.manage_stock = stock.has_value();
  p.stock = stock;
  p.regular_price = price;
  state_->products[p.id] = p;
  return p.id;
}

std::int64_t WooCommerceEmulator::seed_order(const std::string& status) {
  std::lock_guard lock(state_->mutex);
  Order o;
  o.id = state_->next_id++;
  o.status = status;
  state_->orders[o.id] = o;
  return o.id;
}

bool WooCommerceEmulator::simulate_sale(const std::string& sku, std::int64_t quantity) {
  std::lock_guard lock(state_->mutex);
  Product* p = state_->by_sku(sku);
  if (!p || !p->manage_stock || !p->stock) return false;
  *p->stock -= quantity;
  return true;
}

std::optional<std::int64_t> WooCommerceEmulator::stock(const std::string& sku) const {
  std::lock_guard lock(state_->mutex);
  Product* p = state_->by_sku(sku);
  if (!p || !p->manage_stock) return std::nullopt;
  return p->stock;
}

std::optional<std::string> WooCommerceEmulator::regular_price(const std::string& sku) const {
  std::lock_guard lock(state_->mutex);
  Product* p = state_->by_sku(sku);
  if (!p) return std::nullopt;
  return p->regular_price;
}

std::optional<std::string> WooCommerceEmulator::order_status(std::int64_t id) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->orders.find(id);
  if (it == state_->orders.end()) return std::nullopt;
  return it->second.status;
}

std::vector<WooCommerceEmulator::OrderNote> WooCommerceEmulator::order_notes(std::int64_t id) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->orders.find(id);
  if (it == state_->orders.end()) return {};
  return it->second.notes;
}

void WooCommerceEmulator::set_credentials(const std::string& consumer_key, const std::string& consumer_secret) {
  std::lock_guard lock(state_->mutex);
  state_->options.consumer_key = consumer_key;
  state_->options.consumer_secret = consumer_secret;
}

void WooCommerceEmulator::set_rate(double requests_per_second, double burst) {
  std::lock_guard lock(state_->mutex);
  state_->bucket.configure(requests_per_second, burst, state_->clock->now());
}

void WooCommerceEmulator::inject(Fault fault) {
  std::lock_guard lock(state_->mutex);
  state_->faults.push_back(std::move(fault));
}

std::uint64_t WooCommerceEmulator::faults_injected() const {
  std::lock_guard lock(state_->mutex);
  return state_->faults_injected;
}

std::uint64_t WooCommerceEmulator::faults_pending() const {
  std::lock_guard lock(state_->mutex);
  std::uint64_t n = 0;
  for (const auto& f : state_->faults) n += static_cast<std::uint64_t>(std::max(0, f.times));
  return n;
}

std::uint64_t WooCommerceEmulator::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}
std::uint64_t WooCommerceEmulator::refused_429() const {
  std::lock_guard lock(state_->mutex);
  return state_->refused;
}
std::uint64_t WooCommerceEmulator::batch_requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->batches;
}
std::uint64_t WooCommerceEmulator::auth_failures() const {
  std::lock_guard lock(state_->mutex);
  return state_->auth_failures;
}

}  // namespace channel_emulator
}  // namespace v0
}  // namespace odoosync
