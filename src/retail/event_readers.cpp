// The data of each built-in event type: one reader per type, checking every field, and the type table.
#include "event_readers.hpp"

#include <cstdint>
#include <string>
#include <utility>

#include "amounts.hpp"
#include "text.hpp"

namespace odoosync {
inline namespace v0 {
namespace retail {
namespace detail {
namespace {

std::string check_text_email(std::string_view s) {
  if (s.empty()) return "must not be empty";
  if (count_chars(s) < 3) return "must be at least 3 characters";
  if (count_chars(s) > 254) return "must be at most 254 characters";
  if (s.find('@') == std::string_view::npos || s.front() == '@' || s.back() == '@') {
    return "must be an email address";
  }
  for (unsigned char c : s) {
    if (c <= 0x20 || c == 0x7F) return "must be an email address";
  }
  return {};
}
std::string check_country(std::string_view s) {
  if (s.size() != 2 || !(s[0] >= 'A' && s[0] <= 'Z') || !(s[1] >= 'A' && s[1] <= 'Z')) {
    return "must be two uppercase letters (ISO 3166-1 alpha-2)";
  }
  return {};
}

std::string check_shipment_status(std::string_view s) {
  for (auto known : shipment_statuses()) {
    if (same_text(known, s)) return {};
  }
  return "must be one of pre_transit, in_transit, out_for_delivery, delivered, available_for_pickup, returned, "
         "failure, cancelled, unknown";
}

StockLine stock_line(Obj& o) {
  StockLine l;
  l.sku.value = o.ruled("sku", rules::check_sku);
  l.quantity = o.quantity("quantity", Sign::positive);
  return l;
}

// --- one reader per type ------------------------------------------------------------------------

ProductUpserted read_product(Obj& o) {
  Product p;
  p.sku.value = o.ruled("sku", rules::check_sku);
  p.name = o.text("name", 1, 256);
  p.list_price = o.money("list_price", Sign::non_negative);
  if (auto b = o.opt_ruled("barcode", rules::check_barcode)) p.barcode = Barcode{std::move(*b)};
  p.cost = o.opt_money("cost", Sign::non_negative, &p.list_price.currency(), "list_price");
  if (auto u = o.opt_text("uom", 1, 32)) p.uom = std::move(*u);
  p.category = o.opt_text("category", 1, 256);
  p.storable = o.boolean("storable", true);
  p.active = o.boolean("active", true);
  p.description = o.opt_text("description", 0, 4096);
  return {std::move(p)};
}

PriceChanged read_price(Obj& o) {
  Price p;
  p.sku.value = o.ruled("sku", rules::check_sku);
  p.list_price = o.money("list_price", Sign::non_negative);
  p.effective_at = o.opt_timestamp("effective_at");
  return {std::move(p)};
}

StockAdjusted read_stock_adjusted(Obj& o) {
  StockAdjusted s;
  s.sku.value = o.ruled("sku", rules::check_sku);
  s.location.value = o.ruled("location", rules::check_location);
  s.delta = o.opt_quantity("delta", Sign::non_zero);
  s.counted = o.opt_quantity("counted", Sign::non_negative);
  s.reason = o.opt_text("reason", 0, 128);
  if (s.delta.has_value() == s.counted.has_value()) o.walk().fail("must have exactly one of \"delta\" or \"counted\"");
  return s;
}

StockReserved read_stock_reserved(Obj& o) {
  StockReserved s;
  s.sku.value = o.ruled("sku", rules::check_sku);
  s.location.value = o.ruled("location", rules::check_location);
  s.quantity = o.quantity("quantity", Sign::positive);
  s.reservation = o.ruled("reservation", rules::check_reference);
  s.order_number = o.opt_ruled("order_number", rules::check_reference);
  s.expires_at = o.opt_timestamp("expires_at");
  return s;
}

StockReleased read_stock_released(Obj& o) {
  StockReleased s;
  s.sku.value = o.ruled("sku", rules::check_sku);
  s.location.value = o.ruled("location", rules::check_location);
  s.quantity = o.quantity("quantity", Sign::positive);
  s.reservation = o.ruled("reservation", rules::check_reference);
  return s;
}

GoodsReceived read_goods_received(Obj& o) {
  GoodsReceipt r;
  r.reference = o.ruled("reference", rules::check_reference);
  r.location.value = o.ruled("location", rules::check_location);
  r.supplier = o.opt_ruled("supplier", rules::check_reference);
  r.lines = o.array<StockLine>("lines", 1, 1000, stock_line);
  r.received_at = o.opt_timestamp("received_at");
  return {std::move(r)};
}

TransferCompleted read_transfer(Obj& o) {
  Transfer t;
  t.reference = o.ruled("reference", rules::check_reference);
  t.from.value = o.ruled("from", rules::check_location);
  t.to.value = o.ruled("to", rules::check_location);
  t.lines = o.array<StockLine>("lines", 1, 1000, stock_line);
  if (t.from == t.to) o.walk().fail_at("to", "must differ from \"from\"");
  return {std::move(t)};
}

OrderCreated read_order(Obj& o) {
  Order r;
  r.number = o.ruled("number", rules::check_reference);
  r.channel.value = o.ruled("channel", rules::check_channel);
  r.customer = o.opt_ruled("customer", rules::check_reference);
  {
    const Value& c = o.need("currency");
    Enter e(o.walk(), "currency");
    if (!c.IsString()) o.walk().fail("must be a string");
    auto cur = Currency::of(sv(c));
    if (!cur) o.walk().fail(cur.error().message());
    r.currency = cur.value();
  }
  r.ordered_at = o.timestamp("ordered_at");
  if (auto w = o.opt_text("warehouse", 1, 32)) r.warehouse = std::move(*w);
  const Currency cur = r.currency;
  r.lines = o.array<OrderLine>("lines", 1, 1000, [&cur](Obj& l) {
    OrderLine line;
    line.sku.value = l.ruled("sku", rules::check_sku);
    line.quantity = l.quantity("quantity", Sign::positive);
    line.unit_price = l.money("unit_price", Sign::non_negative, &cur, "the order");
    line.discount = l.opt_money("discount", Sign::non_negative, &cur, "the order");
    line.tax = l.opt_money("tax", Sign::non_negative, &cur, "the order");
    line.total = l.money("total", Sign::any, &cur, "the order");
    return line;
  });
  r.subtotal = o.money("subtotal", Sign::any, &cur, "the order");
  r.tax_total = o.money("tax_total", Sign::any, &cur, "the order");
  r.total = o.money("total", Sign::any, &cur, "the order");
  r.note = o.opt_text("note", 0, 4096);

  // Totals must add up.
  Walk& w = o.walk();
  std::int64_t subtotal = 0, tax = 0;
  bool overflow = false;
  for (std::size_t i = 0; i < r.lines.size(); ++i) {
    const OrderLine& l = r.lines[i];
    const auto gross = extended_minor_units(l.quantity.micro_units(), l.unit_price.minor_units());  // extend()
    Enter el(w, "lines");
    Enter ei(w, i);
    if (!gross) w.fail_at("quantity", "quantity × unit_price is out of range");
    const std::int64_t discount = l.discount ? l.discount->minor_units() : 0;
    if (discount > *gross) {
      Enter ed(w, "discount");
      w.fail_at("amount", "must not exceed quantity × unit_price (" + Money(*gross, cur).amount() + ")");
    }
    const Money expected(*gross - discount, cur);
    if (!(expected == l.total)) {
      Enter et(w, "total");
      w.fail_at("amount",
                "must be " + expected.amount() + " (quantity × unit_price − discount), not " + l.total.amount());
    }
    overflow |= __builtin_add_overflow(subtotal, l.total.minor_units(), &subtotal);
    overflow |= __builtin_add_overflow(tax, l.tax ? l.tax->minor_units() : 0, &tax);
  }
  if (overflow) w.fail_at("lines", "the sum of the lines is out of range");
  if (subtotal != r.subtotal.minor_units()) {
    Enter e(w, "subtotal");
    w.fail_at("amount",
              "must be " + Money(subtotal, cur).amount() + " (the sum of line totals), not " + r.subtotal.amount());
  }
  if (tax != r.tax_total.minor_units()) {
    Enter e(w, "tax_total");
    w.fail_at("amount",
              "must be " + Money(tax, cur).amount() + " (the sum of line taxes), not " + r.tax_total.amount());
  }
  std::int64_t total = 0;
  if (__builtin_add_overflow(subtotal, tax, &total)) w.fail_at("total", "is out of range");
  if (total != r.total.minor_units()) {
    Enter e(w, "total");
    w.fail_at("amount", "must be " + Money(total, cur).amount() + " (subtotal + tax_total), not " + r.total.amount());
  }
  return {std::move(r)};
}

OrderCancelled read_order_cancelled(Obj& o) {
  OrderCancelled c;
  c.number = o.ruled("number", rules::check_reference);
  c.reason = o.opt_text("reason", 0, 256);
  return c;
}

PaymentCaptured read_payment(Obj& o) {
  Payment p;
  p.reference = o.ruled("reference", rules::check_reference);
  p.order_number = o.ruled("order_number", rules::check_reference);
  p.amount = o.money("amount", Sign::positive);
  p.method = o.text("method", 1, 64);
  p.captured_at = o.timestamp("captured_at");
  p.provider = o.opt_text("provider", 1, 64);
  return {std::move(p)};
}

RefundApproved read_refund(Obj& o) {
  Refund r;
  r.reference = o.ruled("reference", rules::check_reference);
  r.order_number = o.ruled("order_number", rules::check_reference);
  r.amount = o.money("amount", Sign::positive);
  r.approved_at = o.timestamp("approved_at");
  const Currency cur = r.amount.currency();
  r.lines = o.opt_array<RefundLine>("lines", 0, 1000, [&cur](Obj& l) {
    RefundLine line;
    line.sku.value = l.ruled("sku", rules::check_sku);
    line.quantity = l.quantity("quantity", Sign::positive);
    line.amount = l.money("amount", Sign::non_negative, &cur, "amount");
    return line;
  });
  r.restock = o.boolean("restock", false);
  r.reason = o.opt_text("reason", 0, 256);
  if (r.lines && !r.lines->empty()) {
    std::int64_t sum = 0;
    bool overflow = false;
    for (const auto& l : *r.lines) overflow |= __builtin_add_overflow(sum, l.amount.minor_units(), &sum);
    if (overflow || sum != r.amount.minor_units()) {
      o.walk().fail_at("lines", "amounts add up to " +
                                    (overflow ? std::string("more than the range") : Money(sum, cur).amount()) +
                                    ", not the refund's " + r.amount.amount());
    }
  }
  return {std::move(r)};
}

ShipmentDispatched read_shipment(Obj& o) {
  Shipment s;
  s.reference = o.ruled("reference", rules::check_reference);
  s.order_number = o.ruled("order_number", rules::check_reference);
  s.dispatched_at = o.timestamp("dispatched_at");
  s.carrier = o.opt_text("carrier", 1, 64);
  s.tracking_number = o.opt_text("tracking_number", 1, 128);
  s.lines = o.opt_array<StockLine>("lines", 0, 1000, stock_line);
  return {std::move(s)};
}

ShipmentTracked read_shipment_tracked(Obj& o) {
  ShipmentTracked t;
  t.tracking_number = o.ruled("tracking_number", rules::check_tracking_number);
  t.carrier = o.opt_text("carrier", 1, 64);
  t.status = o.ruled("status", check_shipment_status);
  t.at = o.timestamp("at");
  t.order_number = o.opt_ruled("order_number", rules::check_reference);
  t.detail = o.opt_text("detail", 0, 1024);
  return t;
}

InvoicePosted read_invoice(Obj& o) {
  InvoiceRef i;
  i.number = o.ruled("number", rules::check_reference);
  i.order_number = o.ruled("order_number", rules::check_reference);
  i.amount_total = o.money("amount_total", Sign::non_negative);
  i.amount_tax = o.opt_money("amount_tax", Sign::non_negative, &i.amount_total.currency(), "amount_total");
  i.posted_at = o.timestamp("posted_at");
  i.due_date = o.opt_date("due_date");
  if (i.amount_tax && i.amount_tax->minor_units() > i.amount_total.minor_units()) {
    Enter e(o.walk(), "amount_tax");
    o.walk().fail_at("amount", "must not exceed amount_total");
  }
  return {std::move(i)};
}

CustomerUpserted read_customer(Obj& o) {
  Customer c;
  c.ref = o.ruled("ref", rules::check_reference);
  c.name = o.text("name", 1, 256);
  c.email = o.opt_ruled("email", check_text_email);
  c.phone = o.opt_text("phone", 1, 64);
  c.is_company = o.boolean("is_company", false);
  c.street = o.opt_text("street", 0, 256);
  c.city = o.opt_text("city", 0, 128);
  c.zip = o.opt_text("zip", 0, 32);
  c.country_code = o.opt_ruled("country_code", check_country);
  c.vat = o.opt_text("vat", 1, 32);
  return {std::move(c)};
}

template <class T, T (*F)(Obj&)>
EventData wrap(Obj& o) {
  return EventData(F(o));
}
const TypeEntry table[] = {
    {ProductUpserted::type, wrap<ProductUpserted, read_product>},
    {PriceChanged::type, wrap<PriceChanged, read_price>},
    {StockAdjusted::type, wrap<StockAdjusted, read_stock_adjusted>},
    {StockReserved::type, wrap<StockReserved, read_stock_reserved>},
    {StockReleased::type, wrap<StockReleased, read_stock_released>},
    {GoodsReceived::type, wrap<GoodsReceived, read_goods_received>},
    {TransferCompleted::type, wrap<TransferCompleted, read_transfer>},
    {OrderCreated::type, wrap<OrderCreated, read_order>},
    {OrderCancelled::type, wrap<OrderCancelled, read_order_cancelled>},
    {PaymentCaptured::type, wrap<PaymentCaptured, read_payment>},
    {RefundApproved::type, wrap<RefundApproved, read_refund>},
    {ShipmentDispatched::type, wrap<ShipmentDispatched, read_shipment>},
    {ShipmentTracked::type, wrap<ShipmentTracked, read_shipment_tracked>},
    {InvoicePosted::type, wrap<InvoicePosted, read_invoice>},
    {CustomerUpserted::type, wrap<CustomerUpserted, read_customer>},
};

}  // namespace

std::span<const TypeEntry> type_table() { return table; }

}  // namespace detail
}  // namespace retail
}  // namespace v0
}  // namespace odoosync
