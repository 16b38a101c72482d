// Buttons of the retail models as Odoo answers them. Sources (Odoo 18.0, checked where noted against a
// running 18.0): sale/models/sale_order.py (action_confirm, action_cancel, _show_cancel_wizard),
// stock/models/stock_picking.py (button_validate, _sanity_check, _pre_action_done_hook,
// _check_backorder, _action_generate_backorder_wizard), stock/models/stock_quant.py
// (action_apply_inventory, _apply_inventory), account/models/account_move.py (_post) and
// sequence_mixin.py, account/models/account_payment.py (action_post).
#include "business.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

namespace odoosync::emulator {

Doc fields_doc(std::initializer_list<const char*> names) {
  Doc f;
  f.SetArray();
  for (const char* n : names) f.PushBack(Val(n, f.GetAllocator()), f.GetAllocator());
  return f;
}

namespace {

std::int64_t id_of(const Val& v) {
  return v.IsInt64() ? v.GetInt64() : v.IsArray() && !v.Empty() && v[0].IsInt64() ? v[0].GetInt64() : 0;
}
double num_of(const Val& v) { return v.IsNumber() ? v.GetDouble() : 0.0; }
bool is_zero(double x) { return std::fabs(x) < 1e-9; }

[[noreturn]] void user_error(std::string message) {
  throw OdooException{"odoo.exceptions.UserError", std::move(message), 422};
}

Doc read_one(Database& db, const std::string& model, std::int64_t id, std::initializer_list<const char*> names) {
  Doc f = fields_doc(names);
  Doc rows;
  db.read(model, {id}, &f, false, rows);
  if (rows.Empty()) {
    throw OdooException{
        "odoo.exceptions.MissingError",
        fmt::format("Record does not exist or has been deleted.\n(Record: {}({},), User: 2)", model, id), 404};
  }
  Doc one;
  one.CopyFrom(rows[0], one.GetAllocator());
  return one;
}

Doc search_read(Database& db, const std::string& model, const std::string& domain,
                std::initializer_list<const char*> names, const Context& ctx) {
  Doc dom;
  dom.Parse(domain.c_str());
  Doc f = fields_doc(names);
  Doc rows;
  db.search_read(model, dom, &f, 0, std::nullopt, "", ctx, rows);
  return rows;
}

void write(Database& db, const std::string& model, std::int64_t id, const std::string& vals_json, const Context& ctx) {
  Doc vals;
  vals.Parse(vals_json.c_str());
  db.write(model, {id}, vals, ctx);
}

// Moves `delta` units of a product in or out of an internal location, creating the quant if needed.
void adjust_quant(Database& db, std::int64_t product, std::int64_t location, double delta, const Context& ctx) {
  Doc found = search_read(db, "stock.quant",
                          fmt::format(R"([["product_id", "=", {}], ["location_id", "=", {}]])", product, location),
                          {"quantity"}, ctx);
  if (!found.Empty()) {
    write(db, "stock.quant", found[0]["id"].GetInt64(),
          fmt::format(R"({{"quantity": {}}})", num_of(found[0]["quantity"]) + delta), ctx);
  } else {
    Doc vals;
    vals.Parse(
        fmt::format(R"({{"product_id": {}, "location_id": {}, "quantity": {}}})", product, location, delta).c_str());
    db.create("stock.quant", vals, ctx);
  }
}

// Reserves (or, with a negative amount, unreserves) up to `qty` units on a product's quant at an internal
// location, as Odoo's action_assign does for a delivery: never more than is on hand and unreserved.
double reserve_quant(Database& db, std::int64_t product, std::int64_t location, double qty, const Context& ctx) {
  Doc found = search_read(db, "stock.quant",
                          fmt::format(R"([["product_id", "=", {}], ["location_id", "=", {}]])", product, location),
                          {"quantity", "reserved_quantity"}, ctx);
  if (found.Empty()) return 0;
  const double on_hand = num_of(found[0]["quantity"]), reserved = num_of(found[0]["reserved_quantity"]);
  const double change = qty >= 0 ? std::min(qty, std::max(0.0, on_hand - reserved)) : -std::min(-qty, reserved);
  if (is_zero(change)) return 0;
  write(db, "stock.quant", found[0]["id"].GetInt64(), fmt::format(R"({{"reserved_quantity": {}}})", reserved + change),
        ctx);
  return change;
}

bool internal(Database& db, std::int64_t location) {
  if (!location) return false;
  Doc l = read_one(db, "stock.location", location, {"usage"});
  return sv(l["usage"]) == "internal";
}

// Database ids of records Odoo's actions name (views, mail templates): those of the real demo databases.
struct Refs {
  std::int64_t sale_order_cancel_view, sale_cancel_template, backorder_view;
};
Refs refs(int version) {
  // 18 (and 17, which runs on 18's data): read from the real retail18 database's ir.model.data
  // (sale.sale_order_cancel_view_form, sale.mail_template_sale_cancellation, stock.view_backorder_confirmation).
  // 19: not checked on a real 19 yet (see docs/emulator.md); the 18 ids stand in.
  (void)version;
  return {1288, 18, 893};
}

// --- sale.order ---------------------------------------------------------------------------------------

void confirm_orders(Database& db, const ButtonCall& c, Doc& out) {
  const Context& ctx = *c.ctx;
  for (auto id : c.ids) {
    Doc o = read_one(db, "sale.order", id, {"state"});
    if (sv(o["state"]) == "draft" || sv(o["state"]) == "sent") continue;
    if (c.version <= 17) {  // 17: every order of the call named (display_name), sale_order.py:918
      std::string names;
      for (auto other : c.ids) names += (names.empty() ? "" : ", ") + db.display_name("sale.order", other);
      user_error("The following orders are not in a state requiring confirmation: " + names);
    }
    user_error("Some orders are not in a state requiring confirmation.");
  }
  for (auto id : c.ids) write(db, "sale.order", id, R"({"state": "sale"})", ctx);
  // The delivery: one outgoing transfer from the warehouse's stock to the customer, a move per line,
  // each move reserving what WH/Stock has free (its quantity), as action_assign does.
  for (auto id : c.ids) {
    Doc order = read_one(db, "sale.order", id, {"name", "partner_id"});
    Doc type = read_one(db, "stock.picking.type", 2, {"default_location_src_id", "default_location_dest_id"});
    const std::int64_t src = id_of(type["default_location_src_id"]), dest = id_of(type["default_location_dest_id"]);
    Doc lines = search_read(db, "sale.order.line", fmt::format(R"([["order_id", "=", {}]])", id),
                            {"product_id", "product_uom_qty", "name"}, ctx);
    if (lines.Empty()) continue;
    Doc picking;
    picking.Parse(
        fmt::format(
            R"({{"picking_type_id": 2, "location_id": {}, "location_dest_id": {}, "partner_id": {}, "origin": "{}", "sale_id": {}, "state": "confirmed"}})",
            src, dest, id_of(order["partner_id"]), sv(order["name"]), id)
            .c_str());
    const std::int64_t pick = db.create("stock.picking", picking, ctx).front();
    bool any_reserved = false;
    for (const auto& l : lines.GetArray()) {
      const std::int64_t product = id_of(l["product_id"]);
      if (!product) continue;
      const double demand = num_of(l["product_uom_qty"]);
      const double reserved = internal(db, src) ? reserve_quant(db, product, src, demand, ctx) : demand;
      any_reserved = any_reserved || reserved > 0;
      Doc mv;
      mv.SetObject();
      auto& a = mv.GetAllocator();
      if (db.model("stock.move")->fields.count("name"))
        mv.AddMember("name", Val(l["name"], a), a);  // 18 has it, 19 not
      mv.AddMember("product_id", Val(product), a);
      mv.AddMember("product_uom_qty", Val(demand), a);
      mv.AddMember("quantity", Val(reserved), a);
      mv.AddMember("location_id", Val(src), a);
      mv.AddMember("location_dest_id", Val(dest), a);
      mv.AddMember("picking_id", Val(pick), a);
      mv.AddMember("origin", Val(order["name"], a), a);
      mv.AddMember("sale_line_id", Val(l["id"].GetInt64()), a);
      const char* state = is_zero(reserved)          ? "confirmed"
                          : reserved + 1e-9 < demand ? "partially_available"
                                                     : "assigned";
      mv.AddMember("state", Val(rapidjson::StringRef(state)), a);
      db.create("stock.move", mv, ctx);
    }
    if (any_reserved) write(db, "stock.picking", pick, R"({"state": "assigned"})", ctx);
  }
  out.SetBool(true);
}

void cancel_orders(Database& db, const ButtonCall& c, Doc& out) {
  const Context& ctx = *c.ctx;
  if (c.version <= 18) {
    // 17 and 18: action_cancel → _show_cancel_wizard: any order not in draft shows the sale.order.cancel
    // wizard (unless disable_cancel_warning), for one order only (ensure_one), and cancels nothing.
    bool non_draft = false;
    for (auto id : c.ids) {
      Doc o = read_one(db, "sale.order", id, {"state", "locked"});
      if (o.HasMember("locked") && o["locked"].IsBool() && o["locked"].GetBool()) {
        user_error("You cannot cancel a locked order. Please unlock it first.");
      }
      non_draft = non_draft || sv(o["state"]) != "draft";
    }
    if (non_draft && !ctx.flag("disable_cancel_warning")) {
      if (c.ids.size() != 1) {
        std::string list;
        for (auto id : c.ids) list += (list.empty() ? "" : ", ") + std::to_string(id);
        throw OdooException{"builtins.ValueError",
                            fmt::format("Expected singleton: sale.order({}{})", list, c.ids.size() == 1 ? "," : ""),
                            500};
      }
      Doc o = read_one(db, "sale.order", c.ids.front(), {"state"});
      const std::string st = sv(o["state"]);
      const std::string type_name = st == "draft" || st == "sent" || st == "cancel" ? "Quotation" : "Sales Order";
      const Refs r = refs(c.version);
      out.Parse(
          fmt::format(
              R"({{"name": "Cancel {}", "view_mode": "form", "res_model": "sale.order.cancel", "view_id": {}, )"
              R"("type": "ir.actions.act_window", "context": {{"default_template_id": {}, "default_order_id": {}, )"
              R"("mark_so_as_canceled": true, "default_email_layout_xmlid": "mail.mail_notification_layout_with_responsible_signature", )"
              R"("model_description": "{}"}}, "target": "new"}})",
              type_name, r.sale_order_cancel_view, r.sale_cancel_template, c.ids.front(), type_name)
              .c_str());
      return;
    }
  }
  for (auto id : c.ids) write(db, "sale.order", id, R"({"state": "cancel"})", ctx);
  // sale_stock: its open deliveries are cancelled and their reservations released.
  for (auto id : c.ids) {
    Doc pickings = search_read(db, "stock.picking",
                               fmt::format(R"([["sale_id", "=", {}], ["state", "not in", ["done", "cancel"]]])", id),
                               {"state"}, ctx);
    for (const auto& pk : pickings.GetArray()) {
      const std::int64_t pid = pk["id"].GetInt64();
      Doc moves = search_read(db, "stock.move", fmt::format(R"([["picking_id", "=", {}]])", pid),
                              {"product_id", "quantity", "location_id", "state"}, ctx);
      for (const auto& mv : moves.GetArray()) {
        const std::int64_t product = id_of(mv["product_id"]), from = id_of(mv["location_id"]);
        if (product && internal(db, from)) reserve_quant(db, product, from, -num_of(mv["quantity"]), ctx);
        if (sv(mv["state"]) != "done") write(db, "stock.move", mv["id"].GetInt64(), R"({"state": "cancel"})", ctx);
      }
      write(db, "stock.picking", pid, R"({"state": "cancel"})", ctx);
    }
  }
  out.SetBool(true);
}

// --- stock.picking.button_validate ------------------------------------------------------------------

struct Move {
  std::int64_t id = 0, product = 0, from = 0, to = 0, sale_line = 0;
  double demand = 0, qty = 0;
  bool picked = false;
  std::string state, name;
};
struct Picking {
  std::int64_t id = 0, type = 0, partner = 0, from = 0, to = 0, sale = 0;
  std::string state, name, origin, create_backorder = "ask";
  std::vector<Move> moves;
};

Picking load_picking(Database& db, std::int64_t id, const Context& ctx) {
  Doc p = read_one(
      db, "stock.picking", id,
      {"state", "name", "sale_id", "picking_type_id", "partner_id", "location_id", "location_dest_id", "origin"});
  Picking pk;
  pk.id = id;
  pk.state = sv(p["state"]);
  pk.name = sv(p["name"]);
  pk.origin = sv(p["origin"]);
  pk.sale = p.HasMember("sale_id") ? id_of(p["sale_id"]) : 0;
  pk.type = id_of(p["picking_type_id"]);
  pk.partner = id_of(p["partner_id"]);
  pk.from = id_of(p["location_id"]);
  pk.to = id_of(p["location_dest_id"]);
  if (pk.type) {
    Doc t = read_one(db, "stock.picking.type", pk.type, {"create_backorder"});
    if (t.HasMember("create_backorder") && t["create_backorder"].IsString())
      pk.create_backorder = sv(t["create_backorder"]);
  }
  const bool named = db.model("stock.move")->fields.count("name") > 0;
  Doc moves = search_read(db, "stock.move", fmt::format(R"([["picking_id", "=", {}]])", id),
                          {"product_id", "product_uom_qty", "quantity", "picked", "state", "location_id",
                           "location_dest_id", "sale_line_id"},
                          ctx);
  for (const auto& mv : moves.GetArray()) {
    Move m;
    m.id = mv["id"].GetInt64();
    m.product = id_of(mv["product_id"]);
    m.from = id_of(mv["location_id"]);
    m.to = id_of(mv["location_dest_id"]);
    m.sale_line = id_of(mv["sale_line_id"]);
    m.demand = num_of(mv["product_uom_qty"]);
    m.qty = num_of(mv["quantity"]);
    m.picked = mv["picked"].IsBool() && mv["picked"].GetBool();
    m.state = sv(mv["state"]);
    if (named) m.name = sv(read_one(db, "stock.move", m.id, {"name"})["name"]);
    pk.moves.push_back(std::move(m));
  }
  return pk;
}

void validate_pickings(Database& db, const ButtonCall& c, Doc& out) {
  const Context& ctx = *c.ctx;
  std::vector<Picking> picks;
  for (auto id : c.ids) picks.push_back(load_picking(db, id, ctx));
  // 19 leaves done transfers out first (validating one again is a no-op answering True).
  if (c.version >= 19) std::erase_if(picks, [](const Picking& p) { return p.state == "done"; });
  // A draft transfer is confirmed, and each move without a quantity takes its demand.
  for (auto& p : picks) {
    if (p.state != "draft") continue;
    for (auto& m : p.moves) {
      if (is_zero(m.qty) && !is_zero(m.demand)) m.qty = m.demand;
      m.state = "assigned";
      write(db, "stock.move", m.id, fmt::format(R"({{"quantity": {}, "state": "assigned"}})", m.qty), ctx);
    }
    p.state = "assigned";
    write(db, "stock.picking", p.id, R"({"state": "assigned"})", ctx);
  }
  const bool show_transfers = picks.size() > 1;
  if (!ctx.flag("skip_sanity_check")) {
    std::vector<std::string> without_moves;
    bool without_quantities = false;
    for (const auto& p : picks) {
      if (p.moves.empty()) without_moves.push_back(p.name);
      // every move still open has no quantity (true for a transfer with none open: done or cancelled);
      // 19 looks at the picked moves only when some are picked
      bool has_pick = false;
      for (const auto& m : p.moves) has_pick = has_pick || (m.picked && m.state != "done" && m.state != "cancel");
      bool all_zero = true;
      for (const auto& m : p.moves)
        if (m.state != "done" && m.state != "cancel" && (c.version < 19 || !has_pick || m.picked) && !is_zero(m.qty))
          all_zero = false;
      without_quantities = without_quantities || all_zero;
    }
    if (!show_transfers) {
      if (!without_moves.empty())
        user_error("You can\u2019t validate an empty transfer. Please add some products to move before proceeding.");
      if (without_quantities) {
        user_error(
            c.version >= 19
                ? "Transfer trouble alert! Validating a zero quantity transfer? You're not moving invisible goods "
                  "around are you?\nSet some quantities and let's get moving!"
                : "You cannot validate a transfer if no quantities are reserved. To force the transfer, encode "
                  "quantities.");
      }
    } else if (!without_moves.empty()) {
      std::string names;
      for (const auto& n : without_moves) names += (names.empty() ? "" : ", ") + n;
      user_error(fmt::format("Transfers {}: Please add some items to move.", names));
    }
  }
  // _pre_action_done_hook: quantities set but nothing picked → every move picked.
  for (auto& p : picks) {
    bool has_quantity = false, has_pick = false;
    for (const auto& m : p.moves) {
      has_quantity = has_quantity || !is_zero(m.qty);
      has_pick = has_pick || m.picked;
    }
    if (has_quantity && !has_pick) {
      for (auto& m : p.moves) {
        m.picked = true;
        write(db, "stock.move", m.id, R"({"picked": true})", ctx);
      }
    }
  }
  if (!ctx.flag("skip_backorder")) {
    std::vector<std::int64_t> to_backorder;
    for (const auto& p : picks) {
      if (p.create_backorder != "ask") continue;
      bool short_ = false;
      for (const auto& m : p.moves) {
        if (m.state == "cancel") continue;
        if ((!is_zero(m.demand) && !m.picked) || m.qty + 1e-9 < m.demand) short_ = true;
      }
      if (short_) to_backorder.push_back(p.id);
    }
    if (!to_backorder.empty()) {
      // The stock.backorder.confirmation wizard; nothing is validated. Its context is the call's, with
      // button_validate_picking_ids, default_show_transfers and default_pick_ids added.
      const Refs r = refs(c.version);
      out.SetObject();
      auto& a = out.GetAllocator();
      out.AddMember("name", "Create Backorder?", a);
      out.AddMember("type", "ir.actions.act_window", a);
      out.AddMember("view_mode", "form", a);
      out.AddMember("res_model", "stock.backorder.confirmation", a);
      Val views(rapidjson::kArrayType), view(rapidjson::kArrayType);
      view.PushBack(Val(r.backorder_view), a).PushBack("form", a);
      views.PushBack(view, a);
      out.AddMember("views", views, a);
      out.AddMember("view_id", Val(r.backorder_view), a);
      out.AddMember("target", "new", a);
      Val context(rapidjson::kObjectType);
      if (ctx.raw && ctx.raw->IsObject())
        for (const auto& m : ctx.raw->GetObject()) context.AddMember(Val(m.name, a), Val(m.value, a), a);
      if (!context.HasMember("button_validate_picking_ids")) {
        Val ids(rapidjson::kArrayType);
        for (auto id : c.ids) ids.PushBack(Val(id), a);
        context.AddMember("button_validate_picking_ids", ids, a);
      }
      auto set = [&](const char* key, Val v) {
        if (context.HasMember(key))
          context[key] = v;
        else
          context.AddMember(Val(key, a), v, a);
      };
      set("default_show_transfers", Val(show_transfers));
      Val pick_ids(rapidjson::kArrayType);
      for (auto id : to_backorder) {
        Val cmd(rapidjson::kArrayType);
        cmd.PushBack(4, a).PushBack(Val(id), a);
        pick_ids.PushBack(cmd, a);
      }
      set("default_pick_ids", std::move(pick_ids));
      out.AddMember("context", context, a);
      return;
    }
  }
  // _action_done: picked quantities move; the rest goes to a backorder, or is cancelled for the
  // transfers in picking_ids_not_to_backorder (and types that never backorder).
  std::set<std::int64_t> no_backorder;
  for (auto id : ctx.ids("picking_ids_not_to_backorder")) no_backorder.insert(id);
  const bool named = db.model("stock.move")->fields.count("name") > 0;
  for (auto& p : picks) {
    if (p.state == "done" || p.state == "cancel") continue;
    const bool cancel_rest =
        p.create_backorder == "never" || (no_backorder.count(p.id) && p.create_backorder != "always");
    std::vector<std::pair<Move, bool>> rest;  // the remainder, and whether it is a new move
    for (auto& m : p.moves) {
      if (m.state == "done" || m.state == "cancel") continue;
      const double done_qty = m.picked ? m.qty : 0.0;
      const double remaining = m.demand - done_qty;
      if (p.sale && m.product && internal(db, m.from))
        reserve_quant(db, m.product, m.from, -m.qty, ctx);  // the move's reservation ends
      if (!is_zero(done_qty)) {
        if (m.product && internal(db, m.from)) adjust_quant(db, m.product, m.from, -done_qty, ctx);
        if (m.product && internal(db, m.to)) adjust_quant(db, m.product, m.to, done_qty, ctx);
        write(db, "stock.move", m.id,
              fmt::format(R"({{"state": "done", "quantity": {0}, "product_uom_qty": {1}, "picked": true}})", done_qty,
                          remaining > 1e-9 ? done_qty : m.demand),
              ctx);
        if (remaining > 1e-9) {
          Move r = m;
          r.demand = remaining;
          r.qty = 0;
          rest.emplace_back(r, true);
        }
      } else if (remaining > 1e-9) {
        rest.emplace_back(m, false);
      } else {
        write(db, "stock.move", m.id, R"({"state": "done", "picked": true})", ctx);
      }
    }
    std::int64_t backorder = 0;
    if (!rest.empty() && !cancel_rest) {
      Doc b;
      b.Parse(
          fmt::format(
              R"({{"picking_type_id": {}, "location_id": {}, "location_dest_id": {}, "origin": "{}", "backorder_id": {}, "state": "confirmed"}})",
              p.type ? std::to_string(p.type) : "false", p.from ? std::to_string(p.from) : "false",
              p.to ? std::to_string(p.to) : "false", p.origin, p.id)
              .c_str());
      if (p.partner) b.AddMember("partner_id", Val(p.partner), b.GetAllocator());
      if (p.sale) b.AddMember("sale_id", Val(p.sale), b.GetAllocator());
      backorder = db.create("stock.picking", b, ctx).front();
    }
    bool reserved_any = false;
    for (auto& [m, fresh] : rest) {
      double reserved = 0;
      if (!cancel_rest && p.sale && m.product && internal(db, m.from))
        reserved = reserve_quant(db, m.product, m.from, m.demand, ctx);
      reserved_any = reserved_any || reserved > 0;
      const std::string state = cancel_rest                  ? "cancel"
                                : is_zero(reserved)          ? "confirmed"
                                : reserved + 1e-9 < m.demand ? "partially_available"
                                                             : "assigned";
      if (fresh) {
        Doc mv;
        mv.SetObject();
        auto& a = mv.GetAllocator();
        if (named) mv.AddMember("name", Val(m.name.c_str(), a), a);
        mv.AddMember("product_id", Val(m.product), a);
        mv.AddMember("product_uom_qty", Val(m.demand), a);
        mv.AddMember("quantity", Val(reserved), a);
        mv.AddMember("location_id", Val(m.from), a);
        mv.AddMember("location_dest_id", Val(m.to), a);
        mv.AddMember("picking_id", Val(cancel_rest ? p.id : backorder), a);
        mv.AddMember("origin", Val(p.origin.c_str(), a), a);
        if (m.sale_line) mv.AddMember("sale_line_id", Val(m.sale_line), a);
        mv.AddMember("state", Val(state.c_str(), a), a);
        db.create("stock.move", mv, ctx);
      } else {
        write(db, "stock.move", m.id,
              fmt::format(R"({{"picking_id": {}, "quantity": {}, "picked": false, "state": "{}"}})",
                          cancel_rest ? p.id : backorder, reserved, state),
              ctx);
      }
    }
    if (backorder && reserved_any) write(db, "stock.picking", backorder, R"({"state": "assigned"})", ctx);
    write(db, "stock.picking", p.id, fmt::format(R"({{"state": "done", "date_done": "{}"}})", db.now()), ctx);
  }
  out.SetBool(true);
}

// --- account.move / account.payment posting ---------------------------------------------------------

// The next number of a journal's sequence (sequence.mixin: the highest visible number in the journal
// for the prefix, plus one). A call that started before other posts committed does not see them.
std::string next_name(Database& db, const std::string& model, std::int64_t journal, const std::string& prefix,
                      const std::optional<std::uint64_t>& snapshot, const Context& ctx) {
  Doc rows =
      search_read(db, model,
                  journal ? fmt::format(R"([["journal_id", "=", {}], ["name", "=like", "{}%"]])", journal, prefix)
                          : fmt::format(R"([["journal_id", "=", false], ["name", "=like", "{}%"]])", prefix),
                  {"name"}, ctx);
  long highest = 0;
  for (const auto& r : rows.GetArray()) {
    const std::int64_t id = r["id"].GetInt64();
    if (snapshot) {
      const auto seen = db.mark_of(model, id, "__posted_commit");
      if (seen && static_cast<std::uint64_t>(*seen) > *snapshot) continue;  // committed after this call's snapshot
    }
    const std::string name = sv(r["name"]);
    if (name.size() <= prefix.size()) continue;
    try {
      highest = std::max(highest, std::stol(name.substr(prefix.size())));
    } catch (...) {}
  }
  return fmt::format("{}{:05}", prefix, highest + 1);
}

// The number after `name`'s trailing number, same width ("INV/2026/00007" → "INV/2026/00008").
std::string bump(const std::string& name) {
  std::size_t digits = name.size();
  while (digits > 0 && name[digits - 1] >= '0' && name[digits - 1] <= '9') --digits;
  const std::string head = name.substr(0, digits), tail = name.substr(digits);
  const long n = tail.empty() ? 0 : std::stol(tail);
  return fmt::format("{}{:0{}}", head, n + 1, std::max<std::size_t>(tail.size(), 1));
}

// A name given explicitly that a posted entry of the journal already has: the unique index
// account_move_unique_name (name, journal_id) WHERE state = 'posted' AND name != '/' fails at flush, and
// retrying() turns the IntegrityError into this ValidationError (not retried).
[[noreturn]] void duplicate_name() {
  throw OdooException{"odoo.exceptions.ValidationError",
                      "The operation cannot be completed: Another entry with the same name already exists.", 422};
}

bool name_taken(Database& db, const std::string& model, std::int64_t journal, const std::string& name,
                std::int64_t self, const Context& ctx) {
  Doc rows = search_read(db, model,
                         fmt::format(R"([["name", "=", "{}"], ["journal_id", "=", {}], ["id", "!=", {}]])", name,
                                     journal ? std::to_string(journal) : "false", self),
                         {"state"}, ctx);
  for (const auto& r : rows.GetArray()) {
    const std::string st = sv(r["state"]);
    if (st == "posted" || st == "in_process" || st == "paid") return true;
  }
  return false;
}

void post_moves(Database& db, const ButtonCall& c, Doc& out) {
  const Context& ctx = *c.ctx;
  std::vector<std::string> problems;
  for (auto id : c.ids) {
    Doc mv = read_one(db, "account.move", id, {"state", "name"});
    const std::string st = sv(mv["state"]);
    if (st == "posted" || st == "cancel")
      problems.push_back(fmt::format("The entry {} (id {}) must be in draft.", sv(mv["name"]), id));
  }
  if (!problems.empty()) {
    std::string msg;
    for (const auto& p : problems) msg += (msg.empty() ? "" : "\n") + p;
    user_error(msg);
  }
  for (auto id : c.ids) {
    Doc mv = read_one(db, "account.move", id, {"name", "move_type", "journal_id", "date", "invoice_date"});
    const std::int64_t journal = id_of(mv["journal_id"]);
    std::string name = sv(mv["name"]);
    const bool computed = name.empty() || name == "/";
    if (computed) {
      const std::string type = sv(mv["move_type"]);
      const std::string code = type == "out_refund"   ? "RINV"
                               : type == "in_invoice" ? "BILL"
                               : type == "in_refund"  ? "RBILL"
                                                      : "INV";
      std::string date = sv(mv["invoice_date"]);
      if (date.size() < 4) date = sv(mv["date"]);
      if (date.size() < 4) date = db.now();
      name = next_name(db, "account.move", journal, fmt::format("{}/{}/", code, date.substr(0, 4)), c.snapshot_commit,
                       ctx);
    }
    if (computed) {
      // sequence.mixin._set_next_sequence: a number another transaction took meanwhile (its posted row
      // holds the unique index entry) is skipped inside a savepoint; the next free one is used.
      while (name_taken(db, "account.move", journal, name, id, ctx)) name = bump(name);
    } else if (name_taken(db, "account.move", journal, name, id, ctx)) {
      duplicate_name();
    }
    Doc vals;
    vals.SetObject();
    vals.AddMember("state", "posted", vals.GetAllocator());
    vals.AddMember("name", Val(name.c_str(), vals.GetAllocator()), vals.GetAllocator());
    db.write("account.move", {id}, vals, ctx);
    db.mark("account.move", id, "__posted_commit", static_cast<std::int64_t>(db.commit_seq() + 1));
  }
  out.SetBool(false);  // action_post returns False (no auto-post wizard)
}

void post_payments(Database& db, const ButtonCall& c, bool& none) {
  const Context& ctx = *c.ctx;
  // 17: the payment's journal entry is posted (move._post), which refuses one that is not a draft.
  // 18: draft and in_process payments become in_process and their journal entry (if any) is posted
  // again, which refuses a posted one; paid/canceled/rejected are left alone. 19: no error at all.
  for (auto id : c.ids) {
    Doc pay = read_one(db, "account.payment", id, {"state", "journal_id", "name", "date", "move_id"});
    const std::string st = sv(pay["state"]);
    const std::int64_t move = pay.HasMember("move_id") ? id_of(pay["move_id"]) : 0;
    std::string move_state, move_name = sv(pay["name"]);
    if (move) {
      Doc mv = read_one(db, "account.move", move, {"state", "name"});
      move_state = sv(mv["state"]);
      move_name = sv(mv["name"]);
    }
    const bool reposted =
        (c.version <= 17 && st != "draft") || (c.version == 18 && move && move_state == "posted" && st == "in_process");
    if (reposted) user_error(fmt::format("The entry {} (id {}) must be in draft.", move_name, move ? move : id));
    if (st != "draft" && st != "in_process" && !st.empty()) continue;
    if (st == "in_process") continue;  // already posted: its name stays
    const std::int64_t journal = id_of(pay["journal_id"]);
    std::string name = sv(pay["name"]);
    if (name.empty() || name == "/") {
      std::string code = "BNK1";
      if (journal) {
        Doc j = read_one(db, "account.journal", journal, {"code"});
        if (j["code"].IsString()) code = sv(j["code"]);
      }
      std::string date = sv(pay["date"]);
      if (date.size() < 4) date = db.now();
      name = next_name(db, "account.payment", journal, fmt::format("P{}/{}/", code, date.substr(0, 4)),
                       c.snapshot_commit, ctx);
    }
    while (name_taken(db, "account.payment", journal, name, id, ctx)) name = bump(name);
    Doc vals;
    vals.SetObject();
    vals.AddMember("state", "in_process", vals.GetAllocator());  // 17 mode runs on 18's payment states
    vals.AddMember("name", Val(name.c_str(), vals.GetAllocator()), vals.GetAllocator());
    db.write("account.payment", {id}, vals, ctx);
    db.mark("account.payment", id, "__posted_commit", static_cast<std::int64_t>(db.commit_seq() + 1));
  }
  none = true;  // action_post has no return statement
}

// --- stock.quant.action_apply_inventory ---------------------------------------------------------------

void apply_inventory(Database& db, const ButtonCall& c, bool& none) {
  const Context& ctx = *c.ctx;
  for (auto id : c.ids) {
    Doc q = read_one(db, "stock.quant", id, {"inventory_quantity"});
    const double counted = num_of(q["inventory_quantity"]);
    // _apply_inventory: the quantity becomes the count; then inventory_quantity is reset to 0 and
    // inventory_quantity_set to False.
    write(db, "stock.quant", id,
          fmt::format(R"({{"quantity": {}, "inventory_quantity": 0.0, "inventory_quantity_set": false}})", counted),
          ctx);
  }
  none = true;
}

}  // namespace

namespace {
const std::set<std::pair<std::string, std::string>>& buttons() {
  static const std::set<std::pair<std::string, std::string>> all = {
      {"sale.order", "action_confirm"}, {"sale.order", "action_cancel"},    {"stock.picking", "button_validate"},
      {"account.move", "action_post"},  {"account.payment", "action_post"}, {"stock.quant", "action_apply_inventory"}};
  return all;
}
}  // namespace

bool is_button(const std::string& method) {
  return std::any_of(buttons().begin(), buttons().end(), [&](const auto& b) { return b.second == method; });
}

bool has_button(const std::string& model, const std::string& method) { return buttons().count({model, method}) > 0; }

bool run_button(Database& db, const ButtonCall& c, Doc& out, bool& none) {
  if (c.model == "sale.order" && c.method == "action_confirm")
    confirm_orders(db, c, out);
  else if (c.model == "sale.order" && c.method == "action_cancel")
    cancel_orders(db, c, out);
  else if (c.model == "stock.picking" && c.method == "button_validate")
    validate_pickings(db, c, out);
  else if (c.model == "account.move" && c.method == "action_post")
    post_moves(db, c, out);
  else if (c.model == "account.payment" && c.method == "action_post")
    post_payments(db, c, none);
  else if (c.model == "stock.quant" && c.method == "action_apply_inventory")
    apply_inventory(db, c, none);
  else
    return false;
  return true;
}

}  // namespace odoosync::emulator
