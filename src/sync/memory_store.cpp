#include <odoosync/sync/memory_store.hpp>
#include <odoosync/sync/lifecycle.hpp>
#include <odoosync/http/trace_context.hpp>

#include <cassert>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include "store_common.hpp"

namespace odoosync {
inline namespace v0 {
namespace sync {

namespace {

struct Subject {
  std::set<std::int64_t> pending;  // intake order; detail::subject_run applies the sequences
  int in_flight = 0;
};

struct BatchRecord {
  Batch batch;  // members kept as seqs below; batch.members left empty
  std::vector<std::int64_t> members;
  bool open = true;
  std::string owner;
  std::int64_t lease_until = 0;
  std::int64_t due_ms = 0;
  bool leased_before = false;
};

}  // namespace

struct MemoryStore::State {
  std::mutex mutex;
  std::string store_id = detail::make_store_id();
  std::vector<StoredEvent> events;  // seq - 1
  std::map<std::pair<std::string, std::string>, std::int64_t, std::less<>> by_key;
  std::multimap<std::string, std::int64_t, std::less<>> by_id;
  std::array<std::set<std::int64_t>, lane_count> pending;
  std::map<std::string, Subject, std::less<>> subjects;
  std::map<std::int64_t, BatchRecord> batches;
  std::array<std::uint64_t, lane_count> depth{};
  std::vector<AuditEntry> audit;
  std::map<std::string, std::string, std::less<>> checkpoints;
  std::string exclusive_owner;
  // The outbox: items by (channel, kind, key), each with its parts, owner and lease.
  struct OutboxRecord {
    OutboxItem item;  // epoch: the current lease's epoch
    std::string owner;
    std::int64_t lease_until = 0;
  };
  std::map<std::tuple<std::string, std::string, std::string>, OutboxRecord, std::less<>> outbox;

  StoredEvent& at(std::int64_t seq) { return events[static_cast<std::size_t>(seq - 1)]; }

  void record(const StoredEvent& e, std::int64_t now, std::string_view action, std::int64_t batch = 0,
              std::string error = {}, std::string correlation = {}, RpcRef rpc = {}) {
    audit.push_back(AuditEntry{now, e.event.source, e.event.id, e.event.subject, std::string(action), e.attempts, batch,
                               std::move(error), std::move(correlation), http::trace_id_of(e.event.traceparent),
                               std::move(rpc)});
  }

  // Every change of an event's status goes through the lifecycle table (sync/lifecycle.hpp): the status,
  // the pending indexes, the subject's in-flight count, the lane's depth, `solo` and the audit entry.
  // `fresh`: the event was just added (its transition is from no status).
  void move(StoredEvent& e, EventAction action, std::int64_t now, std::int64_t batch = 0, std::string error = {},
            std::string correlation = {}, bool fresh = false, RpcRef rpc = {}) {
    const std::optional<EventStatus> from = fresh ? std::nullopt : std::optional<EventStatus>(e.status);
    auto t = transition(from, action);
    assert(t && "the stores move events only along the lifecycle table");
    if (!t) return;
    const auto lane = static_cast<std::size_t>(e.event.lane);
    auto& subject = subjects[e.event.subject];
    if (from == EventStatus::pending && t.value().to != EventStatus::pending) {
      pending[lane].erase(e.seq);
      subject.pending.erase(e.seq);
    }
    if (from != EventStatus::pending && t.value().to == EventStatus::pending) {
      pending[lane].insert(e.seq);
      subject.pending.insert(e.seq);
    }
    if (from == EventStatus::in_flight && t.value().to != EventStatus::in_flight) --subject.in_flight;
    if (from != EventStatus::in_flight && t.value().to == EventStatus::in_flight) ++subject.in_flight;
    const bool counted = from && counts_in_depth(*from);
    if (counted && !t.value().counts_in_depth) --depth[lane];
    if (!counted && t.value().counts_in_depth) ++depth[lane];
    if (t.value().solo_after) e.solo = true;
    e.status = t.value().to;
    e.updated_ms = now;
    record(e, now, to_string(action), batch, std::move(error), std::move(correlation), std::move(rpc));
  }

  Batch materialize(const BatchRecord& r) {
    Batch b = r.batch;
    b.members.reserve(r.members.size());
    for (auto seq : r.members) b.members.push_back(at(seq));
    return b;
  }
};

MemoryStore::MemoryStore() : state_(std::make_unique<State>()) {}
MemoryStore::~MemoryStore() = default;

const std::string& MemoryStore::store_id() const noexcept { return state_->store_id; }

result<std::vector<Intake>> MemoryStore::append(std::span<const NewEvent> events, std::int64_t now_ms,
                                                const Watermarks& high_water) {
  std::lock_guard lock(state_->mutex);
  auto& s = *state_;
  std::vector<Intake> out(events.size(), Intake::accepted);
  std::array<std::uint64_t, lane_count> adding{};
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    const bool dup =
        s.by_key.find(std::make_pair(e.source, e.id)) != s.by_key.end() || !seen.emplace(e.source, e.id).second;
    if (dup) {
      out[i] = Intake::duplicate;
      continue;
    }
    ++adding[static_cast<std::size_t>(e.lane)];
  }
  for (std::size_t l = 0; l < lane_count; ++l) {
    if (high_water[l] != 0 && adding[l] != 0 && s.depth[l] + adding[l] > high_water[l]) {
      return detail::over_watermark(static_cast<Lane>(l), static_cast<std::int64_t>(s.depth[l]), high_water[l]);
    }
  }
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (out[i] == Intake::duplicate) continue;
    StoredEvent e;
    e.seq = static_cast<std::int64_t>(s.events.size()) + 1;
    e.event = events[i];
    e.submitted_ms = e.updated_ms = now_ms;
    s.by_key.emplace(std::make_pair(e.event.source, e.event.id), e.seq);
    s.by_id.emplace(e.event.id, e.seq);
    s.events.push_back(std::move(e));
    s.move(s.events.back(), EventAction::submitted, now_ms, 0, {}, {}, /*fresh=*/true);
  }
  return out;
}

result<std::optional<Batch>> MemoryStore::claim(const ClaimRequest& rq) {
  std::lock_guard lock(state_->mutex);
  auto& s = *state_;
  // An open batch that is due and not leased goes first.
  for (auto& [id, r] : s.batches) {
    if (!r.open || r.batch.lane != rq.lane || r.due_ms > rq.now_ms) continue;
    if (!r.owner.empty() && r.lease_until > rq.now_ms) continue;
    if (r.leased_before) r.batch.probe_first = true;  // ProbeReason::resumed_after_holder
    r.batch.abandoned = r.leased_before;
    r.owner = rq.owner;
    r.lease_until = rq.now_ms + rq.lease_ms;
    r.leased_before = true;
    ++r.batch.attempt;
    for (auto seq : r.members) {
      auto& e = s.at(seq);
      ++e.attempts;
      s.move(e, EventAction::resumed, rq.now_ms, id, {}, r.batch.token);
    }
    return std::optional<Batch>(s.materialize(r));
  }

  std::vector<std::int64_t> members;
  std::set<std::string_view> chosen;
  std::string key;
  bool solo = false;
  std::int64_t oldest = INT64_MAX;
  std::size_t scanned = 0;
  const std::size_t scan_limit = std::max<std::size_t>(rq.max_members * 20, 2000);
  for (auto seq : s.pending[static_cast<std::size_t>(rq.lane)]) {
    if (members.size() >= rq.max_members || solo) break;
    auto& e = s.at(seq);
    auto sit = s.subjects.find(e.event.subject);
    auto& subj = sit->second;
    if (subj.in_flight > 0 || chosen.count(sit->first) != 0) continue;  // busy subjects cost no scan budget
    if (++scanned > scan_limit) break;
    // The subject's head and run: detail::subject_run over its pending events in intake order.
    std::vector<detail::RunItem> items;
    items.reserve(subj.pending.size());
    for (auto p : subj.pending) {
      const auto& x = s.at(p);
      items.push_back({x.seq, x.event.source, x.event.sequence.has_value(), x.event.sequence.value_or(0),
                       x.event.batch_key, x.solo});
    }
    auto run = detail::subject_run(items, key, solo, rq.max_members - members.size());
    if (run.empty()) continue;  // its head belongs to another batch key: it waits
    chosen.insert(sit->first);
    for (auto i : run) {
      members.push_back(items[i].seq);
      oldest = std::min(oldest, s.at(items[i].seq).submitted_ms);
    }
  }
  if (members.empty()) return std::optional<Batch>();
  if (members.size() < rq.max_members && !solo && oldest > rq.flush_before_ms) return std::optional<Batch>();

  const std::int64_t id = s.batches.empty() ? 1 : s.batches.rbegin()->first + 1;
  BatchRecord r;
  r.batch.id = id;
  r.batch.token = batch_token(s.store_id, id);
  r.batch.lane = rq.lane;
  r.batch.batch_key = key;
  r.batch.attempt = 1;
  r.batch.created_ms = rq.now_ms;
  r.owner = rq.owner;
  r.lease_until = rq.now_ms + rq.lease_ms;
  r.leased_before = true;
  r.due_ms = rq.now_ms;
  for (auto seq : members) {
    auto& e = s.at(seq);
    if (e.attempts > 0) r.batch.probe_first = true;  // ProbeReason::member_sent_before
    e.batch = id;
    ++e.attempts;
    s.move(e, EventAction::claimed, rq.now_ms, id, {}, r.batch.token);
  }
  r.members = std::move(members);
  auto [it, _] = s.batches.emplace(id, std::move(r));
  return std::optional<Batch>(s.materialize(it->second));
}

result<void> MemoryStore::renew(std::int64_t batch, std::string_view owner, std::int64_t until_ms) {
  std::lock_guard lock(state_->mutex);
  auto it = state_->batches.find(batch);
  if (it == state_->batches.end() || !it->second.open || it->second.owner != owner) {
    return detail::not_leased(batch, owner);
  }
  it->second.lease_until = until_ms;
  return success();
}

result<void> MemoryStore::settle(std::int64_t batch, std::string_view owner, const Settlement& st) {
  std::lock_guard lock(state_->mutex);
  auto& s = *state_;
  auto it = s.batches.find(batch);
  if (it == s.batches.end() || !it->second.open || it->second.owner != owner) {
    return detail::not_leased(batch, owner);
  }
  auto& r = it->second;
  for (auto seq : r.members) {
    auto& e = s.at(seq);
    if (!st.error.empty()) e.error = st.error;
    if (st.kind == SettleKind::applied) e.error.clear();
    s.move(e, settle_action(st.kind), st.now_ms, batch, st.error, st.correlation_id, false, st.rpc);
  }
  if (st.kind == SettleKind::retry) {
    r.owner.clear();
    r.lease_until = 0;
    r.leased_before = false;
    r.due_ms = st.due_ms;
    if (st.outcome_unknown) r.batch.probe_first = true;  // ProbeReason::outcome_unknown
  } else {
    r.open = false;
  }
  return success();
}

result<void> MemoryStore::begin_worker(std::string_view owner, bool exclusive, std::int64_t) {
  std::lock_guard lock(state_->mutex);
  if (!exclusive) return success();
  if (!state_->exclusive_owner.empty() && state_->exclusive_owner != owner) {
    return Error(ErrorKind::storage, "another engine (" + state_->exclusive_owner + ") runs on this store");
  }
  state_->exclusive_owner = std::string(owner);
  for (auto& [id, r] : state_->batches) {
    if (!r.open || r.owner.empty()) continue;
    r.owner.clear();
    r.lease_until = 0;
    r.batch.probe_first = true;  // ProbeReason::worker_started
  }
  return success();
}

result<void> MemoryStore::end_worker(std::string_view owner) {
  std::lock_guard lock(state_->mutex);
  if (state_->exclusive_owner == owner) state_->exclusive_owner.clear();
  return success();
}

result<std::optional<StoredEvent>> MemoryStore::get(std::string_view source, std::string_view id) {
  std::lock_guard lock(state_->mutex);
  auto it = state_->by_key.find(std::make_pair(std::string(source), std::string(id)));
  if (it == state_->by_key.end()) return std::optional<StoredEvent>();
  return std::optional<StoredEvent>(state_->at(it->second));
}

result<std::vector<StoredEvent>> MemoryStore::find(std::string_view id) {
  std::lock_guard lock(state_->mutex);
  std::vector<StoredEvent> out;
  auto [b, e] = state_->by_id.equal_range(id);
  for (auto it = b; it != e; ++it) out.push_back(state_->at(it->second));
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.seq < y.seq; });
  return out;
}

