#include <odoosync/push/channel_client.hpp>

namespace odoosync {
inline namespace v0 {
namespace push {

std::string_view to_string(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::applied: return "applied";
    case Outcome::stale: return "stale";
    case Outcome::not_listed: return "not_listed";
    case Outcome::retry: return "retry";
    case Outcome::rejected: return "rejected";
  }
  return "unknown";
}

result<std::unique_ptr<ChannelClient>> make_channel_client(std::string_view provider, const ChannelEndpoint& endpoint,
                                                           ClientDeps deps) {
  if (provider == "shopify") return make_shopify_client(endpoint, std::move(deps));
  if (provider == "woocommerce") return make_woocommerce_client(endpoint, std::move(deps));
  if (provider == "square") return make_square_client(endpoint, std::move(deps));
  if (provider == "amazon") return make_amazon_client(endpoint, std::move(deps));
  return Error::validation("channel '" + endpoint.channel + "': no push client for provider '" + std::string(provider) +
                           "' (expected shopify, woocommerce, square or amazon)");
}

}  // namespace push
}  // namespace v0
}  // namespace odoosync
