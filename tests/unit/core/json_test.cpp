// JSON reader limits, UTF-8 handling and the writer's escaping.
#include <doctest/doctest.h>

#include <odoosync/core/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

using namespace odoosync;

TEST_CASE("parse reads a call-shaped body") {
  auto doc = json::parse(R"({"jsonrpc":"2.0","id":1,"result":[{"id":7,"name":"Desk","list_price":12.5}]})");
  REQUIRE(doc);
  const auto* result = json::find(doc.value(), "result");
  REQUIRE(result);
  REQUIRE(result->IsArray());
  CHECK((*result)[0]["id"].GetInt() == 7);
  CHECK(std::string((*result)[0]["name"].GetString()) == "Desk");
  CHECK(json::find(doc.value(), "error") == nullptr);
  CHECK(json::find((*result)[0]["id"], "x") == nullptr);  // not an object: no assert, just nullptr
}

TEST_CASE("syntax errors are protocol errors with the byte offset") {
  auto r = json::parse(R"({"a": 1,})");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == ErrorKind::protocol);
  CHECK(r.error().message().find("invalid JSON at byte") == 0);
  auto trailing = json::parse("{} x");
  REQUIRE_FALSE(trailing);
  CHECK(trailing.error().message().find("byte 3") != std::string::npos);
  CHECK_FALSE(json::parse(""));
  CHECK_FALSE(json::parse("<html><body>400 Bad Request</body></html>"));
}

TEST_CASE("a body over the size limit is refused before parsing") {
  std::string big(2000, ' ');
  big += "1";
  auto r = json::parse(big, {.max_bytes = 1000, .max_depth = 10});
  REQUIRE_FALSE(r);
  CHECK(r.error().message() == "JSON text of 2001 bytes exceeds the limit of 1000 bytes");
}

TEST_CASE("nesting beyond the depth limit is a protocol error, not a stack overflow") {
  std::string deep(100000, '[');  // would exhaust the stack of a recursive parser without the limit
  auto r = json::parse(deep, {.max_bytes = 1 << 20, .max_depth = 64});
  REQUIRE_FALSE(r);
  CHECK(r.error().message().find("deeper than the limit of 64") != std::string::npos);
  std::string ok_depth = std::string(64, '[') + std::string(64, ']');
  CHECK(json::parse(ok_depth, {.max_bytes = 1 << 20, .max_depth = 64}));
  std::string one_more = std::string(65, '[') + std::string(65, ']');
  CHECK_FALSE(json::parse(one_more, {.max_bytes = 1 << 20, .max_depth = 64}));
}

TEST_CASE("invalid UTF-8 in the input is rejected clearly") {
  auto r = json::parse("{\"name\":\"caf\xC3\"}");
  REQUIRE_FALSE(r);
  CHECK(r.error().message().find("invalid UTF-8") != std::string::npos);
  CHECK_FALSE(json::parse("[\"\xED\xA0\x80\"]"));      // encoded surrogate
  CHECK_FALSE(json::parse("[\"\xC0\xAF\"]"));          // overlong
  CHECK_FALSE(json::parse("[\"\xF4\x90\x80\x80\"]"));  // above U+10FFFF
  CHECK_FALSE(json::parse(R"(["\udc00"])"));           // lone low surrogate escape
  CHECK_FALSE(json::parse(R"(["\ud800x"])"));          // high surrogate without its pair
  auto pair = json::parse(R"(["\ud83d\ude00"])");      // a valid pair decodes to U+1F600
  REQUIRE(pair);
  CHECK(std::string(pair.value()[0].GetString()) == "\xF0\x9F\x98\x80");
}

