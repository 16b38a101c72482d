// The emulator's ORM: seeding from real Odoo's export, domains, and the generic methods.
#include "orm.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace odoosync::emulator {

std::string sv(const Val& v) { return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : std::string(); }

std::string dump(const Val& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

namespace {

[[noreturn]] void raise(std::string name, std::string message, int status) {
  throw OdooException{std::move(name), std::move(message), status};
}
[[noreturn]] void value_error(std::string message) { raise("builtins.ValueError", std::move(message), 500); }
[[noreturn]] void missing_error(const std::string& model, std::int64_t id) {
  raise("odoo.exceptions.MissingError",
        fmt::format("Record does not exist or has been deleted.\n(Record: {}({},), User: 2)", model, id), 404);
}

// Python's repr of a JSON value, for messages that quote a value as Odoo does.
template <class V>
std::string repr(const V& v) {
  if (v.IsString()) {
    std::string out(1, '\'');
    out.append(v.GetString(), v.GetStringLength());
    out.push_back('\'');
    return out;
  }
  if (v.IsBool()) return v.GetBool() ? "True" : "False";
  if (v.IsNull()) return "None";
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsNumber()) return fmt::format("{}", v.GetDouble());
  if (v.IsArray()) {
    std::string s = "[";
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) s += (i ? ", " : "") + repr(v[i]);
    return s + "]";
  }
  return "{...}";
}

bool truthy(const Val* v) {
  if (!v || v->IsNull()) return false;
  if (v->IsBool()) return v->GetBool();
  if (v->IsString()) return v->GetStringLength() > 0;
  if (v->IsArray()) return !v->Empty();
  if (v->IsNumber()) return v->GetDouble() != 0;
  return true;
}

std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// SQL LIKE with % and _ (the =like forms); `like`/`ilike` wrap the pattern in %…% first.
bool like_match(std::string_view s, std::string_view p) {
  std::size_t si = 0, pi = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '_' || p[pi] == s[si])) {
      ++si;
      ++pi;
    } else if (pi < p.size() && p[pi] == '%') {
      star = pi++;
      mark = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

Doc parse_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  Doc d;
  d.Parse(ss.str().c_str());
  if (d.HasParseError()) throw std::runtime_error("emulator: cannot parse " + p.string());
  return d;
}

const std::map<std::string, std::pair<std::string, std::string>> delegations = {
    {"product.product", {"product.template", "product_tmpl_id"}},
    {"res.users", {"res.partner", "partner_id"}},
};

}  // namespace

Database Database::load(const std::string& dir, int odoo_version) {
  Database db;
  db.version_ = odoo_version;
  namespace fs = std::filesystem;
  for (const auto& entry : fs::directory_iterator(fs::path(dir) / "fields")) {
    const std::string model = entry.path().stem().string();
    Doc fields = parse_file(entry.path());
    ModelDef def;
    def.name = model;
    for (auto& m : fields.GetObject()) {
      FieldDef f;
      f.name = sv(m.name);
      const Val& a = m.value;
      if (a.HasMember("type")) f.type = sv(a["type"]);
      if (a.HasMember("relation")) f.relation = sv(a["relation"]);
      if (a.HasMember("string")) f.string = sv(a["string"]);
      if (a.HasMember("required")) f.required = a["required"].GetBool();
      if (a.HasMember("readonly")) f.readonly = a["readonly"].GetBool();
      if (a.HasMember("store")) f.store = a["store"].GetBool();
      if (a.HasMember("selection") && a["selection"].IsArray()) {
        for (const auto& opt : a["selection"].GetArray())
          if (opt.IsArray() && opt.Size() == 2) f.selection.emplace_back(sv(opt[0]), sv(opt[1]));
      }
      def.fields.emplace(f.name, std::move(f));
    }
    if (auto d = delegations.find(model); d != delegations.end()) {
      def.inherits_model = d->second.first;
      def.inherits_field = d->second.second;
    }
    // Odoo 17 (from the 18 data): storable products are type "product" ("Storable Product", also in
    // detailed_type), there is no is_storable.
    if (odoo_version <= 17 && (model == "product.template" || model == "product.product")) {
      def.fields.erase("is_storable");
      if (auto t = def.fields.find("type"); t != def.fields.end()) {
        t->second.selection = {{"consu", "Consumable"}, {"service", "Service"}, {"product", "Storable Product"}};
        FieldDef detailed = t->second;
        detailed.name = "detailed_type";
        detailed.string = "Product Type";
        def.fields.emplace(detailed.name, std::move(detailed));
      }
    }
    db.models_.emplace(model, std::move(def));
  }
  for (const auto& entry : fs::directory_iterator(fs::path(dir) / "records")) {
    const std::string model = entry.path().stem().string();
    Doc records = parse_file(entry.path());
    Table& t = db.tables_[model];
    for (auto& r : records.GetArray()) {
      Doc row;
      row.SetObject();
      std::int64_t id = r["id"].GetInt64();
      for (auto& m : r.GetObject()) {
        Val value;
        // A many2one arrives as [id, "name"]: keep the id, the name is computed when read.
        if (m.value.IsArray() && m.value.Size() == 2 && m.value[0].IsInt64() && m.value[1].IsString()) {
          const auto& def = db.models_[model];
          auto f = def.fields.find(sv(m.name));
          if (f != def.fields.end() && f->second.type == "many2one") {
            value.SetInt64(m.value[0].GetInt64());
          } else {
            value.CopyFrom(m.value, row.GetAllocator());
          }
        } else {
          value.CopyFrom(m.value, row.GetAllocator());
        }
        row.AddMember(Val(sv(m.name).c_str(), row.GetAllocator()), value, row.GetAllocator());
      }
      if (odoo_version <= 17 && (model == "product.template" || model == "product.product")) {
        const bool storable =
            row.HasMember("is_storable") && row["is_storable"].IsBool() && row["is_storable"].GetBool();
        if (row.HasMember("is_storable")) row.RemoveMember("is_storable");
        if (storable && row.HasMember("type")) row["type"].SetString("product");
        if (row.HasMember("type")) {
          Val detailed;
          detailed.CopyFrom(row["type"], row.GetAllocator());
          row.AddMember("detailed_type", detailed, row.GetAllocator());
        }
      }
      t.rows.emplace(id, std::move(row));
      t.next_id = std::max(t.next_id, id + 1);
    }
  }
  db.seed_images();
  return db;
}

const ModelDef* Database::model(std::string_view name) const {
  auto it = models_.find(name);
  return it == models_.end() ? nullptr : &it->second;
}

const ModelDef& Database::require_model(const std::string& model) const {
  auto it = models_.find(model);
  if (it == models_.end()) {
    if (version_ >= 19) raise("werkzeug.exceptions.NotFound", fmt::format("the model '{}' does not exist", model), 404);
    raise("odoo.exceptions.UserError", fmt::format("Object {} doesn't exist", model), 422);
  }
  return it->second;
}

const FieldDef& Database::require_field(const ModelDef& m, std::string_view field, std::string_view where) const {
  auto it = m.fields.find(field);
  if (it == m.fields.end()) value_error(fmt::format("Invalid field '{}' on model '{}'{}", field, m.name, where));
  return it->second;
}

// --- clock and transactions -------------------------------------------------------------------------

