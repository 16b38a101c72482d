// EventTypes: the table of event types the engine receives.
#include <odoosync/odoo/client.hpp>
#include <odoosync/sync/event_types.hpp>

#include <algorithm>

namespace odoosync {
inline namespace v0 {
namespace sync {

namespace {

bool name_ok(std::string_view n) {
  if (n.empty() || n.size() > 128 || n.front() == '.' || n.back() == '.' || n.find('.') == std::string_view::npos)
    return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

// The built-in effect: retail::map_to_odoo picks the mapping by the events' type.
result<std::unique_ptr<retail::OdooEffect>> builtin_effect(std::span<const retail::Event* const> events,
                                                           const retail::MappingOptions& options,
                                                           const std::string& token) {
  return retail::map_to_odoo(events, options, token);
}

}  // namespace

EventTypes EventTypes::builtin() {
  EventTypes t;
  // The catalogue, prices and customers travel in the bulk lane; everything a shop floor waits for
  // (stock, orders, payments, refunds, shipments, invoices) in the realtime lane.
  const auto bulk = [](std::string_view type) {
    return type == retail::ProductUpserted::type || type == retail::PriceChanged::type ||
           type == retail::CustomerUpserted::type;
  };
  for (auto type : retail::event_types()) {
    EventTypeSpec s;
    s.type = std::string(type);
    s.lane = bulk(type) ? Lane::bulk : Lane::realtime;
    s.batch_key = [](const retail::Event& e) { return retail::batch_key(e); };
    s.effect = builtin_effect;
    t.specs_.push_back(std::move(s));
  }
  return t;
}

result<void> EventTypes::add(EventTypeSpec spec) {
  if (!name_ok(spec.type)) {
    return Error::validation(
        "event type '" + spec.type +
        "': a name is lowercase letters, digits, '_' and '-' in dotted parts (acme.loyalty.points)");
  }
  if (find(spec.type))
    return Error::validation("event type '" + spec.type + "' is already registered (replace() changes it)");
  if (!spec.effect) return Error::validation("event type '" + spec.type + "' has no effect");
  if (!spec.subject) return Error::validation("event type '" + spec.type + "' has no subject rule");
  custom_.push_back(retail::CustomType{spec.type, spec.subject});
  specs_.push_back(std::move(spec));
  return success();
}

result<void> EventTypes::replace(std::string_view type, const std::function<void(EventTypeSpec&)>& change) {
  auto it = std::find_if(specs_.begin(), specs_.end(), [&](const EventTypeSpec& s) { return s.type == type; });
  if (it == specs_.end())
    return Error::validation("event type '" + std::string(type) + "' is not registered (add() registers it)");
  EventTypeSpec edited = *it;
  if (change) change(edited);
  if (edited.type != it->type) return Error::validation("event type '" + it->type + "': replace() cannot rename it");
  if (!edited.effect) return Error::validation("event type '" + it->type + "': replace() left it without an effect");
  const bool host_type = static_cast<bool>(it->subject);
  if (!host_type && edited.subject) {
    return Error::validation("event type '" + it->type +
                             "' is built in: its data and subject are read by its own reader");
  }
  if (host_type && !edited.subject)
    return Error::validation("event type '" + it->type + "': replace() left it without a subject rule");
  *it = std::move(edited);
  for (auto& c : custom_)
    if (c.type == it->type) c.subject = it->subject;
  return success();
}

const EventTypeSpec* EventTypes::find(std::string_view type) const noexcept {
  for (const auto& s : specs_)
    if (s.type == type) return &s;
  return nullptr;
}

std::vector<std::string> EventTypes::names() const {
  std::vector<std::string> out;
  out.reserve(specs_.size());
  for (const auto& s : specs_) out.push_back(s.type);
  return out;
}

std::string EventTypes::batch_key(const retail::Event& e) const {
  const auto* s = find(e.type());
  if (s && s->batch_key) return s->batch_key(e);
  return std::string(e.type()) + "|" + e.source + "|" + e.id;  // one event, one effect
}

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
