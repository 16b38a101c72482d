// Reconciliation: compares a channel's stock snapshot (what the till, shop or WMS believes it holds, per
// SKU and location) with what Odoo's quants hold, reports the drift, and makes the events that would set
// Odoo to the channel's counts (docs/reconcile-outbound.md).
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

// One counted (SKU, location) of a snapshot. `line` is where it was in the text (1-based), 0 when the
// row was made in code.
struct SnapshotRow {
  retail::Sku sku{};
  retail::LocationRef location{};
  retail::Quantity quantity{};  // not negative; its unit is the `uom` column, else "Units"
  std::size_t line = 0;
};

// csv: a header row naming the columns sku, location, quantity (any order, optional uom, other columns
// ignored), RFC 4180 quoting. jsonl: one object per line, {"sku": "..", "location": "..", "quantity":
// "12.5"} (quantity a decimal string or a JSON number without exponent), optional "uom".
enum class SnapshotFormat { csv, jsonl };
std::string_view to_string(SnapshotFormat format) noexcept;

// Errors are ErrorKind::validation naming the line and the column or field: `line 3, column "quantity":
// "1,5" must be a decimal string such as "12.50"`. A (sku, location) given twice is an error naming both
// lines. Rows come back in the order of the text; blank lines are skipped.
result<std::vector<SnapshotRow>> parse_stock_snapshot(std::string_view text, SnapshotFormat format);
// The format from the extension (.csv; .jsonl or .ndjson); errors name the path.
result<std::vector<SnapshotRow>> read_stock_snapshot(const std::string& path);

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
