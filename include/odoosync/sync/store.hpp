// Store: where the sync engine keeps events, the batches it sends to Odoo, the audit trail and the
// outbound checkpoints. Every method is one atomic step: it either happens whole or not at all, and it
// is durable when it returns. docs/sync.md states the contract (and how a PostgreSQL store shared by
// many processes maps onto it); tests/unit/sync/store_contract_test.cpp checks it for every store.
//
// Times are wall-clock milliseconds since the Unix epoch, passed in by the caller (so tests control
// them and several processes agree on them). A store shared by many machines may judge leases, due times
// and the flush interval by its own clock instead, taking from the caller's times only the durations
// between them (PostgresStore: docs/sync.md, "Clocks").
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/core/result.hpp>
#include <odoosync/sync/outbox.hpp>

namespace odoosync {
inline namespace v0 {
namespace sync {

// `realtime` carries orders, stock and payments; `bulk` the catalogue, prices and customers.
enum class Lane : std::uint8_t { realtime = 0, bulk = 1 };
inline constexpr std::size_t lane_count = 2;
std::string_view to_string(Lane lane) noexcept;
result<Lane> parse_lane(std::string_view text);

enum class EventStatus : std::uint8_t {
  pending = 0,    // waiting for a batch
  in_flight = 1,  // a member of an open batch (being sent, or waiting to retry)
  applied = 2,    // its effect is in Odoo
  dead = 3,       // a permanent error: in the dead-letter queue
  discarded = 4,  // dropped from the dead-letter queue, with a reason
};
std::string_view to_string(EventStatus status) noexcept;
result<EventStatus> parse_event_status(std::string_view text);

// What the engine hands the store at intake: a validated event and what it derived from it.
struct NewEvent {
  std::string source{};
  std::string id{};
  std::string type{};
  std::string subject{};
  std::optional<std::int64_t> sequence{};
  Lane lane = Lane::realtime;
  std::string batch_key{};  // retail::batch_key(): events with the same key may share one effect
  std::string body{};       // the canonical CloudEvents JSON
  // The event's W3C traceparent, "" when it has none. Stores keep it, and its trace id (indexed: what
  // AuditQuery::trace_id finds), in columns of their own.
  std::string traceparent{};
};

struct StoredEvent {
  std::int64_t seq = 0;  // intake order, unique in the store
  NewEvent event{};
  EventStatus status = EventStatus::pending;
  int attempts = 0;  // sends of batches it was a member of
  std::int64_t submitted_ms = 0;
  std::int64_t updated_ms = 0;
  std::int64_t batch = 0;  // the open or last batch it belonged to (0: none yet)
  bool solo = false;       // goes alone: a batch it was in failed permanently and was split
  std::string error{};     // the last error, in full (Error::to_string())
  std::string reason{};    // why it was discarded
};

enum class Intake : std::uint8_t { accepted, duplicate };

// High-water marks per lane (events not yet applied, dead or discarded); 0 means no limit.
using Watermarks = std::array<std::uint64_t, lane_count>;

struct ClaimRequest {
  Lane lane = Lane::realtime;
  std::string owner{};  // who holds the lease (a worker id)
  std::int64_t now_ms = 0;
  std::int64_t lease_ms = 30'000;
  std::size_t max_members = 100;
  // A new batch that is not full is formed only when its oldest member was submitted at or before
  // this time (the lane's flush interval); INT64_MAX flushes at once.
  std::int64_t flush_before_ms = INT64_MAX;
};

// Members and token are written before anything is sent, so a batch resumed after a crash re-sends
// the same members under the same token.
struct Batch {
  std::int64_t id = 0;
  std::string token{};  // the idempotency token Odoo keeps for this batch
  Lane lane = Lane::realtime;
  std::string batch_key{};
  int attempt = 1;           // 1 for the first send
  bool probe_first = false;  // an earlier send may have reached Odoo: probe before applying
  // Its last holder vanished while holding it (a crash, an expired lease) without settling it: that
  // send may still be running in Odoo.
  bool abandoned = false;
  std::int64_t created_ms = 0;
  std::vector<StoredEvent> members{};  // subjects grouped, each subject's events in order
};

enum class SettleKind : std::uint8_t {
  applied,  // all members applied
  retry,    // a transient error: the batch stays open, members stay bound, sent again at due_ms
  dead,     // a permanent error for every member: they go to the dead-letter queue
  split,    // a permanent error in a batch of many: members return to pending, each to go alone
};
std::string_view to_string(SettleKind kind) noexcept;

// The RPC behind a settlement, as the audit names it: the X-Correlation-Id it carried and the W3C trace
// context it was sent in (docs/sync.md, "Traces").
struct RpcRef {
  std::string id{};        // its correlation id: "<batch token>/<attempt>/<n>"
  std::string trace_id{};  // the trace it was sent in (32 hex)
  std::string span_id{};   // its own span: the parent id of the traceparent it carried (16 hex)
  bool empty() const noexcept { return id.empty() && span_id.empty(); }
  friend bool operator==(const RpcRef&, const RpcRef&) = default;
};

struct Settlement {
  SettleKind kind = SettleKind::applied;
  std::int64_t now_ms = 0;
  std::int64_t due_ms = 0;       // retry: when to send again
  bool outcome_unknown = false;  // retry: the send may have reached Odoo
  std::string error{};           // the full error text
  std::string correlation_id{};  // the RPC correlation id, when one is known
  // The RPC that decided this send: the write that applied it (or the probe that found it applied), or
  // the request it failed on. Empty when no RPC was made (a mapping error, the grace period).
  RpcRef rpc{};
};

// One state change of one event.
struct AuditEntry {
  std::int64_t at_ms = 0;
  std::string source{};
  std::string id{};
  std::string subject{};
  std::string action{};  // submitted, claimed, resumed, applied, retry, dead, split, replayed, discarded
  int attempt = 0;
  std::int64_t batch = 0;
  std::string error{};
  std::string correlation_id{};  // the batch token (claimed, resumed, applied), or the failing RPC's id
  std::string trace_id{};        // the event's own trace id (from its traceparent), "" without one
  RpcRef rpc{};                  // applied, retry, split, dead: the RPC that decided it (Settlement::rpc)
};

struct AuditQuery {
  std::optional<std::string> source{};  // with id: one event
  std::optional<std::string> id{};      // alone: every event with that id, whatever its source
  std::optional<std::string> subject{};
  std::optional<std::string> correlation_id{};
  // 32 lowercase hex digits (http::parse_trace_id): the events whose own trace it is, and the events
  // carried by RPCs sent in it (a batch's other members, events without a trace of their own), each
  // with its whole trail.
  std::optional<std::string> trace_id{};
  std::size_t limit = 1000;
};

struct StatusCounts {
  std::uint64_t pending = 0, in_flight = 0, applied = 0, dead = 0, discarded = 0;
  void add(EventStatus status, std::uint64_t n) noexcept;
  std::uint64_t total() const noexcept { return pending + in_flight + applied + dead + discarded; }
};
struct LaneStatus : StatusCounts {
  std::map<std::string, StatusCounts> by_type{};
  std::uint64_t open_batches = 0;
  std::optional<std::int64_t> oldest_pending_ms{};  // submission time of the oldest event not yet settled
};
struct StoreStatus {
  std::array<LaneStatus, lane_count> lanes{};
};

// One change of a lane's queue (pending and in flight), for the history of the status page
// (ops/status_page.hpp): an event taken in, settled (applied, dead) or put back (replayed). Claims,
// retries, splits and discards move nothing in or out of the queue and are not reported.
struct QueueMove {
  enum class Kind : std::uint8_t { submitted, applied, dead, replayed };
  Kind kind = Kind::submitted;
  // Unique per kind: the audit entry's number (applied, dead, replayed), or the event's seq (submitted).
  std::int64_t key = 0;
  std::int64_t at_ms = 0;
  Lane lane = Lane::realtime;
  std::int64_t seq = 0;           // the event's: ties the moves of one event together
  std::int64_t submitted_ms = 0;  // the event's
};

// An event still unsettled (pending or in flight), among the oldest of its lane by intake order.
struct QueueHead {
  std::int64_t seq = 0;
  std::int64_t submitted_ms = 0;
};

struct QueueMoves {
  std::vector<QueueMove> moves{};  // newest first
  // The limit was reached before the walk got back to `since_ms`: only the moves from complete_from_ms
  // on are all here.
  bool truncated = false;
  std::int64_t complete_from_ms = 0;  // every move at or after this time is in `moves` (since_ms when whole)
  // Read in the same snapshot as the moves: the depth now is the depth at any earlier time plus the
  // moves since (submitted and replayed add one, applied and dead take one).
  std::array<std::uint64_t, lane_count> depth{};
  std::array<std::vector<QueueHead>, lane_count> heads{};  // the first few unsettled events by seq, per lane
};

class Store {
 public:
  virtual ~Store() = default;

  // Makes the new events durable, atomically: all are stored (or reported as duplicates of an
  // (source, id) already stored, or earlier in the same call), or none. Above a lane's watermark the
  // whole call fails with ErrorKind::backpressure and nothing is stored.
  virtual result<std::vector<Intake>> append(std::span<const NewEvent> events, std::int64_t now_ms,
                                             const Watermarks& high_water) = 0;

  // A batch to send, leased to `owner` until now + lease: an open batch that is due and not leased
  // (resumed), else a new one formed of subject heads: at most one open batch per subject, a subject's
  // events in intake order with each source's sequences respected, consecutive events of one subject with the same
  // batch key coalescing into it. Nothing when no work is ready.
  virtual result<std::optional<Batch>> claim(const ClaimRequest& request) = 0;
  // Extends a lease; ErrorKind::conflict when the owner no longer holds it.
  virtual result<void> renew(std::int64_t batch, std::string_view owner, std::int64_t until_ms) = 0;
  // Ends a send of a batch the owner holds (ErrorKind::conflict otherwise).
  virtual result<void> settle(std::int64_t batch, std::string_view owner, const Settlement& settlement) = 0;
  // A worker starts: with `exclusive`, every lease held by anyone is void (their holders are gone: an
  // embedded store has one process), and the batches they held will be probed before they are sent.
  // A second exclusive worker (another owner) while one is active is ErrorKind::storage (the store is
  // busy: the tool exits 8, not as if Odoo had refused).
  virtual result<void> begin_worker(std::string_view owner, bool exclusive, std::int64_t now_ms) = 0;
  // The worker stopped: another exclusive worker may begin.
  virtual result<void> end_worker(std::string_view owner) = 0;

  virtual result<std::optional<StoredEvent>> get(std::string_view source, std::string_view id) = 0;
  // Every event with this id, whatever its source.
  virtual result<std::vector<StoredEvent>> find(std::string_view id) = 0;
  // Events in one status, in intake order, after `after_seq`.
  virtual result<std::vector<StoredEvent>> list(EventStatus status, std::size_t limit, std::int64_t after_seq = 0) = 0;

  // A dead event goes back to pending, to go alone in a batch that probes Odoo first (it was sent
  // before); ErrorKind::not_found when it is not dead.
  virtual result<void> replay(std::string_view source, std::string_view id, std::int64_t now_ms) = 0;
  // A dead event is dropped for good, with a reason.
  virtual result<void> discard(std::string_view source, std::string_view id, std::string_view reason,
                               std::int64_t now_ms) = 0;

  virtual result<std::vector<AuditEntry>> audit(const AuditQuery& query) = 0;
  virtual result<StoreStatus> status() = 0;
  // Events pending or in flight, per lane (what the high-water marks count); cheap.
  virtual result<std::array<std::uint64_t, lane_count>> depth() = 0;

  // The queue's moves at or after `since_ms`, newest first, at most `limit` of them, with the depth and
  // the oldest unsettled events of the same moment. Read by walking the primary keys of the audit and
  // the events back from the newest (no scan of older rows: the walk goes `slack_ms` past `since_ms` for
  // rows written slightly out of time order, then stops); no schema of its own. A store that cannot
  // tell (this default) answers ErrorKind::validation, and the status page shows its history as unknown.
  virtual result<QueueMoves> queue_moves(std::int64_t since_ms, std::size_t limit, std::int64_t slack_ms = 120'000);

  // Outbound checkpoints: a name (e.g. "stock.quant") and an opaque text.
  virtual result<std::optional<std::string>> checkpoint(std::string_view name) = 0;
  virtual result<void> set_checkpoint(std::string_view name, std::string_view value) = 0;

  // The push outbox (sync/outbox.hpp, docs/push.md). Every store here keeps one; a host's own store
  // that does not answers ErrorKind::validation ("keeps no push outbox").
  //
  // Takes changes of parts: a part is written only when its sequence is not older than the one held and
  // its value or sequence differs; an item with a written part becomes pending (due now unless it was
  // pending already, then its schedule stands), its version moves on. The number of items that changed.
  virtual result<std::size_t> outbox_upsert(std::span<const OutboxChange> changes, std::int64_t now_ms);
  // Pending items of one channel and kind that are due and not leased, leased to `owner` until now + lease
  // with a new epoch each (the fence every later write of the holder is checked against), oldest due first.
  virtual result<std::vector<OutboxItem>> outbox_claim(const OutboxClaim& claim);
  // Writes ahead what is about to be sent; per item, whether the owner still held it (with its epoch).
  virtual result<std::vector<bool>> outbox_mark_sent(std::string_view channel, std::string_view kind,
                                                     std::string_view owner, std::span<const OutboxSend> sends);
  // Ends the sends of claimed items and releases them; per item, whether the owner still held it (a
  // lease taken over by another worker is not touched).
  virtual result<std::vector<bool>> outbox_settle(std::string_view channel, std::string_view kind,
                                                  std::string_view owner, std::int64_t now_ms,
                                                  std::span<const OutboxSettle> settles);
  virtual result<std::optional<OutboxItem>> outbox_get(std::string_view channel, std::string_view kind,
                                                       std::string_view key);
  // Items in one status (dead letters, not listed, pending), by (kind, key), parts included.
  virtual result<std::vector<OutboxItem>> outbox_list(const OutboxQuery& query);
  // A dead item goes back to pending, due now, its attempts reset; ErrorKind::not_found when it is not dead.
  virtual result<void> outbox_replay(std::string_view channel, std::string_view kind, std::string_view key,
                                     std::int64_t now_ms);
  // Counts per kind of one channel (for the pending gauge and the oldest pending age).
  virtual result<OutboxStatusCounts> outbox_status(std::string_view channel);

  // An id for this store, made once when it is created: it prefixes batch tokens, so two stores that
  // feed one Odoo never share a token.
  virtual const std::string& store_id() const noexcept = 0;
};

// The token of a batch: "<store id>-b<batch id>".
std::string batch_token(std::string_view store_id, std::int64_t batch);

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
