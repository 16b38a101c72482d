// The business objects of retail, as the events carry them (docs/events.md lists every rule).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <odoosync/retail/money.hpp>
#include <odoosync/retail/quantity.hpp>
#include <odoosync/retail/refs.hpp>
#include <odoosync/retail/timestamp.hpp>

namespace odoosync {
inline namespace v0 {
namespace retail {

struct Product {
  Sku sku{};
  std::string name{};
  Money list_price{};
  std::optional<Barcode> barcode{};
  std::optional<Money> cost{};  // same currency as list_price
  std::string uom = "Units";
  std::optional<std::string> category{};
  bool storable = true;  // tracked in stock (Odoo 18+: is_storable; ≤ 17: type "product")
  bool active = true;
  std::optional<std::string> description{};
  friend bool operator==(const Product&, const Product&) = default;
};

struct Price {
  Sku sku{};
  Money list_price{};
  std::optional<Timestamp> effective_at{};
  friend bool operator==(const Price&, const Price&) = default;
};

struct Customer {
  std::string ref{};  // the channel's customer id; Odoo's res.partner.ref
  std::string name{};
  std::optional<std::string> email{}, phone{};
  bool is_company = false;
  std::optional<std::string> street{}, city{}, zip{}, country_code{}, vat{};
  friend bool operator==(const Customer&, const Customer&) = default;
};

// A place that holds stock, and how much of one SKU it holds (what reconciliation compares).
struct Location {
  LocationRef ref{};
  std::string name{};
  friend bool operator==(const Location&, const Location&) = default;
};
struct StockLevel {
  Sku sku{};
  LocationRef location{};
  Quantity on_hand{};
  std::optional<Quantity> reserved{};
  friend bool operator==(const StockLevel&, const StockLevel&) = default;
};

struct StockLine {
  Sku sku{};
  Quantity quantity{};  // positive
  friend bool operator==(const StockLine&, const StockLine&) = default;
};

struct OrderLine {
  Sku sku{};
  Quantity quantity{};  // positive
  Money unit_price{};
  std::optional<Money> discount;  // on the whole line; absent = 0
  std::optional<Money> tax;       // absent = 0
  Money total;                    // round(quantity × unit_price) − discount, tax excluded
  friend bool operator==(const OrderLine&, const OrderLine&) = default;
};

struct Order {
  std::string number{};
  ChannelRef channel{};
  std::optional<std::string> customer;  // a Customer ref; absent = the channel's walk-in customer
  Currency currency{};
  Timestamp ordered_at{};
  std::string warehouse = "WH";
  std::vector<OrderLine> lines{};
  Money subtotal{}, tax_total{}, total{};
  std::optional<std::string> note{};
  friend bool operator==(const Order&, const Order&) = default;
};

struct Payment {
  std::string reference{};
  std::string order_number{};
  Money amount{};        // positive
  std::string method{};  // "card", "cash", ...
  Timestamp captured_at{};
  std::optional<std::string> provider{};
  friend bool operator==(const Payment&, const Payment&) = default;
};

struct RefundLine {
  Sku sku{};
  Quantity quantity{};
  Money amount{};
  friend bool operator==(const RefundLine&, const RefundLine&) = default;
};

struct Refund {
  std::string reference{};
  std::string order_number{};
  Money amount{};  // positive
  Timestamp approved_at{};
  std::optional<std::vector<RefundLine>> lines{};  // when present, their amounts add up to `amount`
  bool restock = false;
  std::optional<std::string> reason{};
  friend bool operator==(const Refund&, const Refund&) = default;
};

struct Shipment {
  std::string reference{};
  std::string order_number{};
  Timestamp dispatched_at{};
  std::optional<std::string> carrier{}, tracking_number{};
  std::optional<std::vector<StockLine>> lines;  // absent = the whole order
  friend bool operator==(const Shipment&, const Shipment&) = default;
};

struct InvoiceRef {
  std::string number{};
  std::string order_number{};
  Money amount_total{};
  std::optional<Money> amount_tax{};
  Timestamp posted_at{};
  std::optional<CalendarDate> due_date{};
  friend bool operator==(const InvoiceRef&, const InvoiceRef&) = default;
};

struct GoodsReceipt {
  std::string reference{};
  LocationRef location{};
  std::optional<std::string> supplier{};
  std::vector<StockLine> lines{};
  std::optional<Timestamp> received_at{};
  friend bool operator==(const GoodsReceipt&, const GoodsReceipt&) = default;
};

struct Transfer {
  std::string reference{};
  LocationRef from{}, to{};
  std::vector<StockLine> lines{};
  friend bool operator==(const Transfer&, const Transfer&) = default;
};

}  // namespace retail
}  // namespace v0
}  // namespace odoosync
