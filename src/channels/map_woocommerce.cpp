// WooCommerce's webhooks as canonical events (docs/channels.md, "WooCommerce"). WooCommerce sends each
// delivery once and never retries, and order.updated restates the whole order every time (refunds
// arrive that way too), so the events carry ids of the facts themselves ("refund/731"), not of the
// delivery: the same fact in two deliveries is one event in the store.
#include "map_base.hpp"

namespace odoosync {
inline namespace v0 {
namespace channels {
namespace detail {

namespace {

result<retail::Sku> line_sku(const Reader& r, const ChannelMapping& m, const json::Value& li, std::string_view p) {
  ODOOSYNC_TRY(sku_text, r.optional_string(li, "sku", p));
  if (sku_text) {
    auto s = retail::Sku::parse(*sku_text);
    if (!s) return r.fail(pointer(p, "sku"), s.error().message());
    return s.value();
  }
  ODOOSYNC_TRY(variation, r.optional_id(li, "variation_id", p));
  if (variation && *variation != "0") return sku_for(r, m, *variation, pointer(p, "variation_id"));
  ODOOSYNC_TRY(product, r.id(li, "product_id", p));
  return sku_for(r, m, product, pointer(p, "product_id"));
}

result<void> order_created(const Reader& r, Emitter& out, const ChannelMapping& m, const std::string& id) {
  const auto& o = r.root();
  retail::Order order;
  order.number = id;
  ODOOSYNC_TRY(channel, channel_for(r, m, "web"));
  order.channel = channel;
  ODOOSYNC_TRY(currency, r.currency(o, "currency", ""));
  order.currency = currency;
  ODOOSYNC_TRY(at, r.timestamp(o, "date_created_gmt", "", true));
  order.ordered_at = at;
  order.warehouse = m.warehouse;
  ODOOSYNC_TRY(number, r.optional_string(o, "number", ""));
  order.note = "WooCommerce #" + (number ? *number : id);
  ODOOSYNC_TRY(items, r.array(o, "line_items", ""));
  std::size_t i = 0;
  for (const auto& li : items->GetArray()) {
    const auto p = pointer("/line_items", i++);
    ODOOSYNC_TRY(sku, line_sku(r, m, li, p));
    ODOOSYNC_TRY(quantity, r.integer(li, "quantity", p));
    // subtotal: before discounts, total: after, both without tax (WooCommerce keeps line totals net).
    ODOOSYNC_TRY(subtotal, r.money(li, "subtotal", currency, p));
    ODOOSYNC_TRY(net, r.money(li, "total", currency, p));
    ODOOSYNC_TRY(tax, r.money(li, "total_tax", currency, p));
    auto discount = subtotal.minus(net);
    if (!discount) return r.fail(pointer(p, "total"), discount.error().message());
    ODOOSYNC_TRY(line, order_line(r, p, std::move(sku), quantity, net, discount.value(), tax));
    order.lines.push_back(std::move(line));
  }
  if (json::find(o, "shipping_total")) {
    ODOOSYNC_TRY(shipping, r.money(o, "shipping_total", currency, ""));
    retail::Money shipping_tax = retail::Money::zero(currency);
    if (json::find(o, "shipping_tax")) {
      ODOOSYNC_TRY(t, r.money(o, "shipping_tax", currency, ""));
      shipping_tax = t;
    }
    if ((!shipping.is_zero() || !shipping_tax.is_zero()) && !m.shipping_sku.empty()) {
      auto sku = retail::Sku::parse(m.shipping_sku);
      if (!sku) return r.fail_whole("the channel's \"shipping_sku\": " + sku.error().message());
      ODOOSYNC_TRY(line, order_line(r, "/shipping_total", sku.value(), 1, shipping, retail::Money::zero(currency),
                                    shipping_tax));
      order.lines.push_back(std::move(line));
    }
  }
  ODOOSYNC_TRY(total, r.money(o, "total", currency, ""));
  ODOOSYNC_TRYV(close_order(r, order, total, "/total"));
  return out.add(retail::OrderCreated{std::move(order)}, at, "order/" + id + "/created");
}

result<void> order_updated(const Reader& r, Emitter& out, const std::string& id, std::string& note) {
  const auto& o = r.root();
  ODOOSYNC_TRY(status, r.string(o, "status", ""));
  ODOOSYNC_TRY(currency, r.currency(o, "currency", ""));
  ODOOSYNC_TRY(modified, r.timestamp(o, "date_modified_gmt", "", true));
  // Every refund the order lists: WooCommerce sends a refund as an update of its order.
  if (const auto* refunds = json::find(o, "refunds"); refunds && refunds->IsArray()) {
    std::size_t i = 0;
    for (const auto& rf : refunds->GetArray()) {
      const auto p = pointer("/refunds", i++);
      ODOOSYNC_TRY(ref, r.id(rf, "id", p));
      ODOOSYNC_TRY(total, r.money(rf, "total", currency, p));  // negative: money going back
      if (total.is_zero()) continue;
      retail::Refund refund;
      refund.reference = "woocommerce-refund-" + ref;
      refund.order_number = id;
      refund.amount = retail::Money(total.is_negative() ? -total.minor_units() : total.minor_units(), currency);
      refund.approved_at = modified;  // the order's list carries no date per refund
      ODOOSYNC_TRY(reason, r.optional_string(rf, "reason", p));
      if (reason && reason->size() <= 256) refund.reason = reason;
      ODOOSYNC_TRYV(out.add(retail::RefundApproved{std::move(refund)}, modified, "refund/" + ref));
    }
  }
  if (status == "cancelled") {
    ODOOSYNC_TRYV(out.add(retail::OrderCancelled{id, std::nullopt}, modified, "order/" + id + "/cancelled"));
  } else if (status == "completed") {
    retail::Shipment s;
    s.reference = "woocommerce-order-" + id;
    s.order_number = id;
    const bool has_completed = json::find(o, "date_completed_gmt") && !json::find(o, "date_completed_gmt")->IsNull();
    ODOOSYNC_TRY(when,
                 has_completed ? r.timestamp(o, "date_completed_gmt", "", true) : result<retail::Timestamp>(modified));
    s.dispatched_at = when;
    ODOOSYNC_TRYV(out.add(retail::ShipmentDispatched{std::move(s)}, when, "order/" + id + "/completed"));
  } else {
    note = "status " + status + " changes nothing in Odoo: nothing to take in";
  }
  return success();
}

result<void> product_updated(const Reader& r, Emitter& out, const ChannelMapping& m, std::string& note) {
  const auto& o = r.root();
  ODOOSYNC_TRY(sku_text, r.optional_string(o, "sku", ""));
  if (!sku_text) {
    note = "a product without a SKU cannot be matched in Odoo: nothing to take in";
    return success();
  }
  auto sku = retail::Sku::parse(*sku_text);
  if (!sku) return r.fail("/sku", sku.error().message());
  ODOOSYNC_TRY(currency, configured_currency(r, m));
  retail::Product p;
  p.sku = sku.value();
  ODOOSYNC_TRY(name, r.string(o, "name", ""));
  p.name = clip_utf8(name, 256);
  ODOOSYNC_TRY(regular, r.optional_string(o, "regular_price", ""));
  ODOOSYNC_TRY(price, r.money(o, regular ? "regular_price" : "price", currency, ""));
  p.list_price = price;
  ODOOSYNC_TRY(status, r.optional_string(o, "status", ""));
  p.active = !status || *status == "publish";
  if (const auto* ms = json::find(o, "manage_stock"); ms && ms->IsBool()) p.storable = ms->GetBool();
  std::optional<retail::Timestamp> when;
  if (json::find(o, "date_modified_gmt")) {
    ODOOSYNC_TRY(t, r.timestamp(o, "date_modified_gmt", "", true));
    when = t;
  }
  return out.add(retail::ProductUpserted{std::move(p)}, when);
}

}  // namespace

result<Mapped> map_woocommerce(const MapContext& ctx) {
  auto topic = ctx.delivery.headers.get("X-WC-Webhook-Topic");
  Reader r("woocommerce", topic ? std::string(*topic) : std::string());
  if (!topic || topic->empty()) return r.fail_whole("no X-WC-Webhook-Topic header names the topic");
  ODOOSYNC_TRYV(r.parse(ctx.delivery.body));
  Emitter out(ctx, r);
  std::string note;
  const std::string t = r.topic();
  if (t == "order.created" || t == "order.updated") {
    ODOOSYNC_TRY(id, r.id(r.root(), "id", ""));
    if (t == "order.created") {
      ODOOSYNC_TRYV(order_created(r, out, ctx.mapping, id));
    } else {
      ODOOSYNC_TRYV(order_updated(r, out, id, note));
    }
  } else if (t == "product.updated" || t == "product.created") {
    ODOOSYNC_TRYV(product_updated(r, out, ctx.mapping, note));
  } else {
    note = "topic " + t + " is not mapped: nothing to take in";
  }
  return out.finish(note.empty() ? "nothing to take in" : note);
}

}  // namespace detail
}  // namespace channels
}  // namespace v0
}  // namespace odoosync
