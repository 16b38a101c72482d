// The WooCommerce REST API v3 push client (include/odoosync/push/woocommerce.hpp; docs/push/woocommerce.md).
#include <odoosync/push/woocommerce.hpp>

#include "rest_session.hpp"

#include <odoosync/channels/crypto.hpp>
#include <odoosync/core/json.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/http/url.hpp>

#include <algorithm>
#include <map>

namespace odoosync {
inline namespace v0 {
namespace push {

namespace {

constexpr std::string_view provider_name = "woocommerce";

std::optional<std::int64_t> int_of(const json::Value* v) {
  if (!v) return std::nullopt;
  if (v->IsInt64()) return v->GetInt64();
  if (v->IsString()) return detail::whole_units(json::text(*v));
  if (v->IsDouble()) {
    double d = v->GetDouble();
    if (d >= 0 && d < 9e15 && static_cast<double>(static_cast<std::int64_t>(d)) == d)
      return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

std::string str_of(const json::Value* v) { return v ? std::string(json::text(*v)) : std::string(); }

struct Answer {
  int status = 0;
  json::Document doc;
};

class WooCommerceClient final : public ChannelClient {
 public:
  struct Target {
    std::int64_t id = 0;
    std::int64_t parent = 0;  // 0: a product; else the variable product this variation belongs to
  };

  WooCommerceClient(ChannelEndpoint endpoint, detail::RestSession::Options options, std::string base,
                    std::size_t batch_size, std::optional<std::string> currency, std::chrono::seconds rescan,
                    double rate)
      : endpoint_(std::move(endpoint)),
        session_(std::move(options)),
        base_(std::move(base)),
        batch_size_(batch_size),
        currency_(std::move(currency)),
        rescan_(rescan),
        rate_(rate) {}

  std::string_view provider() const noexcept override { return provider_name; }

  ChannelLimits limits() const override {
    ChannelLimits l;
    l.max_levels_per_call = woocommerce::max_batch_objects;
    l.max_prices_per_call = woocommerce::max_batch_objects;
    l.sustained_rate = rate_;
    l.unit = "requests";
    return l;
  }

  result<std::vector<ItemResult>> set_levels(std::span<const Level> levels) override {
    std::vector<ItemResult> out(levels.size());
    std::vector<bool> settled(levels.size(), false);
    std::vector<std::string> skus;
    for (std::size_t i = 0; i < levels.size(); ++i) {
      if (!levels[i].location.empty()) {
        settle(out, settled, i, Outcome::rejected,
               "WooCommerce keeps one stock per product: location '" + levels[i].location + "' cannot be set");
      } else if (levels[i].quantity < 0) {
        settle(out, settled, i, Outcome::rejected, "a negative quantity cannot be pushed");
      } else {
        skus.push_back(levels[i].sku);
      }
    }
    bool applied_any = false;
    auto give_up = [&](Error e) -> result<std::vector<ItemResult>> {
      if (!applied_any) return e;
      for (std::size_t i = 0; i < out.size(); ++i) {
        if (!settled[i]) settle(out, settled, i, Outcome::retry, e.message());
      }
      return out;
    };
    if (auto r = resolve_all(skus); !r) return give_up(r.error());

    // Compare-and-set, as far as WooCommerce allows: read the quantities now and leave out what differs.
    std::map<std::int64_t, std::vector<std::size_t>> to_check;  // parent -> items
    std::vector<Target> targets(levels.size());                 // taken now: a 404 below may drop a cache entry
    for (std::size_t i = 0; i < levels.size(); ++i) {
      if (settled[i]) continue;
      auto t = cached(levels[i].sku);
      if (t) targets[i] = *t;
      if (!t) {
        settle(out, settled, i, Outcome::not_listed, "no product or variation has SKU '" + levels[i].sku + "'");
      } else if (levels[i].expected) {
        to_check[t->parent].push_back(i);
      }
    }
    for (const auto& [parent, items] : to_check) {
      for (std::size_t from = 0; from < items.size(); from += woocommerce::max_page_size) {
        std::size_t to = std::min(items.size(), from + woocommerce::max_page_size);
        std::string ids;
        for (std::size_t k = from; k < to; ++k) {
          ids += (ids.empty() ? "" : ",") + std::to_string(targets[items[k]].id);
        }
        std::string path = parent ? "products/" + std::to_string(parent) + "/variations" : std::string("products");
        auto got = call(http::Method::get, path + "?include=" + ids + "&per_page=100", "", "GET " + path);
        if (!got) return give_up(got.error());
        if (got.value().status == 404) {
          for (std::size_t k = from; k < to; ++k) forget_and_unlist(out, settled, items[k], levels[items[k]].sku);
          continue;
        }
        if (auto ok = expect_ok(got.value(), "GET " + path, true); !ok) return give_up(ok.error());
        std::map<std::int64_t, std::optional<std::int64_t>> stock;
        for (const auto& p : got.value().doc.GetArray()) {
          auto id = int_of(json::find(p, "id"));
          if (id) stock[*id] = int_of(json::find(p, "stock_quantity"));
        }
        for (std::size_t k = from; k < to; ++k) {
          std::size_t i = items[k];
          auto it = stock.find(targets[i].id);
          if (it == stock.end()) {
            forget_and_unlist(out, settled, i, levels[i].sku);
          } else if (it->second && *it->second != *levels[i].expected) {
            out[i].channel_quantity = it->second;
            settle(out, settled, i, Outcome::stale,
                   "WooCommerce holds " + std::to_string(*it->second) + ", expected " +
                       std::to_string(*levels[i].expected));
          }
        }
      }
    }

    auto write = write_batches(
        targets, out, settled, applied_any, [&](std::size_t i) { return levels[i].sku; },
        [&](std::size_t i, json::Writer& w) {
          w.key("stock_quantity").integer(levels[i].quantity);
          w.member("manage_stock", true);
        });
    if (!write) return give_up(write.error());
    return out;
  }

  result<std::vector<ItemResult>> set_prices(std::span<const Price> prices) override {
    std::vector<ItemResult> out(prices.size());
    std::vector<bool> settled(prices.size(), false);
    bool applied_any = false;
    auto give_up = [&](Error e) -> result<std::vector<ItemResult>> {
      if (!applied_any) return e;
      for (std::size_t i = 0; i < out.size(); ++i) {
        if (!settled[i]) settle(out, settled, i, Outcome::retry, e.message());
      }
      return out;
    };
    if (!currency_) {
      auto got = call(http::Method::get, "settings/general/woocommerce_currency", "", "GET settings/general");
      if (!got) return got.error();
      if (auto ok = expect_ok(got.value(), "GET settings/general/woocommerce_currency", false); !ok) return ok.error();
      auto v = json::find(got.value().doc, "value");
      if (!v || !v->IsString() || json::text(*v).size() != 3) {
        return Error::protocol(session_.prefix() + ": the store's currency setting has no ISO 4217 code");
      }
      currency_ = std::string(json::text(*v));
    }
    std::vector<std::string> skus;
    for (std::size_t i = 0; i < prices.size(); ++i) {
      if (prices[i].price.currency().code() != *currency_) {
        settle(out, settled, i, Outcome::rejected,
               "price in " + std::string(prices[i].price.currency().code()) + " but the store sells in " + *currency_);
      } else if (prices[i].price.is_negative()) {
        settle(out, settled, i, Outcome::rejected, "a negative price cannot be pushed");
      } else {
        skus.push_back(prices[i].sku);
      }
    }
    if (auto r = resolve_all(skus); !r) return give_up(r.error());
    std::vector<Target> targets(prices.size());
    for (std::size_t i = 0; i < prices.size(); ++i) {
      if (settled[i]) continue;
      if (auto t = cached(prices[i].sku)) {
        targets[i] = *t;
      } else {
        settle(out, settled, i, Outcome::not_listed, "no product or variation has SKU '" + prices[i].sku + "'");
      }
    }
    auto write = write_batches(
        targets, out, settled, applied_any, [&](std::size_t i) { return prices[i].sku; },
        [&](std::size_t i, json::Writer& w) { w.member("regular_price", prices[i].price.amount()); });
    if (!write) return give_up(write.error());
    return out;
  }

  result<std::vector<ItemResult>> fulfil(std::span<const Fulfilment> fulfilments) override {
    std::vector<ItemResult> out(fulfilments.size());
    std::vector<bool> settled(fulfilments.size(), false);
    bool applied_any = false;
    for (std::size_t i = 0; i < fulfilments.size(); ++i) {
      const Fulfilment& f = fulfilments[i];
      auto done = fulfil_one(f);
      if (!done) {
        if (!applied_any) return done.error();
        for (std::size_t k = i; k < out.size(); ++k) settle(out, settled, k, Outcome::retry, done.error().message());
        return out;
      }
      out[i] = std::move(done).value();
      settled[i] = true;
      if (out[i].outcome == Outcome::applied) applied_any = true;
    }
    return out;
  }

  result<std::optional<std::int64_t>> read_level(std::string_view sku, std::string_view location) override {
    if (!location.empty()) return std::optional<std::int64_t>{};
    std::vector<std::string> one{std::string(sku)};
    ODOOSYNC_TRYV(resolve_all(one));
    auto t = cached(sku);
    if (!t) return std::optional<std::int64_t>{};
    std::string path = t->parent ? "products/" + std::to_string(t->parent) + "/variations/" + std::to_string(t->id)
                                 : "products/" + std::to_string(t->id);
    ODOOSYNC_TRY(got, call(http::Method::get, path, "", "GET " + path));
    if (got.status == 404) {
      cache_.erase(std::string(sku));
      return std::optional<std::int64_t>{};
    }
    ODOOSYNC_TRYV(expect_ok(got, "GET " + path, false));
    return int_of(json::find(got.doc, "stock_quantity"));
  }

 private:
  static void settle(std::vector<ItemResult>& out, std::vector<bool>& settled, std::size_t i, Outcome o,
                     std::string message) {
    out[i].outcome = o;
    out[i].message = std::move(message);
    settled[i] = true;
  }

  void forget_and_unlist(std::vector<ItemResult>& out, std::vector<bool>& settled, std::size_t i,
                         const std::string& sku) {
    cache_.erase(sku);
    settle(out, settled, i, Outcome::not_listed, "SKU '" + sku + "' is no longer in the store");
  }

  std::optional<Target> cached(std::string_view sku) const {
    auto it = cache_.find(std::string(sku));
    if (it == cache_.end()) return std::nullopt;
    return it->second;
  }

  result<void> authorize(http::Request& req, bool refresh) {
    auto key_source = endpoint_.secrets.at("consumer_key");
    auto secret_source = endpoint_.secrets.at("consumer_secret");
    auto key = refresh ? key_source->refresh() : key_source->current();
    if (!key) return Error(ErrorKind::auth, "cannot read secret 'consumer_key': " + key.error().message());
    auto secret = refresh ? secret_source->refresh() : secret_source->current();
    if (!secret) return Error(ErrorKind::auth, "cannot read secret 'consumer_secret': " + secret.error().message());
    session_.remember(key.value());
    session_.remember(secret.value());
    std::string pair = std::string(key.value().reveal()) + ":" + std::string(secret.value().reveal());
    req.headers.set("Authorization", "Basic " + channels::crypto::base64_encode(pair));
    std::fill(pair.begin(), pair.end(), '\0');
    return success();
  }

  result<Answer> call(http::Method method, const std::string& path, std::string body, const std::string& what) {
    http::Request req;
    req.method = method;
    req.url = base_ + "/" + path;
    req.idempotent = method == http::Method::get || method == http::Method::put;
    req.headers.set("Accept", "application/json");
    if (!body.empty()) {
      req.headers.set("Content-Type", "application/json");
      req.body = std::move(body);
    }
    ODOOSYNC_TRY(res,
                 session_.send(
                     std::move(req), [this](http::Request& r, bool refresh) { return authorize(r, refresh); }, what));
    Answer a;
    a.status = res.status;
    if (res.status >= 200 && res.status < 300) {
      auto parsed = json::parse(res.body);
      if (!parsed) {
        return Error::protocol(session_.prefix() + ": " + what +
                               " answered with a body that is not JSON: " + parsed.error().message());
      }
      a.doc = std::move(parsed).value();
    } else {
      auto parsed = json::parse(res.body);
      if (parsed) a.doc = std::move(parsed).value();
      // 5xx (and anything not 4xx) is the whole call's failure; a 4xx is an answer the caller judges.
      if (res.status < 400 || res.status >= 500) return session_.status_error(res, what, error_text(a.doc));
    }
    return a;
  }

  std::string error_text(const json::Value& doc) const {
    auto code = json::find(doc, "code");
    auto message = json::find(doc, "message");
    if (!code && !message) return "";
    return session_.scrub(std::string(code ? json::text(*code) : "") + ": " +
                          std::string(message ? json::text(*message) : ""));
  }

  result<void> expect_ok(const Answer& a, const std::string& what, bool array) const {
    if (a.status < 200 || a.status >= 300) {
      return Error::http_status(a.status, session_.prefix() + ": HTTP " + std::to_string(a.status) + " to " + what +
                                              ": " + error_text(a.doc));
    }
    if (array ? !a.doc.IsArray() : !a.doc.IsObject()) {
      return Error::protocol(session_.prefix() + ": " + what + " answered with an unexpected shape");
    }
    return success();
  }

  // SKU -> product or variation id: GET products?sku=A,B,... (WooCommerce takes a comma-separated list;
  // recent versions also return variations, with parent_id), then, for SKUs still unknown, one scan of
  // every variable product's variations (at most every rescan_ seconds). Cached for the client's life.
  result<void> resolve_all(const std::vector<std::string>& skus) {
    std::vector<std::string> unknown;
    for (const auto& s : skus) {
      if (!cache_.count(s) && std::find(unknown.begin(), unknown.end(), s) == unknown.end()) unknown.push_back(s);
    }
    if (unknown.empty()) return success();
    std::vector<std::string> group;
    std::size_t group_chars = 0;
    auto flush = [&]() -> result<void> {
      if (group.empty()) return success();
      std::string list;
      for (const auto& s : group) list += (list.empty() ? "" : ",") + detail::percent_encode(s);
      group.clear();
      group_chars = 0;
      ODOOSYNC_TRY(got, call(http::Method::get, "products?sku=" + list + "&per_page=100", "", "GET products?sku="));
      ODOOSYNC_TRYV(expect_ok(got, "GET products?sku=", true));
      for (const auto& p : got.doc.GetArray()) {
        auto sku = json::find(p, "sku");
        auto id = int_of(json::find(p, "id"));
        if (!sku || !sku->IsString() || !id) continue;
        Target t{*id, 0};
        auto type = json::find(p, "type");
        if (type && json::text(*type) == "variation") t.parent = int_of(json::find(p, "parent_id")).value_or(0);
        if (type && json::text(*type) == "variation" && t.parent == 0) continue;
        cache_[std::string(json::text(*sku))] = t;
      }
      return success();
    };
    for (const auto& s : unknown) {
      // A SKU with a comma cannot share the list; the URL stays well under common limits.
      if (s.find(',') != std::string::npos) {
        ODOOSYNC_TRYV(flush());
        group.push_back(s);
        ODOOSYNC_TRYV(flush());
        continue;
      }
      group.push_back(s);
      group_chars += s.size();
      if (group.size() >= 50 || group_chars > 1500) {
        ODOOSYNC_TRYV(flush());
      }
    }
    ODOOSYNC_TRYV(flush());
    bool missing = false;
    for (const auto& s : unknown) {
      if (cache_.count(s)) continue;
      if (auto it = variations_.find(s); it != variations_.end()) {
        cache_[s] = it->second;
      } else {
        missing = true;
      }
    }
    auto now = session_.clock().now();
    if (missing && (!last_scan_ || now - *last_scan_ >= rescan_)) {
      ODOOSYNC_TRYV(scan_variations());
      last_scan_ = now;
      for (const auto& s : unknown) {
        if (cache_.count(s)) continue;
        if (auto it = variations_.find(s); it != variations_.end()) cache_[s] = it->second;
      }
    }
    return success();
  }

  result<void> scan_variations() {
    variations_.clear();
    for (int page = 1; page < 10000; ++page) {
      ODOOSYNC_TRY(got, call(http::Method::get, "products?type=variable&per_page=100&page=" + std::to_string(page), "",
                             "GET products?type=variable"));
      ODOOSYNC_TRYV(expect_ok(got, "GET products?type=variable", true));
      std::vector<std::int64_t> parents;
      for (const auto& p : got.doc.GetArray()) {
        if (auto id = int_of(json::find(p, "id"))) parents.push_back(*id);
      }
      for (auto parent : parents) {
        for (int vpage = 1; vpage < 10000; ++vpage) {
          std::string path = "products/" + std::to_string(parent) + "/variations";
          ODOOSYNC_TRY(
              v, call(http::Method::get, path + "?per_page=100&page=" + std::to_string(vpage), "", "GET " + path));
          if (v.status == 404) break;
          ODOOSYNC_TRYV(expect_ok(v, "GET " + path, true));
          for (const auto& x : v.doc.GetArray()) {
            auto sku = json::find(x, "sku");
            auto id = int_of(json::find(x, "id"));
            if (sku && sku->IsString() && id && !json::text(*sku).empty()) {
              variations_[std::string(json::text(*sku))] = Target{*id, parent};
            }
          }
          if (v.doc.Size() < woocommerce::max_page_size) break;
        }
      }
      if (got.doc.Size() < woocommerce::max_page_size) break;
    }
    return success();
  }

  // Writes every unsettled item: products through products/batch, variations through their parent's
  // variations/batch, at most batch_size_ objects a request; each answer's items say, in order, which
  // were refused ({"id": .., "error": {"code", "message", "data": {"status"}}}).
  template <class SkuOf, class Fields>
  result<void> write_batches(const std::vector<Target>& targets, std::vector<ItemResult>& out,
                             std::vector<bool>& settled, bool& applied_any, SkuOf sku_of, Fields fields) {
    std::map<std::int64_t, std::vector<std::size_t>> groups;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      if (!settled[i]) groups[targets[i].parent].push_back(i);
    }
    for (const auto& [parent, items] : groups) {
      std::string path =
          parent ? "products/" + std::to_string(parent) + "/variations/batch" : std::string("products/batch");
      for (std::size_t from = 0; from < items.size(); from += batch_size_) {
        std::size_t to = std::min(items.size(), from + batch_size_);
        json::Writer w;
        w.begin_object().key("update").begin_array();
        for (std::size_t k = from; k < to; ++k) {
          w.begin_object().key("id").integer(targets[items[k]].id);
          fields(items[k], w);
          w.end_object();
        }
        w.end_array().end_object();
        ODOOSYNC_TRY(body, w.view());
        ODOOSYNC_TRY(got, call(http::Method::post, path, std::string(body), "POST " + path));
        if (got.status == 404) {  // the parent product is gone
          for (std::size_t k = from; k < to; ++k) forget_and_unlist(out, settled, items[k], sku_of(items[k]));
          continue;
        }
        ODOOSYNC_TRYV(expect_ok(got, "POST " + path, false));
        auto update = json::find(got.doc, "update");
        if (!update || !update->IsArray() || update->Size() != to - from) {
          return Error::protocol(session_.prefix() + ": POST " + path + " answered without one result per item")
              .with_outcome_unknown(true);
        }
        for (std::size_t k = from; k < to; ++k) {
          std::size_t i = items[k];
          const json::Value& item = (*update)[static_cast<rapidjson::SizeType>(k - from)];
          const json::Value* err = json::find(item, "error");
          if (!err || !err->IsObject()) {
            settle(out, settled, i, Outcome::applied, "");
            applied_any = true;
            continue;
          }
          std::string code = str_of(json::find(*err, "code"));
          std::string text = session_.scrub(code + ": " + str_of(json::find(*err, "message")));
          int status = 0;
          if (auto data = json::find(*err, "data"))
            status = static_cast<int>(int_of(json::find(*data, "status")).value_or(0));
          if (status == 404 || code.find("invalid_id") != std::string::npos) {
            cache_.erase(sku_of(i));
            settle(out, settled, i, Outcome::not_listed, text);
          } else if (status >= 500 || status == 409 || status == 429) {
            settle(out, settled, i, Outcome::retry, text);
          } else {
            settle(out, settled, i, Outcome::rejected, text);
          }
        }
      }
    }
    return success();
  }

  result<ItemResult> fulfil_one(const Fulfilment& f) {
    ItemResult r;
    if (f.order_id.empty() || f.order_id.size() > 18 ||
        f.order_id.find_first_not_of("0123456789") != std::string::npos) {
      r.outcome = Outcome::not_listed;
      r.message = "WooCommerce order ids are numbers; '" + f.order_id + "' is not one";
      return r;
    }
    if (f.shipment.empty()) {
      r.outcome = Outcome::rejected;
      r.message = "a fulfilment needs its shipment (Odoo's picking name) to be recorded once";
      return r;
    }
    const std::string order = "orders/" + f.order_id;
    ODOOSYNC_TRY(got, call(http::Method::get, order, "", "GET orders/{id}"));
    if (got.status == 404) {
      r.outcome = Outcome::not_listed;
      r.message = "no order " + f.order_id + " in the store";
      return r;
    }
    auto refused = [&](const Answer& a, const char* what) {
      r.outcome = Outcome::rejected;
      r.message = std::string(what) + " refused (HTTP " + std::to_string(a.status) + "): " + error_text(a.doc);
      return r;
    };
    if (got.status >= 400) return refused(got, "GET orders/{id}");
    ODOOSYNC_TRYV(expect_ok(got, "GET orders/{id}", false));
    std::string status = str_of(json::find(got.doc, "status"));
    if (status == "cancelled" || status == "refunded" || status == "failed" || status == "trash") {
      r.outcome = Outcome::rejected;
      r.message = "order " + f.order_id + " is " + status + ": not marked shipped";
      return r;
    }
    // Idempotent by shipment: the note carries the shipment's name, so a retry after a lost answer finds
    // it and adds no second note.
    const std::string marker = "(shipment " + f.shipment + ")";
    ODOOSYNC_TRY(notes, call(http::Method::get, order + "/notes", "", "GET orders/{id}/notes"));
    if (notes.status >= 400) return refused(notes, "GET orders/{id}/notes");
    ODOOSYNC_TRYV(expect_ok(notes, "GET orders/{id}/notes", true));
    bool noted = false;
    for (const auto& n : notes.doc.GetArray()) {
      auto text = json::find(n, "note");
      if (text && json::text(*text).find(marker) != std::string_view::npos) noted = true;
    }
    if (!noted) {
      std::string note = "Shipped";
      if (!f.carrier.empty()) note += " with " + f.carrier;
      if (!f.tracking_number.empty()) note += ", tracking " + f.tracking_number;
      if (!f.tracking_url.empty()) note += " " + f.tracking_url;
      note += " " + marker;
      json::Writer w;
      w.begin_object().member("note", std::string_view(note)).member("customer_note", f.notify_customer).end_object();
      ODOOSYNC_TRY(body, w.view());
      ODOOSYNC_TRY(added, call(http::Method::post, order + "/notes", std::string(body), "POST orders/{id}/notes"));
      if (added.status >= 400) return refused(added, "POST orders/{id}/notes");
      ODOOSYNC_TRYV(expect_ok(added, "POST orders/{id}/notes", false));
    }
    if (status != "completed") {
      ODOOSYNC_TRY(put, call(http::Method::put, order, R"({"status":"completed"})", "PUT orders/{id}"));
      if (put.status >= 400) return refused(put, "PUT orders/{id}");
      ODOOSYNC_TRYV(expect_ok(put, "PUT orders/{id}", false));
    }
    r.outcome = Outcome::applied;
    return r;
  }

  ChannelEndpoint endpoint_;
  detail::RestSession session_;
  std::string base_;
  std::size_t batch_size_;
  std::optional<std::string> currency_;
  std::chrono::seconds rescan_;
  double rate_;
  std::map<std::string, Target, std::less<>> cache_;
  std::map<std::string, Target, std::less<>> variations_;
  std::optional<Clock::time_point> last_scan_;
};

}  // namespace

result<std::unique_ptr<ChannelClient>> make_woocommerce_client(const ChannelEndpoint& endpoint, ClientDeps deps) {
  const std::string p = detail::channel_prefix(endpoint, provider_name);
  ODOOSYNC_TRYV(detail::check_keys(
      endpoint, provider_name,
      {"allow_insecure_loopback", "requests_per_second", "currency", "batch_size", "variation_rescan_seconds"},
      {"consumer_key", "consumer_secret"}));
  auto url = http::parse_url(endpoint.base_url);
  if (!url) return Error::validation(p + ": base_url: " + url.error().message());
  ODOOSYNC_TRY(insecure_ok, detail::bool_setting(endpoint, provider_name, "allow_insecure_loopback", false));
  if (url.value().scheme != "https") {
    if (!insecure_ok || url.value().host != "127.0.0.1") {
      return Error::validation(p +
                               ": base_url must be https: WooCommerce takes the consumer key and secret as "
                               "HTTP Basic credentials over HTTPS only (allow_insecure_loopback permits "
                               "http://127.0.0.1 for tests)");
    }
  }
  if (endpoint.base_url.find('?') != std::string::npos) {
    return Error::validation(p +
                             ": base_url must be the REST root without a query (https://shop.example/wp-json/wc/v3)");
  }
  std::string base = endpoint.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  ODOOSYNC_TRY(rate, detail::rate_setting(endpoint, provider_name, "requests_per_second", 0));
  std::size_t batch = woocommerce::max_batch_objects;
  if (auto b = detail::text_setting(endpoint, "batch_size")) {
    auto n = detail::whole_units(*b);
    if (!n || *n < 1 || *n > static_cast<std::int64_t>(woocommerce::max_batch_objects)) {
      return Error::validation(p + ": setting 'batch_size' must be a whole number from 1 to 100");
    }
    batch = static_cast<std::size_t>(*n);
  }
  std::optional<std::string> currency = detail::text_setting(endpoint, "currency");
  if (currency) {
    auto c = retail::Currency::of(*currency);
    if (!c) return Error::validation(p + ": setting 'currency': " + c.error().message());
  }
  std::chrono::seconds rescan{600};
  if (auto s = detail::text_setting(endpoint, "variation_rescan_seconds")) {
    auto n = detail::whole_units(*s);
    if (!n) return Error::validation(p + ": setting 'variation_rescan_seconds' must be a whole number of seconds");
    rescan = std::chrono::seconds(*n);
  }
  if (!deps.transport) {
    ODOOSYNC_TRY(t, http::CurlTransport::create());
    deps.transport = std::move(t);
  }
  detail::RestSession::Options o;
  o.prefix = p;
  o.transport = std::move(deps.transport);
  o.clock = deps.clock ? deps.clock : &Clock::system();
  o.requests_per_second = rate;
  if (endpoint.timeout) o.timeout = *endpoint.timeout;
  return std::unique_ptr<ChannelClient>(
      new WooCommerceClient(endpoint, std::move(o), std::move(base), batch, std::move(currency), rescan, rate));
}

}  // namespace push
}  // namespace v0
}  // namespace odoosync
