// InstrumentedTransport: logs each exchange (method, URL without its query, status, attempts, time,
// correlation id and allow-listed headers only) and reports request counts and latencies as metrics.
#pragma once

#include <memory>

#include <odoosync/core/log.hpp>
#include <odoosync/core/metrics.hpp>
#include <odoosync/http/transport.hpp>

namespace odoosync {
inline namespace v0 {
namespace http {

class InstrumentedTransport final : public Transport {
 public:
  // Metrics: odoosync_http_requests_total{method,status} (status "error:<failure>" when none came
  // back) and odoosync_http_request_seconds{method} observations. Either sink may be null.
  InstrumentedTransport(std::shared_ptr<Transport> next, Logger logger, std::shared_ptr<MetricsSink> metrics);
  result<Response> send(const Request& request) override;

 private:
  std::shared_ptr<Transport> next_;
  Logger logger_;
  std::shared_ptr<MetricsSink> metrics_;
};

}  // namespace http
}  // namespace v0
}  // namespace odoosync
