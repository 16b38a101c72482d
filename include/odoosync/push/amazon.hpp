// Amazon SP-API push client (make_amazon_client in push/channel_client.hpp): merchant-fulfilled (MFN)
// quantities and prices through the Listings Items API v2021-08-01 (one patchListingsItem per SKU), and
// shipment confirmations through the Orders API v0, authorised by a Login with Amazon (LWA) access token
// that the client exchanges for the refresh token and renews before it expires. docs/push/amazon.md has
// the settings, the calls, the limits and what Amazon cannot do (no compare-and-set on quantities).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace odoosync {
inline namespace v0 {
namespace push {
namespace amazon {

// The endpoint's settings (ChannelEndpoint::settings); any other key is refused by name.
inline constexpr std::string_view setting_seller_id = "seller_id";            // required: the merchant token
inline constexpr std::string_view setting_marketplace_id = "marketplace_id";  // required: "A1PA6795UKMFR9" (DE)
inline constexpr std::string_view setting_lwa_url = "lwa_url";                // default: default_lwa_url
inline constexpr std::string_view setting_product_type = "product_type";      // default: each listing's own
inline constexpr std::string_view setting_fulfillment_channel_code = "fulfillment_channel_code";  // "DEFAULT"
inline constexpr std::string_view setting_currency = "currency";  // default: the marketplace's (known ones)
// The patchListingsItem rate the client paces itself to, in requests per second (default: the documented
// patch_rate). An x-amzn-RateLimit-Limit header from Amazon replaces it for the rest of the client's life.
inline constexpr std::string_view setting_listings_rate = "listings_rate";
// JSON_LISTINGS_FEED: a call with at least this many SKUs to send goes as one feed instead of one PATCH
// per SKU (unset: never). Feeds are asynchronous: the call polls getFeed every feed_poll_ms (default
// 30000) for at most feed_timeout_ms (default 600000), then reads the processing report.
inline constexpr std::string_view setting_feed_threshold = "feed_threshold";
inline constexpr std::string_view setting_feed_poll_ms = "feed_poll_ms";
inline constexpr std::string_view setting_feed_timeout_ms = "feed_timeout_ms";
inline constexpr std::size_t feed_max_messages = 25'000;  // listings-feed-schema-v2.json, messages.maxItems

// The endpoint's secrets (ChannelEndpoint::secrets), all three required.
inline constexpr std::string_view secret_client_id = "lwa_client_id";
inline constexpr std::string_view secret_client_secret = "lwa_client_secret";
inline constexpr std::string_view secret_refresh_token = "refresh_token";

inline constexpr std::string_view default_lwa_url = "https://api.amazon.com/auth/o2/token";

// Amazon's documented default usage plans (requests per second and burst), per selling partner account
// and application: developer-docs.amazon.com/sp-api/docs/listings-items-api-rate-limits and the Orders
// API v0 model (ordersV0.json). The client keeps a local token bucket per operation at these rates.
inline constexpr double patch_rate = 5, patch_burst = 5;                 // patchListingsItem
inline constexpr double get_rate = 5, get_burst = 5;                     // getListingsItem
inline constexpr double order_items_rate = 0.5, order_items_burst = 30;  // getOrderItems
inline constexpr double confirm_rate = 2, confirm_burst = 10;            // confirmShipment
// Feeds API v2021-06-30 (feeds_2021-06-30.json).
inline constexpr double create_document_rate = 0.5, create_document_burst = 15;  // createFeedDocument
inline constexpr double create_feed_rate = 0.0083, create_feed_burst = 15;       // createFeed
inline constexpr double get_feed_rate = 2, get_feed_burst = 15;                  // getFeed
inline constexpr double get_document_rate = 0.0222, get_document_burst = 10;     // getFeedDocument

// The packageReferenceId a shipment is confirmed with: Amazon takes only a positive number, unique within
// an order, so the client derives one from Odoo's picking name (a 64-bit FNV-1a hash, in 1..10^15). The
// same shipment always gets the same id, which is what makes a replayed confirmation a no-op.
std::string package_reference_id(std::string_view shipment);

}  // namespace amazon
}  // namespace push
}  // namespace v0
}  // namespace odoosync
