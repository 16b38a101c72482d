// odoo_version: asks an Odoo server which version it runs, through the full HTTP stack a sync
// client uses (curl, rate limit, circuit breaker, retry, logs and metrics). Usage:
//   odoo_version [URL]        (default: $ODOO_URL, else http://127.0.0.1:8069)
// Prints the version on stdout, one JSON log line per HTTP exchange on stderr; exit code 0 on
// success, 1 when the server could not be asked, 2 when its answer made no sense.
#include <odoosync/core/json.hpp>
#include <odoosync/odoosync.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace os = odoosync;
using namespace std::chrono_literals;

int main(int argc, char** argv) {
  std::string url = argc > 1 ? argv[1] : (std::getenv("ODOO_URL") ? std::getenv("ODOO_URL") : "http://127.0.0.1:8069");
  while (!url.empty() && url.back() == '/') url.pop_back();

  // One options struct says which policies the stack has; make_pipeline stacks them in the documented
  // order (each attempt takes a rate-limit token and is judged by the breaker; retry outside both; the
  // instrumentation sees the whole call).
  auto metrics = std::make_shared<os::InMemoryMetrics>();
  auto breaker = std::make_shared<os::http::CircuitBreaker>();  // kept here to print its state
  auto sink = std::make_shared<os::JsonLinesSink>(stderr, os::LogLevel::debug);
  auto t = os::http::make_pipeline(os::http::CurlOptions{.connect_timeout = 5s, .timeout = 30s},
                                   {.retry = os::http::RetryPolicy{.max_attempts = 5},
                                    .shared_breaker = breaker,
                                    .rate_limit = os::http::RateLimit{.per_second = 20, .burst = 5},
                                    .logger = os::Logger(sink),
                                    .metrics = metrics});
  if (!t) {
    std::fprintf(stderr, "odoo_version: %s\n", t.error().to_string().c_str());
    return 1;
  }

  os::json::Writer body;
  body.begin_object()
      .member("jsonrpc", std::string_view("2.0"))
      .member("method", std::string_view("call"))
      .key("params")
      .begin_object()
      .end_object()
      .member("id", std::int64_t{1})
      .end_object();
  os::http::Request req;
  req.url = url + "/web/webclient/version_info";
  req.body = std::string(body.view().value());
  req.idempotent = true;  // a read: safe to send again
  req.correlation_id = "odoo-version-1";
  req.deadline = os::Clock::system().now() + 60s;

  auto r = t.value()->send(req);
  if (!r) {
    std::fprintf(stderr, "odoo_version: could not ask %s: %s\n", url.c_str(), r.error().to_string().c_str());
    return 1;
  }
  if (r.value().status != 200) {
    std::fprintf(stderr, "odoo_version: %s answered HTTP %d after %d attempts\n", url.c_str(), r.value().status,
                 r.value().attempts);
    return 1;
  }
  auto doc = os::json::parse(r.value().body);
  if (!doc) {
    std::fprintf(stderr, "odoo_version: %s\n", doc.error().to_string().c_str());
    return 2;
  }
  const auto* result = os::json::find(doc.value(), "result");
  const auto* version = result ? os::json::find(*result, "server_version") : nullptr;
  if (!version || !version->IsString()) {
    std::fprintf(stderr, "odoo_version: the answer has no result.server_version: %s\n",
                 os::json::to_string(doc.value()).substr(0, 200).c_str());
    return 2;
  }
  const auto* protocol = os::json::find(*result, "protocol_version");
  std::printf("Odoo %s (protocol %d) at %s: answered after %d attempt(s); circuit %s\n", version->GetString(),
              protocol && protocol->IsInt() ? protocol->GetInt() : 0, url.c_str(), r.value().attempts,
              std::string(os::http::to_string(breaker->state())).c_str());
  for (const auto& s : metrics->series()) std::printf("  metric %s\n", s.c_str());
  return 0;
}
