// The effects of retail events on Odoo (docs/mapping.md has the table and the reasons).
#include <odoosync/odoo/client.hpp>
#include <odoosync/retail/odoo_mapping.hpp>

#include <odoosync/core/json.hpp>
#include <odoosync/odoo/domain.hpp>
#include <odoosync/odoo/values.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <set>

namespace odoosync {
inline namespace v0 {
namespace retail {
namespace {

using odoo::Decimal;
using odoo::field;
using odoo::Values;

__extension__ typedef __int128 i128;

constexpr std::string_view inventory_mode = R"({"inventory_mode": true})";

Decimal dec(const Money& m) { return Decimal{m.minor_units(), static_cast<std::uint8_t>(m.currency().exponent())}; }
Decimal dec(const Quantity& q) { return Decimal{q.micro_units(), 6}; }

std::string str(const json::Value& v) { return std::string(json::text(v)); }

Error not_found(std::string message) { return Error(ErrorKind::not_found, std::move(message)); }

// 128 bits of FNV-1a over the members' (source, id): a stable name for a batch nobody named.
std::string derived_token(std::span<const Event* const> events) {
  std::uint64_t a = 14695981039346656037ull, b = 1099511628211ull ^ 0x9e3779b97f4a7c15ull;
  const auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      a = (a ^ c) * 1099511628211ull;
      b = (b ^ c) * 0x100000001b3ull + 0x632be59bd9b4e019ull;
    }
    a = (a ^ 0xff) * 1099511628211ull;
    b = (b ^ 0xfe) * 0x100000001b3ull;
  };
  for (const Event* e : events) {
    mix(e->source);
    mix(e->id);
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return buf;
}

// module.<prefix>_<key>, the key's characters outside [A-Za-z0-9-] written as _xx (hex): one key, one name.
std::string external_id(const MappingOptions& o, std::string_view prefix, std::string_view key) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string name = o.module + "." + std::string(prefix) + "_";
  for (unsigned char c : key) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
      name += static_cast<char>(c);
    } else {
      name += '_';
      name += hex[c >> 4];
      name += hex[c & 15];
    }
  }
  return name;
}

std::string ids_json(const std::vector<std::int64_t>& ids) {
  std::string s = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) s += (i ? "," : "") + std::to_string(ids[i]);
  return s + "]";
}

// --- a button's answer: it acted, or it answered with an action (a wizard) and did nothing ------------

// Odoo's button methods may return a window action instead of doing their work (sale.order.action_cancel
// opens the cancel wizard in 17 and 18, button_validate the backorder or SMS wizard): such an answer is
// an error here. Other actions (button_validate's print or reception report after it validated) and
// True, None or false say nothing either way: the engine's probe after the last step decides.
result<void> acted(const json::Document& answer, std::string_view model, std::string_view method,
                   const std::vector<std::int64_t>& ids) {
  if (!answer.IsObject()) return success();
  std::string type, target;
  if (const auto* t = json::find(answer, "type"); t && t->IsString()) type = str(*t);
  if (const auto* m = json::find(answer, "res_model"); m && m->IsString()) target = str(*m);
  if (type != "ir.actions.act_window") return success();
  return Error(
      ErrorKind::odoo,
      fmt::format("{}.{} on {} answered with an action{}{} instead of acting: Odoo did not do it", model, method,
                  ids_json(ids), type.empty() ? "" : " " + type, target.empty() ? "" : " (" + target + ")"));
}

result<void> act(Resolver& r, const std::string& model, const std::string& method, const std::vector<std::int64_t>& ids,
                 const std::string& context_json) {
  ODOOSYNC_TRY(answer, r.client().call_named(model, method, ids, "{}", {.context_json = context_json}));
  return acted(answer, model, method, ids);
}

// button_validate acts without a wizard: quantities are ours (no backorder is wanted), no SMS, and in 17
// no immediate-transfer question. The answer is still checked (an action is never "done").
std::string validate_context(const std::vector<std::int64_t>& ids) {
  return fmt::format(
      R"({{"skip_backorder": true, "picking_ids_not_to_backorder": {}, "skip_sms": true, "skip_immediate": true, "cancel_backorder": true}})",
      ids_json(ids));
}

// --- records created by `load` under our external ids, then acted on (confirm, validate, post) -------
//
// The external id is the token: `ir.model.data` has a unique index on (module, name), and `load` writes
// the record and its external id in one transaction, so a second attempt of the same effect, even one
// running at the same time as the first, fails on that index or finds the record; it never adds a second.

using Cells = std::vector<std::pair<std::string, std::string>>;  // column → cell, in load's text form

struct LoadRecord {
  std::string key;           // what the event calls it: the order number, the origin, the reference
  std::string xmlid;         // module.name
  Cells head;                // the record's own columns
  std::vector<Cells> lines;  // its one2many rows (spec.lines_field), in order
};

struct LoadThenActSpec {
  std::string model;
  std::string what;                      // "order", "transfer", "payment", "invoice", "refund"
  std::string lines_field;               // order_line, move_ids, invoice_line_ids; empty: none
  std::string action;                    // action_confirm, button_validate, action_post
  std::vector<std::string> done_states;  // states in which the action has happened
  std::function<std::string(const std::vector<std::int64_t>&)> action_context = [](const auto&) {
    return std::string("{}");
  };
  std::function<result<std::vector<LoadRecord>>(Resolver&)> build;
};

std::string cell(std::int64_t v) { return std::to_string(v); }
std::string cell(const Decimal& d) { return d.to_string(); }

// The load matrix: one row per record and line, continuation rows leave the record's columns empty.
std::pair<std::vector<std::string>, std::vector<std::vector<std::string>>> load_matrix(
    const std::vector<const LoadRecord*>& records, const std::string& lines_field) {
  std::vector<std::string> head_cols{"id"}, line_cols;
  const auto add = [](std::vector<std::string>& cols, const std::string& c) {
    if (std::find(cols.begin(), cols.end(), c) == cols.end()) cols.push_back(c);
  };
  for (const LoadRecord* rec : records) {
    for (const auto& [c, v] : rec->head) add(head_cols, c);
    for (const auto& line : rec->lines)
      for (const auto& [c, v] : line) add(line_cols, c);
  }
  // Each line has an external id of its own (the record's, _l1, _l2, ...): a load that meets the record
  // already there (it committed after our probe) updates the same lines instead of appending copies.
  if (!line_cols.empty()) line_cols.insert(line_cols.begin(), "id");
  std::vector<std::string> columns = head_cols;
  for (const auto& c : line_cols) {
    std::string column = lines_field;
    column += '/';
    column += c;
    columns.push_back(std::move(column));
  }
  std::vector<std::vector<std::string>> rows;
  for (const LoadRecord* rec : records) {
    const std::size_t n = std::max<std::size_t>(1, rec->lines.size());
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<std::string> row(columns.size());
      if (i == 0) {
        row[0] = rec->xmlid;
        for (const auto& [c, v] : rec->head)
          row[std::find(head_cols.begin(), head_cols.end(), c) - head_cols.begin()] = v;
      }
      if (i < rec->lines.size()) {
        row[head_cols.size()] = rec->xmlid + "_l" + std::to_string(i + 1);
        for (const auto& [c, v] : rec->lines[i])
          row[head_cols.size() + (std::find(line_cols.begin(), line_cols.end(), c) - line_cols.begin())] = v;
      }
      rows.push_back(std::move(row));
    }
  }
  return {std::move(columns), std::move(rows)};
}

