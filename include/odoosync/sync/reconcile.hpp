// Reconciliation: compares a channel's stock snapshot (what the till, shop or WMS believes it holds, per
// SKU and location) with what Odoo's quants hold, reports the drift, and makes the events that would set
// Odoo to the channel's counts (docs/reconcile-outbound.md).
// The snapshot readers (SnapshotRow, read_stock_snapshot) are in snapshot.hpp, included here.
//
//   auto rows = sync::read_stock_snapshot("store-12.csv");            // result<vector<SnapshotRow>>
//   auto report = sync::reconcile_stock(*client, rows.value());        // result<ReconcileReport>
//   auto fix = sync::correcting_events(report.value(), "pos/store-12", retail::Timestamp::now());
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/core/result.hpp>
#include <odoosync/retail/events.hpp>
#include <odoosync/sync/snapshot.hpp>

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

// One (SKU, location) where the channel and Odoo disagree. drift = channel − odoo.
struct DriftRow {
  std::string sku{}, location{};
  retail::Quantity channel{}, odoo{}, drift{};
  bool unknown_in_odoo = false;  // Odoo has no product with this SKU, or no internal location of this name
};

struct ReconcileReport {
  std::vector<DriftRow> drift{};           // in snapshot order: nonzero drift or unknown in Odoo
  std::size_t compared = 0, matching = 0;  // snapshot rows; rows where Odoo holds exactly the channel's count
};

struct ReconcileOptions {
  std::int64_t page_size = 500;  // quants per read
  // After each page of quants: how many were read, of how many Odoo counted when the walk began.
  std::function<void(std::size_t done, std::size_t total)> progress{};
};

// Reads Odoo's quants at the internal locations the snapshot names (in pages, by id), sums `quantity`
// per product internal reference (default_code) and location full name (complete_name), and compares.
// A location means exactly that location, not its children. What Odoo holds but the snapshot does not
// name is not drift. Odoo's floats become Quantity through their shortest decimal text, exactly.
result<ReconcileReport> reconcile_stock(odoo::Client& client, std::span<const SnapshotRow> rows,
                                        const ReconcileOptions& options = {});

// For each drift row Odoo knows, a retail::StockAdjusted with `counted` = the channel's quantity, from
// `source` at `time`. Ids are derived from source, SKU, location and time, so the same fix made twice
// gives the same ids (the engine takes the second as a duplicate).
result<std::vector<retail::Event>> correcting_events(const ReconcileReport& report, std::string_view source,
                                                     retail::Timestamp time);

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
