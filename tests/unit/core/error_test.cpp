// Error: classification, rendering, and result<T> behaviour.
#include <doctest/doctest.h>

#include <odoosync/core/error.hpp>
#include <odoosync/core/result.hpp>

using namespace odoosync;

TEST_CASE("transport failures before sending are retryable and not outcome-unknown") {
  for (auto f : {TransportFailure::dns, TransportFailure::connect, TransportFailure::circuit_open}) {
    Error e = Error::transport(f, false, "x");
    CHECK(e.kind() == ErrorKind::transport);
    CHECK(e.retryable());
    CHECK_FALSE(e.outcome_unknown());
    CHECK_FALSE(e.request_sent());
  }
}

TEST_CASE("a reset after sending is outcome-unknown, a TLS failure is not retryable") {
  Error reset = Error::transport(TransportFailure::reset, true, "reset");
  CHECK(reset.outcome_unknown());
  CHECK(reset.retryable());
  Error tls = Error::transport(TransportFailure::tls, false, "bad certificate");
  CHECK_FALSE(tls.retryable());
  CHECK_FALSE(tls.outcome_unknown());
}

TEST_CASE("HTTP statuses: 429/502/503/504 retryable, 502/504 outcome-unknown, 400/500 neither") {
  CHECK(Error::http_status(429, "").retryable());
  CHECK_FALSE(Error::http_status(429, "").outcome_unknown());
  CHECK(Error::http_status(503, "").retryable());
  CHECK(Error::http_status(502, "").outcome_unknown());
  CHECK(Error::http_status(504, "").outcome_unknown());
  CHECK_FALSE(Error::http_status(400, "").retryable());
  CHECK_FALSE(Error::http_status(500, "").retryable());
  CHECK(Error::http_status(500, "").http_status() == 500);
}

TEST_CASE("Odoo serialization failures are retryable, validation errors are not") {
  Error ser = Error::odoo("psycopg2.errors.SerializationFailure", "could not serialize access");
  CHECK(ser.retryable());
  Error val = Error::odoo("odoo.exceptions.ValidationError", "bad");
  CHECK_FALSE(val.retryable());
  CHECK(val.odoo_class() == "odoo.exceptions.ValidationError");
  CHECK(val.odoo_message() == "bad");
  CHECK(Error(ErrorKind::conflict, "lock").retryable());
  CHECK_FALSE(Error(ErrorKind::validation, "x").retryable());
}

TEST_CASE("to_string gives kind, detail, message and notes on one line") {
  Error e = Error::transport(TransportFailure::timeout, true, "no response in 100 ms");
  e.with_attempts(3).with_correlation_id("c-1");
  CHECK(e.to_string() == "transport/timeout: no response in 100 ms (outcome unknown, attempts=3, correlation_id=c-1)");
  Error o = Error::odoo("odoo.exceptions.AccessError", "You are not allowed");
  o.with_http_status(403);
  CHECK(o.to_string() == "odoo/403 [odoo.exceptions.AccessError]: You are not allowed");
  Error p = Error::protocol("bad body").with_message_prefix("res.partner.read");
  CHECK(p.message() == "res.partner.read: bad body");
  CHECK(p.to_string().find('\n') == std::string::npos);
}

TEST_CASE("odoo arguments and debug are kept") {
  Error e(ErrorKind::validation, "The operation cannot be completed");
  e.with_odoo("odoo.exceptions.ValidationError", "The operation cannot be completed", {"a", "b"}).with_debug("Traceback...");
  CHECK(e.odoo_arguments() == std::vector<std::string>{"a", "b"});
  CHECK(e.debug() == "Traceback...");
}

namespace {
result<int> half(int v) {
  if (v % 2 != 0) return Error::validation("odd: " + std::to_string(v));
  return v / 2;
}
result<int> quarter(int v) {
  auto h = half(v);
  if (!h) return h.error();
  return half(h.value());
}
}  // namespace

TEST_CASE("result carries a value or an Error and never throws") {
  auto ok = quarter(8);
  REQUIRE(ok);
  CHECK(ok.value() == 2);
  auto bad = quarter(6);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind() == ErrorKind::validation);
  CHECK(bad.error().message() == "odd: 3");
  result<void> v = success();
  CHECK(v);
}
