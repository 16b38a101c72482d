// `odoosync push ...` (docs/push.md, "Command line").
#include "push_commands.hpp"

#include "common.hpp"

#include <odoosync/channels/config.hpp>
#include <odoosync/push/config.hpp>
#include <odoosync/push/pusher.hpp>
#include <odoosync/sync/open_store.hpp>
#include <odoosync/sync/outbound.hpp>

#include <cstdio>
#include <cstdlib>

namespace cli {

namespace {

namespace push = os::push;
namespace oss = os::sync;

std::string location_of(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("ODOOSYNC_STORE"); env && *env) return env;
  return "odoosync.db";
}

os::result<push::ChannelPush> channel_of(const PushArgs& a) {
  if (a.config.empty()) return os::Error::validation("push: --config FILE is required (the channels configuration)");
  auto channels = os::channels::load_channels_config(a.config);
  if (!channels) return channels.error();
  for (const auto& c : channels.value()) {
    if (c.name == a.channel) return push::channel_push(c);
  }
  return os::Error::validation("push: no channel '" + a.channel + "' in " + a.config);
}

void print_counts(const char* what, const push::PushCounts& c) {
  std::printf("%s: applied %llu, unchanged %llu, stale %llu, not listed %llu, retried %llu, dead %llu, calls %llu\n",
              what, static_cast<unsigned long long>(c.applied), static_cast<unsigned long long>(c.unchanged),
              static_cast<unsigned long long>(c.stale), static_cast<unsigned long long>(c.not_listed),
              static_cast<unsigned long long>(c.retried), static_cast<unsigned long long>(c.dead),
              static_cast<unsigned long long>(c.calls));
}

}  // namespace

void add_push_commands(CLI::App& app, PushArgs& a) {
  a.push = app.add_subcommand("push", "push Odoo's stock, prices and deliveries to a channel (docs/push.md)");
  a.push->require_subcommand(1);
  auto common = [&](CLI::App* c) {
    c->add_option("--channel", a.channel, "the channel's name in the configuration")->required();
  };
  auto feed = [&](const char* name, const char* help) {
    auto* c = a.push->add_subcommand(name, help);
    common(c);
    c->add_option("--config", a.config, "the configuration file whose channel has a \"push\" block")->required();
    c->add_flag("--until-idle", a.until_idle, "also wait for items in backoff (up to --max-wait)");
    c->add_option("--max-wait", a.max_wait_s, "seconds --until-idle waits for retries (default 60)");
    return c;
  };
  a.stock = feed("stock", "pull Odoo's stock counts into the channel's outbox, then push the levels");
  a.prices = feed("prices", "pull Odoo's list prices into the channel's outbox, then push them");
  a.fulfilments = feed("fulfilments", "pull Odoo's done deliveries of the channel's orders, then fulfil them");
  a.dead_letters = a.push->add_subcommand("dead-letters", "the channel's dead letters (items the channel refused)");
  common(a.dead_letters);
  a.dead_letters->add_option("--limit", a.limit, "at most this many (default 50)");
  a.replay = a.push->add_subcommand("replay", "push a dead letter again");
  common(a.replay);
  a.replay->add_option("--kind", a.kind, "stock (default), prices or fulfilments");
  a.replay->add_option("key", a.key, "the item's key, as dead-letters prints it")->required();
}

bool push_needs_odoo(const PushArgs& a) {
  return a.push && (a.stock->parsed() || a.prices->parsed() || a.fulfilments->parsed());
}

