// Values real Odoo computes that the reference export does not hold: image sizes and avatars (the
// export leaves binaries out), res.partner's non-stored computes, the date of a user's day (time zones),
// and sale.order's statuses that follow its lines and deliveries. Sources (Odoo 18.0): base's
// res_partner.py and avatar_mixin.py, account's res_partner.py, mail's res_partner.py (im_status),
// sale's sale_order.py / sale_order_line.py (_compute_validity_date, _compute_invoice_status,
// _compute_qty_to_invoice), sale_stock's sale_order.py (_compute_delivery_status, qty_delivered).
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include <odoosync/odoo/values.hpp>

#include "orm.hpp"

namespace odoosync::emulator {

// --- time zones -----------------------------------------------------------------------------------------

namespace {

enum class Dst { none, eu, us };
struct Zone {
  std::string_view name;
  int standard;  // minutes east of UTC
  Dst dst;
};
constexpr std::array zones = {
    Zone{"UTC", 0, Dst::none},
    Zone{"GMT", 0, Dst::none},
    Zone{"Etc/UTC", 0, Dst::none},
    Zone{"Etc/GMT", 0, Dst::none},
    Zone{"Europe/London", 0, Dst::eu},
    Zone{"Europe/Dublin", 0, Dst::eu},
    Zone{"Europe/Lisbon", 0, Dst::eu},
    Zone{"Europe/Brussels", 60, Dst::eu},
    Zone{"Europe/Paris", 60, Dst::eu},
    Zone{"Europe/Berlin", 60, Dst::eu},
    Zone{"Europe/Amsterdam", 60, Dst::eu},
    Zone{"Europe/Luxembourg", 60, Dst::eu},
    Zone{"Europe/Madrid", 60, Dst::eu},
    Zone{"Europe/Rome", 60, Dst::eu},
    Zone{"Europe/Vienna", 60, Dst::eu},
    Zone{"Europe/Zurich", 60, Dst::eu},
    Zone{"Europe/Vaduz", 60, Dst::eu},
    Zone{"Europe/San_Marino", 60, Dst::eu},
    Zone{"Europe/Podgorica", 60, Dst::eu},
    Zone{"Europe/Monaco", 60, Dst::eu},
    Zone{"Europe/Copenhagen", 60, Dst::eu},
    Zone{"Europe/Stockholm", 60, Dst::eu},
    Zone{"Europe/Oslo", 60, Dst::eu},
    Zone{"Europe/Prague", 60, Dst::eu},
    Zone{"Europe/Warsaw", 60, Dst::eu},
    Zone{"Europe/Budapest", 60, Dst::eu},
    Zone{"Europe/Athens", 120, Dst::eu},
    Zone{"Europe/Helsinki", 120, Dst::eu},
    Zone{"Europe/Bucharest", 120, Dst::eu},
    Zone{"Europe/Sofia", 120, Dst::eu},
    Zone{"America/New_York", -300, Dst::us},
    Zone{"America/Chicago", -360, Dst::us},
    Zone{"America/Denver", -420, Dst::us},
    Zone{"America/Phoenix", -420, Dst::none},
    Zone{"America/Los_Angeles", -480, Dst::us},
    Zone{"Asia/Kolkata", 330, Dst::none},
    Zone{"Asia/Shanghai", 480, Dst::none},
    Zone{"Asia/Singapore", 480, Dst::none},
    Zone{"Asia/Tokyo", 540, Dst::none},
    Zone{"Australia/Brisbane", 600, Dst::none},
};

}  // namespace

std::optional<int> utc_offset_minutes(std::string_view tz, std::int64_t utc_us) {
  using namespace std::chrono;
  for (const auto& z : zones) {
    if (z.name != tz) continue;
    if (z.dst == Dst::none) return z.standard;
    const sys_time<microseconds> t{microseconds(utc_us)};
    const year y = year_month_day(floor<days>(t)).year();
    sys_time<microseconds> start, end;
    if (z.dst == Dst::eu) {  // last Sunday of March to last Sunday of October, 01:00 UTC
      start = sys_days(y / March / Sunday[last]) + hours(1);
      end = sys_days(y / October / Sunday[last]) + hours(1);
    } else {  // second Sunday of March, 02:00 standard time, to first Sunday of November, 02:00 summer time
      start = sys_days(y / March / Sunday[2]) + hours(2) - minutes(z.standard);
      end = sys_days(y / November / Sunday[1]) + hours(2) - minutes(z.standard + 60);
    }
    return t >= start && t < end ? z.standard + 60 : z.standard;
  }
  return std::nullopt;
}

namespace {

// The time zone of a call: the context's "tz", else the calling user's.
std::string tz_of(const Database& db, const Context& ctx) {
  if (ctx.raw && ctx.raw->IsObject()) {
    auto m = ctx.raw->FindMember("tz");
    if (m != ctx.raw->MemberEnd() && m->value.IsString() && m->value.GetStringLength() > 0) return sv(m->value);
  }
  Doc f;
  f.SetArray();
  f.PushBack("tz", f.GetAllocator());
  Doc rows;
  db.read("res.users", {ctx.uid}, &f, false, rows);
  return rows.Empty() ? std::string() : sv(rows[0]["tz"]);
}

}  // namespace

std::string Database::context_today(const Context& ctx) const {
  const std::int64_t now = txn_us_ ? txn_us_ : clock_->now_us();
  const int offset = utc_offset_minutes(tz_of(*this, ctx), now).value_or(0);
  return format_datetime_us(now + std::int64_t{offset} * 60'000'000).substr(0, 10);
}

std::int64_t Database::current_company(const Context& ctx) const {
  const auto allowed = ctx.ids("allowed_company_ids");
  if (!allowed.empty()) return allowed.front();
  const Val* c = field_value("res.users", ctx.uid, "company_id");
  return c && c->IsInt64() ? c->GetInt64() : 1;
}

// --- values computed on read ------------------------------------------------------------------------------

namespace {

// The image of the seed's partners and products: the reference export has no binaries, so a small real
// PNG (1×1, Odoo's purple) stands for the demo's pictures (seed_images gives it to every one of them).
constexpr const char* placeholder_png =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR42mNoj6oGAALIAV3ejNbFAAAAAElFTkSuQmCC";

bool set(const Val* v) { return v && !v->IsNull() && !(v->IsBool() && !v->GetBool()); }

// The generated avatar of a partner without a picture (avatar.mixin): an SVG of the name's initial on a
// colour taken from the name, base64.
std::string initial_avatar(const std::string& name) {
  const std::array<const char*, 8> colours = {"#C17F7F", "#D0A06A", "#9BB065", "#5E9EA0",
                                              "#6C8EBF", "#9C7FC1", "#C17FAE", "#8A8A8A"};
  std::size_t h = 0;
  for (unsigned char c : name) h = h * 31 + c;
  const std::string initial = name.empty() ? "?" : name.substr(0, (name[0] & 0x80) ? 2 : 1);
  const std::string svg = fmt::format(
      "<?xml version='1.0' encoding='UTF-8' ?><svg height='180' width='180' xmlns='http://www.w3.org/2000/svg' "
      "xmlns:xlink='http://www.w3.org/1999/xlink'><rect fill='{}' height='180' width='180'/><text fill='#ffffff' "
      "font-size='96' text-anchor='middle' x='90' y='125' font-family='sans-serif'>{}</text></svg>",
      colours[h % colours.size()], initial);
  return odoo::base64_encode(svg);
}

// Odoo's formataddr: "Name" <email>, the name quoted with its quotes and backslashes escaped.
std::string formataddr(const std::string& name, const std::string& email) {
  std::string quoted;
  for (char c : name) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  return fmt::format("\"{}\" <{}>", quoted, email);
}

}  // namespace

void Database::seed_images() {
  for (const char* model : {"res.partner", "product.template"}) {
    auto t = tables_.find(model);
    if (t == tables_.end() || !model_def_has(model, "image_1920")) continue;
    for (auto& [id, row] : t->second.rows) {
      auto m = row.FindMember("image_1920");
      if (m == row.MemberEnd())
        row.AddMember("image_1920", Val(rapidjson::StringRef(placeholder_png)), row.GetAllocator());
    }
  }
}

bool Database::computed_value(const std::string& model, std::int64_t id, const FieldDef& f, Val& out, Alloc& a) const {
  const std::string& n = f.name;
  auto value = [&](std::string_view field) { return field_value(model, id, field); };
  auto text = [&](std::string_view field) {
    const Val* v = value(field);
    return v && v->IsString() ? sv(*v) : std::string();
  };
  const bool image_size = n == "image_1024" || n == "image_512" || n == "image_256" || n == "image_128";
  if (model == "product.product") {
    // the variant's own image, else its template's
    if (n == "image_1920" || image_size) {
      const Val* own = value("image_variant_1920");
      const Val* tmpl = set(own) ? own : value("image_1920");
      if (!set(tmpl)) return false;
      out.CopyFrom(*tmpl, a);
      return true;
    }
    if (n.starts_with("image_variant_") && n != "image_variant_1920") {
      const Val* own = value("image_variant_1920");
      if (!set(own)) return false;
      out.CopyFrom(*own, a);
      return true;
    }
  }
  if (model == "product.template" && image_size) {
    const Val* img = value("image_1920");
    if (!set(img)) return false;
    out.CopyFrom(*img, a);
    return true;
  }
  if (model == "res.users") {  // the partner's fields, through partner_id (_inherits)
    const Val* partner = value("partner_id");
    const ModelDef* pdef = this->model("res.partner");
    if (!partner || !partner->IsInt64() || !pdef) return false;
    auto pf = pdef->fields.find(n);
    return pf != pdef->fields.end() && computed_value("res.partner", partner->GetInt64(), pf->second, out, a);
  }
  if (model != "res.partner") return false;
  if (image_size) {
    const Val* img = value("image_1920");
    if (!set(img)) return false;
    out.CopyFrom(*img, a);
    return true;
  }
  if (n.starts_with("avatar_")) {
    const Val* img = value("image_1920");
    if (set(img)) {
      out.CopyFrom(*img, a);
    } else {
      const Val* company = value("is_company");
      const bool is_company = company && company->IsBool() && company->GetBool();
      const std::string name = text("name");
      out.SetString((is_company || name.empty() ? std::string(placeholder_png) : initial_avatar(name)).c_str(), a);
    }
    return true;
  }
  if (n == "email_formatted") {
    std::string email = text("email");
    if (email.empty()) {
      out.SetString("", a);
    } else {
      const std::string name = text("name");
      out.SetString(formataddr(name.empty() ? "False" : name, email).c_str(), a);
    }
    return true;
  }
  if (n == "company_type") {
    const Val* company = value("is_company");
    out.SetString(company && company->IsBool() && company->GetBool() ? "company" : "person", a);
    return true;
  }
  if (n == "self") {
    out.SetInt64(id);
    return true;
  }
  if (n == "currency_id") {  // the partner's company's currency, else the current company's
    const Val* company = value("company_id");
    const std::int64_t c = company && company->IsInt64() ? company->GetInt64() : 1;
    const Val* currency = field_value("res.company", c, "currency_id");
    if (!currency || !currency->IsInt64()) return false;
    out.SetInt64(currency->GetInt64());
    return true;
  }
  if (n == "im_status") {
    // OdooBot is a bot; a partner with users is offline (no presence); one without is a plain partner
    std::int64_t bot = 0;
    if (const Val* root = field_value("res.users", 1, "partner_id"); root && root->IsInt64()) bot = root->GetInt64();
    bool has_user = false;
    if (auto users = tables_.find("res.users"); users != tables_.end())
      for (const auto& [uid, row] : users->second.rows) {
        auto p = row.FindMember("partner_id");
        has_user = has_user || (p != row.MemberEnd() && p->value.IsInt64() && p->value.GetInt64() == id);
      }
    out.SetString(id == bot ? "bot" : has_user ? "offline" : "im_partner", a);
    return true;
  }
  if (n == "tz_offset") {
    const std::int64_t now = txn_us_ ? txn_us_ : clock_->now_us();
    const int minutes = utc_offset_minutes(text("tz"), now).value_or(0);
    out.SetString(
        fmt::format("{}{:02}{:02}", minutes < 0 ? '-' : '+', std::abs(minutes) / 60, std::abs(minutes) % 60).c_str(),
        a);
    return true;
  }
  return false;
}

// --- sale.order's statuses -------------------------------------------------------------------------------

void Database::derive_sale_statuses(std::int64_t order, const std::vector<std::int64_t>& lines) {
  auto orders = tables_.find("sale.order");
  if (orders == tables_.end() || !orders->second.rows.count(order)) return;
  Doc& o = orders->second.rows.at(order);
  auto put = [](Doc& row, const char* key, Val v) {
    auto m = row.FindMember(key);
    if (m == row.MemberEnd())
      row.AddMember(Val(key, row.GetAllocator()), v, row.GetAllocator());
    else
      m->value = v;
  };
  auto number = [](const Doc& row, const char* key) {
    auto m = row.FindMember(key);
    return m != row.MemberEnd() && m->value.IsNumber() ? m->value.GetDouble() : 0.0;
  };
  auto id_in = [](const Doc& row, const char* key) -> std::int64_t {
    auto m = row.FindMember(key);
    return m != row.MemberEnd() && m->value.IsInt64() ? m->value.GetInt64() : 0;
  };
  auto text_in = [](const Doc& row, const char* key) {
    auto m = row.FindMember(key);
    return m != row.MemberEnd() && m->value.IsString() ? sv(m->value) : std::string();
  };
  std::string state = text_in(o, "state");
  if (state.empty()) state = "draft";  // a create derives before the defaults are set
  const bool confirmed = state == "sale";
  // transfers exist once an order was confirmed (and stay when it is cancelled)
  const bool shipped = state != "draft" && state != "sent";

  // its transfers: none (or all cancelled), all closed, some done
  bool any = false, all_closed = true, any_done = false;
  if (auto pickings = tables_.find("stock.picking"); shipped && pickings != tables_.end()) {
    for (const auto& [pid, p] : pickings->second.rows) {
      if (id_in(p, "sale_id") != order) continue;
      const std::string st = text_in(p, "state");
      if (st != "cancel") any = true;
      all_closed = all_closed && (st == "done" || st == "cancel");
      any_done = any_done || st == "done";
    }
  }
  // delivered quantities (only done transfers deliver): the done moves of each line that reached a
  // customer location
  const std::set<std::int64_t> own(lines.begin(), lines.end());
  std::map<std::int64_t, double> delivered;
  if (auto moves = tables_.find("stock.move"); any_done && moves != tables_.end()) {
    for (const auto& [mid, mv] : moves->second.rows) {
      const std::int64_t line = id_in(mv, "sale_line_id");
      if (!line || !own.count(line)) continue;
      delivered.try_emplace(line, 0.0);
      if (text_in(mv, "state") != "done") continue;
      const Val* usage = field_value("stock.location", id_in(mv, "location_dest_id"), "usage");
      if (usage && sv(*usage) == "customer") delivered[line] += number(mv, "quantity");
    }
  }

  std::vector<std::string> line_statuses;
  bool any_delivered = false;
  auto line_table = tables_.find("sale.order.line");
  for (const std::int64_t lid : lines) {
    if (line_table == tables_.end() || !line_table->second.rows.count(lid)) continue;
    Doc& line = line_table->second.rows.at(lid);
    auto& a = line.GetAllocator();
    if (model_def_has("sale.order.line", "state")) put(line, "state", Val(state.c_str(), a));
    const std::int64_t product = id_in(line, "product_id");
    const Val* policy = product ? field_value("product.product", product, "invoice_policy") : nullptr;
    const bool by_order = !policy || sv(*policy) != "delivery";
    if (auto d = delivered.find(lid); d != delivered.end() && text_in(line, "qty_delivered_method") == "stock_move")
      put(line, "qty_delivered", Val(d->second));
    const double ordered = number(line, "product_uom_qty"), invoiced = number(line, "qty_invoiced"),
                 qty_delivered = number(line, "qty_delivered");
    any_delivered = any_delivered || qty_delivered > 1e-9;
    const bool display = line.HasMember("display_type") && line["display_type"].IsString();
    const double to_invoice = confirmed && !display ? (by_order ? ordered : qty_delivered) - invoiced : 0.0;
    put(line, "qty_to_invoice", Val(to_invoice));
    const char* status = !confirmed                                                   ? "no"
                         : std::fabs(to_invoice) > 1e-6                               ? "to invoice"
                         : by_order && ordered >= 0 && qty_delivered > ordered + 1e-6 ? "upselling"
                         : invoiced + 1e-6 >= ordered                                 ? "invoiced"
                                                                                      : "no";
    put(line, "invoice_status", Val(rapidjson::StringRef(status)));
    const bool downpayment =
        line.HasMember("is_downpayment") && line["is_downpayment"].IsBool() && line["is_downpayment"].GetBool();
    if (!downpayment && !display) line_statuses.emplace_back(status);
  }
  auto& a = o.GetAllocator();
  auto all = [&](std::initializer_list<std::string_view> allowed) {
    if (line_statuses.empty()) return false;
    for (const auto& s : line_statuses)
      if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) return false;
    return true;
  };
  const bool to_invoice = std::find(line_statuses.begin(), line_statuses.end(), "to invoice") != line_statuses.end();
  const char* invoice_status = !confirmed                       ? "no"
                               : to_invoice                     ? "to invoice"
                               : all({"invoiced"})              ? "invoiced"
                               : all({"invoiced", "upselling"}) ? "upselling"
                                                                : "no";
  put(o, "invoice_status", Val(rapidjson::StringRef(invoice_status)));

  if (!model_def_has("sale.order", "delivery_status")) return;
  Val status;
  if (!any)
    status.SetBool(false);
  else if (all_closed)
    status.SetString("full", a);
  else if (any_done)
    status.SetString(any_delivered ? "partial" : "started", a);
  else
    status.SetString("pending", a);
  put(o, "delivery_status", std::move(status));
}

}  // namespace odoosync::emulator
