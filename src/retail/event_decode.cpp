// The CloudEvents envelope of a retail event (its attribute rules), decode_event, and an event's type and subject.
#include <odoosync/retail/events.hpp>

#include <odoosync/core/json.hpp>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <new>
#include <type_traits>
#include <utility>

#include "decimal_text.hpp"
#include "event_readers.hpp"
#include "event_walk.hpp"
#include "text.hpp"

namespace odoosync {
inline namespace v0 {
namespace retail {
namespace {
using detail::u128;

using detail::check_unique_deep;
using detail::count_chars;
using detail::Enter;
using detail::has_control_chars;
using detail::has_unicode_space;
using detail::Invalid;
using detail::Obj;
using detail::Path;
using detail::sv;
using detail::type_table;
using detail::TypeEntry;
using detail::Walk;
using json::Value;

constexpr std::string_view schema_prefix = "https://odoosync.dev/schemas/";

constexpr std::string_view known_attributes[] = {
    "specversion",     "id",         "source",   "type",        "time", "subject",
    "datacontenttype", "dataschema", "sequence", "traceparent", "data"};

bool is_hex_lower(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}
bool all_zero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; });
}

std::string check_traceparent(std::string_view s) {
  const bool ok = s.size() == 55 && s[2] == '-' && s[35] == '-' && s[52] == '-' && s.substr(0, 2) == "00" &&
                  is_hex_lower(s.substr(3, 32)) && is_hex_lower(s.substr(36, 16)) && is_hex_lower(s.substr(53, 2)) &&
                  !all_zero(s.substr(3, 32)) && !all_zero(s.substr(36, 16));
  return ok ? std::string() : std::string("must be a W3C traceparent such as \"00-<32 hex>-<16 hex>-<2 hex>\"");
}

bool parse_sequence(std::string_view s, std::int64_t& out) {
  if (s.empty() || s.size() > 19 || (s.size() > 1 && s[0] == '0')) return false;
  u128 v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v > static_cast<u128>(INT64_MAX)) return false;
  out = static_cast<std::int64_t>(v);
  return true;
}

std::string id_rule(std::string_view s) {
  if (s.empty()) return "must not be empty";
  if (count_chars(s) > 128) return "must be at most 128 characters";
  if (has_control_chars(s)) return "must not contain control characters";
  return {};
}
std::string source_rule(std::string_view s) {
  if (s.empty()) return "must not be empty";
  if (count_chars(s) > 256) return "must be at most 256 characters";
  if (has_control_chars(s)) return "must not contain control characters";
  for (unsigned char c : s) {
    if (c == ' ') return "must not contain whitespace";
  }
  if (has_unicode_space(s)) return "must not contain whitespace";
  return {};
}

bool extension_name_ok(std::string_view n) {
  return !n.empty() && n.size() <= 20 &&
         std::all_of(n.begin(), n.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

Event decode_document(const Value& root, std::span<const CustomType> custom) {
  Walk w;
  if (!root.IsObject()) w.fail("must be an object");
  check_unique_deep(w, root);
  Obj env(w, root);
  Event ev;

  const auto string_attr = [&](std::string_view key) -> std::string_view {
    const Value& m = env.need(key);
    if (!m.IsString()) w.fail_at(key, "must be a string");
    return sv(m);
  };
  if (string_attr("specversion") != "1.0") w.fail_at("specversion", "must be \"1.0\"");
  ev.id = std::string(string_attr("id"));
  if (auto why = id_rule(ev.id); !why.empty()) w.fail_at("id", why);
  ev.source = std::string(string_attr("source"));
  if (auto why = source_rule(ev.source); !why.empty()) w.fail_at("source", why);
  const std::string_view type = string_attr("type");
  const TypeEntry* entry = nullptr;
  for (const auto& t : type_table()) {
    if (t.type == type) entry = &t;
  }
  const CustomType* host_type = nullptr;
  if (!entry) {
    for (const auto& c : custom) {
      if (c.type == type && c.subject) host_type = &c;
    }
  }
  if (!entry && !host_type) w.fail_at("type", "unknown event type \"" + std::string(type) + "\"");
  {
    auto t = Timestamp::parse(string_attr("time"));
    if (!t) w.fail_at("time", t.error().message());
    ev.time = t.value();
  }
  const Value* subject = env.find("subject");
  if (subject && !subject->IsString()) w.fail_at("subject", "must be a string");
  if (const Value* ct = env.find("datacontenttype")) {
    if (!ct->IsString()) w.fail_at("datacontenttype", "must be a string");
    if (sv(*ct) != "application/json") w.fail_at("datacontenttype", "must be \"application/json\"");
  }
  if (const Value* ds = env.find("dataschema")) {
    if (!ds->IsString()) w.fail_at("dataschema", "must be a string");
    std::string_view u = sv(*ds);
    const std::string head = std::string(schema_prefix) + std::string(type) + ".v";
    bool form = u.size() > head.size() + 5 && u.substr(0, head.size()) == head && u.substr(u.size() - 5) == ".json";
    std::string_view n = form ? u.substr(head.size(), u.size() - head.size() - 5) : std::string_view();
    form = form && !n.empty() && n.size() <= 9 && n[0] != '0' &&
           std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!form) w.fail_at("dataschema", "must be " + std::string(schema_prefix) + std::string(type) + ".v<N>.json");
    if (n != "1") {
      w.fail_at("dataschema",
                "version " + std::string(n) + " of " + std::string(type) + " is not supported (this build knows v1)");
    }
  }
  if (const Value* seq = env.find("sequence")) {
    std::int64_t s = 0;
    if (!seq->IsString()) w.fail_at("sequence", "must be a string");
    if (!parse_sequence(sv(*seq), s)) {
      w.fail_at("sequence", "must be a decimal integer string such as \"42\"");
    }
    ev.sequence = s;
  }
  if (const Value* tp = env.find("traceparent")) {
    if (!tp->IsString()) w.fail_at("traceparent", "must be a string");
    if (auto why = check_traceparent(sv(*tp)); !why.empty()) w.fail_at("traceparent", why);
    ev.traceparent = std::string(sv(*tp));
  }
  for (auto m = root.MemberBegin(); m != root.MemberEnd(); ++m) {
    const std::string_view name = sv(m->name);
    if (std::find(std::begin(known_attributes), std::end(known_attributes), name) != std::end(known_attributes))
      continue;
    if (!extension_name_ok(name))
      w.fail_at(name, "not a CloudEvents attribute name (1-20 lowercase letters or digits)");
    if (!(m->value.IsString() || m->value.IsInt64() || m->value.IsBool())) {
      w.fail_at(name, "extension attributes must be strings, integers or booleans");
    }
    if (m->value.IsString() && has_control_chars(sv(m->value))) w.fail_at(name, "must not contain control characters");
    ev.extensions.push_back({std::string(name), json::to_string(m->value)});
  }
  const Value& data = env.need("data");
  {
    Enter e(w, "data");
    if (!data.IsObject()) w.fail("must be an object");
    if (host_type) {
      // A host's type: its own rule checks the data and names the subject.
      CustomData c;
      c.type = std::string(type);
      c.json = json::to_string(data);
      auto named = host_type->subject(c.json);
      if (!named) w.fail(named.error().message());
      if (named.value().empty()) w.fail("the subject rule of " + c.type + " gave an empty subject");
      c.subject = std::move(named.value());
      ev.data = std::move(c);
    } else {
      Obj d(w, data);
      ev.data = entry->read(d);
    }
  }
  ev.subject = subject_of(ev.data);
  if (subject && sv(*subject) != ev.subject) w.fail_at("subject", "must be \"" + ev.subject + "\" for this event");
  return ev;
}

}  // namespace

