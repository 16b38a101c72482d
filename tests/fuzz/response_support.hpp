// What the two response targets share: the fuzzer's bytes as an HTTP response, and checks common to both.
//
// The input is "<status>[ <flags>]\n<Retry-After value>\n<body>": a status (200 if the first line does
// not start with one), flags 'd' (keep_debug) and a digit (the attempts the retry policy made), a
// Retry-After header when the second line is not empty, and the body. Without two line breaks the whole
// input is a body answered with 200. tests/fuzz/seeds.py writes recorded exchanges in this form.
#pragma once

#include <odoosync/core/error.hpp>
#include <odoosync/core/json.hpp>
#include <odoosync/http/request.hpp>
#include <odoosync/http/retry_after.hpp>

#include <charconv>
#include <chrono>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"

namespace odoosync_fuzz {

struct FuzzResponse {
  odoosync::http::Response response;
  bool keep_debug = false;
};

inline FuzzResponse response_of(std::string_view in) {
  FuzzResponse out;
  out.response.status = 200;
  const auto first = in.find('\n');
  const auto second = first == std::string_view::npos ? first : in.find('\n', first + 1);
  if (second == std::string_view::npos) {
    out.response.body = std::string(in);
    return out;
  }
  const std::string_view line = in.substr(0, first);
  int status = 0;
  auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), status);
  if (ec == std::errc{}) out.response.status = status;
  for (const char* c = p; c != line.data() + line.size(); ++c) {
    if (*c == 'd') out.keep_debug = true;
    if (*c >= '1' && *c <= '9') out.response.attempts = *c - '0';
  }
  const std::string_view retry_after = in.substr(first + 1, second - first - 1);
  if (!retry_after.empty()) out.response.headers.add("Retry-After", std::string(retry_after));
  out.response.body = std::string(in.substr(second + 1));
  return out;
}

// Checks every decoded error shares: it says why, it keeps the attempts, its Retry-After came from the
// header, and the helpers that read it do not choke on it.
inline void check_error_common(const odoosync::Error& e, const odoosync::http::Response& r, std::string_view who) {
  check(!e.message().empty(), std::string(who) + ".error_says_why", [&] { return e.to_string(); });
  if (r.attempts > 1) {
    check(e.attempts() == r.attempts, std::string(who) + ".attempts", [&] { return e.to_string(); });
  }
  if (e.retry_after()) {
    const auto h = r.header("Retry-After");
    check(h && odoosync::http::parse_retry_after(*h, std::chrono::system_clock::now()).has_value() &&
              e.retry_after()->count() >= 0,
          std::string(who) + ".retry_after_from_header", [&] { return e.to_string(); });
  }
  (void)e.to_string();
  (void)odoosync::classify(e);
  (void)e.retryable();
  (void)e.outcome_unknown();
}

inline std::string member_string(const odoosync::json::Value& obj, std::string_view key) {
  const auto* m = odoosync::json::find(obj, key);
  return m && m->IsString() ? std::string(odoosync::json::text(*m)) : std::string();
}

}  // namespace odoosync_fuzz
