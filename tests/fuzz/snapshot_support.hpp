// What the two snapshot targets share: the invariants of a parsed snapshot and its round trips.
//
// Every row of an accepted snapshot passes the event rules (Sku, LocationRef), has a quantity that is not
// negative with a unit of at most 32 characters, sits on a line of the text (1-based, in increasing
// order), and no (sku, location) repeats. Written back out, as CSV with every field quoted and as JSON
// Lines through json::Writer, it parses to the same rows in both formats.
#pragma once

#include <odoosync/core/json.hpp>
#include <odoosync/retail/refs.hpp>
#include <odoosync/sync/snapshot.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_support.hpp"

namespace odoosync_fuzz {

namespace snap = odoosync::sync;

inline std::string csv_field(std::string_view v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

inline std::string to_csv(const std::vector<snap::SnapshotRow>& rows) {
  std::string out = "sku,location,quantity,uom\n";
  for (const auto& r : rows) {
    out += csv_field(r.sku.value) + "," + csv_field(r.location.value) + "," + csv_field(r.quantity.value()) + "," +
           csv_field(r.quantity.uom()) + "\n";
  }
  return out;
}

inline std::string to_jsonl(const std::vector<snap::SnapshotRow>& rows) {
  std::string out;
  odoosync::json::Writer w;
  for (const auto& r : rows) {
    w.clear();
    w.begin_object()
        .member("sku", r.sku.value)
        .member("location", r.location.value)
        .member("quantity", r.quantity.value())
        .member("uom", r.quantity.uom())
        .end_object();
    auto v = w.view();
    check(static_cast<bool>(v), "snapshot.jsonl_writable", [&] { return v.error().message(); });
    out.append(v.value());
    out += '\n';
  }
  return out;
}

inline bool same_rows(const std::vector<snap::SnapshotRow>& a, const std::vector<snap::SnapshotRow>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!(a[i].sku == b[i].sku) || !(a[i].location == b[i].location) || !(a[i].quantity == b[i].quantity)) return false;
  }
  return true;
}

inline void check_snapshot(std::string_view text, snap::SnapshotFormat format) {
  auto parsed = snap::parse_stock_snapshot(text, format);
  if (!parsed) {
    check(!parsed.error().message().empty() && parsed.error().kind() == odoosync::ErrorKind::validation,
          "snapshot.error_says_why", [&] { return parsed.error().to_string(); });
    return;
  }
  const auto& rows = parsed.value();
  const std::size_t lines = 1 + static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  std::size_t last_line = 0;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& r : rows) {
    check(odoosync::retail::rules::check_sku(r.sku.value).empty(), "snapshot.sku_rules",
          [&] { return shown(r.sku.value); });
    check(odoosync::retail::rules::check_location(r.location.value).empty() &&
              !odoosync::json::find_invalid_utf8(r.location.value),
          "snapshot.location_rules", [&] { return shown(r.location.value); });
    check(!r.quantity.is_negative(), "snapshot.quantity_not_negative", [&] { return r.quantity.value(); });
    check(!r.quantity.uom().empty() && r.quantity.uom().size() <= 32 &&
              !odoosync::json::find_invalid_utf8(r.quantity.uom()),
          "snapshot.uom_rules", [&] { return shown(r.quantity.uom()); });
    check(r.line > last_line && r.line <= lines, "snapshot.line_numbers", [&] {
      return std::to_string(r.line) + " after " + std::to_string(last_line) + " of " + std::to_string(lines);
    });
    last_line = r.line;
    check(seen.emplace(r.sku.value, r.location.value).second, "snapshot.no_duplicates",
          [&] { return shown(r.sku.value) + " at " + shown(r.location.value); });
  }

  const std::string csv = to_csv(rows);
  auto from_csv = snap::parse_stock_snapshot(csv, snap::SnapshotFormat::csv);
  check(from_csv && same_rows(from_csv.value(), rows), "snapshot.csv_round_trip", [&] {
    return shown(csv) + (from_csv ? std::string(" parses to other rows") : ": " + from_csv.error().message());
  });
  const std::string jsonl = to_jsonl(rows);
  auto from_jsonl = snap::parse_stock_snapshot(jsonl, snap::SnapshotFormat::jsonl);
  check(from_jsonl && same_rows(from_jsonl.value(), rows), "snapshot.jsonl_round_trip", [&] {
    return shown(jsonl) + (from_jsonl ? std::string(" parses to other rows") : ": " + from_jsonl.error().message());
  });
}

}  // namespace odoosync_fuzz
