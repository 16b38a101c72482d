// libFuzzer target: odoo::decode_jsonrpc, the JSON-RPC answer decoder every JSON-RPC call goes through
// (jsonrpc_protocol.cpp), with a status, a Retry-After header and a body from the fuzzer's bytes
// (response_support.hpp has the form).
// Invariants: a value comes back only from an envelope object ({"jsonrpc", "result"}) without an "error"
// member, and it is that envelope's "result" (null when Odoo left it out); an "error" object becomes an
// Error of an Odoo kind (auth, not_found, conflict, odoo) with the response's status, the server's class,
// and the traceback only when asked for; every error says why, keeps the attempts, and has a Retry-After
// only from the header.
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
  auto decoded = odoosync::odoo::decode_jsonrpc(r, in.keep_debug);

  auto body = json::parse(r.body);
  const bool envelope = body && body.value().IsObject() && json::find(body.value(), "jsonrpc");
  const json::Value* error_member = nullptr;
  const json::Value* result_member = nullptr;
  if (envelope) {
    const auto& d = body.value();
    if (auto it = d.FindMember("error"); it != d.MemberEnd()) error_member = &it->value;
    if (auto it = d.FindMember("result"); it != d.MemberEnd()) result_member = &it->value;
  }

  if (decoded) {
    check(envelope && !error_member, "jsonrpc.value_only_from_an_envelope", [&] { return shown(r.body); });
    const std::string got = json::to_string(decoded.value());
    const std::string want = result_member ? json::to_string(*result_member) : "null";
    check(got == want, "jsonrpc.value_is_the_result", [&] { return shown(got) + " vs " + shown(want); });
    return 0;
  }
  const odoosync::Error& e = decoded.error();
  check_error_common(e, r, "jsonrpc");
  if (error_member && error_member->IsObject()) {
    const ErrorKind k = e.kind();
    check(k == ErrorKind::auth || k == ErrorKind::not_found || k == ErrorKind::conflict || k == ErrorKind::odoo,
          "jsonrpc.error_kind", [&] { return e.to_string(); });
    check(e.http_status() == r.status, "jsonrpc.error_status", [&] { return e.to_string(); });
    const json::Value* data_member = json::find(*error_member, "data");
    const bool data_object = data_member && data_member->IsObject();
    const std::string cls = data_object ? member_string(*data_member, "name") : std::string();
    check(e.odoo_class() == cls, "jsonrpc.error_class", [&] { return e.to_string() + " vs " + shown(cls); });
    const std::string debug = in.keep_debug && data_object ? member_string(*data_member, "debug") : std::string();
    check(e.debug() == debug, "jsonrpc.error_debug", [&] { return e.to_string(); });
  } else if (error_member) {
    check(e.kind() == ErrorKind::protocol, "jsonrpc.error_not_object", [&] { return e.to_string(); });
  } else if (!envelope) {
    if (r.status == 200) {
      check(e.kind() == ErrorKind::protocol, "jsonrpc.not_an_envelope", [&] { return e.to_string(); });
    } else {
      check((e.kind() == ErrorKind::http || e.kind() == ErrorKind::protocol) && e.http_status() == r.status,
            "jsonrpc.http_failure", [&] { return e.to_string(); });
    }
  } else {
    check(false, "jsonrpc.error_without_cause", [&] { return e.to_string() + " for " + shown(r.body); });
  }
  return 0;
}