result<std::vector<StoredEvent>> MemoryStore::list(EventStatus status, std::size_t limit, std::int64_t after_seq) {
  std::lock_guard lock(state_->mutex);
  std::vector<StoredEvent> out;
  for (std::size_t i = static_cast<std::size_t>(std::max<std::int64_t>(after_seq, 0)); i < state_->events.size(); ++i) {
    if (out.size() >= limit) break;
    if (state_->events[i].status == status) out.push_back(state_->events[i]);
  }
  return out;
}

result<void> MemoryStore::replay(std::string_view source, std::string_view id, std::int64_t now_ms) {
  std::lock_guard lock(state_->mutex);
  auto& s = *state_;
  auto it = s.by_key.find(std::make_pair(std::string(source), std::string(id)));
  if (it == s.by_key.end() || s.at(it->second).status != EventStatus::dead) {
    return detail::not_dead(source, id, it != s.by_key.end());
  }
  s.move(s.at(it->second), EventAction::replayed, now_ms);
  return success();
}

result<void> MemoryStore::discard(std::string_view source, std::string_view id, std::string_view reason,
                                  std::int64_t now_ms) {
  if (reason.empty()) return Error::validation("discard: a reason is required");
  std::lock_guard lock(state_->mutex);
  auto& s = *state_;
  auto it = s.by_key.find(std::make_pair(std::string(source), std::string(id)));
  if (it == s.by_key.end() || s.at(it->second).status != EventStatus::dead) {
    return detail::not_dead(source, id, it != s.by_key.end());
  }
  auto& e = s.at(it->second);
  e.reason = std::string(reason);
  s.move(e, EventAction::discarded, now_ms, 0, std::string(reason));
  return success();
}

