// Mapping: what a verified delivery means as canonical retail events, per provider and topic
// (docs/channels.md has the tables: which field goes where, what is ignored, what is refused and why),
// and Adapter, which verifies then maps: the one call a receiver (`odoosync serve`) or a host makes.
//
// The events' `id` is the provider's delivery id (so the provider's retries are duplicates in the
// store); a delivery that means several events numbers them "<delivery id>#<n>" from 1. Their
// `source` is the channel's (ChannelMapping::source), their `time` the provider's own timestamp for
// the change where the payload has one, else when the delivery arrived.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/channels/delivery.hpp>
#include <odoosync/channels/verifier.hpp>
#include <odoosync/core/result.hpp>
#include <odoosync/retail/events.hpp>

namespace odoosync {
inline namespace v0 {
namespace channels {

// The channel's names for things, translated to Odoo's (from the "channels" object of the
// configuration file; docs/channels.md).
struct ChannelMapping {
  std::string source;            // the events' CloudEvent source; "channel/<channel name>" by default
  std::string channel;           // Order::channel; the channel's name by default
  std::string warehouse = "WH";  // Order::warehouse
  // The channel's location ids (Shopify location_id, Square location_id, ...) to Odoo's location
  // names ("WH/Stock"). A stock change at a location not listed is refused, unless default_location
  // is set.
  std::map<std::string, std::string, std::less<>> locations;
  std::string default_location;
  // The channel's item ids (Shopify inventory_item_id, Square catalog_object_id, Amazon ASIN, ...) to
  // SKUs, for payloads that carry no SKU. Where a payload carries its own SKU, that one is used.
  std::map<std::string, std::string, std::less<>> skus;
  // The currency of payloads that carry amounts without one (Shopify and WooCommerce products).
  std::string currency;
  // The SKU of the service product that carries an order's shipping charge as a line. Unset: an order
  // with a shipping charge is refused (its total would not add up), never taken in without it.
  std::string shipping_sku;
};

// A delivery's meaning. Events empty: authentic and understood, but nothing to take in (a topic or a
// status that changes nothing in Odoo, a ping); `note` says which, for the receiver's log and answer.
struct Mapped {
  std::vector<retail::Event> events;
  std::string note;
  // Odoo's own webhook: the records it says changed (model and id). Its payload is not trusted as data;
  // the host reads the truth back from Odoo (the outbound pulls), so this is a wake-up, not an event.
  struct OdooRecord {
    std::string model;
    std::int64_t id = 0;
  };
  std::vector<OdooRecord> odoo_records;
};

// Maps an authentic delivery (verify() passed and returned `verification`). ErrorKind::validation, the
// message naming the provider's topic and the JSON pointer of the field: a body that is not what the
// provider documents, a field that cannot be represented exactly (an amount with more decimals than
// its currency, a float id), an id without a mapping. Nothing is half-mapped: any error, no events.
result<Mapped> map_delivery(Provider provider, const Delivery& delivery, const Verification& verification,
                            const ChannelMapping& mapping);

// Amazon: a new order from the Orders API's answers, read by the host after an ORDER_CHANGE (which
// carries no prices): getOrder's body and getOrderItems' body with every item (all pages' items in one
// list). Its id is "order/<AmazonOrderId>/created", so reading it twice takes it in once.
result<retail::Event> map_amazon_order(std::string_view get_order, std::string_view get_order_items,
                                       const ChannelMapping& mapping);

struct ChannelConfig;  // config.hpp

// One configured channel: its verifier and its mapping. Thread-safe (const and stateless).
class Adapter {
 public:
  static result<Adapter> make(const ChannelConfig& config);

  const std::string& name() const noexcept { return name_; }
  Provider provider() const noexcept { return provider_; }
  const ChannelMapping& mapping() const noexcept { return mapping_; }
  const Verifier& verifier() const noexcept { return *verifier_; }

  // verify() then map_delivery(): ErrorKind::auth (answer 401) or ErrorKind::validation (answer 400).
  result<Mapped> receive(const Delivery& delivery) const;

 private:
  Adapter() = default;
  std::string name_;
  Provider provider_ = Provider::shopify;
  ChannelMapping mapping_;
  std::shared_ptr<const Verifier> verifier_;
};

}  // namespace channels
}  // namespace v0
}  // namespace odoosync
