// What the odoosync tool's commands share: exit codes and how an error is printed.
#pragma once

#include <odoosync/core/error.hpp>
#include <odoosync/core/json.hpp>

#include <cstdio>

namespace os = odoosync;

namespace cli {

enum Exit : int { ok = 0, failure = 1, usage = 2, config_error = 3, auth_error = 4, odoo_error = 5, network_error = 6,
                  protocol_error = 7, storage_error = 8, backpressure_error = 9 };

inline int exit_code(const os::Error& e) {
  switch (e.kind()) {
    case os::ErrorKind::validation: return config_error;
    case os::ErrorKind::auth: return auth_error;
    case os::ErrorKind::odoo:
    case os::ErrorKind::not_found:
    case os::ErrorKind::conflict: return odoo_error;
    case os::ErrorKind::transport:
    case os::ErrorKind::http: return network_error;
    case os::ErrorKind::protocol: return protocol_error;
    case os::ErrorKind::storage: return storage_error;
    case os::ErrorKind::backpressure: return backpressure_error;
    default: return failure;
  }
}

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
