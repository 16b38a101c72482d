// `serve --sync` pushing: a thread that, for every channel with a "push" block, pulls its feeds from Odoo
// into its outbox and pushes them, every interval and soon after Odoo's webhook says records changed
// (docs/push.md, "serve --sync").
#pragma once

#include <odoosync/channels/config.hpp>
#include <odoosync/core/log.hpp>
#include <odoosync/core/metrics.hpp>
#include <odoosync/odoo/client.hpp>
#include <odoosync/sync/store.hpp>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace cli {

class PushLoop {
 public:
  // Channels whose client cannot be made (a provider not built, a bad setting) are logged and left out.
  PushLoop(const std::vector<odoosync::channels::ChannelConfig>& channels, odoosync::sync::Store& store,
           odoosync::odoo::Client& client, odoosync::Logger logger, odoosync::MetricsSink* metrics,
           std::chrono::milliseconds interval);
  ~PushLoop();
  PushLoop(const PushLoop&) = delete;
  PushLoop& operator=(const PushLoop&) = delete;

  std::size_t channels() const noexcept;
  void wake();  // Odoo said records changed: a pass soon (debounced to one pending wake-up)
  void stop();  // ends after the channel in progress

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::thread thread_;
};

}  // namespace cli
