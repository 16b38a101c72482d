// What the per-provider mappings share: the delivery being mapped, reading a JSON body with errors that
// name the topic and the JSON pointer, exact amounts and ids, and making the events.
#pragma once

#include <odoosync/channels/mapping.hpp>

namespace odoosync {
inline namespace v0 {
namespace channels {
namespace detail {

struct MapContext {
  const Delivery& delivery;
  const Verification& verification;
  const ChannelMapping& mapping;
};

result<Mapped> map_shopify(const MapContext& ctx);
result<Mapped> map_woocommerce(const MapContext& ctx);
result<Mapped> map_stripe(const MapContext& ctx);
result<Mapped> map_paypal(const MapContext& ctx);
result<Mapped> map_square(const MapContext& ctx);
result<Mapped> map_easypost(const MapContext& ctx);
result<Mapped> map_shippo(const MapContext& ctx);
result<Mapped> map_odoo(const MapContext& ctx);
result<Mapped> map_amazon(const MapContext& ctx);

}  // namespace detail
}  // namespace channels
}  // namespace v0
}  // namespace odoosync
