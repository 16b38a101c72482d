// `load`: Odoo's import with external ids. Every row is converted and checked first; any bad row means
// `ids: false` with one message per problem and nothing written, as real Odoo answers.
#include "orm.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace odoosync::emulator {

namespace {
std::string sv(const Val& v) { return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : std::string(); }

struct Problem {
  std::size_t row;
  std::string field, field_name, message, relation;
  bool xmlid = false;
};
}  // namespace

void Database::load(const std::string& model, const Val& fields, const Val& rows, const Context& ctx, Doc& out) {
  const ModelDef& def = require_model(model);
  if (!fields.IsArray() || !rows.IsArray()) throw OdooException{"builtins.TypeError", "load() needs fields and data lists", 422};
  struct Column {
    std::string field;     // "" for the record's own external id
    bool by_xmlid = false;
    const FieldDef* def = nullptr;
  };
  std::vector<Column> columns;
  for (const auto& f : fields.GetArray()) {
    std::string spec = sv(f);
    Column c;
    if (spec == "id") {
      columns.push_back(c);
      continue;
    }
    if (spec.ends_with("/id")) {
      c.by_xmlid = true;
      spec.resize(spec.size() - 3);
    }
    auto it = def.fields.find(spec);
    if (it == def.fields.end()) throw OdooException{"builtins.ValueError", fmt::format("Invalid field name '{}'", spec), 500};
    c.field = spec;
    c.def = &it->second;
    columns.push_back(c);
  }
  auto xmlid_lookup = [&](std::string xmlid, const std::string& target) -> std::int64_t {
    std::string module = "__import__";
    if (auto dot = xmlid.find('.'); dot != std::string::npos) {
      module = xmlid.substr(0, dot);
      xmlid = xmlid.substr(dot + 1);
    }
    for (const auto& [id, row] : tables_["ir.model.data"].rows) {
      if (sv(row["module"]) == module && sv(row["name"]) == xmlid && sv(row["model"]) == target)
        return row["res_id"].GetInt64();
    }
    return 0;
  };

  std::vector<Problem> problems;
  std::vector<std::pair<std::string, Doc>> converted;  // (xmlid, vals)
  std::size_t index = 0;
  for (const auto& r : rows.GetArray()) {
    Doc vals;
    vals.SetObject();
    auto& a = vals.GetAllocator();
    std::string xmlid;
    for (rapidjson::SizeType i = 0; i < columns.size() && i < r.Size(); ++i) {
      const Column& c = columns[i];
      const std::string text = r[i].IsString() ? sv(r[i]) : std::string();
      if (c.field.empty()) {
        xmlid = text;
        continue;
      }
      const FieldDef& f = *c.def;
      Val v;
      auto problem = [&](std::string message, bool by_xmlid = false) {
        problems.push_back({index, f.name, f.string, std::move(message), f.relation, by_xmlid});
      };
      if (text.empty()) {
        v.SetBool(false);
      } else if (f.type == "float" || f.type == "monetary") {
        double d = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
        if (ec != std::errc{} || p != text.data() + text.size()) {
          problem(fmt::format("'{}' does not seem to be a number for field '{}'", text, f.string));
          continue;
        }
        v.SetDouble(d);
      } else if (f.type == "integer") {
        std::int64_t n = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec != std::errc{} || p != text.data() + text.size()) {
          problem(fmt::format("'{}' does not seem to be an integer for field '{}'", text, f.string));
          continue;
        }
        v.SetInt64(n);
      } else if (f.type == "boolean") {
        v.SetBool(text == "True" || text == "true" || text == "1" || text == "yes");
      } else if (f.type == "many2one") {
        std::int64_t id = 0;
        if (c.by_xmlid) {
          id = xmlid_lookup(text, f.relation);
          if (!id) {
            problem(fmt::format("No matching record found for external id '{}' in field '{}'", text, f.string), true);
            continue;
          }
        } else {
          Doc found;
          name_search(f.relation, text, nullptr, "=", 1, ctx, found);
          if (found.Empty()) {
            problem(fmt::format("No matching record found for name '{}' in field '{}'", text, f.string));
            continue;
          }
          id = found[0][0].GetInt64();
        }
        v.SetInt64(id);
      } else {
        v.SetString(text.c_str(), a);
      }
      vals.AddMember(Val(f.name.c_str(), a), v, a);
    }
    converted.emplace_back(xmlid, std::move(vals));
    ++index;
  }

  out.SetObject();
  auto& a = out.GetAllocator();
  if (!problems.empty()) {
    out.AddMember("ids", false, a);
    Val messages(rapidjson::kArrayType);
    for (const auto& p : problems) {
      Val m(rapidjson::kObjectType);
      Val range(rapidjson::kObjectType);
      range.AddMember("from", Val(static_cast<std::int64_t>(p.row)), a);
      range.AddMember("to", Val(static_cast<std::int64_t>(p.row)), a);
      m.AddMember("rows", range, a);
      m.AddMember("type", "error", a);
      m.AddMember("record", Val(static_cast<std::int64_t>(p.row)), a);
      m.AddMember("field", Val(p.field.c_str(), a), a);
      m.AddMember("message", Val(p.message.c_str(), a), a);
      if (p.xmlid) {
        Doc more;
        more.Parse(fmt::format(R"({{"name": "Possible Values", "type": "ir.actions.act_window", "target": "new",
          "view_mode": "list,form", "views": [[false, "list"], [false, "form"]], "context": {{"create": false}},
          "help": "See all possible values", "res_model": "ir.model.data", "domain": [["model", "=", "{}"]]}})",
                               p.relation)
                       .c_str());
        m.AddMember("moreinfo", Val(more, a), a);
      }
      m.AddMember("field_name", Val(p.field_name.c_str(), a), a);
      messages.PushBack(m, a);
    }
    out.AddMember("messages", messages, a);
    out.AddMember("nextrow", 0, a);
    return;
  }

  // Apply: upsert by external id, all rows or none.
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
  Table backup_model = clone(tables_[model]);
  Table backup_parent = def.inherits_model.empty() ? Table{} : clone(tables_[def.inherits_model]);
  Table backup_xmlids = clone(tables_["ir.model.data"]);
  Val ids(rapidjson::kArrayType);
  try {
    for (auto& [xmlid, vals] : converted) {
      std::int64_t id = 0;
      if (!xmlid.empty()) id = xmlid_lookup(xmlid, model);
      if (id && exists(model, id)) {
        write(model, {id}, vals, ctx);
      } else {
        id = create_one(model, vals, ctx);
        if (!xmlid.empty()) {
          std::string module = "__import__", name = xmlid;
          if (auto dot = xmlid.find('.'); dot != std::string::npos) {
            module = xmlid.substr(0, dot);
            name = xmlid.substr(dot + 1);
          }
          Doc imd;
          imd.SetObject();
          auto& ia = imd.GetAllocator();
          imd.AddMember("module", Val(module.c_str(), ia), ia);
          imd.AddMember("name", Val(name.c_str(), ia), ia);
          imd.AddMember("model", Val(model.c_str(), ia), ia);
          imd.AddMember("res_id", Val(id), ia);
          imd.AddMember("noupdate", false, ia);
          create_one("ir.model.data", imd, ctx);
        }
      }
      ids.PushBack(Val(id), a);
    }
  } catch (...) {
    tables_[model] = std::move(backup_model);
    if (!def.inherits_model.empty()) tables_[def.inherits_model] = std::move(backup_parent);
    tables_["ir.model.data"] = std::move(backup_xmlids);
    throw;
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
