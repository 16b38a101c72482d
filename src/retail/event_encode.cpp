// The canonical JSON text of a retail event (encode_event), and make_event, which checks by decoding what it writes.
#include <odoosync/retail/events.hpp>

#include <odoosync/core/json.hpp>

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace odoosync {
inline namespace v0 {
namespace retail {
namespace {

void put_money(json::Writer& w, std::string_view key, const Money& m) {
  w.key(key).begin_object().member("amount", m.amount()).member("currency", m.currency().code()).end_object();
}
void put_money(json::Writer& w, std::string_view key, const std::optional<Money>& m) {
  if (m) put_money(w, key, *m);
}
void put_quantity(json::Writer& w, std::string_view key, const Quantity& q) {
  w.key(key).begin_object().member("value", q.value()).member("uom", q.uom()).end_object();
}
void put_quantity(json::Writer& w, std::string_view key, const std::optional<Quantity>& q) {
  if (q) put_quantity(w, key, *q);
}
void put_text(json::Writer& w, std::string_view key, const std::optional<std::string>& s) {
  if (s) w.member(key, *s);
}
void put_time(json::Writer& w, std::string_view key, const std::optional<Timestamp>& t) {
  if (t) w.member(key, t->to_string());
}
void put_lines(json::Writer& w, std::string_view key, const std::vector<StockLine>& lines) {
  w.key(key).begin_array();
  for (const auto& l : lines) {
    w.begin_object().member("sku", l.sku.value);
    put_quantity(w, "quantity", l.quantity);
    w.end_object();
  }
  w.end_array();
}

struct DataWriter {
  json::Writer& w;
  void operator()(const ProductUpserted& e) const {
    const Product& p = e.product;
    w.member("sku", p.sku.value).member("name", p.name);
    put_money(w, "list_price", p.list_price);
    if (p.barcode) w.member("barcode", p.barcode->value);
    put_money(w, "cost", p.cost);
    w.member("uom", p.uom);
    put_text(w, "category", p.category);
    w.member("storable", p.storable).member("active", p.active);
    put_text(w, "description", p.description);
  }
  void operator()(const PriceChanged& e) const {
    w.member("sku", e.price.sku.value);
    put_money(w, "list_price", e.price.list_price);
    put_time(w, "effective_at", e.price.effective_at);
  }
  void operator()(const StockAdjusted& e) const {
    w.member("sku", e.sku.value).member("location", e.location.value);
    put_quantity(w, "delta", e.delta);
    put_quantity(w, "counted", e.counted);
    put_text(w, "reason", e.reason);
  }
  void operator()(const StockReserved& e) const {
    w.member("sku", e.sku.value).member("location", e.location.value);
    put_quantity(w, "quantity", e.quantity);
    w.member("reservation", e.reservation);
    put_text(w, "order_number", e.order_number);
    put_time(w, "expires_at", e.expires_at);
  }
  void operator()(const StockReleased& e) const {
    w.member("sku", e.sku.value).member("location", e.location.value);
    put_quantity(w, "quantity", e.quantity);
    w.member("reservation", e.reservation);
  }
  void operator()(const GoodsReceived& e) const {
    const GoodsReceipt& r = e.receipt;
    w.member("reference", r.reference).member("location", r.location.value);
    put_text(w, "supplier", r.supplier);
    put_lines(w, "lines", r.lines);
    put_time(w, "received_at", r.received_at);
  }
  void operator()(const TransferCompleted& e) const {
    const Transfer& t = e.transfer;
    w.member("reference", t.reference).member("from", t.from.value).member("to", t.to.value);
    put_lines(w, "lines", t.lines);
  }
  void operator()(const OrderCreated& e) const {
    const Order& o = e.order;
    w.member("number", o.number).member("channel", o.channel.value);
    put_text(w, "customer", o.customer);
    w.member("currency", o.currency.code())
        .member("ordered_at", o.ordered_at.to_string())
        .member("warehouse", o.warehouse);
    w.key("lines").begin_array();
    for (const auto& l : o.lines) {
      w.begin_object().member("sku", l.sku.value);
      put_quantity(w, "quantity", l.quantity);
      put_money(w, "unit_price", l.unit_price);
      put_money(w, "discount", l.discount);
      put_money(w, "tax", l.tax);
      put_money(w, "total", l.total);
      w.end_object();
    }
    w.end_array();
    put_money(w, "subtotal", o.subtotal);
    put_money(w, "tax_total", o.tax_total);
    put_money(w, "total", o.total);
    put_text(w, "note", o.note);
  }
  void operator()(const OrderCancelled& e) const {
    w.member("number", e.number);
    put_text(w, "reason", e.reason);
  }
  void operator()(const PaymentCaptured& e) const {
    const Payment& p = e.payment;
    w.member("reference", p.reference).member("order_number", p.order_number);
    put_money(w, "amount", p.amount);
    w.member("method", p.method).member("captured_at", p.captured_at.to_string());
    put_text(w, "provider", p.provider);
  }
  void operator()(const RefundApproved& e) const {
    const Refund& r = e.refund;
    w.member("reference", r.reference).member("order_number", r.order_number);
    put_money(w, "amount", r.amount);
    w.member("approved_at", r.approved_at.to_string());
    if (r.lines) {
      w.key("lines").begin_array();
      for (const auto& l : *r.lines) {
        w.begin_object().member("sku", l.sku.value);
        put_quantity(w, "quantity", l.quantity);
        put_money(w, "amount", l.amount);
        w.end_object();
      }
      w.end_array();
    }
    w.member("restock", r.restock);
    put_text(w, "reason", r.reason);
  }
  void operator()(const ShipmentDispatched& e) const {
    const Shipment& s = e.shipment;
    w.member("reference", s.reference)
        .member("order_number", s.order_number)
        .member("dispatched_at", s.dispatched_at.to_string());
    put_text(w, "carrier", s.carrier);
    put_text(w, "tracking_number", s.tracking_number);
    if (s.lines) put_lines(w, "lines", *s.lines);
  }
  void operator()(const ShipmentTracked& e) const {
    w.member("tracking_number", e.tracking_number);
    put_text(w, "carrier", e.carrier);
    w.member("status", e.status).member("at", e.at.to_string());
    put_text(w, "order_number", e.order_number);
    put_text(w, "detail", e.detail);
  }
  void operator()(const InvoicePosted& e) const {
    const InvoiceRef& i = e.invoice;
    w.member("number", i.number).member("order_number", i.order_number);
    put_money(w, "amount_total", i.amount_total);
    put_money(w, "amount_tax", i.amount_tax);
    w.member("posted_at", i.posted_at.to_string());
    if (i.due_date) w.member("due_date", i.due_date->to_string());
  }
  void operator()(const CustomData&) const {}  // written raw by encode_into
  void operator()(const CustomerUpserted& e) const {
    const Customer& c = e.customer;
    w.member("ref", c.ref).member("name", c.name);
    put_text(w, "email", c.email);
    put_text(w, "phone", c.phone);
    w.member("is_company", c.is_company);
    put_text(w, "street", c.street);
    put_text(w, "city", c.city);
    put_text(w, "zip", c.zip);
    put_text(w, "country_code", c.country_code);
    put_text(w, "vat", c.vat);
  }
};

void encode_into(json::Writer& w, const Event& ev) {
  const std::string_view type = ev.type();
  w.begin_object()
      .member("specversion", "1.0")
      .member("id", ev.id)
      .member("source", ev.source)
      .member("type", type)
      .member("time", ev.time.to_string());
  // A host type made in code may not have its subject yet: the decoder's rule gives it.
  const std::string subject = ev.subject.empty() ? subject_of(ev.data) : ev.subject;
  if (!subject.empty()) w.member("subject", subject);
  w.member("datacontenttype", "application/json").member("dataschema", dataschema_for(type));
  if (ev.sequence) w.member("sequence", std::to_string(*ev.sequence));
  if (ev.traceparent) w.member("traceparent", *ev.traceparent);
  for (const auto& x : ev.extensions) w.key(x.name).raw(x.json);
  if (const auto* c = std::get_if<CustomData>(&ev.data)) {
    w.key("data").raw(c->json.empty() ? std::string_view("{}") : std::string_view(c->json));
    w.end_object();
    return;
  }
  w.key("data").begin_object();
  std::visit(DataWriter{w}, ev.data);
  w.end_object().end_object();
}
}  // namespace

std::string encode_event(const Event& ev) {
  json::Writer w;
  encode_into(w, ev);
  return std::string(w.unchecked_view());
}

result<Event> make_event(EventData data, EventHeader header) {
  return make_event(std::move(data), std::move(header), std::span<const CustomType>());
}

result<Event> make_event(EventData data, EventHeader header, std::span<const CustomType> custom) {
  Event ev;
  ev.id = std::move(header.id);
  ev.source = std::move(header.source);
  ev.time = header.time ? *header.time : Timestamp::now();
  ev.sequence = header.sequence;
  ev.traceparent = std::move(header.traceparent);
  ev.data = std::move(data);
  ev.subject = subject_of(ev.data);
  // One validator: what we would write must decode.
  json::Writer w;
  encode_into(w, ev);
  auto text = w.view();
  if (!text) return Error::validation("event: " + text.error().message());
  return decode_event(text.value(), custom);
}

}  // namespace retail
}  // namespace v0
}  // namespace odoosync
