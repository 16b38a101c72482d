// `load`: Odoo's import with external ids. Every row is converted and checked first; any bad row means
// `ids: false` with one message per problem and nothing written, as real Odoo answers.
#include "orm.hpp"

#include <algorithm>
#include <charconv>
#include <set>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace odoosync::emulator {

namespace {

struct Problem {
  std::size_t from, to, record;
  std::string field, field_name, message, relation;  // relation: the moreinfo action's model
  bool moreinfo = false, xmlid_domain = false;
};

// A column of the import, as a path: ["id"], ["partner_id", ".id"], ["order_line", "product_id", "id"], ...
using Path = std::vector<std::string>;

// What load reports for a record whose external id another transaction committed after this one's
// snapshot: INSERT ... ON CONFLICT (module, name) DO UPDATE meets a row it cannot see, which PostgreSQL
// refuses under REPEATABLE READ (SQLSTATE 40001); load's per-record savepoint turns the psycopg2 error
// into a message (PGERROR_TO_OE's default: the error's text).
std::string concurrent_xmlid_message() { return "could not serialize access due to concurrent update\n"; }

Path split_path(const std::string& spec) {
  Path p;
  std::string part;
  for (char c : spec + "/") {
    if (c == '/') {
      p.push_back(part);
      part.clear();
    } else {
      part += c;
    }
  }
  return p;
}

std::pair<std::string, std::string> split_xmlid(const std::string& xmlid) {
  if (auto dot = xmlid.find('.'); dot != std::string::npos) return {xmlid.substr(0, dot), xmlid.substr(dot + 1)};
  return {"__import__", xmlid};
}

// The inverse many2one of a one2many (order_line → order_id, invoice_line_ids → move_id, move_ids → picking_id).
std::string inverse_of(const std::map<std::string, ModelDef, std::less<>>& models, const std::string& model,
                       const FieldDef& o2m) {
  static const std::map<std::pair<std::string, std::string>, std::string> known = {
      {{"sale.order", "order_line"}, "order_id"},
      {{"account.move", "invoice_line_ids"}, "move_id"},
      {{"account.move", "line_ids"}, "move_id"},
      {{"stock.picking", "move_ids"}, "picking_id"},
      {{"stock.picking", "move_ids_without_package"}, "picking_id"},
      {{"purchase.order", "order_line"}, "order_id"},
      {{"pos.order", "lines"}, "order_id"}};
  if (auto k = known.find({model, o2m.name}); k != known.end()) return k->second;
  auto rel = models.find(o2m.relation);
  if (rel == models.end()) return {};
  for (const auto& [name, f] : rel->second.fields)
    if (f.type == "many2one" && f.relation == model) return name;
  return {};
}
}  // namespace

std::int64_t Database::xmlid_lookup(const std::string& module, const std::string& name, const std::string& model,
                                    bool* invisible) const {
  if (invisible) *invisible = false;
  auto t = tables_.find("ir.model.data");
  if (t == tables_.end()) return 0;
  for (const auto& [id, row] : t->second.rows) {
    auto mm = row.FindMember("module"), nm = row.FindMember("name");
    if (mm == row.MemberEnd() || nm == row.MemberEnd() || sv(mm->value) != module || sv(nm->value) != name) continue;
    // committed after this transaction's snapshot: not seen, but its (module, name) is taken
    if (snapshot_xmlids_below_ && id >= *snapshot_xmlids_below_) {
      if (invisible) *invisible = true;
      return 0;
    }
    auto md = row.FindMember("model"), rid = row.FindMember("res_id");
    if (!model.empty() && (md == row.MemberEnd() || sv(md->value) != model)) return 0;
    return rid != row.MemberEnd() && rid->value.IsInt64() ? rid->value.GetInt64() : 0;
  }
  return 0;
}

