// Adapter: a configured channel's verifier and mapping, and map_delivery's dispatch per provider.
#include <odoosync/channels/config.hpp>
#include <odoosync/channels/mapping.hpp>

#include "map_base.hpp"

namespace odoosync {
inline namespace v0 {
namespace channels {

result<Adapter> Adapter::make(const ChannelConfig& config) {
  auto verifier = make_verifier(config.provider, config.options);
  if (!verifier) return std::move(verifier.error()).with_message_prefix("channel \"" + config.name + "\"");
  Adapter a;
  a.name_ = config.name;
  a.provider_ = config.provider;
  a.mapping_ = config.mapping;
  if (a.mapping_.source.empty()) a.mapping_.source = "channel/" + config.name;
  a.verifier_ = std::shared_ptr<const Verifier>(std::move(verifier.value()));
  return a;
}

result<Mapped> Adapter::receive(const Delivery& delivery) const {
  ODOOSYNC_TRY(verification, verifier_->verify(delivery));
  return map_delivery(provider_, delivery, verification, mapping_);
}

result<Mapped> map_delivery(Provider provider, const Delivery& delivery, const Verification& verification,
                            const ChannelMapping& mapping) {
  if (verification.ping) {
    Mapped m;
    m.note = "ping: nothing to take in";
    return m;
  }
  detail::MapContext ctx{delivery, verification, mapping};
  switch (provider) {
    case Provider::shopify: return detail::map_shopify(ctx);
    case Provider::woocommerce: return detail::map_woocommerce(ctx);
    case Provider::stripe: return detail::map_stripe(ctx);
    case Provider::paypal: return detail::map_paypal(ctx);
    case Provider::square: return detail::map_square(ctx);
    case Provider::easypost: return detail::map_easypost(ctx);
    case Provider::shippo: return detail::map_shippo(ctx);
    case Provider::odoo: return detail::map_odoo(ctx);
    case Provider::amazon: return detail::map_amazon(ctx);
  }
  return Error::validation("unknown provider");
}

}  // namespace channels
}  // namespace v0
}  // namespace odoosync
