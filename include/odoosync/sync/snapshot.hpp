// Stock snapshots: a channel's counts per SKU and location, read strictly from CSV or JSON Lines text
// (docs/reconcile-outbound.md), for reconcile_stock (reconcile.hpp).
//
//   auto rows = sync::read_stock_snapshot("store-12.csv");            // result<vector<SnapshotRow>>
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/core/result.hpp>
#include <odoosync/retail/quantity.hpp>
#include <odoosync/retail/refs.hpp>

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

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
