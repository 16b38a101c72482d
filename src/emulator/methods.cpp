// The model methods clients call: each version's signatures, arguments bound to them, the demo users'
// access rights, and each ORM method's answer from the Database (buttons go on to business.cpp).
#include "methods.hpp"

#include "business.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace odoosync::emulator {

std::vector<User> users_for(int version, const std::string& admin_key) {
  if (version >= 19) {
    return {{2, "admin", "admin", admin_key, "Mitchell Admin"},
            {5, "demo", "demo", "", "Marc Demo"},
            {6, "portal", "portal", "0dd05ec0ffee0dd05ec0ffee0dd05ec0ffee0006", "Joel Willis"},
            {7, "rpc_limited", "rpc_limited", "0dd05ec0ffee0dd05ec0ffee0dd05ec0ffee0007", "RPC Limited"}};
  }
  return {{2, "admin", "admin", admin_key, "Mitchell Admin"},
          {6, "demo", "demo", "", "Marc Demo"},
          {7, "portal", "portal", "", "Joel Willis"},
          {8, "rpc_limited", "rpc_limited", "", "RPC Limited"}};
}

bool access_allowed(int version, const std::string& admin_key, std::int64_t uid, const std::string& model, char op) {
  const auto& us = users_for(version, admin_key);
  const bool limited = uid == us[3].uid, portal = uid == us[2].uid;
  const bool writes = op != 'r';
  const bool accounting = model.rfind("account.", 0) == 0;
  const bool business = model.rfind("product.", 0) == 0 || model.rfind("stock.", 0) == 0 ||
                        model.rfind("sale.", 0) == 0 || model.rfind("purchase.", 0) == 0 || model.rfind("pos.", 0) == 0;
  if ((limited || portal) && (accounting || (writes && (business || portal)))) return false;
  // The limited user is an internal user without the Sales or Inventory groups: real Odoo 18 and 19 also
  // refuse it reading orders, pickings, moves and external ids (checked with check_access_rights).
  const bool group_only = model.rfind("sale.", 0) == 0 || model == "stock.picking" || model == "stock.move" ||
                          model == "ir.model.data" || model.rfind("purchase.", 0) == 0;
  if (limited && group_only) return false;
  // Nobody deletes quants, not even the administrator (real Odoo 18 and 19 answer False).
  if (op == 'u' && model == "stock.quant") return false;
  return true;
}

const std::map<std::string, Signature>& signatures(int version) {
  static const std::map<std::string, Signature> common = {
      {"search", {false, {{"domain", true}, {"offset", false}, {"limit", false}, {"order", false}}}},
      {"search_read",
       {false, {{"domain", false}, {"fields", false}, {"offset", false}, {"limit", false}, {"order", false}}}},
      {"search_count", {false, {{"domain", true}, {"limit", false}}}},
      {"read", {true, {{"fields", false}, {"load", false}}}},
      {"create", {false, {{"vals_list", true}}}},
      {"write", {true, {{"vals", true}}}},
      {"unlink", {true, {}}},
      {"copy", {true, {{"default", false}}}},
      {"name_search", {false, {{"name", false}, {"domain", false}, {"operator", false}, {"limit", false}}}},
      {"fields_get", {false, {{"allfields", false}, {"attributes", false}}}},
      {"read_group",
       {false,
        {{"domain", true},
         {"fields", true},
         {"groupby", true},
         {"offset", false},
         {"limit", false},
         {"orderby", false},
         {"lazy", false}}}},
      {"load", {false, {{"fields", true}, {"data", true}}}},
      {"exists", {true, {}}},
      {"action_confirm", {true, {}}},
      {"action_cancel", {true, {}}},
      {"action_apply_inventory", {true, {}}},
      {"action_post", {true, {}}},
      {"button_validate", {true, {}}},
      {"context_get", {false, {}}},
      // mail.thread's (keyword-only in Odoo; its **kwargs are not modelled)
      {"message_post",
       {true,
        {{"body", false},
         {"subject", false},
         {"message_type", false},
         {"subtype_xmlid", false},
         {"subtype_id", false},
         {"partner_ids", false},
         {"body_is_html", false}}}},
      {"formatted_read_group",
       {false,
        {{"domain", false},
         {"groupby", false},
         {"aggregates", false},
         {"having", false},
         {"offset", false},
         {"limit", false},
         {"order", false}}}},
  };
  static const std::map<std::string, Signature> v18 = [] {
    auto m = common;
    m["default_get"] = {false, {{"fields_list", true}}};
    m["search_fetch"] = {
        false, {{"domain", true}, {"field_names", true}, {"offset", false}, {"limit", false}, {"order", false}}};
    m["sudo"] = {true, {{"flag", false}}};
    m.erase("formatted_read_group");
    return m;
  }();
  static const std::map<std::string, Signature> v19 = [] {
    auto m = common;
    m["default_get"] = {false, {{"fields", true}}};
    return m;
  }();
  // 17: name_search takes `args` (renamed `domain` in 18) and name_get still exists (deprecated).
  static const std::map<std::string, Signature> v17 = [] {
    auto m = v18;
    m["name_search"] = {false, {{"name", false}, {"args", false}, {"operator", false}, {"limit", false}}};
    m["name_get"] = {true, {}};
    m.erase("search_fetch");
    return m;
  }();
  return version >= 19 ? v19 : version <= 17 ? v17 : v18;
}

