// Stripe's snapshot events as canonical events (docs/channels.md, "Stripe"). Amounts are integer minor
// units; the order a payment belongs to is read from the object's metadata, where the shop put it when
// it created the PaymentIntent (Stripe itself knows no orders).
#include <array>

#include "map_base.hpp"

namespace odoosync {
inline namespace v0 {
namespace channels {
namespace detail {

namespace {

constexpr std::array<std::string_view, 4> order_keys = {"order_number", "order_ref", "order_id", "order"};

std::optional<std::string> order_in(const json::Value& object) {
  const auto* md = json::find(object, "metadata");
  if (!md || !md->IsObject()) return std::nullopt;
  for (auto key : order_keys) {
    const auto* v = json::find(*md, key);
    if (v && v->IsString() && v->GetStringLength() > 0) return std::string(json::text(*v));
  }
  return std::nullopt;
}

Error no_order(const Reader& r, std::string_view at) {
  return r.fail(pointer(at, "metadata"),
                "names no order (order_number, order_ref, order_id or order): Stripe knows no orders, so the "
                "shop must put the order's number in the metadata of the PaymentIntent and of its refunds");
}

// Stripe sends ISK and UGX in hundredths although ISO 4217 gives them no decimals: refused rather than
// read 100 times too large.
result<retail::Money> stripe_money(const Reader& r, const json::Value& o, std::string_view key, std::string_view at) {
  ODOOSYNC_TRY(currency, r.currency(o, "currency", at));
  if (currency.code() == "ISK" || currency.code() == "UGX")
    return r.fail(pointer(at, "currency"),
                  std::string(currency.code()) + ": Stripe sends it in hundredths, unlike ISO 4217; not supported");
  return r.minor_money(o, key, currency, at);
}

result<void> payment_succeeded(const Reader& r, Emitter& out, const json::Value& pi, retail::Timestamp created) {
  const std::string at = "/data/object";
  retail::Payment pay;
  ODOOSYNC_TRY(id, r.string(pi, "id", at));
  pay.reference = id;
  auto order = order_in(pi);
  if (!order) return no_order(r, at);
  pay.order_number = *order;
  const bool received = json::find(pi, "amount_received") && !json::find(pi, "amount_received")->IsNull();
  ODOOSYNC_TRY(amount, stripe_money(r, pi, received ? "amount_received" : "amount", at));
  pay.amount = amount;
  pay.method = "card";
  if (const auto* types = json::find(pi, "payment_method_types");
      types && types->IsArray() && !types->Empty() && (*types)[0].IsString() && (*types)[0].GetStringLength() > 0 &&
      (*types)[0].GetStringLength() <= 64)
    pay.method = std::string(json::text((*types)[0]));
  pay.captured_at = created;
  pay.provider = "stripe";
  return out.add(retail::PaymentCaptured{std::move(pay)}, created);
}

// One refund object; `fallback_order` is the charge's metadata when the refund has none of its own.
result<void> refund(const Reader& r, Emitter& out, const json::Value& re, std::string_view at,
                    const std::optional<std::string>& fallback_order, retail::Timestamp when, std::string& note) {
  ODOOSYNC_TRY(id, r.string(re, "id", at));
  ODOOSYNC_TRY(status, r.string(re, "status", at));
  if (status != "succeeded") {
    note = "refund " + id + " is " + status + ": taken in when it succeeds";
    return success();
  }
  retail::Refund refund;
  refund.reference = id;
  auto order = order_in(re);
  if (!order) order = fallback_order;
  if (!order) return no_order(r, at);
  refund.order_number = *order;
  ODOOSYNC_TRY(amount, stripe_money(r, re, "amount", at));
  refund.amount = amount;
  std::optional<retail::Timestamp> created;
  if (json::find(re, "created")) {
    ODOOSYNC_TRY(t, r.unix_seconds(re, "created", at));
    created = t;
  }
  refund.approved_at = created ? *created : when;
  ODOOSYNC_TRY(reason, r.optional_string(re, "reason", at));
  refund.reason = reason;
  // Every topic that carries this refund gives it the same id: charge.refunded and refund.updated for
  // one refund are one event.
  return out.add(retail::RefundApproved{std::move(refund)}, refund.approved_at, "refund/" + id);
}

}  // namespace

result<Mapped> map_stripe(const MapContext& ctx) {
  Reader r("stripe", "");
  ODOOSYNC_TRYV(r.parse(ctx.delivery.body));
  const auto& root = r.root();
  ODOOSYNC_TRY(object_kind, r.optional_string(root, "object", ""));
  if (object_kind && *object_kind == "v2.core.event")
    return r.fail_whole(
        "a thin event (v2) carries no data, only a reference to fetch: configure the event destination with "
        "snapshot payloads");
  ODOOSYNC_TRY(type, r.string(root, "type", ""));
  r.set_topic(type);
  ODOOSYNC_TRY(created, r.unix_seconds(root, "created", ""));
  Emitter out(ctx, r);
  std::string note;
  const auto* data = json::find(root, "data");
  const json::Value* object = data ? json::find(*data, "object") : nullptr;
  if (!object || !object->IsObject()) return r.fail("/data/object", "missing");
  if (type == "payment_intent.succeeded") {
    ODOOSYNC_TRYV(payment_succeeded(r, out, *object, created));
  } else if (type == "refund.created" || type == "refund.updated" || type == "charge.refund.updated") {
    ODOOSYNC_TRYV(refund(r, out, *object, "/data/object", std::nullopt, created, note));
  } else if (type == "charge.refunded") {
    const auto* refunds = json::find(*object, "refunds");
    const auto* list = refunds ? json::find(*refunds, "data") : nullptr;
    if (!list || !list->IsArray()) {
      note = "charge.refunded without its refunds listed (API versions from 2022-11-15): refund.* events carry them";
    } else {
      std::size_t i = 0;
      for (const auto& re : list->GetArray()) {
        ODOOSYNC_TRYV(refund(r, out, re, pointer("/data/object/refunds/data", i++), order_in(*object), created, note));
      }
    }
  } else {
    note = "event type " + type + " is not mapped: nothing to take in";
  }
  return out.finish(note.empty() ? "nothing to take in" : note);
}

}  // namespace detail
}  // namespace channels
}  // namespace v0
}  // namespace odoosync