// A load that Odoo refused because a concurrent attempt wrote the same external id first (the unique
// index of ir_model_data) or lost a serialization race: the effect may be there now, so it is a conflict
// (retried, and the retry probes first), not a bad row.
bool lost_a_race(const std::vector<odoo::LoadMessage>& messages) {
  for (const auto& m : messages) {
    const std::string& t = m.message;
    const bool model_data =
        t.find("ir_model_data") != std::string::npos || t.find("ir.model.data") != std::string::npos;
    if ((model_data && (t.find("unique") != std::string::npos || t.find("duplicate key") != std::string::npos ||
                        t.find("already exists") != std::string::npos)) ||
        t.find("could not serialize access") != std::string::npos) {
      return true;
    }
  }
  return false;
}

class LoadThenAct final : public OdooEffect {
 public:
  LoadThenAct(std::string token, LoadThenActSpec spec) : OdooEffect(std::move(token)), spec_(std::move(spec)) {}

  result<std::vector<PlannedCall>> plan(Resolver& r) override {
    ODOOSYNC_TRY(records, records_for(r));
    std::vector<const LoadRecord*> all;
    for (const auto& rec : records) all.push_back(&rec);
    auto [columns, rows] = load_matrix(all, spec_.lines_field);
    json::Writer w;
    w.begin_object().key("fields").begin_array();
    for (const auto& c : columns) w.string(c);
    w.end_array().key("data").begin_array();
    for (const auto& row : rows) {
      w.begin_array();
      for (const auto& c : row) w.string(c);
      w.end_array();
    }
    w.end_array().end_object();
    std::vector<PlannedCall> calls{{spec_.model, "load", std::string(w.unchecked_view())}};
    if (!spec_.action.empty())
      calls.push_back({spec_.model, spec_.action, "the ids loaded, context " + spec_.action_context({})});
    return calls;
  }

  result<EffectState> probe(Resolver& r) override {
    ODOOSYNC_TRY(records, records_for(r));
    ODOOSYNC_TRY(found, existing(r, records));
    std::string detail;
    std::size_t done = 0;
    for (const auto& rec : records) {
      auto it = found.find(rec.xmlid);
      if (!detail.empty()) detail += "; ";
      if (it == found.end()) {
        detail += fmt::format("{} {}: not in Odoo", spec_.what, rec.key);
      } else {
        detail +=
            fmt::format("{} {}: {} {} in state {}", spec_.what, rec.key, spec_.model, it->second.id, it->second.state);
        if (it->second.done) ++done;
      }
    }
    if (!spec_.done_states.empty()) detail += fmt::format(" (done when {})", fmt::join(spec_.done_states, " or "));
    detail_ = std::move(detail);
    if (found.empty()) return EffectState::absent;
    return done == records.size() ? EffectState::applied : EffectState::partial;
  }

  result<void> apply(Resolver& r, EffectState from) override {
    if (from == EffectState::applied) return success();
    ODOOSYNC_TRY(records, records_for(r));
    std::map<std::string, Found> found;
    if (from == EffectState::partial) {
      ODOOSYNC_TRY(f, existing(r, records));
      found = std::move(f);
    }
    std::vector<const LoadRecord*> missing;
    std::vector<std::int64_t> todo;
    for (const auto& rec : records) {
      auto it = found.find(rec.xmlid);
      if (it == found.end())
        missing.push_back(&rec);
      else if (!it->second.done)
        todo.push_back(it->second.id);
    }
    if (!missing.empty()) {
      auto [columns, rows] = load_matrix(missing, spec_.lines_field);
      ODOOSYNC_TRY(loaded, r.client().load(spec_.model, columns, rows));
      if (!loaded.written()) {
        const Error refused = loaded.refusal(spec_.model);
        if (lost_a_race(loaded.messages)) {
          return Error(ErrorKind::conflict,
                       "a concurrent attempt wrote the same external id first: " + refused.message());
        }
        return refused;
      }
      const auto& ids = loaded.ids;
      for (std::size_t i = 0; i < missing.size() && i < ids.size(); ++i) known_[missing[i]->xmlid] = ids[i];
      todo.insert(todo.end(), ids.begin(), ids.end());
    }
    if (todo.empty() || spec_.action.empty()) return success();
    std::sort(todo.begin(), todo.end());
    return act(r, spec_.model, spec_.action, todo, spec_.action_context(todo));
  }

  std::string probe_detail() const override { return detail_; }

 private:
  struct Found {
    std::int64_t id = 0;
    std::string state;
    bool done = false;
  };

  result<std::vector<LoadRecord>> records_for(Resolver& r) {
    if (!records_) {
      ODOOSYNC_TRY(built, spec_.build(r));
      records_ = std::move(built);
    }
    return *records_;
  }

  // Our records that exist, by external id, with their state. Ids this effect loaded itself are known
  // (an external id is never reassigned), so the check after its last step is one read.
  result<std::map<std::string, Found>> existing(Resolver& r, const std::vector<LoadRecord>& records) {
    std::map<std::int64_t, std::string> xmlid_of;
    std::vector<std::string> names;
    for (const auto& rec : records) {
      if (auto k = known_.find(rec.xmlid); k != known_.end())
        xmlid_of[k->second] = rec.xmlid;
      else
        names.push_back(rec.xmlid.substr(rec.xmlid.find('.') + 1));
    }
    if (!names.empty()) {
      ODOOSYNC_TRY(links, r.client().search_read("ir.model.data",
                                                 field("module") == r.options().module && field("name").in(names) &&
                                                     field("model") == spec_.model,
                                                 {"name", "res_id"}, {}, {.idempotent = true}));
      for (const auto& row : links.GetArray())
        xmlid_of[row["res_id"].GetInt64()] = r.options().module + "." + str(row["name"]);
    }
    std::map<std::string, Found> out;
    if (xmlid_of.empty()) return out;
    std::vector<std::int64_t> ids;
    ids.reserve(xmlid_of.size());
    for (const auto& [id, x] : xmlid_of) ids.push_back(id);
    ODOOSYNC_TRY(rows, r.client().read(spec_.model, ids, {"state"}, {.idempotent = true}));
    for (const auto& row : rows.GetArray()) {
      const std::int64_t id = row["id"].GetInt64();
      const std::string state = str(row["state"]);
      const bool done = std::find(spec_.done_states.begin(), spec_.done_states.end(), state) != spec_.done_states.end();
      out[xmlid_of[id]] = Found{id, state, done};
      known_[xmlid_of[id]] = id;
    }
    return out;
  }

  LoadThenActSpec spec_;
  std::optional<std::vector<LoadRecord>> records_;
  std::map<std::string, std::int64_t> known_;  // external id → record id, from this effect's own load
  std::string detail_;
};

// --- upserts through load with our external ids --------------------------------------------------

struct LoadSpec {
  std::string model;
  std::vector<std::string> columns;  // first is "id"
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> keys;       // per row: the SKU or ref the external id is made of
  std::string prefix;                  // product, customer
  std::string compare_field;           // probe compares it with the row's value at column 2
  bool adopt_by_default_code = false;  // products made in Odoo by hand get our external id first

