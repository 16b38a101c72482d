// The service mode's metrics endpoint (metrics_endpoint.hpp): ops::MetricsServer over the engine.
#include "metrics_endpoint.hpp"

#include <odoosync/ops/api_key_expiry.hpp>
#include <odoosync/ops/metrics_server.hpp>
#include <odoosync/ops/prometheus_text.hpp>
#include <odoosync/version.hpp>

#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>

namespace cli {

namespace os = odoosync;

struct MetricsEndpoint::State {
  os::sync::Engine& engine;
  std::shared_ptr<os::InMemoryMetrics> sink;
  os::odoo::Client* key_client = nullptr;
  std::unique_ptr<os::ops::MetricsServer> server;

  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  os::CancellationToken cancel;
  std::optional<std::chrono::system_clock::time_point> key_expiry;
  std::thread key_watch;

  State(os::sync::Engine& e, std::shared_ptr<os::InMemoryMetrics> s, os::odoo::Client* c)
      : engine(e), sink(std::move(s)), key_client(c) {}

  std::string text() {
    std::string out = engine.prometheus();
    if (sink) out += os::ops::prometheus_text(*sink);
    std::optional<std::chrono::system_clock::time_point> expiry;
    {
      std::lock_guard lock(mutex);
      expiry = key_expiry;
    }
    out += os::ops::api_key_expiry_gauge(expiry, std::chrono::system_clock::now());
    out += fmt::format(
        "# HELP odoosync_build_info The odoosync version serving these metrics.\n"
        "# TYPE odoosync_build_info gauge\nodoosync_build_info{{version=\"{}\"}} 1\n",
        os::library_version());
    return out;
  }

  // At once, then hourly: a key's expiry changes only when it is rotated. A failure keeps what was read.
  void watch_key() {
    bool said = false;
    std::unique_lock lock(mutex);
    while (!stopping) {
      lock.unlock();
      os::odoo::CallOptions co;
      co.cancel = cancel;  // stop() does not wait for an Odoo that does not answer
      co.deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
      auto expiry = os::ops::api_key_expiry(*key_client, co);
      lock.lock();
      if (expiry) {
        key_expiry = expiry.value();
      } else if (!said) {
        said = true;
        std::fprintf(stderr,
                     "odoosync: cannot read the API key's expiry (odoosync_api_key_expiry_seconds is left out): %s\n",
                     expiry.error().message().c_str());
      }
      wake.wait_for(lock, std::chrono::hours{1}, [&] { return stopping; });
    }
  }
};

MetricsEndpoint::MetricsEndpoint(std::unique_ptr<State> state) : state_(std::move(state)) {}

MetricsEndpoint::~MetricsEndpoint() {
  state_->server->stop();
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->cancel.cancel();
  state_->wake.notify_all();
  if (state_->key_watch.joinable()) state_->key_watch.join();
}

os::result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::start(const std::string& listen, os::sync::Engine& engine,
                                                                    std::shared_ptr<os::InMemoryMetrics> sink,
                                                                    os::odoo::Client* key_client,
                                                                    os::ops::Pages pages) {
  auto state = std::make_unique<State>(engine, std::move(sink), key_client);
  auto* s = state.get();
  os::ops::MetricsServerOptions o;
  o.listen = listen;
  o.pages = std::move(pages);
  o.metrics = [s] { return s->text(); };
  o.health = [s]() -> os::result<void> {
    auto depth = s->engine.store().depth();
    if (!depth) return std::move(depth).error();
    return os::success();
  };
  auto server = os::ops::MetricsServer::start(std::move(o));
  if (!server) return std::move(server).error();
  state->server = std::move(server).value();
  if (key_client) state->key_watch = std::thread([s] { s->watch_key(); });
  return std::unique_ptr<MetricsEndpoint>(new MetricsEndpoint(std::move(state)));
}

std::string MetricsEndpoint::address() const { return state_->server->address(); }

}  // namespace cli
