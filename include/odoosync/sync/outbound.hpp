// Outbound: what changed in Odoo (stock levels, prices, order states, done deliveries), pulled incrementally and handed
// to the host's sinks as canonical retail events (docs/reconcile-outbound.md).
//
//   sync::OutboundPuller puller(store, *client);
//   puller.add_sink(sync::Feed::stock_levels, my_shop);   // an EventSink
//   auto n = puller.pull(sync::Feed::stock_levels);       // result<size_t>: events handed over
//
// Each feed walks its Odoo model by (write_date, id) from a checkpoint kept in the Store under
// "outbound/<feed>" (PullOptions::checkpoint_prefix). A page's checkpoint is saved only after every sink of the feed accepted the page's
// events; when a sink fails, pull() returns its error and the next pull hands the same page again, with
// the same event ids (derived from model, record id and write_date), so sinks see duplicates, never gaps.
#pragma once

#include <array>
#include <cstddef>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/core/result.hpp>
#include <odoosync/retail/events.hpp>
#include <odoosync/sync/store.hpp>

namespace odoosync {
inline namespace v0 {
namespace odoo {
class Client;  // odoo/client.hpp: this header only refers to it
}  // namespace odoo
}  // namespace v0
}  // namespace odoosync

namespace odoosync {
inline namespace v0 {
namespace sync {

// Where outbound events go: the host's code that updates a shop, a till, a marketplace. accept() may be
// given a page again after an earlier failure (its own or another sink's): it must take duplicates by
// event id. Not called with an empty span.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual result<void> accept(std::span<const retail::Event> events) = 0;
};

// fulfilments: done outgoing pickings of sale orders (stock.picking, state done, picking_type_id.code
// outgoing, sale_id set) as retail.shipment.dispatched: reference = the picking's name, order_number = the
// sale order's client_order_ref (the channel's own order id, which the order mapping sets; pickings of
// orders without one are skipped), dispatched_at = date_done, carrier = carrier_id's name and
// tracking_number = carrier_tracking_ref where Odoo has the stock_delivery module (read from fields_get,
// absent otherwise), lines = the done moves' SKUs and quantities (stock.move `quantity`).
enum class Feed { stock_levels, prices, order_states, fulfilments };
inline constexpr std::size_t feed_count = 4;
std::string_view to_string(Feed feed) noexcept;  // "stock_levels", "prices", "order_states", "fulfilments"
result<Feed> parse_feed(std::string_view text);  // the same names
std::string checkpoint_name(Feed feed);          // "outbound/stock_levels"

struct PullOptions {
  std::int64_t page_size = 200;  // Odoo records per read (and per accept)
  std::string source = "odoo";   // the events' CloudEvents source
  // Rows written in the last `settle` seconds (by this host's clock) wait for the next pull: a row carries
  // its transaction's start time and appears when the transaction commits, so a second is read only once
  // no running transaction can still add to it. Odoo's limit_time_real (120 s by default) bounds any
  // transaction; most commit within a second or two. Nothing: read up to the newest row.
  std::optional<std::chrono::seconds> settle = std::chrono::seconds{5};
  // Where the checkpoints live: "<prefix><feed>". A consumer that must see every change whatever other
  // consumers pulled keeps its own (push::pull_options: "push/<channel>/").
  std::string checkpoint_prefix = "outbound/";
  // fulfilments: only pickings whose sale order's origin is this (the channel the order came from:
  // Order::channel, which the order mapping writes into sale.order.origin). Unset: every sale order's.
  std::optional<std::string> order_origin{};
};

// What the last pull of a feed did.
struct PullStats {
  std::size_t pages = 0;                // pages read (and checkpointed) before it ended
  std::size_t records = 0;              // changed Odoo records read
  std::size_t events = 0;               // events handed to the sinks
  std::size_t skipped_no_sku = 0;       // products without an internal reference (default_code)
  std::size_t skipped_no_order = 0;     // fulfilments: a sale order without the channel's id (client_order_ref)
  std::size_t skipped_negative = 0;     // stock: on hand below zero (a count cannot be negative)
  std::size_t skipped_invalid = 0;      // a value the event rules refuse (see `problems`)
  std::vector<std::string> problems{};  // the first 20 reasons for skipped_invalid
};

// Not thread-safe: one puller per thread (or serialise pulls). Sinks are not owned; they must outlive it.
class OutboundPuller {
 public:
  OutboundPuller(Store& store, odoo::Client& client, PullOptions options = {});
  void add_sink(Feed feed, EventSink& sink);
  // All pages since the checkpoint; the number of events handed over. With no sink for the feed it is a
  // validation error and nothing is read (pulling would move the checkpoint past changes nobody saw).
  result<std::size_t> pull(Feed feed);
  const PullStats& last_stats(Feed feed) const noexcept { return stats_[static_cast<std::size_t>(feed)]; }

 private:
  Store& store_;
  odoo::Client& client_;
  PullOptions options_;
  std::array<std::vector<EventSink*>, feed_count> sinks_{};
  std::array<PullStats, feed_count> stats_{};
};

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