  // One row per key: a later upsert of the same key replaces the earlier one (the last one wins).
  void upsert_row(const std::string& key, std::vector<std::string> row) {
    auto [it, fresh] = row_of.emplace(key, rows.size());
    if (!fresh) {
      rows[it->second] = std::move(row);
      return;
    }
    keys.push_back(key);
    rows.push_back(std::move(row));
  }
  std::map<std::string, std::size_t> row_of;  // key → its row
  // An empty optional cell would clear the field: leave out each column no row has a value for.
  void drop_empty_columns() {
    for (std::size_t c = columns.size(); c-- > 1;) {
      bool any = false;
      for (const auto& row : rows) any = any || !row[c].empty();
      if (any) continue;
      columns.erase(columns.begin() + static_cast<std::ptrdiff_t>(c));
      for (auto& row : rows) row.erase(row.begin() + static_cast<std::ptrdiff_t>(c));
    }
  }
};

class LoadUpsert final : public OdooEffect {
 public:
  LoadUpsert(std::string token, LoadSpec spec) : OdooEffect(std::move(token)), spec_(std::move(spec)) {}

  result<std::vector<PlannedCall>> plan(Resolver&) override {
    json::Writer w;
    w.begin_object().key("fields").begin_array();
    for (const auto& c : spec_.columns) w.string(c);
    w.end_array().key("data").begin_array();
    for (const auto& row : spec_.rows) {
      w.begin_array();
      for (const auto& cell : row) w.string(cell);
      w.end_array();
    }
    w.end_array().end_object();
    return std::vector<PlannedCall>{{spec_.model, "load", std::string(w.unchecked_view())}};
  }

  result<EffectState> probe(Resolver& r) override {
    ODOOSYNC_TRY(ids, xmlid_targets(r));
    if (ids.empty()) return EffectState::absent;
    if (ids.size() < spec_.rows.size()) return EffectState::partial;
    if (spec_.compare_field.empty()) return EffectState::applied;
    // Every record exists: applied when each holds the value we would write.
    std::vector<std::int64_t> list;
    for (const auto& [name, id] : ids) list.push_back(id);
    ODOOSYNC_TRY(rows, r.client().read(spec_.model, list, {spec_.compare_field}, {.idempotent = true}));
    std::map<std::int64_t, const json::Value*> by_id;
    for (const auto& row : rows.GetArray()) by_id[row["id"].GetInt64()] = &row[spec_.compare_field.c_str()];
    const auto col = std::find(spec_.columns.begin(), spec_.columns.end(), spec_.compare_field) - spec_.columns.begin();
    for (std::size_t i = 0; i < spec_.rows.size(); ++i) {
      auto it = ids.find(spec_.rows[i][0]);
      if (it == ids.end() || !by_id.count(it->second)) return EffectState::partial;
      if (!same(*by_id[it->second], spec_.rows[i][static_cast<std::size_t>(col)])) return EffectState::partial;
    }
    return EffectState::applied;
  }

  result<void> apply(Resolver& r, EffectState from) override {
    if (from == EffectState::applied) return success();
    if (spec_.adopt_by_default_code) {
      ODOOSYNC_TRYV(adopt(r));
    }
    ODOOSYNC_TRY(loaded, r.client().load(spec_.model, spec_.columns, spec_.rows));
    if (!loaded.written()) return loaded.refusal(spec_.model);
    return success();
  }

 private:
  static bool same(const json::Value& odoo_value, const std::string& ours) {
    if (odoo_value.IsString()) return json::text(odoo_value) == ours;
    if (odoo_value.IsNumber()) {
      auto d = Decimal::parse(ours);
      if (!d) return false;
      // Odoo keeps floats: equal when they round to our decimals.
      double scale = 1;
      for (int i = 0; i < d.value().scale; ++i) scale *= 10;
      const double theirs = odoo_value.GetDouble() * scale;
      const double mine = static_cast<double>(d.value().units);
      return theirs - mine < 0.5 && mine - theirs < 0.5;
    }
    return false;
  }

  // Our external ids that exist, name → res_id.
  result<std::map<std::string, std::int64_t>> xmlid_targets(Resolver& r) {
    std::vector<std::string> names;
    for (const auto& row : spec_.rows) names.push_back(row[0].substr(row[0].find('.') + 1));
    ODOOSYNC_TRY(rows, r.client().search_read("ir.model.data",
                                              field("module") == r.options().module && field("name").in(names) &&
                                                  field("model") == spec_.model,
                                              {"name", "res_id"}, {}, {.idempotent = true}));
    std::map<std::string, std::int64_t> out;
    for (const auto& row : rows.GetArray()) out[r.options().module + "." + str(row["name"])] = row["res_id"].GetInt64();
    return out;
  }

  // A product with the SKU as internal reference but without our external id gets one, so the load
  // updates it instead of making a second product with the same SKU.
  result<void> adopt(Resolver& r) {
    ODOOSYNC_TRY(have, xmlid_targets(r));
    std::vector<std::string> orphans;
    std::map<std::string, std::string> xmlid_of;
    for (std::size_t i = 0; i < spec_.rows.size(); ++i) {
      if (!have.count(spec_.rows[i][0])) {
        orphans.push_back(spec_.keys[i]);
        xmlid_of[spec_.keys[i]] = spec_.rows[i][0];
      }
    }
    if (orphans.empty()) return success();
    ODOOSYNC_TRY(found, r.client().search_read(spec_.model, field("default_code").in(orphans), {"default_code"}, {},
                                               {.context_json = R"({"active_test": false})", .idempotent = true}));
    std::vector<Values> links;
    std::set<std::string> seen;
    for (const auto& row : found.GetArray()) {
      const std::string code = str(row["default_code"]);
      if (!seen.insert(code).second) continue;  // two products share the SKU: adopt the first
      const std::string& x = xmlid_of[code];
      links.push_back(Values()
                          .set("module", r.options().module)
                          .set("name", x.substr(x.find('.') + 1))
                          .set("model", spec_.model)
                          .set("res_id", row["id"].GetInt64()));
    }
    if (links.empty()) return success();
    ODOOSYNC_TRYV(r.client().create("ir.model.data", links));
    return success();
  }

  LoadSpec spec_;
};

// --- absolute stock counts: inventory mode, applied at once ---------------------------------------

class StockCount final : public OdooEffect {
 public:
  StockCount(std::string token, std::vector<StockAdjusted> counts)
      : OdooEffect(std::move(token)), counts_(std::move(counts)) {}

  result<std::vector<PlannedCall>> plan(Resolver& r) override {
    ODOOSYNC_TRY(vals, values(r));
    std::string rows = "[";
    for (std::size_t i = 0; i < vals.size(); ++i) rows += (i ? "," : "") + vals[i].to_json();
    return std::vector<PlannedCall>{{"stock.quant", "create", rows + "]"}};
  }