namespace {
std::int64_t system_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

std::int64_t Clock::now_us() const {
  std::lock_guard lock(mutex_);
  return frozen_ ? frozen_at_ : system_us() + offset_;
}
void Clock::freeze(std::int64_t us) {
  std::lock_guard lock(mutex_);
  frozen_ = true;
  frozen_at_ = us;
}
void Clock::advance(std::int64_t us) {
  std::lock_guard lock(mutex_);
  if (frozen_)
    frozen_at_ += us;
  else
    offset_ += us;
}
void Clock::run() {
  std::lock_guard lock(mutex_);
  if (!frozen_) return;
  offset_ = frozen_at_ - system_us();
  frozen_ = false;
}
bool Clock::frozen() const {
  std::lock_guard lock(mutex_);
  return frozen_;
}

std::string format_datetime_us(std::int64_t us) {
  const std::int64_t secs = us >= 0 ? us / 1'000'000 : (us - 999'999) / 1'000'000;
  const std::int64_t frac = us - secs * 1'000'000;
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

std::optional<std::int64_t> parse_datetime_us(std::string_view text) {
  // YYYY-MM-DD[( |T)HH:MM[:SS[.f{1,6}]]]
  auto digits = [&](std::size_t pos, std::size_t n, int& out) {
    if (pos + n > text.size()) return false;
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(0, 4, y) || text.size() < 10 || text[4] != '-' || !digits(5, 2, mo) || text[7] != '-' ||
      !digits(8, 2, d)) {
    return std::nullopt;
  }
  std::int64_t frac = 0;
  if (text.size() > 10) {
    if ((text[10] != ' ' && text[10] != 'T') || !digits(11, 2, h) || text.size() < 16 || text[13] != ':' ||
        !digits(14, 2, mi)) {
      return std::nullopt;
    }
    if (text.size() > 16) {
      if (text[16] != ':' || !digits(17, 2, sec)) return std::nullopt;
      if (text.size() > 19) {
        if (text[19] != '.' || text.size() > 26 || text.size() == 20) return std::nullopt;
        int f = 0;
        if (!digits(20, text.size() - 20, f)) return std::nullopt;
        frac = f;
        for (std::size_t i = text.size() - 20; i < 6; ++i) frac *= 10;
      }
    }
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  // days from the civil date (Howard Hinnant's algorithm, written out)
  const int yy = mo <= 2 ? y - 1 : y;
  const int era = (yy >= 0 ? yy : yy - 399) / 400;
  const int yoe = yy - era * 400;
  const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
  return ((days * 24 + h) * 60 + mi) * 60'000'000LL + static_cast<std::int64_t>(sec) * 1'000'000 + frac;
}

void Database::begin(std::int64_t stamp_us, std::optional<std::int64_t> snapshot_xmlids_below) {
  txn_us_ = stamp_us;
  snapshot_xmlids_below_ = snapshot_xmlids_below;
}

std::string Database::now_us() const { return format_datetime_us(txn_us_ ? txn_us_ : clock_->now_us()); }

std::string Database::now() const { return now_us().substr(0, 19); }

std::int64_t Database::next_id(const std::string& model) const {
  auto t = tables_.find(model);
  return t == tables_.end() ? 1 : t->second.next_id;
}

void Database::mark(const std::string& model, std::int64_t id, const char* key, std::int64_t value) {
  auto t = tables_.find(model);
  if (t == tables_.end() || !t->second.rows.count(id)) return;
  Doc& row = t->second.rows.at(id);
  if (auto m = row.FindMember(key); m != row.MemberEnd())
    m->value.SetInt64(value);
  else
    row.AddMember(Val(key, row.GetAllocator()), Val(value), row.GetAllocator());
}

std::optional<std::int64_t> Database::mark_of(const std::string& model, std::int64_t id, const char* key) const {
  auto t = tables_.find(model);
  if (t == tables_.end()) return std::nullopt;
  auto r = t->second.rows.find(id);
  if (r == t->second.rows.end()) return std::nullopt;
  auto m = r->second.FindMember(key);
  if (m == r->second.MemberEnd() || !m->value.IsInt64()) return std::nullopt;
  return m->value.GetInt64();
}

bool Context::flag(const char* key) const {
  if (!raw || !raw->IsObject()) return false;
  auto m = raw->FindMember(key);
  if (m == raw->MemberEnd()) return false;
  const Val& v = m->value;
  if (v.IsBool()) return v.GetBool();
  if (v.IsNumber()) return v.GetDouble() != 0;
  if (v.IsString()) return v.GetStringLength() > 0;
  if (v.IsArray()) return !v.Empty();
  return v.IsObject();
}

std::vector<std::int64_t> Context::ids(const char* key) const {
  std::vector<std::int64_t> out;
  if (!raw || !raw->IsObject()) return out;
  auto m = raw->FindMember(key);
  if (m == raw->MemberEnd()) return out;
  if (m->value.IsInt64()) out.push_back(m->value.GetInt64());
  if (m->value.IsArray())
    for (const auto& x : m->value.GetArray())
      if (x.IsInt64()) out.push_back(x.GetInt64());
  return out;
}

bool Database::exists(const std::string& model, std::int64_t id) const {
  auto t = tables_.find(model);
  return t != tables_.end() && t->second.rows.count(id) > 0;
}

std::size_t Database::count(const std::string& model) const {
  auto t = tables_.find(model);
  return t == tables_.end() ? 0 : t->second.rows.size();
}

const Val* Database::field_value(const std::string& model, std::int64_t id, std::string_view field) const {
  auto t = tables_.find(model);
  if (t == tables_.end()) return nullptr;
  auto r = t->second.rows.find(id);
  if (r == t->second.rows.end()) return nullptr;
  auto m =
      r->second.FindMember(Val(rapidjson::StringRef(field.data(), static_cast<rapidjson::SizeType>(field.size()))));
  if (m != r->second.MemberEnd()) return &m->value;
  const ModelDef* def = this->model(model);
  if (def && !def->inherits_model.empty()) {
    const Val* parent = field_value(model, id, def->inherits_field);
    if (parent && parent->IsInt64()) return field_value(def->inherits_model, parent->GetInt64(), field);
  }
  return nullptr;
}

std::string Database::display_name(const std::string& model, std::int64_t id) const {
  if (model == "product.product") {
    const Val* code = field_value(model, id, "default_code");
    const Val* name = field_value(model, id, "name");
    std::string n = name ? sv(*name) : std::string();
    return truthy(code) ? fmt::format("[{}] {}", sv(*code), n) : n;
  }
  for (const char* key : {"complete_name", "name"}) {
    const Val* v = field_value(model, id, key);
    if (truthy(v) && v->IsString()) return sv(*v);
  }
  if (model == "stock.quant") {
    const Val* p = field_value(model, id, "product_id");
    if (p && p->IsInt64()) return display_name("product.product", p->GetInt64());
  }
  return fmt::format("{},{}", model, id);
}

// --- domains ------------------------------------------------------------------------------------------

namespace {
// Evaluates prefix-notation domains; leftover terms are joined with an implicit "&", as Odoo does.
template <class Leaf>
bool eval_prefix(const Val& domain, rapidjson::SizeType& i, Leaf&& leaf) {
  if (i >= domain.Size()) value_error("Invalid domain: an operator is missing its operands");
  const Val& item = domain[i++];
  if (item.IsString()) {
    std::string op = sv(item);
    if (op == "!") return !eval_prefix(domain, i, leaf);
    if (op == "&" || op == "|") {
      bool a = eval_prefix(domain, i, leaf);
      bool b = eval_prefix(domain, i, leaf);
      return op == "&" ? a && b : a || b;
    }
    value_error(fmt::format("Invalid domain operator {}", repr(item)));
  }
  return leaf(item);
}
}  // namespace

// Odoo reads a domain before any record (18: expression.normalize_domain, 19: Domain()): an operator left
// without its operands, as in [A, "!"] (a complete expression, then an implicitly AND-ed one that never
// completes), is a ValueError whatever the table holds. Checked on real Odoo 18 and 19 (issue 15).
void Database::check_domain(const Val& domain) const {
  if (!domain.IsArray() || domain.Empty()) return;  // [] is every record
  int expected = 1;
  for (const auto& item : domain.GetArray()) {
    if (expected == 0) expected = 1;
    if (item.IsString()) {
      const std::string op = sv(item);
      if (op == "&" || op == "|")
        ++expected;
      else if (op != "!")
        --expected;  // an unknown operator is refused when evaluated, with its own message
    } else {
      --expected;
    }
  }
  if (expected != 0) {
    value_error(version_ >= 19 ? fmt::format("Domain() malformed domain {}", repr(domain))
                               : fmt::format("Domain {} is syntactically not correct.", repr(domain)));
  }
}

bool Database::matches(const std::string& model, std::int64_t id, const Val& domain, const Context& ctx) const {
  if (!domain.IsArray()) value_error("Invalid domain: " + repr(domain));
  rapidjson::SizeType i = 0;
  bool all = true;
  while (i < domain.Size()) {
    bool r = eval_prefix(domain, i, [&](const Val& term) { return eval_term(model, id, term, ctx); });
    all = all && r;
  }
  return all;
}

bool Database::eval_term(const std::string& model, std::int64_t id, const Val& term, const Context& ctx) const {
  if (term.IsBool()) return term.GetBool();
  if (!term.IsArray() || term.Size() != 3 || !term[1].IsString()) value_error("Invalid leaf " + repr(term));
  if (term[0].IsInt64()) {  // (1, '=', 1) / (0, '=', 1): TRUE_LEAF / FALSE_LEAF
    return term[0].GetInt64() == (term[2].IsInt64() ? term[2].GetInt64() : -1);
  }
  const std::string path = sv(term[0]);
  const std::string op = sv(term[1]);
  const Val& value = term[2];
  const ModelDef& def = require_model(model);
  const auto dot = path.find('.');
  const std::string head = path.substr(0, dot);
  auto fit = def.fields.find(head);
  if (head != "id" && fit == def.fields.end()) {
    value_error(fmt::format("Invalid field {}.{} in leaf ('{}', '{}', {})", model, head, path, op, repr(value)));
  }
  if (head == "id") {
    std::vector<std::int64_t> ids;
    if (value.IsArray()) {
      for (const auto& x : value.GetArray())
        if (x.IsInt64()) ids.push_back(x.GetInt64());
    }
    const double v = value.IsNumber() ? value.GetDouble() : 0;
    const double x = static_cast<double>(id);
    if (op == "=") return value.IsNumber() ? x == v : false;
    if (op == "!=") return value.IsNumber() ? x != v : true;
    if (op == "<") return x < v;
    if (op == "<=") return x <= v;
    if (op == ">") return x > v;
    if (op == ">=") return x >= v;
    if (op == "in") return std::find(ids.begin(), ids.end(), id) != ids.end();
    if (op == "not in") return std::find(ids.begin(), ids.end(), id) == ids.end();
    if (op == "child_of" || op == "parent_of") return value.IsInt64() && value.GetInt64() == id;
    value_error(fmt::format("Invalid operator {} for id", op));
  }
  const FieldDef& f = fit->second;
  const Val* stored = field_value(model, id, head);
  Context sub = ctx;
  sub.active_test = false;

  // Through a relation: the rest of the path is a condition on the related records.
  if (dot != std::string::npos || op == "any" || op == "not any") {
    if (f.relation.empty()) value_error(fmt::format("Invalid path {} on {}", path, model));
    std::vector<std::int64_t> related;
    if (f.type == "many2one") {
      if (stored && stored->IsInt64()) related.push_back(stored->GetInt64());
    } else {
      Doc list;
      Val out;
      format_value(f, stored, false, out, list.GetAllocator());
      if (f.type == "one2many") {
        // computed from the inverse many2one
        static const std::map<std::int64_t, Doc> none;
        auto rel = tables_.find(f.relation);
        for (const auto& [rid, row] : rel != tables_.end() ? rel->second.rows : none) {
          for (const auto& [fname, fdef] : models_.at(f.relation).fields) {
            if (fdef.type == "many2one" && fdef.relation == model) {
              auto m = row.FindMember(fname.c_str());
              if (m != row.MemberEnd() && m->value.IsInt64() && m->value.GetInt64() == id) related.push_back(rid);
              break;
            }
          }
        }
      } else if (out.IsArray()) {
        for (const auto& x : out.GetArray()) related.push_back(x.GetInt64());
      }
    }
    bool any = false;
    if (op == "any" || op == "not any") {
      for (auto rid : related)
        if (matches(f.relation, rid, value, sub)) any = true;
      return op == "any" ? any : !any;
    }
    Doc leaf;
    leaf.SetArray();
    leaf.PushBack(Val(path.substr(dot + 1).c_str(), leaf.GetAllocator()), leaf.GetAllocator());
    leaf.PushBack(Val(op.c_str(), leaf.GetAllocator()), leaf.GetAllocator());
    leaf.PushBack(Val(value, leaf.GetAllocator()), leaf.GetAllocator());
    const bool negative = op == "!=" || op == "not in" || op == "not like" || op == "not ilike";
    if (related.empty()) return negative;
    for (auto rid : related)
      if (eval_term(f.relation, rid, leaf, sub)) any = true;
    return any;
  }

  if (op == "child_of" || op == "parent_of") {
    std::vector<std::int64_t> targets;
    if (value.IsInt64()) targets.push_back(value.GetInt64());
    if (value.IsArray())
      for (const auto& x : value.GetArray())
        if (x.IsInt64()) targets.push_back(x.GetInt64());
    if (!stored || !stored->IsInt64()) return false;
    // walk up parent_id from the stored record (child_of) or from the target (parent_of)
    auto ancestors = [&](std::int64_t start) {
      std::vector<std::int64_t> chain;
      for (std::int64_t cur = start; cur && chain.size() < 64;) {
        chain.push_back(cur);
        const Val* p = field_value(f.relation, cur, "parent_id");
        cur = p && p->IsInt64() ? p->GetInt64() : 0;
      }
      return chain;
    };
    for (auto t : targets) {
      auto chain = op == "child_of" ? ancestors(stored->GetInt64()) : ancestors(t);
      const std::int64_t needle = op == "child_of" ? t : stored->GetInt64();
      if (std::find(chain.begin(), chain.end(), needle) != chain.end()) return true;
    }
    return false;
  }

  // Compare a stored scalar (or a many2one / x2many) with the value.
  // A stored false is "not set" for every type but boolean (Odoo answers false for empty char fields).
  const bool empty =
      !truthy(stored) && !(stored && stored->IsNumber()) && !(stored && stored->IsBool() && f.type == "boolean");
  auto text_of = [&]() -> std::string {
    if (f.type == "many2one") return stored && stored->IsInt64() ? display_name(f.relation, stored->GetInt64()) : "";
    return stored && stored->IsString() ? sv(*stored) : "";
  };
  auto number_of = [&]() -> double {
    if (!stored) return 0;
    if (stored->IsNumber()) return stored->GetDouble();
    if (stored->IsBool()) return stored->GetBool() ? 1 : 0;
    return 0;
  };
  if (op == "=like" || op == "=ilike" || op == "like" || op == "ilike" || op == "not like" || op == "not ilike") {
    if (value.IsBool() && !value.GetBool()) return op.starts_with("not") ? !empty : empty;
    std::string pattern = value.IsString() ? sv(value) : repr(value);
    const bool insensitive = op.find("ilike") != std::string::npos;
    const bool wrap = op[0] != '=';
    std::string subject = text_of();
    if (insensitive) {
      pattern = lower(pattern);
      subject = lower(subject);
    }
    if (wrap) pattern = "%" + pattern + "%";
    const bool m = !empty && like_match(subject, pattern);
    return op.starts_with("not") ? !m : m;
  }
  if (op == "in" || op == "not in") {
    bool found = false;
    if (!value.IsArray()) value_error(fmt::format("The operator '{}' needs a list, got {}", op, repr(value)));
    for (const auto& x : value.GetArray()) {
      if (x.IsBool() && !x.GetBool() && empty)
        found = true;
      else if (f.type == "many2one" && x.IsInt64() && stored && stored->IsInt64() && stored->GetInt64() == x.GetInt64())
        found = true;
      else if ((f.type == "many2many" || f.type == "one2many") && x.IsInt64() && stored && stored->IsArray()) {
        for (const auto& s : stored->GetArray())
          if (s.IsInt64() && s.GetInt64() == x.GetInt64()) found = true;
      } else if (x.IsString() && stored && stored->IsString() && sv(*stored) == sv(x))
        found = true;
      else if (x.IsNumber() && stored && stored->IsNumber() && stored->GetDouble() == x.GetDouble())
        found = true;
    }
    return op == "in" ? found : !found;
  }
  // =, !=, <, <=, >, >=, =?
  if (op == "=?" && (value.IsNull() || (value.IsBool() && !value.GetBool()))) return true;
  const std::string cmp = op == "=?" ? "=" : op;
  if (value.IsBool() && f.type != "boolean") {  // `= False` means "is empty"
    const bool want_empty = !value.GetBool();
    if (cmp == "=") return want_empty ? empty : !empty;
    if (cmp == "!=") return want_empty ? !empty : empty;
  }
  int order = 0;
  if (f.type == "many2one") {
    if (value.IsInt64()) {
      if (!stored || !stored->IsInt64()) return cmp == "!=";
      const auto a = stored->GetInt64(), b = value.GetInt64();
      order = a < b ? -1 : a > b ? 1 : 0;
    } else if (value.IsString()) {  // a name: Odoo runs name_search
      bool m = !empty && lower(text_of()).find(lower(sv(value))) != std::string::npos;
      return cmp == "!=" ? !m : m;
    }
  } else if (f.type == "boolean") {
    const bool a = truthy(stored), b = value.IsBool() ? value.GetBool() : truthy(&value);
    order = a == b ? 0 : (a ? 1 : -1);
  } else if (value.IsNumber()) {
    const double a = number_of(), b = value.GetDouble();
    if (empty && !stored) return cmp == "!=";
    order = a < b ? -1 : a > b ? 1 : 0;
  } else if (value.IsString() && f.type == "datetime") {
    if (empty) return cmp == "!=";
    std::string text = sv(value);
    // 17/18 (expression.py): a date alone becomes its last second for > and <=, its first otherwise;
    // a full datetime goes to SQL as it is and meets the stored microseconds, so 10:00:00.5 is after
    // '10:00:00' and not equal to it.
    if (text.size() == 10) text += (cmp == ">" || cmp == "<=") && version_ < 19 ? " 23:59:59" : " 00:00:00";
    auto a = parse_datetime_us(text_of()), b = parse_datetime_us(text);
    if (!b) value_error(fmt::format("time data {} does not match format '%Y-%m-%d %H:%M:%S'", repr(value)));
    if (!a) return cmp == "!=";
    if (version_ >= 19) {
      // 19 (domains.py _optimize_type_datetime): whole seconds; > X is >= X+1s, = X is [X, X+1s)
      *a -= ((*a % 1'000'000) + 1'000'000) % 1'000'000;
      *b -= ((*b % 1'000'000) + 1'000'000) % 1'000'000;
    }
    order = *a < *b ? -1 : *a > *b ? 1 : 0;
  } else if (value.IsString()) {
    if (empty) return cmp == "!=";
    const std::string a = text_of(), b = sv(value);
    order = a < b ? -1 : a > b ? 1 : 0;
  } else {
    return false;
  }
  if (cmp == "=") return order == 0;
  if (cmp == "!=") return order != 0;
  if (cmp == "<") return order < 0;
  if (cmp == "<=") return order <= 0;
  if (cmp == ">") return order > 0;
  if (cmp == ">=") return order >= 0;
  value_error(fmt::format("Invalid leaf {}", repr(term)));
}

// _order of each model, from Odoo's source (the class that defines the model; the default is "id").
std::string Database::default_order(const std::string& model) const {
  static const std::map<std::string, std::string, std::less<>> orders = {
      {"account.journal", "sequence, type, code"},
      {"account.move", "date desc, name desc, invoice_date desc, id desc"},
      {"account.move.line", "date desc, move_name desc, id"},
      {"account.payment", "date desc, name desc"},
      {"account.tax", "sequence,id"},
      {"ir.model.data", "module, model, name"},
      {"mail.message", "id desc"},
      {"mail.message.subtype", "sequence, id"},
      {"pos.order", "date_order desc, name desc, id desc"},
      {"pos.payment.method", "sequence, id"},
      {"pos.session", "id desc"},
      {"product.category", "complete_name"},
      {"product.product", "is_favorite desc, default_code, name, id"},
      {"product.template", "is_favorite desc, name"},
      {"purchase.order", "priority desc, id desc"},
      {"purchase.order.line", "order_id, sequence, id"},
      {"res.company", "sequence, name"},
      {"res.currency", "active desc, name"},
      {"res.partner", "complete_name ASC, id DESC"},
      {"res.users", "name, login"},
      {"sale.order", "date_order desc, id desc"},
      {"sale.order.line", "order_id, sequence, id"},
      {"stock.location", "complete_name, id"},
      {"stock.move", "sequence, id"},
      {"stock.picking", "priority desc, scheduled_date asc, id desc"},
      {"stock.picking.type", "is_favorite desc, sequence, id"},
      {"stock.warehouse", "sequence,id"},
      {"uom.uom", "factor DESC, id"},
  };
  // what differs by version (research: /tmp/research/orders17.txt, orders19.txt)
  if (version_ <= 17) {
    if (model == "product.product") return "priority desc, default_code, name, id";
    if (model == "product.template") return "priority desc, name";
    if (model == "stock.picking.type") return "sequence, id";
  }
  if (version_ >= 19) {
    if (model == "product.product") return "default_code, name, id";
    if (model == "uom.uom") return "sequence, relative_uom_id, id";
  }
  auto it = orders.find(model);
  return it == orders.end() ? "id" : it->second;
}

std::vector<std::pair<std::string, bool>> Database::parse_order(const std::string& model, std::string_view order,
                                                                bool strict) const {
  const ModelDef& def = require_model(model);
  std::vector<std::pair<std::string, bool>> keys;
  std::stringstream ss{std::string(order)};
  std::string part;
  while (std::getline(ss, part, ',')) {
    std::stringstream ps(part);
    std::string name, dir;
    ps >> name >> dir;
    if (name.empty()) continue;
    if (name != "id" && !def.fields.count(name)) {
      if (!strict) continue;  // a default order naming a field this version's export lacks
      value_error(fmt::format("Invalid field '{}' on model '{}'", name, model));
    }
    keys.emplace_back(name, lower(dir) == "desc");
  }
  return keys;
}

void Database::sort_keys(const std::string& model, std::int64_t id, std::string_view order, bool reverse, int depth,
                         std::vector<SortPart>& out) const {
  const ModelDef& def = require_model(model);
  for (const auto& [name, desc_asked] : parse_order(model, order, false)) {
    const bool desc = desc_asked != reverse;
    if (name == "id") {
      out.push_back({false, true, desc, static_cast<double>(id), {}});
      continue;
    }
    const FieldDef& f = def.fields.at(name);
    const Val* v = field_value(model, id, name);
    if (f.type == "many2one") {
      const bool set = v && v->IsInt64() && v->GetInt64() > 0;
      const std::string co = default_order(f.relation);
      if (co == "id" || depth >= 3) {  // ordered by the raw id (Odoo stops at a many2one already seen)
        out.push_back({!set, true, desc, set ? static_cast<double>(v->GetInt64()) : 0.0, {}});
      } else if (set && exists(f.relation, v->GetInt64())) {
        sort_keys(f.relation, v->GetInt64(), co, desc, depth + 1, out);
      } else {  // LEFT JOIN on nothing: every column of the comodel's order is NULL
        std::vector<SortPart> shape;
        sort_keys(f.relation, 0, co, desc, depth + 1, shape);
        for (auto& p : shape) {
          p.null = true;
          out.push_back(p);
        }
      }
      continue;
    }
    SortPart p;
    p.desc = desc;
    if (f.type == "boolean") {  // COALESCE(field, FALSE)
      p.null = false;
      p.number = true;
      p.num = v && v->IsBool() && v->GetBool() ? 1 : 0;
    } else if (f.type == "integer" || f.type == "many2one_reference" || f.type == "float" || f.type == "monetary") {
      p.number = true;
      p.null = !v || !v->IsNumber();
      p.num = p.null ? 0 : v->GetDouble();
    } else if (f.type == "datetime") {
      // full precision: what is stored, not what is read
      const auto us = v && v->IsString() ? parse_datetime_us(sv(*v)) : std::nullopt;
      p.number = true;
      p.null = !us;
      p.num = us ? static_cast<double>(*us) : 0;
    } else {
      p.null = !v || !v->IsString();
      if (!p.null) p.text = sv(*v);
    }
    out.push_back(std::move(p));
  }
}

std::vector<std::int64_t> Database::search_ids(const std::string& model, const Val& domain, std::int64_t offset,
                                               std::optional<std::int64_t> limit, std::string_view order,
                                               const Context& ctx) const {
  const ModelDef& def = require_model(model);
  check_domain(domain);
  const bool filter_active =
      ctx.active_test && def.fields.count("active") > 0 && dump(domain).find("\"active\"") == std::string::npos;
  std::vector<std::int64_t> ids;
  auto t = tables_.find(model);
  if (t != tables_.end()) {
    for (const auto& [id, row] : t->second.rows) {
      if (filter_active) {
        const Val* a = field_value(model, id, "active");
        if (a && a->IsBool() && !a->GetBool()) continue;
      }
      if (matches(model, id, domain, ctx)) ids.push_back(id);
    }
  }
  // Odoo's order: the one asked for, else the model's _order; id breaks the remaining ties.
  const std::string spec = order.empty() ? default_order(model) : std::string(order);
  if (!order.empty()) parse_order(model, spec, true);  // an unknown field is refused even when nothing matched
  if (ids.size() > 1) {
    std::vector<std::pair<std::vector<SortPart>, std::int64_t>> keyed;
    keyed.reserve(ids.size());
    for (auto id : ids) {
      std::vector<SortPart> k;
      sort_keys(model, id, spec, false, 0, k);
      keyed.emplace_back(std::move(k), id);
    }
    auto compare = [](const SortPart& x, const SortPart& y) {
      int c = 0;
      if (x.null != y.null)
        c = x.null ? 1 : -1;  // NULL is larger than any value
      else if (!x.null && x.number)
        c = x.num < y.num ? -1 : x.num > y.num ? 1 : 0;
      else if (!x.null)
        c = x.text < y.text ? -1 : x.text > y.text ? 1 : 0;
      return x.desc ? -c : c;
    };
    std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
      const std::size_t n = std::min(a.first.size(), b.first.size());
      for (std::size_t i = 0; i < n; ++i) {
        const int c = compare(a.first[i], b.first[i]);
        if (c != 0) return c < 0;
      }
      return a.second < b.second;
    });
    for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = keyed[i].second;
  }
  std::vector<std::int64_t> page;
  for (std::size_t i = static_cast<std::size_t>(std::max<std::int64_t>(0, offset)); i < ids.size(); ++i) {
    if (limit && static_cast<std::int64_t>(page.size()) >= *limit) break;
    page.push_back(ids[i]);
  }
  return page;
}

void Database::search(const std::string& model, const Val& domain, std::int64_t offset,
                      std::optional<std::int64_t> limit, std::string_view order, const Context& ctx, Doc& out) const {
  out.SetArray();
  for (auto id : search_ids(model, domain, offset, limit, order, ctx)) out.PushBack(Val(id), out.GetAllocator());
}

std::int64_t Database::search_count(const std::string& model, const Val& domain, const Context& ctx) const {
  return static_cast<std::int64_t>(search_ids(model, domain, 0, std::nullopt, "", ctx).size());
}

// --- reading ------------------------------------------------------------------------------------------

void Database::format_value(const FieldDef& f, const Val* stored, bool classic_m2o, Val& out, Alloc& a) const {
  const std::string& t = f.type;
  if (t == "one2many" || t == "many2many") {
    out.SetArray();
    if (stored && stored->IsArray())
      for (const auto& x : stored->GetArray()) out.PushBack(Val(x, a), a);
    return;
  }
  if (t == "many2one") {
    if (stored && stored->IsInt64() && stored->GetInt64() > 0) {
      if (!classic_m2o) {
        out.SetInt64(stored->GetInt64());
        return;
      }
      out.SetArray();
      out.PushBack(Val(stored->GetInt64()), a);
      out.PushBack(Val(display_name(f.relation, stored->GetInt64()).c_str(), a), a);
      return;
    }
    out.SetBool(false);
    return;
  }
  if (stored && !stored->IsNull()) {
    if (t == "datetime" && stored->IsString() && stored->GetStringLength() > 19) {
      out.SetString(stored->GetString(), 19, a);  // stored with microseconds, read to the second
      return;
    }
    if ((t == "float" || t == "monetary") && stored->IsNumber()) {
      out.SetDouble(stored->GetDouble());
      return;
    }
    out.CopyFrom(*stored, a);
    return;
  }
  if (t == "integer" || t == "many2one_reference")
    out.SetInt64(0);
  else if (t == "float" || t == "monetary")
    out.SetDouble(0.0);
  else
    out.SetBool(false);
}

void Database::read(const std::string& model, const std::vector<std::int64_t>& ids, const Val* fields, bool classic_m2o,
                    Doc& out) const {
  const ModelDef& def = require_model(model);
  std::vector<const FieldDef*> wanted;
  if (fields && fields->IsArray() && !fields->Empty()) {
    for (const auto& f : fields->GetArray()) {
      const std::string name = sv(f);
      if (name == "id") continue;
      wanted.push_back(&require_field(def, name, ""));
    }
  } else {
    for (const auto& [name, f] : def.fields) wanted.push_back(&f);
  }
  out.SetArray();
  auto& a = out.GetAllocator();
  for (auto id : ids) {
    if (!exists(model, id)) continue;  // Odoo drops missing ids silently
    Val row(rapidjson::kObjectType);
    row.AddMember("id", Val(id), a);
    for (const FieldDef* f : wanted) {
      Val v;
      if (f->name == "display_name") {
        v.SetString(display_name(model, id).c_str(), a);
      } else {
        const Val* stored = field_value(model, id, f->name);
        Val computed;
        if (!stored && f->type != "one2many" && computed_value(model, id, *f, computed, a)) stored = &computed;
        if (!stored && f->type == "one2many") {
          // computed from the inverse many2one of the related model
          Doc ids_list;
          ids_list.SetArray();
          auto rel = tables_.find(f->relation);
          auto rdef = models_.find(f->relation);
          if (rel != tables_.end() && rdef != models_.end()) {
            std::string inverse;
            for (const auto& [fname, fdef] : rdef->second.fields)
              if (fdef.type == "many2one" && fdef.relation == model) {
                inverse = fname;
                break;
              }
            for (const auto& [rid, rrow] : rel->second.rows) {
              auto m = rrow.FindMember(inverse.c_str());
              if (!inverse.empty() && m != rrow.MemberEnd() && m->value.IsInt64() && m->value.GetInt64() == id)
                ids_list.PushBack(Val(rid), ids_list.GetAllocator());
            }
          }
          format_value(*f, &ids_list, classic_m2o, v, a);
        } else {
          format_value(*f, stored, classic_m2o, v, a);
        }
      }
      row.AddMember(Val(f->name.c_str(), a), v, a);
    }
    out.PushBack(row, a);
  }
}

void Database::search_read(const std::string& model, const Val& domain, const Val* fields, std::int64_t offset,
                           std::optional<std::int64_t> limit, std::string_view order, const Context& ctx,
                           Doc& out) const {
  read(model, search_ids(model, domain, offset, limit, order, ctx), fields, true, out);
}

// --- writing ------------------------------------------------------------------------------------------

void Database::set_field(const std::string& model, std::int64_t id, Doc& row, const FieldDef& f, const Val& v,
                         const Context& ctx) {
  auto& a = row.GetAllocator();
  Val stored;
  if (f.type == "many2one") {
    if (v.IsInt64())
      stored.SetInt64(v.GetInt64());
    else if (v.IsBool() && !v.GetBool())
      stored.SetBool(false);
    else if (v.IsArray())
      value_error(fmt::format("Expected singleton: {}({}, '{}')", f.relation, v.Size() ? repr(v[0]) : "",
                              v.Size() > 1 ? sv(v[1]) : ""));
    else
      value_error(fmt::format("Wrong value for {}.{}: {}", model, f.name, repr(v)));
  } else if (f.type == "selection") {
    if (!(v.IsBool() && !v.GetBool())) {
      const std::string s = sv(v);
      bool ok = false;
      for (const auto& [key, label] : f.selection) ok = ok || key == s;
      if (!v.IsString() || (!ok && !f.selection.empty()))
        value_error(fmt::format("Wrong value for {}.{}: {}", model, f.name, repr(v)));
    }
    stored.CopyFrom(v, a);
  } else if (f.type == "one2many" || f.type == "many2many") {
    std::vector<std::int64_t> current;
    if (auto m = row.FindMember(f.name.c_str()); m != row.MemberEnd() && m->value.IsArray())
      for (const auto& x : m->value.GetArray()) current.push_back(x.GetInt64());
    std::string inverse;
    if (f.type == "one2many") {
      for (const auto& [fname, fdef] : models_.at(f.relation).fields)
        if (fdef.type == "many2one" && fdef.relation == model) {
          inverse = fname;
          break;
        }
    }
    if (!v.IsArray()) value_error(fmt::format("Wrong value for {}.{}: {}", model, f.name, repr(v)));
    for (const auto& cmd : v.GetArray()) {
      if (cmd.IsInt64()) {  // a plain list of ids replaces the set
        if (&cmd == &v[0]) current.clear();
        current.push_back(cmd.GetInt64());
        continue;
      }
      if (!cmd.IsArray() || cmd.Size() == 0 || !cmd[0].IsInt64()) value_error("Invalid x2many command " + repr(cmd));
      const auto code = cmd[0].GetInt64();
      const std::int64_t target = cmd.Size() > 1 && cmd[1].IsInt64() ? cmd[1].GetInt64() : 0;
      if (code == 0) {
        Doc vals;
        if (cmd.Size() > 2 && cmd[2].IsObject())
          vals.CopyFrom(cmd[2], vals.GetAllocator());
        else
          vals.SetObject();
        if (!inverse.empty()) vals.AddMember(Val(inverse.c_str(), vals.GetAllocator()), Val(id), vals.GetAllocator());
        current.push_back(create_one(f.relation, vals, ctx));
      } else if (code == 1) {
        write(f.relation, {target}, cmd[2], ctx);
      } else if (code == 2) {
        unlink(f.relation, {target});
        std::erase(current, target);
      } else if (code == 3) {
        std::erase(current, target);
      } else if (code == 4) {
        if (std::find(current.begin(), current.end(), target) == current.end()) current.push_back(target);
      } else if (code == 5) {
        current.clear();
      } else if (code == 6) {
        current.clear();
        if (cmd.Size() > 2 && cmd[2].IsArray())
          for (const auto& x : cmd[2].GetArray()) current.push_back(x.GetInt64());
      } else {
        value_error("Invalid x2many command " + repr(cmd));
      }
    }
    if (f.type == "one2many") return;  // computed from the children's inverse field
    stored.SetArray();
    for (auto x : current) stored.PushBack(Val(x), a);
  } else if (f.type == "integer" || f.type == "many2one_reference") {
    if (!v.IsNumber() && !(v.IsBool() && !v.GetBool()))
      value_error(fmt::format("Wrong value for {}.{}: {}", model, f.name, repr(v)));
    stored.CopyFrom(v, a);
  } else if (f.type == "float" || f.type == "monetary") {
    if (v.IsNumber())
      stored.SetDouble(v.GetDouble());
    else if (v.IsBool() && !v.GetBool())
      stored.SetDouble(0.0);
    else
      value_error(fmt::format("Wrong value for {}.{}: {}", model, f.name, repr(v)));
  } else {
    stored.CopyFrom(v, a);
  }
  if (auto m = row.FindMember(f.name.c_str()); m != row.MemberEnd())
    m->value = stored;
  else
    row.AddMember(Val(f.name.c_str(), a), stored, a);
}

namespace {
// Stored fields Odoo computes when a create leaves them out (precompute), rather than defaults:
// default_get does not answer them (sale.order's default_get gives date_order, state and company_id).
bool precomputed(const std::string& model, const std::string& field) {
  static const std::set<std::pair<std::string, std::string>> fields = {{"sale.order", "user_id"},
                                                                       {"sale.order", "team_id"},
                                                                       {"sale.order", "currency_id"},
                                                                       {"sale.order", "warehouse_id"},
                                                                       {"sale.order", "validity_date"}};
  return fields.count({model, field}) > 0;
}

// Fields Odoo fills itself when a create leaves them out (a small, explicit set): defaults, and the
// precomputed fields above.
void default_for(const std::string& model, const FieldDef& f, Database& db, const Context& ctx, Val& out, Alloc& a,
                 std::int64_t id) {
  if (f.name == "company_id") {
    out.SetInt64(db.current_company(ctx));
  } else if (f.name == "validity_date" && model == "sale.order") {
    // today (in the user's time zone) plus the current company's quotation validity; none if 0
    Doc fields, company;
    fields.Parse(R"(["quotation_validity_days"])");
    db.read("res.company", {db.current_company(ctx)}, &fields, false, company);
    const Val* days = company.Empty() ? nullptr : &company[0]["quotation_validity_days"];
    const std::int64_t n = days && days->IsInt64() ? days->GetInt64() : 0;
    if (n > 0)
      out.SetString(
          format_datetime_us(*parse_datetime_us(db.context_today(ctx)) + n * 86'400'000'000LL).substr(0, 10).c_str(),
          a);
    else
      out.SetBool(false);
  } else if (f.name == "currency_id")
    out.SetInt64(1);
  else if (f.name == "user_id" || f.name == "create_uid" || f.name == "write_uid")
    out.SetInt64(2);
  else if (f.name == "active")
    out.SetBool(true);
  else if (f.name == "state" && !f.selection.empty())
    out.SetString(f.selection.front().first.c_str(), a);
  else if (f.name == "name" && model == "account.move")
    out.SetString("/", a);  // a draft has no number yet (_compute_name); posting gives it the journal's next
  else if (f.name == "name" && (model == "sale.order" || model == "stock.picking"))
    out.SetString(fmt::format("{}{:05}", model == "sale.order" ? "S" : "WH/OUT/", id).c_str(), a);
  else if (f.name == "date_order")
    out.SetString(db.now().c_str(), a);
  else if (f.name == "uom_id" || f.name == "uom_po_id" || f.name == "categ_id" || f.name == "warehouse_id")
    out.SetInt64(1);
  else if (f.name == "type" && model.starts_with("product."))
    out.SetString("consu", a);
  else
    out.SetNull();
}
}  // namespace

namespace {
// Required fields the emulator refuses to leave empty (NOT NULL in real Odoo, no default there either).
// Other required fields get a default or a value derived from the record, as Odoo's defaults and
// onchanges would give them.
bool enforced_required(const std::string& model, const std::string& field) {
  static const std::set<std::pair<std::string, std::string>> fields = {
      {"res.partner", "name"},         {"product.template", "name"},  {"sale.order", "partner_id"},
      {"sale.order.line", "order_id"}, {"stock.quant", "product_id"}, {"stock.quant", "location_id"},
      {"stock.location", "name"},      {"uom.uom", "name"},           {"product.category", "name"}};
  return fields.count({model, field}) > 0;
}
}  // namespace

// Values Odoo derives from others (defaults, onchanges, stored computes) for the retail models.
void Database::derive(const std::string& model, std::int64_t id) {
  auto t = tables_.find(model);
  if (t == tables_.end() || !t->second.rows.count(id)) return;
  Doc& row = t->second.rows.at(id);
  auto& a = row.GetAllocator();
  auto set_if_missing = [&](const char* key, Val v) {
    auto m = row.FindMember(key);
    if (m == row.MemberEnd())
      row.AddMember(Val(key, a), v, a);
    else if (m->value.IsNull() || (m->value.IsBool() && !m->value.GetBool()))
      m->value = v;
  };
  auto number = [&](const char* key) {
    auto m = row.FindMember(key);
    return m != row.MemberEnd() && m->value.IsNumber() ? m->value.GetDouble() : 0.0;
  };
  auto set_number = [&](const char* key, double v) {
    auto m = row.FindMember(key);
    if (m == row.MemberEnd())
      row.AddMember(Val(key, a), Val(v), a);
    else
      m->value.SetDouble(v);
  };
  if (model == "sale.order") {
    const Val* partner = field_value(model, id, "partner_id");
    if (partner && partner->IsInt64()) {
      set_if_missing("partner_invoice_id", Val(partner->GetInt64()));
      set_if_missing("partner_shipping_id", Val(partner->GetInt64()));
    }
    set_if_missing("date_order", Val(now().c_str(), a));
    // amounts: the sum of the lines (taxes are not modelled: total = untaxed)
    double untaxed = 0;
    std::vector<std::int64_t> order_lines;
    if (auto lines = tables_.find("sale.order.line"); lines != tables_.end()) {
      for (const auto& [lid, line] : lines->second.rows) {
        auto o = line.FindMember("order_id");
        if (o == line.MemberEnd() || !o->value.IsInt64() || o->value.GetInt64() != id) continue;
        order_lines.push_back(lid);
        auto sub = line.FindMember("price_subtotal");
        if (sub != line.MemberEnd() && sub->value.IsNumber()) untaxed += sub->value.GetDouble();
      }
    }
    set_number("amount_untaxed", untaxed);
    set_number("amount_total", untaxed);
    set_number("amount_tax", 0.0);
    derive_sale_statuses(id, order_lines);
  } else if (model == "stock.picking") {
    const Val* sale = field_value(model, id, "sale_id");
    if (sale && sale->IsInt64()) derive("sale.order", sale->GetInt64());
  } else if (model == "sale.order.line") {
    const Val* product = field_value(model, id, "product_id");
    if (product && product->IsInt64()) {
      const std::int64_t pid = product->GetInt64();
      set_if_missing("name", Val(display_name("product.product", pid).c_str(), a));
      // sale_stock: goods are delivered by stock moves, the rest is entered by hand
      const Val* type = field_value("product.product", pid, "type");
      const bool goods = type && (sv(*type) == "consu" || sv(*type) == "product");
      if (model_def_has(model, "qty_delivered_method"))
        set_if_missing("qty_delivered_method", Val(goods ? "stock_move" : "manual", a));
      const Val* price = field_value("product.product", pid, "list_price");
      if (!row.HasMember("price_unit"))
        row.AddMember("price_unit", Val(price && price->IsNumber() ? price->GetDouble() : 0.0), a);
      const Val* uom = field_value("product.product", pid, "uom_id");
      const char* uom_field = version_ >= 19 ? "product_uom_id" : "product_uom";
      if (uom && uom->IsInt64() && model_def_has(model, uom_field)) set_if_missing(uom_field, Val(uom->GetInt64()));
    }
    if (!row.HasMember("product_uom_qty")) row.AddMember("product_uom_qty", Val(1.0), a);
    const double subtotal = number("product_uom_qty") * number("price_unit") * (1.0 - number("discount") / 100.0);
    set_number("price_subtotal", subtotal);
    set_number("price_total", subtotal);
    const Val* order = field_value(model, id, "order_id");
    if (order && order->IsInt64()) derive("sale.order", order->GetInt64());
  }
}

bool Database::model_def_has(const std::string& model, const std::string& field) const {
  const ModelDef* m = this->model(model);
  return m && m->fields.count(field) > 0;
}

std::int64_t Database::create_one(const std::string& model, const Val& vals, const Context& ctx) {
  const ModelDef& def = require_model(model);
  if (!vals.IsObject()) value_error(fmt::format("Invalid values for {}: {}", model, repr(vals)));
  for (const auto& m : vals.GetObject()) require_field(def, sv(m.name), "");
  Table& t = tables_[model];
  const std::int64_t id = t.next_id;
  Doc row;
  row.SetObject();
  auto& a = row.GetAllocator();
  row.AddMember("id", Val(id), a);
  // _inherits: the parent record first, with the fields that live there.
  if (!def.inherits_model.empty() && !vals.HasMember(def.inherits_field.c_str())) {
    Doc parent_vals;
    parent_vals.SetObject();
    const ModelDef& pdef = require_model(def.inherits_model);
    for (const auto& m : vals.GetObject()) {
      auto own = def.fields.find(sv(m.name));
      if (pdef.fields.count(sv(m.name)) && (own == def.fields.end() || !own->second.store))
        parent_vals.AddMember(Val(m.name, parent_vals.GetAllocator()), Val(m.value, parent_vals.GetAllocator()),
                              parent_vals.GetAllocator());
    }
    const std::int64_t parent = create_one(def.inherits_model, parent_vals, ctx);
    row.AddMember(Val(def.inherits_field.c_str(), a), Val(parent), a);
  }
  t.next_id = id + 1;
  const std::string stamp = now_us();
  row.AddMember("create_date", Val(stamp.c_str(), a), a);
  row.AddMember("write_date", Val(stamp.c_str(), a), a);
  t.rows.emplace(id, std::move(row));
  Doc& stored = t.rows.at(id);
  try {
    for (const auto& m : vals.GetObject()) {
      const FieldDef& f = def.fields.at(sv(m.name));
      if (!def.inherits_model.empty() && !f.store && models_.at(def.inherits_model).fields.count(f.name)) continue;
      set_field(model, id, stored, f, m.value, ctx);
    }
    derive(model, id);
    for (const auto& [name, f] : def.fields) {
      if (!f.store || stored.HasMember(name.c_str()) || f.type == "one2many") continue;
      Val d;
      default_for(model, f, *this, ctx, d, stored.GetAllocator(), id);
      if (!d.IsNull()) {
        stored.AddMember(Val(name.c_str(), stored.GetAllocator()), d, stored.GetAllocator());
      } else if (f.required && enforced_required(model, name)) {
        if (version_ >= 19) {
          raise("odoo.exceptions.ValidationError",
                fmt::format("The operation cannot be completed: Missing required value for the field '{}' ({}).\n"
                            "Model: '{}' ({})\n- create/update: a mandatory field is not set\n- delete: another model "
                            "requires the record being deleted. If possible, archive it instead.",
                            f.string, name, model, model),
                422);
        }
        raise(
            "odoo.exceptions.ValidationError",
            fmt::format("The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n- Delete: "
                        "another model requires the record being deleted. If possible, archive it instead.\n\nModel: "
                        "{} ({})\nField: {} ({})\n",
                        model, model, f.string, name),
            422);
      }
    }
  } catch (...) {
    t.rows.erase(id);  // one transaction: nothing of a failed create stays
    throw;
  }
  return id;
}

std::vector<std::int64_t> Database::create(const std::string& model, const Val& vals_list, const Context& ctx) {
  std::vector<std::int64_t> ids;
  if (vals_list.IsArray()) {
    for (const auto& v : vals_list.GetArray()) ids.push_back(create_one(model, v, ctx));
  } else {
    ids.push_back(create_one(model, vals_list, ctx));
  }
  return ids;
}

void Database::write(const std::string& model, const std::vector<std::int64_t>& ids, const Val& vals,
                     const Context& ctx) {
  const ModelDef& def = require_model(model);
  if (!vals.IsObject()) value_error(fmt::format("Invalid values for {}: {}", model, repr(vals)));
  for (const auto& m : vals.GetObject()) require_field(def, sv(m.name), "");
  for (auto id : ids)
    if (!exists(model, id)) missing_error(model, id);
  const std::string stamp = now_us();
  for (auto id : ids) {
    Doc& row = tables_.at(model).rows.at(id);
    for (const auto& m : vals.GetObject()) {
      const FieldDef& f = def.fields.at(sv(m.name));
      if (!def.inherits_model.empty() && !f.store && models_.at(def.inherits_model).fields.count(f.name)) {
        const Val* parent = field_value(model, id, def.inherits_field);
        Doc one;
        one.SetObject();
        one.AddMember(Val(m.name, one.GetAllocator()), Val(m.value, one.GetAllocator()), one.GetAllocator());
        if (parent && parent->IsInt64()) write(def.inherits_model, {parent->GetInt64()}, one, ctx);
        continue;
      }
      set_field(model, id, row, f, m.value, ctx);
    }
    if (auto wd = row.FindMember("write_date"); wd != row.MemberEnd())
      wd->value.SetString(stamp.c_str(), row.GetAllocator());
    else
      row.AddMember("write_date", Val(stamp.c_str(), row.GetAllocator()), row.GetAllocator());
    derive(model, id);
  }
}

void Database::unlink(const std::string& model, const std::vector<std::int64_t>& ids) {
  require_model(model);
  for (auto id : ids)
    if (!exists(model, id)) missing_error(model, id);
  if (model == "sale.order") {
    for (auto id : ids) {
      const Val* st = field_value(model, id, "state");
      if (st && st->IsString() && sv(*st) == "sale") {
        raise("odoo.exceptions.UserError",
              "You can not delete a sent quotation or a confirmed sales order. You must first cancel it.", 422);
      }
    }
  }
  std::vector<std::int64_t> orders;
  if (model == "sale.order.line")
    for (auto id : ids)
      if (const Val* o = field_value(model, id, "order_id"); o && o->IsInt64()) orders.push_back(o->GetInt64());
  for (auto id : ids) tables_.at(model).rows.erase(id);
  for (auto o : orders) derive("sale.order", o);
}

std::int64_t Database::copy(const std::string& model, std::int64_t id, const Val* defaults, const Context& ctx) {
  const ModelDef& def = require_model(model);
  if (!exists(model, id)) missing_error(model, id);
  Doc vals;
  vals.SetObject();
  auto& a = vals.GetAllocator();
  for (const auto& m : tables_.at(model).rows.at(id).GetObject()) {
    const std::string name = sv(m.name);
    auto f = def.fields.find(name);
    if (name == "id" || f == def.fields.end() || !f->second.store || f->second.readonly || f->second.type == "one2many")
      continue;
    if (name == "create_date" || name == "write_date") continue;
    vals.AddMember(Val(m.name, a), Val(m.value, a), a);
  }
  if (vals.HasMember("name") && vals["name"].IsString() && (model == "res.partner" || model == "product.template"))
    vals["name"].SetString((sv(vals["name"]) + " (copy)").c_str(), a);
  if (defaults && defaults->IsObject())
    for (const auto& m : defaults->GetObject()) {
      if (vals.HasMember(m.name))
        vals[m.name].CopyFrom(m.value, a);
      else
        vals.AddMember(Val(m.name, a), Val(m.value, a), a);
    }
  return create_one(model, vals, ctx);
}

void Database::name_search(const std::string& model, std::string_view name, const Val* domain, std::string_view op,
                           std::int64_t limit, const Context& ctx, Doc& out) const {
  Doc empty;
  empty.SetArray();
  const Val& d = domain && domain->IsArray() ? *domain : static_cast<const Val&>(empty);
  out.SetArray();
  for (auto id : search_ids(model, d, 0, std::nullopt, "", ctx)) {
    const std::string dn = display_name(model, id);
    bool m = true;
    if (!name.empty()) {
      std::string pattern(name), subject = dn;
      if (op == "ilike" || op == "not ilike" || op == "=ilike") {
        pattern = lower(pattern);
        subject = lower(subject);
      }
      if (op == "=")
        m = subject == pattern;
      else if (op.starts_with("="))
        m = like_match(subject, pattern);
      else
        m = like_match(subject, "%" + pattern + "%");
      if (op.starts_with("not")) m = !m;
    }
    if (!m) continue;
    Val pair(rapidjson::kArrayType);
    pair.PushBack(Val(id), out.GetAllocator());
    pair.PushBack(Val(dn.c_str(), out.GetAllocator()), out.GetAllocator());
    out.PushBack(pair, out.GetAllocator());
    if (limit > 0 && static_cast<std::int64_t>(out.Size()) >= limit) break;
  }
}

void Database::fields_get(const std::string& model, const Val* allfields, const Val* attributes, Doc& out) const {
  const ModelDef& def = require_model(model);
  std::set<std::string> only, attrs;
  if (allfields && allfields->IsArray())
    for (const auto& f : allfields->GetArray()) only.insert(sv(f));
  if (attributes && attributes->IsArray())
    for (const auto& x : attributes->GetArray()) attrs.insert(sv(x));
  auto want = [&](const char* a) { return attrs.empty() || attrs.count(a); };
  out.SetObject();
  auto& a = out.GetAllocator();
  for (const auto& [name, f] : def.fields) {
    if (!only.empty() && !only.count(name)) continue;
    Val d(rapidjson::kObjectType);
    if (want("type")) d.AddMember("type", Val(f.type.c_str(), a), a);
    if (want("string")) d.AddMember("string", Val(f.string.c_str(), a), a);
    if (want("required")) d.AddMember("required", f.required, a);
    if (want("readonly")) d.AddMember("readonly", f.readonly, a);
    if (want("store")) d.AddMember("store", f.store, a);
    if (want("relation") && !f.relation.empty()) d.AddMember("relation", Val(f.relation.c_str(), a), a);
    if (want("selection") && f.type == "selection") {
      Val sel(rapidjson::kArrayType);
      for (const auto& [k, l] : f.selection) {
        Val p(rapidjson::kArrayType);
        p.PushBack(Val(k.c_str(), a), a);
        p.PushBack(Val(l.c_str(), a), a);
        sel.PushBack(p, a);
      }
      d.AddMember("selection", sel, a);
    }
    out.AddMember(Val(name.c_str(), a), d, a);
  }
}

void Database::default_get(const std::string& model, const Val& fields, const Context& ctx, Doc& out) const {
  const ModelDef& def = require_model(model);
  out.SetObject();
  if (!fields.IsArray()) return;
  for (const auto& x : fields.GetArray()) {
    const std::string name = sv(x);
    auto f = def.fields.find(name);
    if (f == def.fields.end() || !f->second.store || precomputed(model, name)) continue;
    Val d;
    default_for(model, f->second, const_cast<Database&>(*this), ctx, d, out.GetAllocator(), 0);
    if (f->second.name == "name") continue;  // sequences are given at create
    if (!d.IsNull()) out.AddMember(Val(name.c_str(), out.GetAllocator()), d, out.GetAllocator());
  }
}

void Database::read_group(const std::string& model, const Val& domain, const Val& fields, const Val& groupby, bool lazy,
                          const Context& ctx, Doc& out) const {
  const ModelDef& def = require_model(model);
  std::vector<std::string> groups;
  if (groupby.IsString()) groups.push_back(sv(groupby));
  if (groupby.IsArray())
    for (const auto& g : groupby.GetArray()) groups.push_back(sv(g));
  if (lazy && groups.size() > 1) groups.resize(1);
  std::vector<std::string> sums;
  if (fields.IsArray())
    for (const auto& f : fields.GetArray()) {
      std::string spec = sv(f);
      std::string name = spec.substr(0, spec.find(':'));
      auto it = def.fields.find(name);
      if (it != def.fields.end() &&
          (it->second.type == "float" || it->second.type == "integer" || it->second.type == "monetary"))
        sums.push_back(name);
    }
  std::map<std::vector<std::string>, std::vector<std::int64_t>> buckets;
  std::vector<std::vector<std::string>> order;
  for (auto id : search_ids(model, domain, 0, std::nullopt, "", ctx)) {
    std::vector<std::string> key;
    for (const auto& g : groups) {
      const Val* v = field_value(model, id, g);
      key.push_back(v ? dump(*v) : "false");
    }
    if (!buckets.count(key)) order.push_back(key);
    buckets[key].push_back(id);
  }
  out.SetArray();
  auto& a = out.GetAllocator();
  for (const auto& key : order) {
    const auto& ids = buckets[key];
    Val g(rapidjson::kObjectType);
    // __domain is Odoo's AND of the search domain and the group's conditions, in normalised prefix form:
    // one "&" fewer than the number of parts, then the parts.
    std::size_t leaves = 0;
    bool has_operators = false;
    if (domain.IsArray())
      for (const auto& item : domain.GetArray()) has_operators = has_operators || item.IsString();
    Val user(rapidjson::kArrayType);
    if (domain.IsArray() && !domain.Empty()) {
      if (!has_operators)
        for (rapidjson::SizeType i = 1; i < domain.Size(); ++i) user.PushBack("&", a);
      for (const auto& item : domain.GetArray()) user.PushBack(Val(item, a), a);
      ++leaves;
    }
    Val conds(rapidjson::kArrayType);
    for (std::size_t i = 0; i < groups.size(); ++i) {
      const FieldDef& f = def.fields.at(groups[i]);
      const Val* v = field_value(model, ids.front(), groups[i]);
      Val formatted;
      format_value(f, v, true, formatted, a);
      Val cond(rapidjson::kArrayType);
      cond.PushBack(Val(groups[i].c_str(), a), a);
      cond.PushBack("=", a);
      Val raw;
      if (v)
        raw.CopyFrom(*v, a);
      else
        raw.SetBool(false);
      cond.PushBack(raw, a);
      conds.PushBack(cond, a);
      ++leaves;
      g.AddMember(Val(groups[i].c_str(), a), formatted, a);
    }
    Val dom(rapidjson::kArrayType);
    for (std::size_t i = 1; i < leaves; ++i) dom.PushBack("&", a);
    for (auto& item : user.GetArray()) dom.PushBack(Val(item, a), a);
    for (auto& item : conds.GetArray()) dom.PushBack(Val(item, a), a);

    const std::string count_key = lazy ? groups.front() + "_count" : "__count";
    g.AddMember(Val(count_key.c_str(), a), Val(static_cast<std::int64_t>(ids.size())), a);
    for (const auto& s : sums) {
      double total = 0;
      for (auto id : ids) {
        const Val* v = field_value(model, id, s);
        if (v && v->IsNumber()) total += v->GetDouble();
      }
      g.AddMember(Val(s.c_str(), a), Val(total), a);
    }
    g.AddMember("__domain", dom, a);
    out.PushBack(g, a);
  }
}

void Database::snapshot(const std::string& model, Doc& out) const {
  out.SetArray();
  auto t = tables_.find(model);
  if (t == tables_.end()) return;
  for (const auto& [id, row] : t->second.rows) {
    Val copy;
    copy.CopyFrom(row, out.GetAllocator());
    out.PushBack(copy, out.GetAllocator());
  }
}

void Database::install_module(const std::string& name) {
  if (!known_module(name))
    throw std::runtime_error("unknown module '" + name + "' (the emulator knows stock_delivery)");
  auto picking = models_.find("stock.picking");
  if (picking == models_.end()) return;
  FieldDef ref;
  ref.name = "carrier_tracking_ref";
  ref.type = "char";
  ref.string = "Tracking Reference";
  picking->second.fields.emplace(ref.name, std::move(ref));
}

void Database::add_products(std::size_t n) {
  Context ctx;
  for (std::size_t i = 0; i < n; ++i) {
    Doc vals;
    vals.SetObject();
    auto& a = vals.GetAllocator();
    vals.AddMember("name", Val(fmt::format("Emulated product {}", i + 1).c_str(), a), a);
    vals.AddMember("default_code", Val(fmt::format("EMU-{:05}", i + 1).c_str(), a), a);
    vals.AddMember("barcode", Val(fmt::format("2{:012}", 100000 + i).c_str(), a), a);
    vals.AddMember("list_price", Val(5.0 + static_cast<double>(i % 200) * 0.25), a);
    vals.AddMember("sale_ok", true, a);
    create_one("product.product", vals, ctx);
  }
}

}  // namespace odoosync::emulator
