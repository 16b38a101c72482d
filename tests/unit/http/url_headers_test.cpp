// URL parsing and header handling.
#include <doctest/doctest.h>

#include <odoosync/http/headers.hpp>
#include <odoosync/http/url.hpp>

using namespace odoosync;
using namespace odoosync::http;

TEST_CASE("parse_url takes http and https URLs apart") {
  auto u = parse_url("HTTPS://Odoo.Example.COM/jsonrpc?x=1#frag");
  REQUIRE(u);
  CHECK(u.value().scheme == "https");
  CHECK(u.value().host == "odoo.example.com");
  CHECK(u.value().port == 443);
  CHECK(u.value().target == "/jsonrpc?x=1");
  CHECK(authority_of(u.value()) == "odoo.example.com:443");

  auto p = parse_url("http://127.0.0.1:8069");
  REQUIRE(p);
  CHECK(p.value().port == 8069);
  CHECK(p.value().target == "/");

  auto v6 = parse_url("http://[::1]:8070/web");
  REQUIRE(v6);
  CHECK(v6.value().host == "::1");
  CHECK(authority_of(v6.value()) == "[::1]:8070");
}

TEST_CASE("parse_url names what is wrong and never echoes credentials") {
  auto creds = parse_url("https://admin:hunter2@odoo.example.com/");
  REQUIRE_FALSE(creds);
  CHECK(creds.error().kind() == ErrorKind::validation);
  CHECK(creds.error().message().find("hunter2") == std::string::npos);
  CHECK(creds.error().message().find("credentials") != std::string::npos);
  CHECK(parse_url("odoo.example.com").error().message().find("missing scheme") != std::string::npos);
  CHECK(parse_url("ftp://x").error().message().find("unsupported scheme 'ftp'") != std::string::npos);
  CHECK(parse_url("http://x:99999/").error().message().find("port") != std::string::npos);
  CHECK(parse_url("http://x:abc/").error().message().find("port") != std::string::npos);
  CHECK(parse_url("http:///path").error().message().find("missing host") != std::string::npos);
}

TEST_CASE("headers are looked up case-insensitively and set() replaces") {
  Headers h{{"Content-Type", "application/json"}, {"Set-Cookie", "a=1"}, {"set-cookie", "b=2"}};
  CHECK(h.get("content-type") == "application/json");
  CHECK(h.get("SET-COOKIE") == "a=1");
  CHECK_FALSE(h.get("Retry-After"));
  h.set("Set-Cookie", "c=3");
  CHECK(h.size() == 2);
  CHECK(h.get("set-cookie") == "c=3");
  h.remove("CONTENT-TYPE");
  CHECK_FALSE(h.contains("content-type"));
}

TEST_CASE("only allow-listed headers are loggable") {
  CHECK(Headers::loggable("Content-Type"));
  CHECK(Headers::loggable("retry-after"));
  CHECK_FALSE(Headers::loggable("Authorization"));
  CHECK_FALSE(Headers::loggable("Cookie"));
  CHECK_FALSE(Headers::loggable("Set-Cookie"));
  CHECK_FALSE(Headers::loggable("X-Odoo-Database"));
  CHECK_FALSE(Headers::loggable("X-Api-Key"));
}