result<std::vector<AuditEntry>> MemoryStore::audit(const AuditQuery& q) {
  std::lock_guard lock(state_->mutex);
  std::vector<AuditEntry> out;
  // A trace: the events whose own trace it is, and those carried by RPCs sent in it.
  std::set<std::pair<std::string_view, std::string_view>> traced;
  if (q.trace_id && !q.trace_id->empty()) {
    for (const auto& a : state_->audit) {
      if (a.trace_id == *q.trace_id || a.rpc.trace_id == *q.trace_id) traced.emplace(a.source, a.id);
    }
  }
  for (const auto& a : state_->audit) {
    if (out.size() >= q.limit) break;
    if (q.trace_id && traced.count({a.source, a.id}) == 0) continue;
    if (q.source && a.source != *q.source) continue;
    if (q.id && a.id != *q.id) continue;
    if (q.subject && a.subject != *q.subject) continue;
    if (q.correlation_id && a.correlation_id != *q.correlation_id) continue;
    out.push_back(a);
  }
  return out;
}

result<StoreStatus> MemoryStore::status() {
  std::lock_guard lock(state_->mutex);
  StoreStatus st;
  for (const auto& e : state_->events) {
    auto& l = st.lanes[static_cast<std::size_t>(e.event.lane)];
    l.add(e.status, 1);
    l.by_type[e.event.type].add(e.status, 1);
    if ((e.status == EventStatus::pending || e.status == EventStatus::in_flight) &&
        (!l.oldest_pending_ms || e.submitted_ms < *l.oldest_pending_ms)) {
      l.oldest_pending_ms = e.submitted_ms;
    }
  }
  for (const auto& [id, r] : state_->batches) {
    if (r.open) ++st.lanes[static_cast<std::size_t>(r.batch.lane)].open_batches;
  }
  return st;
}

