// The Square emulator (include/odoosync/emulator/square.hpp). Shapes after Square's API reference
// (developer.squareup.com/reference/square: SearchCatalogObjects, BatchRetrieveCatalogObjects,
// BatchUpsertCatalogObjects, BatchChangeInventory, BatchRetrieveInventoryCounts, ListLocations; the
// Error object; InventoryPhysicalCount) and the request/response models of Square's SDKs.
#include <odoosync/emulator/square.hpp>

#include <odoosync/channels/crypto.hpp>
#include <odoosync/core/json.hpp>
#include <odoosync/emulator/channel_server.hpp>

#include "token_bucket.hpp"

#include <cmath>
#include <map>
#include <mutex>
#include <set>

namespace odoosync {
inline namespace v0 {
namespace channel_emulator {

namespace {

struct Variation {
  std::string id;
  std::string item_id;
  std::string sku;
  std::int64_t version = 0;
  std::optional<std::int64_t> price;
  std::string updated_at;
};

struct Event {
  bool count = false;     // a PHYSICAL_COUNT (absolute) or an adjustment (a delta)
  std::int64_t quantity;  // the count, or the delta (a sale is negative)
  retail::Timestamp at;
  std::uint64_t seq = 0;
};

struct Stored {
  std::string body;
  FakeResponse answer;
};

std::string str_of(const json::Value* v) { return v ? std::string(json::text(*v)) : std::string(); }

struct ErrorItem {
  std::string category, code, detail, field;
};

FakeResponse square_errors(int status, const std::vector<ErrorItem>& errors,
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
  json::Writer w;
  w.begin_object().key("errors").begin_array();
  for (const auto& e : errors) {
    w.begin_object().member("category", std::string_view(e.category)).member("code", std::string_view(e.code));
    w.member("detail", std::string_view(e.detail));
    if (!e.field.empty()) w.member("field", std::string_view(e.field));
    w.end_object();
  }
  w.end_array().end_object();
  return json_response(status, std::string(w.unchecked_view()), std::move(headers));
}

FakeResponse square_error(int status, std::string category, std::string code, std::string detail,
                          std::string field = "") {
  return square_errors(status, {{std::move(category), std::move(code), std::move(detail), std::move(field)}});
}

std::optional<std::int64_t> whole(std::string_view d) {
  auto dot = d.find('.');
  auto w = d.substr(0, dot);
  if (w.empty() || w.size() > 15 || w.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  if (dot != std::string_view::npos) {
    auto f = d.substr(dot + 1);
    if (f.empty() || f.size() > 5 || f.find_first_not_of('0') != std::string_view::npos) return std::nullopt;
  }
  return std::stoll(std::string(w));
}

bool version_date(std::string_view v) {
  return v.size() == 10 && v[4] == '-' && v[7] == '-' && retail::CalendarDate::parse(v).has_value();
}

}  // namespace

struct SquareEmulator::State {
  Options options;
  Clock* clock = nullptr;
  mutable std::mutex mutex;
  std::unique_ptr<ChannelServer> server;
  std::map<std::string, Variation> variations;                               // by id
  std::map<std::pair<std::string, std::string>, std::vector<Event>> events;  // (variation, location)
  std::map<std::string, Stored> idempotency;                                 // path + "\n" + key
  std::uint64_t next = 1, seq = 0;
  std::int64_t next_version = 1700000000000;
  detail::TokenBucket bucket;
  std::vector<Fault> faults;
  std::uint64_t faults_injected = 0, requests = 0, refused = 0, auth_failures = 0, replays = 0, batches = 0;

  retail::Timestamp now() const { return retail::Timestamp::from(clock->wall_now()); }

  Variation* by_sku(const std::string& sku) {
    for (auto& [id, v] : variations) {
      if (v.sku == sku) return &v;
    }
    return nullptr;
  }

  std::optional<std::int64_t> computed(const std::string& id, const std::string& location) const {
    auto it = events.find({id, location});
    if (it == events.end()) return std::nullopt;
    const Event* last = nullptr;
    for (const auto& e : it->second) {
      if (e.count && (!last || e.at > last->at || (e.at == last->at && e.seq > last->seq))) last = &e;
    }
    std::int64_t q = last ? last->quantity : 0;
    for (const auto& e : it->second) {
      if (!e.count && (!last || e.at > last->at)) q += e.quantity;  // only what happened after the count
    }
    return q;
  }

  void write_variation(json::Writer& w, const Variation& v) const {
    w.begin_object().member("type", "ITEM_VARIATION").member("id", std::string_view(v.id));
    w.member("updated_at", std::string_view(v.updated_at)).key("version").integer(v.version);
    w.member("is_deleted", false).member("present_at_all_locations", true);
    w.key("item_variation_data").begin_object().member("item_id", std::string_view(v.item_id));
    w.member("name", "Regular").member("sku", std::string_view(v.sku)).key("ordinal").integer(1);
    if (v.price) {
      w.member("pricing_type", "FIXED_PRICING").key("price_money").begin_object();
      w.key("amount").integer(*v.price).member("currency", std::string_view(options.currency)).end_object();
    } else {
      w.member("pricing_type", "VARIABLE_PRICING");
    }
    w.member("track_inventory", true).member("sellable", true).member("stockable", true);
    w.end_object().end_object();
  }

  void write_count(json::Writer& w, const std::string& id, const std::string& location) const {
    w.begin_object().member("catalog_object_id", std::string_view(id)).member("catalog_object_type", "ITEM_VARIATION");
    w.member("state", "IN_STOCK").member("location_id", std::string_view(location));
    w.member("quantity", std::string_view(std::to_string(computed(id, location).value_or(0))));
    w.member("calculated_at", std::string_view(now().to_string())).end_object();
  }

  FakeResponse search(const json::Value& body) {
    std::set<std::string> wanted;
    bool any = true;
    if (auto query = json::find(body, "query")) {
      if (auto exact = json::find(*query, "exact_query")) {
        if (str_of(json::find(*exact, "attribute_name")) != "sku") {
          return square_error(400, "INVALID_REQUEST_ERROR", "INVALID_VALUE", "emulated for the sku attribute only",
                              "query.exact_query.attribute_name");
        }
        wanted.insert(str_of(json::find(*exact, "attribute_value")));
        any = false;
      } else if (auto set = json::find(*query, "set_query")) {
        if (str_of(json::find(*set, "attribute_name")) != "sku") {
          return square_error(400, "INVALID_REQUEST_ERROR", "INVALID_VALUE", "emulated for the sku attribute only",
                              "query.set_query.attribute_name");
        }
        if (auto values = json::find(*set, "attribute_values"); values && values->IsArray()) {
          for (const auto& v : values->GetArray()) wanted.insert(std::string(json::text(v)));
        }
        any = false;
      }
    }
    json::Writer w;
    w.begin_object();
    bool first = true;
    for (const auto& [id, v] : variations) {
      if (!any && !wanted.count(v.sku)) continue;
      if (first) w.key("objects").begin_array();
      first = false;
      write_variation(w, v);
    }
    if (!first) w.end_array();
    w.end_object();
    return json_response(200, std::string(w.unchecked_view()));
  }

  FakeResponse batch_retrieve(const json::Value& body) {
    json::Writer w;
    w.begin_object().key("objects").begin_array();
    if (auto ids = json::find(body, "object_ids"); ids && ids->IsArray()) {
      for (const auto& id : ids->GetArray()) {
        auto it = variations.find(std::string(json::text(id)));
        if (it != variations.end()) write_variation(w, it->second);
      }
    }
    w.end_array().end_object();
    return json_response(200, std::string(w.unchecked_view()));
  }

  FakeResponse batch_upsert(const json::Value& body) {
    auto batch_list = json::find(body, "batches");
    if (!batch_list || !batch_list->IsArray() || batch_list->Size() == 0) {
      return square_error(400, "INVALID_REQUEST_ERROR", "MISSING_REQUIRED_PARAMETER", "batches is required", "batches");
    }
    std::vector<ErrorItem> errors;
    std::vector<const Variation*> updated;
    for (const auto& batch : batch_list->GetArray()) {
      auto objects = json::find(batch, "objects");
      if (!objects || !objects->IsArray()) continue;
      if (objects->Size() > 1000) {
        errors.push_back({"INVALID_REQUEST_ERROR", "INVALID_ARRAY_LENGTH", "at most 1,000 objects a batch", "batches"});
        continue;
      }
      for (auto& f : faults) {
        if (f.kind == FaultKind::version_race && f.times > 0) {
          --f.times;
          ++faults_injected;
          for (const auto& o : objects->GetArray()) {
            auto it = variations.find(str_of(json::find(o, "id")));
            if (it != variations.end()) it->second.version = next_version++;
          }
          break;
        }
      }
      // A batch is all or nothing: check every object first.
      std::vector<ErrorItem> mine;
      struct Change {
        Variation* v;
        std::optional<std::int64_t> price;
      };
      std::vector<Change> changes;
      for (const auto& o : objects->GetArray()) {
        std::string id = str_of(json::find(o, "id"));
        auto it = variations.find(id);
        if (str_of(json::find(o, "type")) != "ITEM_VARIATION" || it == variations.end()) {
          mine.push_back({"INVALID_REQUEST_ERROR", "INVALID_VALUE",
                          "Object `" + id + "` is not an existing ITEM_VARIATION (creating is not emulated)", ""});
          continue;
        }
        auto version = json::find(o, "version");
        if (version && (!version->IsInt64() || version->GetInt64() != it->second.version)) {
          mine.push_back(
              {"INVALID_REQUEST_ERROR", "VERSION_MISMATCH", "Object version does not match for object: " + id, ""});
          continue;
        }
        auto data = json::find(o, "item_variation_data");
        auto money = data ? json::find(*data, "price_money") : nullptr;
        std::optional<std::int64_t> price;
        if (money) {
          auto amount = json::find(*money, "amount");
          if (!amount || !amount->IsInt64() || amount->GetInt64() < 0) {
            mine.push_back({"INVALID_REQUEST_ERROR", "INVALID_VALUE",
                            "price_money.amount must be a non-negative integer",
                            "item_variation_data.price_money.amount"});
            continue;
          }
          if (str_of(json::find(*money, "currency")) != options.currency) {
            mine.push_back({"INVALID_REQUEST_ERROR", "INVALID_VALUE",
                            "price_money.currency must be the seller's currency " + options.currency,
                            "item_variation_data.price_money.currency"});
            continue;
          }
          price = amount->GetInt64();
        }
        changes.push_back({&it->second, price});
      }
      if (!mine.empty()) {
        errors.insert(errors.end(), mine.begin(), mine.end());
        continue;
      }
      for (auto& c : changes) {
        if (c.price) c.v->price = c.price;
        c.v->version = next_version++;
        c.v->updated_at = now().to_string();
        updated.push_back(c.v);
      }
    }
    if (!errors.empty()) return square_errors(400, errors);
    json::Writer w;
    w.begin_object().key("objects").begin_array();
    for (auto* v : updated) write_variation(w, *v);
    w.end_array().key("id_mappings").begin_array().end_array().end_object();
    return json_response(200, std::string(w.unchecked_view()));
  }

  FakeResponse change_inventory(const json::Value& body) {
    auto changes = json::find(body, "changes");
    if (!changes || !changes->IsArray()) return json_response(200, "{}");
    if (changes->Size() > 100) {
      return square_error(400, "INVALID_REQUEST_ERROR", "INVALID_ARRAY_LENGTH",
                          "`changes` must contain at most 100 items", "changes");
    }
    auto ignore = json::find(body, "ignore_unchanged_counts");
    const bool ignore_unchanged = !(ignore && ignore->IsBool() && !ignore->GetBool());
    const retail::Timestamp t_now = now();
    std::vector<ErrorItem> errors;
    struct Count {
      std::string id, location;
      std::int64_t quantity;
      retail::Timestamp at;
    };
    std::vector<Count> counts;
    for (rapidjson::SizeType i = 0; i < changes->Size(); ++i) {
      const json::Value& c = (*changes)[i];
      const std::string at = "changes[" + std::to_string(i) + "]";
      if (str_of(json::find(c, "type")) != "PHYSICAL_COUNT") {
        errors.push_back(
            {"INVALID_REQUEST_ERROR", "INVALID_ENUM_VALUE", "only PHYSICAL_COUNT is emulated", at + ".type"});
        continue;
      }
      auto pc = json::find(c, "physical_count");
      if (!pc || !pc->IsObject()) {
        errors.push_back({"INVALID_REQUEST_ERROR", "MISSING_REQUIRED_PARAMETER", "physical_count is required",
                          at + ".physical_count"});
        continue;
      }
      std::string id = str_of(json::find(*pc, "catalog_object_id"));
      auto v = variations.find(id);
      if (v == variations.end()) {
        errors.push_back({"INVALID_REQUEST_ERROR", "NOT_FOUND", "Catalog object `" + id + "` was not found",
                          at + ".physical_count.catalog_object_id"});
        continue;
      }
      bool faulted = false;
      for (auto& f : faults) {
        if (f.kind == FaultKind::change_error && f.times > 0 && f.sku == v->second.sku) {
          --f.times;
          ++faults_injected;
          faulted = true;
          break;
        }
      }
      if (faulted) {
        errors.push_back(
            {"INVALID_REQUEST_ERROR", "INVALID_VALUE", "Injected refusal of this change", at + ".physical_count"});
        continue;
      }
      std::string location = str_of(json::find(*pc, "location_id"));
      if (std::find(options.locations.begin(), options.locations.end(), location) == options.locations.end()) {
        errors.push_back({"INVALID_REQUEST_ERROR", "NOT_FOUND", "Location `" + location + "` was not found",
                          at + ".physical_count.location_id"});
        continue;
      }
      if (str_of(json::find(*pc, "state")) != "IN_STOCK") {
        errors.push_back({"INVALID_REQUEST_ERROR", "INVALID_ENUM_VALUE", "only IN_STOCK counts are emulated",
                          at + ".physical_count.state"});
        continue;
      }
      auto q = whole(str_of(json::find(*pc, "quantity")));
      if (!q) {
        errors.push_back({"INVALID_REQUEST_ERROR", "INVALID_VALUE", "quantity must be a non-negative decimal string",
                          at + ".physical_count.quantity"});
        continue;
      }
      auto occurred = retail::Timestamp::parse(str_of(json::find(*pc, "occurred_at")));
      if (!occurred) {
        errors.push_back({"INVALID_REQUEST_ERROR", "INVALID_TIME", "occurred_at must be an RFC 3339 timestamp",
                          at + ".physical_count.occurred_at"});
        continue;
      }
      if (occurred.value() > t_now || t_now.seconds - occurred.value().seconds > 24 * 3600) {
        errors.push_back({"INVALID_REQUEST_ERROR", "INVALID_VALUE",
                          "occurred_at cannot be older than 24 hours or in the future",
                          at + ".physical_count.occurred_at"});
        continue;
      }
      counts.push_back({id, location, *q, occurred.value()});
    }
    if (!errors.empty()) return square_errors(400, errors);  // all or nothing
    ++batches;
    std::set<std::pair<std::string, std::string>> touched;
    for (const auto& c : counts) {
      auto& list = events[{c.id, c.location}];
      const Event* last = nullptr;
      for (const auto& e : list) {
        if (e.count && (!last || e.at > last->at || (e.at == last->at && e.seq > last->seq))) last = &e;
      }
      touched.insert({c.id, c.location});
      if (ignore_unchanged && last && last->quantity == c.quantity) continue;
      list.push_back({true, c.quantity, c.at, ++seq});
    }
    json::Writer w;
    w.begin_object().key("counts").begin_array();
    for (const auto& [id, location] : touched) write_count(w, id, location);
    w.end_array().end_object();
    return json_response(200, std::string(w.unchecked_view()));
  }

  FakeResponse retrieve_counts(const json::Value& body) {
    std::set<std::string> ids, locations;
    if (auto v = json::find(body, "catalog_object_ids"); v && v->IsArray()) {
      for (const auto& x : v->GetArray()) ids.insert(std::string(json::text(x)));
    }
    if (auto v = json::find(body, "location_ids"); v && v->IsArray()) {
      for (const auto& x : v->GetArray()) locations.insert(std::string(json::text(x)));
    }
    json::Writer w;
    w.begin_object();
    bool first = true;
    for (const auto& [key, list] : events) {
      if ((!ids.empty() && !ids.count(key.first)) || (!locations.empty() && !locations.count(key.second))) continue;
      if (first) w.key("counts").begin_array();
      first = false;
      write_count(w, key.first, key.second);
    }
    if (!first) w.end_array();
    w.end_object();
    return json_response(200, std::string(w.unchecked_view()));
  }

  FakeResponse route(const FakeRequest& r) {
    if (r.method == "GET" && r.path == "/v2/locations") {
      json::Writer w;
      w.begin_object().key("locations").begin_array();
      for (const auto& l : options.locations) {
        w.begin_object().member("id", std::string_view(l)).member("name", std::string_view(l));
        w.member("status", "ACTIVE").member("currency", std::string_view(options.currency)).end_object();
      }
      w.end_array().end_object();
      return json_response(200, std::string(w.unchecked_view()));
    }
    if (r.method != "POST") return square_error(404, "INVALID_REQUEST_ERROR", "NOT_FOUND", "Resource not found.");
    auto doc = json::parse(r.body);
    if (!doc || !doc.value().IsObject()) {
      return square_error(400, "INVALID_REQUEST_ERROR", "INVALID_CONTENT_TYPE", "the body is not a JSON object");
    }
    const json::Value& body = doc.value();
    if (r.path == "/v2/catalog/search") return search(body);
    if (r.path == "/v2/catalog/batch-retrieve") return batch_retrieve(body);
    if (r.path == "/v2/inventory/counts/batch-retrieve") return retrieve_counts(body);
    const bool keyed = r.path == "/v2/catalog/batch-upsert" || r.path == "/v2/inventory/changes/batch-create";
    if (!keyed) return square_error(404, "INVALID_REQUEST_ERROR", "NOT_FOUND", "Resource not found.");
    std::string key = str_of(json::find(body, "idempotency_key"));
    if (key.empty() || key.size() > 128) {
      return square_error(400, "INVALID_REQUEST_ERROR", key.empty() ? "MISSING_REQUIRED_PARAMETER" : "VALUE_TOO_LONG",
                          "idempotency_key must have 1 to 128 characters", "idempotency_key");
    }
    const std::string slot = r.path + "\n" + key;
    if (auto it = idempotency.find(slot); it != idempotency.end()) {
      if (it->second.body != r.body) {
        return square_error(400, "INVALID_REQUEST_ERROR", "IDEMPOTENCY_KEY_REUSED",
                            "The idempotency key can only be retried with the same request data.", "idempotency_key");
      }
      ++replays;
      return it->second.answer;
    }
    FakeResponse answer = r.path == "/v2/catalog/batch-upsert" ? batch_upsert(body) : change_inventory(body);
    idempotency[slot] = Stored{r.body, answer};
    return answer;
  }

  FakeResponse handle(const FakeRequest& r) {
    std::lock_guard lock(mutex);
    ++requests;
    for (auto& f : faults) {
      if (f.kind == FaultKind::change_error || f.kind == FaultKind::version_race || f.times <= 0) continue;
      if (!f.path_contains.empty() && r.path.find(f.path_contains) == std::string::npos) continue;
      --f.times;
      ++faults_injected;
      if (f.kind == FaultKind::reset) {
        FakeResponse cut;
        cut.action = FakeResponse::Action::reset;
        return cut;
      }
      if (f.kind == FaultKind::too_many_requests) {
        return square_errors(429, {{"RATE_LIMIT_ERROR", "RATE_LIMITED", "Rate limited.", ""}},
                             {{"Retry-After", std::to_string(f.retry_after.count())}});
      }
      return square_error(f.status, "API_ERROR", f.status == 503 ? "SERVICE_UNAVAILABLE" : "INTERNAL_SERVER_ERROR",
                          "Injected failure.");
    }
    if (!bucket.take(clock->now())) {
      ++refused;
      std::vector<std::pair<std::string, std::string>> headers;
      if (options.retry_after_header) {
        headers.emplace_back(
            "Retry-After", std::to_string(std::max<long>(1, static_cast<long>(std::ceil(bucket.seconds_to_token())))));
      }
      return square_errors(429, {{"RATE_LIMIT_ERROR", "RATE_LIMITED", "Rate limited.", ""}}, std::move(headers));
    }
    std::string auth = r.header("Authorization");
    if (auth.compare(0, 7, "Bearer ") != 0 ||
        !channels::crypto::constant_time_equal(std::string_view(auth).substr(7), options.access_token)) {
      ++auth_failures;
      return square_error(401, "AUTHENTICATION_ERROR", "UNAUTHORIZED", "This request could not be authorized.");
    }
    if (!version_date(r.header("Square-Version"))) {
      return square_error(400, "INVALID_REQUEST_ERROR", "BAD_REQUEST",
                          "Square-Version must be an API version date (YYYY-MM-DD)", "Square-Version");
    }
    return route(r);
  }
};

result<std::unique_ptr<SquareEmulator>> SquareEmulator::start(Options options) {
  if (options.access_token.size() < 8)
    return Error::validation("Square emulator: an access token of 8 characters or more");
  auto state = std::make_unique<State>();
  state->clock = options.clock ? options.clock : &Clock::system();
  state->bucket.configure(options.requests_per_second, options.burst, state->clock->now());
  state->options = std::move(options);
  State* raw = state.get();
  auto server = ChannelServer::start([raw](const FakeRequest& r) { return raw->handle(r); }, raw->options.port);
  if (!server) return std::move(server).error();
  state->server = std::move(server).value();
  return std::unique_ptr<SquareEmulator>(new SquareEmulator(std::move(state)));
}

SquareEmulator::SquareEmulator(std::unique_ptr<State> state) : state_(std::move(state)) {}
SquareEmulator::~SquareEmulator() { stop(); }
std::string SquareEmulator::url() const { return state_->server->url(); }
void SquareEmulator::stop() { state_->server->stop(); }

std::string SquareEmulator::seed_variation(const std::string& sku, std::optional<std::int64_t> price_minor) {
  std::lock_guard lock(state_->mutex);
  Variation v;
  auto n = state_->next++;
  v.id = "VAR" + std::to_string(1000 + n);
  v.item_id = "ITEM" + std::to_string(1000 + n);
  v.sku = sku;
  v.price = price_minor;
  v.version = state_->next_version++;
  v.updated_at = state_->now().to_string();
  state_->variations[v.id] = v;
  return v.id;
}

void SquareEmulator::seed_count(const std::string& sku, const std::string& location, std::int64_t quantity,
                                retail::Timestamp occurred_at) {
  std::lock_guard lock(state_->mutex);
  if (auto* v = state_->by_sku(sku)) {
    state_->events[{v->id, location}].push_back({true, quantity, occurred_at, ++state_->seq});
  }
}

bool SquareEmulator::simulate_sale(const std::string& sku, const std::string& location, std::int64_t quantity,
                                   retail::Timestamp occurred_at) {
  std::lock_guard lock(state_->mutex);
  auto* v = state_->by_sku(sku);
  if (!v) return false;
  state_->events[{v->id, location}].push_back({false, -quantity, occurred_at, ++state_->seq});
  return true;
}

bool SquareEmulator::touch_variation(const std::string& sku) {
  std::lock_guard lock(state_->mutex);
  auto* v = state_->by_sku(sku);
  if (!v) return false;
  v->version = state_->next_version++;
  return true;
}

std::optional<std::int64_t> SquareEmulator::quantity(const std::string& sku, const std::string& location) const {
  std::lock_guard lock(state_->mutex);
  auto* v = state_->by_sku(sku);
  if (!v) return std::nullopt;
  return state_->computed(v->id, location);
}

std::optional<std::int64_t> SquareEmulator::price(const std::string& sku) const {
  std::lock_guard lock(state_->mutex);
  auto* v = state_->by_sku(sku);
  if (!v) return std::nullopt;
  return v->price;
}

std::optional<std::int64_t> SquareEmulator::version(const std::string& sku) const {
  std::lock_guard lock(state_->mutex);
  auto* v = state_->by_sku(sku);
  if (!v) return std::nullopt;
  return v->version;
}

void SquareEmulator::set_access_token(const std::string& token) {
  std::lock_guard lock(state_->mutex);
  state_->options.access_token = token;
}

void SquareEmulator::set_rate(double requests_per_second, double burst) {
  std::lock_guard lock(state_->mutex);
  state_->bucket.configure(requests_per_second, burst, state_->clock->now());
}

void SquareEmulator::inject(Fault fault) {
  std::lock_guard lock(state_->mutex);
  state_->faults.push_back(std::move(fault));
}

std::uint64_t SquareEmulator::faults_injected() const {
  std::lock_guard lock(state_->mutex);
  return state_->faults_injected;
}

std::uint64_t SquareEmulator::faults_pending() const {
  std::lock_guard lock(state_->mutex);
  std::uint64_t n = 0;
  for (const auto& f : state_->faults) n += static_cast<std::uint64_t>(std::max(0, f.times));
  return n;
}

std::uint64_t SquareEmulator::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}
std::uint64_t SquareEmulator::refused_429() const {
  std::lock_guard lock(state_->mutex);
  return state_->refused;
}
std::uint64_t SquareEmulator::auth_failures() const {
  std::lock_guard lock(state_->mutex);
  return state_->auth_failures;
}
std::uint64_t SquareEmulator::idempotent_replays() const {
  std::lock_guard lock(state_->mutex);
  return state_->replays;
}
std::uint64_t SquareEmulator::inventory_batches() const {
  std::lock_guard lock(state_->mutex);
  return state_->batches;
}

}  // namespace channel_emulator
}  // namespace v0
}  // namespace odoosync
