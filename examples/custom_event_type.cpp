// custom_event_type: a host registers its own event type and its effect on Odoo, and changes a built-in
// type's lane, then runs the sync engine on it. The type "acme.loyalty.points" carries a customer's
// loyalty balance; its effect writes it on the customer's partner (res.partner.function), keyed by the
// customer's ref, idempotent (a probe reads it back). Runs against the Odoo emulator it starts itself,
// or against $ODOO_URL (with ODOO_DB, ODOO_USER, ODOO_API_KEY) when set. Exit 0 when Odoo holds it.
#include <odoosync/core/json.hpp>
#include <odoosync/emulator/emulated_odoo.hpp>
#include <odoosync/odoo/client.hpp>
#include <odoosync/sync/engine.hpp>
#include <odoosync/sync/memory_store.hpp>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

namespace os = odoosync;
namespace oss = odoosync::sync;
namespace retail = odoosync::retail;

namespace {

// The data: {"customer": "<ref>", "points": <integer>}. Checked here, once, for the decoder.
struct Points {
  std::string customer;
  std::int64_t points = 0;
};
os::result<Points> read_points(std::string_view data_json) {
  auto doc = os::json::parse(data_json);
  if (!doc) return os::Error::validation("not JSON: " + doc.error().message());
  const auto* c = os::json::find(doc.value(), "customer");
  const auto* p = os::json::find(doc.value(), "points");
  if (!c || !c->IsString() || c->GetStringLength() == 0)
    return os::Error::validation("customer: must be a non-empty string");
  if (!p || !p->IsInt64() || p->GetInt64() < 0)
    return os::Error::validation("points: must be a whole number, 0 or more");
  return Points{std::string(os::json::text(*c)), p->GetInt64()};
}

std::string label(std::int64_t points) { return "Loyalty: " + std::to_string(points) + " points"; }

// The effect of a batch: the last balance of each customer, written on its partner.
class LoyaltyEffect final : public retail::OdooEffect {
 public:
  LoyaltyEffect(std::string token, std::map<std::string, std::int64_t> balances)
      : OdooEffect(std::move(token)), balances_(std::move(balances)) {}

  os::result<std::vector<retail::PlannedCall>> plan(retail::Resolver&) override {
    std::vector<retail::PlannedCall> calls;
    for (const auto& [ref, points] : balances_) calls.push_back({"res.partner", "write", ref + ": " + label(points)});
    return calls;
  }
  os::result<retail::EffectState> probe(retail::Resolver& r) override {
    std::size_t done = 0;
    for (const auto& [ref, points] : balances_) {
      ODOOSYNC_TRY(id, r.partner(ref));
      ODOOSYNC_TRY(rows, r.client().read("res.partner", {id}, {"function"}));
      const auto* f = rows.Size() == 1 ? os::json::find(rows[0], "function") : nullptr;
      if (f && f->IsString() && os::json::text(*f) == label(points)) ++done;
    }
    return done == balances_.size() ? retail::EffectState::applied : retail::EffectState::absent;
  }
  os::result<void> apply(retail::Resolver& r, retail::EffectState from) override {
    if (from == retail::EffectState::applied) return os::success();
    for (const auto& [ref, points] : balances_) {
      ODOOSYNC_TRY(id, r.partner(ref));
      ODOOSYNC_TRYV(r.client().write("res.partner", {id}, os::odoo::Values().set("function", label(points))));
    }
    return os::success();
  }

 private:
  std::map<std::string, std::int64_t> balances_;
};

}  // namespace

