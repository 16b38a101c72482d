// The Shopify push client: stock levels, prices and fulfilments through the Admin GraphQL API
// (POST {base_url}/admin/api/{api_version}/graphql.json, X-Shopify-Access-Token). make_shopify_client
// (push/channel_client.hpp) builds it; this header names its settings, defaults and limits.
// docs/push/shopify.md has the calls made, the throttle and the compare-and-set story.
//
// Endpoint (ChannelEndpoint):
//   base_url   "https://shop-eu.myshopify.com" (http:// only for a loopback emulator)
//   settings   api_version   "2026-10" by default; any quarterly version from 2025-04 on. From 2026-01
//                            levels go with changeFromQuantity and an @idempotent key; before it with
//                            compareQuantity (Shopify removed compareQuantity in 2026-04).
//              currency      "EUR": prices in another currency are `rejected`; unset, the shop's own
//                            (shop.currencyCode, read once)
//              max_wait_ms   how long one call may wait for the cost bucket (ChannelLimits::max_wait)
//   secrets    access_token  the Admin API access token (refreshed once after a 401 or 403)
#pragma once

#include <cstddef>
#include <string_view>

namespace odoosync {
inline namespace v0 {
namespace push::shopify {

inline constexpr std::string_view default_api_version = "2026-10";
inline constexpr std::string_view oldest_api_version = "2025-04";       // fulfillmentCreate with FulfillmentInput
inline constexpr std::string_view change_from_api_version = "2026-01";  // changeFromQuantity, @idempotent
// Shopify's maximum size of an input array argument (quantities, variants): 250.
inline constexpr std::size_t max_input_array = 250;
// A single query may not cost more than 1000 points, whatever the plan.
inline constexpr double max_query_cost = 1000;
// The standard plan's restore rate in cost points per second (Advanced 200, Plus 1000), until the
// first answer's extensions.cost.throttleStatus says what the shop really has.
inline constexpr double default_restore_rate = 100;

}  // namespace push::shopify
}  // namespace v0
}  // namespace odoosync
