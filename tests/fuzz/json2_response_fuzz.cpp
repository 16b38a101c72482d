// libFuzzer target: odoo::decode_json2, the JSON-2 answer decoder (json2_protocol.cpp), with a status, a
// Retry-After header and a body from the fuzzer's bytes (response_support.hpp has the form).
// Invariants: a 2xx answer is a value exactly when its body is empty (null) or JSON, and the value is that
// JSON; any other status is an Error carrying the status; an Odoo exception object ({"name", ...}) is
// mapped by status as docs/errors.md says (401 auth, 404 not_found, 409 conflict, 400/415 protocol,
// 429/502/503/504 http, 403 auth only for AccessDenied), with the server's class and the traceback only
// when asked for; every error says why, keeps the attempts, and has a Retry-After only from the header.
#include <odoosync/odoo/client.hpp>

#include <cstdint>
#include <string_view>

#include "response_support.hpp"

namespace json = odoosync::json;
using odoosync::ErrorKind;
using namespace odoosync_fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = response_of(std::string_view(reinterpret_cast<const char*>(data), size));
  const auto& r = in.response;
  if (skip_known_json(r.body)) return 0;
  auto decoded = odoosync::odoo::decode_json2(r, in.keep_debug);
  auto body = json::parse(r.body);
  const int s = r.status;

  if (s >= 200 && s < 300) {
    check(static_cast<bool>(decoded) == (r.body.empty() || static_cast<bool>(body)), "json2.2xx_value_iff_json",
          [&] { return shown(r.body); });
    if (decoded) {
      const std::string got = json::to_string(decoded.value());
      const std::string want = r.body.empty() ? "null" : json::to_string(body.value());
      check(got == want, "json2.value_is_the_body", [&] { return shown(got) + " vs " + shown(want); });
    } else {
      check(decoded.error().kind() == ErrorKind::protocol, "json2.bad_2xx_is_protocol",
            [&] { return decoded.error().to_string(); });
      check_error_common(decoded.error(), r, "json2");
    }
    return 0;
  }
  check(!decoded, "json2.non_2xx_is_an_error", [&] { return std::to_string(s) + " " + shown(r.body); });
  if (decoded) return 0;
  const odoosync::Error& e = decoded.error();
  check_error_common(e, r, "json2");
  check(e.http_status() == s, "json2.error_status", [&] { return e.to_string(); });
  const bool exception = body && body.value().IsObject() && json::find(body.value(), "name");
  if (!exception) return 0;
  const std::string cls = member_string(body.value(), "name");
  check(e.odoo_class() == cls, "json2.error_class", [&] { return e.to_string() + " vs " + shown(cls); });
  const std::string debug = in.keep_debug ? member_string(body.value(), "debug") : std::string();
  check(e.debug() == debug, "json2.error_debug", [&] { return e.to_string(); });
  ErrorKind want = e.kind();
  if (s == 401) want = ErrorKind::auth;
  if (s == 403) want = cls == "odoo.exceptions.AccessDenied" ? ErrorKind::auth : ErrorKind::odoo;
  if (s == 404) want = ErrorKind::not_found;
  if (s == 409) want = ErrorKind::conflict;
  if (s == 400 || s == 415) want = ErrorKind::protocol;
  if (s == 429 || s == 502 || s == 503 || s == 504) want = ErrorKind::http;
  check(e.kind() == want, "json2.error_kind", [&] { return e.to_string(); });
  if (s != 401 && s != 403 && s != 404 && s != 409 && s != 400 && s != 415 && s != 429 && s != 502 && s != 503 &&
      s != 504) {
    check(e.kind() == ErrorKind::odoo || e.kind() == ErrorKind::conflict, "json2.error_kind",
          [&] { return e.to_string(); });
  }
  return 0;
}