  result<EffectState> probe(Resolver& r) override {
    ODOOSYNC_TRYV(prefetch(r));
    // One read for all the counts' quants, summed per product and location.
    std::vector<std::int64_t> products, locations;
    std::map<std::pair<std::int64_t, std::int64_t>, double> want;
    for (const StockAdjusted& c : counts_) {
      ODOOSYNC_TRY(product, r.product(c.sku));
      ODOOSYNC_TRY(location, r.location(c.location));
      products.push_back(product);
      locations.push_back(location);
      want[{product, location}] = static_cast<double>(c.counted->micro_units()) / Quantity::scale;
    }
    ODOOSYNC_TRY(rows, r.client().search_read("stock.quant",
                                              field("product_id").in(products) && field("location_id").in(locations),
                                              {"product_id", "location_id", "quantity"}, {}, {.idempotent = true}));
    std::map<std::pair<std::int64_t, std::int64_t>, double> have;
    for (const auto& row : rows.GetArray()) {
      const auto& p = row["product_id"];
      const auto& l = row["location_id"];
      if (!p.IsArray() || !l.IsArray()) continue;
      have[{p[0].GetInt64(), l[0].GetInt64()}] += row["quantity"].GetDouble();
    }
    std::size_t equal = 0;
    detail_.clear();
    for (const auto& [key, q] : want) {
      const double got = have.count(key) ? have[key] : 0.0;
      if (got - q < 1e-6 && q - got < 1e-6) {
        ++equal;
      } else {
        detail_ += fmt::format("{}product {} at location {}: Odoo holds {}, the count is {}",
                               detail_.empty() ? "" : "; ", key.first, key.second, got, q);
      }
    }
    return equal == want.size() ? EffectState::applied : equal == 0 ? EffectState::absent : EffectState::partial;
  }

  // Three steps, each safe under Odoo's own retry of a request that hit a serialization failure:
  // stock.quant.create in inventory mode pops the count from its values (stock_quant.py, `vals.pop`), so
  // a create that Odoo re-ran after a conflict makes the quant without the count and silently applies
  // nothing (seen on a real Odoo 18 with two count batches at once). So: create (or find) the quants with
  // the counts, read back what they hold and write the counts again where they were lost (write keeps its
  // values), then apply them; the apply's answer is checked (a conflict wizard is not "applied"). Setting
  // a count is absolute: repeating it leaves the same quantity.
  result<void> apply(Resolver& r, EffectState from) override {
    if (from == EffectState::applied) return success();
    ODOOSYNC_TRY(vals, values(r));
    const std::string ctx(inventory_mode);
    ODOOSYNC_TRY(ids, r.client().create("stock.quant", vals, {.context_json = ctx}));
    if (ids.size() != counts_.size())
      return Error::protocol("stock.quant create answered " + std::to_string(ids.size()) + " ids for " +
                             std::to_string(counts_.size()) + " counts");
    ODOOSYNC_TRY(
        held, r.client().read("stock.quant", ids, {"inventory_quantity"}, {.context_json = ctx, .idempotent = true}));
    std::map<std::int64_t, double> now;
    for (const auto& row : held.GetArray()) now[row["id"].GetInt64()] = row["inventory_quantity"].GetDouble();
    std::map<std::string, std::vector<std::int64_t>> lost;  // count (text) → quants that do not hold it
    std::map<std::string, Decimal> value_of;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const Decimal want = dec(*counts_[i].counted);
      const double w = static_cast<double>(counts_[i].counted->micro_units()) / Quantity::scale;
      const double got = now.count(ids[i]) ? now[ids[i]] : -1e300;
      if (got - w > 1e-6 || w - got > 1e-6) {
        lost[want.to_string()].push_back(ids[i]);
        value_of.emplace(want.to_string(), want);
      }
    }
    for (const auto& [text, quants] : lost) {
      ODOOSYNC_TRYV(r.client().write("stock.quant", quants, Values().set("inventory_quantity", value_of.at(text)),
                                     {.context_json = ctx}));
    }
    std::vector<std::int64_t> unique = ids;
    std::sort(unique.begin(), unique.end());
    unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
    return act(r, "stock.quant", "action_apply_inventory", unique, ctx);
  }

  std::string probe_detail() const override { return detail_; }

 private:
  std::string detail_;

  result<void> prefetch(Resolver& r) {
    std::vector<std::string> skus;
    for (const StockAdjusted& c : counts_) skus.push_back(c.sku.value);
    return r.prefetch_products(skus);
  }

  result<std::vector<Values>> values(Resolver& r) {
    ODOOSYNC_TRYV(prefetch(r));
    std::vector<Values> out;
    for (const StockAdjusted& count : counts_) {
      const StockAdjusted* c = &count;
      ODOOSYNC_TRY(product, r.product(c->sku));
      ODOOSYNC_TRY(location, r.location(c->location));
      out.push_back(
          Values().set("product_id", product).set("location_id", location).set("inventory_quantity", dec(*c->counted)));
    }
    return out;
  }
  std::vector<StockAdjusted> counts_;  // copies: an effect outlives the events it was made from
};

// --- effects on one existing order ----------------------------------------------------------------

class OrderCancel final : public OdooEffect {
  std::string detail_;

 public:
  OrderCancel(std::string number) : OdooEffect(number), number_(std::move(number)) {}
  result<std::vector<PlannedCall>> plan(Resolver& r) override {
    ODOOSYNC_TRY(o, r.order(number_));
    return std::vector<PlannedCall>{{"sale.order", "action_cancel", ids_json({o.id})}};
  }
  result<EffectState> probe(Resolver& r) override {
    ODOOSYNC_TRY(o, r.order(number_));
    detail_ = fmt::format("order {}: sale.order {} in state {} (done when cancel)", number_, o.id, o.state);
    return o.state == "cancel" ? EffectState::applied : EffectState::absent;
  }
  result<void> apply(Resolver& r, EffectState from) override {
    if (from == EffectState::applied) return success();
    ODOOSYNC_TRY(o, r.order(number_));
    if (o.state == "cancel") return success();
    // 17 and 18 answer a confirmed order with the cancel wizard unless told not to warn (19 cancels).
    return act(r, "sale.order", "action_cancel", {o.id}, R"({"disable_cancel_warning": true})");
  }
  std::string probe_detail() const override { return detail_; }

 private:
  std::string number_;
};

class ShipmentValidate final : public OdooEffect {
  std::string detail_;

 public:
  ShipmentValidate(const Shipment& s) : OdooEffect(s.order_number + "/" + s.reference), order_(s.order_number) {}
  result<std::vector<PlannedCall>> plan(Resolver& r) override {
    ODOOSYNC_TRY(open, deliveries(r));
    return std::vector<PlannedCall>{{"stock.picking", "button_validate", ids_json(open)}};
  }
  result<EffectState> probe(Resolver& r) override {
    ODOOSYNC_TRY(open, deliveries(r));
    detail_ = open.empty() ? "order " + order_ + ": every delivery done"
                           : fmt::format("order {}: deliveries {} not done", order_, ids_json(open));
    return open.empty() ? EffectState::applied : EffectState::absent;
  }
  result<void> apply(Resolver& r, EffectState from) override {
    if (from == EffectState::applied) return success();
    ODOOSYNC_TRY(open, deliveries(r));
    if (open.empty()) return success();
    return act(r, "stock.picking", "button_validate", open, validate_context(open));
  }
  std::string probe_detail() const override { return detail_; }

 private:
  // The order's deliveries not yet done (an order without any is an error: not confirmed yet).
  result<std::vector<std::int64_t>> deliveries(Resolver& r) {
    ODOOSYNC_TRY(o, r.order(order_));
    ODOOSYNC_TRY(rows, r.client().search_read("stock.picking", field("sale_id") == o.id && field("state") != "cancel",
                                              {"state"}, {}, {.idempotent = true}));
    if (rows.Empty()) return not_found("order " + order_ + " has no delivery in Odoo (is it confirmed?)");
    std::vector<std::int64_t> open;
    for (const auto& row : rows.GetArray()) {
      if (str(row["state"]) != "done") open.push_back(row["id"].GetInt64());
    }
    return open;
  }
  std::string order_;
};

