#include <odoosync/sync/store.hpp>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <map>
#include <random>
#include <set>

#include "store_common.hpp"

namespace odoosync {
inline namespace v0 {
namespace sync {

std::string_view to_string(Lane lane) noexcept { return lane == Lane::bulk ? "bulk" : "realtime"; }

result<Lane> parse_lane(std::string_view text) {
  if (text == "realtime") return Lane::realtime;
  if (text == "bulk") return Lane::bulk;
  return Error::validation("lane: expected realtime or bulk, got '" + std::string(text) + "'");
}

std::string_view to_string(EventStatus status) noexcept {
  switch (status) {
    case EventStatus::pending: return "pending";
    case EventStatus::in_flight: return "in_flight";
    case EventStatus::applied: return "applied";
    case EventStatus::dead: return "dead";
    case EventStatus::discarded: return "discarded";
  }
  return "?";
}

result<EventStatus> parse_event_status(std::string_view text) {
  for (auto s : {EventStatus::pending, EventStatus::in_flight, EventStatus::applied, EventStatus::dead,
                 EventStatus::discarded}) {
    if (to_string(s) == text) return s;
  }
  return Error::validation("status: expected pending, in_flight, applied, dead or discarded, got '" +
                           std::string(text) + "'");
}

std::string_view to_string(SettleKind kind) noexcept {
  switch (kind) {
    case SettleKind::applied: return "applied";
    case SettleKind::retry: return "retry";
    case SettleKind::dead: return "dead";
    case SettleKind::split: return "split";
  }
  return "?";
}

void StatusCounts::add(EventStatus status, std::uint64_t n) noexcept {
  switch (status) {
    case EventStatus::pending: pending += n; break;
    case EventStatus::in_flight: in_flight += n; break;
    case EventStatus::applied: applied += n; break;
    case EventStatus::dead: dead += n; break;
    case EventStatus::discarded: discarded += n; break;
  }
}

result<QueueMoves> Store::queue_moves(std::int64_t, std::size_t, std::int64_t) {
  return Error::validation("this store does not report its queue's moves (Store::queue_moves)");
}

std::string batch_token(std::string_view store_id, std::int64_t batch) {
  return std::string(store_id) + "-b" + std::to_string(batch);
}

namespace detail {

std::optional<QueueMove::Kind> move_kind(std::string_view action) noexcept {
  if (action == "applied") return QueueMove::Kind::applied;
  if (action == "dead") return QueueMove::Kind::dead;
  if (action == "replayed") return QueueMove::Kind::replayed;
  return std::nullopt;
}

result<MoveWalk> walk_moves(const MovePage& page, std::int64_t start_before, std::int64_t since_ms,
                            std::int64_t slack_ms, std::size_t limit, std::size_t max_rows) {
  constexpr std::size_t page_rows = 2000;
  const std::int64_t stop_before = since_ms - std::max<std::int64_t>(0, slack_ms);
  MoveWalk w;
  std::int64_t before = start_before;
  std::size_t read = 0;
  for (;;) {
    ODOOSYNC_TRY(rows, page(before, page_rows));
    for (const auto& r : rows) {
      if (r.at_ms < stop_before) return w;
      if (read >= max_rows || w.moves.size() >= limit) {
        w.truncated = true;
        return w;
      }
      ++read;
      before = r.key;
      if (r.kind && r.at_ms >= since_ms)
        w.moves.push_back(QueueMove{*r.kind, r.key, r.at_ms, r.lane, r.seq, r.submitted_ms});
    }
    if (rows.size() < page_rows) return w;
  }
}

QueueMoves merge_moves(MoveWalk audit, MoveWalk events, std::int64_t since_ms, std::size_t limit) {
  QueueMoves out;
  out.complete_from_ms = since_ms;
  // A walk cut short has read its rows down to its oldest move, but the next row may share that time.
  for (const auto* w : {&audit, &events}) {
    if (!w->truncated) continue;
    out.truncated = true;
    const auto oldest = w->moves.empty() ? INT64_MAX - 1 : w->moves.back().at_ms;
    out.complete_from_ms = std::max(out.complete_from_ms, oldest + 1);
  }
  out.moves.reserve(audit.moves.size() + events.moves.size());
  std::merge(audit.moves.begin(), audit.moves.end(), events.moves.begin(), events.moves.end(),
             std::back_inserter(out.moves), [](const QueueMove& a, const QueueMove& b) { return a.at_ms > b.at_ms; });
  if (out.moves.size() > limit) {
    out.truncated = true;
    out.complete_from_ms = std::max(out.complete_from_ms, out.moves[limit].at_ms + 1);
  }
  while (!out.moves.empty() && out.moves.back().at_ms < out.complete_from_ms) out.moves.pop_back();
  return out;
}

// The SQL names statuses (:pending, :in_flight, :applied, :dead, :discarded); their stored values come
// from EventStatus, here, once per prepared statement, so no query holds a bare number.
std::string with_status_values(std::string sql) {
  static constexpr EventStatus all[] = {EventStatus::pending, EventStatus::in_flight, EventStatus::applied,
                                        EventStatus::dead, EventStatus::discarded};
  for (auto st : all) {
    const std::string name = ":" + std::string(to_string(st));
    const std::string value = std::to_string(static_cast<int>(st));
    for (auto at = sql.find(name); at != std::string::npos; at = sql.find(name, at + value.size())) {
      const std::size_t end = at + name.size();
      if (end < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[end])) || sql[end] == '_')) {
        at = end - value.size();  // a longer name (":pending_x"): not ours
        continue;
      }
      sql.replace(at, name.size(), value);
    }
  }
  return sql;
}

std::string make_store_id() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
  static constexpr char hex[] = "0123456789abcdef";
  std::string id = "os";
  for (int i = 0; i < 10; ++i) id += hex[gen() % 16];
  return id;
}

