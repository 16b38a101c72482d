// Shopify's webhooks as canonical events (docs/channels.md, "Shopify"). Payloads are the REST Admin
// resources of the topic in X-Shopify-Topic; ids are 64-bit integers kept as exact decimal text.
#include "map_base.hpp"

namespace odoosync {
inline namespace v0 {
namespace channels {
namespace detail {

namespace {

result<retail::Money> sum_of(const Reader& r, const json::Value& object, std::string_view key, std::string_view field,
                             const retail::Currency& currency, std::string_view at) {
  retail::Money total = retail::Money::zero(currency);
  const auto* list = json::find(object, key);
  if (!list || list->IsNull()) return total;
  if (!list->IsArray()) return r.fail(pointer(at, key), "must be an array");
  std::size_t i = 0;
  for (const auto& e : list->GetArray()) {
    const auto p = pointer(pointer(at, key), i++);
    ODOOSYNC_TRY(m, r.money(e, field, currency, p));
    auto t = total.plus(m);
    if (!t) return r.fail(p, t.error().message());
    total = t.value();
  }
  return total;
}

// The line's discount: its discount allocations when Shopify sends them (they include the order-level
// discounts spread over the lines), else the older total_discount.
result<retail::Money> line_discount(const Reader& r, const json::Value& li, const retail::Currency& c,
                                    std::string_view at) {
  if (const auto* d = json::find(li, "discount_allocations"); d && d->IsArray())
    return sum_of(r, li, "discount_allocations", "amount", c, at);
  if (const auto* d = json::find(li, "total_discount"); d && !d->IsNull()) return r.money(li, "total_discount", c, at);
  return retail::Money::zero(c);
}

result<retail::Money> net_of(const Reader& r, std::string_view at, const retail::Money& gross,
                             const retail::Money& discount, const retail::Money& tax, bool taxes_included) {
  auto net = gross.minus(discount);
  if (net && taxes_included) net = net.value().minus(tax);
  if (!net) return r.fail(at, net.error().message());
  return net.value();
}

result<void> order_created(const Reader& r, Emitter& out, const ChannelMapping& m) {
  const auto& o = r.root();
  retail::Order order;
  ODOOSYNC_TRY(number, r.id(o, "id", ""));
  order.number = number;
  ODOOSYNC_TRY(channel, channel_for(r, m, "web"));
  order.channel = channel;
  ODOOSYNC_TRY(currency, r.currency(o, "currency", ""));
  order.currency = currency;
  ODOOSYNC_TRY(at, r.timestamp(o, "created_at", ""));
  order.ordered_at = at;
  order.warehouse = m.warehouse;
  ODOOSYNC_TRY(name, r.optional_string(o, "name", ""));
  if (name) order.note = "Shopify " + *name;
  bool taxes_included = false;
  if (const auto* t = json::find(o, "taxes_included"); t && t->IsBool()) taxes_included = t->GetBool();

  ODOOSYNC_TRY(items, r.array(o, "line_items", ""));
  std::size_t i = 0;
  for (const auto& li : items->GetArray()) {
    const auto p = pointer("/line_items", i++);
    ODOOSYNC_TRY(sku_text, r.optional_string(li, "sku", p));
    retail::Sku sku;
    if (sku_text) {
      auto s = retail::Sku::parse(*sku_text);
      if (!s) return r.fail(pointer(p, "sku"), s.error().message());
      sku = s.value();
    } else {
      ODOOSYNC_TRY(variant, r.optional_id(li, "variant_id", p));
      if (!variant) return r.fail(pointer(p, "sku"), "the line has neither a SKU nor a variant to map one from");
      ODOOSYNC_TRY(mapped, sku_for(r, m, *variant, pointer(p, "variant_id")));
      sku = mapped;
    }
    ODOOSYNC_TRY(quantity, r.integer(li, "quantity", p));
    ODOOSYNC_TRY(price, r.money(li, "price", currency, p));
    std::int64_t gross_minor = 0;
    if (__builtin_mul_overflow(price.minor_units(), quantity, &gross_minor))
      return r.fail(pointer(p, "price"), "too large");
    ODOOSYNC_TRY(discount, line_discount(r, li, currency, p));
    ODOOSYNC_TRY(tax, sum_of(r, li, "tax_lines", "price", currency, p));
    ODOOSYNC_TRY(net, net_of(r, p, retail::Money(gross_minor, currency), discount, tax, taxes_included));
    ODOOSYNC_TRY(line, order_line(r, p, std::move(sku), quantity, net, discount, tax));
    order.lines.push_back(std::move(line));
  }
  if (const auto* ship = json::find(o, "shipping_lines"); ship && ship->IsArray()) {
    std::size_t k = 0;
    for (const auto& sl : ship->GetArray()) {
      const auto p = pointer("/shipping_lines", k++);
      ODOOSYNC_TRY(price, r.money(sl, "price", currency, p));
      ODOOSYNC_TRY(discount, sum_of(r, sl, "discount_allocations", "amount", currency, p));
      ODOOSYNC_TRY(tax, sum_of(r, sl, "tax_lines", "price", currency, p));
      if (price.is_zero() && tax.is_zero()) continue;
      if (m.shipping_sku.empty()) continue;  // close_order refuses the order, naming shipping_sku
      auto sku = retail::Sku::parse(m.shipping_sku);
      if (!sku) return r.fail_whole("the channel's \"shipping_sku\": " + sku.error().message());
      ODOOSYNC_TRY(net, net_of(r, p, price, discount, tax, taxes_included));
      ODOOSYNC_TRY(line, order_line(r, p, sku.value(), 1, net, discount, tax));
      order.lines.push_back(std::move(line));
    }
  }
  ODOOSYNC_TRY(total, r.money(o, "total_price", currency, ""));
  ODOOSYNC_TRYV(close_order(r, order, total, "/total_price"));
  return out.add(retail::OrderCreated{std::move(order)}, at);
}

result<void> order_paid(const Reader& r, Emitter& out) {
  const auto& o = r.root();
  ODOOSYNC_TRY(number, r.id(o, "id", ""));
  ODOOSYNC_TRY(currency, r.currency(o, "currency", ""));
  retail::Payment pay;
  pay.reference = "shopify-order-" + number;
  pay.order_number = number;
  ODOOSYNC_TRY(amount, r.money(o, "total_price", currency, ""));
  pay.amount = amount;
  pay.method = "shopify";
  if (const auto* g = json::find(o, "payment_gateway_names"); g && g->IsArray() && !g->Empty() && (*g)[0].IsString() &&
                                                              (*g)[0].GetStringLength() > 0 &&
                                                              (*g)[0].GetStringLength() <= 64)
    pay.method = std::string(json::text((*g)[0]));
  const bool has_processed = json::find(o, "processed_at") && !json::find(o, "processed_at")->IsNull();
  ODOOSYNC_TRY(at, r.timestamp(o, has_processed ? "processed_at" : "updated_at", ""));
  pay.captured_at = at;
  pay.provider = "shopify";
  return out.add(retail::PaymentCaptured{std::move(pay)}, at);
}

result<void> order_cancelled(const Reader& r, Emitter& out) {
  const auto& o = r.root();
  ODOOSYNC_TRY(number, r.id(o, "id", ""));
  ODOOSYNC_TRY(reason, r.optional_string(o, "cancel_reason", ""));
  ODOOSYNC_TRY(at, r.timestamp(o, "cancelled_at", ""));
  return out.add(retail::OrderCancelled{number, reason}, at);
}

result<void> refund_created(const Reader& r, Emitter& out, std::string& note) {
  const auto& o = r.root();
  retail::Refund refund;
  ODOOSYNC_TRY(ref, r.id(o, "id", ""));
  refund.reference = "shopify-refund-" + ref;
  ODOOSYNC_TRY(order, r.id(o, "order_id", ""));
  refund.order_number = order;
  ODOOSYNC_TRY(at, r.timestamp(o, "created_at", ""));
  refund.approved_at = at;
  ODOOSYNC_TRY(reason, r.optional_string(o, "note", ""));
  if (reason && reason->size() <= 256) refund.reason = reason;
  if (const auto* rs = json::find(o, "restock"); rs && rs->IsBool()) refund.restock = rs->GetBool();

  // The money: the successful refund transactions (a refund that only restocks moves none).
  ODOOSYNC_TRY(transactions, r.array(o, "transactions", ""));
  std::optional<retail::Money> amount;
  std::size_t i = 0;
  for (const auto& t : transactions->GetArray()) {
    const auto p = pointer("/transactions", i++);
    ODOOSYNC_TRY(kind, r.optional_string(t, "kind", p));
    ODOOSYNC_TRY(status, r.optional_string(t, "status", p));
    if (kind != "refund" || status != "success") continue;
    ODOOSYNC_TRY(currency, r.currency(t, "currency", p));
    ODOOSYNC_TRY(m, r.money(t, "amount", currency, p));
    if (!amount) {
      amount = m;
    } else {
      auto s = amount->plus(m);
      if (!s) return r.fail(pointer(p, "amount"), s.error().message());
      amount = s.value();
    }
  }
  if (!amount || amount->is_zero()) {
    note = "a refund without a successful refund transaction moves no money: nothing to take in";
    return success();
  }
  refund.amount = *amount;

  // Lines: when the refunded lines (subtotal plus tax) add up to the money refunded; otherwise (shipping
  // or an adjustment refunded too) the refund goes without lines rather than with wrong ones.
  std::vector<retail::RefundLine> lines;
  std::int64_t lines_minor = 0;
  bool usable = true;
  if (const auto* rl = json::find(o, "refund_line_items"); rl && rl->IsArray()) {
    std::size_t k = 0;
    for (const auto& item : rl->GetArray()) {
      const auto p = pointer("/refund_line_items", k++);
      ODOOSYNC_TRY(restock_type, r.optional_string(item, "restock_type", p));
      if (restock_type && *restock_type != "no_restock") refund.restock = true;
      std::optional<std::string> sku;
      if (const auto* li = json::find(item, "line_item"); li && li->IsObject()) {
        ODOOSYNC_TRY(s, r.optional_string(*li, "sku", pointer(p, "line_item")));
        sku = std::move(s);
      }
      ODOOSYNC_TRY(quantity, r.integer(item, "quantity", p));
      ODOOSYNC_TRY(sub, r.money(item, "subtotal", refund.amount.currency(), p));
      retail::Money tax = retail::Money::zero(refund.amount.currency());
      if (const auto* tt = json::find(item, "total_tax"); tt && !tt->IsNull()) {
        ODOOSYNC_TRY(t, r.money(item, "total_tax", refund.amount.currency(), p));
        tax = t;
      }
      if (!sku || quantity <= 0) {
        usable = false;
        continue;
      }
      auto s = retail::Sku::parse(*sku);
      if (!s) {
        usable = false;
        continue;
      }
      std::int64_t line_amount = 0;
      auto q = units(r, quantity, pointer(p, "quantity"));
      if (!q || __builtin_add_overflow(sub.minor_units(), tax.minor_units(), &line_amount) ||
          __builtin_add_overflow(lines_minor, line_amount, &lines_minor)) {
        usable = false;
        continue;
      }
      lines.push_back(retail::RefundLine{s.value(), q.value(), retail::Money(line_amount, refund.amount.currency())});
    }
  }
  if (usable && !lines.empty() && lines_minor == refund.amount.minor_units()) refund.lines = std::move(lines);
  return out.add(retail::RefundApproved{std::move(refund)}, at);
}

result<void> inventory_level(const Reader& r, Emitter& out, const ChannelMapping& m, std::string& note) {
  const auto& o = r.root();
  ODOOSYNC_TRY(item, r.id(o, "inventory_item_id", ""));
  ODOOSYNC_TRY(location, r.id(o, "location_id", ""));
  const auto* available = json::find(o, "available");
  if (!available || available->IsNull()) {
    note = "the item's inventory is not tracked at that location (available is null): nothing to take in";
    return success();
  }
  ODOOSYNC_TRY(count, r.integer(o, "available", ""));
  ODOOSYNC_TRY(sku, sku_for(r, m, item, "/inventory_item_id"));
  ODOOSYNC_TRY(loc, location_for(r, m, location, "/location_id"));
  ODOOSYNC_TRY(at, r.timestamp(o, "updated_at", ""));
  retail::StockAdjusted s;
  s.sku = sku;
  s.location = loc;
  // A negative count (oversold) is kept: Odoo holds negative quants the same way.
  ODOOSYNC_TRY(counted, units(r, count, "/available"));
  s.counted = counted;
  s.reason = "shopify inventory level";
  return out.add(std::move(s), at);
}

result<void> product_updated(const Reader& r, Emitter& out, const ChannelMapping& m, std::string& note) {
  const auto& o = r.root();
  ODOOSYNC_TRY(currency, configured_currency(r, m));
  ODOOSYNC_TRY(title, r.string(o, "title", ""));
  ODOOSYNC_TRY(status, r.optional_string(o, "status", ""));
  ODOOSYNC_TRY(product_type, r.optional_string(o, "product_type", ""));
  ODOOSYNC_TRY(variants, r.array(o, "variants", ""));
  std::size_t i = 0, skipped = 0;
  std::optional<retail::Timestamp> latest;
  for (const auto& v : variants->GetArray()) {
    const auto p = pointer("/variants", i++);
    ODOOSYNC_TRY(sku_text, r.optional_string(v, "sku", p));
    if (!sku_text) {
      ++skipped;  // a variant without a SKU cannot be matched to a product in Odoo
      continue;
    }
    auto sku = retail::Sku::parse(*sku_text);
    if (!sku) return r.fail(pointer(p, "sku"), sku.error().message());
    retail::Product prod;
    prod.sku = sku.value();
    ODOOSYNC_TRY(vtitle, r.optional_string(v, "title", p));
    prod.name = clip_utf8((vtitle && *vtitle != "Default Title") ? title + " - " + *vtitle : title, 256);
    ODOOSYNC_TRY(price, r.money(v, "price", currency, p));
    prod.list_price = price;
    ODOOSYNC_TRY(barcode, r.optional_string(v, "barcode", p));
    if (barcode) {
      auto b = retail::Barcode::parse(*barcode);
      if (b) prod.barcode = b.value();  // a barcode Odoo would refuse is left out, not the product
    }
    if (product_type && product_type->size() <= 128) prod.category = product_type;
    prod.active = !status || *status == "active";
    if (const auto* ip = json::find(v, "inventory_management"); ip && ip->IsNull()) prod.storable = false;
    std::optional<retail::Timestamp> when;
    if (json::find(v, "updated_at")) {
      ODOOSYNC_TRY(t, r.timestamp(v, "updated_at", p));
      when = t;
      if (!latest || t > *latest) latest = t;
    }
    ODOOSYNC_TRYV(out.add(retail::ProductUpserted{std::move(prod)}, when));
  }
  if (skipped > 0 && i == skipped) note = "no variant has a SKU: nothing to take in";
  return success();
}

}  // namespace

result<Mapped> map_shopify(const MapContext& ctx) {
  auto topic = ctx.delivery.headers.get("X-Shopify-Topic");
  Reader r("shopify", topic ? std::string(*topic) : std::string());
  if (!topic || topic->empty()) return r.fail_whole("no X-Shopify-Topic header names the topic");
  ODOOSYNC_TRYV(r.parse(ctx.delivery.body));
  Emitter out(ctx, r);
  std::string note;
  const std::string t = r.topic();
  if (t == "orders/create") {
    ODOOSYNC_TRYV(order_created(r, out, ctx.mapping));
  } else if (t == "orders/paid") {
    ODOOSYNC_TRYV(order_paid(r, out));
  } else if (t == "orders/cancelled") {
    ODOOSYNC_TRYV(order_cancelled(r, out));
  } else if (t == "refunds/create") {
    ODOOSYNC_TRYV(refund_created(r, out, note));
  } else if (t == "inventory_levels/update") {
    ODOOSYNC_TRYV(inventory_level(r, out, ctx.mapping, note));
  } else if (t == "products/update" || t == "products/create") {
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
