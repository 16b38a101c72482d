// What the per-provider mappings share: the delivery being mapped, reading its JSON body with errors
// that name the provider's topic and the JSON pointer of the field, exact ids and amounts, and the
// events made from it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <odoosync/channels/mapping.hpp>
#include <odoosync/core/json.hpp>
#include <odoosync/retail/events.hpp>

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

// Reads one delivery's JSON body; every error is ErrorKind::validation "<provider> <topic>: <pointer>:
// <problem>" (the topic may be empty until it is known).
class Reader {
 public:
  Reader(std::string provider, std::string topic) : provider_(std::move(provider)), topic_(std::move(topic)) {}
  result<void> parse(std::string_view body);
  // parse(), then the topic from the body's string member `key` ("type", "event_type", ...).
  result<std::string> parse_typed(std::string_view body, std::string_view key);
  const json::Value& root() const noexcept { return doc_; }
  void set_topic(std::string topic) { topic_ = std::move(topic); }
  const std::string& topic() const noexcept { return topic_; }

  Error fail(std::string_view pointer, std::string_view problem) const;
  Error fail_whole(std::string_view problem) const;  // about the delivery, not one field

  // Fields of `object` (found at `at`, a JSON pointer). "Required" ones refuse null, absent and the
  // wrong type; "optional" ones read null and absent as nothing.
  result<const json::Value*> object(const json::Value& object, std::string_view key, std::string_view at) const;
  result<const json::Value*> array(const json::Value& object, std::string_view key, std::string_view at) const;
  result<std::string> string(const json::Value& object, std::string_view key, std::string_view at) const;
  result<std::optional<std::string>> optional_string(const json::Value& object, std::string_view key,
                                                     std::string_view at) const;
  // An id as exact decimal text: a JSON integer (any size up to 2^64 - 1) or a string. A number with a
  // fraction or beyond 64 bits is refused: it cannot be kept exactly.
  result<std::string> id(const json::Value& object, std::string_view key, std::string_view at) const;
  result<std::optional<std::string>> optional_id(const json::Value& object, std::string_view key,
                                                 std::string_view at) const;
  // A decimal amount: a string ("24.90") or a JSON number, read as the shortest text that gives the
  // same double (10.0 -> "10"), which is the text the sender wrote for any amount of up to 15 digits.
  result<std::string> decimal(const json::Value& object, std::string_view key, std::string_view at) const;
  result<std::int64_t> integer(const json::Value& object, std::string_view key, std::string_view at) const;
  result<retail::Money> money(const json::Value& object, std::string_view key, const retail::Currency& currency,
                              std::string_view at) const;
  // Integer minor units (Stripe, Square): 2490 EUR is 24.90.
  result<retail::Money> minor_money(const json::Value& object, std::string_view key, const retail::Currency& currency,
                                    std::string_view at) const;
  result<retail::Currency> currency(const json::Value& object, std::string_view key, std::string_view at) const;
  // RFC 3339 with an offset; `assume_utc` also takes WooCommerce's "2024-03-22T15:28:02" (its _gmt fields).
  result<retail::Timestamp> timestamp(const json::Value& object, std::string_view key, std::string_view at,
                                      bool assume_utc = false) const;
  result<retail::Timestamp> unix_seconds(const json::Value& object, std::string_view key, std::string_view at) const;

 private:
  std::string provider_, topic_;
  json::Document doc_;
};

// Free text cut at `max` bytes on a UTF-8 character boundary.
std::string clip_utf8(std::string text, std::size_t max);
// A whole count from a payload as a Quantity: refused beyond Quantity's range (10^12 units).
result<retail::Quantity> units(const Reader& r, std::int64_t n, std::string_view at);

std::string pointer(std::string_view at, std::string_view key);
std::string pointer(std::string_view at, std::size_t index);

// Collects the events of one delivery: ids, source, time; validated by make_event (its pointer-named
// error is prefixed with the reader's provider and topic).
class Emitter {
 public:
  Emitter(const MapContext& ctx, const Reader& reader) : ctx_(ctx), reader_(reader) {}
  // `id` empty: the delivery id, numbered "#n" when the delivery means more than one event.
  result<void> add(retail::EventData data, std::optional<retail::Timestamp> time, std::string id = {});
  result<Mapped> finish(std::string note_when_empty);

 private:
  const MapContext& ctx_;
  const Reader& reader_;
  struct Pending {
    retail::EventData data;
    std::optional<retail::Timestamp> time;
    std::string id;
  };
  std::vector<Pending> pending_;
};

// Mapping lookups, refusing with a reason that names the channel's id and the configuration key.
result<retail::Sku> sku_for(const Reader& r, const ChannelMapping& m, std::string_view item_id, std::string_view at);
result<retail::LocationRef> location_for(const Reader& r, const ChannelMapping& m, std::string_view location_id,
                                         std::string_view at);
// The channel of orders: the configured one, else "<kind>/<channel source name>".
result<retail::ChannelRef> channel_for(const Reader& r, const ChannelMapping& m, std::string_view kind);
result<retail::Currency> configured_currency(const Reader& r, const ChannelMapping& m);

// An order line from the channel's totals, exactly: `net` is the line's amount after discounts and
// before tax, `discount` what discounts took off, `tax` its tax. The unit price is the pre-discount
// amount over the quantity, rounded up to the minor unit where it does not divide exactly; the
// discount then takes the rounding back, so the line's total and tax are the channel's to the cent.
result<retail::OrderLine> order_line(const Reader& r, std::string_view at, retail::Sku sku, std::int64_t quantity,
                                     const retail::Money& net, const retail::Money& discount, const retail::Money& tax);
// Sets subtotal, tax_total and total from the lines, and refuses the order when its total differs from
// what the channel says it is (shipping or an order-level adjustment the lines do not carry).
result<void> close_order(const Reader& r, retail::Order& order, const retail::Money& channel_total,
                         std::string_view total_pointer);

}  // namespace detail
}  // namespace channels
}  // namespace v0
}  // namespace odoosync
