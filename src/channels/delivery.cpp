// Header lines from a file (what `odoosync channel verify --headers` reads).
#include <odoosync/channels/delivery.hpp>

namespace odoosync {
inline namespace v0 {
namespace channels {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// RFC 9110 token characters.
bool token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

}  // namespace

result<http::Headers> parse_header_lines(std::string_view text) {
  http::Headers headers;
  std::size_t number = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty() || line.front() == '#') continue;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos)
      return Error::validation("header line " + std::to_string(number) + " has no colon (expected \"Name: value\")");
    const std::string_view name = line.substr(0, colon);
    bool valid = !name.empty();
    for (char c : name) valid = valid && token_char(c);
    if (!valid) return Error::validation("header line " + std::to_string(number) + " has an invalid header name");
    headers.add(std::string(name), std::string(trim(line.substr(colon + 1))));
  }
  return headers;
}

}  // namespace channels
}  // namespace v0
}  // namespace odoosync
