// What the odoosync tool's commands share: exit codes and how an error is printed.
#pragma once

#include <odoosync/core/error.hpp>
#include <odoosync/core/json.hpp>

#include <cstdio>

namespace os = odoosync;

namespace cli {

// The same numbers as os::ExitCode, for the places that name them.
enum Exit : int {
  ok = static_cast<int>(os::ExitCode::ok),
  failure = static_cast<int>(os::ExitCode::failure),
  usage = static_cast<int>(os::ExitCode::usage),
  config_error = static_cast<int>(os::ExitCode::config),
  auth_error = static_cast<int>(os::ExitCode::auth),
  odoo_error = static_cast<int>(os::ExitCode::odoo),
  network_error = static_cast<int>(os::ExitCode::network),
  protocol_error = static_cast<int>(os::ExitCode::protocol),
  storage_error = static_cast<int>(os::ExitCode::storage),
  backpressure_error = static_cast<int>(os::ExitCode::backpressure),
};

// The one classification (core/error.hpp) says which exit code an error gets.
inline int exit_code(const os::Error& e) { return static_cast<int>(os::classify(e).exit_code); }

inline bool json_errors = false;

inline int report(const os::Error& e) {
  if (json_errors) {
    os::json::Writer w;
    w.begin_object()
        .member("error", std::string_view(os::to_string(e.kind())))
        .member("message", std::string_view(e.message()))
        .member("odoo_class", std::string_view(e.odoo_class()))
        .member("http_status", std::int64_t{e.http_status()})
        .member("retryable", e.retryable())
        .member("outcome_unknown", e.outcome_unknown())
        .end_object();
    std::fprintf(stderr, "%.*s\n", static_cast<int>(w.unchecked_view().size()), w.unchecked_view().data());
  } else {
    std::fprintf(stderr, "odoosync: %s\n", e.to_string().c_str());
  }
  return exit_code(e);
}

}  // namespace cli
