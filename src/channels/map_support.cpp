// The shared part of the provider mappings: reading fields with pointer-named errors, exact ids and
// amounts, mapping lookups, order lines and totals, and numbering the events of a delivery.
#include <charconv>
#include <limits>

#include "map_base.hpp"

namespace odoosync {
inline namespace v0 {
namespace channels {
namespace detail {

namespace {
std::string escape_token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string_view type_name(const json::Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "a boolean";
  if (v.IsNumber()) return "a number";
  if (v.IsString()) return "a string";
  if (v.IsArray()) return "an array";
  return "an object";
}

bool overflow_mul(std::int64_t a, std::int64_t b, std::int64_t& out) { return __builtin_mul_overflow(a, b, &out); }
}  // namespace

std::string clip_utf8(std::string text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  text.resize(n);
  return text;
}

result<retail::Quantity> units(const Reader& r, std::int64_t n, std::string_view at) {
  constexpr std::int64_t limit = 1'000'000'000'000;  // Quantity's magnitude
  if (n <= -limit || n >= limit) return r.fail(at, "a count this large cannot be a quantity");
  return retail::Quantity::units(n);
}

std::string pointer(std::string_view at, std::string_view key) { return std::string(at) + "/" + escape_token(key); }
std::string pointer(std::string_view at, std::size_t index) { return std::string(at) + "/" + std::to_string(index); }

result<void> Reader::parse(std::string_view body) {
  auto parsed = json::parse_into(doc_, body, json::Limits{.max_bytes = std::size_t{16} << 20, .max_depth = 64});
  if (!parsed) return fail_whole("the body is not JSON: " + parsed.error().message());
  if (!doc_.IsObject()) return fail_whole("the body must be a JSON object");
  return success();
}

result<std::string> Reader::parse_typed(std::string_view body, std::string_view key) {
  ODOOSYNC_TRYV(parse(body));
  ODOOSYNC_TRY(type, string(doc_, key, ""));
  topic_ = type;
  return type;
}

Error Reader::fail(std::string_view at, std::string_view problem) const {
  std::string where = provider_;
  if (!topic_.empty()) where += " " + topic_;
  return Error::validation(where + ": " + (at.empty() ? std::string("(body)") : std::string(at)) + ": " +
                           std::string(problem));
}

Error Reader::fail_whole(std::string_view problem) const {
  std::string where = provider_;
  if (!topic_.empty()) where += " " + topic_;
  return Error::validation(where + ": " + std::string(problem));
}

result<const json::Value*> Reader::object(const json::Value& o, std::string_view key, std::string_view at) const {
  const auto* v = json::find(o, key);
  if (!v || v->IsNull()) return fail(pointer(at, key), "missing");
  if (!v->IsObject()) return fail(pointer(at, key), "must be an object, not " + std::string(type_name(*v)));
  return v;
}

result<const json::Value*> Reader::array(const json::Value& o, std::string_view key, std::string_view at) const {
  const auto* v = json::find(o, key);
  if (!v || v->IsNull()) return fail(pointer(at, key), "missing");
  if (!v->IsArray()) return fail(pointer(at, key), "must be an array, not " + std::string(type_name(*v)));
  return v;
}

result<std::optional<std::string>> Reader::optional_string(const json::Value& o, std::string_view key,
                                                           std::string_view at) const {
  const auto* v = json::find(o, key);
  if (!v || v->IsNull()) return std::optional<std::string>();
  if (!v->IsString()) return fail(pointer(at, key), "must be a string, not " + std::string(type_name(*v)));
  if (v->GetStringLength() == 0) return std::optional<std::string>();
  return std::optional<std::string>(std::string(json::text(*v)));
}

result<std::string> Reader::string(const json::Value& o, std::string_view key, std::string_view at) const {
  ODOOSYNC_TRY(s, optional_string(o, key, at));
  if (!s) return fail(pointer(at, key), "missing");
  return std::move(*s);
}

result<std::optional<std::string>> Reader::optional_id(const json::Value& o, std::string_view key,
                                                       std::string_view at) const {
  const auto* v = json::find(o, key);
  if (!v || v->IsNull()) return std::optional<std::string>();
  if (v->IsString()) {
    if (v->GetStringLength() == 0) return fail(pointer(at, key), "must not be empty");
    return std::optional<std::string>(std::string(json::text(*v)));
  }
  if (v->IsUint64()) return std::optional<std::string>(std::to_string(v->GetUint64()));
  if (v->IsInt64()) return std::optional<std::string>(std::to_string(v->GetInt64()));
  if (v->IsNumber()) return fail(pointer(at, key), "an id that is not an integer below 2^64 cannot be kept exactly");
  return fail(pointer(at, key), "must be an id (an integer or a string), not " + std::string(type_name(*v)));
}

result<std::string> Reader::id(const json::Value& o, std::string_view key, std::string_view at) const {
  ODOOSYNC_TRY(s, optional_id(o, key, at));
  if (!s) return fail(pointer(at, key), "missing");
  return std::move(*s);
}

result<std::string> Reader::decimal(const json::Value& o, std::string_view key, std::string_view at) const {
  const auto* v = json::find(o, key);
  if (!v || v->IsNull()) return fail(pointer(at, key), "missing");
  if (v->IsString()) return std::string(json::text(*v));
  if (v->IsInt64()) return std::to_string(v->GetInt64());
  if (v->IsUint64()) return std::to_string(v->GetUint64());
  if (v->IsDouble()) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v->GetDouble());
    if (ec != std::errc() ||
        std::string_view(buf, static_cast<std::size_t>(end - buf)).find('e') != std::string_view::npos)
      return fail(pointer(at, key), "an amount this large or small cannot be read exactly");
    return std::string(buf, end);
  }
  return fail(pointer(at, key), "must be a decimal amount, not " + std::string(type_name(*v)));
}

result<std::int64_t> Reader::integer(const json::Value& o, std::string_view key, std::string_view at) const {
  const auto* v = json::find(o, key);
  if (!v || v->IsNull()) return fail(pointer(at, key), "missing");
  if (v->IsInt64()) return v->GetInt64();
  if (v->IsString()) {
    std::int64_t n = 0;
    auto t = json::text(*v);
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
    if (ec == std::errc() && end == t.data() + t.size()) return n;
  }
  return fail(pointer(at, key), "must be an integer");
}

result<retail::Currency> Reader::currency(const json::Value& o, std::string_view key, std::string_view at) const {
  ODOOSYNC_TRY(code, string(o, key, at));
  std::string upper = code;
  for (auto& c : upper)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  auto c = retail::Currency::of(upper);
  if (!c) return fail(pointer(at, key), c.error().message());
  return c.value();
}

result<retail::Money> Reader::money(const json::Value& o, std::string_view key, const retail::Currency& currency,
                                    std::string_view at) const {
  ODOOSYNC_TRY(text, decimal(o, key, at));
  auto m = retail::Money::parse(text, currency);
  if (!m) return fail(pointer(at, key), m.error().message());
  return m.value();
}

result<retail::Money> Reader::minor_money(const json::Value& o, std::string_view key, const retail::Currency& currency,
                                          std::string_view at) const {
  ODOOSYNC_TRY(n, integer(o, key, at));
  if (n < 0 || n >= 1'000'000'000'000'000'000)
    return fail(pointer(at, key), "must be an amount from 0 below 10^18 minor units");
  return retail::Money(n, currency);
}

result<retail::Timestamp> Reader::timestamp(const json::Value& o, std::string_view key, std::string_view at,
                                            bool assume_utc) const {
  ODOOSYNC_TRY(text, string(o, key, at));
  if (assume_utc && text.size() == 19 && text[10] == 'T') text += 'Z';
  auto t = retail::Timestamp::parse(text);
  if (!t) return fail(pointer(at, key), "must be an RFC 3339 timestamp such as \"2026-12-01T10:15:00Z\"");
  return t.value();
}

result<retail::Timestamp> Reader::unix_seconds(const json::Value& o, std::string_view key, std::string_view at) const {
  ODOOSYNC_TRY(n, integer(o, key, at));
  if (n < 0 || n > 253402300799) return fail(pointer(at, key), "must be a Unix time in seconds");
  retail::Timestamp t;
  t.seconds = n;
  return t;
}

result<void> Emitter::add(retail::EventData data, std::optional<retail::Timestamp> time, std::string id) {
  pending_.push_back(Pending{std::move(data), time, std::move(id)});
  return success();
}

result<Mapped> Emitter::finish(std::string note_when_empty) {
  Mapped out;
  std::size_t numbered = 0;
  for (auto& p : pending_) {
    std::string id = p.id;
    if (id.empty()) {
      ++numbered;
      id = ctx_.verification.delivery_id;
      if (pending_.size() > 1) id += "#" + std::to_string(numbered);
    }
    retail::EventHeader h;
    h.source = ctx_.mapping.source;
    h.id = std::move(id);
    h.time = p.time ? *p.time : retail::Timestamp::from(ctx_.delivery.received_at);
    auto e = retail::make_event(std::move(p.data), std::move(h));
    if (!e) return reader_.fail_whole("the mapped event is not valid: " + e.error().message());
    out.events.push_back(std::move(e.value()));
  }
  if (out.events.empty()) out.note = std::move(note_when_empty);
  return out;
}

result<retail::Sku> sku_for(const Reader& r, const ChannelMapping& m, std::string_view item_id, std::string_view at) {
  auto it = m.skus.find(item_id);
  if (it == m.skus.end())
    return r.fail(at, "the item " + std::string(item_id) + " has no SKU in the channel's \"skus\" mapping");
  auto sku = retail::Sku::parse(it->second);
  if (!sku) return r.fail(at, "the SKU mapped for " + std::string(item_id) + ": " + sku.error().message());
  return sku.value();
}

result<retail::LocationRef> location_for(const Reader& r, const ChannelMapping& m, std::string_view location_id,
                                         std::string_view at) {
  std::string name;
  if (auto it = m.locations.find(location_id); it != m.locations.end())
    name = it->second;
  else if (!m.default_location.empty())
    name = m.default_location;
  else
    return r.fail(at, "the location " + std::string(location_id) +
                          " is not in the channel's \"locations\" mapping (and no \"default_location\" is set)");
  auto loc = retail::LocationRef::parse(name);
  if (!loc) return r.fail(at, "the location mapped for " + std::string(location_id) + ": " + loc.error().message());
  return loc.value();
}

result<retail::ChannelRef> channel_for(const Reader& r, const ChannelMapping& m, std::string_view kind) {
  std::string text = m.channel;
  if (text.empty()) {
    std::string_view name = m.source;
    if (auto slash = name.rfind('/'); slash != std::string_view::npos) name = name.substr(slash + 1);
    text = std::string(kind) + "/" + std::string(name);
  }
  auto c = retail::ChannelRef::parse(text);
  if (!c) return r.fail_whole("the channel's \"order_channel\" \"" + text + "\": " + c.error().message());
  return c.value();
}

result<retail::Currency> configured_currency(const Reader& r, const ChannelMapping& m) {
  if (m.currency.empty())
    return r.fail_whole("the payload's amounts carry no currency: set \"currency\" in the channel's configuration");
  auto c = retail::Currency::of(m.currency);
  if (!c) return r.fail_whole("the channel's \"currency\": " + c.error().message());
  return c.value();
}

result<retail::OrderLine> order_line(const Reader& r, std::string_view at, retail::Sku sku, std::int64_t quantity,
                                     const retail::Money& net, const retail::Money& discount,
                                     const retail::Money& tax) {
  if (quantity <= 0) return r.fail(pointer(at, "quantity"), "must be positive");
  ODOOSYNC_TRY(q, units(r, quantity, pointer(at, "quantity")));
  if (net.is_negative()) return r.fail(at, "the line's amount after discounts is negative");
  if (discount.is_negative()) return r.fail(at, "the line's discount is negative");
  if (tax.is_negative()) return r.fail(at, "the line's tax is negative");
  const std::int64_t before = net.minor_units() + discount.minor_units();
  std::int64_t unit = before / quantity + (before % quantity != 0 ? 1 : 0);
  std::int64_t gross = 0;
  if (overflow_mul(unit, quantity, gross)) return r.fail(at, "the line's amount is too large");
  retail::OrderLine line;
  line.sku = std::move(sku);
  line.quantity = q;
  line.unit_price = retail::Money(unit, net.currency());
  const std::int64_t off = gross - net.minor_units();
  if (off != 0) line.discount = retail::Money(off, net.currency());
  if (!tax.is_zero()) line.tax = tax;
  line.total = net;
  return line;
}

result<void> close_order(const Reader& r, retail::Order& order, const retail::Money& channel_total,
                         std::string_view total_pointer) {
  std::int64_t sub = 0, tax = 0;
  for (const auto& l : order.lines) {
    if (__builtin_add_overflow(sub, l.total.minor_units(), &sub) ||
        (l.tax && __builtin_add_overflow(tax, l.tax->minor_units(), &tax)))
      return r.fail_whole("the order's lines add up beyond what an amount can hold");
  }
  std::int64_t all = 0;
  if (__builtin_add_overflow(sub, tax, &all))
    return r.fail_whole("the order's lines add up beyond what an amount can hold");
  order.subtotal = retail::Money(sub, order.currency);
  order.tax_total = retail::Money(tax, order.currency);
  order.total = retail::Money(all, order.currency);
  if (order.total != channel_total)
    return r.fail(total_pointer,
                  "the lines add up to " + order.total.to_string() + " with tax, but the order's total is " +
                      channel_total.to_string() +
                      " (a charge or adjustment the lines do not carry: shipping needs \"shipping_sku\")");
  return success();
}

}  // namespace detail
}  // namespace channels
}  // namespace v0
}  // namespace odoosync
