// TEMPORARY: stands in for the provider clients until each lands (src/push/<provider>.cpp). A helper
// implementing a provider deletes that provider's definition here.
#include <odoosync/push/channel_client.hpp>

namespace odoosync {
inline namespace v0 {
namespace push {

namespace {
Error pending(const ChannelEndpoint& endpoint, const char* provider) {
  return Error::validation("channel '" + endpoint.channel + "': the " + provider + " push client is not built yet");
}
}  // namespace

result<std::unique_ptr<ChannelClient>> make_woocommerce_client(const ChannelEndpoint& e, ClientDeps) {
  return pending(e, "woocommerce");
}
result<std::unique_ptr<ChannelClient>> make_square_client(const ChannelEndpoint& e, ClientDeps) {
  return pending(e, "square");
}
result<std::unique_ptr<ChannelClient>> make_amazon_client(const ChannelEndpoint& e, ClientDeps) {
  return pending(e, "amazon");
}

}  // namespace push
}  // namespace v0
}  // namespace odoosync
