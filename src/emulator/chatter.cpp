// mail.thread's message_post, as real Odoo 18 and 19 answer it over RPC (checked on both, with
// tests/live/mapping_live_test.cpp): one record only ("Expected singleton"), the body taken as text
// (escaped, in a <p>) unless body_is_html, message_type "notification" and the Note subtype unless told
// otherwise, the calling user's partner as author; the answer is the message id in 18 (@api.returns) and
// a list of one id in 19 (no @api.returns: the recordset is serialised as its ids, JSON-RPC and JSON-2).
#include <fmt/format.h>

#include "orm.hpp"

namespace odoosync::emulator {

namespace {
// markupsafe.escape
std::string escape_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}
}  // namespace

std::int64_t Database::message_post(const std::string& model, const std::vector<std::int64_t>& ids,
                                    const MessagePost& post, const Context& ctx) {
  if (ids.size() != 1) {
    std::string list;
    for (std::size_t i = 0; i < ids.size(); ++i) list += (i ? ", " : "") + std::to_string(ids[i]);
    throw OdooException{"builtins.ValueError", fmt::format("Expected singleton: {}({})", model, list), 500};
  }
  const std::int64_t id = ids[0];
  if (!exists(model, id)) {
    throw OdooException{
        "odoo.exceptions.MissingError",
        fmt::format("Record does not exist or has been deleted.\n(Record: {}({},), User: {})", model, id, ctx.uid),
        404};
  }
  std::int64_t subtype = post.subtype_id;
  if (!post.subtype_xmlid.empty()) {
    const auto dot = post.subtype_xmlid.find('.');
    subtype = dot == std::string::npos ? 0
                                       : xmlid_lookup(post.subtype_xmlid.substr(0, dot),
                                                      post.subtype_xmlid.substr(dot + 1), "mail.message.subtype");
    if (!subtype) {
      throw OdooException{"builtins.ValueError",
                          fmt::format("External ID not found in the system: {}", post.subtype_xmlid), 500};
    }
  }
  if (!subtype) subtype = xmlid_lookup("mail", "mt_note", "mail.message.subtype");
  Doc vals;
  vals.SetObject();
  auto& a = vals.GetAllocator();
  const std::string body = post.body.empty()   ? std::string()
                           : post.body_is_html ? post.body
                                               : "<p>" + escape_text(post.body) + "</p>";
  vals.AddMember("model", Val(model.c_str(), a), a);
  vals.AddMember("res_id", Val(id), a);
  vals.AddMember("body", Val(body.c_str(), a), a);
  vals.AddMember("message_type", Val(post.message_type.c_str(), a), a);
  if (subtype) vals.AddMember("subtype_id", Val(subtype), a);
  if (const Val* partner = field_value("res.users", ctx.uid, "partner_id"); partner && partner->IsInt64())
    vals.AddMember("author_id", Val(partner->GetInt64()), a);
  vals.AddMember("record_name", Val(display_name(model, id).c_str(), a), a);
  if (const Val* company = field_value(model, id, "company_id"); company && company->IsInt64())
    vals.AddMember("record_company_id", Val(company->GetInt64()), a);
  return create("mail.message", vals, ctx).front();
}

}  // namespace odoosync::emulator
