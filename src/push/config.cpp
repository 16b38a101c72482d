// A channel's push from its configuration (docs/push.md).
#include <odoosync/push/config.hpp>

namespace odoosync {
inline namespace v0 {
namespace push {

result<ChannelPush> channel_push(const channels::ChannelConfig& c) {
  if (!c.push) return Error::validation("channel '" + c.name + "' has no \"push\" block in the configuration");
  const channels::PushConfig& p = *c.push;
  ChannelPush out;
  out.channel = c.name;
  out.provider = std::string(channels::to_string(c.provider));
  out.endpoint.channel = c.name;
  out.endpoint.base_url = p.url;
  out.endpoint.settings = p.settings;
  out.endpoint.secrets = p.secrets;
  out.endpoint.timeout = p.timeout;
  out.mapping.stock_locations = p.stock_locations;
  out.mapping.safety_stock = p.safety_stock;
  out.mapping.safety_stock_by_sku = p.safety_stock_by_sku;
  out.stock = p.stock;
  out.prices = p.prices;
  out.fulfilments = p.fulfilments;
  if (!c.mapping.channel.empty()) {
    out.order_origin = c.mapping.channel;
  } else {
    std::string_view name = c.mapping.source;
    if (auto slash = name.rfind('/'); slash != std::string_view::npos) name = name.substr(slash + 1);
    const char* kind = c.provider == channels::Provider::amazon   ? "marketplace"
                       : c.provider == channels::Provider::square ? "pos"
                                                                  : "web";
    out.order_origin = std::string(kind) + "/" + std::string(name);
  }
  return out;
}

result<std::vector<ChannelPush>> channel_pushes(const std::vector<channels::ChannelConfig>& channels) {
  std::vector<ChannelPush> out;
  for (const auto& c : channels) {
    if (!c.push) continue;
    ODOOSYNC_TRY(p, channel_push(c));
    out.push_back(std::move(p));
  }
  return out;
}

sync::PullOptions pull_options(const ChannelPush& push, sync::PullOptions base) {
  base = pull_options(push.channel, std::move(base));
  base.order_origin = push.order_origin;
  return base;
}

}  // namespace push
}  // namespace v0
}  // namespace odoosync
