// The Square push client (include/odoosync/push/square.hpp; docs/push/square.md).
#include <odoosync/push/square.hpp>

#include "rest_session.hpp"

#include <odoosync/core/json.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/http/url.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace odoosync {
inline namespace v0 {
namespace push {

namespace {

constexpr std::string_view provider_name = "square";

std::string str_of(const json::Value* v) { return v ? std::string(json::text(*v)) : std::string(); }

struct Answer {
  int status = 0;
  json::Document doc;
};

struct SquareError {
  std::string code;
  std::string text;                   // "CODE (field): detail"
  std::optional<std::size_t> change;  // from a field "changes[3]...."
};

std::vector<SquareError> square_errors(const json::Value& doc) {
  std::vector<SquareError> out;
  auto errors = json::find(doc, "errors");
  if (!errors || !errors->IsArray()) return out;
  for (const auto& e : errors->GetArray()) {
    SquareError se;
    se.code = str_of(json::find(e, "code"));
    std::string field = str_of(json::find(e, "field"));
    se.text = se.code + (field.empty() ? "" : " (" + field + ")") + ": " + str_of(json::find(e, "detail"));
    if (field.rfind("changes[", 0) == 0) {
      auto close = field.find(']');
      if (auto n = detail::whole_units(std::string_view(field).substr(8, close == std::string::npos ? 0 : close - 8))) {
        se.change = static_cast<std::size_t>(*n);
      }
    }
    out.push_back(std::move(se));
  }
  return out;
}

std::string joined(const std::vector<SquareError>& errors) {
  std::string s;
  for (const auto& e : errors) s += (s.empty() ? "" : "; ") + e.text;
  return s;
}

class SquareClient final : public ChannelClient {
 public:
  SquareClient(ChannelEndpoint endpoint, detail::RestSession::Options options, std::string base, std::string version,
               std::string location, std::optional<std::string> currency, double rate)
      : endpoint_(std::move(endpoint)),
        session_(std::move(options)),
        base_(std::move(base)),
        version_(std::move(version)),
        location_(std::move(location)),
        currency_(std::move(currency)),
        rate_(rate) {}

  std::string_view provider() const noexcept override { return provider_name; }

  ChannelLimits limits() const override {
    ChannelLimits l;
    l.max_levels_per_call = square::max_changes_per_request;
    l.max_prices_per_call = square::max_prices_per_request;
    l.sustained_rate = rate_;
    l.unit = "requests";
    return l;
  }

  result<std::vector<ItemResult>> set_levels(std::span<const Level> levels) override {
    std::vector<ItemResult> out(levels.size());
    std::vector<bool> settled(levels.size(), false);
    std::vector<std::string> skus;
    const retail::Timestamp now = retail::Timestamp::from(session_.clock().wall_now());
    const auto max_age = std::chrono::duration_cast<std::chrono::seconds>(square::max_count_age).count();
    std::vector<std::string> occurred(levels.size());
    for (std::size_t i = 0; i < levels.size(); ++i) {
      const Level& l = levels[i];
      // Square applies a physical count at its occurred_at and its own sales after that instant on top,
      // so the count is Odoo's level as of its write_date. Square refuses one in the future (Odoo's clock
      // ahead of Square's: now is used) or older than 24 hours. An older write_date is a level that has not
      // moved since (stock that sold nowhere for a day): it is still Odoo's level at the oldest instant
      // Square takes, and a Square sale after that instant, which Odoo would have turned into a newer
      // write_date had it heard of it, is kept on top.
      retail::Timestamp at = l.as_of;
      if (at.seconds == 0 || at > now) at = now;
      if (now.seconds - at.seconds > max_age) at = retail::Timestamp{now.seconds - max_age, 0};
      if (location_of(l).empty()) {
        settle(out, settled, i, Outcome::rejected, "no Square location: the level has none and no location_id is set");
      } else if (l.quantity < 0) {
        settle(out, settled, i, Outcome::rejected, "a negative quantity cannot be pushed");
      } else {
        occurred[i] = at.to_string();
        skus.push_back(l.sku);
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
    std::vector<std::size_t> pending;
    std::vector<std::string> ids(levels.size());  // taken now: a NOT_FOUND below may drop a cache entry
    for (std::size_t i = 0; i < levels.size(); ++i) {
      if (settled[i]) continue;
      if (!unlisted(out, settled, i, levels[i].sku)) {
        pending.push_back(i);
        ids[i] = cache_.at(levels[i].sku);
      }
    }
    for (std::size_t from = 0; from < pending.size(); from += square::max_changes_per_request) {
      std::vector<std::size_t> chunk(pending.begin() + static_cast<std::ptrdiff_t>(from),
                                     pending.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                           pending.size(), from + square::max_changes_per_request)));
      // Square refuses the whole request when one change is invalid; the refused changes are named by
      // index, and the rest is sent once more on its own.
      for (int round = 0; round < 2 && !chunk.empty(); ++round) {
        json::Writer changes;
        changes.begin_array();
        for (std::size_t i : chunk) {
          const Level& l = levels[i];
          changes.begin_object().member("type", "PHYSICAL_COUNT").key("physical_count").begin_object();
          if (!l.key.empty()) changes.member("reference_id", std::string_view(l.key));
          changes.member("catalog_object_id", std::string_view(ids[i]));
          changes.member("state", "IN_STOCK");
          changes.member("location_id", location_of(l));
          changes.member("quantity", std::string_view(std::to_string(l.quantity)));
          changes.member("occurred_at", std::string_view(occurred[i]));
          changes.end_object().end_object();
        }
        changes.end_array();
        ODOOSYNC_TRY(changes_text, changes.view());
        // Square dedupes by idempotency key; the key is the content's hash, so a resend of the same
        // changes (a retry after a lost answer) is the same request, and different changes never share one.
        std::string key = "odoosync-" + detail::sha256_hex(changes_text).substr(0, 48);
        json::Writer body;
        body.begin_object().member("idempotency_key", std::string_view(key)).key("changes").raw(changes_text);
        body.member("ignore_unchanged_counts", false).end_object();
        ODOOSYNC_TRY(body_text, body.view());
        auto got = call(http::Method::post, "/v2/inventory/changes/batch-create", std::string(body_text),
                        "POST /v2/inventory/changes/batch-create");
        if (!got) return give_up(got.error());
        if (got.value().status >= 200 && got.value().status < 300) {
          for (std::size_t i : chunk) settle(out, settled, i, Outcome::applied, "");
          applied_any = true;
          break;
        }
        auto errors = square_errors(got.value().doc);
        std::vector<std::size_t> rest;
        bool named = false;
        for (const auto& e : errors) named = named || (e.change && *e.change < chunk.size());
        if (!named) {
          for (std::size_t i : chunk) {
            settle(out, settled, i, Outcome::rejected,
                   "HTTP " + std::to_string(got.value().status) + ": " + session_.scrub(joined(errors)));
          }
          break;
        }
        for (std::size_t k = 0; k < chunk.size(); ++k) {
          std::vector<SquareError> mine;
          for (const auto& e : errors) {
            if (e.change == k) mine.push_back(e);
          }
          if (mine.empty()) {
            rest.push_back(chunk[k]);
          } else if (mine[0].code == "NOT_FOUND") {
            if (mine[0].text.find("catalog_object_id") != std::string::npos) cache_.erase(levels[chunk[k]].sku);
            settle(out, settled, chunk[k], Outcome::not_listed, session_.scrub(joined(mine)));
          } else {
            settle(out, settled, chunk[k], Outcome::rejected, session_.scrub(joined(mine)));
          }
        }
        chunk = std::move(rest);
      }
      for (std::size_t i : chunk) {
        if (!settled[i]) settle(out, settled, i, Outcome::retry, "refused with its batch twice; sent again later");
      }
    }
    return out;
  }

  result<std::vector<ItemResult>> set_prices(std::span<const Price> prices) override {
    std::vector<ItemResult> out(prices.size());
    std::vector<bool> settled(prices.size(), false);
    std::vector<std::string> skus;
    for (std::size_t i = 0; i < prices.size(); ++i) {
      if (currency_ && prices[i].price.currency().code() != *currency_) {
        settle(out, settled, i, Outcome::rejected,
               "price in " + std::string(prices[i].price.currency().code()) + " but the seller sells in " + *currency_);
      } else if (prices[i].price.is_negative()) {
        settle(out, settled, i, Outcome::rejected, "a negative price cannot be pushed");
      } else {
        skus.push_back(prices[i].sku);
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
    std::vector<std::size_t> pending;
    std::vector<std::string> ids(prices.size());
    for (std::size_t i = 0; i < prices.size(); ++i) {
      if (!settled[i] && !unlisted(out, settled, i, prices[i].sku)) {
        pending.push_back(i);
        ids[i] = cache_.at(prices[i].sku);
      }
    }
    for (std::size_t from = 0; from < pending.size(); from += square::max_prices_per_request) {
      std::vector<std::size_t> chunk(pending.begin() + static_cast<std::ptrdiff_t>(from),
                                     pending.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                           pending.size(), from + square::max_prices_per_request)));
      auto done = upsert_prices(prices, ids, chunk, out, settled, applied_any);
      if (!done) return give_up(done.error());
    }
    return out;
  }

  result<std::vector<ItemResult>> fulfil(std::span<const Fulfilment> fulfilments) override {
    std::vector<ItemResult> out(fulfilments.size());
    for (auto& r : out) {
      r.outcome = Outcome::not_listed;
      r.message = "Square is the point of sale here: orders from other channels are not fulfilled through Square";
    }
    return out;
  }

  result<std::optional<std::int64_t>> read_level(std::string_view sku, std::string_view location) override {
    std::string loc = location.empty() ? location_ : std::string(location);
    if (loc.empty()) return Error::validation(session_.prefix() + ": read_level needs a location (or location_id)");
    std::vector<std::string> one{std::string(sku)};
    ODOOSYNC_TRYV(resolve_all(one));
    auto it = cache_.find(std::string(sku));
    if (it == cache_.end() || it->second.empty()) return std::optional<std::int64_t>{};
    json::Writer w;
    w.begin_object().key("catalog_object_ids").begin_array().string(it->second).end_array();
    w.key("location_ids").begin_array().string(loc).end_array();
    w.key("states").begin_array().string("IN_STOCK").end_array().end_object();
    ODOOSYNC_TRY(body, w.view());
    ODOOSYNC_TRY(got, call(http::Method::post, "/v2/inventory/counts/batch-retrieve", std::string(body),
                           "POST /v2/inventory/counts/batch-retrieve"));
    ODOOSYNC_TRYV(expect_ok(got, "POST /v2/inventory/counts/batch-retrieve"));
    auto counts = json::find(got.doc, "counts");
    if (!counts || !counts->IsArray()) return std::optional<std::int64_t>{std::int64_t{0}};  // tracked, never counted
    for (const auto& c : counts->GetArray()) {
      if (str_of(json::find(c, "location_id")) != loc || str_of(json::find(c, "state")) != "IN_STOCK") continue;
      auto q = detail::whole_units(str_of(json::find(c, "quantity")));
      if (!q) {
        return Error::protocol(session_.prefix() + ": the count of '" + std::string(sku) +
                               "' is not a whole non-negative number");
      }
      return std::optional<std::int64_t>{*q};
    }
    return std::optional<std::int64_t>{std::int64_t{0}};
  }

 private:
  static void settle(std::vector<ItemResult>& out, std::vector<bool>& settled, std::size_t i, Outcome o,
                     std::string message) {
    out[i].outcome = o;
    out[i].message = std::move(message);
    settled[i] = true;
  }

  std::string location_of(const Level& l) const { return l.location.empty() ? location_ : l.location; }

  // Settles an item whose SKU is not (uniquely) in the catalogue; true when it did.
  bool unlisted(std::vector<ItemResult>& out, std::vector<bool>& settled, std::size_t i, const std::string& sku) {
    auto it = cache_.find(sku);
    if (it == cache_.end()) {
      settle(out, settled, i, Outcome::not_listed, "no item variation has SKU '" + sku + "'");
      return true;
    }
    if (it->second.empty()) {
      settle(out, settled, i, Outcome::rejected, "several item variations have SKU '" + sku + "'");
      return true;
    }
    return false;
  }

  result<void> authorize(http::Request& req, bool refresh) {
    auto source = endpoint_.secrets.at("access_token");
    auto token = refresh ? source->refresh() : source->current();
    if (!token) return Error(ErrorKind::auth, "cannot read secret 'access_token': " + token.error().message());
    session_.remember(token.value());
    req.headers.set("Authorization", "Bearer " + std::string(token.value().reveal()));
    return success();
  }

  result<Answer> call(http::Method method, const std::string& path, std::string body, const std::string& what) {
    http::Request req;
    req.method = method;
    req.url = base_ + path;
    // Reads are safe to repeat; writes carry an idempotency key.
    req.idempotent = true;
    req.headers.set("Square-Version", version_);
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
    auto parsed = json::parse(res.body.empty() ? std::string_view("{}") : std::string_view(res.body));
    if (parsed) a.doc = std::move(parsed).value();
    if (res.status >= 200 && res.status < 300) {
      if (!parsed || !a.doc.IsObject()) {
        return Error::protocol(session_.prefix() + ": " + what + " answered with a body that is not a JSON object");
      }
      return a;
    }
    if (res.status < 400 || res.status >= 500) {
      return session_.status_error(res, what, session_.scrub(joined(square_errors(a.doc))));
    }
    if (!a.doc.IsObject()) a.doc.SetObject();
    return a;
  }

  result<void> expect_ok(const Answer& a, const std::string& what) const {
    if (a.status >= 200 && a.status < 300) return success();
    return Error::http_status(a.status, session_.prefix() + ": HTTP " + std::to_string(a.status) + " to " + what +
                                            ": " + session_.scrub(joined(square_errors(a.doc))));
  }

  // SKU -> ITEM_VARIATION id through SearchCatalogObjects with a set query on "sku" (an exact match
  // of any of the values; SearchCatalogItems only has a text filter). An empty id marks an ambiguous SKU.
  result<void> resolve_all(const std::vector<std::string>& skus) {
    std::vector<std::string> unknown;
    for (const auto& s : skus) {
      if (!cache_.count(s) && std::find(unknown.begin(), unknown.end(), s) == unknown.end()) unknown.push_back(s);
    }
    for (std::size_t from = 0; from < unknown.size(); from += 100) {
      std::size_t to = std::min(unknown.size(), from + 100);
      std::map<std::string, std::vector<std::string>> found;
      std::string cursor;
      for (int page = 0; page < 1000; ++page) {
        json::Writer w;
        w.begin_object().key("object_types").begin_array().string("ITEM_VARIATION").end_array();
        w.key("query").begin_object().key("set_query").begin_object().member("attribute_name", "sku");
        w.key("attribute_values").begin_array();
        for (std::size_t k = from; k < to; ++k) w.string(unknown[k]);
        w.end_array().end_object().end_object();
        w.key("limit").integer(1000);
        if (!cursor.empty()) w.member("cursor", std::string_view(cursor));
        w.end_object();
        ODOOSYNC_TRY(body, w.view());
        ODOOSYNC_TRY(got, call(http::Method::post, "/v2/catalog/search", std::string(body), "POST /v2/catalog/search"));
        ODOOSYNC_TRYV(expect_ok(got, "POST /v2/catalog/search"));
        if (auto objects = json::find(got.doc, "objects"); objects && objects->IsArray()) {
          for (const auto& o : objects->GetArray()) {
            auto deleted = json::find(o, "is_deleted");
            if (deleted && deleted->IsBool() && deleted->GetBool()) continue;
            if (str_of(json::find(o, "type")) != "ITEM_VARIATION") continue;
            auto data = json::find(o, "item_variation_data");
            std::string sku = data ? str_of(json::find(*data, "sku")) : std::string();
            if (std::find(unknown.begin() + static_cast<std::ptrdiff_t>(from),
                          unknown.begin() + static_cast<std::ptrdiff_t>(to),
                          sku) == unknown.begin() + static_cast<std::ptrdiff_t>(to)) {
              continue;  // matching is exact here whatever the search's own matching is
            }
            found[sku].push_back(str_of(json::find(o, "id")));
          }
        }
        cursor = str_of(json::find(got.doc, "cursor"));
        if (cursor.empty()) break;
      }
      for (auto& [sku, ids] : found) cache_[sku] = ids.size() == 1 ? ids[0] : std::string();
    }
    return success();
  }

  // Retrieve the variations (their version and every field), set price_money, upsert them in one batch;
  // a VERSION_MISMATCH (someone edited the item meanwhile) is read again and sent once more, then left
  // to the Pusher's retry. A batch is all-or-nothing in Square: another refusal is split into one
  // upsert per item so only the bad one is rejected.
  result<void> upsert_prices(std::span<const Price> prices, const std::vector<std::string>& ids,
                             const std::vector<std::size_t>& chunk, std::vector<ItemResult>& out,
                             std::vector<bool>& settled, bool& applied_any) {
    std::vector<std::size_t> todo = chunk;
    for (int round = 0; round < 2 && !todo.empty(); ++round) {
      json::Writer request;
      request.begin_object().key("object_ids").begin_array();
      for (std::size_t i : todo) request.string(ids[i]);
      request.end_array().end_object();
      ODOOSYNC_TRY(ids_text, request.view());
      ODOOSYNC_TRY(got, call(http::Method::post, "/v2/catalog/batch-retrieve", std::string(ids_text),
                             "POST /v2/catalog/batch-retrieve"));
      ODOOSYNC_TRYV(expect_ok(got, "POST /v2/catalog/batch-retrieve"));
      std::map<std::string, const json::Value*> by_id;
      if (auto objects = json::find(got.doc, "objects"); objects && objects->IsArray()) {
        for (const auto& o : objects->GetArray()) by_id[str_of(json::find(o, "id"))] = &o;
      }
      std::vector<std::size_t> sendable;
      std::vector<std::string> objects;
      for (std::size_t i : todo) {
        auto it = by_id.find(ids[i]);
        if (it == by_id.end()) {
          cache_.erase(prices[i].sku);
          settle(out, settled, i, Outcome::not_listed, "SKU '" + prices[i].sku + "' is no longer in the catalogue");
          continue;
        }
        auto data = json::find(*it->second, "item_variation_data");
        auto money = data ? json::find(*data, "price_money") : nullptr;
        std::string have = money ? str_of(json::find(*money, "currency")) : std::string();
        if (!have.empty() && have != prices[i].price.currency().code()) {
          settle(
              out, settled, i, Outcome::rejected,
              "price in " + std::string(prices[i].price.currency().code()) + " but the variation is priced in " + have);
          continue;
        }
        ODOOSYNC_TRY(text, with_price(*it->second, prices[i].price));
        objects.push_back(std::move(text));
        sendable.push_back(i);
      }
      if (sendable.empty()) return success();
      auto sent = upsert(objects);
      if (!sent) return sent.error();
      const Answer& a = sent.value();
      if (a.status >= 200 && a.status < 300) {
        for (std::size_t i : sendable) settle(out, settled, i, Outcome::applied, "");
        applied_any = true;
        return success();
      }
      auto errors = square_errors(a.doc);
      bool mismatch =
          std::any_of(errors.begin(), errors.end(), [](const SquareError& e) { return e.code == "VERSION_MISMATCH"; });
      if (mismatch) {
        todo = sendable;
        if (round == 1) {
          for (std::size_t i : sendable) {
            settle(out, settled, i, Outcome::retry,
                   "the variation changed twice while its price was set: " + session_.scrub(joined(errors)));
          }
        }
        continue;
      }
      if (sendable.size() == 1) {
        settle(out, settled, sendable[0], Outcome::rejected,
               "HTTP " + std::to_string(a.status) + ": " + session_.scrub(joined(errors)));
        return success();
      }
      for (std::size_t k = 0; k < sendable.size(); ++k) {
        std::vector<std::size_t> one{sendable[k]};
        ODOOSYNC_TRYV(upsert_prices(prices, ids, one, out, settled, applied_any));
      }
      return success();
    }
    return success();
  }

  result<std::string> with_price(const json::Value& object, const retail::Money& price) const {
    json::Document doc;
    doc.CopyFrom(object, doc.GetAllocator());
    auto& alloc = doc.GetAllocator();
    if (!doc.HasMember("item_variation_data") || !doc["item_variation_data"].IsObject()) {
      return Error::protocol(session_.prefix() + ": an ITEM_VARIATION without item_variation_data");
    }
    json::Value& data = doc["item_variation_data"];
    data.RemoveMember("pricing_type");
    data.AddMember("pricing_type", "FIXED_PRICING", alloc);
    data.RemoveMember("price_money");
    json::Value money(rapidjson::kObjectType);
    money.AddMember("amount", json::Value(static_cast<std::int64_t>(price.minor_units())), alloc);
    money.AddMember("currency", json::Value(std::string(price.currency().code()), alloc), alloc);
    data.AddMember("price_money", money, alloc);
    return json::to_string(doc);
  }

  result<Answer> upsert(const std::vector<std::string>& objects) {
    std::string batch;
    for (const auto& o : objects) batch += (batch.empty() ? "" : ",") + o;
    std::string key = "odoosync-" + detail::sha256_hex(batch).substr(0, 48);
    json::Writer w;
    w.begin_object().member("idempotency_key", std::string_view(key)).key("batches").begin_array();
    w.begin_object().key("objects").raw("[" + batch + "]").end_object().end_array().end_object();
    ODOOSYNC_TRY(body, w.view());
    return call(http::Method::post, "/v2/catalog/batch-upsert", std::string(body), "POST /v2/catalog/batch-upsert");
  }

  ChannelEndpoint endpoint_;
  detail::RestSession session_;
  std::string base_;
  std::string version_;
  std::string location_;
  std::optional<std::string> currency_;
  double rate_;
  std::map<std::string, std::string, std::less<>> cache_;  // SKU -> variation id ("" : ambiguous)
};

}  // namespace

result<std::unique_ptr<ChannelClient>> make_square_client(const ChannelEndpoint& endpoint, ClientDeps deps) {
  const std::string p = detail::channel_prefix(endpoint, provider_name);
  ODOOSYNC_TRYV(detail::check_keys(
      endpoint, provider_name,
      {"square_version", "location_id", "currency", "requests_per_second", "allow_insecure_loopback"},
      {"access_token"}));
  auto url = http::parse_url(endpoint.base_url);
  if (!url) return Error::validation(p + ": base_url: " + url.error().message());
  ODOOSYNC_TRY(insecure_ok, detail::bool_setting(endpoint, provider_name, "allow_insecure_loopback", false));
  if (url.value().scheme != "https" && (!insecure_ok || url.value().host != "127.0.0.1")) {
    return Error::validation(p +
                             ": base_url must be https (https://connect.squareup.com): the access token is a "
                             "bearer credential (allow_insecure_loopback permits http://127.0.0.1 for tests)");
  }
  if (url.value().target != "/" || endpoint.base_url.find('?') != std::string::npos) {
    return Error::validation(p + ": base_url is the API's origin, without a path (https://connect.squareup.com)");
  }
  std::string base = endpoint.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string version(square::default_version);
  if (auto v = detail::text_setting(endpoint, "square_version")) {
    auto date = retail::CalendarDate::parse(*v);
    if (!date) return Error::validation(p + ": setting 'square_version' must be a date YYYY-MM-DD");
    version = *v;
  }
  std::optional<std::string> currency = detail::text_setting(endpoint, "currency");
  if (currency) {
    auto c = retail::Currency::of(*currency);
    if (!c) return Error::validation(p + ": setting 'currency': " + c.error().message());
  }
  ODOOSYNC_TRY(rate, detail::rate_setting(endpoint, provider_name, "requests_per_second", 0));
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
  return std::unique_ptr<ChannelClient>(new SquareClient(endpoint, std::move(o), std::move(base), std::move(version),
                                                         detail::text_setting(endpoint, "location_id").value_or(""),
                                                         std::move(currency), rate));
}

}  // namespace push
}  // namespace v0
}  // namespace odoosync
