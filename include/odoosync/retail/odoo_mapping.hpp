// How each retail event lands in Odoo (docs/mapping.md): an effect with an idempotency token that Odoo
// itself keeps, a plan (the calls and values it will send), a probe that tells whether the effect is
// already there, and apply. Effects for many subjects share calls: one `load` for many products, one
// transfer per location and direction for many stock deltas, one `create` for many orders.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/core/result.hpp>
#include <odoosync/retail/events.hpp>

namespace odoosync {
inline namespace v0 {
namespace odoo {
class Client;  // odoo/client.hpp: this header only refers to it
}  // namespace odoo
}  // namespace v0
}  // namespace odoosync

namespace odoosync {
inline namespace v0 {
namespace retail {

struct MappingOptions {
  int odoo_major = 18;                       // Client::version(): ≤ 17 names storable products type "product"
  std::string module = "odoosync";           // of our external ids: odoosync.product_SKU-1
  std::string walk_in_customer = "walk-in";  // customer ref of orders that name none (must exist in Odoo)
};

// One call an effect makes, with the values it sends (JSON).
struct PlannedCall {
  std::string model;
  std::string method;
  std::string payload;  // the values (create/write/load rows) or the ids it acts on
  friend bool operator==(const PlannedCall&, const PlannedCall&) = default;
};

enum class EffectState : std::uint8_t {
  absent,   // nothing of the effect is in Odoo
  partial,  // its records exist, their second step (confirm, validate, post) is not done
  applied,  // all of it is there: do not apply again
};
std::string_view to_string(EffectState s) noexcept;

// Looks up Odoo's ids for our references, once each (cached). Unknown ones are ErrorKind::not_found
// naming the reference: a permanent error, for the dead-letter queue.
class Resolver {
 public:
  Resolver(odoo::Client& client, MappingOptions options);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  struct Warehouse {
    std::int64_t id = 0, company = 0, stock_location = 0;
    std::int64_t receipt_type = 0, delivery_type = 0, internal_type = 0;
  };
  struct SaleOrder {
    std::int64_t id = 0, partner = 0;
    std::string name, state;
  };

  result<std::int64_t> product(const Sku& sku);                // by our external id, else by default_code
  result<std::int64_t> location(const LocationRef& location);  // by complete_name
  result<std::int64_t> partner(std::string_view ref);          // by ref, else our external id
  result<Warehouse> warehouse(std::string_view code);
  result<std::int64_t> inventory_location(std::int64_t company);
  result<std::int64_t> vendor_location();
  result<std::int64_t> journal(std::string_view type);  // "bank", "cash", "sale"
  result<SaleOrder> order(std::string_view number);     // by client_order_ref; not cached (its state moves)
  // Whether Odoo's `model` has `field` (fields_get, asked once per model and field): fields that modules
  // add, such as stock.picking's carrier_tracking_ref (stock_delivery).
  result<bool> has_field(std::string_view model, std::string_view field);
  // Loads many SKUs in one call (so a batch of stock lines costs one read).
  result<void> prefetch_products(const std::vector<std::string>& skus);

  odoo::Client& client() noexcept { return client_; }
  const MappingOptions& options() const noexcept { return options_; }
  // The external id of one of our records: module.<prefix>_<escaped key>.
  std::string xmlid(std::string_view prefix, std::string_view key) const;

 private:
  odoo::Client& client_;
  MappingOptions options_;
  std::map<std::string, std::int64_t, std::less<>> products_, locations_, partners_, journals_;
  std::map<std::string, Warehouse, std::less<>> warehouses_;
  std::map<std::string, bool, std::less<>> fields_;  // "model/field" → present
  std::map<std::int64_t, std::int64_t> inventory_;
  std::int64_t vendor_ = 0;
};

class OdooEffect {
 public:
  virtual ~OdooEffect() = default;
  // Names the effect (the batch token, an order number, a reference). Records an effect creates carry an
  // external id derived from it (ir.model.data, unique in Odoo's database), written in the same `load`.
  const std::string& token() const noexcept { return token_; }
  // The calls it will make, with ids resolved (a dry run: nothing is written).
  virtual result<std::vector<PlannedCall>> plan(Resolver& resolver) = 0;
  // Reads Odoo for the token.
  virtual result<EffectState> probe(Resolver& resolver) = 0;
  // Makes Odoo hold the effect, from the state a probe found (absent skips the read). A button that
  // answers with an action (a wizard) instead of acting is an error: it did not do its work.
  virtual result<void> apply(Resolver& resolver, EffectState from = EffectState::absent) = 0;
  // What the last probe found, per record ("order S1: sale.order 42 in state draft (done when sale)"),
  // for errors and dead letters that say what is in Odoo and what remains. Empty before a probe.
  virtual std::string probe_detail() const { return {}; }

 protected:
  explicit OdooEffect(std::string token) : token_(std::move(token)) {}
  std::string token_;
};

// Events that may share one effect have the same batch key (the engine groups by it): all product and
// customer upserts, price changes, stock deltas, stock counts and new orders batch; the rest do not
// (a shipment's tracking included: each status is one note, keyed by its own event).
std::string batch_key(const Event& event);
// The effect of a group of events with one batch key. `token` names a batch (the engine's write-ahead
// id); empty derives one from the members' (source, id). Stock deltas of one subject coalesce.
result<std::unique_ptr<OdooEffect>> map_to_odoo(std::span<const Event* const> events, const MappingOptions& options,
                                                std::string token = {});

// The access rights an integration user needs in Odoo for the effects of these event types (empty: every
// built-in type), per model: what the effects read, write (including buttons such as action_confirm),
// create (load creates and writes) and unlink. `odoosync doctor` compares them with the user's own (least
// privilege: fewer is an error, more a warning). tests/integration/mapping_test.cpp checks the table
// against the calls the effects really make on the emulator.
struct ModelAccess {
  std::string model;
  bool read = false, write = false, create = false, unlink = false;
  friend bool operator==(const ModelAccess&, const ModelAccess&) = default;
};
std::vector<ModelAccess> odoo_access_needed(std::span<const std::string_view> event_types = {});

}  // namespace retail
}  // namespace v0
}  // namespace odoosync