// --- a carrier's tracking: the tracking number on the delivery, and one note in its chatter ----------
//
// The note is the record this effect creates, so it follows the rule of every other one: `load` writes
// it (mail.message, in the delivery's chatter, note subtype) under our external id in one transaction,
// and ir.model.data's unique index refuses a second one even from an attempt still running in Odoo.
// message_post would make the same message (checked on real 18 and 19), but nothing in Odoo would stop
// a retry that runs next to a killed attempt from posting it twice. The token is the event's own
// (source, id), not the batch's, so a re-batched retry names the same note.

constexpr std::string_view tracking_ref_field = "carrier_tracking_ref";  // stock_delivery

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\n': out += "<br>"; break;
      default: out += c;
    }
  }
  return out;
}

std::string_view status_label(std::string_view status) {
  static const std::pair<std::string_view, std::string_view> labels[] = {
      {"pre_transit", "Pre-transit"},
      {"in_transit", "In transit"},
      {"out_for_delivery", "Out for delivery"},
      {"delivered", "Delivered"},
      {"available_for_pickup", "Available for pickup"},
      {"returned", "Returned to sender"},
      {"failure", "Delivery failed"},
      {"cancelled", "Cancelled"},
      {"unknown", "Unknown"}};
  for (const auto& [code, label] : labels) {
    if (code == status) return label;
  }
  return status;
}

// "<p>Tracking <b>1Z…</b> (UPS): <b>Delivered</b> at 2026-12-04 14:02:17 UTC</p><p>Delivered, front door</p>
// <p>odoosync:tracking:<token></p>": the token in the body as well, so a person (or a search on the body)
// finds the event behind a note.
std::string tracking_note(const ShipmentTracked& t, std::string_view token) {
  std::string at = t.at.to_odoo();
  std::string body = "<p>Tracking <b>" + html_escape(t.tracking_number) + "</b>";
  if (t.carrier) body += " (" + html_escape(*t.carrier) + ")";
  body += ": <b>" + html_escape(status_label(t.status)) + "</b> at " + html_escape(at) + " UTC</p>";
  if (t.detail && !t.detail->empty()) body += "<p>" + html_escape(*t.detail) + "</p>";
  body += "<p>odoosync:tracking:" + std::string(token) + "</p>";
  return body;
}

class ShipmentTrack final : public OdooEffect {
 public:
  ShipmentTrack(std::string token, ShipmentTracked t, const MappingOptions& o)
      : OdooEffect(std::move(token)), t_(std::move(t)), xmlid_(external_id(o, "tracking", token_)) {}

  result<std::vector<PlannedCall>> plan(Resolver& r) override {
    ODOOSYNC_TRY(target, delivery(r));
    std::vector<PlannedCall> calls;
    if (target.write_ref) {
      calls.push_back({"stock.picking", "write",
                       fmt::format("{} {}", ids_json({target.id}),
                                   Values().set(tracking_ref_field, t_.tracking_number).to_json())});
    }
    json::Writer w;
    w.begin_object().key("fields").begin_array();
    for (const auto& c : columns()) w.string(c);
    w.end_array().key("data").begin_array().begin_array();
    for (const auto& c : row(target)) w.string(c);
    w.end_array().end_array().end_object();
    calls.push_back({"mail.message", "load", std::string(w.unchecked_view())});
    return calls;
  }

  result<EffectState> probe(Resolver& r) override {
    const std::string name = xmlid_.substr(xmlid_.find('.') + 1);
    ODOOSYNC_TRY(links, r.client().search_read("ir.model.data",
                                               field("module") == r.options().module && field("name") == name &&
                                                   field("model") == "mail.message",
                                               {"res_id"}, {.limit = 1}, {.idempotent = true}));
    if (links.Empty()) {
      detail_ = fmt::format("tracking {} ({}): no note {} in Odoo", t_.tracking_number, t_.status, xmlid_);
      return EffectState::absent;
    }
    detail_ = fmt::format("tracking {} ({}): note {} is mail.message {}", t_.tracking_number, t_.status, xmlid_,
                          links[0]["res_id"].GetInt64());
    return EffectState::applied;
  }

  // The tracking number first (a write of the same value is harmless to repeat), the note last: a note
  // in Odoo means the whole effect is there.
  result<void> apply(Resolver& r, EffectState from) override {
    if (from == EffectState::applied) return success();
    ODOOSYNC_TRY(target, delivery(r));
    if (target.write_ref) {
      ODOOSYNC_TRYV(
          r.client().write("stock.picking", {target.id}, Values().set(tracking_ref_field, t_.tracking_number)));
    }
    ODOOSYNC_TRY(loaded, r.client().load("mail.message", columns(), {row(target)}));
    if (!loaded.written()) {
      const Error refused = loaded.refusal("mail.message");
      if (lost_a_race(loaded.messages))
        return Error(ErrorKind::conflict, "a concurrent attempt wrote the same note first: " + refused.message());
      return refused;
    }
    return success();
  }

  std::string probe_detail() const override { return detail_; }

 private:
  struct Delivery {
    std::int64_t id = 0, company = 0;
    bool write_ref = false;  // Odoo has the field and the picking has no tracking number yet
  };

  static std::vector<std::string> columns() {
    return {"id", "model", "res_id", "body", "message_type", "subtype_id/id", "record_company_id/.id"};
  }
  std::vector<std::string> row(const Delivery& d) const {
    return {xmlid_,
            "stock.picking",
            cell(d.id),
            tracking_note(t_, token_),
            "comment",
            "mail.mt_note",
            d.company ? cell(d.company) : std::string()};
  }

  // The outgoing picking that carries the tracking number; else, when the event names its order, the
  // order's outgoing picking that has none yet (done ones first: the parcel has left), else its first.
  result<Delivery> delivery(Resolver& r) {
    ODOOSYNC_TRY(has_ref, r.has_field("stock.picking", tracking_ref_field));
    const auto outgoing = field("picking_type_id.code") == "outgoing" && field("state") != "cancel";
    std::vector<std::string> fields{"state", "company_id"};
    if (has_ref) {
      fields.emplace_back(tracking_ref_field);
      ODOOSYNC_TRY(rows, r.client().search_read(
                             "stock.picking", field(std::string(tracking_ref_field)) == t_.tracking_number && outgoing,
                             fields, {.limit = 1, .order = "id asc"}, {.idempotent = true}));
      if (!rows.Empty()) return Delivery{rows[0]["id"].GetInt64(), m2o_id(rows[0]["company_id"]), false};
    }
    if (!t_.order_number) {
      return not_found(
          fmt::format("tracking number {}: {} and the event names no order_number to look by", t_.tracking_number,
                      has_ref ? "no outgoing stock.picking has it as carrier_tracking_ref"
                              : "this Odoo has no carrier_tracking_ref (module stock_delivery not installed)"));
    }
    auto found = r.order(*t_.order_number);
    if (!found) {
      if (found.error().kind() != ErrorKind::not_found) return found.error();
      return not_found("tracking number " + t_.tracking_number + ": " + found.error().message());
    }
    const Resolver::SaleOrder& o = found.value();
    ODOOSYNC_TRY(rows, r.client().search_read("stock.picking", field("sale_id") == o.id && outgoing, fields,
                                              {.order = "id asc"}, {.idempotent = true}));
    if (rows.Empty()) {
      return not_found(fmt::format("tracking number {}: order {} has no outgoing picking in Odoo (is it confirmed?)",
                                   t_.tracking_number, *t_.order_number));
    }
    const json::Value* best = nullptr;
    int best_rank = 99;
    for (const auto& row : rows.GetArray()) {
      const bool free =
          !has_ref || !row[tracking_ref_field.data()].IsString() || json::text(row[tracking_ref_field.data()]).empty();
      const int rank = (free ? 0 : 2) + (str(row["state"]) == "done" ? 0 : 1);
      if (rank < best_rank) {
        best_rank = rank;
        best = &row;
      }
    }
    return Delivery{(*best)["id"].GetInt64(), m2o_id((*best)["company_id"]), has_ref && best_rank < 2};
  }

