// The Square push client (make_square_client in push/channel_client.hpp): inventory physical counts
// through the Inventory API's batch changes, catalogue prices through batch upserts of item variations.
// Square is the point of sale here, so fulfil() answers not_listed: orders from other channels are not
// shipped through Square. docs/push/square.md has the calls, the limits, and why a physical count with
// occurred_at = Odoo's write_date needs no compare-and-set.
//
// Endpoint: base_url "https://connect.squareup.com" (sandbox: "https://connect.squareupsandbox.com").
// Secret: "access_token", sent as a Bearer token.
// Settings (all optional):
//   "square_version"           the Square-Version header (default square::default_version)
//   "location_id"              the location for levels whose Level::location is empty
//   "currency"                 the seller's currency (ISO 4217): prices in another are refused
//   "requests_per_second"      client-side pacing (default 0: none; Square publishes no number)
//   "allow_insecure_loopback"  "true" permits http://127.0.0.1 (the emulator in tests)
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

namespace odoosync {
inline namespace v0 {
namespace push::square {

inline constexpr std::string_view default_version = "2026-07-15";
// BatchChangeInventoryRequest.changes: "Max size is 100 changes" (Square's API reference and SDK models).
inline constexpr std::size_t max_changes_per_request = 100;
// Prices sent per batch upsert (Square takes up to 1,000 objects a batch; smaller batches are its advice).
inline constexpr std::size_t max_prices_per_request = 100;
// InventoryPhysicalCount.occurred_at "cannot be older than 24 hours or in the future"; a level older than
// this (a margin under 24 h) is refused before sending.
inline constexpr std::chrono::minutes max_count_age{24 * 60 - 10};

}  // namespace push::square
}  // namespace v0
}  // namespace odoosync