void Database::load(const std::string& model, const Val& fields, const Val& rows, const Context& ctx, Doc& out) {
  const ModelDef& def = require_model(model);
  if (!fields.IsArray() || !rows.IsArray())
    throw OdooException{"builtins.TypeError", "load() needs fields and data lists", 422};
  std::vector<Path> paths;
  for (const auto& f : fields.GetArray()) {
    Path p = split_path(sv(f));
    if (p[0] != "id" && p[0] != ".id" && !def.fields.count(p[0])) {
      throw OdooException{"builtins.ValueError", fmt::format("Invalid field name '{}'", p[0]), 500};
    }
    if (p.size() > 1) {
      const FieldDef& top = def.fields.at(p[0]);
      if (top.relation.empty())
        throw OdooException{"builtins.ValueError", fmt::format("Invalid field name '{}'", sv(f)), 500};
      if (top.type == "one2many" && p.size() > 1 && p[1] != "id" && p[1] != ".id" &&
          (!models_.count(top.relation) || !models_.at(top.relation).fields.count(p[1]))) {
        throw OdooException{"builtins.ValueError", fmt::format("Invalid field name '{}'", p[1]), 500};
      }
    }
    paths.push_back(std::move(p));
  }
  auto cell = [](const Val& row, std::size_t i) -> std::string {
    return i < row.Size() && row[static_cast<rapidjson::SizeType>(i)].IsString()
               ? sv(row[static_cast<rapidjson::SizeType>(i)])
               : std::string();
  };
  auto is_o2m = [&](const Path& p) {
    auto f = def.fields.find(p[0]);
    return f != def.fields.end() && f->second.type == "one2many";
  };

  // One record: its row and the rows after it that carry one2many values only (Odoo's record span).
  struct Sub {
    std::string xmlid, dbid;
    Doc vals;
  };
  struct Record {
    std::size_t from = 0, to = 0;
    std::string xmlid, dbid;
    Doc vals;
    std::map<std::string, std::vector<Sub>> subs;  // one2many field → sub-records in order
  };
  std::vector<Record> records;
  std::vector<Problem> problems;

  // Converts the cells of one (sub-)record. `prefix` is the label path for messages ("Order Lines/").
  auto convert = [&](const std::string& on_model, const std::vector<std::pair<Path, std::string>>& cells, Doc& vals,
                     std::string& xmlid, std::string& dbid, const Record& rec, std::size_t index,
                     const std::string& top_field, const std::string& top_label, const std::string& label_prefix) {
    const ModelDef& mdef = require_model(on_model);
    vals.SetObject();
    auto& a = vals.GetAllocator();
    for (const auto& [path, text] : cells) {
      if (path[0] == "id") {
        xmlid = text;
        continue;
      }
      if (path[0] == ".id") {
        dbid = text;
        continue;
      }
      const FieldDef& f = mdef.fields.at(path[0]);
      const std::string label = label_prefix + f.string;
      auto problem = [&](std::string message, bool moreinfo = false, bool xmlid_domain = false) {
        problems.push_back({rec.from, rec.to, index, top_field.empty() ? f.name : top_field,
                            top_field.empty() ? f.string : top_label, std::move(message), f.relation, moreinfo,
                            xmlid_domain});
      };
      const std::string sub = path.size() > 1 ? path[1] : "";
      Val v;
      if (text.empty()) {
        v.SetBool(false);
      } else if (f.type == "float" || f.type == "monetary") {
        double d = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
        if (ec != std::errc{} || p != text.data() + text.size()) {
          problem(fmt::format("'{}' does not seem to be a number for field '{}'", text, label));
          continue;
        }
        v.SetDouble(d);
      } else if (f.type == "integer" || f.type == "many2one_reference") {  // res_id: an integer in the column
        std::int64_t n = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec != std::errc{} || p != text.data() + text.size()) {
          problem(fmt::format("'{}' does not seem to be an integer for field '{}'", text, label));
          continue;
        }
        v.SetInt64(n);
      } else if (f.type == "boolean") {
        v.SetBool(text == "True" || text == "true" || text == "1" || text == "yes");
      } else if (f.type == "many2one" || f.type == "many2many") {
        // many2one: one reference; many2many: references separated by commas
        std::vector<std::string> refs;
        if (f.type == "many2one") {
          refs.push_back(text);
        } else {
          std::string part;
          for (char c : text + ",") {
            if (c == ',') {
              if (!part.empty()) refs.push_back(part);
              part.clear();
            } else {
              part += c;
            }
          }
        }
        std::vector<std::int64_t> found_ids;
        bool bad = false;
        for (const auto& ref : refs) {
          std::int64_t id = 0;
          if (sub == "id") {
            auto [mod, name] = split_xmlid(ref);
            id = xmlid_lookup(mod, name, f.relation);
            if (!id) {
              problem(fmt::format("No matching record found for external id '{}' in field '{}'", ref, label), true,
                      true);
              bad = true;
              break;
            }
          } else if (sub == ".id") {
            std::int64_t n = 0;
            auto [p, ec] = std::from_chars(ref.data(), ref.data() + ref.size(), n);
            if (ec != std::errc{} || p != ref.data() + ref.size()) {
              problem(fmt::format("Invalid database id '{}' for the field '{}'", ref, label), true, true);
              bad = true;
              break;
            }
            if (!exists(f.relation, n)) {
              problem(fmt::format("No matching record found for database id '{}' in field '{}'", ref, label), true,
                      true);
              bad = true;
              break;
            }
            id = n;
          } else {
            Doc found;
            name_search(f.relation, ref, nullptr, "=", 1, ctx, found);
            if (found.Empty()) {
              problem(fmt::format("No matching record found for name '{}' in field '{}'", ref, label), true, false);
              bad = true;
              break;
            }
            id = found[0][0].GetInt64();
          }
          found_ids.push_back(id);
        }
        if (bad) continue;
        if (f.type == "many2one") {
          v.SetInt64(found_ids.front());
        } else {
          v.SetArray();
          Val cmd(rapidjson::kArrayType);
          cmd.PushBack(6, a).PushBack(0, a);
          Val list(rapidjson::kArrayType);
          for (auto id : found_ids) list.PushBack(Val(id), a);
          cmd.PushBack(list, a);
          v.PushBack(cmd, a);
        }
      } else {
        v.SetString(text.c_str(), a);
      }
      vals.AddMember(Val(f.name.c_str(), a), v, a);
    }
  };

  // Rows → records (a row with only one2many cells continues the record above it).
  const std::size_t nrows = rows.Size();
  for (std::size_t r = 0; r < nrows;) {
    const Val& row = rows[static_cast<rapidjson::SizeType>(r)];
    if (!row.IsArray()) throw OdooException{"builtins.TypeError", "each row of load() must be a list", 422};
    std::size_t end = r + 1;
    while (end < nrows) {
      const Val& next = rows[static_cast<rapidjson::SizeType>(end)];
      if (!next.IsArray()) break;
      bool o2m_value = false, other_value = false;
      for (std::size_t i = 0; i < paths.size(); ++i) {
        if (cell(next, i).empty()) continue;
        (is_o2m(paths[i]) ? o2m_value : other_value) = true;
      }
      if (!o2m_value || other_value) break;
      ++end;
    }
    Record rec;
    rec.from = r;
    rec.to = end - 1;
    records.push_back(std::move(rec));
    r = end;
  }
  for (std::size_t index = 0; index < records.size(); ++index) {
    Record& rec = records[index];
    const Val& row = rows[static_cast<rapidjson::SizeType>(rec.from)];
    std::vector<std::pair<Path, std::string>> own;
    for (std::size_t i = 0; i < paths.size(); ++i)
      if (!is_o2m(paths[i])) own.emplace_back(paths[i], cell(row, i));
    convert(model, own, rec.vals, rec.xmlid, rec.dbid, rec, index, "", "", "");
    if (!rec.dbid.empty()) {
      std::int64_t n = 0;
      auto [p, ec] = std::from_chars(rec.dbid.data(), rec.dbid.data() + rec.dbid.size(), n);
      if (ec != std::errc{} || p != rec.dbid.data() + rec.dbid.size() || !exists(model, n)) {
        problems.push_back({rec.from, rec.to, index, ".id", "",
                            fmt::format("Unknown database identifier '{}'", rec.dbid), "", false, false});
      }
    }
    // one2many: per field, a sub-record for every row of the span with a value in that field's columns
    std::set<std::string> o2m_fields;
    for (const auto& p : paths)
      if (is_o2m(p)) o2m_fields.insert(p[0]);
    for (const auto& fname : o2m_fields) {
      const FieldDef& f = def.fields.at(fname);
      auto& list = rec.subs[fname];
      for (std::size_t r = rec.from; r <= rec.to; ++r) {
        const Val& line = rows[static_cast<rapidjson::SizeType>(r)];
        std::vector<std::pair<Path, std::string>> cells;
        bool any = false;
        for (std::size_t i = 0; i < paths.size(); ++i) {
          if (paths[i][0] != fname) continue;
          Path rest(paths[i].begin() + 1, paths[i].end());
          if (rest.empty()) rest.push_back("id");  // "order_line" alone: references, as ids
          const std::string text = cell(line, i);
          any = any || !text.empty();
          cells.emplace_back(std::move(rest), text);
        }
        if (!any) continue;
        Sub s;
        convert(f.relation, cells, s.vals, s.xmlid, s.dbid, rec, index, f.name, f.string, f.string + "/");
        list.push_back(std::move(s));
      }
    }
  }

  // Apply: upsert by external id, all records or none (a savepoint rolled back on any error).
  auto clone = [](const Table& t) {
    Table c;
    c.next_id = t.next_id;
    for (const auto& [id, row] : t.rows) {
      Doc copy;
      copy.CopyFrom(row, copy.GetAllocator());
      c.rows.emplace(id, std::move(copy));
    }
    return c;
  };
  std::set<std::string> touched = {model, "ir.model.data"};
  if (!def.inherits_model.empty()) touched.insert(def.inherits_model);
  for (const auto& p : paths)
    if (is_o2m(p)) touched.insert(def.fields.at(p[0]).relation);
  std::map<std::string, Table> backup;
  auto rollback = [&] {
    for (auto& [name, t] : backup) tables_[name] = std::move(t);
  };
  if (problems.empty()) {
    for (const auto& name : touched)
      if (tables_.count(name)) backup.emplace(name, clone(tables_.at(name)));
  }
  auto register_xmlid = [&](const std::string& xmlid, const std::string& on_model, std::int64_t res_id) {
    auto [module, name] = split_xmlid(xmlid);
    Doc imd;
    imd.SetObject();
    auto& ia = imd.GetAllocator();
    imd.AddMember("module", Val(module.c_str(), ia), ia);
    imd.AddMember("name", Val(name.c_str(), ia), ia);
    imd.AddMember("model", Val(on_model.c_str(), ia), ia);
    imd.AddMember("res_id", Val(res_id), ia);
    imd.AddMember("noupdate", false, ia);
    create_one("ir.model.data", imd, ctx);
  };
  // An external id absent from this transaction's snapshot but committed meanwhile by another: the
  // insert into ir_model_data meets the unique (module, name) index (ON CONFLICT DO UPDATE under
  // REPEATABLE READ), the record's savepoint is rolled back and load reports it.
  auto taken_meanwhile = [&](const std::string& xmlid) {
    if (xmlid.empty()) return false;
    auto [module, name] = split_xmlid(xmlid);
    bool invisible = false;
    xmlid_lookup(module, name, "", &invisible);
    return invisible;
  };
  Val ids(rapidjson::kArrayType);
  auto& a = out.GetAllocator();
  out.SetObject();
  if (problems.empty()) {
    try {
      for (std::size_t index = 0; index < records.size(); ++index) {
        Record& rec = records[index];
        bool conflict = taken_meanwhile(rec.xmlid);
        for (const auto& [fname, list] : rec.subs)
          for (const auto& s : list) conflict = conflict || taken_meanwhile(s.xmlid);
        if (conflict) {
          problems.push_back({rec.from, rec.to, index, "", "", concurrent_xmlid_message(), "", false, false});
          continue;
        }
        std::int64_t id = 0;
        if (!rec.xmlid.empty()) {
          auto [module, name] = split_xmlid(rec.xmlid);
          id = xmlid_lookup(module, name, model);
          if (id && !exists(model, id)) id = 0;  // a dangling external id: Odoo drops it and creates
        } else if (!rec.dbid.empty()) {
          id = std::stoll(rec.dbid);
        }
        if (id) {
          write(model, {id}, rec.vals, ctx);
        } else {
          id = create_one(model, rec.vals, ctx);
          if (!rec.xmlid.empty()) {
            if (!def.inherits_model.empty() && !rec.vals.HasMember(def.inherits_field.c_str())) {
              const Val* parent = field_value(model, id, def.inherits_field);
              std::string suffix = def.inherits_model;
              std::replace(suffix.begin(), suffix.end(), '.', '_');
              if (parent && parent->IsInt64())
                register_xmlid(rec.xmlid + "_" + suffix, def.inherits_model, parent->GetInt64());
            }
            register_xmlid(rec.xmlid, model, id);
          }
        }
        // Sub-records: one with an external id or database id that exists is updated (and linked);
        // any other is created, added to the lines already there (Odoo's import does not replace them).
        for (const auto& [fname, list] : rec.subs) {
          const FieldDef& f = def.fields.at(fname);
          const std::string inverse = inverse_of(models_, model, f);
          for (const auto& s : list) {
            Doc vals;
            vals.CopyFrom(s.vals, vals.GetAllocator());
            if (!inverse.empty()) {
              if (vals.HasMember(inverse.c_str()))
                vals[inverse.c_str()].SetInt64(id);
              else
                vals.AddMember(Val(inverse.c_str(), vals.GetAllocator()), Val(id), vals.GetAllocator());
            }
            std::int64_t line = 0;
            if (!s.xmlid.empty()) {
              auto [module, name] = split_xmlid(s.xmlid);
              line = xmlid_lookup(module, name, f.relation);
              if (line && !exists(f.relation, line)) line = 0;
            } else if (!s.dbid.empty()) {
              std::int64_t n = 0;
              auto [p, ec] = std::from_chars(s.dbid.data(), s.dbid.data() + s.dbid.size(), n);
              if (ec == std::errc{} && exists(f.relation, n))
                line = n;
              else {
                problems.push_back(
                    {rec.from, rec.to, index, f.name, f.string,
                     fmt::format("No matching record found for database id '{}' in field '{}'", s.dbid, f.string),
                     f.relation, true, true});
                continue;
              }
            }
            if (line) {
              write(f.relation, {line}, vals, ctx);
            } else {
              line = create_one(f.relation, vals, ctx);
              if (!s.xmlid.empty()) register_xmlid(s.xmlid, f.relation, line);
            }
          }
        }
        derive(model, id);
        ids.PushBack(Val(id), a);
      }
    } catch (...) {
      rollback();
      throw;
    }
    if (!problems.empty()) rollback();
  }

  if (!problems.empty()) {
    out.AddMember("ids", false, a);
    Val messages(rapidjson::kArrayType);
    for (const auto& p : problems) {
      Val m(rapidjson::kObjectType);
      Val range(rapidjson::kObjectType);
      range.AddMember("from", Val(static_cast<std::int64_t>(p.from)), a);
      range.AddMember("to", Val(static_cast<std::int64_t>(p.to)), a);
      m.AddMember("rows", range, a);
      m.AddMember("type", "error", a);
      m.AddMember("record", Val(static_cast<std::int64_t>(p.record)), a);
      if (!p.field.empty()) m.AddMember("field", Val(p.field.c_str(), a), a);
      m.AddMember("message", Val(p.message.c_str(), a), a);
      if (p.moreinfo) {
        Doc more;
        more.Parse(R"({"name": "Possible Values", "type": "ir.actions.act_window", "target": "new",
          "view_mode": "list,form", "views": [[false, "list"], [false, "form"]], "context": {"create": false},
          "help": "See all possible values"})");
        auto& ma = more.GetAllocator();
        if (p.xmlid_domain) {
          more.AddMember("res_model", "ir.model.data", ma);
          Doc dom;
          dom.Parse(fmt::format(R"([["model", "=", "{}"]])", p.relation).c_str());
          more.AddMember("domain", Val(dom, ma), ma);
        } else {
          more.AddMember("res_model", Val(p.relation.c_str(), ma), ma);
        }
        m.AddMember("moreinfo", Val(more, a), a);
      }
      if (!p.field_name.empty()) m.AddMember("field_name", Val(p.field_name.c_str(), a), a);
      messages.PushBack(m, a);
    }
    out.AddMember("messages", messages, a);
    out.AddMember("nextrow", 0, a);
    return;
  }
  out.AddMember("ids", ids, a);
  out.AddMember("messages", Val(rapidjson::kArrayType), a);
  out.AddMember("nextrow", 0, a);
}

