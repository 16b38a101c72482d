// Private to the stores: what MemoryStore and SqliteStore share.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>
#include <string_view>

#include <odoosync/sync/store.hpp>

namespace odoosync {
inline namespace v0 {
namespace sync {
namespace detail {

// The SQL of the stores names statuses (:pending, :in_flight, :applied, :dead, :discarded); this puts
// their stored values (EventStatus) in their place, so no query holds a bare number.
std::string with_status_values(std::string sql);

// "os" and 10 random hex digits.
std::string make_store_id();

// The errors every store reports alike.
Error not_dead(std::string_view source, std::string_view id, bool exists);
Error not_leased(std::int64_t batch, std::string_view owner);
Error over_watermark(Lane lane, std::int64_t depth, std::uint64_t high_water);

// The outbox's shared rules: the error of a replay of an item that is not dead, and the check of
// changes before any is written (names present, no NUL).
Error outbox_not_dead(std::string_view channel, std::string_view kind, std::string_view key, bool exists);
result<void> check_outbox_changes(std::span<const OutboxChange> changes);
// Store::queue_moves, shared by the stores: one row of the audit (its action) or of the events (a
// submission), as a store's page read it; rows of actions that move nothing have no kind.
struct MoveRow {
  std::int64_t key = 0;  // audit number or event seq: the walk goes down it
  std::int64_t at_ms = 0;
  std::optional<QueueMove::Kind> kind{};
  Lane lane = Lane::realtime;
  std::int64_t seq = 0, submitted_ms = 0;
};
// The page of at most `n` rows with a key below `before`, highest key first.
using MovePage = std::function<result<std::vector<MoveRow>>(std::int64_t before, std::size_t n)>;
// The moves of one table newest first, from the rows with a key below `start_before`: pages until a row
// older than since - slack (or none left), at most `limit` moves and `max_rows` rows read; `truncated`
// when a bound stopped it first.
struct MoveWalk {
  std::vector<QueueMove> moves;
  bool truncated = false;
};
result<MoveWalk> walk_moves(const MovePage& page, std::int64_t start_before, std::int64_t since_ms,
                            std::int64_t slack_ms, std::size_t limit, std::size_t max_rows);
// Both walks merged, newest first, at most `limit`, cut where a bound stopped a walk so that every move
// from complete_from_ms on is there.
QueueMoves merge_moves(MoveWalk audit, MoveWalk events, std::int64_t since_ms, std::size_t limit);
// An audit action's kind of move (applied, dead, replayed), nothing for the others.
std::optional<QueueMove::Kind> move_kind(std::string_view action) noexcept;
// How many unsettled events per lane queue_moves reports as heads.
inline constexpr std::size_t queue_head_count = 16;

}  // namespace detail
}  // namespace sync
}  // namespace v0
}  // namespace odoosync

namespace odoosync {
inline namespace v0 {
namespace sync {
namespace detail {

// One pending event of a subject, as the stores hand it to subject_run (in intake order).
struct RunItem {
  std::int64_t seq = 0;
  std::string_view source;
  bool has_sequence = false;
  std::int64_t sequence = 0;
  std::string_view batch_key;
  bool solo = false;
};

// The events of one subject a claim takes, in the order they must be applied: intake order, except
// that an event with a sequence waits for the pending events of its source with lower sequences.
// `key`/`solo`: the batch's key and whether it goes alone; empty key: set from the first event taken
// (and `solo` with it). Returns indexes into `items`, at most `max` of them, all of that batch key.
std::vector<std::size_t> subject_run(const std::vector<RunItem>& items, std::string& key, bool& solo, std::size_t max);

}  // namespace detail
}  // namespace sync
}  // namespace v0
}  // namespace odoosync
