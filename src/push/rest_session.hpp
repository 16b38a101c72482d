// RestSession (internal to src/push): one channel's HTTP exchanges for the REST-style push clients
// (WooCommerce, Square): pacing to a client-side request rate, waiting for a provider's announced budget
// (RateLimit-Remaining / RateLimit-Reset) before it refuses, honouring 429 + Retry-After within
// ChannelLimits::max_wait through the Clock, one secret refresh and resend on 401, and errors that name
// the channel and never carry a secret. Also the small helpers the two clients share: settings checks,
// percent-encoding, a content hash for idempotency keys.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/core/clock.hpp>
#include <odoosync/core/result.hpp>
#include <odoosync/core/secret.hpp>
#include <odoosync/http/transport.hpp>
#include <odoosync/push/channel_client.hpp>

namespace odoosync {
inline namespace v0 {
namespace push::detail {

// "channel 'eu-shop' (woocommerce)"
std::string channel_prefix(const ChannelEndpoint& endpoint, std::string_view provider);

// Refuses settings and secrets the provider does not know, naming the first one; checks the required
// secrets are there.
result<void> check_keys(const ChannelEndpoint& endpoint, std::string_view provider,
                        const std::set<std::string, std::less<>>& settings,
                        const std::set<std::string, std::less<>>& required_secrets);
// "true"/"false" (also 1/0, yes/no); absent: `fallback`. A validation error names the setting.
result<bool> bool_setting(const ChannelEndpoint& endpoint, std::string_view provider, std::string_view key,
                          bool fallback);
// A non-negative decimal ("2.5"); absent: `fallback`.
result<double> rate_setting(const ChannelEndpoint& endpoint, std::string_view provider, std::string_view key,
                            double fallback);
std::optional<std::string> text_setting(const ChannelEndpoint& endpoint, std::string_view key);

std::string percent_encode(std::string_view text);  // RFC 3986 unreserved kept, everything else %XX
std::string sha256_hex(std::string_view data);
// A whole non-negative number of units from a JSON number or a decimal string ("7", "7.00000"); a
// fraction that is not zero or a sign is refused (nothing).
std::optional<std::int64_t> whole_units(std::string_view decimal);

class RestSession {
 public:
  struct Options {
    std::string prefix;  // channel_prefix(...)
    std::shared_ptr<http::Transport> transport;
    Clock* clock = nullptr;
    std::chrono::milliseconds max_wait{30'000};
    double requests_per_second = 0;  // 0: no client-side pacing
    std::chrono::milliseconds timeout{0};
    // A 429 without Retry-After waits this long, then twice as long, ... (within max_wait).
    std::chrono::milliseconds first_backoff{1000};
  };
  explicit RestSession(Options options);

  // Sets the request's credentials; `refresh` true: read them again first (the last ones were refused).
  // Each secret value it uses is handed to `remember` so that errors can be scrubbed of it.
  using Authorize = std::function<result<void>(http::Request&, bool refresh)>;
  // Sends `request` (authorised by `authorize`): 401 refreshes once and resends once (still 401:
  // ErrorKind::auth); 429 waits Retry-After (or the backoff) while the call's waits stay within max_wait,
  // else ErrorKind::backpressure with retry_after. Any other status comes back as a response.
  result<http::Response> send(http::Request request, const Authorize& authorize, std::string_view what);

  void remember(const Secret& secret);
  std::string scrub(std::string text) const;  // every remembered secret replaced by [redacted]
  Error scrub(Error error) const;
  // "woocommerce answered HTTP 500 to POST products/batch: <body, bounded>" as an Error of kind http.
  Error status_error(const http::Response& response, std::string_view what, std::string_view detail) const;
  const std::string& prefix() const { return options_.prefix; }
  Clock& clock() const { return *options_.clock; }
  std::uint64_t waits() const { return waits_; }  // throttle waits so far (pacing, budget, 429)

 private:
  result<void> pace();  // backpressure when an announced budget resets beyond max_wait
  Options options_;
  Clock::time_point next_slot_{};
  std::optional<Clock::time_point> budget_until_{};
  std::vector<std::string> secrets_;
  std::uint64_t waits_ = 0;
};

}  // namespace push::detail
}  // namespace v0
}  // namespace odoosync
