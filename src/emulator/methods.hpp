// The model methods clients call, as Odoo 17/18/19 declare them: signatures, the demo users and their
// access rights, and one call run against the Database once the routes have parsed and authenticated it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "orm.hpp"

namespace odoosync::emulator {

// A public method: whether it runs on records (ids come first) and its parameters in order.
struct Signature {
  bool record = false;                               // first positional is ids
  std::vector<std::pair<std::string, bool>> params;  // name, required
};

// The public methods of every model for `version` (what /doc-bearer lists).
const std::map<std::string, Signature>& signatures(int version);

// The demo users: admin, demo, portal and rpc_limited, in that order.
struct User {
  std::int64_t uid;
  std::string login, password, api_key, name;
};

std::vector<User> users_for(int version, const std::string& admin_key);

// Whether user `uid` may `op` ('r'ead, 'w'rite, 'c'reate, 'u'nlink) records of `model`: the demo users'
// rights, what calls are gated by and check_access_rights / has_access answer. rpc_limited and portal
// write no business model and read no accounting one (real Odoo denies them more; docs/emulator.md).
bool access_allowed(int version, const std::string& admin_key, std::int64_t uid, const std::string& model, char op);

// One ORM call, after parsing and authentication.
struct MethodCall {
  std::string model, method;
  std::int64_t uid = 2;
  bool json2 = false;
  Doc args;    // positional (JSON-RPC)
  Doc kwargs;  // named
  Doc ids;     // JSON-2 `ids`, if given
  bool has_ids = false;
  Context ctx;
  std::optional<std::uint64_t> snapshot_commit;  // set when the call waited to commit (slow_commit)
};

// Runs `call` as Odoo `version` does: a public method of an existing model, its arguments bound to the
// signature, the demo users' access rights checked, then the ORM method or a button (business.cpp).
// The result goes to `out` (`none` for Python None). Throws OdooException.
void run_method(Database& db, int version, const std::string& admin_api_key, MethodCall& call, Doc& out, bool& none);

}  // namespace odoosync::emulator
