// Domain encoding: each condition is encoded to JSON once, when it is made; operators only splice.
#include <odoosync/core/json.hpp>
#include <odoosync/odoo/domain.hpp>

#include <array>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {
namespace odoo {

namespace {
void write_value(json::Writer& w, const DomainValue& v) {
  std::visit(
      [&w](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, bool>)
          w.boolean(x);
        else if constexpr (std::is_same_v<T, std::int64_t>)
          w.integer(x);
        else if constexpr (std::is_same_v<T, double>)
          w.number(x);
        else if constexpr (std::is_same_v<T, std::string>)
          w.string(x);
        else if constexpr (std::is_same_v<T, Decimal>)
          w.decimal(x.to_string());
        else if constexpr (std::is_same_v<T, Date> || std::is_same_v<T, DateTime>)
          w.string(x.to_string());
        else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) {
          w.begin_array();
          for (auto i : x) w.integer(i);
          w.end_array();
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          w.begin_array();
          for (const auto& s : x) w.string(s);
          w.end_array();
        } else {
          w.raw(x ? x->to_json() : "[]");
        }
      },
      v);
}

constexpr std::array<std::string_view, 19> operators = {
    "=",         "!=",    "<",      ">",  "<=",     ">=",       "=?",        "like", "not like", "ilike",
    "not ilike", "=like", "=ilike", "in", "not in", "child_of", "parent_of", "any",  "not any"};

bool known_operator(std::string_view op) {
  for (auto o : operators)
    if (o == op) return true;
  return false;
}
}  // namespace

Domain Domain::condition(std::string_view field, std::string_view op, const DomainValue& value) {
  json::Writer w;
  w.begin_array().string(field).string(op);
  write_value(w, value);
  w.end_array();
  Domain d;
  auto text = w.view();
  if (text) {
    d.items_.emplace_back(text.value());
  } else {
    // Kept, not thrown: the domain is refused with this error when a call tries to send it.
    d.error_ = std::make_shared<const Error>(
        std::move(text.error()).with_message_prefix(fmt::format("domain condition on '{}'", field)));
  }
  return d;
}

result<std::string> Domain::encode() const {
  if (error_) return *error_;
  return to_json();
}

std::string Domain::to_json() const {
  std::string out = "[";
  for (std::size_t i = 0; i < items_.size(); ++i) {
    if (i) out += ',';
    out += items_[i];
  }
  out += ']';
  return out;
}

// How many expressions a domain's items form at the top level (Odoo ANDs them implicitly): in Polish
// notation "&" and "|" take two operands, "!" one, a leaf none.
std::size_t top_level_terms(const std::vector<std::string>& items) {
  std::size_t terms = 0;
  long need = 0;  // operands still owed to the operators seen in the current expression
  for (const auto& item : items) {
    if (need == 0) {
      ++terms;
      need = 1;
    }
    --need;
    if (item == "\"&\"" || item == "\"|\"") need += 2;
    if (item == "\"!\"") need += 1;
  }
  return terms;
}

// One operand of an operator: its items as a single expression, the implicit AND made explicit.
// Without it ["|", A, B, C] (a = [A, B], b = [C]) would read (A | B) & C, and ["!", A, B] (!A) & B.
void append_operand(std::vector<std::string>& out, const std::vector<std::string>& items) {
  const std::size_t terms = top_level_terms(items);
  for (std::size_t i = 1; i < terms; ++i) out.emplace_back("\"&\"");
  out.insert(out.end(), items.begin(), items.end());
}

Domain combine(std::string_view op, const Domain& a, const Domain* b) {
  Domain d;
  d.error_ = a.error_ ? a.error_ : (b ? b->error_ : nullptr);
  d.items_.reserve(a.items_.size() + (b ? b->items_.size() : 0) + 3);
  d.items_.push_back(fmt::format("\"{}\"", op));
  append_operand(d.items_, a.items_);
  if (b) append_operand(d.items_, b->items_);
  return d;
}

Domain operator&&(const Domain& a, const Domain& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return combine("&", a, &b);
}

