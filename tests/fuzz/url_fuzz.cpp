// libFuzzer target: http::parse_url (Config::validate and the rate limiter's per-host key) with the
// fuzzer's bytes.
// Invariants: what parses is http or https, with a lower-case host that is not empty and holds no space,
// control character, '%' or '@' (the error message promises it), a port from 1 to 65535 (the scheme's
// when none is given) and a target that starts with '/' and holds no fragment; the URL rebuilt from its
// parts (authority_of's host:port, the target) parses to the same parts, so the host and port are kept.
#include <odoosync/http/url.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"

using namespace odoosync::http;
using odoosync_fuzz::check;
using odoosync_fuzz::shown;

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_url(text);
  if (!parsed) {
    check(!parsed.error().message().empty(), "url.error_says_why");
    return 0;
  }
  const UrlParts u = parsed.value();
  check(u.scheme == "http" || u.scheme == "https", "url.scheme", [&] { return shown(text); });
  check(!u.host.empty() && u.host == lower(u.host), "url.host_lower", [&] { return shown(text); });
  for (unsigned char c : u.host) {
    check(c > 0x20 && c != 0x7F && c != '%' && c != '@',
          c < 0x20 || c == 0x7F ? "url.host_control_chars" : "url.host_chars",
          [&] { return shown(text) + " host " + shown(u.host); });
  }
  check(u.port != 0, "url.port", [&] { return shown(text); });
  check(!u.target.empty() && u.target.front() == '/' && u.target.find('#') == std::string::npos, "url.target",
        [&] { return shown(text) + " target " + shown(u.target); });
  // The scheme's default port when the text gives none.
  const auto scheme_end = text.find("://");
  const std::string_view rest = text.substr(scheme_end + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  const bool explicit_port = authority.back() != ']' && authority.rfind(':') != std::string_view::npos;
  if (!explicit_port) {
    check(u.port == (u.scheme == "https" ? 443 : 80), "url.default_port", [&] { return shown(text); });
  }

  const std::string rebuilt = u.scheme + "://" + authority_of(u) + u.target;
  auto again = parse_url(rebuilt);
  check(again && again.value().scheme == u.scheme && again.value().host == u.host && again.value().port == u.port &&
            again.value().target == u.target,
        // A host with '[' or ']' outside an IPv6 literal ("0]:x" from "http://0]:x:/") is its own case.
        u.host.find_first_of("[]") != std::string::npos ? "url.host_brackets" : "url.round_trip", [&] {
          return shown(text) + " rebuilt as " + shown(rebuilt) +
                 (again ? " gives host " + shown(again.value().host) + " port " + std::to_string(again.value().port)
                        : " which is refused: " + again.error().message());
        });
  return 0;
}
