// Pusher: the durable push of one channel. It is an sync::EventSink, so an OutboundPuller hands it
// Odoo's changes (stock counts, prices, done deliveries); accept() only writes them into the Store's
// outbox (sync/outbox.hpp), durable when it returns, the latest value per item coalescing older ones.
// push_once()/run() then drain the outbox into the channel through its ChannelClient: batches within
// the provider's limits, only items whose desired value differs from what was last pushed, per-item
// outcomes (dead letters for that item only), compare-and-set for stock with the rule that keeps a sale
// made in the channel meanwhile, backoff with jitter, Retry-After honoured. docs/push.md.
//
//   push::Pusher pusher(store, client, "shop-eu", mapping);
//   sync::OutboundPuller puller(store, odoo, push::pull_options("shop-eu"));
//   puller.add_sink(sync::Feed::stock_levels, pusher);
//   puller.pull(sync::Feed::stock_levels);                   // Odoo -> outbox
//   auto summary = pusher.run(push::Kind::stock);            // outbox -> channel
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/core/clock.hpp>
#include <odoosync/core/log.hpp>
#include <odoosync/core/metrics.hpp>
#include <odoosync/core/result.hpp>
#include <odoosync/push/channel_client.hpp>
#include <odoosync/sync/outbound.hpp>
#include <odoosync/sync/outbox.hpp>
#include <odoosync/sync/store.hpp>

namespace odoosync {
inline namespace v0 {
namespace push {

// What is pushed; the outbox kinds "stock", "price", "fulfilment".
enum class Kind { stock, price, fulfilment };
std::string_view to_string(Kind kind) noexcept;
// "stock", "price"/"prices", "fulfilment"/"fulfilments".
result<Kind> parse_kind(std::string_view text);
// The Odoo feed each kind is pulled from.
sync::Feed feed_of(Kind kind) noexcept;

// How Odoo's data becomes the channel's (the "push" block of the channel's configuration, docs/push.md).
struct PushMapping {
  // Channel location id -> the Odoo locations (complete names) whose counts add up to it. "" is the
  // location of channels with one stock per item (WooCommerce, Amazon).
  std::map<std::string, std::vector<std::string>, std::less<>> stock_locations{};
  std::int64_t safety_stock = 0;                                           // held back from every item
  std::map<std::string, std::int64_t, std::less<>> safety_stock_by_sku{};  // per SKU, instead of the above
};

// The quantity a channel may sell: the sum of the counts, rounded down to whole units, less the safety
// stock, never below 0. Counts are Quantity texts ("12", "2.5").
result<std::int64_t> sellable(std::span<const std::string> counts, std::int64_t safety);

struct PusherOptions {
  std::string owner{};  // the lease holder's name; default "push-<pid>-<n>"
  std::chrono::milliseconds lease{120'000};
  int max_attempts = 10;  // failed sends of one item (its own `retry` outcomes) before it is a dead letter
  std::chrono::milliseconds backoff_base{1'000};
  std::chrono::milliseconds backoff_max{300'000};
  int stale_resends = 3;  // compare-and-set refusals answered at once, per item and round
  std::size_t max_fulfilments_per_call = 1;
  Clock* clock = nullptr;  // default: the system clock
  Logger logger{};
  MetricsSink* metrics = nullptr;
  std::uint64_t seed = 0;  // the jitter's; 0: random
};

// What a round or a run did, per item.
struct PushCounts {
  std::uint64_t applied = 0;     // the channel holds the value now
  std::uint64_t unchanged = 0;   // the desired value was already pushed: nothing sent
  std::uint64_t stale = 0;       // compare-and-set refusals (each answered by a recomputed send)
  std::uint64_t not_listed = 0;  // the channel has no such item
  std::uint64_t retried = 0;     // to send again later (the item's or the whole call's failure)
  std::uint64_t dead = 0;        // dead-lettered
  std::uint64_t lost = 0;        // another worker took the lease over: left to it
  std::uint64_t calls = 0;       // calls made to the channel
  PushCounts& operator+=(const PushCounts& o);
};

struct PushRound {
  std::size_t claimed = 0;
  PushCounts counts{};
  // A whole-call failure: the items wait until then (the channel's Retry-After, or the backoff).
  std::optional<std::chrono::milliseconds> retry_after{};
  std::string error{};  // that failure
};

struct RunOptions {
  // Wait for items whose retry is due within this time (pending items in backoff); 0: push what is due
  // now and stop.
  std::chrono::milliseconds wait_for_retries{0};
};

struct PushSummary {
  std::size_t rounds = 0;
  PushCounts counts{};
  std::uint64_t pending = 0;  // left pending (waiting for a retry) when it stopped
  std::uint64_t dead = 0;     // dead letters of this kind in the outbox
  std::string last_error{};
};

// One channel. Not thread-safe: one thread at a time per Pusher (several Pushers, in several
// processes, may share a channel's outbox: claims lease items). The store and the client must outlive it.
class Pusher final : public sync::EventSink {
 public:
  Pusher(sync::Store& store, std::shared_ptr<ChannelClient> client, std::string channel, PushMapping mapping,
         PusherOptions options = {});

  const std::string& channel() const noexcept { return channel_; }

  // Outbox intake: stock counts (retail.stock.adjusted with `counted`) of the Odoo locations the mapping
  // names, list prices (retail.price.changed), done deliveries (retail.shipment.dispatched); other
  // events are ignored. Sequenced by the event's time (Odoo's write_date) and the record id in its id
  // ("<model>/<id>@<write_date>"). Durable when it returns.
  result<void> accept(std::span<const retail::Event> events) override;

  // One batch: claim what is due, send, settle. An ErrorKind::auth error stops it (the items wait) and
  // is returned; other failures are recorded on the items and reported in the round.
  result<PushRound> push_once(Kind kind);
  // Rounds until nothing is due (and, with wait_for_retries, until nothing pending is due within it).
  result<PushSummary> run(Kind kind, RunOptions options = {});

  result<std::vector<sync::OutboxItem>> dead_letters(std::optional<Kind> kind = std::nullopt, std::size_t limit = 100);
  // A dead letter is pushed again (now); ErrorKind::not_found when the key is not a dead letter.
  result<void> replay(Kind kind, std::string_view key);
  // The outbox's counts for this channel, and the pending and oldest-pending-age gauges set from them.
  result<sync::OutboxStatusCounts> status();

 private:
  result<void> push_levels(std::vector<sync::OutboxItem>& items, PushRound& round);
  result<void> push_simple(Kind kind, std::vector<sync::OutboxItem>& items, PushRound& round);
  result<std::vector<bool>> settle(Kind kind, std::vector<sync::OutboxSettle>& settles, PushRound& round);
  sync::OutboxSettle retry_later(const sync::OutboxItem& item, std::string error, bool item_failure,
                                 std::optional<std::chrono::milliseconds> retry_after, bool outcome_unknown);
  std::int64_t now_ms() const;
  std::chrono::milliseconds backoff(int attempts);
  void count(Kind kind, std::string_view outcome, std::uint64_t n = 1);
  std::int64_t safety_for(std::string_view sku) const;

  sync::Store& store_;
  std::shared_ptr<ChannelClient> client_;
  std::string channel_;
  PushMapping mapping_;
  PusherOptions options_;
  Clock* clock_;
  std::mt19937_64 rng_;
};

// The PullOptions of a channel's pushes: its own checkpoints ("push/<channel>/<feed>"), so each channel
// sees every change, however often another channel pulls.
sync::PullOptions pull_options(std::string_view channel, sync::PullOptions base = {});

}  // namespace push
}  // namespace v0
}  // namespace odoosync
