// A channel's push, from the configuration file's "push" block (channels/config.hpp; docs/push.md): the
// endpoint its client is made from, the Pusher's mapping, the feeds it takes, and which sale orders are
// its own (for fulfilments).
#pragma once

#include <string>
#include <vector>

#include <odoosync/channels/config.hpp>
#include <odoosync/core/result.hpp>
#include <odoosync/push/channel_client.hpp>
#include <odoosync/push/pusher.hpp>

namespace odoosync {
inline namespace v0 {
namespace push {

struct ChannelPush {
  std::string channel;
  std::string provider;  // "shopify", "woocommerce", "square", "amazon"
  ChannelEndpoint endpoint;
  PushMapping mapping;
  bool stock = true, prices = true, fulfilments = true;
  // The sale.order origin of the channel's orders: the inbound mapping's Order::channel (`order_channel`,
  // else "web/<name>" for Shopify and WooCommerce, "pos/<name>" for Square, "marketplace/<name>" for
  // Amazon, <name> being the last part of the channel's source). Fulfilments of other orders are not its.
  std::string order_origin;

  bool takes(Kind kind) const noexcept {
    return kind == Kind::stock ? stock : kind == Kind::price ? prices : fulfilments;
  }
};

// ErrorKind::validation naming the channel when it has no "push" block.
result<ChannelPush> channel_push(const channels::ChannelConfig& channel);
// The channels of a configuration that have a "push" block.
result<std::vector<ChannelPush>> channel_pushes(const std::vector<channels::ChannelConfig>& channels);

// The pull options of a channel's feed: its own checkpoints, and for fulfilments its orders only.
sync::PullOptions pull_options(const ChannelPush& push, sync::PullOptions base = {});

}  // namespace push
}  // namespace v0
}  // namespace odoosync