  static std::int64_t m2o_id(const json::Value& v) {
    if (v.IsArray() && v.Size() >= 1 && v[0].IsInt64()) return v[0].GetInt64();
    return v.IsInt64() ? v.GetInt64() : 0;
  }

  ShipmentTracked t_;
  std::string xmlid_;
  std::string detail_;
};

class NoEffect final : public OdooEffect {
 public:
  explicit NoEffect(std::string token) : OdooEffect(std::move(token)) {}
  result<std::vector<PlannedCall>> plan(Resolver&) override { return std::vector<PlannedCall>{}; }
  result<EffectState> probe(Resolver&) override { return EffectState::applied; }
  result<void> apply(Resolver&, EffectState) override { return success(); }
};

// --- builders per event type ----------------------------------------------------------------------

std::string bool_cell(bool b) { return b ? "1" : "0"; }

result<std::unique_ptr<OdooEffect>> products(std::span<const Event* const> events, const MappingOptions& o,
                                             std::string token) {
  LoadSpec s;
  s.model = "product.product";
  s.prefix = "product";
  s.compare_field = "list_price";
  s.adopt_by_default_code = true;
  const bool is_storable_field = o.odoo_major >= 18;
  s.columns = {"id",     "name",     "list_price", "default_code", "barcode", "standard_price",
               "uom_id", "categ_id", "active",     "type"};
  if (is_storable_field) s.columns.push_back("is_storable");
  s.columns.push_back("description_sale");
  for (const Event* e : events) {
    const Product& p = std::get<ProductUpserted>(e->data).product;
    std::vector<std::string> row = {external_id(o, "product", p.sku.value),
                                    p.name,
                                    p.list_price.amount(),
                                    p.sku.value,
                                    p.barcode ? p.barcode->value : "",
                                    p.cost ? p.cost->amount() : "",
                                    p.uom,
                                    p.category.value_or(""),
                                    bool_cell(p.active)};
    if (is_storable_field) {
      row.push_back("consu");
      row.push_back(bool_cell(p.storable));
    } else {
      row.push_back(p.storable ? "product" : "consu");
    }
    row.push_back(p.description.value_or(""));
    s.upsert_row(p.sku.value, std::move(row));
  }
  s.drop_empty_columns();
  return std::unique_ptr<OdooEffect>(new LoadUpsert(std::move(token), std::move(s)));
}

result<std::unique_ptr<OdooEffect>> prices(std::span<const Event* const> events, const MappingOptions& o,
                                           std::string token) {
  LoadSpec s;
  s.model = "product.product";
  s.prefix = "product";
  s.compare_field = "list_price";
  s.adopt_by_default_code = true;
  s.columns = {"id", "list_price"};
  for (const Event* e : events) {
    const Price& p = std::get<PriceChanged>(e->data).price;
    s.upsert_row(p.sku.value, {external_id(o, "product", p.sku.value), p.list_price.amount()});
  }
  return std::unique_ptr<OdooEffect>(new LoadUpsert(std::move(token), std::move(s)));
}

result<std::unique_ptr<OdooEffect>> customers(std::span<const Event* const> events, const MappingOptions& o,
                                              std::string token) {
  LoadSpec s;
  s.model = "res.partner";
  s.prefix = "customer";
  s.compare_field = "name";
  s.columns = {"id", "name", "ref", "email", "phone", "is_company", "street", "city", "zip", "country_id/code", "vat"};
  for (const Event* e : events) {
    const Customer& c = std::get<CustomerUpserted>(e->data).customer;
    std::vector<std::string> row = {external_id(o, "customer", c.ref),
                                    c.name,
                                    c.ref,
                                    c.email.value_or(""),
                                    c.phone.value_or(""),
                                    bool_cell(c.is_company),
                                    c.street.value_or(""),
                                    c.city.value_or(""),
                                    c.zip.value_or(""),
                                    c.country_code.value_or(""),
                                    c.vat.value_or("")};
    s.upsert_row(c.ref, std::move(row));
  }
  s.drop_empty_columns();
  return std::unique_ptr<OdooEffect>(new LoadUpsert(std::move(token), std::move(s)));
}

Cells move_cells(std::int64_t product, const Quantity& qty, std::int64_t from, std::int64_t to, std::string_view origin,
                 int odoo_major) {
  Cells c;
  if (odoo_major < 19) c.emplace_back("name", std::string(origin));  // stock.move has no name in 19
  c.emplace_back("product_id/.id", cell(product));
  c.emplace_back("product_uom_qty", cell(dec(qty)));
  c.emplace_back("quantity", cell(dec(qty)));
  c.emplace_back("location_id/.id", cell(from));
  c.emplace_back("location_dest_id/.id", cell(to));
  return c;
}

LoadThenActSpec picking_spec() {
  LoadThenActSpec spec;
  spec.model = "stock.picking";
  spec.what = "transfer";
  spec.lines_field = "move_ids";
  spec.action = "button_validate";
  spec.done_states = {"done"};
  spec.action_context = validate_context;
  return spec;
}

