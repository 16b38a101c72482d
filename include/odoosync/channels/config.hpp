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
// default_location, skus. Relative file names are relative to the configuration file's folder. An
// unknown key is an error (a typo would otherwise turn a check off).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/channels/mapping.hpp>
#include <odoosync/channels/verifier.hpp>
#include <odoosync/core/result.hpp>

namespace odoosync {
inline namespace v0 {
namespace channels {

struct ChannelConfig {
  std::string name;
  Provider provider = Provider::shopify;
  VerifierOptions options;
  ChannelMapping mapping;  // source, channel, warehouse, locations, default_location, skus
};

// Validation errors name the channel, the key and the file or variable, never a secret's content.
result<std::vector<ChannelConfig>> parse_channels_config(std::string_view json, const std::filesystem::path& base_dir);
result<std::vector<ChannelConfig>> load_channels_config(const std::filesystem::path& file);

}  // namespace channels
}  // namespace v0
}  // namespace odoosync
