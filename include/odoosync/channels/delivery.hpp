// Delivery: one webhook (or queue message) exactly as it arrived, before anything reads it. Signatures
// are over the raw bytes, so the body is kept as received and never parsed and re-serialised first.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <odoosync/core/result.hpp>
#include <odoosync/http/headers.hpp>

namespace odoosync {
inline namespace v0 {
namespace channels {

struct Delivery {
  std::string body;       // the raw bytes of the request body
  http::Headers headers;  // looked up case-insensitively
  // The full URL it was posted to (scheme, host, path, query): Square signs it, Shippo and Odoo carry
  // their token in it; for Amazon, the SQS queue the host read the message from.
  std::string url;
  // When it arrived: the "now" of every time check (Stripe's tolerance, PayPal's certificate validity),
  // so a verifier has no clock of its own and an old delivery can be checked by hand (`--now`).
  std::chrono::system_clock::time_point received_at = std::chrono::system_clock::now();
};

// Header lines as a file holds them: "Name: value", one per line (LF or CRLF). Blank lines and lines
// starting with '#' are skipped; the value is trimmed of surrounding spaces and tabs. A line without a
// colon, or with an empty or invalid name, is a validation error naming its line number (not its text:
// it may hold a signature).
result<http::Headers> parse_header_lines(std::string_view text);

}  // namespace channels
}  // namespace v0
}  // namespace odoosync
