// A generated retail workload for the crash harness, the demo and the benchmarks: stock deltas from
// stores at two locations, web-shop orders, catalogue upserts and a few events Odoo must refuse (unknown
// SKUs), as CloudEvents JSON lines, with the state Odoo must end in.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace odoosync::workload {

struct Spec {
  std::uint64_t seed = 1;
  int skus = 300;              // EMU-00001.. (the emulator's --products)
  int stock_events = 4'200;    // deltas, spread over the SKUs and two locations
  int orders = 500;            // WEB-00001.., one to three lines each
  int product_upserts = 300;   // renames and new prices of existing SKUs, some new SKUs
  int unknown_sku_events = 5;  // valid events Odoo must refuse: they end in the dead-letter queue
  int malformed = 3;           // lines that are not valid events: rejected at intake
  std::vector<std::string> stores = {"pos/store-1", "pos/store-2"};
  std::vector<std::string> locations = {"WH/Stock", "WH/Stock/Shelf 1"};  // one per store
  int opening_stock = 60;  // counted at every SKU and location before the day (seed)
  std::string day = "2026-12-01";
};

struct Workload {
  std::vector<std::string> seed;                    // run first: the walk-in customer orders need, the opening counts
  std::vector<std::string> lines;                   // the events, interleaved as a day would send them
  std::map<std::string, std::int64_t> stock_delta;  // "SKU@location" -> sum of valid deltas (whole units)
  std::map<std::string, std::int64_t> stock_final;  // "SKU@location" -> opening count + deltas: Odoo's quant at the end
  std::map<std::string, int> order_lines;           // order number -> lines
  std::map<std::string, std::string> product_names;  // SKU -> its last upserted name
  std::set<std::string> dead;                        // "source id" of the events Odoo must refuse
  std::size_t valid_events = 0;                      // lines that are valid events (dead ones included)
};

Workload generate(const Spec& spec);
std::string sku_name(int n);  // EMU-00042

}  // namespace odoosync::workload
