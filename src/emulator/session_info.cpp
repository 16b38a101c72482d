// The session info of Odoo 18 and 19 (web's ir_http.session_info and the additions of mail, bus,
// web_tour, barcodes, mail_bot, partner_autocomplete and spreadsheet), built from the database.
#include "session_info.hpp"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

namespace odoosync::emulator {

namespace {

Doc read_one(const Database& db, const std::string& model, std::int64_t id, std::initializer_list<const char*> names) {
  Doc fields;
  fields.SetArray();
  for (const char* n : names) fields.PushBack(Val(n, fields.GetAllocator()), fields.GetAllocator());
  Doc rows;
  db.read(model, {id}, &fields, false, rows);
  Doc one;
  if (rows.Empty())
    one.SetObject();
  else
    one.CopyFrom(rows[0], one.GetAllocator());
  return one;
}

std::int64_t id_of(const Val& v) { return v.IsInt64() ? v.GetInt64() : 0; }
bool flag(const Val& row, const char* key) {
  auto m = row.FindMember(key);
  return m != row.MemberEnd() && m->value.IsBool() && m->value.GetBool();
}

// A token as Odoo hands out for avatars and presence (the recordings redact them): 64 hex digits,
// stable for a database, record and purpose.
std::string token(const std::string& database, std::int64_t id, std::string_view purpose) {
  std::string out;
  for (int i = 0; i < 4; ++i)
    out += fmt::format("{:016x}", std::hash<std::string>{}(fmt::format("{}/{}/{}/{}", database, id, purpose, i)));
  return out;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else
      out.push_back(c);
  }
  return out;
}

constexpr const char* view_info = R"({
  "list": {"display_name": "List", "icon": "oi oi-view-list", "multi_record": true},
  "form": {"display_name": "Form", "icon": "fa fa-address-card", "multi_record": false},
  "graph": {"display_name": "Graph", "icon": "fa fa-area-chart", "multi_record": true},
  "pivot": {"display_name": "Pivot", "icon": "oi oi-view-pivot", "multi_record": true},
  "calendar": {"display_name": "Calendar", "icon": "fa fa-calendar", "multi_record": true},
  "kanban": {"display_name": "Kanban", "icon": "oi oi-view-kanban", "multi_record": true},
  "search": {"display_name": "Search", "icon": "oi oi-search", "multi_record": true},
  "activity": {"display_name": "Activity", "icon": "fa fa-clock-o", "multi_record": true}})";

}  // namespace

