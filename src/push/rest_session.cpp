#include "rest_session.hpp"

#include <odoosync/channels/crypto.hpp>
#include <odoosync/http/retry_after.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace odoosync {
inline namespace v0 {
namespace push::detail {

std::string channel_prefix(const ChannelEndpoint& endpoint, std::string_view provider) {
  return "channel '" + endpoint.channel + "' (" + std::string(provider) + ")";
}

result<void> check_keys(const ChannelEndpoint& endpoint, std::string_view provider,
                        const std::set<std::string, std::less<>>& settings,
                        const std::set<std::string, std::less<>>& required_secrets) {
  const std::string p = channel_prefix(endpoint, provider);
  for (const auto& [key, value] : endpoint.settings) {
    if (!settings.count(key)) {
      std::string known;
      for (const auto& s : settings) known += (known.empty() ? "" : ", ") + s;
      return Error::validation(p + ": unknown setting '" + key + "' (known: " + known + ")");
    }
  }
  for (const auto& [key, source] : endpoint.secrets) {
    if (!required_secrets.count(key)) return Error::validation(p + ": unknown secret '" + key + "'");
    if (!source) return Error::validation(p + ": secret '" + key + "' has no source");
  }
  for (const auto& key : required_secrets) {
    if (!endpoint.secrets.count(key)) return Error::validation(p + ": missing secret '" + key + "'");
  }
  return success();
}

std::optional<std::string> text_setting(const ChannelEndpoint& endpoint, std::string_view key) {
  auto it = endpoint.settings.find(key);
  if (it == endpoint.settings.end()) return std::nullopt;
  return it->second;
}

result<bool> bool_setting(const ChannelEndpoint& endpoint, std::string_view provider, std::string_view key,
                          bool fallback) {
  auto v = text_setting(endpoint, key);
  if (!v) return fallback;
  if (*v == "true" || *v == "1" || *v == "yes") return true;
  if (*v == "false" || *v == "0" || *v == "no") return false;
  return Error::validation(channel_prefix(endpoint, provider) + ": setting '" + std::string(key) +
                           "' must be true or false");
}

result<double> rate_setting(const ChannelEndpoint& endpoint, std::string_view provider, std::string_view key,
                            double fallback) {
  auto v = text_setting(endpoint, key);
  if (!v) return fallback;
  double d = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), d);
  if (ec != std::errc() || ptr != v->data() + v->size() || !std::isfinite(d) || d < 0 || d > 100000) {
    return Error::validation(channel_prefix(endpoint, provider) + ": setting '" + std::string(key) +
                             "' must be a number of requests per second between 0 and 100000");
  }
  return d;
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string sha256_hex(std::string_view data) { return channels::crypto::hex_encode(channels::crypto::sha256(data)); }

std::optional<std::int64_t> whole_units(std::string_view d) {
  if (d.empty() || d.size() > 40) return std::nullopt;
  auto dot = d.find('.');
  std::string_view whole = d.substr(0, dot);
  if (dot != std::string_view::npos) {
    std::string_view frac = d.substr(dot + 1);
    if (frac.empty() || frac.find_first_not_of('0') != std::string_view::npos) return std::nullopt;
  }
  if (whole.empty() || whole.size() > 18 || whole.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  std::int64_t v = 0;
  std::from_chars(whole.data(), whole.data() + whole.size(), v);
  return v;
}

RestSession::RestSession(Options options) : options_(std::move(options)) {
  if (!options_.clock) options_.clock = &Clock::system();
}

void RestSession::remember(const Secret& secret) {
  std::string v(secret.reveal());
  if (v.size() < 4) return;
  if (std::find(secrets_.begin(), secrets_.end(), v) == secrets_.end()) secrets_.push_back(std::move(v));
}

std::string RestSession::scrub(std::string text) const {
  for (const auto& s : secrets_) {
    for (auto pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos)) {
      text.replace(pos, s.size(), Secret::redacted);
      pos += Secret::redacted.size();
    }
  }
  return text;
}

Error RestSession::scrub(Error error) const {
  for (const auto& s : secrets_) error.redact(s);
  return error;
}

Error RestSession::status_error(const http::Response& response, std::string_view what, std::string_view detail) const {
  std::string body = Error::bounded(response.body, 600);
  std::string msg = options_.prefix + ": HTTP " + std::to_string(response.status) + " to " + std::string(what);
  if (!detail.empty())
    msg += ": " + std::string(detail);
  else if (!body.empty())
    msg += ": " + body;
  Error e = Error::http_status(response.status, scrub(std::move(msg)));
  if (auto ra = response.header("Retry-After")) {
    if (auto d = http::parse_retry_after(*ra, options_.clock->wall_now())) e.with_retry_after(*d);
  }
  return e;
}

result<void> RestSession::pace() {
  Clock& clock = *options_.clock;
  auto now = clock.now();
  Clock::time_point at = now;
  if (budget_until_ && *budget_until_ > at) {
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*budget_until_ - now);
    if (wait > options_.max_wait) {
      // Not spent now: the Pusher comes back after it (the budget stays known until then).
      Error e(ErrorKind::backpressure, options_.prefix +
                                           ": the provider's announced request budget is spent "
                                           "for longer than max_wait");
      return e.with_retry_after(wait);
    }
    at = *budget_until_;
  }
  budget_until_.reset();
  if (options_.requests_per_second > 0 && next_slot_ > at) at = next_slot_;
  if (at > now) {
    ++waits_;
    clock.sleep_for(at - now);
  }
  if (options_.requests_per_second > 0) {
    auto interval =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / options_.requests_per_second));
    next_slot_ = std::max(at, next_slot_) + interval;
  }
  return success();
}

