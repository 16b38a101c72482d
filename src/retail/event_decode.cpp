// The CloudEvents envelope of a retail event (its attribute rules), decode_event, and an event's type and subject.
#include <odoosync/retail/events.hpp>

#include <odoosync/core/json.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "amounts.hpp"
#include "decimal_text.hpp"
#include "event_parse.hpp"
#include "event_readers.hpp"
#include "event_walk.hpp"
#include "text.hpp"

namespace odoosync {
inline namespace v0 {
namespace retail {
namespace {
using detail::u128;

using detail::check_unique_below;
using detail::check_unique_deep;
using detail::count_chars;
using detail::Enter;
using detail::has_control_chars;
using detail::has_unicode_space;
using detail::Invalid;
using detail::Obj;
using detail::Path;
using detail::printable_ascii;
using detail::same_text;
using detail::sv;
using detail::type_table;
using detail::TypeEntry;
using detail::Walk;
using json::Value;

constexpr std::string_view schema_prefix = "https://odoosync.dev/schemas/";

// The envelope's own attributes; any other member is an extension attribute.
enum Attribute : int {
  specversion,
  id_attr,
  source_attr,
  type_attr,
  time_attr,
  subject_attr,
  datacontenttype,
  dataschema,
  sequence_attr,
  traceparent_attr,
  data_attr,
  attribute_count,
  extension = -1
};
// n is `lit` (n's length already matched): a compare of constant size, which compiles to a few loads.
template <std::size_t N>
bool is(std::string_view n, const char (&lit)[N]) {
  return std::memcmp(n.data(), lit, N - 1) == 0;
}
Attribute attribute_of(std::string_view n) {
  switch (n.size()) {
    case 2: return is(n, "id") ? id_attr : extension;
    case 4:
      if (is(n, "type")) return type_attr;
      if (is(n, "time")) return time_attr;
      return is(n, "data") ? data_attr : extension;
    case 6: return is(n, "source") ? source_attr : extension;
    case 7: return is(n, "subject") ? subject_attr : extension;
    case 8: return is(n, "sequence") ? sequence_attr : extension;
    case 10: return is(n, "dataschema") ? dataschema : extension;
    case 11:
      if (is(n, "specversion")) return specversion;
      return is(n, "traceparent") ? traceparent_attr : extension;
    case 15: return is(n, "datacontenttype") ? datacontenttype : extension;
    default: return extension;
  }
}

// The envelope's members by attribute, found in one pass over it. `repeated`: some name occurs twice
// (then check_unique_deep reports it, exactly as it would have).
struct Envelope {
  std::array<const Value*, attribute_count> at{};
  bool repeated = false;

  explicit Envelope(const Value& root) {
    std::size_t extensions = 0;
    for (auto m = root.MemberBegin(); m != root.MemberEnd(); ++m) {
      const Attribute a = attribute_of(sv(m->name));
      if (a == extension) {
        ++extensions;
      } else if (at[a]) {
        repeated = true;
      } else {
        at[a] = &m->value;
      }
    }
    if (extensions > 1 && !repeated) {  // extensions are rare: compare them pairwise
      for (auto a = root.MemberBegin(); a != root.MemberEnd() && !repeated; ++a) {
        if (attribute_of(sv(a->name)) != extension) continue;
        for (auto b = a + 1; b != root.MemberEnd(); ++b) {
          if (same_text(sv(a->name), sv(b->name))) repeated = true;
        }
      }
    }
  }
};

// No early exit, and a byte-wide flag, in these two: the loops vectorise (a traceparent holds 50 hex digits).
bool is_hex_lower(std::string_view s) {
  unsigned char bad = 0;
  for (unsigned char c : s) {
    bad |= (static_cast<unsigned char>(c - '0') > 9) & (static_cast<unsigned char>(c - 'a') > 5);
  }
  return bad == 0;
}
bool all_zero(std::string_view s) {
  unsigned char other = 0;
  for (char c : s) other |= c != '0';
  return other == 0;
}

std::string check_traceparent(std::string_view s) {
  const auto part = [&](std::size_t at, std::size_t n) { return std::string_view(s.data() + at, n); };  // in range
  const bool ok = s.size() == 55 && s[2] == '-' && s[35] == '-' && s[52] == '-' && s[0] == '0' && s[1] == '0' &&
                  is_hex_lower(part(3, 32)) && is_hex_lower(part(36, 16)) && is_hex_lower(part(53, 2)) &&
                  !all_zero(part(3, 32)) && !all_zero(part(36, 16));
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
  if (printable_ascii(s)) return s.size() > 128 ? "must be at most 128 characters" : "";
  if (count_chars(s) > 128) return "must be at most 128 characters";
  if (has_control_chars(s)) return "must not contain control characters";
  return {};
}
std::string source_rule(std::string_view s) {
  if (s.empty()) return "must not be empty";
  if (printable_ascii(s)) {
    if (s.size() > 256) return "must be at most 256 characters";
    return s.find(' ') != std::string_view::npos ? "must not contain whitespace" : "";
  }
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

// Fills `ev`, the result's own event (each move of an Event copies its short strings); the first problem
// throws Invalid.
void decode_document(const Value& root, std::span<const CustomType> custom, Event& ev) {
  Walk w;
  if (!root.IsObject()) w.fail("must be an object");
  const Envelope env(root);
  // Duplicate names anywhere: the envelope's own were looked for just now (check_unique_deep says
  // which one when there is one), the rest below it.
  if (env.repeated) check_unique_deep(w, root);
  check_unique_below(w, root);
  const auto need = [&](Attribute a, std::string_view key) -> const Value& {
    if (!env.at[a]) w.fail_at(key, "is required");
    return *env.at[a];
  };

  const auto string_attr = [&](Attribute a, std::string_view key) -> std::string_view {
    const Value& m = need(a, key);
    if (!m.IsString()) w.fail_at(key, "must be a string");
    return sv(m);
  };
  if (!same_text(string_attr(specversion, "specversion"), "1.0")) w.fail_at("specversion", "must be \"1.0\"");
  ev.id = std::string(string_attr(id_attr, "id"));
  if (auto why = id_rule(ev.id); !why.empty()) w.fail_at("id", why);
  ev.source = std::string(string_attr(source_attr, "source"));
  if (auto why = source_rule(ev.source); !why.empty()) w.fail_at("source", why);
  const std::string_view type = string_attr(type_attr, "type");
  const TypeEntry* entry = nullptr;
  for (const auto& t : type_table()) {
    if (detail::same_text(t.type, type)) {
      entry = &t;
      break;
    }
  }
  const CustomType* host_type = nullptr;
  if (!entry) {
    for (const auto& c : custom) {
      if (c.type == type && c.subject) host_type = &c;
    }
  }
  if (!entry && !host_type) w.fail_at("type", "unknown event type \"" + std::string(type) + "\"");
  {
    const std::string_view text = string_attr(time_attr, "time");
    auto t = detail::read_timestamp(text);
    if (!t) w.fail_at("time", Timestamp::parse(text).error().message());
    ev.time = *t;
  }
  const Value* subject = env.at[subject_attr];
  if (subject && !subject->IsString()) w.fail_at("subject", "must be a string");
  if (const Value* ct = env.at[datacontenttype]) {
    if (!ct->IsString()) w.fail_at("datacontenttype", "must be a string");
    if (!same_text(sv(*ct), "application/json")) w.fail_at("datacontenttype", "must be \"application/json\"");
  }
  if (const Value* ds = env.at[dataschema]) {
    if (!ds->IsString()) w.fail_at("dataschema", "must be a string");
    std::string_view u = sv(*ds);
    // u is <schema_prefix><type>.v<n>.json (compared piece by piece: no string built per event)
    const std::size_t head = schema_prefix.size() + type.size() + 2;
    bool form = u.size() > head + 5 && same_text(u.substr(0, schema_prefix.size()), schema_prefix) &&
                same_text(u.substr(schema_prefix.size(), type.size()), type) &&
                same_text(u.substr(head - 2, 2), ".v") && same_text(u.substr(u.size() - 5), ".json");
    std::string_view n = form ? u.substr(head, u.size() - head - 5) : std::string_view();
    form = form && !n.empty() && n.size() <= 9 && n[0] != '0' &&
           std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!form) w.fail_at("dataschema", "must be " + std::string(schema_prefix) + std::string(type) + ".v<N>.json");
    if (!same_text(n, "1")) {
      w.fail_at("dataschema",
                "version " + std::string(n) + " of " + std::string(type) + " is not supported (this build knows v1)");
    }
  }
  if (const Value* seq = env.at[sequence_attr]) {
    std::int64_t s = 0;
    if (!seq->IsString()) w.fail_at("sequence", "must be a string");
    if (!parse_sequence(sv(*seq), s)) {
      w.fail_at("sequence", "must be a decimal integer string such as \"42\"");
    }
    ev.sequence = s;
  }
  if (const Value* tp = env.at[traceparent_attr]) {
    if (!tp->IsString()) w.fail_at("traceparent", "must be a string");
    if (auto why = check_traceparent(sv(*tp)); !why.empty()) w.fail_at("traceparent", why);
    ev.traceparent = std::string(sv(*tp));
  }
  for (auto m = root.MemberBegin(); m != root.MemberEnd(); ++m) {
    const std::string_view name = sv(m->name);
    if (attribute_of(name) != extension) continue;
    if (!extension_name_ok(name))
      w.fail_at(name, "not a CloudEvents attribute name (1-20 lowercase letters or digits)");
    if (!(m->value.IsString() || m->value.IsInt64() || m->value.IsBool())) {
      w.fail_at(name, "extension attributes must be strings, integers or booleans");
    }
    if (m->value.IsString() && has_control_chars(sv(m->value))) w.fail_at(name, "must not contain control characters");
    ev.extensions.push_back({std::string(name), json::to_string(m->value)});
  }
  const Value& data_value = need(data_attr, "data");
  {
    Enter e(w, "data");
    if (!data_value.IsObject()) w.fail("must be an object");
    if (host_type) {
      // A host's type: its own rule checks the data and names the subject.
      CustomData c;
      c.type = std::string(type);
      c.json = json::to_string(data_value);
      auto named = host_type->subject(c.json);
      if (!named) w.fail(named.error().message());
      if (named.value().empty()) w.fail("the subject rule of " + c.type + " gave an empty subject");
      c.subject = std::move(named.value());
      ev.data = std::move(c);
    } else {
      Obj d(w, data_value);
      ev.data = entry->read(d);
    }
  }
  ev.subject = subject_of(ev.data);
  if (subject && !same_text(sv(*subject), ev.subject)) {
    w.fail_at("subject", "must be \"" + ev.subject + "\" for this event");
  }
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

const std::vector<std::string_view>& shipment_statuses() {
  static const std::vector<std::string_view> statuses = {
      "pre_transit", "in_transit", "out_for_delivery", "delivered", "available_for_pickup",
      "returned",    "failure",    "cancelled",        "unknown"};
  return statuses;
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
    // Sized once: a subject is built for every event decoded.
    static std::string join(std::string_view a, std::string_view b, std::string_view c = {}, std::string_view d = {}) {
      std::string s;
      s.reserve(a.size() + b.size() + c.size() + d.size());
      s.append(a).append(b).append(c).append(d);
      return s;
    }
    std::string operator()(const ProductUpserted& e) const { return join("product/", e.product.sku.value); }
    std::string operator()(const PriceChanged& e) const { return join("product/", e.price.sku.value); }
    std::string operator()(const StockAdjusted& e) const { return join("sku/", e.sku.value, "@", e.location.value); }
    std::string operator()(const StockReserved& e) const { return join("sku/", e.sku.value, "@", e.location.value); }
    std::string operator()(const StockReleased& e) const { return join("sku/", e.sku.value, "@", e.location.value); }
    std::string operator()(const GoodsReceived& e) const { return join("receipt/", e.receipt.reference); }
    std::string operator()(const TransferCompleted& e) const { return join("transfer/", e.transfer.reference); }
    std::string operator()(const OrderCreated& e) const { return join("order/", e.order.number); }
    std::string operator()(const OrderCancelled& e) const { return join("order/", e.number); }
    std::string operator()(const PaymentCaptured& e) const { return join("order/", e.payment.order_number); }
    std::string operator()(const RefundApproved& e) const { return join("order/", e.refund.order_number); }
    std::string operator()(const ShipmentDispatched& e) const { return join("order/", e.shipment.order_number); }
    std::string operator()(const ShipmentTracked& e) const { return join("tracking/", e.tracking_number); }
    std::string operator()(const InvoicePosted& e) const { return join("order/", e.invoice.order_number); }
    std::string operator()(const CustomerUpserted& e) const { return join("customer/", e.customer.ref); }
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
  detail::ParserLease parser;
  const Value* root = parser->parse(text, limits.max_bytes, depth);
  // One result, returned from every path, so the event is built where the caller receives it.
  result<Event> out{std::in_place_type<Event>};
  std::optional<json::Document> doc;
  if (!root) {  // declined by the fast parser: json::parse decides, and names the problem
    auto parsed = json::parse(text, json::Limits{limits.max_bytes, depth});
    if (!parsed) {
      out = Error::validation("(event): not JSON: " + parsed.error().message());
      return out;
    }
    doc.emplace(std::move(parsed).value());
    root = &*doc;
  }
  // Where the walk's Invalid ends: nothing internal crosses the public API.
  try {
    decode_document(*root, custom, out.value());
  } catch (const Invalid& invalid) {
    out = Error::validation(invalid.message);
  } catch (const std::bad_alloc&) {
    out = Error::validation("(event): out of memory while decoding");
  }
  return out;
}

}  // namespace retail
}  // namespace v0
}  // namespace odoosync