void Database::apply_fixture(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read the fixture file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  Doc fixture;
  fixture.Parse(ss.str().c_str());
  if (fixture.HasParseError() || !fixture.IsObject()) {
    throw std::runtime_error("the fixture '" + path + "' is not a JSON object {\"model\": [records]} (error at byte " +
                             std::to_string(fixture.GetErrorOffset()) + ")");
  }
  Context ctx;
  for (auto& m : fixture.GetObject()) {
    const std::string model = sv(m.name);
    require_model(model);
    if (!m.value.IsArray()) throw std::runtime_error("fixture: '" + model + "' must be a list of records");
    for (auto& rec : m.value.GetArray()) {
      if (!rec.IsObject()) throw std::runtime_error("fixture: a record of '" + model + "' is not an object");
      Doc vals;
      vals.CopyFrom(rec, vals.GetAllocator());
      std::int64_t id = 0;
      if (vals.HasMember("id") && vals["id"].IsInt64()) {
        id = vals["id"].GetInt64();
        vals.RemoveMember("id");
      }
      if (id && exists(model, id)) {
        write(model, {id}, vals, ctx);
      } else if (id) {
        Table& t = tables_[model];
        const std::int64_t saved = t.next_id;
        t.next_id = id;  // create exactly this id, then go on after the highest
        create_one(model, vals, ctx);
        t.next_id = std::max(saved, id + 1);
      } else {
        create_one(model, vals, ctx);
      }
    }
  }
}

}  // namespace odoosync::emulator