const std::vector<std::string_view>& event_types() {
  static const std::vector<std::string_view> types = [] {
    std::vector<std::string_view> t;
    for (const auto& e : type_table()) t.push_back(e.type);
    return t;
  }();
  return types;
}

std::string dataschema_for(std::string_view type, int version) {
  return std::string(schema_prefix) + std::string(type) + ".v" + std::to_string(version) + ".json";
}

std::string_view Event::type() const noexcept {
  if (const auto* c = std::get_if<CustomData>(&data)) return c->type;
  return std::visit(
      [](const auto& d) -> std::string_view {
        using T = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<T, CustomData>) {
          return d.type;
        } else {
          return T::type;
        }
      },
      data);
}

std::string subject_of(const EventData& data) {
  struct V {
    std::string operator()(const ProductUpserted& e) const { return "product/" + e.product.sku.value; }
    std::string operator()(const PriceChanged& e) const { return "product/" + e.price.sku.value; }
    std::string operator()(const StockAdjusted& e) const { return "sku/" + e.sku.value + "@" + e.location.value; }
    std::string operator()(const StockReserved& e) const { return "sku/" + e.sku.value + "@" + e.location.value; }
    std::string operator()(const StockReleased& e) const { return "sku/" + e.sku.value + "@" + e.location.value; }
    std::string operator()(const GoodsReceived& e) const { return "receipt/" + e.receipt.reference; }
    std::string operator()(const TransferCompleted& e) const { return "transfer/" + e.transfer.reference; }
    std::string operator()(const OrderCreated& e) const { return "order/" + e.order.number; }
    std::string operator()(const OrderCancelled& e) const { return "order/" + e.number; }
    std::string operator()(const PaymentCaptured& e) const { return "order/" + e.payment.order_number; }
    std::string operator()(const RefundApproved& e) const { return "order/" + e.refund.order_number; }
    std::string operator()(const ShipmentDispatched& e) const { return "order/" + e.shipment.order_number; }
    std::string operator()(const InvoicePosted& e) const { return "order/" + e.invoice.order_number; }
    std::string operator()(const CustomerUpserted& e) const { return "customer/" + e.customer.ref; }
    std::string operator()(const CustomData& e) const { return e.subject; }
  };
  return std::visit(V{}, data);
}

result<Event> decode_event(std::string_view text, const DecodeLimits& limits) {
  return decode_event(text, std::span<const CustomType>(), limits);
}

result<Event> decode_event(std::string_view text, std::span<const CustomType> custom, const DecodeLimits& limits) {
  // The path has room for the deepest document the limits let through (plus the pointer's own steps).
  const unsigned depth = std::min<unsigned>(limits.max_depth, static_cast<unsigned>(Path::capacity) - 8);
  auto doc = json::parse(text, json::Limits{limits.max_bytes, depth});
  if (!doc) return Error::validation("(event): not JSON: " + doc.error().message());
  // Where the walk's Invalid ends: nothing internal crosses the public API.
  try {
    return decode_document(doc.value(), custom);
  } catch (const Invalid& invalid) {
    return Error::validation(invalid.message);
  } catch (const std::bad_alloc&) {
    return Error::validation("(event): out of memory while decoding");
  }
}

}  // namespace retail
}  // namespace v0
}  // namespace odoosync
