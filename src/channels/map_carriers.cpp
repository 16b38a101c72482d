// The carriers' tracking webhooks as retail.shipment.tracked (docs/channels.md, "Carriers"): EasyPost's
// tracker.updated (an Event whose result is the Tracker) and Shippo's track_updated (its data is the
// Track). Their statuses are translated to the canonical nine.
#include "map_base.hpp"

namespace odoosync {
inline namespace v0 {
namespace channels {
namespace detail {

namespace {

std::optional<std::string> easypost_status(const std::string& s) {
  if (s == "pre_transit" || s == "in_transit" || s == "out_for_delivery" || s == "delivered" ||
      s == "available_for_pickup" || s == "failure" || s == "cancelled" || s == "unknown")
    return s;
  if (s == "return_to_sender") return std::string("returned");
  if (s == "error") return std::string("failure");
  return std::nullopt;
}

std::optional<std::string> shippo_status(const std::string& s) {
  if (s == "PRE_TRANSIT") return std::string("pre_transit");
  if (s == "TRANSIT") return std::string("in_transit");
  if (s == "DELIVERED") return std::string("delivered");
  if (s == "RETURNED") return std::string("returned");
  if (s == "FAILURE") return std::string("failure");
  if (s == "UNKNOWN") return std::string("unknown");
  return std::nullopt;
}

// Free text from a carrier: control characters become spaces, and it is cut at `max` bytes on a UTF-8
// character boundary (a description is not worth refusing the delivery).
std::optional<std::string> clip(std::optional<std::string> s, std::size_t max) {
  if (!s) return s;
  for (auto& c : *s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  *s = clip_utf8(std::move(*s), max);
  while (!s->empty() && s->back() == ' ') s->pop_back();
  while (!s->empty() && s->front() == ' ') s->erase(0, 1);
  if (s->empty()) return std::nullopt;
  return s;
}

}  // namespace

result<Mapped> map_easypost(const MapContext& ctx) {
  Reader r("easypost", "");
  ODOOSYNC_TRY(description, r.parse_typed(ctx.delivery.body, "description"));
  const auto& root = r.root();
  Emitter out(ctx, r);
  std::string note;
  if (description == "tracker.updated" || description == "tracker.created") {
    ODOOSYNC_TRY(t, r.object(root, "result", ""));
    const std::string at = "/result";
    retail::ShipmentTracked s;
    ODOOSYNC_TRY(code, r.string(*t, "tracking_code", at));
    s.tracking_number = code;
    ODOOSYNC_TRY(carrier, r.optional_string(*t, "carrier", at));
    s.carrier = clip(carrier, 64);
    ODOOSYNC_TRY(status, r.string(*t, "status", at));
    auto mapped = easypost_status(status);
    if (!mapped) return r.fail(pointer(at, "status"), "unknown tracker status \"" + status + "\"");
    s.status = *mapped;
    // When: the newest tracking detail's time, else when the tracker changed.
    std::optional<retail::Timestamp> when;
    if (const auto* details = json::find(*t, "tracking_details"); details && details->IsArray() && !details->Empty()) {
      const auto last = details->Size() - 1;
      const auto p = pointer(pointer(at, "tracking_details"), last);
      const auto& d = (*details)[last];
      if (json::find(d, "datetime")) {
        ODOOSYNC_TRY(dt, r.timestamp(d, "datetime", p));
        when = dt;
      }
      ODOOSYNC_TRY(message, r.optional_string(d, "message", p));
      s.detail = clip(message, 512);
    }
    if (!when) {
      ODOOSYNC_TRY(updated, r.timestamp(*t, "updated_at", at));
      when = updated;
    }
    s.at = *when;
    if (!s.detail) {
      ODOOSYNC_TRY(detail, r.optional_string(*t, "status_detail", at));
      s.detail = clip(detail, 512);
    }
    ODOOSYNC_TRYV(out.add(std::move(s), when));
  } else {
    note = "event " + description + " is not mapped: nothing to take in";
  }
  return out.finish(note);
}

result<Mapped> map_shippo(const MapContext& ctx) {
  Reader r("shippo", "");
  ODOOSYNC_TRY(event, r.parse_typed(ctx.delivery.body, "event"));
  const auto& root = r.root();
  Emitter out(ctx, r);
  std::string note;
  if (event == "track_updated") {
    ODOOSYNC_TRY(data, r.object(root, "data", ""));
    retail::ShipmentTracked s;
    ODOOSYNC_TRY(number, r.string(*data, "tracking_number", "/data"));
    s.tracking_number = number;
    ODOOSYNC_TRY(carrier, r.optional_string(*data, "carrier", "/data"));
    s.carrier = clip(carrier, 64);
    ODOOSYNC_TRY(ts, r.object(*data, "tracking_status", "/data"));
    const std::string at = "/data/tracking_status";
    ODOOSYNC_TRY(status, r.string(*ts, "status", at));
    auto mapped = shippo_status(status);
    if (!mapped) return r.fail(pointer(at, "status"), "unknown tracking status \"" + status + "\"");
    s.status = *mapped;
    ODOOSYNC_TRY(when, r.timestamp(*ts, "status_date", at));
    s.at = when;
    ODOOSYNC_TRY(detail, r.optional_string(*ts, "status_details", at));
    s.detail = clip(detail, 512);
    ODOOSYNC_TRYV(out.add(std::move(s), when));
  } else {
    note = "event " + event + " is not mapped: nothing to take in";
  }
  return out.finish(note);
}

}  // namespace detail
}  // namespace channels
}  // namespace v0
}  // namespace odoosync
