// The push outbox: what each channel should show (a stock level, a price, a fulfilment), kept durably in
// the Store per (channel, kind, item key) as the LATEST desired value with its sequence, what was last
// pushed, and the retry schedule. The push layer (push/pusher.hpp) fills it from Odoo's feeds and drains
// it into the channels; docs/push.md describes the design. tests/unit/sync/outbox_contract_test.cpp checks
// the contract for every store.
//
// A desired value is made of parts, each with its own sequence: a channel location's stock is the sum of
// the counts of the Odoo locations that feed it, so each Odoo location is a part and the latest count of
// each is kept. Items with one value have one part named "". A part is never overwritten by an older
// sequence (Odoo's write_date, then the record id): two feeds writing at once, or a page handed again,
// cannot bring an old value back. Many changes of one item coalesce: the item is pushed once, with the
// newest parts.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/core/result.hpp>

namespace odoosync {
inline namespace v0 {
namespace sync {

enum class OutboxStatus : std::uint8_t {
  pending = 0,     // to push (at due_ms; a claim holds it while it is being pushed)
  pushed = 1,      // the channel holds the desired value
  not_listed = 2,  // the channel has no such item, location or order: nothing to do
  dead = 3,        // the channel refused it for good, or it failed too often: a dead letter
};
inline constexpr std::size_t outbox_status_count = 4;
std::string_view to_string(OutboxStatus status) noexcept;
result<OutboxStatus> parse_outbox_status(std::string_view text);

// Odoo's order of changes: write_date (milliseconds since the epoch), then the record id.
struct OutboxSequence {
  std::int64_t time_ms = 0;
  std::int64_t id = 0;
  friend auto operator<=>(const OutboxSequence&, const OutboxSequence&) = default;
};

// One part of an item's desired value, as a feed saw it.
struct OutboxChange {
  std::string channel{};
  std::string kind{};   // "stock", "price", "fulfilment"
  std::string key{};    // the item: "SKU-1@<channel location>", "SKU-1", "WH/OUT/00012"
  std::string part{};   // "" for one-part items; stock: the Odoo location's name
  std::string value{};  // text the push layer reads back (a count, an amount, a JSON object)
  OutboxSequence sequence{};
};

struct OutboxPart {
  std::string part{};
  std::string value{};
  OutboxSequence sequence{};
};

struct OutboxItem {
  std::string channel{}, kind{}, key{};
  std::vector<OutboxPart> parts{};  // by part name
  OutboxSequence sequence{};        // the newest of its parts
  std::int64_t version = 0;         // changes with every part that changed: a settle of an older version
                                    // leaves the item pending
  OutboxStatus status = OutboxStatus::pending;
  std::optional<std::string> pushed{};         // the desired value last acted on (pushed or found not listed)
  std::optional<std::string> channel_value{};  // what the channel was last set to (compare-and-set `expected`)
  std::optional<std::string> sent{};           // written ahead of a send whose outcome is not known yet
  int attempts = 0;                            // failed sends of the current value
  std::int64_t due_ms = 0;
  std::int64_t changed_ms = 0;  // when it last became pending (its data's age while it waits)
  std::int64_t updated_ms = 0;
  std::string error{};     // the last failure, in full
  std::int64_t epoch = 0;  // the fencing epoch of the claim that returned it (0 otherwise)
};

struct OutboxClaim {
  std::string channel{}, kind{};
  std::string owner{};
  std::int64_t now_ms = 0;
  std::int64_t lease_ms = 60'000;
  std::size_t max_items = 100;
};

// Written ahead of a send: the value about to be set in the channel, for an item the caller holds.
struct OutboxSend {
  std::string key{};
  std::int64_t epoch = 0;
  std::string value{};
};

// The end of one claimed item's send.
struct OutboxSettle {
  std::string key{};
  std::int64_t epoch = 0;    // from the claim
  std::int64_t version = 0;  // from the claim: newer changes since then leave the item pending, due now
  OutboxStatus status = OutboxStatus::pushed;  // pending: retry at due_ms
  std::optional<std::string> pushed{};         // recorded when given
  std::optional<std::string> channel_value{};  // recorded when given
  std::string error{};
  std::int64_t due_ms = 0;       // pending: when to try again
  bool count_attempt = true;     // pending: this was a failed attempt of the item
  bool outcome_unknown = false;  // keep `sent` (the send may have been applied); else it is cleared
};

struct OutboxQuery {
  std::string channel{};
  std::optional<std::string> kind{};
  OutboxStatus status = OutboxStatus::dead;
  std::size_t limit = 100;
  std::string after_kind{}, after_key{};  // paging: items after this (kind, key)
};

struct OutboxKindStatus {
  std::uint64_t pending = 0, not_listed = 0, dead = 0;  // pushed items are not counted (a scan of all)
  std::optional<std::int64_t> oldest_pending_ms{};      // changed_ms of the oldest pending item
};
using OutboxStatusCounts = std::map<std::string, OutboxKindStatus, std::less<>>;  // by kind

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
