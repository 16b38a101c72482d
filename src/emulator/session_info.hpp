// The session info of /web/session/authenticate and /web/session/get_session_info, as Odoo 18 and 19
// answer it: ir.http's session_info and the members the demo's modules add (mail, bus, web_tour,
// barcodes, partner_autocomplete, spreadsheet, ...), i.e. what a web client boots with.
#pragma once

#include <string>

#include "methods.hpp"
#include "orm.hpp"

namespace odoosync::emulator {

// The JSON object for `user`. What the database holds (the user, its partner, companies, currencies,
// time zone) is read from it; the web client's own members (view types, asset hashes, discuss
// settings, ids of the mail actions) are those of the recorded demo databases. Portal users get the
// members Odoo gives every user, without those only internal users get.
std::string session_info(const Database& db, const User& user, int version, const std::string& database,
                         const std::string& base_url);

}  // namespace odoosync::emulator
