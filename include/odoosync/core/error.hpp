// Error: what every fallible odoosync call reports (DESIGN.md §3). It never holds a secret: messages
// are built by us from server answers and our own text, never from credentials or request bodies.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace odoosync {
inline namespace v0 {

enum class ErrorKind : std::uint8_t {
  transport,     // connect, DNS, TLS, reset, timeout: see TransportFailure
  http,          // an HTTP status the protocol did not expect
  protocol,      // malformed body, unexpected shape, limits exceeded
  auth,          // bad credentials, expired session, revoked or expired API key
  odoo,          // a server-side exception; odoo_class() names it
  not_found,     // record, model or method does not exist
  validation,    // bad input rejected before sending
  conflict,      // concurrent update (serialization failure, lock)
  storage,       // the local store failed
  cancelled,     // the caller cancelled
  backpressure,  // a queue is above its high-water mark
};

// Where a transport failure happened. Together with request_sent() it tells whether a retry is safe.
enum class TransportFailure : std::uint8_t {
  none,
  dns,           // name did not resolve: never sent
  connect,       // refused or unreachable: never sent
  tls,           // handshake or certificate: never sent
  reset,         // connection reset or closed mid-exchange
  timeout,       // connect or total timeout, or the deadline passed
  circuit_open,  // the circuit breaker failed the call fast: never sent
  rate_limited,  // the local rate limiter could not grant a slot before the deadline: never sent
  other,
};

std::string_view to_string(ErrorKind kind) noexcept;
std::string_view to_string(TransportFailure failure) noexcept;

// What a failure says of the server's health, for circuit breakers.
enum class Health : std::uint8_t {
  answer,   // the server answered, even with an error: it is up
  failing,  // it did not answer, or said it cannot serve now (5xx without an Odoo exception, auth refused)
  neutral,  // says nothing of the server: our own refusals, cancellations, input refused before sending
};
// How a caller that retries for a long time (the sync engine) bounds the retries of a transient failure.
enum class RetryBound : std::uint8_t {
  none,      // not transient: stop now
  attempts,  // Odoo answered (conflict, serialization failure): a number of attempts
  age,       // an outage (no answer, 5xx, 429, auth): the age of the work only, never a count
};
// The odoosync tool's exit codes, one per kind of failure (docs/errors.md).
enum class ExitCode : int {
  ok = 0,
  failure = 1,
  usage = 2,
  config = 3,
  auth = 4,
  odoo = 5,
  network = 6,
  protocol = 7,
  storage = 8,
  backpressure = 9,
};
std::string_view to_string(Health health) noexcept;
std::string_view to_string(RetryBound bound) noexcept;

// The one classification every layer asks (docs/errors.md has it as a table, with the reasons).
struct Classification {
  bool transient = false;    // the same call may succeed later (after an unknown outcome: probe first)
  bool quick_retry = false;  // worth another attempt within one call, seconds later (Error::retryable())
  Health health = Health::neutral;
  RetryBound bound = RetryBound::none;
  ExitCode exit_code = ExitCode::failure;
};
class Error;
Classification classify(const Error& error) noexcept;
// A response as the transport sees it, before the Odoo client decodes it. 429, 502, 503 and 504 are
// worth a quick retry, and all but 429 count against health; every other status is an answer (a JSON-2 500 may
// carry an Odoo exception, which only the decoder can tell: decoded, it is ErrorKind::odoo, and an
// ErrorKind::http 500 left after decoding carried none, so classify() counts that one as failing).
Classification classify_status(int status) noexcept;

class Error {
 public:
  Error() = default;
  // A message longer than max_message_bytes (a server's 5 MB error page) is cut there, at a character
  // boundary, and says how long it was: no error text printed, logged or stored is unbounded.
  Error(ErrorKind kind, std::string message) : kind_(kind), message_(bounded(std::move(message))) {}
  static constexpr std::size_t max_message_bytes = 4096;
  static std::string bounded(std::string text, std::size_t max_bytes = max_message_bytes);

  // Named constructors for the common shapes.
  static Error transport(TransportFailure failure, bool request_sent, std::string message);
  static Error http_status(int status, std::string message);
  static Error protocol(std::string message);
  static Error validation(std::string message);
  static Error odoo(std::string exception_class, std::string message);
  static Error cancelled(std::string message);

  ErrorKind kind() const noexcept { return kind_; }
  const std::string& message() const noexcept { return message_; }

  TransportFailure transport_failure() const noexcept { return transport_failure_; }
  // True when the request left this process, fully or in part: the server may have acted on it.
  bool request_sent() const noexcept { return request_sent_; }
  int http_status() const noexcept { return http_status_; }

  // For ErrorKind::odoo and the kinds an Odoo exception maps to (auth, not_found, conflict, validation).
  const std::string& odoo_class() const noexcept { return odoo_class_; }
  const std::string& odoo_message() const noexcept { return odoo_message_; }
  const std::vector<std::string>& odoo_arguments() const noexcept { return odoo_arguments_; }
  const std::string& debug() const noexcept { return debug_; }  // server traceback, only when asked for

  const std::string& correlation_id() const noexcept { return correlation_id_; }
  int attempts() const noexcept { return attempts_; }
  // How long the server asked us to wait (Retry-After), if it did.
  std::optional<std::chrono::milliseconds> retry_after() const noexcept { return retry_after_; }

  // Worth another attempt within the same call (classify(*this).quick_retry). Whether a retry is *safe*
  // also depends on outcome_unknown() and on the call being idempotent.
  bool retryable() const noexcept;
  // The request may have been applied: it was sent and no answer says whether it took effect.
  bool outcome_unknown() const noexcept;

  // Chainable setters, used by the layers that add what they know.
  Error& with_http_status(int status) & {
    http_status_ = status;
    return *this;
  }
  Error&& with_http_status(int status) && {
    http_status_ = status;
    return std::move(*this);
  }
  Error& with_odoo(std::string cls, std::string msg, std::vector<std::string> args = {}) &;
  Error&& with_odoo(std::string cls, std::string msg, std::vector<std::string> args = {}) &&;
  Error& with_debug(std::string traceback) & {
    debug_ = bounded(std::move(traceback), std::size_t{64} * 1024);
    return *this;
  }
  Error&& with_debug(std::string traceback) && {
    debug_ = bounded(std::move(traceback), std::size_t{64} * 1024);
    return std::move(*this);
  }
  Error& with_correlation_id(std::string id) & {
    correlation_id_ = std::move(id);
    return *this;
  }
  Error&& with_correlation_id(std::string id) && {
    correlation_id_ = std::move(id);
    return std::move(*this);
  }
  Error& with_attempts(int n) & {
    attempts_ = n;
    return *this;
  }
  Error&& with_attempts(int n) && {
    attempts_ = n;
    return std::move(*this);
  }
  Error& with_retry_after(std::chrono::milliseconds d) & {
    retry_after_ = d;
    return *this;
  }
  Error&& with_retry_after(std::chrono::milliseconds d) && {
    retry_after_ = d;
    return std::move(*this);
  }
  Error& with_outcome_unknown(bool unknown) & {
    outcome_unknown_ = unknown;
    return *this;
  }
  Error&& with_outcome_unknown(bool unknown) && {
    outcome_unknown_ = unknown;
    return std::move(*this);
  }
  // Replaces every occurrence of `secret` (as is, and as a JSON string would escape it) in the message,
  // the Odoo message, arguments and debug text with Secret::redacted. Text that came from a server (an
  // error page quoting the request) passes through this with every secret the client holds. Secrets
  // shorter than 4 bytes are left alone (they cannot be told from ordinary text).
  Error& redact(std::string_view secret) &;
  Error&& redact(std::string_view secret) && { return std::move(redact(secret)); }

  Error& with_message_prefix(std::string_view context) &;
  Error&& with_message_prefix(std::string_view context) &&;

  // One line: "<kind>[/<failure>|<status>|<odoo class>]: <message> (attempts=N, correlation_id=...)".
  std::string to_string() const;

  friend bool operator==(const Error&, const Error&) = default;

 private:
  ErrorKind kind_ = ErrorKind::protocol;
  TransportFailure transport_failure_ = TransportFailure::none;
  bool request_sent_ = false;
  bool outcome_unknown_ = false;
  int http_status_ = 0;
  int attempts_ = 1;
  std::optional<std::chrono::milliseconds> retry_after_;
  std::string message_;
  std::string odoo_class_;
  std::string odoo_message_;
  std::vector<std::string> odoo_arguments_;
  std::string debug_;
  std::string correlation_id_;
};

}  // namespace v0
}  // namespace odoosync
