// The WooCommerce REST API v3 push client (make_woocommerce_client in push/channel_client.hpp): stock and
// regular prices through products/batch and products/{parent}/variations/batch, orders completed with a
// tracking note. docs/push/woocommerce.md has the calls, the limits and what WooCommerce cannot do
// (compare-and-set: the client reads before it writes, a small race window remains).
//
// Endpoint: base_url is the store's REST root, "https://shop.example/wp-json/wc/v3".
// Secrets: "consumer_key" (ck_...) and "consumer_secret" (cs_...), sent as HTTP Basic credentials, which
// WooCommerce accepts over HTTPS only (over plain HTTP it asks for OAuth 1.0a signatures, not done here),
// so a non-HTTPS base_url is refused unless "allow_insecure_loopback" is "true" and the host is
// 127.0.0.1 (the emulator in tests).
// Settings (all optional):
//   "allow_insecure_loopback"  "true" / "false" (default false), see above
//   "requests_per_second"      client-side pacing (default 0: none; WooCommerce core has no limit, hosts do)
//   "currency"                 the store's currency (ISO 4217); unset: read once from
//                              settings/general/woocommerce_currency
//   "batch_size"               objects per batch request, 1..100 (default 100)
//   "variation_rescan_seconds" how often an unknown SKU may trigger a new scan of variable products'
//                              variations (default 600)
#pragma once

#include <cstddef>

namespace odoosync {
inline namespace v0 {
namespace push::woocommerce {

// WC_REST_Controller::check_batch_limit: 100 created, updated or deleted objects per batch request by
// default (filter woocommerce_rest_batch_items_limit); more is refused whole with HTTP 413.
inline constexpr std::size_t max_batch_objects = 100;
// Listing pages (per_page) are capped at 100 by the WordPress REST API.
inline constexpr std::size_t max_page_size = 100;

}  // namespace push::woocommerce
}  // namespace v0
}  // namespace odoosync