std::string session_info(const Database& db, const User& user, int version, const std::string& database,
                         const std::string& base_url) {
  const bool v19 = version >= 19;
  Doc u = read_one(db, "res.users", user.uid,
                   {"partner_id", "company_id", "company_ids", "share", "action_id", "tz", "lang", "login",
                    "notification_type", "tour_enabled", "res_users_settings_ids", "odoobot_state"});
  const std::int64_t partner = id_of(u["partner_id"]);
  Doc p = read_one(db, "res.partner", partner, {"write_date", "display_name", "name", "active"});
  const std::int64_t bot_user = 1;
  const std::int64_t bot = id_of(read_one(db, "res.users", bot_user, {"partner_id"})["partner_id"]);
  Doc bp = read_one(db, "res.partner", bot, {"write_date", "name", "active", "email", "is_company"});
  const bool internal = !flag(u, "share");
  const bool admin = user.uid == 2;
  const std::string lang = u["lang"].IsString() ? sv(u["lang"]) : "en_US";

  Doc out;
  out.SetObject();
  auto& a = out.GetAllocator();
  auto add = [&](Val& to, const char* key, Val v) { to.AddMember(Val(key, a), v, a); };
  auto parsed = [&](const std::string& json) {
    Doc d;
    d.Parse(json.c_str());
    return Val(d, a);
  };
  auto str = [&](const std::string& s) { return Val(s.c_str(), a); };
  auto copy = [&](const Val& v) { return Val(v, a); };

  // the user's discuss settings (res.users.settings): its record, or the one its first session creates
  std::int64_t settings = 0;
  if (u["res_users_settings_ids"].IsArray() && !u["res_users_settings_ids"].Empty())
    settings = id_of(u["res_users_settings_ids"][0]);
  if (!settings) {
    Doc f;
    f.Parse(R"(["res_users_settings_ids"])");
    Doc all;
    Doc none;
    none.SetArray();
    db.search_read("res.users", none, &f, 0, std::nullopt, "", Context{}, all);
    for (const auto& r : all.GetArray())
      for (const auto& s : r["res_users_settings_ids"].GetArray()) settings = std::max(settings, id_of(s));
    ++settings;
  }
  auto user_settings = [&]() {
    return parsed(
        v19 ? fmt::format(
                  R"({{"id": {0}, "embedded_actions_config_ids": {{}}, "is_discuss_sidebar_category_channel_open": true, "is_discuss_sidebar_category_chat_open": true, "push_to_talk_key": false, "use_push_to_talk": false, "voice_active_duration": 200, "channel_notifications": false, "user_id": {{"id": {1}}}, "volumes": [["ADD", []]]}})",
                  settings, user.uid)
            : fmt::format(
                  R"({{"id": {0}, "user_id": {{"id": {1}}}, "is_discuss_sidebar_category_channel_open": true, "is_discuss_sidebar_category_chat_open": true, "push_to_talk_key": false, "use_push_to_talk": false, "voice_active_duration": 200, "channel_notifications": false, "mute_until_dt": false, "volumes": [["ADD", []]]}})",
                  settings, user.uid));
  };

  add(out, "uid", Val(user.uid));
  add(out, "is_system", Val(admin));
  add(out, "is_admin", Val(admin));
  add(out, "is_public", Val(false));
  add(out, "is_internal_user", Val(internal));
  Val context(rapidjson::kObjectType);
  add(context, "lang", str(lang));
  add(context, "tz", u["tz"].IsString() ? copy(u["tz"]) : Val(false));
  add(context, "uid", Val(user.uid));
  add(out, "user_context", std::move(context));
  add(out, "db", str(database));
  if (v19) add(out, "registry_hash", str("3ab74b5b79f02a6c6c8ce8c0487aef94234a9413169ca2a3ee613a2b7486f46e"));
  add(out, "user_settings", user_settings());
  add(out, "server_version", str(fmt::format("{}.0", version)));
  add(out, "server_version_info", parsed(fmt::format(R"([{}, 0, 0, "final", 0, ""])", version)));
  add(out, "support_url", str("https://www.odoo.com/buy"));
  add(out, "name", str(user.name));
  add(out, "username", str(user.login));
  if (v19) add(out, "quick_login", Val(true));
  add(out, "partner_write_date", copy(p["write_date"]));
  add(out, "partner_display_name", copy(p["display_name"]));
  add(out, "partner_id", Val(partner));
  add(out, "web.base.url", str(base_url));
  add(out, "active_ids_limit", Val(20000));
  add(out, "profile_session", Val());
  add(out, "profile_collectors", Val());
  add(out, "profile_params", Val());
  add(out, "max_file_upload_size", Val(134217728));
  add(out, "home_action_id", id_of(u["action_id"]) ? Val(id_of(u["action_id"])) : Val(false));
  if (!v19) {
    Val hashes(rapidjson::kObjectType);
    add(hashes, "translations", str("822dd8d077f112cb40fd9cd0dde9406a9dfe5784"));
    if (internal) add(hashes, "load_menus", str("3a7a4817c15fdbebed72d525c33573beae254a1433fc3ff1e7f12396cda834de"));
    add(out, "cache_hashes", std::move(hashes));
  }
  // the active currencies
  Val currencies(rapidjson::kObjectType);
  {
    Doc domain, fields, rows;
    domain.Parse(R"([["active", "=", true]])");
    fields.Parse(R"(["name", "symbol", "position", "decimal_places"])");
    db.search_read("res.currency", domain, &fields, 0, std::nullopt, "id", Context{}, rows);
    for (const auto& c : rows.GetArray()) {
      Val one(rapidjson::kObjectType);
      if (v19) add(one, "name", copy(c["name"]));
      add(one, "symbol", copy(c["symbol"]));
      add(one, "position", copy(c["position"]));
      add(one, "digits",
          parsed(fmt::format("[69, {}]", c["decimal_places"].IsInt64() ? c["decimal_places"].GetInt64() : 2)));
      currencies.AddMember(str(std::to_string(c["id"].GetInt64())), one, a);
    }
  }
  add(out, "currencies", std::move(currencies));
  add(out, "bundle_params", parsed(fmt::format(R"({{"lang": "{}"}})", lang)));
  add(out, "test_mode", Val(false));
  add(out, "view_info", parsed(view_info));
  if (internal) {
    if (v19) add(out, "groups", parsed(fmt::format(R"({{"base.group_allow_export": {}}})", admin)));
    Val companies(rapidjson::kObjectType);
    add(companies, "current_company", Val(id_of(u["company_id"])));
    Val allowed(rapidjson::kObjectType);
    std::size_t n_companies = 0;
    if (u["company_ids"].IsArray()) {
      for (const auto& cid : u["company_ids"].GetArray()) {
        Doc c = read_one(db, "res.company", id_of(cid), {"name", "sequence", "child_ids", "parent_id", "currency_id"});
        if (!c.HasMember("id")) continue;
        ++n_companies;
        Val one(rapidjson::kObjectType);
        add(one, "id", Val(id_of(cid)));
        add(one, "name", copy(c["name"]));
        add(one, "sequence", copy(c["sequence"]));
        add(one, "child_ids", copy(c["child_ids"]));
        add(one, "parent_id", copy(c["parent_id"]));
        if (v19) add(one, "currency_id", copy(c["currency_id"]));
        allowed.AddMember(str(std::to_string(id_of(cid))), one, a);
      }
    }
    add(companies, "allowed_companies", std::move(allowed));
    add(companies, "disallowed_ancestor_companies", Val(rapidjson::kObjectType));
    add(out, "user_companies", std::move(companies));
    add(out, "show_effect", Val(true));
    if (!v19) add(out, "display_switch_company_menu", Val(n_companies > 1));
    add(out, "max_time_between_keys_in_ms", Val(150));
  }
  add(out, "websocket_worker_version", str(fmt::format("{}.0-2", version)));
  if (internal) {
    add(out, "tour_enabled", Val(flag(u, "tour_enabled")));
    add(out, "current_tour", Val());
    // mail's store: the discuss settings, OdooBot and the user's own partner
    Val store(rapidjson::kObjectType);
    Val s(rapidjson::kObjectType);
    add(s, "action_discuss_id", Val(v19 ? 125 : 126));
    add(s, "channel_types_with_seen_infos", parsed(R"(["chat", "group"])"));
    if (v19) add(s, "hasCannedResponses", Val(true));
    add(s, "hasGifPickerFeature", Val(false));
    add(s, "hasLinkPreviewFeature", Val(true));
    add(s, "hasMessageTranslationFeature", Val(false));
    add(s, "internalUserGroupId", Val(1));
    if (v19) {
      add(s, "mt_comment", Val(1));
      add(s, "mt_note", Val(2));
      add(s, "odoobot", Val(bot));
      add(s, "self_partner", Val(partner));
    } else {
      add(s, "mt_comment_id", Val(1));
      add(s, "odoobot", parsed(fmt::format(R"({{"id": {}, "type": "partner"}})", bot)));
      add(s, "self", parsed(fmt::format(R"({{"id": {}, "type": "partner"}})", partner)));
    }
    add(s, "settings", user_settings());
    add(store, "Store", std::move(s));
    Val partners(rapidjson::kArrayType);
    Val b(rapidjson::kObjectType), me(rapidjson::kObjectType);
    add(b, "active", copy(bp["active"]));
    if (v19) add(b, "avatar_128_access_token", str(token(database, bot, "avatar_128")));
    add(b, "email", copy(bp["email"]));
    add(b, "id", Val(bot));
    add(b, "im_status", str("bot"));
    if (v19) add(b, "im_status_access_token", str(token(database, bot, "im_status")));
    if (!v19) add(b, "isInternalUser", Val(true));
    add(b, "is_company", copy(bp["is_company"]));
    if (v19) add(b, "main_user_id", Val(bot_user));
    add(b, "name", copy(bp["name"]));
    if (!v19) add(b, "userId", Val(bot_user));
    add(b, "write_date", copy(bp["write_date"]));
    add(me, "active", copy(p["active"]));
    if (v19) {
      add(me, "avatar_128_access_token", str(token(database, partner, "avatar_128")));
      add(me, "id", Val(partner));
      add(me, "im_status", str("offline"));
      add(me, "im_status_access_token", str(token(database, partner, "im_status")));
      add(me, "main_user_id", Val(user.uid));
    } else {
      add(me, "id", Val(partner));
      add(me, "isAdmin", Val(admin));
      add(me, "isInternalUser", Val(internal));
    }
    add(me, "name", copy(p["name"]));
    if (!v19) {
      add(me, "notification_preference", copy(u["notification_type"]));
      add(me, "userId", Val(user.uid));
    }
    add(me, "write_date", copy(p["write_date"]));
    partners.PushBack(b, a);
    partners.PushBack(me, a);
    add(store, "res.partner", std::move(partners));
    if (v19) {
      Val users(rapidjson::kArrayType);
      users.PushBack(parsed(fmt::format(R"({{"id": {}, "share": false}})", bot_user)), a);
      Val mine(rapidjson::kObjectType);
      add(mine, "id", Val(user.uid));
      add(mine, "is_admin", Val(admin));
      add(mine, "notification_type", copy(u["notification_type"]));
      add(mine, "share", Val(!internal));
      Val signature(rapidjson::kArrayType);
      signature.PushBack(str("markup"), a);
      signature.PushBack(str("<div>" + html_escape(sv(p["name"])) + "</div>"), a);
      add(mine, "signature", std::move(signature));
      users.PushBack(mine, a);
      add(store, "res.users", std::move(users));
    }
    add(out, "storeData", std::move(store));
    if (!v19) {
      const Val& state = u["odoobot_state"];
      add(out, "odoobot_initialized",
          Val(state.IsString() && state.GetStringLength() > 0 && sv(state) != "not_initialized"));
    }
    add(out, "iap_company_enrich", Val(true));
    add(out, "can_insert_in_spreadsheet", Val(false));
  }
  return dump(out);
}

}  // namespace odoosync::emulator
