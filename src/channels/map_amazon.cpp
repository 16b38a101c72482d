// Amazon SP-API as canonical events (docs/channels.md, "Amazon"). ORDER_CHANGE notifications come
// through the host's SQS queue and carry no prices: a cancellation is mapped from them, a new order from
// the Orders API's getOrder and getOrderItems answers (map_amazon_order), which the host reads.
#include "map_base.hpp"

namespace odoosync {
inline namespace v0 {
namespace channels {
namespace detail {

result<Mapped> map_amazon(const MapContext& ctx) {
  Reader r("amazon", "");
  ODOOSYNC_TRY(type, r.parse_typed(ctx.delivery.body, "NotificationType"));
  const auto& root = r.root();
  Emitter out(ctx, r);
  std::string note;
  if (type == "ORDER_CHANGE") {
    ODOOSYNC_TRY(payload, r.object(root, "Payload", ""));
    const std::string at = "/Payload/OrderChangeNotification";
    ODOOSYNC_TRY(n, r.object(*payload, "OrderChangeNotification", "/Payload"));
    ODOOSYNC_TRY(order, r.string(*n, "AmazonOrderId", at));
    ODOOSYNC_TRY(summary, r.object(*n, "Summary", at));
    ODOOSYNC_TRY(status, r.string(*summary, "OrderStatus", at + "/Summary"));
    ODOOSYNC_TRY(when, r.timestamp(root, "EventTime", ""));
    if (status == "Canceled") {
      std::optional<std::string> reason;
      if (const auto* trig = json::find(*n, "OrderChangeTrigger"); trig && trig->IsObject()) {
        ODOOSYNC_TRY(why, r.optional_string(*trig, "ChangeReason", at + "/OrderChangeTrigger"));
        if (why && why->size() <= 256) reason = why;
      }
      ODOOSYNC_TRYV(out.add(retail::OrderCancelled{order, reason}, when, "order/" + order + "/cancelled"));
    } else {
      note = "order " + order + " is " + status +
             ": ORDER_CHANGE carries no prices, so a new order is taken in from getOrder and getOrderItems "
             "(map_amazon_order)";
    }
  } else {
    note = "notification type " + type + " is not mapped: nothing to take in";
  }
  return out.finish(note);
}

namespace {

result<retail::Money> amazon_money(const Reader& r, const json::Value& o, std::string_view key, std::string_view at,
                                   const std::optional<retail::Currency>& expect) {
  const auto* m = json::find(o, key);
  if (!m || m->IsNull()) return retail::Money::zero(expect ? *expect : retail::Currency());
  if (!m->IsObject()) return r.fail(pointer(at, key), "must be an object");
  const auto p = pointer(at, key);
  ODOOSYNC_TRY(currency, r.currency(*m, "CurrencyCode", p));
  if (expect && !(currency == *expect)) return r.fail(pointer(p, "CurrencyCode"), "differs from the order's currency");
  return r.money(*m, "Amount", currency, p);
}

}  // namespace

}  // namespace detail

result<retail::Event> map_amazon_order(std::string_view get_order, std::string_view get_order_items,
                                       const ChannelMapping& mapping) {
  using namespace detail;
  Reader ro("amazon", "getOrder");
  ODOOSYNC_TRYV(ro.parse(get_order));
  Reader ri("amazon", "getOrderItems");
  ODOOSYNC_TRYV(ri.parse(get_order_items));
  ODOOSYNC_TRY(po, ro.object(ro.root(), "payload", ""));
  ODOOSYNC_TRY(pi, ri.object(ri.root(), "payload", ""));
  retail::Order order;
  ODOOSYNC_TRY(id, ro.string(*po, "AmazonOrderId", "/payload"));
  ODOOSYNC_TRY(items_id, ri.string(*pi, "AmazonOrderId", "/payload"));
  if (items_id != id) return ri.fail("/payload/AmazonOrderId", "is not the order's (" + id + ")");
  ODOOSYNC_TRY(status, ro.string(*po, "OrderStatus", "/payload"));
  if (status == "Pending" || status == "Canceled")
    return ro.fail("/payload/OrderStatus", status +
                                               ": Amazon gives no prices for such an order; take it in once "
                                               "it is Unshipped");
  order.number = id;
  ODOOSYNC_TRY(channel, channel_for(ro, mapping, "marketplace"));
  order.channel = channel;
  ODOOSYNC_TRY(total_obj, ro.object(*po, "OrderTotal", "/payload"));
  ODOOSYNC_TRY(currency, ro.currency(*total_obj, "CurrencyCode", "/payload/OrderTotal"));
  order.currency = currency;
  ODOOSYNC_TRY(total, ro.money(*total_obj, "Amount", currency, "/payload/OrderTotal"));
  ODOOSYNC_TRY(at, ro.timestamp(*po, "PurchaseDate", "/payload"));
  order.ordered_at = at;
  order.warehouse = mapping.warehouse;
  order.note = "Amazon " + id;
  ODOOSYNC_TRY(items, ri.array(*pi, "OrderItems", "/payload"));
  if (const auto* next = json::find(*pi, "NextToken"); next && next->IsString() && next->GetStringLength() > 0)
    return ri.fail("/payload/NextToken", "the items continue on another page: pass every page's items in one list");

  // ItemPrice is the price of the whole line (unit price times quantity). Whether it includes tax depends on
  // the marketplace: the one reading that makes the lines add up to OrderTotal is taken, else the order is
  // refused.
  struct Raw {
    retail::Sku sku;
    std::int64_t quantity = 0;
    retail::Money price, tax, discount, discount_tax, shipping, shipping_tax, shipping_discount, shipping_discount_tax;
    std::string at;
  };
  std::vector<Raw> raws;
  std::size_t i = 0;
  for (const auto& it : items->GetArray()) {
    Raw raw;
    raw.at = pointer("/payload/OrderItems", i++);
    ODOOSYNC_TRY(seller_sku, ri.optional_string(it, "SellerSKU", raw.at));
    if (seller_sku) {
      auto s = retail::Sku::parse(*seller_sku);
      if (!s) return ri.fail(pointer(raw.at, "SellerSKU"), s.error().message());
      raw.sku = s.value();
    } else {
      ODOOSYNC_TRY(asin, ri.string(it, "ASIN", raw.at));
      ODOOSYNC_TRY(s, sku_for(ri, mapping, asin, pointer(raw.at, "ASIN")));
      raw.sku = s;
    }
    ODOOSYNC_TRY(q, ri.integer(it, "QuantityOrdered", raw.at));
    raw.quantity = q;
    const std::optional<retail::Currency> c = currency;
    ODOOSYNC_TRY(price, amazon_money(ri, it, "ItemPrice", raw.at, c));
    ODOOSYNC_TRY(tax, amazon_money(ri, it, "ItemTax", raw.at, c));
    ODOOSYNC_TRY(disc, amazon_money(ri, it, "PromotionDiscount", raw.at, c));
    ODOOSYNC_TRY(disc_tax, amazon_money(ri, it, "PromotionDiscountTax", raw.at, c));
    ODOOSYNC_TRY(ship, amazon_money(ri, it, "ShippingPrice", raw.at, c));
    ODOOSYNC_TRY(ship_tax, amazon_money(ri, it, "ShippingTax", raw.at, c));
    ODOOSYNC_TRY(ship_disc, amazon_money(ri, it, "ShippingDiscount", raw.at, c));
    ODOOSYNC_TRY(ship_disc_tax, amazon_money(ri, it, "ShippingDiscountTax", raw.at, c));
    raw.price = price;
    raw.tax = tax;
    raw.discount = disc;
    raw.discount_tax = disc_tax;
    raw.shipping = ship;
    raw.shipping_tax = ship_tax;
    raw.shipping_discount = ship_disc;
    raw.shipping_discount_tax = ship_disc_tax;
    raws.push_back(std::move(raw));
  }
  std::optional<Error> last;
  for (bool tax_included : {false, true}) {
    retail::Order attempt = order;
    bool failed = false;
    for (const auto& raw : raws) {
      // A promotion's tax comes off the tax; with prices that include tax, the discounts do too.
      const std::int64_t tax = raw.tax.minor_units() - raw.discount_tax.minor_units();
      const std::int64_t disc = raw.discount.minor_units() - (tax_included ? raw.discount_tax.minor_units() : 0);
      std::int64_t net = raw.price.minor_units() - raw.discount.minor_units();
      if (tax_included) net -= tax;
      auto line = order_line(ri, raw.at, raw.sku, raw.quantity, retail::Money(net, currency),
                             retail::Money(disc, currency), retail::Money(tax, currency));
      if (!line) {
        last = line.error();
        failed = true;
        break;
      }
      attempt.lines.push_back(std::move(line.value()));
      const std::int64_t stax = raw.shipping_tax.minor_units() - raw.shipping_discount_tax.minor_units();
      const std::int64_t sdisc =
          raw.shipping_discount.minor_units() - (tax_included ? raw.shipping_discount_tax.minor_units() : 0);
      std::int64_t snet = raw.shipping.minor_units() - raw.shipping_discount.minor_units();
      if (tax_included) snet -= stax;
      if ((snet != 0 || stax != 0) && !mapping.shipping_sku.empty()) {
        auto sku = retail::Sku::parse(mapping.shipping_sku);
        if (!sku) return ri.fail_whole("the channel's \"shipping_sku\": " + sku.error().message());
        auto sl = order_line(ri, raw.at, sku.value(), 1, retail::Money(snet, currency), retail::Money(sdisc, currency),
                             retail::Money(stax, currency));
        if (!sl) {
          last = sl.error();
          failed = true;
          break;
        }
        attempt.lines.push_back(std::move(sl.value()));
      }
    }
    if (failed) continue;
    auto closed = close_order(ro, attempt, total, "/payload/OrderTotal");
    if (!closed) {
      last = closed.error();
      continue;
    }
    retail::EventHeader h;
    h.source = mapping.source;
    h.id = "order/" + id + "/created";
    h.time = at;
    auto e = retail::make_event(retail::OrderCreated{std::move(attempt)}, std::move(h));
    if (!e) return ro.fail_whole("the mapped event is not valid: " + e.error().message());
    return std::move(e.value());
  }
  return *last;
}

}  // namespace channels
}  // namespace v0
}  // namespace odoosync
