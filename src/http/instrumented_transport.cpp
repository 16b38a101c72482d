// InstrumentedTransport: one log record and two metric updates per exchange, none with a secret.
#include <odoosync/http/instrumented_transport.hpp>

#include <chrono>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {
namespace http {

InstrumentedTransport::InstrumentedTransport(std::shared_ptr<Transport> next, Logger logger,
                                             std::shared_ptr<MetricsSink> metrics)
    : next_(std::move(next)), logger_(std::move(logger)), metrics_(std::move(metrics)) {}

namespace {
// The query string may carry tokens; logs get the path only.
std::string_view without_query(std::string_view url) {
  auto q = url.find_first_of("?#");
  return q == std::string_view::npos ? url : url.substr(0, q);
}

std::string allowed_headers(const Headers& headers) {
  std::string out;
  for (const auto& [name, value] : headers) {
    if (!Headers::loggable(name)) continue;
    if (!out.empty()) out += "; ";
    out += name;
    out += ": ";
    out += value;
  }
  return out;
}
}  // namespace

result<Response> InstrumentedTransport::send(const Request& request) {
  const auto t0 = std::chrono::steady_clock::now();
  auto r = next_->send(request);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string_view method = to_string(request.method);

  std::string status =
      r ? std::to_string(r.value().status)
        : fmt::format("error:{}", r.error().kind() == ErrorKind::transport ? to_string(r.error().transport_failure())
                                                                           : to_string(r.error().kind()));
  if (metrics_) {
    const MetricLabel count_labels[] = {{"method", method}, {"status", status}};
    metrics_->increment("odoosync_http_requests_total", count_labels);
    const MetricLabel time_labels[] = {{"method", method}};
    metrics_->observe("odoosync_http_request_seconds", time_labels, secs);
  }
  if (r) {
    const LogLevel level = r.value().status >= 500 ? LogLevel::warn : LogLevel::debug;
    if (logger_.enabled(level)) {
      logger_.log(level, "http exchange",
                  {{"method", method},
                   {"url", without_query(request.url)},
                   {"status", r.value().status},
                   {"attempts", r.value().attempts},
                   {"seconds", secs},
                   {"correlation_id", request.correlation_id},
                   {"request_headers", allowed_headers(request.headers)},
                   {"response_headers", allowed_headers(r.value().headers)}});
    }
  } else if (logger_.enabled(LogLevel::warn)) {
    logger_.log(LogLevel::warn, "http exchange failed",
                {{"method", method},
                 {"url", without_query(request.url)},
                 {"error", r.error().to_string()},
                 {"outcome_unknown", r.error().outcome_unknown()},
                 {"seconds", secs},
                 {"correlation_id", request.correlation_id},
                 {"request_headers", allowed_headers(request.headers)}});
  }
  return r;
}

}  // namespace http
}  // namespace v0
}  // namespace odoosync