result<std::array<std::uint64_t, lane_count>> MemoryStore::depth() {
  std::lock_guard lock(state_->mutex);
  return state_->depth;
}

result<QueueMoves> MemoryStore::queue_moves(std::int64_t since_ms, std::size_t limit, std::int64_t slack_ms) {
  std::lock_guard lock(state_->mutex);
  auto& s = *state_;
  const auto max_rows = limit > SIZE_MAX / 4 ? SIZE_MAX : limit * 4;
  // Keys are positions + 1 in the audit and the events: the same walk as the stores on disk.
  auto audit_page = [&](std::int64_t before, std::size_t n) -> result<std::vector<detail::MoveRow>> {
    std::vector<detail::MoveRow> rows;
    auto i = std::min<std::int64_t>(before - 1, static_cast<std::int64_t>(s.audit.size()));
    for (; i >= 1 && rows.size() < n; --i) {
      const auto& a = s.audit[static_cast<std::size_t>(i - 1)];
      detail::MoveRow r{i, a.at_ms, detail::move_kind(a.action)};
      if (r.kind) {
        const auto& e = s.at(s.by_key.find(std::make_pair(a.source, a.id))->second);
        r.lane = e.event.lane;
        r.seq = e.seq;
        r.submitted_ms = e.submitted_ms;
      }
      rows.push_back(r);
    }
    return rows;
  };
  auto event_page = [&](std::int64_t before, std::size_t n) -> result<std::vector<detail::MoveRow>> {
    std::vector<detail::MoveRow> rows;
    auto i = std::min<std::int64_t>(before - 1, static_cast<std::int64_t>(s.events.size()));
    for (; i >= 1 && rows.size() < n; --i) {
      const auto& e = s.at(i);
      rows.push_back(
          detail::MoveRow{i, e.submitted_ms, QueueMove::Kind::submitted, e.event.lane, e.seq, e.submitted_ms});
    }
    return rows;
  };
  ODOOSYNC_TRY(a, detail::walk_moves(audit_page, INT64_MAX, since_ms, slack_ms, limit, max_rows));
  ODOOSYNC_TRY(e, detail::walk_moves(event_page, INT64_MAX, since_ms, slack_ms, limit, max_rows));
  auto out = detail::merge_moves(std::move(a), std::move(e), since_ms, limit);
  out.depth = s.depth;
  for (std::size_t lane = 0; lane < lane_count; ++lane) {
    std::vector<QueueHead> heads;
    // Pending ones by seq, then the few in flight (members of open batches).
    for (auto seq : s.pending[lane]) {
      if (heads.size() >= detail::queue_head_count) break;
      heads.push_back(QueueHead{seq, s.at(seq).submitted_ms});
    }
    for (const auto& [id, r] : s.batches) {
      if (!r.open || static_cast<std::size_t>(r.batch.lane) != lane) continue;
      for (auto seq : r.members)
        if (s.at(seq).status == EventStatus::in_flight) heads.push_back(QueueHead{seq, s.at(seq).submitted_ms});
    }
    std::sort(heads.begin(), heads.end(), [](const QueueHead& x, const QueueHead& y) { return x.seq < y.seq; });
    if (heads.size() > detail::queue_head_count) heads.resize(detail::queue_head_count);
    out.heads[lane] = std::move(heads);
  }
  return out;
}