int main() {
  // Where Odoo is: $ODOO_URL, else an emulator started here.
  std::unique_ptr<os::EmulatedOdoo> emulator;
  os::odoo::Config config;
  if (std::getenv("ODOO_URL")) {
    auto c = os::odoo::Config::from_env();
    if (!c) return std::fprintf(stderr, "custom_event_type: %s\n", c.error().to_string().c_str()), 1;
    config = c.value();
  } else {
    auto e = os::EmulatedOdoo::start({.odoo_version = 18});
    if (!e) return std::fprintf(stderr, "custom_event_type: %s\n", e.error().to_string().c_str()), 1;
    emulator = std::move(e.value());
    config.url = emulator->url();
    config.database = emulator->database();
    config.login = emulator->login();
    config.api_key = os::Secret(emulator->api_key());
  }

  // The table of event types: the 15 built-in ones, plus ours; customers moved to the realtime lane.
  oss::EngineOptions options;
  auto added = options.types.add({
      .type = "acme.loyalty.points",
      // The lane of the customer upserts it follows: a subject's order holds within one lane.
      .lane = oss::Lane::realtime,
      // A customer's balances coalesce: one batch writes the last one of each.
      .batch_key = [](const retail::Event&) { return std::string("acme.loyalty.points"); },
      .effect = [](std::span<const retail::Event* const> events, const retail::MappingOptions&,
                   const std::string& token) -> os::result<std::unique_ptr<retail::OdooEffect>> {
        std::map<std::string, std::int64_t> balances;
        for (const auto* e : events) {
          ODOOSYNC_TRY(p, read_points(std::get<retail::CustomData>(e->data).json));
          balances[p.customer] = p.points;  // in order: the last one wins
        }
        return std::unique_ptr<retail::OdooEffect>(new LoyaltyEffect(token, std::move(balances)));
      },
      .subject = [](std::string_view data_json) -> os::result<std::string> {
        ODOOSYNC_TRY(p, read_points(data_json));
        return "customer/" + p.customer;
      },
  });
  if (!added) return std::fprintf(stderr, "custom_event_type: %s\n", added.error().to_string().c_str()), 1;
  auto moved =
      options.types.replace("retail.customer.upserted", [](oss::EventTypeSpec& s) { s.lane = oss::Lane::realtime; });
  if (!moved) return std::fprintf(stderr, "custom_event_type: %s\n", moved.error().to_string().c_str()), 1;

  auto metrics = std::make_shared<os::InMemoryMetrics>();
  options.metrics = metrics;
  auto client = os::odoo::Client::create(config, oss::engine_client_options(metrics, {}, {.proxy = "none"}));
  if (!client) return std::fprintf(stderr, "custom_event_type: %s\n", client.error().to_string().c_str()), 1;
  oss::MemoryStore store;
  auto engine = oss::Engine::create(store, *client.value(), options);
  if (!engine) return std::fprintf(stderr, "custom_event_type: %s\n", engine.error().to_string().c_str()), 1;

  const char* lines[] = {
      R"({"specversion":"1.0","id":"c-1","source":"acme/crm","type":"retail.customer.upserted","time":"2026-12-06T09:00:00Z","data":{"ref":"ACME-C1","name":"Ada Lovelace"}})",
      R"({"specversion":"1.0","id":"l-1","source":"acme/loyalty","type":"acme.loyalty.points","time":"2026-12-06T09:01:00Z","data":{"customer":"ACME-C1","points":80}})",
      R"({"specversion":"1.0","id":"l-2","source":"acme/loyalty","type":"acme.loyalty.points","time":"2026-12-06T09:02:00Z","data":{"customer":"ACME-C1","points":120}})",
      R"({"specversion":"1.0","id":"l-3","source":"acme/loyalty","type":"acme.loyalty.points","time":"2026-12-06T09:03:00Z","data":{"customer":"ACME-C1","points":-5}})",
  };
  for (const char* line : lines) {
    auto r = engine.value()->submit_json(line);
    std::printf("submit: %s\n", r ? (r.value().lane == oss::Lane::realtime ? "accepted (realtime)" : "accepted (bulk)")
                                  : r.error().message().c_str());
  }
  auto run = engine.value()->run_until_idle();
  if (!run) return std::fprintf(stderr, "custom_event_type: %s\n", run.error().to_string().c_str()), 1;

  auto found = client.value()->search_read("res.partner", os::odoo::field("ref") == "ACME-C1", {"function"});
  if (!found || found.value().Size() != 1)
    return std::fprintf(stderr, "custom_event_type: the customer is not in Odoo\n"), 1;
  const auto* f = os::json::find(found.value()[0], "function");
  const std::string got = f && f->IsString() ? std::string(os::json::text(*f)) : std::string();
  std::printf("Odoo: ACME-C1 %s (%llu applied, %llu dead)\n", got.c_str(),
              static_cast<unsigned long long>(run.value().applied),
              static_cast<unsigned long long>(run.value().dead_lettered));
  return got == label(120) ? 0 : 1;
}
