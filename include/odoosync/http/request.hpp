// Request and Response: one HTTP exchange as every Transport sees it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <odoosync/core/cancellation.hpp>
#include <odoosync/core/clock.hpp>
#include <odoosync/http/headers.hpp>

namespace odoosync {
inline namespace v0 {
namespace http {

enum class Method : std::uint8_t { get, post, put, patch, del, head };
std::string_view to_string(Method m) noexcept;

struct Request {
  Method method = Method::post;
  std::string url{};
  Headers headers{};
  std::string body{};

  // Sending it twice has the same effect as once. Only idempotent requests are retried when the
  // outcome is unknown (reset or timeout after sending) or on 429/502/503/504.
  bool idempotent = false;
  // The whole call, retries and waits included, ends by then (steady clock).
  std::optional<Clock::time_point> deadline{};
  // Per-attempt limit; zero means the transport's default.
  std::chrono::milliseconds timeout{0};
  // Carried into errors, logs and the X-Correlation-Id header.
  std::string correlation_id{};
  std::optional<CancellationToken> cancel{};
};

struct Response {
  int status = 0;
  Headers headers{};
  std::string body{};
  int attempts = 1;                      // set by RetryTransport
  std::chrono::microseconds elapsed{0};  // of the last attempt

  std::optional<std::string_view> header(std::string_view name) const { return headers.get(name); }
};

}  // namespace http
}  // namespace v0
}  // namespace odoosync
