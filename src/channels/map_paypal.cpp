// PayPal's webhook events as canonical events (docs/channels.md, "PayPal"). Amounts are decimal
// strings with their currency; the order is the capture's custom_id (or invoice_id), which the shop set
// when it created the PayPal order.
#include "map_base.hpp"

namespace odoosync {
inline namespace v0 {
namespace channels {
namespace detail {

namespace {

result<std::string> order_of(const Reader& r, const json::Value& res) {
  ODOOSYNC_TRY(custom, r.optional_string(res, "custom_id", "/resource"));
  if (custom) return *custom;
  ODOOSYNC_TRY(invoice, r.optional_string(res, "invoice_id", "/resource"));
  if (invoice) return *invoice;
  return r.fail("/resource/custom_id",
                "names no order (nor does invoice_id): the shop must set the order's number as the PayPal order's "
                "custom_id or invoice_id");
}

result<retail::Money> amount_of(const Reader& r, const json::Value& res) {
  ODOOSYNC_TRY(amount, r.object(res, "amount", "/resource"));
  ODOOSYNC_TRY(currency, r.currency(*amount, "currency_code", "/resource/amount"));
  return r.money(*amount, "value", currency, "/resource/amount");
}

}  // namespace

result<Mapped> map_paypal(const MapContext& ctx) {
  Reader r("paypal", "");
  ODOOSYNC_TRY(type, r.parse_typed(ctx.delivery.body, "event_type"));
  const auto& root = r.root();
  ODOOSYNC_TRY(event_time, r.timestamp(root, "create_time", ""));
  Emitter out(ctx, r);
  std::string note;
  if (type == "PAYMENT.CAPTURE.COMPLETED" || type == "PAYMENT.CAPTURE.REFUNDED") {
    ODOOSYNC_TRY(res, r.object(root, "resource", ""));
    ODOOSYNC_TRY(id, r.string(*res, "id", "/resource"));
    ODOOSYNC_TRY(status, r.string(*res, "status", "/resource"));
    retail::Timestamp when = event_time;
    if (json::find(*res, "create_time")) {
      ODOOSYNC_TRY(t, r.timestamp(*res, "create_time", "/resource"));
      when = t;
    }
    if (status != "COMPLETED") {
      note = "status " + status + ": nothing to take in until it completes";
    } else if (type == "PAYMENT.CAPTURE.COMPLETED") {
      retail::Payment pay;
      pay.reference = id;
      ODOOSYNC_TRY(order, order_of(r, *res));
      pay.order_number = order;
      ODOOSYNC_TRY(amount, amount_of(r, *res));
      pay.amount = amount;
      pay.method = "paypal";
      pay.captured_at = when;
      pay.provider = "paypal";
      ODOOSYNC_TRYV(out.add(retail::PaymentCaptured{std::move(pay)}, when));
    } else {
      retail::Refund refund;
      refund.reference = id;
      ODOOSYNC_TRY(order, order_of(r, *res));
      refund.order_number = order;
      ODOOSYNC_TRY(amount, amount_of(r, *res));
      refund.amount = amount;
      refund.approved_at = when;
      ODOOSYNC_TRY(reason, r.optional_string(*res, "note_to_payer", "/resource"));
      if (reason && reason->size() <= 256) refund.reason = reason;
      ODOOSYNC_TRYV(out.add(retail::RefundApproved{std::move(refund)}, when, "refund/" + id));
    }
  } else {
    note = "event type " + type + " is not mapped: nothing to take in";
  }
  return out.finish(note);
}

}  // namespace detail
}  // namespace channels
}  // namespace v0
}  // namespace odoosync