// Stock deltas: coalesced per subject, then one transfer per (location, direction) between the location
// and Odoo's inventory-adjustment location, loaded under our external id (origin kept for people) and validated.
result<std::unique_ptr<OdooEffect>> stock_deltas(std::span<const Event* const> events, const MappingOptions& o,
                                                 const std::string& token) {
  struct Sum {
    Sku sku;
    LocationRef location;
    Quantity total;
  };
  std::vector<Sum> sums;
  std::map<std::string, std::size_t> index;
  for (const Event* e : events) {
    const auto& s = std::get<StockAdjusted>(e->data);
    auto [it, fresh] = index.emplace(e->subject, sums.size());
    if (fresh) {
      sums.push_back({s.sku, s.location, *s.delta});
    } else {
      ODOOSYNC_TRY(t, sums[it->second].total.plus(*s.delta));
      sums[it->second].total = std::move(t);
    }
  }
  LoadThenActSpec spec = picking_spec();
  const std::string base = "odoosync:stock:" + token;
  const int major = o.odoo_major;
  const MappingOptions opts = o;
  spec.build = [sums = std::move(sums), base, major, opts](Resolver& r) -> result<std::vector<LoadRecord>> {
    std::vector<std::string> skus;
    for (const auto& s : sums) skus.push_back(s.sku.value);
    ODOOSYNC_TRYV(r.prefetch_products(skus));
    // group: location → (incoming moves, outgoing moves)
    std::map<std::string, std::pair<std::vector<const Sum*>, std::vector<const Sum*>>> groups;
    for (const auto& s : sums) {
      if (s.total.is_zero()) continue;  // +2 and -2 coalesced: nothing to move
      auto& g = groups[s.location.value];
      (s.total.is_positive() ? g.first : g.second).push_back(&s);
    }
    std::vector<LoadRecord> out;
    for (const auto& [loc_name, g] : groups) {
      const LocationRef loc{loc_name};
      ODOOSYNC_TRY(location, r.location(loc));
      ODOOSYNC_TRY(wh, r.warehouse(loc.warehouse()));
      ODOOSYNC_TRY(adjust, r.inventory_location(wh.company));
      for (int dir = 0; dir < 2; ++dir) {
        const auto& members = dir == 0 ? g.first : g.second;
        if (members.empty()) continue;
        const std::string origin = base + "#" + std::to_string(out.size() + 1);
        const std::int64_t from = dir == 0 ? adjust : location, to = dir == 0 ? location : adjust;
        LoadRecord rec{origin,
                       external_id(opts, "picking", origin),
                       {{"picking_type_id/.id", cell(wh.internal_type)},
                        {"location_id/.id", cell(from)},
                        {"location_dest_id/.id", cell(to)},
                        {"origin", origin}},
                       {}};
        for (const Sum* s : members) {
          ODOOSYNC_TRY(product, r.product(s->sku));
          Quantity q = s->total;
          if (q.is_negative()) q = Quantity(-q.micro_units(), q.uom());
          rec.lines.push_back(move_cells(product, q, from, to, origin, major));
        }
        out.push_back(std::move(rec));
      }
    }
    return out;
  };
  return std::unique_ptr<OdooEffect>(new LoadThenAct(base, std::move(spec)));
}

result<std::unique_ptr<OdooEffect>> orders(std::span<const Event* const> events, const MappingOptions& o,
                                           std::string token) {
  std::vector<Order> list;
  for (const Event* e : events) list.push_back(std::get<OrderCreated>(e->data).order);
  LoadThenActSpec spec;
  spec.model = "sale.order";
  spec.what = "order";
  spec.lines_field = "order_line";
  spec.action = "action_confirm";
  spec.done_states = {"sale", "done"};
  const MappingOptions opts = o;
  spec.build = [list = std::move(list), opts](Resolver& r) -> result<std::vector<LoadRecord>> {
    std::vector<std::string> skus;
    for (const auto& ord : list) {
      for (const auto& l : ord.lines) skus.push_back(l.sku.value);
    }
    ODOOSYNC_TRYV(r.prefetch_products(skus));
    std::vector<LoadRecord> out;
    std::set<std::string> seen;
    for (const auto& ord : list) {
      if (!seen.insert(ord.number).second) continue;  // the same order twice in a batch: once
      ODOOSYNC_TRY(partner, r.partner(ord.customer.value_or(opts.walk_in_customer)));
      ODOOSYNC_TRY(wh, r.warehouse(ord.warehouse));
      LoadRecord rec{ord.number,
                     external_id(opts, "order", ord.number),
                     {{"partner_id/.id", cell(partner)},
                      {"client_order_ref", ord.number},
                      {"origin", ord.channel.value},
                      {"date_order", ord.ordered_at.to_odoo()},
                      {"warehouse_id/.id", cell(wh.id)}},
                     {}};
      if (ord.note) rec.head.emplace_back("note", *ord.note);
      for (const auto& l : ord.lines) {
        ODOOSYNC_TRY(product, r.product(l.sku));
        Cells lc{{"product_id/.id", cell(product)},
                 {"product_uom_qty", cell(dec(l.quantity))},
                 {"price_unit", cell(dec(l.unit_price))}};
        if (l.discount && !l.discount->is_zero()) {
          // Odoo takes a percentage of the gross line: discount / (quantity × unit_price) × 100, to 6 places.
          auto gross = extend(l.quantity, l.unit_price).value();
          const i128 pct = static_cast<i128>(l.discount->minor_units()) * 100'000'000 / gross.minor_units();
          lc.emplace_back("discount", cell(Decimal{static_cast<std::int64_t>(pct), 6}));
        }
        rec.lines.push_back(std::move(lc));
      }
      out.push_back(std::move(rec));
    }
    return out;
  };
  return std::unique_ptr<OdooEffect>(new LoadThenAct(std::move(token), std::move(spec)));
}

std::unique_ptr<OdooEffect> payment(const Payment& p, const MappingOptions& o) {
  LoadThenActSpec spec;
  spec.model = "account.payment";
  spec.what = "payment";
  spec.action = "action_post";
  spec.done_states = {"in_process", "paid", "posted"};
  const std::string memo_field = o.odoo_major >= 18 ? "memo" : "ref";
  const MappingOptions opts = o;
  spec.build = [p, memo_field, opts](Resolver& r) -> result<std::vector<LoadRecord>> {
    ODOOSYNC_TRY(order, r.order(p.order_number));
    ODOOSYNC_TRY(journal, r.journal(p.method == "cash" ? "cash" : "bank"));
    LoadRecord rec{p.reference,
                   external_id(opts, "payment", p.reference),
                   {{"payment_type", "inbound"},
                    {"partner_type", "customer"},
                    {"partner_id/.id", cell(order.partner)},
                    {"amount", cell(dec(p.amount))},
                    {"journal_id/.id", cell(journal)},
                    {"date", p.captured_at.to_odoo().substr(0, 10)},
                    {memo_field, p.reference}},
                   {}};
    return std::vector<LoadRecord>{std::move(rec)};
  };
  return std::unique_ptr<OdooEffect>(new LoadThenAct(p.reference, std::move(spec)));
}

std::unique_ptr<OdooEffect> account_move(std::string ref, std::string move_type, const std::string& order_number,
                                         Timestamp date, std::optional<CalendarDate> due,
                                         const std::vector<std::tuple<std::optional<Sku>, std::string, Money>>& lines,
                                         const MappingOptions& o) {
  LoadThenActSpec spec;
  spec.model = "account.move";
  spec.what = move_type == "out_refund" ? "refund" : "invoice";
  spec.lines_field = "invoice_line_ids";
  spec.action = "action_post";
  spec.done_states = {"posted"};
  const MappingOptions& opts = o;  // the lambda keeps a copy
  spec.build = [=](Resolver& r) -> result<std::vector<LoadRecord>> {
    ODOOSYNC_TRY(order, r.order(order_number));
    LoadRecord rec{ref,
                   external_id(opts, move_type == "out_refund" ? "refund" : "invoice", ref),
                   {{"move_type", move_type},
                    {"partner_id/.id", cell(order.partner)},
                    {"ref", ref},
                    {"invoice_origin", order.name},
                    {"invoice_date", date.to_odoo().substr(0, 10)}},
                   {}};
    if (due) rec.head.emplace_back("invoice_date_due", due->to_string());
    for (const auto& [sku, label, amount] : lines) {
      Cells lc{{"name", label}, {"quantity", "1"}, {"price_unit", cell(dec(amount))}};
      if (sku) {
        ODOOSYNC_TRY(product, r.product(*sku));
        lc.emplace_back("product_id/.id", cell(product));
      }
      rec.lines.push_back(std::move(lc));
    }
    return std::vector<LoadRecord>{std::move(rec)};
  };
  return std::unique_ptr<OdooEffect>(new LoadThenAct(ref, std::move(spec)));
}

