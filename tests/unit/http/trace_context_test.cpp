// W3C Trace Context: traceparent parsing (version 00, strict), tracestate checks, trace ids from a
// traceparent or alone, fresh and derived ids, and TraceScope stamping requests on its own thread.
#include <doctest/doctest.h>

#include <odoosync/http/trace_context.hpp>

#include <set>
#include <thread>

using namespace odoosync;
using namespace odoosync::http;

namespace {
constexpr const char* w3c_example = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

Request post(std::string url, bool idempotent = false) {
  Request r;
  r.url = std::move(url);
  r.idempotent = idempotent;
  return r;
}
}  // namespace

TEST_CASE("traceparent: the W3C example parses, and prints back the same") {
  auto t = TraceParent::parse(w3c_example);
  REQUIRE(t);
  CHECK(t.value().trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(t.value().parent_id == "00f067aa0ba902b7");
  CHECK(t.value().flags == 1);
  CHECK(t.value().sampled());
  CHECK(t.value().header() == w3c_example);
  auto unsampled = TraceParent::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  REQUIRE(unsampled);
  CHECK_FALSE(unsampled.value().sampled());
  CHECK(unsampled.value().header().ends_with("-00"));
}

TEST_CASE("traceparent: every malformed form is refused, naming what is wrong") {
  const std::pair<const char*, const char*> bad[] = {
      {"", "55 characters"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-", "55 characters"},  // version 00 has no tail
      {"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "version 00"},
      {"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "version 00"},
      {"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "lowercase hex"},
      {"00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01", "lowercase hex"},
      {"00-00000000000000000000000000000000-00f067aa0ba902b7-01", "trace id must not be all zeros"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "parent id must not be all zeros"},
      {"00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "separated by '-'"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x", "lowercase hex"},
  };
  for (const auto& [text, why] : bad) {
    auto t = TraceParent::parse(text);
    REQUIRE_MESSAGE(!t, text);
    CHECK(t.error().kind() == ErrorKind::validation);
    CHECK_MESSAGE(t.error().message().find(why) != std::string::npos, t.error().message());
    CHECK(t.error().message().starts_with("traceparent: "));
    CHECK(trace_id_of(text).empty());
  }
}

TEST_CASE("a trace id is taken alone or out of a whole traceparent, and nothing else") {
  CHECK(parse_trace_id("4bf92f3577b34da6a3ce929d0e0e4736").value() == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(parse_trace_id(w3c_example).value() == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(trace_id_of(w3c_example) == "4bf92f3577b34da6a3ce929d0e0e4736");
  for (const char* text :
       {"", "4bf92f3577b34da6a3ce929d0e0e473", "4BF92F3577B34DA6A3CE929D0E0E4736", "00000000000000000000000000000000",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "pos/store-12 sale-1"}) {
    auto t = parse_trace_id(text);
    REQUIRE_MESSAGE(!t, text);
    CHECK(t.error().kind() == ErrorKind::validation);
  }
}

TEST_CASE("tracestate: the recommendation's forms pass, the rest say why") {
  CHECK(check_tracestate("congo=t61rcWkgMzE").empty());
  CHECK(check_tracestate("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE").empty());
  CHECK(check_tracestate("rojo=1 ,\tcongo=2").empty());                     // optional whitespace around members
  CHECK(check_tracestate("fw529a3039@dt=0x 1, 1tenant@vendor=v").empty());  // multi-tenant keys, inner space
  CHECK(check_tracestate("a=1,,b=2").empty());                              // empty members are allowed
  std::string many;
  for (int i = 0; i < 32; ++i) many += (i ? "," : "") + std::string("k") + std::to_string(i) + "=v";
  CHECK(check_tracestate(many).empty());
  CHECK(check_tracestate(many + ",k99=v").find("at most 32") != std::string::npos);
  CHECK(check_tracestate("").find("at least one") != std::string::npos);
  CHECK(check_tracestate("novalue").find("key=value") != std::string::npos);
  CHECK(check_tracestate("Upper=1").find("\"Upper\"") != std::string::npos);
  CHECK(check_tracestate("1abc=1").find("not a W3C tracestate key") != std::string::npos);
  CHECK(check_tracestate("a=1,a=2").find("twice") != std::string::npos);
  CHECK(check_tracestate("a=x=y").find("value of \"a\"") != std::string::npos);
  CHECK(check_tracestate("a=").find("value of \"a\"") != std::string::npos);
  CHECK(check_tracestate("a=trailing ").empty());  // the space is whitespace around the member
  CHECK(check_tracestate("a=line\r\nX-Injected: 1").find("value of \"a\"") != std::string::npos);
  CHECK(check_tracestate("a=" + std::string(600, 'x')).find("512") != std::string::npos);
}

TEST_CASE("fresh ids are lowercase hex of the right length and differ, derived ids are stable") {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const auto t = random_trace_id(), s = random_span_id();
    CHECK(parse_trace_id(t));
    CHECK(s.size() == 16);
    CHECK(s != "0000000000000000");
    CHECK(s.find_first_not_of("0123456789abcdef") == std::string::npos);
    seen.insert(t);
  }
  CHECK(seen.size() == 200);
  const auto a = derived_trace_id("os0123456789-b7");
  CHECK(parse_trace_id(a));
  CHECK(a == derived_trace_id("os0123456789-b7"));
  CHECK(a != derived_trace_id("os0123456789-b8"));
  CHECK(a != derived_trace_id("os0123456788-b7"));
  CHECK(parse_trace_id(derived_trace_id("")));
}

TEST_CASE("a trace scope stamps each request with its trace, a span of its own and a numbered correlation id") {
  Request outside = post("http://odoo.test/jsonrpc");
  TraceScope::stamp(outside);
  CHECK(outside.headers.empty());  // no scope: left alone
  CHECK(outside.correlation_id.empty());
  CHECK(TraceScope::current() == nullptr);
  {
    TraceScope scope(TraceParent::parse(w3c_example).value(), "congo=t61rcWkgMzE", "os1-b7/2");
    CHECK(TraceScope::current() == &scope);
    Request a = post("http://odoo.test/json/2/stock.quant/search_read?x=1", true);
    Request b = post("http://odoo.test/json/2/stock.picking/button_validate");
    TraceScope::stamp(a);
    TraceScope::stamp(b);
    auto ta = TraceParent::parse(std::string(*a.headers.get("traceparent")));
    auto tb = TraceParent::parse(std::string(*b.headers.get("traceparent")));
    REQUIRE(ta);
    REQUIRE(tb);
    CHECK(ta.value().trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
    CHECK(tb.value().trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
    CHECK(ta.value().flags == 1);
    CHECK(ta.value().parent_id != "00f067aa0ba902b7");  // each request is a span of its own
    CHECK(ta.value().parent_id != tb.value().parent_id);
    CHECK(*a.headers.get("tracestate") == "congo=t61rcWkgMzE");
    CHECK(a.correlation_id == "os1-b7/2/1");
    CHECK(b.correlation_id == "os1-b7/2/2");
    CHECK(*b.headers.get("X-Correlation-Id") == "os1-b7/2/2");
    REQUIRE(scope.requests().size() == 2);
    CHECK(scope.requests()[0].span_id == ta.value().parent_id);
    CHECK(scope.requests()[0].target == "/json/2/stock.quant/search_read");
    CHECK(scope.requests()[0].idempotent);
    CHECK(scope.requests()[1].correlation_id == "os1-b7/2/2");
    CHECK_FALSE(scope.requests()[1].idempotent);
    {
      // Nested: the inner one applies, and without a prefix sets no correlation id.
      TraceScope inner(TraceParent::parse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00").value());
      Request c = post("http://odoo.test");
      TraceScope::stamp(c);
      CHECK(c.headers.get("traceparent")->substr(3, 32) == "0af7651916cd43dd8448eb211c80319c");
      CHECK(c.headers.get("traceparent")->ends_with("-00"));
      CHECK_FALSE(c.headers.contains("tracestate"));
      CHECK(c.correlation_id.empty());
      CHECK(inner.requests().front().target == "/");
    }
    CHECK(TraceScope::current() == &scope);
    // Another thread has no scope of its own.
    std::thread([] { CHECK(TraceScope::current() == nullptr); }).join();
  }
  CHECK(TraceScope::current() == nullptr);
}

TEST_CASE("a trace scope leaves out a tracestate that is not one") {
  TraceScope scope(TraceParent::parse(w3c_example).value(), "a=1\r\nX-Evil: yes");
  CHECK(scope.tracestate().empty());
  Request r = post("http://odoo.test/jsonrpc");
  r.headers.add("tracestate", "stale=1");
  TraceScope::stamp(r);
  CHECK_FALSE(r.headers.contains("tracestate"));
  CHECK(r.headers.contains("traceparent"));
}
