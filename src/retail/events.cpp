// Decoding, validation and encoding of retail events. The decoder walks a RapidJSON document with the
// JSON pointer of where it is; the first problem ends the walk (an internal exception caught at the
// boundary, so nothing escapes the public API) and becomes "<pointer>: <problem>".
#include <odoosync/retail/events.hpp>

#include <odoosync/core/json.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "decimal_text.hpp"
#include "text.hpp"

namespace odoosync {
inline namespace v0 {
namespace retail {
namespace {
using detail::i128;
using detail::u128;

using json::Value;

constexpr std::string_view schema_prefix = "https://odoosync.dev/schemas/";

struct Invalid {
  std::string message;
};

// Where the walk is: a fixed array (no allocation per event); the decoder caps nesting below its size.
class Path {
 public:
  static constexpr std::size_t capacity = 64;
  void push(std::string_view key) { elems_[size_++] = {key, 0, false}; }
  void push(std::size_t index) { elems_[size_++] = {{}, index, true}; }
  void pop() { --size_; }
  std::string str() const {
    if (size_ == 0) return "(event)";
    std::string s;
    for (std::size_t i = 0; i < size_; ++i) {
      const Elem& e = elems_[i];
      s += '/';
      if (e.is_index) {
        s += std::to_string(e.index);
        continue;
      }
      for (char c : e.key) {
        if (c == '~')
          s += "~0";
        else if (c == '/')
          s += "~1";
        else
          s += c;
      }
    }
    return s;
  }

 private:
  struct Elem {
    std::string_view key;
    std::size_t index = 0;
    bool is_index = false;
  };
  std::array<Elem, capacity> elems_{};
  std::size_t size_ = 0;
};

// The walk's state: where it is, and a way out with the message.
class Walk {
 public:
  [[noreturn]] void fail(std::string_view why) const { throw Invalid{path_.str() + ": " + std::string(why)}; }
  [[noreturn]] void fail_at(std::string_view key, std::string_view why) {
    path_.push(key);
    fail(why);
  }
  Path& path() { return path_; }

 private:
  Path path_;
};

struct Enter {
  Enter(Walk& w, std::string_view key) : w_(w) { w_.path().push(key); }
  Enter(Walk& w, std::size_t index) : w_(w) { w_.path().push(index); }
  ~Enter() { w_.path().pop(); }
  Enter(const Enter&) = delete;
  Enter& operator=(const Enter&) = delete;
  Walk& w_;
};

std::string_view sv(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

// Refuses duplicate member names in an object (the walk is at the object).
void check_unique(Walk& w, const Value& obj) {
  const auto n = obj.MemberCount();
  if (n < 2) return;
  if (n <= 16) {
    for (auto a = obj.MemberBegin(); a != obj.MemberEnd(); ++a) {
      for (auto b = a + 1; b != obj.MemberEnd(); ++b) {
        if (sv(a->name) == sv(b->name)) w.fail_at(sv(b->name), "duplicate member");
      }
    }
    return;
  }
  std::vector<std::pair<std::string_view, std::size_t>> names;
  names.reserve(n);
  std::size_t i = 0;
  for (auto m = obj.MemberBegin(); m != obj.MemberEnd(); ++m) names.emplace_back(sv(m->name), i++);
  std::sort(names.begin(), names.end());
  std::string_view first_dup;
  std::size_t first_index = SIZE_MAX;
  for (std::size_t k = 1; k < names.size(); ++k) {
    if (names[k].first == names[k - 1].first && names[k].second < first_index) {
      first_dup = names[k].first;
      first_index = names[k].second;
    }
  }
  if (first_index != SIZE_MAX) w.fail_at(first_dup, "duplicate member");
}

// Recursively refuses duplicates anywhere below a value (objects inside arrays included).
void check_unique_deep(Walk& w, const Value& v) {
  if (v.IsObject()) {
    check_unique(w, v);
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      if (m->value.IsObject() || m->value.IsArray()) {
        Enter e(w, sv(m->name));
        check_unique_deep(w, m->value);
      }
    }
  } else if (v.IsArray()) {
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      if (v[i].IsObject() || v[i].IsArray()) {
        Enter e(w, i);
        check_unique_deep(w, v[i]);
      }
    }
  }
}

using detail::count_chars;
using detail::has_control_chars;

// An object's members, read with the walk positioned at the object.
class Obj {
 public:
  Obj(Walk& w, const Value& v) : w_(w), v_(v) {}

  const Value* find(std::string_view key) const { return json::find(v_, key); }
  bool has(std::string_view key) const { return find(key) != nullptr; }

  const Value& need(std::string_view key) {
    const Value* m = find(key);
    if (!m) w_.fail_at(key, "is required");
    return *m;
  }

  // Free text: 1..max characters (min 0 allows empty).
  std::string text(std::string_view key, std::size_t min, std::size_t max) {
    const Value& m = need(key);
    return text_of(key, m, min, max);
  }
  std::optional<std::string> opt_text(std::string_view key, std::size_t min, std::size_t max) {
    const Value* m = find(key);
    if (!m) return std::nullopt;
    return text_of(key, *m, min, max);
  }
  // A string checked by one of the rules in refs.hpp.
  std::string ruled(std::string_view key, std::string (*rule)(std::string_view)) {
    const Value& m = need(key);
    return ruled_of(key, m, rule);
  }
  std::optional<std::string> opt_ruled(std::string_view key, std::string (*rule)(std::string_view)) {
    const Value* m = find(key);
    if (!m) return std::nullopt;
    return ruled_of(key, *m, rule);
  }
  bool boolean(std::string_view key, bool fallback) {
    const Value* m = find(key);
    if (!m) return fallback;
    if (!m->IsBool()) w_.fail_at(key, "must be a boolean");
    return m->GetBool();
  }
  Timestamp timestamp(std::string_view key) { return timestamp_of(key, need(key)); }
  std::optional<Timestamp> opt_timestamp(std::string_view key) {
    const Value* m = find(key);
    if (!m) return std::nullopt;
    return timestamp_of(key, *m);
  }
  std::optional<CalendarDate> opt_date(std::string_view key) {
    const Value* m = find(key);
    if (!m) return std::nullopt;
    Enter e(w_, key);
    if (!m->IsString()) w_.fail("must be a string");
    auto d = CalendarDate::parse(sv(*m));
    if (!d) w_.fail(d.error().message());
    return d.value();
  }

  enum class Sign { any, non_negative, positive, non_zero };

  Money money(std::string_view key, Sign sign, const Currency* expected = nullptr, std::string_view like = {}) {
    return money_of(key, need(key), sign, expected, like);
  }
  std::optional<Money> opt_money(std::string_view key, Sign sign, const Currency* expected = nullptr,
                                 std::string_view like = {}) {
    const Value* m = find(key);
    if (!m) return std::nullopt;
    return money_of(key, *m, sign, expected, like);
  }
  Quantity quantity(std::string_view key, Sign sign) { return quantity_of(key, need(key), sign); }
  std::optional<Quantity> opt_quantity(std::string_view key, Sign sign) {
    const Value* m = find(key);
    if (!m) return std::nullopt;
    return quantity_of(key, *m, sign);
  }

  // An array of 1..max (or 0..max) objects, each read by `item`.
  template <class T, class F>
  std::vector<T> array(std::string_view key, std::size_t min, std::size_t max, F&& item) {
    return array_of<T>(key, need(key), min, max, item);
  }
  template <class T, class F>
  std::optional<std::vector<T>> opt_array(std::string_view key, std::size_t min, std::size_t max, F&& item) {
    const Value* m = find(key);
    if (!m) return std::nullopt;
    return array_of<T>(key, *m, min, max, item);
  }

  Walk& walk() { return w_; }

 private:
  std::string text_of(std::string_view key, const Value& m, std::size_t min, std::size_t max) {
    Enter e(w_, key);
    if (!m.IsString()) w_.fail("must be a string");
    const std::string_view s = sv(m);
    if (s.empty() && min > 0) w_.fail("must not be empty");
    const std::size_t n = count_chars(s);
    if (n < min) w_.fail("must be at least " + std::to_string(min) + " characters");
    if (n > max) w_.fail("must be at most " + std::to_string(max) + " characters");
    return std::string(s);
  }
  std::string ruled_of(std::string_view key, const Value& m, std::string (*rule)(std::string_view)) {
    Enter e(w_, key);
    if (!m.IsString()) w_.fail("must be a string");
    std::string why = rule(sv(m));
    if (!why.empty()) w_.fail(why);
    return std::string(sv(m));
  }
  Timestamp timestamp_of(std::string_view key, const Value& m) {
    Enter e(w_, key);
    if (!m.IsString()) w_.fail("must be a string");
    auto t = Timestamp::parse(sv(m));
    if (!t) w_.fail(t.error().message());
    return t.value();
  }
  void sign_check(Sign sign, bool negative, bool zero) {
    if (sign == Sign::positive && (negative || zero)) w_.fail("must be positive");
    if (sign == Sign::non_negative && negative) w_.fail("must not be negative");
    if (sign == Sign::non_zero && zero) w_.fail("must not be zero");
  }
  Money money_of(std::string_view key, const Value& m, Sign sign, const Currency* expected, std::string_view like) {
    Enter e(w_, key);
    if (!m.IsObject()) w_.fail("must be an object");
    Obj o(w_, m);
    const Value& amount = o.need("amount");
    if (!amount.IsString()) w_.fail_at("amount", "must be a string");
    const Value& code = o.need("currency");
    Currency c;
    {
      Enter ec(w_, "currency");
      if (!code.IsString()) w_.fail("must be a string");
      auto cur = Currency::of(sv(code));
      if (!cur) w_.fail(cur.error().message());
      c = cur.value();
    }
    Enter ea(w_, "amount");
    auto parsed = Money::parse(sv(amount), c);
    if (!parsed) w_.fail(parsed.error().message());
    sign_check(sign, parsed.value().is_negative(), parsed.value().is_zero());
    if (expected && !(c == *expected)) {
      w_.path().pop();
      w_.fail_at("currency", "must be " + std::string(expected->code()) + " like " + std::string(like));
    }
    return parsed.value();
  }
  Quantity quantity_of(std::string_view key, const Value& m, Sign sign) {
    Enter e(w_, key);
    if (!m.IsObject()) w_.fail("must be an object");
    Obj o(w_, m);
    const Value& value = o.need("value");
    if (!value.IsString()) w_.fail_at("value", "must be a string");
    std::string uom = o.text("uom", 1, 32);
    Enter ev(w_, "value");
    auto q = Quantity::parse(sv(value), std::move(uom));
    if (!q) w_.fail(q.error().message());
    sign_check(sign, q.value().is_negative(), q.value().is_zero());
    return std::move(q).value();
  }
  template <class T, class F>
  std::vector<T> array_of(std::string_view key, const Value& m, std::size_t min, std::size_t max, F& item) {
    Enter e(w_, key);
    if (!m.IsArray()) w_.fail("must be an array");
    if (m.Size() < min) w_.fail("must have at least " + std::to_string(min) + (min == 1 ? " item" : " items"));
    if (m.Size() > max) w_.fail("must have at most " + std::to_string(max) + " items");
    std::vector<T> out;
    out.reserve(m.Size());
    for (rapidjson::SizeType i = 0; i < m.Size(); ++i) {
      Enter ei(w_, i);
      if (!m[i].IsObject()) w_.fail("must be an object");
      Obj o(w_, m[i]);
      out.push_back(item(o));
    }
    return out;
  }

  Walk& w_;
  const Value& v_;
};

using Sign = Obj::Sign;

std::string check_text_email(std::string_view s) {
  if (s.empty()) return "must not be empty";
  if (count_chars(s) < 3) return "must be at least 3 characters";
  if (count_chars(s) > 254) return "must be at most 254 characters";
  if (s.find('@') == std::string_view::npos || s.front() == '@' || s.back() == '@') {
    return "must be an email address";
  }
  for (unsigned char c : s) {
    if (c <= 0x20 || c == 0x7F) return "must be an email address";
  }
  return {};
}
std::string check_country(std::string_view s) {
  if (s.size() != 2 || !(s[0] >= 'A' && s[0] <= 'Z') || !(s[1] >= 'A' && s[1] <= 'Z')) {
    return "must be two uppercase letters (ISO 3166-1 alpha-2)";
  }
  return {};
}

StockLine stock_line(Obj& o) {
  StockLine l;
  l.sku.value = o.ruled("sku", rules::check_sku);
  l.quantity = o.quantity("quantity", Sign::positive);
  return l;
}

// --- one reader per type ------------------------------------------------------------------------

ProductUpserted read_product(Obj& o) {
  Product p;
  p.sku.value = o.ruled("sku", rules::check_sku);
  p.name = o.text("name", 1, 256);
  p.list_price = o.money("list_price", Sign::non_negative);
  if (auto b = o.opt_ruled("barcode", rules::check_barcode)) p.barcode = Barcode{std::move(*b)};
  p.cost = o.opt_money("cost", Sign::non_negative, &p.list_price.currency(), "list_price");
  if (auto u = o.opt_text("uom", 1, 32)) p.uom = std::move(*u);
  p.category = o.opt_text("category", 1, 256);
  p.storable = o.boolean("storable", true);
  p.active = o.boolean("active", true);
  p.description = o.opt_text("description", 0, 4096);
  return {std::move(p)};
}

PriceChanged read_price(Obj& o) {
  Price p;
  p.sku.value = o.ruled("sku", rules::check_sku);
  p.list_price = o.money("list_price", Sign::non_negative);
  p.effective_at = o.opt_timestamp("effective_at");
  return {std::move(p)};
}

StockAdjusted read_stock_adjusted(Obj& o) {
  StockAdjusted s;
  s.sku.value = o.ruled("sku", rules::check_sku);
  s.location.value = o.ruled("location", rules::check_location);
  s.delta = o.opt_quantity("delta", Sign::non_zero);
  s.counted = o.opt_quantity("counted", Sign::non_negative);
  s.reason = o.opt_text("reason", 0, 128);
  if (s.delta.has_value() == s.counted.has_value()) o.walk().fail("must have exactly one of \"delta\" or \"counted\"");
  return s;
}

StockReserved read_stock_reserved(Obj& o) {
  StockReserved s;
  s.sku.value = o.ruled("sku", rules::check_sku);
  s.location.value = o.ruled("location", rules::check_location);
  s.quantity = o.quantity("quantity", Sign::positive);
  s.reservation = o.ruled("reservation", rules::check_reference);
  s.order_number = o.opt_ruled("order_number", rules::check_reference);
  s.expires_at = o.opt_timestamp("expires_at");
  return s;
}

StockReleased read_stock_released(Obj& o) {
  StockReleased s;
  s.sku.value = o.ruled("sku", rules::check_sku);
  s.location.value = o.ruled("location", rules::check_location);
  s.quantity = o.quantity("quantity", Sign::positive);
  s.reservation = o.ruled("reservation", rules::check_reference);
  return s;
}

GoodsReceived read_goods_received(Obj& o) {
  GoodsReceipt r;
  r.reference = o.ruled("reference", rules::check_reference);
  r.location.value = o.ruled("location", rules::check_location);
  r.supplier = o.opt_ruled("supplier", rules::check_reference);
  r.lines = o.array<StockLine>("lines", 1, 1000, stock_line);
  r.received_at = o.opt_timestamp("received_at");
  return {std::move(r)};
}

TransferCompleted read_transfer(Obj& o) {
  Transfer t;
  t.reference = o.ruled("reference", rules::check_reference);
  t.from.value = o.ruled("from", rules::check_location);
  t.to.value = o.ruled("to", rules::check_location);
  t.lines = o.array<StockLine>("lines", 1, 1000, stock_line);
  if (t.from == t.to) o.walk().fail_at("to", "must differ from \"from\"");
  return {std::move(t)};
}

OrderCreated read_order(Obj& o) {
  Order r;
  r.number = o.ruled("number", rules::check_reference);
  r.channel.value = o.ruled("channel", rules::check_channel);
  r.customer = o.opt_ruled("customer", rules::check_reference);
  {
    const Value& c = o.need("currency");
    Enter e(o.walk(), "currency");
    if (!c.IsString()) o.walk().fail("must be a string");
    auto cur = Currency::of(sv(c));
    if (!cur) o.walk().fail(cur.error().message());
    r.currency = cur.value();
  }
  r.ordered_at = o.timestamp("ordered_at");
  if (auto w = o.opt_text("warehouse", 1, 32)) r.warehouse = std::move(*w);
  const Currency cur = r.currency;
  r.lines = o.array<OrderLine>("lines", 1, 1000, [&cur](Obj& l) {
    OrderLine line;
    line.sku.value = l.ruled("sku", rules::check_sku);
    line.quantity = l.quantity("quantity", Sign::positive);
    line.unit_price = l.money("unit_price", Sign::non_negative, &cur, "the order");
    line.discount = l.opt_money("discount", Sign::non_negative, &cur, "the order");
    line.tax = l.opt_money("tax", Sign::non_negative, &cur, "the order");
    line.total = l.money("total", Sign::any, &cur, "the order");
    return line;
  });
  r.subtotal = o.money("subtotal", Sign::any, &cur, "the order");
  r.tax_total = o.money("tax_total", Sign::any, &cur, "the order");
  r.total = o.money("total", Sign::any, &cur, "the order");
  r.note = o.opt_text("note", 0, 4096);

  // Totals must add up.
  Walk& w = o.walk();
  std::int64_t subtotal = 0, tax = 0;
  bool overflow = false;
  for (std::size_t i = 0; i < r.lines.size(); ++i) {
    const OrderLine& l = r.lines[i];
    auto gross = extend(l.quantity, l.unit_price);
    Enter el(w, "lines");
    Enter ei(w, i);
    if (!gross) w.fail_at("quantity", "quantity × unit_price is out of range");
    const std::int64_t discount = l.discount ? l.discount->minor_units() : 0;
    if (discount > gross.value().minor_units()) {
      Enter ed(w, "discount");
      w.fail_at("amount", "must not exceed quantity × unit_price (" + gross.value().amount() + ")");
    }
    const Money expected(gross.value().minor_units() - discount, cur);
    if (!(expected == l.total)) {
      Enter et(w, "total");
      w.fail_at("amount",
                "must be " + expected.amount() + " (quantity × unit_price − discount), not " + l.total.amount());
    }
    overflow |= __builtin_add_overflow(subtotal, l.total.minor_units(), &subtotal);
    overflow |= __builtin_add_overflow(tax, l.tax ? l.tax->minor_units() : 0, &tax);
  }
  if (overflow) w.fail_at("lines", "the sum of the lines is out of range");
  if (subtotal != r.subtotal.minor_units()) {
    Enter e(w, "subtotal");
    w.fail_at("amount",
              "must be " + Money(subtotal, cur).amount() + " (the sum of line totals), not " + r.subtotal.amount());
  }
  if (tax != r.tax_total.minor_units()) {
    Enter e(w, "tax_total");
    w.fail_at("amount",
              "must be " + Money(tax, cur).amount() + " (the sum of line taxes), not " + r.tax_total.amount());
  }
  std::int64_t total = 0;
  if (__builtin_add_overflow(subtotal, tax, &total)) w.fail_at("total", "is out of range");
  if (total != r.total.minor_units()) {
    Enter e(w, "total");
    w.fail_at("amount", "must be " + Money(total, cur).amount() + " (subtotal + tax_total), not " + r.total.amount());
  }
  return {std::move(r)};
}

OrderCancelled read_order_cancelled(Obj& o) {
  OrderCancelled c;
  c.number = o.ruled("number", rules::check_reference);
  c.reason = o.opt_text("reason", 0, 256);
  return c;
}

PaymentCaptured read_payment(Obj& o) {
  Payment p;
  p.reference = o.ruled("reference", rules::check_reference);
  p.order_number = o.ruled("order_number", rules::check_reference);
  p.amount = o.money("amount", Sign::positive);
  p.method = o.text("method", 1, 64);
  p.captured_at = o.timestamp("captured_at");
  p.provider = o.opt_text("provider", 1, 64);
  return {std::move(p)};
}

RefundApproved read_refund(Obj& o) {
  Refund r;
  r.reference = o.ruled("reference", rules::check_reference);
  r.order_number = o.ruled("order_number", rules::check_reference);
  r.amount = o.money("amount", Sign::positive);
  r.approved_at = o.timestamp("approved_at");
  const Currency cur = r.amount.currency();
  r.lines = o.opt_array<RefundLine>("lines", 0, 1000, [&cur](Obj& l) {
    RefundLine line;
    line.sku.value = l.ruled("sku", rules::check_sku);
    line.quantity = l.quantity("quantity", Sign::positive);
    line.amount = l.money("amount", Sign::non_negative, &cur, "amount");
    return line;
  });
  r.restock = o.boolean("restock", false);
  r.reason = o.opt_text("reason", 0, 256);
  if (r.lines && !r.lines->empty()) {
    std::int64_t sum = 0;
    bool overflow = false;
    for (const auto& l : *r.lines) overflow |= __builtin_add_overflow(sum, l.amount.minor_units(), &sum);
    if (overflow || sum != r.amount.minor_units()) {
      o.walk().fail_at("lines", "amounts add up to " +
                                    (overflow ? std::string("more than the range") : Money(sum, cur).amount()) +
                                    ", not the refund's " + r.amount.amount());
    }
  }
  return {std::move(r)};
}

ShipmentDispatched read_shipment(Obj& o) {
  Shipment s;
  s.reference = o.ruled("reference", rules::check_reference);
  s.order_number = o.ruled("order_number", rules::check_reference);
  s.dispatched_at = o.timestamp("dispatched_at");
  s.carrier = o.opt_text("carrier", 1, 64);
  s.tracking_number = o.opt_text("tracking_number", 1, 128);
  s.lines = o.opt_array<StockLine>("lines", 0, 1000, stock_line);
  return {std::move(s)};
}

InvoicePosted read_invoice(Obj& o) {
  InvoiceRef i;
  i.number = o.ruled("number", rules::check_reference);
  i.order_number = o.ruled("order_number", rules::check_reference);
  i.amount_total = o.money("amount_total", Sign::non_negative);
  i.amount_tax = o.opt_money("amount_tax", Sign::non_negative, &i.amount_total.currency(), "amount_total");
  i.posted_at = o.timestamp("posted_at");
  i.due_date = o.opt_date("due_date");
  if (i.amount_tax && i.amount_tax->minor_units() > i.amount_total.minor_units()) {
    Enter e(o.walk(), "amount_tax");
    o.walk().fail_at("amount", "must not exceed amount_total");
  }
  return {std::move(i)};
}

CustomerUpserted read_customer(Obj& o) {
  Customer c;
  c.ref = o.ruled("ref", rules::check_reference);
  c.name = o.text("name", 1, 256);
  c.email = o.opt_ruled("email", check_text_email);
  c.phone = o.opt_text("phone", 1, 64);
  c.is_company = o.boolean("is_company", false);
  c.street = o.opt_text("street", 0, 256);
  c.city = o.opt_text("city", 0, 128);
  c.zip = o.opt_text("zip", 0, 32);
  c.country_code = o.opt_ruled("country_code", check_country);
  c.vat = o.opt_text("vat", 1, 32);
  return {std::move(c)};
}

using Reader = EventData (*)(Obj&);
template <class T, T (*F)(Obj&)>
EventData wrap(Obj& o) {
  return EventData(F(o));
}
struct TypeEntry {
  std::string_view type;
  Reader read;
};
const TypeEntry type_table[] = {
    {ProductUpserted::type, wrap<ProductUpserted, read_product>},
    {PriceChanged::type, wrap<PriceChanged, read_price>},
    {StockAdjusted::type, wrap<StockAdjusted, read_stock_adjusted>},
    {StockReserved::type, wrap<StockReserved, read_stock_reserved>},
    {StockReleased::type, wrap<StockReleased, read_stock_released>},
    {GoodsReceived::type, wrap<GoodsReceived, read_goods_received>},
    {TransferCompleted::type, wrap<TransferCompleted, read_transfer>},
    {OrderCreated::type, wrap<OrderCreated, read_order>},
    {OrderCancelled::type, wrap<OrderCancelled, read_order_cancelled>},
    {PaymentCaptured::type, wrap<PaymentCaptured, read_payment>},
    {RefundApproved::type, wrap<RefundApproved, read_refund>},
    {ShipmentDispatched::type, wrap<ShipmentDispatched, read_shipment>},
    {InvoicePosted::type, wrap<InvoicePosted, read_invoice>},
    {CustomerUpserted::type, wrap<CustomerUpserted, read_customer>},
};

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
  for (const auto& t : type_table) {
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

// --- encoding -------------------------------------------------------------------------------------

void put_money(json::Writer& w, std::string_view key, const Money& m) {
  w.key(key).begin_object().member("amount", m.amount()).member("currency", m.currency().code()).end_object();
}
void put_money(json::Writer& w, std::string_view key, const std::optional<Money>& m) {
  if (m) put_money(w, key, *m);
}
void put_quantity(json::Writer& w, std::string_view key, const Quantity& q) {
  w.key(key).begin_object().member("value", q.value()).member("uom", q.uom()).end_object();
}
void put_quantity(json::Writer& w, std::string_view key, const std::optional<Quantity>& q) {
  if (q) put_quantity(w, key, *q);
}
void put_text(json::Writer& w, std::string_view key, const std::optional<std::string>& s) {
  if (s) w.member(key, *s);
}
void put_time(json::Writer& w, std::string_view key, const std::optional<Timestamp>& t) {
  if (t) w.member(key, t->to_string());
}
void put_lines(json::Writer& w, std::string_view key, const std::vector<StockLine>& lines) {
  w.key(key).begin_array();
  for (const auto& l : lines) {
    w.begin_object().member("sku", l.sku.value);
    put_quantity(w, "quantity", l.quantity);
    w.end_object();
  }
  w.end_array();
}

struct DataWriter {
  json::Writer& w;
  void operator()(const ProductUpserted& e) const {
    const Product& p = e.product;
    w.member("sku", p.sku.value).member("name", p.name);
    put_money(w, "list_price", p.list_price);
    if (p.barcode) w.member("barcode", p.barcode->value);
    put_money(w, "cost", p.cost);
    w.member("uom", p.uom);
    put_text(w, "category", p.category);
    w.member("storable", p.storable).member("active", p.active);
    put_text(w, "description", p.description);
  }
  void operator()(const PriceChanged& e) const {
    w.member("sku", e.price.sku.value);
    put_money(w, "list_price", e.price.list_price);
    put_time(w, "effective_at", e.price.effective_at);
  }
  void operator()(const StockAdjusted& e) const {
    w.member("sku", e.sku.value).member("location", e.location.value);
    put_quantity(w, "delta", e.delta);
    put_quantity(w, "counted", e.counted);
    put_text(w, "reason", e.reason);
  }
  void operator()(const StockReserved& e) const {
    w.member("sku", e.sku.value).member("location", e.location.value);
    put_quantity(w, "quantity", e.quantity);
    w.member("reservation", e.reservation);
    put_text(w, "order_number", e.order_number);
    put_time(w, "expires_at", e.expires_at);
  }
  void operator()(const StockReleased& e) const {
    w.member("sku", e.sku.value).member("location", e.location.value);
    put_quantity(w, "quantity", e.quantity);
    w.member("reservation", e.reservation);
  }
  void operator()(const GoodsReceived& e) const {
    const GoodsReceipt& r = e.receipt;
    w.member("reference", r.reference).member("location", r.location.value);
    put_text(w, "supplier", r.supplier);
    put_lines(w, "lines", r.lines);
    put_time(w, "received_at", r.received_at);
  }
  void operator()(const TransferCompleted& e) const {
    const Transfer& t = e.transfer;
    w.member("reference", t.reference).member("from", t.from.value).member("to", t.to.value);
    put_lines(w, "lines", t.lines);
  }
  void operator()(const OrderCreated& e) const {
    const Order& o = e.order;
    w.member("number", o.number).member("channel", o.channel.value);
    put_text(w, "customer", o.customer);
    w.member("currency", o.currency.code())
        .member("ordered_at", o.ordered_at.to_string())
        .member("warehouse", o.warehouse);
    w.key("lines").begin_array();
    for (const auto& l : o.lines) {
      w.begin_object().member("sku", l.sku.value);
      put_quantity(w, "quantity", l.quantity);
      put_money(w, "unit_price", l.unit_price);
      put_money(w, "discount", l.discount);
      put_money(w, "tax", l.tax);
      put_money(w, "total", l.total);
      w.end_object();
    }
    w.end_array();
    put_money(w, "subtotal", o.subtotal);
    put_money(w, "tax_total", o.tax_total);
    put_money(w, "total", o.total);
    put_text(w, "note", o.note);
  }
  void operator()(const OrderCancelled& e) const {
    w.member("number", e.number);
    put_text(w, "reason", e.reason);
  }
  void operator()(const PaymentCaptured& e) const {
    const Payment& p = e.payment;
    w.member("reference", p.reference).member("order_number", p.order_number);
    put_money(w, "amount", p.amount);
    w.member("method", p.method).member("captured_at", p.captured_at.to_string());
    put_text(w, "provider", p.provider);
  }
  void operator()(const RefundApproved& e) const {
    const Refund& r = e.refund;
    w.member("reference", r.reference).member("order_number", r.order_number);
    put_money(w, "amount", r.amount);
    w.member("approved_at", r.approved_at.to_string());
    if (r.lines) {
      w.key("lines").begin_array();
      for (const auto& l : *r.lines) {
        w.begin_object().member("sku", l.sku.value);
        put_quantity(w, "quantity", l.quantity);
        put_money(w, "amount", l.amount);
        w.end_object();
      }
      w.end_array();
    }
    w.member("restock", r.restock);
    put_text(w, "reason", r.reason);
  }
  void operator()(const ShipmentDispatched& e) const {
    const Shipment& s = e.shipment;
    w.member("reference", s.reference)
        .member("order_number", s.order_number)
        .member("dispatched_at", s.dispatched_at.to_string());
    put_text(w, "carrier", s.carrier);
    put_text(w, "tracking_number", s.tracking_number);
    if (s.lines) put_lines(w, "lines", *s.lines);
  }
  void operator()(const InvoicePosted& e) const {
    const InvoiceRef& i = e.invoice;
    w.member("number", i.number).member("order_number", i.order_number);
    put_money(w, "amount_total", i.amount_total);
    put_money(w, "amount_tax", i.amount_tax);
    w.member("posted_at", i.posted_at.to_string());
    if (i.due_date) w.member("due_date", i.due_date->to_string());
  }
  void operator()(const CustomData&) const {}  // written raw by encode_into
  void operator()(const CustomerUpserted& e) const {
    const Customer& c = e.customer;
    w.member("ref", c.ref).member("name", c.name);
    put_text(w, "email", c.email);
    put_text(w, "phone", c.phone);
    w.member("is_company", c.is_company);
    put_text(w, "street", c.street);
    put_text(w, "city", c.city);
    put_text(w, "zip", c.zip);
    put_text(w, "country_code", c.country_code);
    put_text(w, "vat", c.vat);
  }
};

}  // namespace

const std::vector<std::string_view>& event_types() {
  static const std::vector<std::string_view> types = [] {
    std::vector<std::string_view> t;
    for (const auto& e : type_table) t.push_back(e.type);
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
  auto doc = json::parse(text, json::Limits{limits.max_bytes, depth, false});
  if (!doc) return Error::validation("(event): not JSON: " + doc.error().message());
  try {
    return decode_document(doc.value(), custom);
  } catch (const Invalid& invalid) {
    return Error::validation(invalid.message);
  } catch (const std::bad_alloc&) {
    return Error::validation("(event): out of memory while decoding");
  }
}

namespace {
void encode_into(json::Writer& w, const Event& ev) {
  const std::string_view type = ev.type();
  w.begin_object()
      .member("specversion", "1.0")
      .member("id", ev.id)
      .member("source", ev.source)
      .member("type", type)
      .member("time", ev.time.to_string());
  // A host type made in code may not have its subject yet: the decoder's rule gives it.
  const std::string subject = ev.subject.empty() ? subject_of(ev.data) : ev.subject;
  if (!subject.empty()) w.member("subject", subject);
  w.member("datacontenttype", "application/json").member("dataschema", dataschema_for(type));
  if (ev.sequence) w.member("sequence", std::to_string(*ev.sequence));
  if (ev.traceparent) w.member("traceparent", *ev.traceparent);
  for (const auto& x : ev.extensions) w.key(x.name).raw(x.json);
  if (const auto* c = std::get_if<CustomData>(&ev.data)) {
    w.key("data").raw(c->json.empty() ? std::string_view("{}") : std::string_view(c->json));
    w.end_object();
    return;
  }
  w.key("data").begin_object();
  std::visit(DataWriter{w}, ev.data);
  w.end_object().end_object();
}
}  // namespace

std::string encode_event(const Event& ev) {
  json::Writer w;
  encode_into(w, ev);
  return std::string(w.unchecked_view());
}

result<Event> make_event(EventData data, EventHeader header) {
  return make_event(std::move(data), std::move(header), std::span<const CustomType>());
}

result<Event> make_event(EventData data, EventHeader header, std::span<const CustomType> custom) {
  Event ev;
  ev.id = std::move(header.id);
  ev.source = std::move(header.source);
  ev.time = header.time ? *header.time : Timestamp::now();
  ev.sequence = header.sequence;
  ev.traceparent = std::move(header.traceparent);
  ev.data = std::move(data);
  ev.subject = subject_of(ev.data);
  // One validator: what we would write must decode.
  json::Writer w;
  encode_into(w, ev);
  auto text = w.view();
  if (!text) return Error::validation("event: " + text.error().message());
  return decode_event(text.value(), custom);
}

}  // namespace retail
}  // namespace v0
}  // namespace odoosync