Error not_dead(std::string_view source, std::string_view id, bool exists) {
  return Error(ErrorKind::not_found,
               exists ? "event " + std::string(source) + " " + std::string(id) + " is not in the dead-letter queue"
                      : "no event " + std::string(source) + " " + std::string(id));
}

Error not_leased(std::int64_t batch, std::string_view owner) {
  return Error(ErrorKind::conflict, "batch " + std::to_string(batch) + " is not leased to " + std::string(owner));
}

Error over_watermark(Lane lane, std::int64_t depth, std::uint64_t high_water) {
  return Error(ErrorKind::backpressure, "lane " + std::string(to_string(lane)) + " holds " + std::to_string(depth) +
                                            " unsettled events (high-water mark " + std::to_string(high_water) +
                                            "): try again later");
}

std::vector<std::size_t> subject_run(const std::vector<RunItem>& items, std::string& key, bool& solo, std::size_t max) {
  // The lowest pending sequence of each source: an event with a sequence may go only when it is its
  // source's lowest (gaps are not waited for: an event that never arrives blocks nothing).
  std::map<std::string_view, std::multiset<std::int64_t>> pending;
  for (const auto& it : items) {
    if (it.has_sequence) pending[it.source].insert(it.sequence);
  }
  std::vector<bool> taken(items.size(), false);
  std::vector<std::size_t> out;
  const bool key_given = !key.empty();
  while (out.size() < max) {
    std::size_t next = items.size();
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (taken[i]) continue;
      const auto& it = items[i];
      if (it.has_sequence && *pending[it.source].begin() != it.sequence) continue;
      next = i;
      break;
    }
    if (next == items.size()) break;
    const auto& it = items[next];
    if (out.empty() && !key_given) {
      key = std::string(it.batch_key);
      solo = it.solo;
    } else if (it.batch_key != key || it.solo || solo) {
      break;  // the subject's next event belongs to another batch (or goes alone): it waits
    }
    out.push_back(next);
    taken[next] = true;
    if (it.has_sequence) {
      auto& set = pending[it.source];
      set.erase(set.find(it.sequence));
    }
    if (solo) break;
  }
  return out;
}

}  // namespace detail
}  // namespace sync
}  // namespace v0
}  // namespace odoosync

namespace odoosync {
inline namespace v0 {
namespace sync {

std::string_view to_string(OutboxStatus status) noexcept {
  switch (status) {
    case OutboxStatus::pending: return "pending";
    case OutboxStatus::pushed: return "pushed";
    case OutboxStatus::not_listed: return "not_listed";
    case OutboxStatus::dead: return "dead";
  }
  return "?";
}

result<OutboxStatus> parse_outbox_status(std::string_view text) {
  for (auto s : {OutboxStatus::pending, OutboxStatus::pushed, OutboxStatus::not_listed, OutboxStatus::dead}) {
    if (to_string(s) == text) return s;
  }
  return Error::validation("outbox status: expected pending, pushed, not_listed or dead, got '" + std::string(text) +
                           "'");
}

namespace {
Error no_outbox() { return Error::validation("this store keeps no push outbox"); }
}  // namespace

result<std::size_t> Store::outbox_upsert(std::span<const OutboxChange>, std::int64_t) { return no_outbox(); }
result<std::vector<OutboxItem>> Store::outbox_claim(const OutboxClaim&) { return no_outbox(); }
result<std::vector<bool>> Store::outbox_mark_sent(std::string_view, std::string_view, std::string_view,
                                                  std::span<const OutboxSend>) {
  return no_outbox();
}
result<std::vector<bool>> Store::outbox_settle(std::string_view, std::string_view, std::string_view, std::int64_t,
                                               std::span<const OutboxSettle>) {
  return no_outbox();
}
result<std::optional<OutboxItem>> Store::outbox_get(std::string_view, std::string_view, std::string_view) {
  return no_outbox();
}
result<std::vector<OutboxItem>> Store::outbox_list(const OutboxQuery&) { return no_outbox(); }
result<void> Store::outbox_replay(std::string_view, std::string_view, std::string_view, std::int64_t) {
  return no_outbox();
}
result<OutboxStatusCounts> Store::outbox_status(std::string_view) { return no_outbox(); }

namespace detail {

Error outbox_not_dead(std::string_view channel, std::string_view kind, std::string_view key, bool exists) {
  const std::string what =
      std::string(kind) + " item '" + std::string(key) + "' of channel '" + std::string(channel) + "'";
  return Error(ErrorKind::not_found, exists ? what + " is not a dead letter" : "no " + what + " in the outbox");
}

result<void> check_outbox_changes(std::span<const OutboxChange> changes) {
  for (const auto& c : changes) {
    if (c.channel.empty() || c.kind.empty() || c.key.empty())
      return Error::validation("outbox: a change without channel, kind or key");
    for (std::string_view s : {std::string_view(c.channel), std::string_view(c.kind), std::string_view(c.key),
                               std::string_view(c.part), std::string_view(c.value)}) {
      if (s.find('\0') != std::string_view::npos) return Error::validation("outbox: a text holds a NUL character");
    }
  }
  return success();
}

}  // namespace detail
}  // namespace sync
}  // namespace v0
}  // namespace odoosync
