// Square's webhook events as canonical events (docs/channels.md, "Square"). Amounts are integer minor
// units ({"amount":2490,"currency":"EUR"}); the order number is Square's order id. payment.updated and
// refund.updated fire on every change of their object, so the events carry ids of the facts
// ("payment/<id>/completed", "refund/<id>"): a second delivery of the same fact is a duplicate.
#include "map_base.hpp"

namespace odoosync {
inline namespace v0 {
namespace channels {
namespace detail {

namespace {

result<retail::Money> money_of(const Reader& r, const json::Value& o, std::string_view key, std::string_view at) {
  ODOOSYNC_TRY(m, r.object(o, key, at));
  const auto p = pointer(at, key);
  ODOOSYNC_TRY(currency, r.currency(*m, "currency", p));
  return r.minor_money(*m, "amount", currency, p);
}

result<retail::Timestamp> updated_or(const Reader& r, const json::Value& o, std::string_view at,
                                     retail::Timestamp fallback) {
  if (!json::find(o, "updated_at")) return fallback;
  return r.timestamp(o, "updated_at", at);
}

result<void> payment(const Reader& r, Emitter& out, const json::Value& obj, retail::Timestamp created,
                     std::string& note) {
  const std::string at = "/data/object/payment";
  ODOOSYNC_TRY(p, r.object(obj, "payment", "/data/object"));
  ODOOSYNC_TRY(id, r.string(*p, "id", at));
  ODOOSYNC_TRY(status, r.string(*p, "status", at));
  if (status != "COMPLETED") {
    note = "payment " + id + " is " + status + ": taken in when it completes";
    return success();
  }
  retail::Payment pay;
  pay.reference = id;
  ODOOSYNC_TRY(order, r.optional_string(*p, "order_id", at));
  if (!order) return r.fail(pointer(at, "order_id"), "missing: a payment without an order cannot be matched in Odoo");
  pay.order_number = *order;
  ODOOSYNC_TRY(amount, money_of(r, *p, "amount_money", at));
  pay.amount = amount;
  ODOOSYNC_TRY(source, r.optional_string(*p, "source_type", at));
  pay.method = "card";
  if (source && source->size() <= 64) {
    pay.method = *source;
    for (auto& c : pay.method)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  ODOOSYNC_TRY(when, updated_or(r, *p, at, created));
  pay.captured_at = when;
  pay.provider = "square";
  return out.add(retail::PaymentCaptured{std::move(pay)}, when, "payment/" + id + "/completed");
}

result<void> refund(const Reader& r, Emitter& out, const json::Value& obj, retail::Timestamp created,
                    std::string& note) {
  const std::string at = "/data/object/refund";
  ODOOSYNC_TRY(rf, r.object(obj, "refund", "/data/object"));
  ODOOSYNC_TRY(id, r.string(*rf, "id", at));
  ODOOSYNC_TRY(status, r.string(*rf, "status", at));
  if (status != "COMPLETED") {
    note = "refund " + id + " is " + status + ": taken in when refund.updated says it completed";
    return success();
  }
  retail::Refund refund;
  refund.reference = id;
  ODOOSYNC_TRY(order, r.optional_string(*rf, "order_id", at));
  if (!order) return r.fail(pointer(at, "order_id"), "missing: a refund without an order cannot be matched in Odoo");
  refund.order_number = *order;
  ODOOSYNC_TRY(amount, money_of(r, *rf, "amount_money", at));
  refund.amount = amount;
  ODOOSYNC_TRY(when, updated_or(r, *rf, at, created));
  refund.approved_at = when;
  ODOOSYNC_TRY(reason, r.optional_string(*rf, "reason", at));
  if (reason && reason->size() <= 256) refund.reason = reason;
  return out.add(retail::RefundApproved{std::move(refund)}, when, "refund/" + id);
}

result<void> order_updated(const Reader& r, Emitter& out, const json::Value& obj, std::string_view key,
                           retail::Timestamp created, std::string& note) {
  const auto at = pointer("/data/object", key);
  ODOOSYNC_TRY(o, r.object(obj, key, "/data/object"));
  ODOOSYNC_TRY(id, r.string(*o, "order_id", at));
  ODOOSYNC_TRY(state, r.string(*o, "state", at));
  if (state != "CANCELED") {
    // Square's order events carry ids and the state only: the lines must be read from its Orders API.
    note = "order " + id + " is " + state + ": Square's order events carry no lines, nothing to take in";
    return success();
  }
  ODOOSYNC_TRY(when, updated_or(r, *o, at, created));
  return out.add(retail::OrderCancelled{id, std::nullopt}, when, "order/" + id + "/cancelled");
}

result<void> inventory(const Reader& r, Emitter& out, const json::Value& obj, const ChannelMapping& m,
                       std::string& note) {
  ODOOSYNC_TRY(counts, r.array(obj, "inventory_counts", "/data/object"));
  std::size_t i = 0;
  for (const auto& c : counts->GetArray()) {
    const auto at = pointer("/data/object/inventory_counts", i++);
    ODOOSYNC_TRY(state, r.string(c, "state", at));
    if (state != "IN_STOCK") continue;  // sold, waste, in transit...: not stock on hand
    ODOOSYNC_TRY(item, r.string(c, "catalog_object_id", at));
    ODOOSYNC_TRY(location, r.string(c, "location_id", at));
    ODOOSYNC_TRY(quantity, r.string(c, "quantity", at));
    ODOOSYNC_TRY(sku, sku_for(r, m, item, pointer(at, "catalog_object_id")));
    ODOOSYNC_TRY(loc, location_for(r, m, location, pointer(at, "location_id")));
    auto q = retail::Quantity::parse(quantity);
    if (!q) return r.fail(pointer(at, "quantity"), q.error().message());
    ODOOSYNC_TRY(when, r.timestamp(c, "calculated_at", at));
    retail::StockAdjusted s;
    s.sku = sku;
    s.location = loc;
    s.counted = q.value();
    s.reason = "square inventory count";
    ODOOSYNC_TRYV(out.add(std::move(s), when));
  }
  if (i > 0) note = "no count of stock on hand (state IN_STOCK): nothing to take in";
  return success();
}

}  // namespace

result<Mapped> map_square(const MapContext& ctx) {
  Reader r("square", "");
  ODOOSYNC_TRY(type, r.parse_typed(ctx.delivery.body, "type"));
  const auto& root = r.root();
  ODOOSYNC_TRY(created, r.timestamp(root, "created_at", ""));
  ODOOSYNC_TRY(data, r.object(root, "data", ""));
  Emitter out(ctx, r);
  std::string note;
  if (type == "payment.updated" || type == "payment.created") {
    ODOOSYNC_TRY(obj, r.object(*data, "object", "/data"));
    ODOOSYNC_TRYV(payment(r, out, *obj, created, note));
  } else if (type == "refund.created" || type == "refund.updated") {
    ODOOSYNC_TRY(obj, r.object(*data, "object", "/data"));
    ODOOSYNC_TRYV(refund(r, out, *obj, created, note));
  } else if (type == "order.created" || type == "order.updated") {
    ODOOSYNC_TRY(obj, r.object(*data, "object", "/data"));
    ODOOSYNC_TRYV(
        order_updated(r, out, *obj, type == "order.created" ? "order_created" : "order_updated", created, note));
  } else if (type == "inventory.count.updated") {
    ODOOSYNC_TRY(obj, r.object(*data, "object", "/data"));
    ODOOSYNC_TRYV(inventory(r, out, *obj, ctx.mapping, note));
  } else {
    note = "event type " + type + " is not mapped: nothing to take in";
  }
  return out.finish(note);
}

}  // namespace detail
}  // namespace channels
}  // namespace v0
}  // namespace odoosync