std::optional<int> run_push_offline(PushArgs& a, const std::string& store_flag, const std::string& password_file) {
  if (push_needs_odoo(a)) {
    // The configuration and the channel's client are checked before Odoo is asked anything.
    auto cp = channel_of(a);
    if (!cp) return report(cp.error());
    const push::Kind kind = a.stock->parsed()    ? push::Kind::stock
                            : a.prices->parsed() ? push::Kind::price
                                                 : push::Kind::fulfilment;
    if (!cp.value().takes(kind)) {
      return report(os::Error::validation("push: channel '" + a.channel + "' does not take " +
                                          std::string(push::to_string(kind)) + " (its \"feeds\")"));
    }
    auto made = push::make_channel_client(cp.value().provider, cp.value().endpoint);
    if (!made) return report(made.error());
    return std::nullopt;
  }
  if (!a.push || !(a.dead_letters->parsed() || a.replay->parsed())) return std::nullopt;
  auto store = oss::open_store({.location = location_of(store_flag), .password_file = password_file});
  if (!store) return report(store.error());
  auto& s = *store.value();
  const auto now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  if (a.replay->parsed()) {
    auto kind = push::parse_kind(a.kind);
    if (!kind) return report(std::move(kind.error()).with_message_prefix("--kind"));
    auto r = s.outbox_replay(a.channel, push::to_string(kind.value()), a.key, now);
    if (!r) return report(r.error());
    std::printf("%s %s of %s: pending again\n", std::string(push::to_string(kind.value())).c_str(), a.key.c_str(),
                a.channel.c_str());
    return ok;
  }
  oss::OutboxQuery q;
  q.channel = a.channel;
  q.status = oss::OutboxStatus::dead;
  q.limit = a.limit;
  auto dead = s.outbox_list(q);
  if (!dead) return report(dead.error());
  if (a.as_json) {
    os::json::Writer w;
    w.begin_array();
    for (const auto& it : dead.value()) {
      w.begin_object().member("kind", it.kind).member("key", it.key).member("error", it.error);
      w.member("attempts", std::int64_t{it.attempts}).member("updated_ms", it.updated_ms).end_object();
    }
    w.end_array();
    std::printf("%.*s\n", static_cast<int>(w.unchecked_view().size()), w.unchecked_view().data());
    return ok;
  }
  if (dead.value().empty()) std::printf("no dead letters for %s\n", a.channel.c_str());
  for (const auto& it : dead.value()) {
    std::printf("%-10s %-40s %s\n", it.kind.c_str(), it.key.c_str(), it.error.c_str());
  }
  return ok;
}

std::optional<int> run_push_online(PushArgs& a, os::odoo::Client& client, const std::string& store_flag,
                                   const std::string& password_file) {
  if (!push_needs_odoo(a)) return std::nullopt;
  const push::Kind kind = a.stock->parsed()    ? push::Kind::stock
                          : a.prices->parsed() ? push::Kind::price
                                               : push::Kind::fulfilment;
  auto cp = channel_of(a);
  if (!cp) return report(cp.error());
  if (!cp.value().takes(kind)) {
    return report(os::Error::validation("push: channel '" + a.channel + "' does not take " +
                                        std::string(push::to_string(kind)) + " (its \"feeds\")"));
  }
  auto channel_client = push::make_channel_client(cp.value().provider, cp.value().endpoint);
  if (!channel_client) return report(channel_client.error());
  auto store = oss::open_store({.location = location_of(store_flag), .password_file = password_file});
  if (!store) return report(store.error());
  push::PusherOptions po;
  po.logger = os::Logger(std::make_shared<os::JsonLinesSink>(stderr, os::LogLevel::warn));
  push::Pusher pusher(*store.value(), std::shared_ptr<push::ChannelClient>(std::move(channel_client).value()),
                      a.channel, cp.value().mapping, po);
  oss::OutboundPuller puller(*store.value(), client, push::pull_options(cp.value()));
  const oss::Feed feed = push::feed_of(kind);
  puller.add_sink(feed, pusher);
  auto pulled = puller.pull(feed);
  if (!pulled) return report(pulled.error());
  std::printf("pulled %zu changes of %s from Odoo into %s's outbox\n", pulled.value(),
              std::string(oss::to_string(feed)).c_str(), a.channel.c_str());
  push::RunOptions ro;
  if (a.until_idle) ro.wait_for_retries = std::chrono::milliseconds{static_cast<std::int64_t>(a.max_wait_s * 1000)};
  auto run = pusher.run(kind, ro);
  if (!run) return report(run.error());
  print_counts("pushed", run.value().counts);
  std::printf("left: %llu pending, %llu dead letters\n", static_cast<unsigned long long>(run.value().pending),
              static_cast<unsigned long long>(run.value().dead));
  if (!run.value().last_error.empty()) std::printf("last failure: %s\n", run.value().last_error.c_str());
  // Not everything reached the channel: 1 (dead letters, or retries still pending).
  return run.value().pending > 0 || run.value().dead > 0 ? failure : ok;
}

}  // namespace cli
