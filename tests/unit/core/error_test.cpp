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
  e.with_odoo("odoo.exceptions.ValidationError", "The operation cannot be completed", {"a", "b"})
      .with_debug("Traceback...");
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

// The table of docs/errors.md, row by row: every layer asks classify(), so this is what they all do.
TEST_CASE("classify: the one table every layer asks") {
  struct Row {
    const char* name;
    Error e;
    bool transient, quick;
    Health health;
    RetryBound bound;
    ExitCode exit;
  };
  const Row rows[] = {
      {"connect", Error::transport(TransportFailure::connect, false, ""), true, true, Health::failing, RetryBound::age,
       ExitCode::network},
      {"reset after sending", Error::transport(TransportFailure::reset, true, ""), true, true, Health::failing,
       RetryBound::age, ExitCode::network},
      {"tls", Error::transport(TransportFailure::tls, false, ""), true, false, Health::failing, RetryBound::age,
       ExitCode::network},
      {"circuit open", Error::transport(TransportFailure::circuit_open, false, ""), true, true, Health::neutral,
       RetryBound::age, ExitCode::network},
      {"rate limited", Error::transport(TransportFailure::rate_limited, false, ""), true, true, Health::neutral,
       RetryBound::age, ExitCode::network},
      {"503", Error::http_status(503, ""), true, true, Health::failing, RetryBound::age, ExitCode::network},
      {"500", Error::http_status(500, ""), true, false, Health::failing, RetryBound::age, ExitCode::network},
      {"429", Error::http_status(429, ""), true, true, Health::answer, RetryBound::age, ExitCode::network},
      {"408", Error::http_status(408, ""), true, false, Health::answer, RetryBound::attempts, ExitCode::network},
      {"400", Error::http_status(400, ""), false, false, Health::answer, RetryBound::none, ExitCode::network},
      {"protocol", Error::protocol(""), false, false, Health::answer, RetryBound::none, ExitCode::protocol},
      {"protocol, outcome unknown", Error::protocol("").with_outcome_unknown(true), true, false, Health::answer,
       RetryBound::attempts, ExitCode::protocol},
      {"auth", Error(ErrorKind::auth, ""), true, false, Health::failing, RetryBound::age, ExitCode::auth},
      {"odoo serialization", Error::odoo("psycopg2.errors.SerializationFailure", ""), true, true, Health::answer,
       RetryBound::attempts, ExitCode::odoo},
      {"odoo user error", Error::odoo("odoo.exceptions.UserError", ""), false, false, Health::answer, RetryBound::none,
       ExitCode::odoo},
      {"not found", Error(ErrorKind::not_found, ""), false, false, Health::answer, RetryBound::none, ExitCode::odoo},
      {"conflict", Error(ErrorKind::conflict, ""), true, true, Health::answer, RetryBound::attempts, ExitCode::odoo},
      {"validation", Error::validation(""), false, false, Health::neutral, RetryBound::none, ExitCode::config},
      {"storage", Error(ErrorKind::storage, ""), true, false, Health::neutral, RetryBound::attempts, ExitCode::storage},
      {"cancelled", Error::cancelled(""), false, false, Health::neutral, RetryBound::none, ExitCode::failure},
      {"backpressure", Error(ErrorKind::backpressure, ""), true, true, Health::neutral, RetryBound::age,
       ExitCode::backpressure},
  };
  for (const auto& r : rows) {
    CAPTURE(r.name);
    const auto c = classify(r.e);
    CHECK(c.transient == r.transient);
    CHECK(c.quick_retry == r.quick);
    CHECK(r.e.retryable() == r.quick);
    CHECK(to_string(c.health) == to_string(r.health));
    CHECK(to_string(c.bound) == to_string(r.bound));
    CHECK(static_cast<int>(c.exit_code) == static_cast<int>(r.exit));
  }
}

TEST_CASE("classify_status: a raw response, 500 and 401 are answers the decoder reads, 429 never opens a breaker") {
  CHECK(classify_status(503).health == Health::failing);
  CHECK(classify_status(503).quick_retry);
  CHECK(classify_status(429).quick_retry);
  CHECK(classify_status(429).health == Health::answer);
  CHECK(classify_status(500).health == Health::answer);
  CHECK_FALSE(classify_status(500).transient);
  CHECK(classify_status(401).health == Health::answer);
  CHECK(classify_status(200).exit_code == ExitCode::ok);
}