result<std::optional<std::string>> MemoryStore::checkpoint(std::string_view name) {
  std::lock_guard lock(state_->mutex);
  auto it = state_->checkpoints.find(name);
  if (it == state_->checkpoints.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

result<void> MemoryStore::set_checkpoint(std::string_view name, std::string_view value) {
  std::lock_guard lock(state_->mutex);
  state_->checkpoints[std::string(name)] = std::string(value);
  return success();
}

// ---- the push outbox ------------------------------------------------------------------------------

result<std::size_t> MemoryStore::outbox_upsert(std::span<const OutboxChange> changes, std::int64_t now_ms) {
  ODOOSYNC_TRYV(detail::check_outbox_changes(changes));
  std::lock_guard lock(state_->mutex);
  std::set<std::tuple<std::string, std::string, std::string>> touched;
  for (const auto& c : changes) {
    auto key = std::make_tuple(c.channel, c.kind, c.key);
    auto it = state_->outbox.find(key);
    if (it == state_->outbox.end()) {
      State::OutboxRecord r;
      r.item.channel = c.channel;
      r.item.kind = c.kind;
      r.item.key = c.key;
      r.item.status = OutboxStatus::pending;
      r.item.due_ms = r.item.changed_ms = r.item.updated_ms = now_ms;
      it = state_->outbox.emplace(key, std::move(r)).first;
    } else {
      auto& parts = it->second.item.parts;
      auto p = std::find_if(parts.begin(), parts.end(), [&](const OutboxPart& x) { return x.part == c.part; });
      if (p != parts.end() && (c.sequence < p->sequence || (c.sequence == p->sequence && c.value == p->value)))
        continue;  // older, or the same again
    }
    OutboxItem& item = it->second.item;
    auto p = std::find_if(item.parts.begin(), item.parts.end(), [&](const OutboxPart& x) { return x.part == c.part; });
    if (p == item.parts.end()) {
      item.parts.push_back(OutboxPart{c.part, c.value, c.sequence});
      std::sort(item.parts.begin(), item.parts.end(),
                [](const OutboxPart& a, const OutboxPart& b) { return a.part < b.part; });
    } else {
      p->value = c.value;
      p->sequence = c.sequence;
    }
    item.sequence = std::max(item.sequence, c.sequence);
    ++item.version;
    item.updated_ms = now_ms;
    if (item.status != OutboxStatus::pending) {
      item.status = OutboxStatus::pending;
      item.attempts = 0;
      item.error.clear();
      item.due_ms = item.changed_ms = now_ms;
    }
    touched.insert(key);
  }
  return touched.size();
}

result<std::vector<OutboxItem>> MemoryStore::outbox_claim(const OutboxClaim& c) {
  std::lock_guard lock(state_->mutex);
  std::vector<State::OutboxRecord*> due;
  auto from = state_->outbox.lower_bound(std::make_tuple(c.channel, c.kind, std::string()));
  for (auto it = from; it != state_->outbox.end(); ++it) {
    if (std::get<0>(it->first) != c.channel || std::get<1>(it->first) != c.kind) break;
    auto& r = it->second;
    if (r.item.status != OutboxStatus::pending || r.item.due_ms > c.now_ms) continue;
    if (!r.owner.empty() && r.lease_until > c.now_ms) continue;
    due.push_back(&r);
  }
  std::stable_sort(due.begin(), due.end(),
                   [](const auto* a, const auto* b) { return a->item.due_ms < b->item.due_ms; });
  if (due.size() > c.max_items) due.resize(c.max_items);
  std::vector<OutboxItem> out;
  for (auto* r : due) {
    r->owner = c.owner;
    r->lease_until = c.now_ms + c.lease_ms;
    ++r->item.epoch;
    out.push_back(r->item);
  }
  return out;
}

result<std::vector<bool>> MemoryStore::outbox_mark_sent(std::string_view channel, std::string_view kind,
                                                        std::string_view owner, std::span<const OutboxSend> sends) {
  std::lock_guard lock(state_->mutex);
  std::vector<bool> out;
  for (const auto& s : sends) {
    auto it = state_->outbox.find(std::make_tuple(std::string(channel), std::string(kind), s.key));
    const bool held = it != state_->outbox.end() && it->second.owner == owner && it->second.item.epoch == s.epoch;
    if (held) it->second.item.sent = s.value;
    out.push_back(held);
  }
  return out;
}

result<std::vector<bool>> MemoryStore::outbox_settle(std::string_view channel, std::string_view kind,
                                                     std::string_view owner, std::int64_t now_ms,
                                                     std::span<const OutboxSettle> settles) {
  std::lock_guard lock(state_->mutex);
  std::vector<bool> out;
  for (const auto& s : settles) {
    auto it = state_->outbox.find(std::make_tuple(std::string(channel), std::string(kind), s.key));
    const bool held = it != state_->outbox.end() && it->second.owner == owner && it->second.item.epoch == s.epoch;
    out.push_back(held);
    if (!held) continue;
    auto& r = it->second;
    OutboxItem& item = r.item;
    r.owner.clear();
    r.lease_until = 0;
    if (s.pushed) item.pushed = s.pushed;
    if (s.channel_value) item.channel_value = s.channel_value;
    if (!s.outcome_unknown) item.sent.reset();
    item.updated_ms = now_ms;
    if (item.version != s.version) {  // changed meanwhile: the newer value is still to push
      if (s.status == OutboxStatus::pending) {
        item.due_ms = s.due_ms;
        item.error = s.error;
      } else {
        item.due_ms = now_ms;
        item.attempts = 0;
        item.error.clear();
      }
      continue;
    }
    item.status = s.status;
    item.error = s.error;
    if (s.status == OutboxStatus::pending) {
      item.due_ms = s.due_ms;
      if (s.count_attempt) ++item.attempts;
    } else if (s.status != OutboxStatus::dead) {
      item.attempts = 0;
    }
  }
  return out;
}

result<std::optional<OutboxItem>> MemoryStore::outbox_get(std::string_view channel, std::string_view kind,
                                                          std::string_view key) {
  std::lock_guard lock(state_->mutex);
  auto it = state_->outbox.find(std::make_tuple(std::string(channel), std::string(kind), std::string(key)));
  if (it == state_->outbox.end()) return std::optional<OutboxItem>();
  OutboxItem item = it->second.item;
  item.epoch = 0;
  return std::optional<OutboxItem>(std::move(item));
}

result<std::vector<OutboxItem>> MemoryStore::outbox_list(const OutboxQuery& q) {
  std::lock_guard lock(state_->mutex);
  std::vector<OutboxItem> out;
  auto from = state_->outbox.upper_bound(std::make_tuple(q.channel, q.after_kind, q.after_key));
  for (auto it = from; it != state_->outbox.end() && out.size() < q.limit; ++it) {
    if (std::get<0>(it->first) != q.channel) break;
    if (q.kind && std::get<1>(it->first) != *q.kind) continue;
    if (it->second.item.status != q.status) continue;
    out.push_back(it->second.item);
    out.back().epoch = 0;
  }
  return out;
}

result<void> MemoryStore::outbox_replay(std::string_view channel, std::string_view kind, std::string_view key,
                                        std::int64_t now_ms) {
  std::lock_guard lock(state_->mutex);
  auto it = state_->outbox.find(std::make_tuple(std::string(channel), std::string(kind), std::string(key)));
  if (it == state_->outbox.end() || it->second.item.status != OutboxStatus::dead)
    return detail::outbox_not_dead(channel, kind, key, it != state_->outbox.end());
  OutboxItem& item = it->second.item;
  item.status = OutboxStatus::pending;
  item.attempts = 0;
  item.due_ms = item.changed_ms = item.updated_ms = now_ms;
  return success();
}

result<OutboxStatusCounts> MemoryStore::outbox_status(std::string_view channel) {
  std::lock_guard lock(state_->mutex);
  OutboxStatusCounts out;
  auto from = state_->outbox.lower_bound(std::make_tuple(std::string(channel), std::string(), std::string()));
  for (auto it = from; it != state_->outbox.end() && std::get<0>(it->first) == channel; ++it) {
    const OutboxItem& item = it->second.item;
    auto& k = out[item.kind];
    switch (item.status) {
      case OutboxStatus::pending:
        ++k.pending;
        k.oldest_pending_ms = std::min(k.oldest_pending_ms.value_or(INT64_MAX), item.changed_ms);
        break;
      case OutboxStatus::not_listed: ++k.not_listed; break;
      case OutboxStatus::dead: ++k.dead; break;
      case OutboxStatus::pushed: break;
    }
  }
  return out;
}

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