// A receipt from the vendor location, or a transfer between two locations: loaded under our external id
// (with the origin for people), validated.
std::unique_ptr<OdooEffect> transfer(std::string origin, const std::optional<LocationRef>& from, const LocationRef& to,
                                     const std::vector<StockLine>& lines, const std::optional<std::string>& supplier,
                                     const MappingOptions& o) {
  LoadThenActSpec spec = picking_spec();
  const int major = o.odoo_major;
  const MappingOptions& opts = o;
  spec.build = [=](Resolver& r) -> result<std::vector<LoadRecord>> {
    std::vector<std::string> skus;
    skus.reserve(lines.size());
    for (const auto& l : lines) skus.push_back(l.sku.value);
    ODOOSYNC_TRYV(r.prefetch_products(skus));
    ODOOSYNC_TRY(dest, r.location(to));
    std::int64_t src = 0, type = 0;
    if (from) {
      ODOOSYNC_TRY(s, r.location(*from));
      ODOOSYNC_TRY(wh, r.warehouse(from->warehouse()));
      src = s;
      type = wh.internal_type;
    } else {
      ODOOSYNC_TRY(s, r.vendor_location());
      ODOOSYNC_TRY(wh, r.warehouse(to.warehouse()));
      src = s;
      type = wh.receipt_type;
    }
    LoadRecord rec{origin,
                   external_id(opts, "picking", origin),
                   {{"picking_type_id/.id", cell(type)},
                    {"location_id/.id", cell(src)},
                    {"location_dest_id/.id", cell(dest)},
                    {"origin", origin}},
                   {}};
    if (supplier) {
      ODOOSYNC_TRY(partner, r.partner(*supplier));
      rec.head.emplace_back("partner_id/.id", cell(partner));
    }
    for (const auto& l : lines) {
      ODOOSYNC_TRY(product, r.product(l.sku));
      rec.lines.push_back(move_cells(product, l.quantity, src, dest, origin, major));
    }
    return std::vector<LoadRecord>{std::move(rec)};
  };
  return std::unique_ptr<OdooEffect>(new LoadThenAct(origin, std::move(spec)));
}

}  // namespace

std::string Resolver::xmlid(std::string_view prefix, std::string_view key) const {
  return external_id(options_, prefix, key);
}

std::string_view to_string(EffectState s) noexcept {
  switch (s) {
    case EffectState::absent: return "absent";
    case EffectState::partial: return "partial";
    case EffectState::applied: return "applied";
  }
  return "?";
}

std::string batch_key(const Event& e) {
  const std::string_view type = e.type();
  if (type == StockAdjusted::type) {
    return std::get<StockAdjusted>(e.data).delta ? "retail.stock.adjusted/delta" : "retail.stock.adjusted/counted";
  }
  if (type == ProductUpserted::type || type == PriceChanged::type || type == CustomerUpserted::type ||
      type == OrderCreated::type) {
    return std::string(type);
  }
  return std::string(type) + "|" + e.source + "|" + e.id;  // one event, one effect
}

result<std::unique_ptr<OdooEffect>> map_to_odoo(std::span<const Event* const> events, const MappingOptions& options,
                                                std::string token) {
  if (events.empty()) return Error::validation("map_to_odoo: no events");
  const std::string key = batch_key(*events[0]);
  for (const Event* e : events) {
    if (batch_key(*e) != key)
      return Error::validation("map_to_odoo: events of different batch keys (" + key + ", " + batch_key(*e) + ")");
  }
  if (token.empty()) token = derived_token(events);
  const Event& first = *events[0];
  return std::visit(
      [&](const auto& d) -> result<std::unique_ptr<OdooEffect>> {
        using T = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<T, ProductUpserted>) {
          return products(events, options, token);
        } else if constexpr (std::is_same_v<T, PriceChanged>) {
          return prices(events, options, token);
        } else if constexpr (std::is_same_v<T, CustomerUpserted>) {
          return customers(events, options, token);
        } else if constexpr (std::is_same_v<T, StockAdjusted>) {
          if (d.delta) return stock_deltas(events, options, token);
          std::vector<StockAdjusted> counts;
          std::map<std::string, std::size_t> last;  // the last count of a subject wins
          for (const Event* e : events) {
            const auto& s = std::get<StockAdjusted>(e->data);
            if (auto it = last.find(e->subject); it != last.end())
              counts[it->second] = s;
            else {
              last[e->subject] = counts.size();
              counts.push_back(s);
            }
          }
          return std::unique_ptr<OdooEffect>(new StockCount(token, std::move(counts)));
        } else if constexpr (std::is_same_v<T, StockReserved> || std::is_same_v<T, StockReleased>) {
          return std::unique_ptr<OdooEffect>(new NoEffect(d.reservation));
        } else if constexpr (std::is_same_v<T, GoodsReceived>) {
          return transfer("odoosync:receipt:" + d.receipt.reference, std::nullopt, d.receipt.location, d.receipt.lines,
                          d.receipt.supplier, options);
        } else if constexpr (std::is_same_v<T, TransferCompleted>) {
          return transfer("odoosync:transfer:" + d.transfer.reference, d.transfer.from, d.transfer.to, d.transfer.lines,
                          std::nullopt, options);
        } else if constexpr (std::is_same_v<T, OrderCreated>) {
          return orders(events, options, token);
        } else if constexpr (std::is_same_v<T, OrderCancelled>) {
          return std::unique_ptr<OdooEffect>(new OrderCancel(d.number));
        } else if constexpr (std::is_same_v<T, PaymentCaptured>) {
          return payment(d.payment, options);
        } else if constexpr (std::is_same_v<T, RefundApproved>) {
          const Refund& rf = d.refund;
          std::vector<std::tuple<std::optional<Sku>, std::string, Money>> lines;
          if (rf.lines && !rf.lines->empty()) {
            for (const auto& l : *rf.lines)
              lines.emplace_back(l.sku, "Refund " + l.sku.value + " × " + l.quantity.value(), l.amount);
          } else {
            lines.emplace_back(std::nullopt, "Refund " + rf.reference + (rf.reason ? ": " + *rf.reason : ""),
                               rf.amount);
          }
          return account_move(rf.reference, "out_refund", rf.order_number, rf.approved_at, std::nullopt, lines,
                              options);
        } else if constexpr (std::is_same_v<T, ShipmentDispatched>) {
          return std::unique_ptr<OdooEffect>(new ShipmentValidate(d.shipment));
        } else if constexpr (std::is_same_v<T, ShipmentTracked>) {
          const std::array<const Event*, 1> self{&first};
          return std::unique_ptr<OdooEffect>(new ShipmentTrack(derived_token(self), d, options));
        } else if constexpr (std::is_same_v<T, InvoicePosted>) {
          const InvoiceRef& i = d.invoice;
          return account_move(i.number, "out_invoice", i.order_number, i.posted_at, i.due_date,
                              {{std::nullopt, "Invoice " + i.number + " for order " + i.order_number, i.amount_total}},
                              options);
        } else {
          return Error::validation("no Odoo mapping for " + std::string(first.type()) +
                                   ": a host's own type needs an effect registered with sync::EventTypes");
        }
      },
      first.data);
}

}  // namespace retail
}  // namespace v0
}  // namespace odoosync
