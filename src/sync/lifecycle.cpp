// Lifecycle: the transition table's look-ups and names.
#include <odoosync/sync/lifecycle.hpp>

#include <string>

namespace odoosync {
inline namespace v0 {
namespace sync {

std::string_view to_string(EventAction action) noexcept {
  switch (action) {
    case EventAction::submitted: return "submitted";
    case EventAction::claimed: return "claimed";
    case EventAction::resumed: return "resumed";
    case EventAction::applied: return "applied";
    case EventAction::retry: return "retry";
    case EventAction::dead: return "dead";
    case EventAction::split: return "split";
    case EventAction::replayed: return "replayed";
    case EventAction::discarded: return "discarded";
  }
  return "?";
}

std::string_view to_string(ProbeReason reason) noexcept {
  switch (reason) {
    case ProbeReason::resumed_after_holder: return "resumed_after_holder";
    case ProbeReason::worker_started: return "worker_started";
    case ProbeReason::outcome_unknown: return "outcome_unknown";
    case ProbeReason::member_sent_before: return "member_sent_before";
  }
  return "?";
}

result<EventTransition> transition(std::optional<EventStatus> from, EventAction action) {
  for (const auto& t : event_transitions)
    if (t.action == action && t.from == from) return t;
  return Error(ErrorKind::conflict, "event lifecycle: no transition '" + std::string(to_string(action)) + "' from " +
                                        (from ? std::string(to_string(*from)) : std::string("a new event")));
}

EventAction settle_action(SettleKind kind) noexcept {
  switch (kind) {
    case SettleKind::applied: return EventAction::applied;
    case SettleKind::retry: return EventAction::retry;
    case SettleKind::dead: return EventAction::dead;
    case SettleKind::split: return EventAction::split;
  }
  return EventAction::retry;
}

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
