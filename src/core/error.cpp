// Error: classification (retryable / outcome unknown) and its one-line rendering.
#include <odoosync/core/error.hpp>
#include <odoosync/core/secret.hpp>

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
  e.odoo_message_ = bounded(std::move(message));
  e.request_sent_ = true;
  return e;
}

Error& Error::with_odoo(std::string cls, std::string msg, std::vector<std::string> args) & {
  odoo_class_ = std::move(cls);
  odoo_message_ = bounded(std::move(msg));
  odoo_arguments_ = std::move(args);
  return *this;
}
Error&& Error::with_odoo(std::string cls, std::string msg, std::vector<std::string> args) && {
  return std::move(with_odoo(std::move(cls), std::move(msg), std::move(args)));
}

Error& Error::with_message_prefix(std::string_view context) & {
  message_ = bounded(fmt::format("{}: {}", context, message_), max_message_bytes + 1024);
  return *this;
}

std::string Error::bounded(std::string text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  const std::size_t all = text.size();
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
  text.resize(cut);
  text += fmt::format("... [cut: {} bytes in all]", all);
  return text;
}

namespace {
void replace_all(std::string& text, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
    text.replace(at, what.size(), with);
}
// The secret as it appears inside a JSON string: quotes, backslashes and control characters escaped.
std::string json_escaped(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out += c;
    }
  }
  return out;
}
}  // namespace

Error& Error::redact(std::string_view secret) & {
  if (secret.size() < 4) return *this;
  const std::string escaped = json_escaped(secret);
  for (std::string* t : {&message_, &odoo_message_, &debug_}) {
    replace_all(*t, secret, Secret::redacted);
    if (escaped != secret) replace_all(*t, escaped, Secret::redacted);
  }
  for (auto& a : odoo_arguments_) {
    replace_all(a, secret, Secret::redacted);
    if (escaped != secret) replace_all(a, escaped, Secret::redacted);
  }
  return *this;
}
Error&& Error::with_message_prefix(std::string_view context) && { return std::move(with_message_prefix(context)); }

bool Error::retryable() const noexcept { return classify(*this).quick_retry; }

std::string_view to_string(Health health) noexcept {
  switch (health) {
    case Health::answer: return "answer";
    case Health::failing: return "failing";
    case Health::neutral: return "neutral";
  }
  return "?";
}

std::string_view to_string(RetryBound bound) noexcept {
  switch (bound) {
    case RetryBound::none: return "none";
    case RetryBound::attempts: return "attempts";
    case RetryBound::age: return "age";
  }
  return "?";
}

// The table of docs/errors.md. Change it there too.
Classification classify(const Error& e) noexcept {
  Classification c;
  const auto outage = [&c] {
    c.transient = true;
    c.health = Health::failing;
    c.bound = RetryBound::age;
  };
  const auto answered_conflict = [&c] {
    c.transient = true;
    c.quick_retry = true;
    c.health = Health::answer;
    c.bound = RetryBound::attempts;
  };
  switch (e.kind()) {
    case ErrorKind::transport:
      c.exit_code = ExitCode::network;
      if (e.transport_failure() == TransportFailure::circuit_open ||
          e.transport_failure() == TransportFailure::rate_limited) {
        // Our own refusals: never sent, say nothing of the server, pass by themselves.
        c.transient = true;
        c.quick_retry = true;
        c.health = Health::neutral;
        c.bound = RetryBound::age;
      } else {
        outage();
        // A certificate that fails verification fails the same way seconds later; it is still an
        // outage for a long-running caller (someone renews the certificate).
        c.quick_retry = e.transport_failure() != TransportFailure::tls;
      }
      break;
    case ErrorKind::http: {
      c.exit_code = ExitCode::network;
      const int s = e.http_status();
      if (s == 429 || s >= 500) {
        outage();
        c.quick_retry = classify_status(s).quick_retry;
        if (s == 429) c.health = Health::answer;  // up, asking for less: Retry-After paces us, not the breaker
      } else if (s == 408) {
        answered_conflict();  // the server gave up waiting for us: an answer, try again a bounded number of times
        c.quick_retry = false;
      } else {
        c.health = Health::answer;
      }
      break;
    }
    case ErrorKind::protocol:
      c.exit_code = ExitCode::protocol;
      c.health = Health::answer;
      break;
    case ErrorKind::auth:
      // A refused or expired key fails every call until it is replaced (rotate_api_key at run time).
      c.exit_code = ExitCode::auth;
      outage();
      break;
    case ErrorKind::odoo:
      c.exit_code = ExitCode::odoo;
      c.health = Health::answer;
      if (e.odoo_class().find("SerializationFailure") != std::string::npos ||
          e.odoo_class().find("LockNotAvailable") != std::string::npos)
        answered_conflict();
      break;
    case ErrorKind::not_found:
      c.exit_code = ExitCode::odoo;
      c.health = Health::answer;
      break;
    case ErrorKind::validation: c.exit_code = ExitCode::config; break;
    case ErrorKind::conflict:
      c.exit_code = ExitCode::odoo;
      answered_conflict();
      break;
    case ErrorKind::storage:
      // The local store: says nothing of Odoo; a busy or full disk may pass.
      c.exit_code = ExitCode::storage;
      c.transient = true;
      c.bound = RetryBound::attempts;
      break;
    case ErrorKind::cancelled: break;
    case ErrorKind::backpressure:
      c.exit_code = ExitCode::backpressure;
      c.transient = true;
      c.quick_retry = true;
      c.bound = RetryBound::age;
      break;
  }
  // Sent without an answer: the call may have been applied, and may succeed if it was not. Transient,
  // but a resend is safe only after a probe or for an idempotent call.
  if (e.outcome_unknown() && !c.transient) {
    c.transient = true;
    c.bound = RetryBound::attempts;
  }
  return c;
}

Classification classify_status(int status) noexcept {
  Classification c;
  c.health = Health::answer;
  if (status == 429 || status == 502 || status == 503 || status == 504) {
    c.transient = true;
    c.quick_retry = true;
    c.health = status == 429 ? Health::answer : Health::failing;
    c.bound = RetryBound::age;
    c.exit_code = ExitCode::network;
  } else if (status >= 400) {
    c.exit_code = ExitCode::network;
  } else {
    c.exit_code = ExitCode::ok;
  }
  return c;
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
