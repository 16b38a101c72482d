// Absolute http(s) URL parsing for transports and per-host policies.
#include <odoosync/http/url.hpp>

#include <charconv>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {
namespace http {

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}
}  // namespace

result<UrlParts> parse_url(std::string_view url) {
  auto bad = [&](std::string_view why) {
    // The URL is shown only up to its host: anything after could be a token in a query string.
    return Error::validation(fmt::format("invalid URL: {}", why));
  };
  UrlParts out;
  auto sep = url.find("://");
  if (sep == std::string_view::npos) return bad("missing scheme (expected http:// or https://)");
  out.scheme = lower(url.substr(0, sep));
  if (out.scheme != "http" && out.scheme != "https") {
    return bad(fmt::format("unsupported scheme '{}' (expected http or https)", out.scheme.substr(0, 16)));
  }
  std::string_view rest = url.substr(sep + 3);
  auto path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  std::string_view target = path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
  if (target.empty() || target.front() != '/') out.target.push_back('/');  // "?q" becomes "/?q"
  out.target.append(target);
  if (auto hash = out.target.find('#'); hash != std::string::npos) out.target.resize(hash);
  if (authority.find('@') != std::string_view::npos) {
    return bad("credentials in the URL are refused; pass them in the configuration instead");
  }
  if (authority.empty()) return bad("missing host");
  std::string_view host = authority;
  std::string_view port;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 address");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("unexpected text after IPv6 address");
      port = after.substr(1);
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return bad("missing host");
  for (char c : host) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '%') return bad("host contains a space, control character or '%'");
    // Brackets belong around an IPv6 address only ("http://]::" once gave the host "]:").
    if (c == '[' || c == ']') return bad("host contains '[' or ']' outside an IPv6 address");
  }
  out.host = lower(host);
  if (!port.empty()) {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || p != port.data() + port.size() || value == 0 || value > 65535) {
      return bad(fmt::format("port '{}' is not a number from 1 to 65535", port.substr(0, 8)));
    }
    out.port = static_cast<std::uint16_t>(value);
  } else {
    out.port = out.scheme == "https" ? 443 : 80;
  }
  return out;
}

std::string authority_of(const UrlParts& url) {
  if (url.host.find(':') != std::string::npos) return fmt::format("[{}]:{}", url.host, url.port);
  return fmt::format("{}:{}", url.host, url.port);
}

}  // namespace http
}  // namespace v0
}  // namespace odoosync
