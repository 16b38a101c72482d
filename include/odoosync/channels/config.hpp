// The channels' part of the JSON configuration file (`odoosync channel verify --config`, later `serve`):
// which channels exist, their provider, and where their secrets are. Secrets come from files or
// environment variables, never from the file itself, so the configuration can be shown and versioned.
//
//   {"channels": {
//      "shop-eu": {"provider": "shopify", "secret_files": ["/run/secrets/shopify"], "secret_env": ["SHOPIFY_SECRET"]},
//      "stripe":  {"secret_env": ["STRIPE_WEBHOOK_SECRET"], "tolerance_s": 300},
//      "paypal":  {"webhook_id": "1JE4291016473214C", "certificate_files": ["paypal.pem"]},
//      "square":  {"secret_files": ["square.key"], "notification_url": "https://hooks.example/webhooks/square"},
//      "amazon":  {"queue_urls": ["https://sqs.eu-west-1.amazonaws.com/123456789012/orders"]}}}
//
// Keys of a channel (docs/channels.md): provider (default: the channel's name), secret_files, secret_env,
// max_body_bytes, tolerance_s, webhook_id, certificate_files, notification_url, secret_is_nfkd,
// token_parameter, queue_urls; and the mapping: source, order_channel, warehouse, locations,
// default_location, skus; and the outbound side: push (below). Relative file names are relative to the configuration file's folder. An
// unknown key is an error (a typo would otherwise turn a check off).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/channels/mapping.hpp>
#include <odoosync/channels/verifier.hpp>
#include <odoosync/core/result.hpp>
#include <odoosync/core/secret_source.hpp>

namespace odoosync {
inline namespace v0 {
namespace channels {

// A channel's "push" block: how Odoo's stock, prices and deliveries reach it (docs/push.md).
//
//   "push": {"url": "https://shop-eu.myshopify.com", "settings": {"api_version": "2025-01"},
//            "secrets": {"access_token": "env:SHOPIFY_TOKEN"}, "safety_stock": 2,
//            "safety_stock_by_sku": {"SKU-1": 0}, "stock_locations": {"gid://shopify/Location/1": ["WH/Stock",
//            "WH/Stock/Shelf 1"]}, "feeds": ["stock", "prices", "fulfilments"], "timeout_ms": 20000}
struct PushConfig {
  std::string url;
  std::map<std::string, std::string, std::less<>> settings;
  std::map<std::string, std::shared_ptr<SecretSource>, std::less<>> secrets;  // "env:", "file:" or "cmd:" sources
  std::int64_t safety_stock = 0;
  std::map<std::string, std::int64_t, std::less<>> safety_stock_by_sku;
  // Channel location -> Odoo locations. Absent: the inverse of the inbound `locations`; without those, ""
  // (one stock per item) fed by `default_location`, else "<warehouse>/Stock".
  std::map<std::string, std::vector<std::string>, std::less<>> stock_locations;
  bool stock = true, prices = true, fulfilments = true;  // `feeds`; all by default
  std::optional<std::chrono::milliseconds> timeout;
};

struct ChannelConfig {
  std::string name;
  Provider provider = Provider::shopify;
  VerifierOptions options;
  ChannelMapping mapping;            // source, channel, warehouse, locations, default_location, skus
  std::optional<PushConfig> push{};  // only for shopify, woocommerce, square and amazon
};

// Validation errors name the channel, the key and the file or variable, never a secret's content.
result<std::vector<ChannelConfig>> parse_channels_config(std::string_view json, const std::filesystem::path& base_dir);
result<std::vector<ChannelConfig>> load_channels_config(const std::filesystem::path& file);

}  // namespace channels
}  // namespace v0
}  // namespace odoosync
