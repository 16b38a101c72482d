// EventTypes: one description per event type, in one table the engine receives (EngineOptions::types):
// its name, lane, batch-key rule, Odoo effect and, for a host's own type, the rule that checks its data
// and names its subject. The 14 retail types are there by default (builtin()); a host adds its own types
// and effects, or replaces the lane, batching or effect of a built-in one. docs/sync.md, "Event types".
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/core/result.hpp>
#include <odoosync/retail/events.hpp>
#include <odoosync/retail/odoo_mapping.hpp>
#include <odoosync/sync/store.hpp>

namespace odoosync {
inline namespace v0 {
namespace sync {

struct EventTypeSpec {
  std::string type{};  // "retail.stock.adjusted", or the host's "acme.loyalty.points"
  Lane lane = Lane::realtime;
  // Events with the same key may share one effect (consecutive events of one subject coalesce into a
  // batch). Empty: one event, one effect.
  std::function<std::string(const retail::Event&)> batch_key{};
  // The effect of a batch of this type's events (all with one batch key), named by the batch's token:
  // it must be idempotent under that token (docs/mapping.md says how the built-in ones are).
  std::function<result<std::unique_ptr<retail::OdooEffect>>(
      std::span<const retail::Event* const> events, const retail::MappingOptions& options, const std::string& token)>
      effect{};
  // A host's own type only: checks the data (the JSON text of an object) and names the subject, or
  // refuses it (ErrorKind::validation). Built-in types are read by their typed readers.
  std::function<result<std::string>(std::string_view data_json)> subject{};
};

class EventTypes {
 public:
  // The 14 retail types (docs/events.md), with the effects of docs/mapping.md.
  static EventTypes builtin();

  // A new type. Refused (ErrorKind::validation, naming it) when the name is taken, when the name is
  // not a lowercase dotted name, or when the spec has no effect or no subject rule.
  result<void> add(EventTypeSpec spec);
  // Changes a registered type in place: `change` gets its spec and may set its lane, batch key or
  // effect (a host's own type: its subject rule too). Refused for a name not registered, and when the
  // change renames the type, empties its effect, or gives a built-in type a subject rule.
  result<void> replace(std::string_view type, const std::function<void(EventTypeSpec&)>& change);

  const EventTypeSpec* find(std::string_view type) const noexcept;
  std::vector<std::string> names() const;
  // The host's types, for retail::decode_event.
  std::span<const retail::CustomType> custom_types() const noexcept { return custom_; }

  // The batch key of an event of a registered type (its rule, or one event, one effect).
  std::string batch_key(const retail::Event& event) const;

 private:
  std::vector<EventTypeSpec> specs_;
  std::vector<retail::CustomType> custom_;
};

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