result<http::Response> RestSession::send(http::Request request, const Authorize& authorize, std::string_view what) {
  Clock& clock = *options_.clock;
  if (options_.timeout.count() > 0) request.timeout = options_.timeout;
  bool refreshed = false;
  auto waited = std::chrono::milliseconds{0};
  auto backoff = options_.first_backoff;
  for (;;) {
    if (auto a = authorize(request, false); !a) return a.error().with_message_prefix(options_.prefix);
    if (auto paced = pace(); !paced) return paced.error();
    auto sent = options_.transport->send(request);
    if (!sent) return scrub(std::move(sent).error()).with_message_prefix(options_.prefix + " " + std::string(what));
    http::Response res = std::move(sent).value();
    // A provider's announced budget (IETF RateLimit fields, as WooCommerce's Store API and its hosts send):
    // none left means the next request waits for the reset instead of being refused.
    if (auto remaining = res.header("RateLimit-Remaining"); remaining && *remaining == "0") {
      if (auto reset = res.header("RateLimit-Reset")) {
        std::int64_t secs = 0;
        auto [p, ec] = std::from_chars(reset->data(), reset->data() + reset->size(), secs);
        if (ec == std::errc() && secs >= 0 && secs < 3600) {
          budget_until_ = clock.now() + std::chrono::seconds(secs);
        }
      }
    }
    if (res.status == 401 && !refreshed) {
      refreshed = true;
      if (auto a = authorize(request, true); !a) return a.error().with_message_prefix(options_.prefix);
      continue;
    }
    if (res.status == 401) {
      Error e(ErrorKind::auth,
              scrub(options_.prefix + ": the credentials were refused (HTTP 401) to " + std::string(what) +
                    ", also after reading them again: " + Error::bounded(res.body, 300)));
      return e.with_http_status(401);
    }
    if (res.status == 429) {
      std::chrono::milliseconds wait = backoff;
      if (auto ra = res.header("Retry-After")) {
        if (auto d = http::parse_retry_after(*ra, clock.wall_now())) wait = *d;
      } else {
        backoff *= 2;
      }
      if (waited + wait <= options_.max_wait) {
        waited += wait;
        ++waits_;
        clock.sleep_for(wait);
        continue;
      }
      Error e(ErrorKind::backpressure, options_.prefix + ": throttled (HTTP 429) on " + std::string(what) +
                                           "; the wait asked for is beyond max_wait");
      return e.with_http_status(429).with_retry_after(wait);
    }
    return res;
  }
}

}  // namespace push::detail
}  // namespace v0
}  // namespace odoosync
