// `odoosync sync run --metrics-listen HOST:PORT`: while the engine runs, GET /metrics serves what the
// running engine knows (Engine::prometheus(): its counters since it started, the store's queue gauges,
// the breaker) with the client's request counts and latencies, the API key's expiry and the tool's
// version; GET /healthz answers 200 while the store answers; `pages` (the status page) beside them.
// docs/operations.md.
#pragma once

#include <odoosync/core/metrics.hpp>
#include <odoosync/core/result.hpp>
#include <odoosync/odoo/client.hpp>
#include <odoosync/ops/page.hpp>
#include <odoosync/sync/engine.hpp>

#include <memory>
#include <string>

namespace cli {

class MetricsEndpoint {
 public:
  // Listens before it returns. `key_client`, when set, is asked for its API key's expiry at once and
  // then hourly (odoosync_api_key_expiry_seconds); a failed read is said once on stderr.
  static odoosync::result<std::unique_ptr<MetricsEndpoint>> start(const std::string& listen,
                                                                  odoosync::sync::Engine& engine,
                                                                  std::shared_ptr<odoosync::InMemoryMetrics> sink,
                                                                  odoosync::odoo::Client* key_client,
                                                                  odoosync::ops::Pages pages = {});
  ~MetricsEndpoint();  // stops the server, then the key watch
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  std::string address() const;

  struct State;

 private:
  explicit MetricsEndpoint(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace cli
