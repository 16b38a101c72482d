// Error: classification (retryable / outcome unknown) and its one-line rendering.
#include <odoosync/core/error.hpp>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {

std::string_view to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::transport: return "transport";
    case ErrorKind::http: return "http";
    case ErrorKind::protocol: return "protocol";
    case ErrorKind::auth: return "auth";
    case ErrorKind::odoo: return "odoo";
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::validation: return "validation";
    case ErrorKind::conflict: return "conflict";
    case ErrorKind::storage: return "storage";
    case ErrorKind::cancelled: return "cancelled";
    case ErrorKind::backpressure: return "backpressure";
  }
  return "unknown";
}

std::string_view to_string(TransportFailure failure) noexcept {
  switch (failure) {
    case TransportFailure::none: return "none";
    case TransportFailure::dns: return "dns";
    case TransportFailure::connect: return "connect";
    case TransportFailure::tls: return "tls";
    case TransportFailure::reset: return "reset";
    case TransportFailure::timeout: return "timeout";
    case TransportFailure::circuit_open: return "circuit_open";
    case TransportFailure::rate_limited: return "rate_limited";
    case TransportFailure::other: return "other";
  }
  return "unknown";
}

Error Error::transport(TransportFailure failure, bool request_sent, std::string message) {
  Error e(ErrorKind::transport, std::move(message));
  e.transport_failure_ = failure;
  e.request_sent_ = request_sent;
  e.outcome_unknown_ = request_sent;
  return e;
}

Error Error::http_status(int status, std::string message) {
  Error e(ErrorKind::http, std::move(message));
  e.http_status_ = status;
  e.request_sent_ = true;
  // A gateway that failed or timed out talking to Odoo cannot say whether Odoo applied the call.
  e.outcome_unknown_ = status == 502 || status == 504;
  return e;
}

Error Error::protocol(std::string message) { return Error(ErrorKind::protocol, std::move(message)); }
Error Error::validation(std::string message) { return Error(ErrorKind::validation, std::move(message)); }
Error Error::cancelled(std::string message) { return Error(ErrorKind::cancelled, std::move(message)); }

Error Error::odoo(std::string exception_class, std::string message) {
  Error e(ErrorKind::odoo, message);
  e.odoo_class_ = std::move(exception_class);
  e.odoo_message_ = std::move(message);
  e.request_sent_ = true;
  return e;
}

Error& Error::with_odoo(std::string cls, std::string msg, std::vector<std::string> args) & {
  odoo_class_ = std::move(cls);
  odoo_message_ = std::move(msg);
  odoo_arguments_ = std::move(args);
  return *this;
}
Error&& Error::with_odoo(std::string cls, std::string msg, std::vector<std::string> args) && {
  return std::move(with_odoo(std::move(cls), std::move(msg), std::move(args)));
}

Error& Error::with_message_prefix(std::string_view context) & {
  message_ = fmt::format("{}: {}", context, message_);
  return *this;
}
Error&& Error::with_message_prefix(std::string_view context) && { return std::move(with_message_prefix(context)); }

bool Error::retryable() const noexcept {
  switch (kind_) {
    case ErrorKind::transport:
      // A certificate that fails verification will fail the same way next time.
      return transport_failure_ != TransportFailure::tls;
    case ErrorKind::http:
      return http_status_ == 429 || http_status_ == 502 || http_status_ == 503 || http_status_ == 504;
    case ErrorKind::conflict:
    case ErrorKind::backpressure:
      return true;
    case ErrorKind::odoo:
      return odoo_class_.find("SerializationFailure") != std::string::npos ||
             odoo_class_.find("LockNotAvailable") != std::string::npos;
    default:
      return false;
  }
}

bool Error::outcome_unknown() const noexcept { return outcome_unknown_; }

std::string Error::to_string() const {
  std::string out{odoosync::to_string(kind_)};
  if (kind_ == ErrorKind::transport) {
    fmt::format_to(std::back_inserter(out), "/{}", odoosync::to_string(transport_failure_));
  } else if (http_status_ != 0) {
    fmt::format_to(std::back_inserter(out), "/{}", http_status_);
  }
  if (!odoo_class_.empty()) fmt::format_to(std::back_inserter(out), " [{}]", odoo_class_);
  fmt::format_to(std::back_inserter(out), ": {}", message_);
  std::string notes;
  auto note = [&notes](std::string_view s) {
    if (!notes.empty()) notes += ", ";
    notes += s;
  };
  if (outcome_unknown_) note("outcome unknown");
  if (attempts_ > 1) note(fmt::format("attempts={}", attempts_));
  if (retry_after_) note(fmt::format("retry_after={}ms", retry_after_->count()));
  if (!correlation_id_.empty()) note(fmt::format("correlation_id={}", correlation_id_));
  if (!notes.empty()) fmt::format_to(std::back_inserter(out), " ({})", notes);
  return out;
}

}  // namespace v0
}  // namespace odoosync
