// `serve --sync` pushing (serve_push.hpp).
#include "serve_push.hpp"

#include <odoosync/push/config.hpp>
#include <odoosync/push/pusher.hpp>
#include <odoosync/sync/outbound.hpp>

namespace cli {

namespace os = odoosync;

struct PushLoop::State {
  struct Channel {
    os::push::ChannelPush config;
    std::unique_ptr<os::push::Pusher> pusher;
    std::unique_ptr<os::sync::OutboundPuller> puller;
  };
  std::vector<Channel> channels;
  os::Logger logger;
  std::chrono::milliseconds interval;
  std::mutex mutex;
  std::condition_variable cv;
  bool woken = false, stopping = false;

  void pass() {
    for (auto& c : channels) {
      for (auto kind : {os::push::Kind::stock, os::push::Kind::price, os::push::Kind::fulfilment}) {
        if (!c.config.takes(kind)) continue;
        {
          std::lock_guard l(mutex);
          if (stopping) return;
        }
        const auto feed = os::push::feed_of(kind);
        auto pulled = c.puller->pull(feed);
        if (!pulled) {
          logger.log(os::LogLevel::warn, "push: pulling from Odoo failed",
                     {{"channel", c.config.channel},
                      {"feed", os::sync::to_string(feed)},
                      {"error", pulled.error().to_string()}});
          continue;  // what the outbox holds is still pushed below
        }
        auto run = c.pusher->run(kind);
        if (!run) {
          logger.log(
              os::LogLevel::error, "push: the channel refused us",
              {{"channel", c.config.channel}, {"kind", os::push::to_string(kind)}, {"error", run.error().to_string()}});
        }
      }
    }
  }
};

PushLoop::PushLoop(const std::vector<os::channels::ChannelConfig>& channels, os::sync::Store& store,
                   os::odoo::Client& client, os::Logger logger, os::MetricsSink* metrics,
                   std::chrono::milliseconds interval)
    : state_(std::make_unique<State>()) {
  state_->logger = logger;
  state_->interval = interval;
  for (const auto& c : channels) {
    if (!c.push) continue;
    auto cp = os::push::channel_push(c);
    if (!cp) {
      logger.log(os::LogLevel::warn, "push: channel left out",
                 {{"channel", c.name}, {"error", cp.error().to_string()}});
      continue;
    }
    auto client_made = os::push::make_channel_client(cp.value().provider, cp.value().endpoint);
    if (!client_made) {
      logger.log(os::LogLevel::warn, "push: channel left out",
                 {{"channel", c.name}, {"error", client_made.error().to_string()}});
      continue;
    }
    State::Channel ch;
    ch.config = cp.value();
    os::push::PusherOptions po;
    po.logger = logger;
    po.metrics = metrics;
    ch.pusher = std::make_unique<os::push::Pusher>(
        store, std::shared_ptr<os::push::ChannelClient>(std::move(client_made).value()), c.name, cp.value().mapping,
        po);
    ch.puller = std::make_unique<os::sync::OutboundPuller>(store, client, os::push::pull_options(cp.value()));
    for (auto kind : {os::push::Kind::stock, os::push::Kind::price, os::push::Kind::fulfilment}) {
      if (ch.config.takes(kind)) ch.puller->add_sink(os::push::feed_of(kind), *ch.pusher);
    }
    state_->channels.push_back(std::move(ch));
  }
  if (state_->channels.empty()) return;
  thread_ = std::thread([s = state_.get()] {
    for (;;) {
      s->pass();
      std::unique_lock l(s->mutex);
      s->cv.wait_for(l, s->interval, [&] { return s->woken || s->stopping; });
      if (s->stopping) return;
      s->woken = false;
    }
  });
}

PushLoop::~PushLoop() { stop(); }

std::size_t PushLoop::channels() const noexcept { return state_->channels.size(); }

void PushLoop::wake() {
  std::lock_guard l(state_->mutex);
  state_->woken = true;
  state_->cv.notify_all();
}

void PushLoop::stop() {
  {
    std::lock_guard l(state_->mutex);
    state_->stopping = true;
    state_->cv.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace cli
