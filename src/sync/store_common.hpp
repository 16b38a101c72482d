// Private to the stores: what MemoryStore and SqliteStore share.
#pragma once

#include <cstdint>
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