TEST_CASE("find_invalid_utf8 accepts every valid form and points at the first bad byte") {
  CHECK_FALSE(json::find_invalid_utf8("plain ascii, long enough to use the fast path"));
  CHECK_FALSE(json::find_invalid_utf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xEF\xBF\xBF"));
  CHECK(json::find_invalid_utf8("abcdefghij\xFF") == 10u);
  CHECK(json::find_invalid_utf8("ab\xE2\x82") == 2u);  // truncated sequence
  CHECK(json::find_invalid_utf8("\x80") == 0u);
}

TEST_CASE("the writer escapes quotes, backslashes and every control character") {
  json::Writer w;
  std::string all_controls;
  for (int c = 0; c < 0x20; ++c) all_controls.push_back(static_cast<char>(c));
  w.begin_object().member("q", std::string_view("say \"hi\" \\ now")).member("c", all_controls).end_object();
  auto v = w.view();
  REQUIRE(v);
  const std::string text(v.value());
  CHECK(text.find(R"("q":"say \"hi\" \\ now")") != std::string::npos);
  for (unsigned char c : text) CHECK(c >= 0x20);  // no raw control byte survives
  CHECK(text.find(R"(\u0000\u0001)") != std::string::npos);
  CHECK(text.find(R"(\n)") != std::string::npos);
  // and the text reads back to the same strings
  auto back = json::parse(text);
  REQUIRE(back);
  CHECK(std::string(back.value()["c"].GetString(), back.value()["c"].GetStringLength()) == all_controls);
}

TEST_CASE("the writer passes UTF-8 through unchanged") {
  json::Writer w;
  w.begin_array().string("Caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80").end_array();
  CHECK(w.view().value() == "[\"Caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"]");
}

TEST_CASE("invalid UTF-8 poisons the writer with an error naming the string") {
  json::Writer w;
  w.begin_object().member("ok", std::string_view("fine")).member("bad", std::string_view("ab\xFF")).end_object();
  auto v = w.view();
  REQUIRE_FALSE(v);
  CHECK(v.error().kind() == ErrorKind::validation);
  CHECK(v.error().message() == "invalid UTF-8 at byte 2 of string #4 given to the JSON writer");
  w.clear();
  w.begin_array().integer(1).end_array();
  CHECK(w.view().value() == "[1]");  // clear() recovers the writer
}

TEST_CASE("the writer refuses NaN, bad decimals, and an incomplete value") {
  json::Writer w;
  w.begin_array().number(std::numeric_limits<double>::quiet_NaN()).end_array();
  CHECK_FALSE(w.view());
  w.clear();
  w.begin_array().decimal("12.50").decimal("-0.01").decimal("1e5").end_array();
  CHECK(w.view().value() == "[12.50,-0.01,1e5]");
  w.clear();
  w.begin_array().decimal("12.").end_array();
  CHECK_FALSE(w.view());
  w.clear();
  w.begin_array().decimal("1,5").end_array();
  CHECK_FALSE(w.view());
  w.clear();
  w.begin_array().integer(1);
  CHECK_FALSE(w.view());
}

TEST_CASE("the writer reuses its buffer across clear()") {
  json::Writer w;
  for (int i = 0; i < 3; ++i) {
    w.clear();
    w.begin_object().member("i", std::int64_t{i}).member("b", true).key("n").null().end_object();
    CHECK(w.view().value() == "{\"i\":" + std::to_string(i) + ",\"b\":true,\"n\":null}");
  }
}

TEST_CASE("a DOM value round-trips through the writer and to_string") {
  const char* text = R"({"a":[1,2.5,"x",null,true,{"b":-3}],"c":"\u00e9"})";
  auto doc = json::parse(text);
  REQUIRE(doc);
  json::Writer w;
  w.value(doc.value());
  CHECK(w.view().value() == json::to_string(doc.value()));
  CHECK(json::to_string(doc.value()) == "{\"a\":[1,2.5,\"x\",null,true,{\"b\":-3}],\"c\":\"\xC3\xA9\"}");
}

TEST_CASE("parse_sax applies the same limits to a handler") {
  struct Counter : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Counter> {
    int ints = 0;
    bool Default() { return true; }
    bool Uint(unsigned) {
      ++ints;
      return true;
    }  // RapidJSON reports non-negative numbers as Uint
  } counter;
  REQUIRE(json::parse_sax(std::string_view("[1,[2,[3]]]"), counter));
  CHECK(counter.ints == 3);
  auto deep = json::parse_sax(std::string_view("[[[[1]]]]"), counter, {.max_bytes = 100, .max_depth = 3});
  REQUIRE_FALSE(deep);
  CHECK(deep.error().message().find("deeper") != std::string::npos);
}

// Issue 15: numbers from a server or a file are read exactly or refused, never aborted on or misread.
TEST_CASE("numbers are read exactly: RapidJSON's full-precision misreads are gone") {
  auto one = [](const char* text) {
    auto doc = json::parse(text);
    REQUIRE_MESSAGE(doc, text);
    return std::move(doc).value();
  };
  // Just below the rounding point above the largest double: the largest double, no abort.
  CHECK(one("1.797693134862315807e308").GetDouble() == std::numeric_limits<double>::max());
  // RapidJSON 1.1 read this as 4.70197740328915e-38.
  CHECK(one("0.184467440737095516159").GetDouble() == 0.184467440737095516159);
  // And a run of 25 zero decimals as 1.12e-44.
  CHECK(one("0.0000000000000000000000001").GetDouble() == 1e-25);
  CHECK(one("[12.5]")[0].GetDouble() == 12.5);
  // Integers keep their type; beyond int64 and uint64 they become the nearest double.
  CHECK(one("9223372036854775807").GetInt64() == INT64_MAX);
  CHECK(one("-9223372036854775808").GetInt64() == INT64_MIN);
  CHECK(one("18446744073709551615").GetUint64() == UINT64_MAX);
  CHECK_FALSE(one("18446744073709551615").IsInt64());
  CHECK(one("-9223372036854775809").GetDouble() == -9223372036854775808.0);
  const std::string digits254 = "1" + std::string(253, '7');
  CHECK(one(digits254.c_str()).GetDouble() == doctest::Approx(1.7777777777777777e253));
  // Below the smallest double: the nearest double, zero, with its sign.
  CHECK(one("1e-400").GetDouble() == 0.0);
  CHECK(std::signbit(one("-1e-400").GetDouble()));
  CHECK(one("123456789e300").GetDouble() == 123456789e300);
  CHECK(one("1e-99999999999999999999").GetDouble() == 0.0);
  CHECK(one("0.1e-9223372036854775808").GetDouble() == 0.0);  // found by fuzz_json: no overflow
  CHECK(one("10e-9223372036854775807").GetDouble() == 0.0);
}

TEST_CASE("a number beyond the largest double is refused with its byte offset") {
  for (const char* text :
       {"2e308", "[1, 1e99999999999999999999]", "{\"a\": -1.8e308}", "123456789e301", "0.000e99999999999999999999"}) {
    auto r = json::parse(text);
    REQUIRE_FALSE_MESSAGE(r, text);
    CHECK(r.error().kind() == ErrorKind::protocol);
    CHECK_MESSAGE(r.error().message().find("number out of range at byte") == 0, r.error().message());
  }
  const std::string huge = "[" + std::string(400, '9') + "]";
  auto r = json::parse(huge);
  REQUIRE_FALSE(r);
  CHECK(r.error().message().find("number out of range") == 0);
}

TEST_CASE("to_number classifies each number text") {
  using K = json::Number::Kind;
  CHECK(json::to_number("0").kind == K::int64);
  CHECK(json::to_number("-0").kind == K::int64);
  CHECK(json::to_number("1.0").kind == K::real);
  CHECK(json::to_number("1e2").d == 100.0);
  CHECK(json::to_number("1E+2").d == 100.0);
  CHECK(json::to_number("9e308").kind == K::out_of_range);
  CHECK(json::to_number("").kind == K::invalid);
  CHECK(json::to_number("abc").kind == K::invalid);
}
