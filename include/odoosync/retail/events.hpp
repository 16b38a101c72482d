// Retail events in the CloudEvents 1.0 JSON envelope (structured mode), with the `sequence` and
// `traceparent` extensions. decode_event() is strict and names the place of any problem as a JSON
// pointer; encode_event() writes the canonical form, and the two round-trip exactly (docs/events.md).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <odoosync/core/result.hpp>
#include <odoosync/retail/entities.hpp>

namespace odoosync {
inline namespace v0 {
namespace retail {

struct ProductUpserted {
  static constexpr std::string_view type = "retail.product.upserted";
  Product product{};
  friend bool operator==(const ProductUpserted&, const ProductUpserted&) = default;
};
struct PriceChanged {
  static constexpr std::string_view type = "retail.price.changed";
  Price price{};
  friend bool operator==(const PriceChanged&, const PriceChanged&) = default;
};
// A delta (sold 2: -2), or an absolute count from a stock take: exactly one of the two.
struct StockAdjusted {
  static constexpr std::string_view type = "retail.stock.adjusted";
  Sku sku{};
  LocationRef location{};
  std::optional<Quantity> delta{};
  std::optional<Quantity> counted{};
  std::optional<std::string> reason{};
  friend bool operator==(const StockAdjusted&, const StockAdjusted&) = default;
};
struct StockReserved {
  static constexpr std::string_view type = "retail.stock.reserved";
  Sku sku{};
  LocationRef location{};
  Quantity quantity{};
  std::string reservation{};
  std::optional<std::string> order_number{};
  std::optional<Timestamp> expires_at{};
  friend bool operator==(const StockReserved&, const StockReserved&) = default;
};
struct StockReleased {
  static constexpr std::string_view type = "retail.stock.released";
  Sku sku{};
  LocationRef location{};
  Quantity quantity{};
  std::string reservation{};
  friend bool operator==(const StockReleased&, const StockReleased&) = default;
};
struct GoodsReceived {
  static constexpr std::string_view type = "retail.goods.received";
  GoodsReceipt receipt{};
  friend bool operator==(const GoodsReceived&, const GoodsReceived&) = default;
};
struct TransferCompleted {
  static constexpr std::string_view type = "retail.transfer.completed";
  Transfer transfer{};
  friend bool operator==(const TransferCompleted&, const TransferCompleted&) = default;
};
struct OrderCreated {
  static constexpr std::string_view type = "retail.order.created";
  Order order{};
  friend bool operator==(const OrderCreated&, const OrderCreated&) = default;
};
struct OrderCancelled {
  static constexpr std::string_view type = "retail.order.cancelled";
  std::string number{};
  std::optional<std::string> reason{};
  friend bool operator==(const OrderCancelled&, const OrderCancelled&) = default;
};
struct PaymentCaptured {
  static constexpr std::string_view type = "retail.payment.captured";
  Payment payment{};
  friend bool operator==(const PaymentCaptured&, const PaymentCaptured&) = default;
};
struct RefundApproved {
  static constexpr std::string_view type = "retail.refund.approved";
  Refund refund{};
  friend bool operator==(const RefundApproved&, const RefundApproved&) = default;
};
struct ShipmentDispatched {
  static constexpr std::string_view type = "retail.shipment.dispatched";
  Shipment shipment{};
  friend bool operator==(const ShipmentDispatched&, const ShipmentDispatched&) = default;
};
// A carrier's tracking of a parcel moved on (pre-transit, in transit, out for delivery, delivered, ...).
struct ShipmentTracked {
  static constexpr std::string_view type = "retail.shipment.tracked";
  std::string tracking_number{};
  std::optional<std::string> carrier{};  // "UPS", "usps", ... as the carrier adapter names it
  // pre_transit, in_transit, out_for_delivery, delivered, available_for_pickup, returned, failure, cancelled, unknown
  std::string status{};
  Timestamp at{};                             // when the carrier recorded this status
  std::optional<std::string> order_number{};  // the order it ships, when the channel knows it
  std::optional<std::string> detail{};        // the carrier's own words ("Delivered, front door")
  friend bool operator==(const ShipmentTracked&, const ShipmentTracked&) = default;
};
// The statuses a ShipmentTracked may carry, in the order above.
const std::vector<std::string_view>& shipment_statuses();
struct InvoicePosted {
  static constexpr std::string_view type = "retail.invoice.posted";
  InvoiceRef invoice{};
  friend bool operator==(const InvoicePosted&, const InvoicePosted&) = default;
};
struct CustomerUpserted {
  static constexpr std::string_view type = "retail.customer.upserted";
  Customer customer{};
  friend bool operator==(const CustomerUpserted&, const CustomerUpserted&) = default;
};

// The data of a type the host defines (registered with sync::EventTypes): kept as its JSON text (an
// object), with the subject the host's rule gave it.
struct CustomData {
  std::string type{};
  std::string subject{};
  std::string json{};
  friend bool operator==(const CustomData&, const CustomData&) = default;
};

using EventData =
    std::variant<ProductUpserted, PriceChanged, StockAdjusted, StockReserved, StockReleased, GoodsReceived,
                 TransferCompleted, OrderCreated, OrderCancelled, PaymentCaptured, RefundApproved, ShipmentDispatched,
                 ShipmentTracked, InvoicePosted, CustomerUpserted, CustomData>;

// A host's own event type, for the decoder: `subject` checks the data (the JSON text of an object) and
// names the event's subject, or refuses it with ErrorKind::validation ("points: must be positive").
struct CustomType {
  std::string type{};
  std::function<result<std::string>(std::string_view data_json)> subject{};
};

// The built-in types this build knows, in the order of EventData (CustomData excluded).
const std::vector<std::string_view>& event_types();
// The version of each type's data this build reads and writes.
inline constexpr int event_data_version = 1;
// "https://odoosync.dev/schemas/<type>.v1.json"
std::string dataschema_for(std::string_view type, int version = event_data_version);

// A CloudEvents extension attribute kept as its JSON text (a string, integer or boolean).
struct Extension {
  std::string name{};
  std::string json{};
  friend bool operator==(const Extension&, const Extension&) = default;
};

struct Event {
  std::string id{};
  std::string source{};  // e.g. "pos/store-12"
  Timestamp time{};
  std::string subject{};                     // derived from data: sku/SKU-1@WH/Stock, order/SO-1, ...
  std::optional<std::int64_t> sequence{};    // per source and subject; the CloudEvents extension
  std::optional<std::string> traceparent{};  // W3C trace context
  std::vector<Extension> extensions{};       // other extension attributes, in the order they came
  EventData data{};

  std::string_view type() const noexcept;
  friend bool operator==(const Event&, const Event&) = default;
};

// What make_event() needs besides the data. `time` defaults to now.
struct EventHeader {
  std::string source{};
  std::string id{};
  std::optional<Timestamp> time{};
  std::optional<std::int64_t> sequence{};
  std::optional<std::string> traceparent{};
};

struct DecodeLimits {
  std::size_t max_bytes = std::size_t{1} << 20;  // one event
  unsigned max_depth = 16;
};

// Strict decoding and validation; errors are ErrorKind::validation, "<JSON pointer>: <problem>".
result<Event> decode_event(std::string_view json, const DecodeLimits& limits = {});
// The same, knowing the host's own types besides the built-in ones (a built-in name is not looked up
// there: sync::EventTypes refuses to register one).
result<Event> decode_event(std::string_view json, std::span<const CustomType> custom, const DecodeLimits& limits = {});
// The canonical JSON text: every attribute, datacontenttype and dataschema included, amounts with the
// currency's decimals, quantities without trailing zeros, timestamps in UTC.
std::string encode_event(const Event& event);
// Builds an event from data made in code and validates it exactly as decode_event would (the subject
// is derived). Bad data is refused with the same pointer-named error.
result<Event> make_event(EventData data, EventHeader header);
// The same for a host's own type (CustomData: its `json` an object, its subject given by the rule).
result<Event> make_event(EventData data, EventHeader header, std::span<const CustomType> custom);
// The subject (aggregate key) of a payload.
std::string subject_of(const EventData& data);

}  // namespace retail
}  // namespace v0
}  // namespace odoosync