void run_method(Database& db, int version, const std::string& admin_api_key, MethodCall& call, Doc& out, bool& none) {
  const int v = version;
  if ((!call.method.empty() && call.method[0] == '_') ||
      (v >= 19 && (call.method == "search_fetch" || call.method == "sudo"))) {
    throw OdooException{
        "odoo.exceptions.AccessError",
        v >= 19 ? fmt::format("Private methods (such as '{}.{}') cannot be called remotely.", call.model, call.method)
                : fmt::format("Private methods (such as {}) cannot be called remotely.", call.method),
        403};
  }
  if (!db.has_model(call.model)) {
    if (v >= 19)
      throw OdooException{"werkzeug.exceptions.NotFound", fmt::format("the model '{}' does not exist", call.model),
                          404};
    throw OdooException{"odoo.exceptions.UserError", fmt::format("Object {} doesn't exist", call.model), 422};
  }
  const auto& sigs = signatures(v);
  auto sit = sigs.find(call.method);
  if (sit == sigs.end()) {
    if (v >= 19) {
      throw OdooException{"werkzeug.exceptions.NotFound",
                          fmt::format("The method '{}.{}' does not exist", call.model, call.method), 404};
    }
    throw OdooException{"builtins.AttributeError",
                        fmt::format("The method '{}' does not exist on the model '{}'", call.method, call.model), 422};
  }
  const Signature& sig = sit->second;
  const std::string owner = fmt::format("{}.{}()", sig.record ? "ResPartner" : "BaseModel", call.method);
  auto type_error = [&](std::string json2_text, std::string rpc_text) -> OdooException {
    if (call.json2) return {"werkzeug.exceptions.UnprocessableEntity", std::move(json2_text), 422};
    return {"builtins.TypeError", std::move(rpc_text), 500};
  };

  // Bind positional and named arguments to the signature.
  std::map<std::string, const Val*> bound;
  std::vector<std::int64_t> ids;
  rapidjson::SizeType pos = 0;
  const Val* ids_value = nullptr;
  if (call.json2) {
    if (call.has_ids) {
      if (!sig.record) {
        throw OdooException{"werkzeug.exceptions.UnprocessableEntity",
                            fmt::format("cannot call {}.{} with ids", call.model, call.method), 422};
      }
      ids_value = &call.ids;
    }
  } else if (sig.record) {
    if (!call.args.IsArray() || call.args.Empty()) {
      throw type_error("missing a required argument: 'ids'",
                       fmt::format("{} missing 1 required positional argument: 'ids'", owner));
    }
    ids_value = &call.args[0];
    pos = 1;
  }
  if (ids_value) {
    if (ids_value->IsInt64())
      ids.push_back(ids_value->GetInt64());
    else if (ids_value->IsArray()) {
      for (const auto& x : ids_value->GetArray()) {
        if (!x.IsInt64()) {
          throw OdooException{
              "psycopg2.errors.InvalidTextRepresentation",
              fmt::format("invalid input syntax for type integer: \"{}\"", x.IsString() ? sv(x).substr(0, 1) : dump(x)),
              500};
        }
        ids.push_back(x.GetInt64());
      }
    } else if (ids_value->IsString()) {
      throw OdooException{"psycopg2.errors.InvalidTextRepresentation",
                          fmt::format("invalid input syntax for type integer: \"{}\"", sv(*ids_value).substr(0, 1)),
                          500};
    }
  }
  if (call.args.IsArray()) {
    for (; pos < call.args.Size(); ++pos) {
      const std::size_t k = pos - (sig.record ? 1 : 0);
      if (k >= sig.params.size()) {
        throw type_error("too many positional arguments",
                         fmt::format("{} takes {} positional arguments but {} were given", owner, sig.params.size() + 1,
                                     call.args.Size() + (sig.record ? 0 : 1)));
      }
      bound[sig.params[k].first] = &call.args[pos];
    }
  } else if (!call.json2 && !call.args.IsNull()) {
    throw OdooException{"builtins.AssertionError",
                        "Domains to normalize must have a 'domain' form: a list or tuple of domain components", 500};
  }
  if (call.kwargs.IsObject()) {
    for (const auto& m : call.kwargs.GetObject()) {
      const std::string name = sv(m.name);
      if (name == "context") continue;
      auto p = std::find_if(sig.params.begin(), sig.params.end(), [&](const auto& x) { return x.first == name; });
      if (p == sig.params.end()) {
        throw type_error(fmt::format("got an unexpected keyword argument '{}'", name),
                         fmt::format("{} got an unexpected keyword argument '{}'", owner, name));
      }
      bound[name] = &m.value;
    }
  }
  for (const auto& [name, required] : sig.params) {
    if (required && !bound.count(name)) {
      throw type_error(fmt::format("missing a required argument: '{}'", name),
                       fmt::format("{} missing 1 required positional argument: '{}'", owner, name));
    }
  }
  auto arg = [&](const char* name) -> const Val* {
    auto it = bound.find(name);
    return it == bound.end() || it->second->IsNull() ? nullptr : it->second;
  };
  auto int_arg = [&](const char* name, std::int64_t fallback) {
    const Val* x = arg(name);
    return x && x->IsInt64() ? x->GetInt64() : fallback;
  };
  auto limit_arg = [&]() -> std::optional<std::int64_t> {
    const Val* x = arg("limit");
    if (x && x->IsInt64()) return x->GetInt64();
    return std::nullopt;
  };
  auto order_arg = [&]() {
    const Val* x = arg("order");
    return x && x->IsString() ? sv(*x) : std::string();
  };
  Doc empty_domain;
  empty_domain.SetArray();
  auto domain_arg = [&]() -> const Val& {
    const Val* d = arg("domain");
    if (!d) return empty_domain;
    if (!d->IsArray()) {
      throw OdooException{"builtins.AssertionError",
                          "Domains to normalize must have a 'domain' form: a list or tuple of domain components", 500};
    }
    return *d;
  };

  // Access rights of the non-admin demo users (the shapes real Odoo 18/19 answered).
  const bool writes = call.method == "create" || call.method == "write" || call.method == "unlink" ||
                      call.method == "copy" || call.method == "load" || call.method.rfind("action_", 0) == 0 ||
                      call.method == "button_validate";
  if (!access_allowed(v, admin_api_key, call.uid, call.model, writes ? 'w' : 'r')) {
    const std::string& label = call.model;
    throw OdooException{
        "odoo.exceptions.AccessError",
        fmt::format("You are not allowed to {} '{}' ({}) records.", writes ? "modify" : "access", label, call.model),
        403};
  }

  Context& ctx = call.ctx;
  ctx.uid = call.uid;
  const ModelDef* mdef = db.model(call.model);
  if (call.method == "message_post" && !(mdef && mdef->fields.count("message_ids"))) {  // not a mail.thread
    if (v >= 19) {
      throw OdooException{"werkzeug.exceptions.NotFound",
                          fmt::format("The method '{}.{}' does not exist", call.model, call.method), 404};
    }
    throw OdooException{"builtins.AttributeError",
                        fmt::format("The method '{}' does not exist on the model '{}'", call.method, call.model), 422};
  }
  auto& a = out.GetAllocator();
  const std::string& m = call.method;
  if (m == "search") {
    db.search(call.model, domain_arg(), int_arg("offset", 0), limit_arg(), order_arg(), ctx, out);
  } else if (m == "search_read") {
    db.search_read(call.model, domain_arg(), arg("fields"), int_arg("offset", 0), limit_arg(), order_arg(), ctx, out);
  } else if (m == "search_count") {
    out.SetInt64(db.search_count(call.model, domain_arg(), ctx));
  } else if (m == "read") {
    const Val* load = bound.count("load") ? bound["load"] : nullptr;
    db.read(call.model, ids, arg("fields"), !(load && (load->IsNull() || (load->IsBool() && !load->GetBool()))), out);
  } else if (m == "create") {
    const Val& vals = *bound["vals_list"];
    if (call.model == "stock.quant" && ctx.inventory_mode && (vals.IsObject() || vals.IsArray())) {
      // Inventory mode: a quant per product and location; creating one again sets the counted quantity
      // on the existing quant and returns it.
      std::vector<std::int64_t> result;
      auto one = [&](const Val& q) {
        Doc dom;
        dom.SetArray();
        for (const char* key : {"product_id", "location_id"}) {
          if (!q.HasMember(key)) continue;
          Val term(rapidjson::kArrayType);
          term.PushBack(Val(key, dom.GetAllocator()), dom.GetAllocator()).PushBack("=", dom.GetAllocator());
          term.PushBack(Val(q[key], dom.GetAllocator()), dom.GetAllocator());
          dom.PushBack(term, dom.GetAllocator());
        }
        Doc found;
        db.search("stock.quant", dom, 0, 1, "", ctx, found);
        Doc vals_doc;
        vals_doc.CopyFrom(q, vals_doc.GetAllocator());
        const bool apply = q.HasMember("inventory_quantity_auto_apply");
        auto put = [&](const char* key, Val value) {
          if (vals_doc.HasMember(key))
            vals_doc[key] = value;
          else
            vals_doc.AddMember(Val(key, vals_doc.GetAllocator()), value, vals_doc.GetAllocator());
        };
        if (apply) {
          // _set_inventory_quantity: the count is applied at once (action_apply_inventory), which
          // leaves inventory_quantity at 0 and inventory_quantity_set False.
          Val qty(q["inventory_quantity_auto_apply"], vals_doc.GetAllocator());
          vals_doc.RemoveMember("inventory_quantity_auto_apply");
          put("quantity", std::move(qty));
          put("inventory_quantity", Val(0.0));
          put("inventory_quantity_set", Val(false));
        } else if (q.HasMember("inventory_quantity")) {
          put("inventory_quantity_set", Val(true));  // a count waiting to be applied
        }
        if (!found.Empty()) {
          const std::int64_t id = found[0].GetInt64();
          Doc w;
          w.SetObject();
          for (auto& mm : vals_doc.GetObject())
            if (sv(mm.name) != "product_id" && sv(mm.name) != "location_id")
              w.AddMember(Val(mm.name, w.GetAllocator()), Val(mm.value, w.GetAllocator()), w.GetAllocator());
          db.write("stock.quant", {id}, w, ctx);
          result.push_back(id);
        } else {
          auto created = db.create("stock.quant", vals_doc, ctx);
          result.push_back(created.front());
        }
      };
      if (vals.IsArray())
        for (const auto& q : vals.GetArray()) one(q);
      else
        one(vals);
      out.SetArray();
      for (auto id : result) out.PushBack(Val(id), a);
      if (!call.json2 && vals.IsObject()) out.SetInt64(result.front());
    } else {
      auto created = db.create(call.model, vals, ctx);
      if (!call.json2 && vals.IsObject()) {
        out.SetInt64(created.front());  // JSON-RPC: one dict gives a bare id
      } else {
        out.SetArray();
        for (auto id : created) out.PushBack(Val(id), a);
      }
    }
  } else if (m == "write") {
    const Val& vals = *bound["vals"];
    if (call.model == "res.partner" && vals.IsObject() && vals.HasMember("parent_id") && vals["parent_id"].IsInt64()) {
      for (auto id : ids)
        if (vals["parent_id"].GetInt64() == id)
          throw OdooException{"odoo.exceptions.ValidationError", "You cannot create recursive Partner hierarchies.",
                              422};
    }
    db.write(call.model, ids, vals, ctx);
    out.SetBool(true);
  } else if (m == "unlink") {
    db.unlink(call.model, ids);
    out.SetBool(true);
  } else if (m == "copy") {
    out.SetArray();
    for (auto id : ids) out.PushBack(Val(db.copy(call.model, id, arg("default"), ctx)), a);
  } else if (m == "name_search") {
    const Val* name = arg("name");
    const Val* op = arg("operator");
    db.name_search(call.model, name ? sv(*name) : "", arg(v <= 17 ? "args" : "domain"), op ? sv(*op) : "ilike",
                   int_arg("limit", 100), ctx, out);
  } else if (m == "name_get" && v <= 17) {
    // [[id, display_name], ...] for the records that exist
    Doc f = fields_doc({"display_name"});
    Doc rows;
    db.read(call.model, ids, &f, false, rows);
    out.SetArray();
    for (const auto& row : rows.GetArray()) {
      Val pair(rapidjson::kArrayType);
      pair.PushBack(Val(row["id"].GetInt64()), a);
      Val label;
      label.CopyFrom(row["display_name"], a);
      pair.PushBack(label, a);
      out.PushBack(pair, a);
    }
  } else if (m == "message_post") {
    Database::MessagePost post;
    const auto text = [&](const char* name, std::string& into) {
      if (const Val* x = arg(name); x && x->IsString()) into = sv(*x);
    };
    text("body", post.body);
    text("message_type", post.message_type);
    text("subtype_xmlid", post.subtype_xmlid);
    if (const Val* x = arg("subtype_id"); x && x->IsInt64()) post.subtype_id = x->GetInt64();
    if (const Val* x = arg("body_is_html"); x && x->IsBool()) post.body_is_html = x->GetBool();
    const std::int64_t id = db.message_post(call.model, ids, post, ctx);
    if (v >= 19) {
      out.SetArray();
      out.PushBack(Val(id), a);
    } else {
      out.SetInt64(id);
    }
  } else if (m == "fields_get") {
    db.fields_get(call.model, arg("allfields"), arg("attributes"), out);
  } else if (m == "default_get") {
    db.default_get(call.model, *bound.begin()->second, ctx, out);
  } else if (m == "read_group") {
    const Val* lazy = arg("lazy");
    db.read_group(call.model, domain_arg(), *bound["fields"], *bound["groupby"],
                  !lazy || (lazy->IsBool() && lazy->GetBool()), ctx, out);
    // offset and limit apply to the groups
    const auto offset = static_cast<rapidjson::SizeType>(std::max<std::int64_t>(0, int_arg("offset", 0)));
    for (rapidjson::SizeType i = 0; i < offset && !out.Empty(); ++i) out.Erase(out.Begin());
    if (auto limit = limit_arg())
      while (static_cast<std::int64_t>(out.Size()) > *limit) out.PopBack();
  } else if (m == "load") {
    db.load(call.model, *bound["fields"], *bound["data"], ctx, out);
  } else if (m == "search_fetch") {
    // returns a recordset: JSON-RPC serialises it as its ids
    db.search(call.model, domain_arg(), int_arg("offset", 0), limit_arg(), order_arg(), ctx, out);
  } else if (m == "sudo") {
    // a recordset returned without @api.returns: JSON-RPC gives its str()
    std::string text = call.model + "(";
    for (std::size_t i = 0; i < ids.size(); ++i) text += (i ? ", " : "") + std::to_string(ids[i]);
    text += ids.size() == 1 ? ",)" : ")";
    out.SetString(text.c_str(), a);
  } else if (m == "formatted_read_group") {
    Doc fields;
    fields.SetArray();
    const Val* aggs = arg("aggregates");
    if (aggs && aggs->IsArray())
      for (const auto& x : aggs->GetArray()) fields.PushBack(Val(x, fields.GetAllocator()), fields.GetAllocator());
    Doc groupby;
    if (const Val* g = arg("groupby"))
      groupby.CopyFrom(*g, groupby.GetAllocator());
    else
      groupby.SetArray();
    Doc rows;
    db.read_group(call.model, domain_arg(), fields, groupby, false, ctx, rows);
    // 19's shape: "<field>:<agg>" keys, __count only when asked, __extra_domain = the group's own condition
    out.SetArray();
    for (auto& r : rows.GetArray()) {
      Val g(rapidjson::kObjectType);
      for (auto& mm : r.GetObject()) {
        const std::string k = sv(mm.name);
        if (k == "__domain") {
          Val extra(rapidjson::kArrayType);
          const auto& dom = mm.value;
          // the group's own conditions: the last leaves of the combined domain, one per groupby field
          const rapidjson::SizeType n = groupby.IsArray() ? groupby.Size() : 1;
          for (rapidjson::SizeType i = dom.Size() >= n ? dom.Size() - n : 0; i < dom.Size(); ++i)
            extra.PushBack(Val(dom[i], a), a);
          g.AddMember("__extra_domain", extra, a);
        } else if (k == "__count") {
          bool asked = false;
          if (aggs && aggs->IsArray())
            for (const auto& x : aggs->GetArray()) asked = asked || sv(x) == "__count";
          if (asked) g.AddMember("__count", Val(mm.value, a), a);
        } else {
          std::string key = k;
          if (aggs && aggs->IsArray())
            for (const auto& x : aggs->GetArray())
              if (sv(x).rfind(k + ":", 0) == 0) key = sv(x);
          g.AddMember(Val(key.c_str(), a), Val(mm.value, a), a);
        }
      }
      out.PushBack(g, a);
    }
  } else if (m == "exists") {
    out.SetArray();
    for (auto id : ids)
      if (db.exists(call.model, id)) out.PushBack(Val(id), a);
  } else if (m == "context_get") {
    // only the admin has a time zone in the demo databases
    out.Parse(fmt::format(R"({{"lang": "{}", "tz": {}, "uid": {}}})", ctx.lang,
                          call.uid == 2 ? "\"Europe/Brussels\"" : "false", call.uid)
                  .c_str());
  } else if (run_button(db, ButtonCall{v, call.model, m, ids, &ctx, call.snapshot_commit}, out, none)) {
    // a button (business method): business.cpp
  } else {
    if (v >= 19) {
      throw OdooException{"werkzeug.exceptions.NotFound",
                          fmt::format("The method '{}.{}' does not exist", call.model, call.method), 404};
    }
    throw OdooException{"builtins.AttributeError",
                        fmt::format("The method '{}' does not exist on the model '{}'", call.method, call.model), 422};
  }
}

}  // namespace odoosync::emulator