Domain operator||(const Domain& a, const Domain& b) {
  // The empty domain matches everything, so "everything or x" is everything.
  if (a.empty() || b.empty()) return Domain{};
  return combine("|", a, &b);
}

Domain operator!(const Domain& a) {
  if (a.empty()) {
    // "not everything": Odoo's FALSE_DOMAIN
    Domain d;
    d.items_.push_back("[0,\"=\",1]");
    return d;
  }
  return combine("!", a, nullptr);
}

result<Domain> Domain::from_json(std::string_view json_text) {
  auto doc = json::parse(json_text, {.max_bytes = 1 << 20, .max_depth = 32});
  if (!doc) return std::move(doc.error()).with_message_prefix("domain");
  const auto& v = doc.value();
  if (!v.IsArray()) return Error::validation("domain: expected a JSON array such as [[\"name\",\"ilike\",\"desk\"]]");
  Domain d;
  // Prefix notation read as Odoo's normalize_domain reads it: `needed` counts the expressions still owed;
  // once none is owed, the next element starts a new expression joined by an implicit "&" (so [A, "!"]
  // leaves the "!" without its operand, which Odoo refuses).
  int needed = 1;
  std::size_t i = 0;
  for (const auto& item : v.GetArray()) {
    if (needed == 0) needed = 1;
    if (item.IsString()) {
      std::string_view op(item.GetString(), item.GetStringLength());
      if (op == "&" || op == "|")
        ++needed;
      else if (op != "!")
        return Error::validation(fmt::format("domain element {}: unknown operator '{}'", i, op));
    } else if (item.IsArray() && item.Size() == 3 && item[1].IsString()) {
      std::string_view op(item[1].GetString(), item[1].GetStringLength());
      if (!known_operator(op))
        return Error::validation(fmt::format("domain element {}: unknown comparison '{}'", i, op));
      if (!item[0].IsString() && !item[0].IsInt()) {
        return Error::validation(fmt::format("domain element {}: the field must be a string", i));
      }
      --needed;
    } else {
      return Error::validation(
          fmt::format("domain element {}: expected \"&\", \"|\", \"!\" or [field, operator, value]", i));
    }
    d.items_.push_back(json::to_string(item));
    ++i;
  }
  // Odoo joins leftover terms with an implicit "&"; too many operators is an error.
  if (!d.items_.empty() && needed > 0) {
    return Error::validation("domain: an operator is missing its operands");
  }
  return d;
}

Domain Field::in(std::vector<std::int64_t> ids) const { return Domain::condition(name_, "in", std::move(ids)); }
Domain Field::in(std::vector<std::string> values) const { return Domain::condition(name_, "in", std::move(values)); }
Domain Field::not_in(std::vector<std::int64_t> ids) const { return Domain::condition(name_, "not in", std::move(ids)); }
Domain Field::not_in(std::vector<std::string> values) const {
  return Domain::condition(name_, "not in", std::move(values));
}
Domain Field::like(std::string_view p) const { return Domain::condition(name_, "like", std::string(p)); }
Domain Field::not_like(std::string_view p) const { return Domain::condition(name_, "not like", std::string(p)); }
Domain Field::ilike(std::string_view p) const { return Domain::condition(name_, "ilike", std::string(p)); }
Domain Field::not_ilike(std::string_view p) const { return Domain::condition(name_, "not ilike", std::string(p)); }
Domain Field::eq_like(std::string_view p) const { return Domain::condition(name_, "=like", std::string(p)); }
Domain Field::eq_ilike(std::string_view p) const { return Domain::condition(name_, "=ilike", std::string(p)); }
Domain Field::child_of(std::int64_t id) const { return Domain::condition(name_, "child_of", id); }
Domain Field::parent_of(std::int64_t id) const { return Domain::condition(name_, "parent_of", id); }
Domain Field::any(const Domain& sub) const {
  return Domain::condition(name_, "any", std::make_shared<const Domain>(sub));
}
Domain Field::not_any(const Domain& sub) const {
  return Domain::condition(name_, "not any", std::make_shared<const Domain>(sub));
}

}  // namespace odoo
}  // namespace v0
}  // namespace odoosync
