// Lifecycle: the states of an event and a batch and every transition between them, in one place.
// Both stores (MemoryStore, SqliteStore, and any other) move events only through this table, write the
// audit action it names, and set a batch's probe-first flag by its rules. docs/sync.md draws it.
//
//   submitted ──► pending ──claimed──► in_flight ──applied──► applied
//                    ▲                   │  ▲ │
//                    │                   │  └─┘ retry (same batch, later), resumed (lease ended)
//                    ├──────split────────┘
//                    │                   └──────dead──────► dead ──discarded──► discarded
//                    └───────────────replayed──────────────────┘
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include <odoosync/core/result.hpp>
#include <odoosync/sync/store.hpp>

namespace odoosync {
inline namespace v0 {
namespace sync {

// What happens to one event; the audit trail records each under its name (to_string).
enum class EventAction : std::uint8_t { submitted, claimed, resumed, applied, retry, dead, split, replayed, discarded };
std::string_view to_string(EventAction action) noexcept;

struct EventTransition {
  EventAction action;
  std::optional<EventStatus> from;  // nullopt: the event is new (submitted)
  EventStatus to;
  bool solo_after;       // the event goes alone from then on (split, replayed)
  bool counts_in_depth;  // it is pending or in flight afterwards (what high-water marks count)
};

// The whole table: an action not listed from a status is refused.
inline constexpr std::array<EventTransition, 9> event_transitions{{
    {EventAction::submitted, std::nullopt, EventStatus::pending, false, true},
    {EventAction::claimed, EventStatus::pending, EventStatus::in_flight, false, true},
    {EventAction::resumed, EventStatus::in_flight, EventStatus::in_flight, false, true},
    {EventAction::retry, EventStatus::in_flight, EventStatus::in_flight, false, true},
    {EventAction::applied, EventStatus::in_flight, EventStatus::applied, false, false},
    {EventAction::dead, EventStatus::in_flight, EventStatus::dead, false, false},
    {EventAction::split, EventStatus::in_flight, EventStatus::pending, true, true},
    {EventAction::replayed, EventStatus::dead, EventStatus::pending, true, true},
    {EventAction::discarded, EventStatus::dead, EventStatus::discarded, false, false},
}};

// The transition of `action` from `from`, or ErrorKind::conflict naming both when the table has none.
result<EventTransition> transition(std::optional<EventStatus> from, EventAction action);
// The action a settlement is for every member of its batch.
EventAction settle_action(SettleKind kind) noexcept;
// Whether a status counts in a lane's depth (pending or in flight).
constexpr bool counts_in_depth(EventStatus s) noexcept {
  return s == EventStatus::pending || s == EventStatus::in_flight;
}
// A settlement closes its batch (applied, dead, split) or keeps it open to be sent again (retry).
constexpr bool closes_batch(SettleKind kind) noexcept { return kind != SettleKind::retry; }

// When a batch must be probed in Odoo before it is sent (Batch::probe_first): its effect may already be
// there, in whole or in part. Each rule is one reason; a batch keeps the flag once set.
enum class ProbeReason : std::uint8_t {
  resumed_after_holder,  // it was leased before and its holder vanished (a crash, an expired lease)
  worker_started,        // an exclusive worker started: every lease held before is void
  outcome_unknown,       // its last send failed with the outcome unknown (or a multi-step effect failed)
  member_sent_before,    // a member was sent before, in another batch (after a split or a replay)
};
std::string_view to_string(ProbeReason reason) noexcept;

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
