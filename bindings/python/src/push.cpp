// Pushing to channels from Python (docs/push.md, docs/python.md "Pushing to channels"): a channel's client
// (push::ChannelClient, made by push::make_channel_client) for hosts that push themselves, and the
// Pusher (outbox intake, pulls from Odoo through an OutboundPuller, rounds, dead letters, replay,
// status). odoosync/push.py wraps both: it turns Level, Price and Fulfilment objects (or dicts) into the
// plain tuples taken here, and gives the results their Python shape.
#include "common.hpp"
#include "event_types.hpp"

#include <odoosync/channels/config.hpp>
#include <odoosync/core/secret_source.hpp>
#include <odoosync/push/channel_client.hpp>
#include <odoosync/push/config.hpp>
#include <odoosync/push/pusher.hpp>
#include <odoosync/retail/events.hpp>
#include <odoosync/sync/outbound.hpp>
#include <odoosync/sync/store.hpp>

#include <pybind11/stl.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace push = odoosync::push;
namespace oss = odoosync::sync;
namespace retail = odoosync::retail;

namespace binding {

namespace {

// A secret a Python callable hands out (a host's vault): called for the value, and again when the channel
// refused it. Called from threads that do not hold the GIL: it takes it.
class CallableSecret final : public os::SecretSource {
 public:
  CallableSecret(py::object fn, std::string what) : fn_(new py::object(std::move(fn))), what_(std::move(what)) {}
  ~CallableSecret() override {
    // The callable is dropped with the GIL held; at interpreter exit it is left alone.
    if (Py_IsInitialized()) {
      py::gil_scoped_acquire gil;
      delete fn_;
    }
  }
  CallableSecret(const CallableSecret&) = delete;
  CallableSecret& operator=(const CallableSecret&) = delete;
  os::result<os::Secret> current() override { return call(); }
  os::result<os::Secret> refresh() override { return call(); }
  std::string description() const override { return "Python callable for " + what_; }

 private:
  os::result<os::Secret> call() {
    py::gil_scoped_acquire gil;
    try {
      py::object v = (*fn_)();
      if (!py::isinstance<py::str>(v))
        return os::Error::validation(what_ + ": the callable must return a str, it returned " +
                                     std::string(py::str(py::type::of(v).attr("__name__"))));
      auto text = v.cast<std::string>();
      if (text.empty()) return os::Error::validation(what_ + ": the callable returned an empty secret");
      return os::Secret(std::move(text));
    } catch (py::error_already_set& e) {
      // Its type only: the message of a vault's exception could hold anything.
      const std::string type = py::str(e.type().attr("__name__"));
      return os::Error(os::ErrorKind::auth, what_ + ": the callable raised " + type);
    }
  }

  py::object* fn_;
  std::string what_;
};

// One channel's client. Calls are serialised (a ChannelClient is one caller at a time); the mutex is
// taken without the GIL, so a waiting Python thread does not block the others.
struct PyChannelClient {
  std::shared_ptr<push::ChannelClient> client;
  std::string channel;
  std::shared_ptr<std::mutex> mutex = std::make_shared<std::mutex>();
};

template <class F>
auto locked(const std::shared_ptr<std::mutex>& mutex, F&& f) {
  return nogil([&] {
    std::lock_guard<std::mutex> hold(*mutex);
    return f();
  });
}

std::string prefix(const std::string& channel) { return "channel '" + channel + "'"; }

// Errors of a channel's call name the channel (the clients' own texts mostly do; this makes sure).
template <class T>
T take_for(const std::string& channel, os::result<T>&& r) {
  if (!r) {
    os::Error e = r.error();
    if (e.message().find(channel) == std::string::npos) e = std::move(e).with_message_prefix(prefix(channel));
    raise(e);
  }
  return std::move(r).value();
}
void take_for(const std::string& channel, os::result<void>&& r) {
  if (!r) {
    os::Error e = r.error();
    if (e.message().find(channel) == std::string::npos) e = std::move(e).with_message_prefix(prefix(channel));
    raise(e);
  }
}

py::list item_results(const std::vector<push::ItemResult>& results) {
  py::list out;
  for (const auto& r : results) {
    py::dict d;
    d["outcome"] = std::string(push::to_string(r.outcome));
    d["channel_quantity"] = r.channel_quantity ? py::object(py::int_(*r.channel_quantity)) : py::object(py::none());
    d["message"] = r.message;
    out.append(d);
  }
  return out;
}

py::dict limits_dict(const push::ChannelLimits& l) {
  py::dict d;
  d["max_levels_per_call"] = l.max_levels_per_call;
  d["max_prices_per_call"] = l.max_prices_per_call;
  d["sustained_rate"] = l.sustained_rate;
  d["unit"] = l.unit;
  d["max_wait"] = static_cast<double>(l.max_wait.count()) / 1000.0;
  return d;
}

std::map<std::string, std::string, std::less<>> settings_of(const py::object& settings) {
  std::map<std::string, std::string, std::less<>> out;
  if (settings.is_none()) return out;
  for (auto item : settings.cast<py::dict>()) {
    const auto name = arg_str("channel_client", "settings key", py::reinterpret_borrow<py::object>(item.first));
    auto v = py::reinterpret_borrow<py::object>(item.second);
    // JSON's spelling for the settings that are flags; numbers and text as written.
    if (py::isinstance<py::bool_>(v)) {
      out[name] = v.cast<bool>() ? "true" : "false";
    } else if (py::isinstance<py::str>(v) || py::isinstance<py::int_>(v) || py::isinstance<py::float_>(v)) {
      out[name] = py::str(v).cast<std::string>();
    } else {
      throw py::type_error("channel_client(): setting '" + name + "' must be a str, int, float or bool");
    }
  }
  return out;
}

std::map<std::string, std::shared_ptr<os::SecretSource>, std::less<>> secrets_of(const std::string& channel,
                                                                                 const py::object& secrets) {
  std::map<std::string, std::shared_ptr<os::SecretSource>, std::less<>> out;
  if (secrets.is_none()) return out;
  for (auto item : secrets.cast<py::dict>()) {
    const auto name = arg_str("channel_client", "secrets key", py::reinterpret_borrow<py::object>(item.first));
    auto v = py::reinterpret_borrow<py::object>(item.second);
    if (py::isinstance<py::str>(v)) {
      auto source = os::parse_secret_source(v.cast<std::string>());
      if (!source) raise(std::move(source.error()).with_message_prefix(prefix(channel) + ": secret '" + name + "'"));
      out[name] = std::move(source).value();
    } else if (PyCallable_Check(v.ptr())) {
      out[name] = std::make_shared<CallableSecret>(v, prefix(channel) + " secret '" + name + "'");
    } else {
      // Never the value: it may be the secret itself.
      throw py::type_error("channel_client(): secret '" + name +
                           "' must be a source (\"env:NAME\", \"file:PATH\", \"cmd:PROGRAM\") or a callable "
                           "returning the secret, got " +
                           std::string(py::str(py::type::of(v).attr("__name__"))));
    }
  }
  return out;
}

PyChannelClient make_client(const std::string& provider, const std::string& channel, push::ChannelEndpoint endpoint) {
  auto made = take_for(channel, nogil([&] { return push::make_channel_client(provider, endpoint); }));
  return PyChannelClient{std::shared_ptr<push::ChannelClient>(std::move(made)), channel};
}

// (sku, location, quantity, expected, as_of, key)
std::vector<push::Level> levels_of(const py::list& items) {
  std::vector<push::Level> out;
  for (auto item : items) {
    auto t = item.cast<py::tuple>();
    push::Level l;
    l.sku = t[0].cast<std::string>();
    l.location = t[1].cast<std::string>();
    l.quantity = t[2].cast<std::int64_t>();
    if (!t[3].is_none()) l.expected = t[3].cast<std::int64_t>();
    l.as_of = t[4].is_none() ? retail::Timestamp::now() : take(retail::Timestamp::parse(t[4].cast<std::string>()));
    l.key = t[5].cast<std::string>();
    out.push_back(std::move(l));
  }
  return out;
}

// (sku, amount text, currency, key)
std::vector<push::Price> prices_of(const py::list& items) {
  std::vector<push::Price> out;
  for (auto item : items) {
    auto t = item.cast<py::tuple>();
    const auto sku = t[0].cast<std::string>();
    auto money = retail::Money::parse(t[1].cast<std::string>(), t[2].cast<std::string>());
    if (!money) raise(std::move(money.error()).with_message_prefix("price of '" + sku + "'"));
    out.push_back(push::Price{sku, std::move(money).value(), t[3].cast<std::string>()});
  }
  return out;
}

// (order_id, shipment, [(sku, quantity)], carrier, tracking_number, tracking_url, notify_customer, key)
std::vector<push::Fulfilment> fulfilments_of(const py::list& items) {
  std::vector<push::Fulfilment> out;
  for (auto item : items) {
    auto t = item.cast<py::tuple>();
    push::Fulfilment f;
    f.order_id = t[0].cast<std::string>();
    f.shipment = t[1].cast<std::string>();
    for (auto line : t[2].cast<py::list>()) {
      auto lt = line.cast<py::tuple>();
      f.lines.push_back(push::Fulfilment::Line{lt[0].cast<std::string>(), lt[1].cast<std::int64_t>()});
    }
    f.carrier = t[3].cast<std::string>();
    f.tracking_number = t[4].cast<std::string>();
    f.tracking_url = t[5].cast<std::string>();
    f.notify_customer = t[6].cast<bool>();
    f.key = t[7].cast<std::string>();
    out.push_back(std::move(f));
  }
  return out;
}

py::dict pull_stats_dict(const oss::PullStats& stats) {
  py::dict d;
  d["pages"] = stats.pages;
  d["records"] = stats.records;
  d["events"] = stats.events;
  d["skipped_no_sku"] = stats.skipped_no_sku;
  d["skipped_no_order"] = stats.skipped_no_order;
  d["skipped_negative"] = stats.skipped_negative;
  d["skipped_invalid"] = stats.skipped_invalid;
  d["problems"] = stats.problems;
  return d;
}

py::dict counts_dict(const push::PushCounts& c) {
  py::dict d;
  d["applied"] = c.applied;
  d["unchanged"] = c.unchanged;
  d["stale"] = c.stale;
  d["not_listed"] = c.not_listed;
  d["retried"] = c.retried;
  d["dead"] = c.dead;
  d["lost"] = c.lost;
  d["calls"] = c.calls;
  return d;
}

py::dict outbox_item(const oss::OutboxItem& it) {
  py::dict parts;
  for (const auto& p : it.parts) parts[py::str(p.part)] = p.value;
  auto opt = [](const std::optional<std::string>& v) { return v ? py::object(py::str(*v)) : py::object(py::none()); };
  py::dict d;
  d["kind"] = it.kind;
  d["key"] = it.key;
  d["status"] = std::string(oss::to_string(it.status));
  d["parts"] = parts;
  d["pushed"] = opt(it.pushed);
  d["channel_value"] = opt(it.channel_value);
  d["attempts"] = it.attempts;
  d["error"] = it.error;
  d["changed_ms"] = it.changed_ms;
  d["updated_ms"] = it.updated_ms;
  return d;
}

struct PyPusher {
  std::shared_ptr<oss::Store> store;  // declared before the Pusher, which refers to it
  PyChannelClient client;
  std::optional<push::ChannelPush> config;  // from_config: its feeds and order origin
  oss::PullOptions pull_base;
  std::unique_ptr<push::Pusher> pusher;
};

push::Kind kind_of(const PyPusher& p, const std::string& text) {
  auto kind = push::parse_kind(text);
  if (!kind) raise(std::move(kind.error()).with_message_prefix("kind"));
  if (p.config && !p.config->takes(kind.value()))
    raise(os::Error::validation(prefix(p.client.channel) + " does not take " +
                                std::string(push::to_string(kind.value())) + " (its \"feeds\")"));
  return kind.value();
}

push::PusherOptions pusher_options(int max_attempts, double backoff_base, double backoff_max, int stale_resends,
                                   double lease, std::size_t max_fulfilments_per_call, std::uint64_t seed) {
  push::PusherOptions o;
  o.max_attempts = max_attempts;
  o.backoff_base = ms(backoff_base);
  o.backoff_max = ms(backoff_max);
  o.stale_resends = stale_resends;
  o.lease = ms(lease);
  o.max_fulfilments_per_call = max_fulfilments_per_call;
  o.seed = seed;
  return o;
}

// The Pusher as a puller's sink: its calls are serialised with the Pusher's own (run() in another thread).
class PusherSink final : public oss::EventSink {
 public:
  explicit PusherSink(PyPusher& p) : p_(p) {}
  os::result<void> accept(std::span<const retail::Event> events) override {
    std::lock_guard<std::mutex> hold(*p_.client.mutex);
    return p_.pusher->accept(events);
  }

 private:
  PyPusher& p_;
};

// A host's sink written in Python: any object with accept(events), given a list of odoosync.Event. An
// exception it raises fails the pull (the checkpoint stays, the page comes again).
class PythonSink final : public oss::EventSink {
 public:
  explicit PythonSink(py::object sink) : sink_(new py::object(std::move(sink))) {}
  ~PythonSink() override {
    if (Py_IsInitialized()) {
      py::gil_scoped_acquire gil;
      delete sink_;
    }
  }
  PythonSink(const PythonSink&) = delete;
  PythonSink& operator=(const PythonSink&) = delete;
  os::result<void> accept(std::span<const retail::Event> events) override {
    py::gil_scoped_acquire gil;
    try {
      py::list batch;
      for (const auto& e : events) batch.append(py::cast(e));
      sink_->attr("accept")(batch);
      return os::success();
    } catch (py::error_already_set& e) {
      return error_of(e, "sink accept()");
    }
  }

 private:
  py::object* sink_;
};

struct PyPuller {
  std::shared_ptr<oss::Store> store;
  std::shared_ptr<odoo::Client> client;
  std::vector<py::object> keep;  // the Python objects the sinks refer to (Pushers, host sinks)
  std::vector<std::unique_ptr<oss::EventSink>> sinks;
  std::unique_ptr<oss::OutboundPuller> puller;
  std::shared_ptr<std::mutex> mutex = std::make_shared<std::mutex>();
};

oss::Feed feed_of(const std::string& text) {
  auto feed = oss::parse_feed(text);
  if (!feed) raise(std::move(feed.error()).with_message_prefix("feed"));
  return feed.value();
}

}  // namespace

void bind_push(py::module_& m) {
  py::class_<PyChannelClient>(m, "_ChannelClient")
      .def_property_readonly("channel", [](const PyChannelClient& c) { return c.channel; })
      .def_property_readonly("provider", [](const PyChannelClient& c) { return std::string(c.client->provider()); })
      .def("limits", [](const PyChannelClient& c) { return limits_dict(c.client->limits()); })
      .def("set_levels",
           [](PyChannelClient& c, const py::list& items) {
             auto levels = levels_of(items);
             if (levels.empty()) return py::list();
             return item_results(take_for(c.channel, locked(c.mutex, [&] { return c.client->set_levels(levels); })));
           })
      .def("set_prices",
           [](PyChannelClient& c, const py::list& items) {
             auto prices = prices_of(items);
             if (prices.empty()) return py::list();
             return item_results(take_for(c.channel, locked(c.mutex, [&] { return c.client->set_prices(prices); })));
           })
      .def("fulfil",
           [](PyChannelClient& c, const py::list& items) {
             auto fulfilments = fulfilments_of(items);
             if (fulfilments.empty()) return py::list();
             return item_results(take_for(c.channel, locked(c.mutex, [&] { return c.client->fulfil(fulfilments); })));
           })
      .def("read_level", [](PyChannelClient& c, const std::string& sku, const std::string& location) {
        return take_for(c.channel, locked(c.mutex, [&] { return c.client->read_level(sku, location); }));
      });

  m.def(
      "_channel_client",
      [](const std::string& provider, const std::string& url, const py::object& settings, const py::object& secrets,
         const std::string& channel, const py::object& timeout) {
        push::ChannelEndpoint e;
        e.channel = channel;
        e.base_url = url;
        e.settings = settings_of(settings);
        e.secrets = secrets_of(channel, secrets);
        if (!timeout.is_none()) e.timeout = ms(arg_float("channel_client", "timeout", timeout));
        return make_client(provider, channel, std::move(e));
      },
      py::arg("provider"), py::arg("url"), py::arg("settings"), py::arg("secrets"), py::arg("channel"),
      py::arg("timeout"));

  py::class_<PyPusher>(m, "_Pusher")
      .def_property_readonly("channel", [](const PyPusher& p) { return p.client.channel; })
      .def_property_readonly("client", [](const PyPusher& p) { return p.client; })
      .def_property_readonly("order_origin", [](const PyPusher& p) { return p.pull_base.order_origin; })
      .def("accept",
           [](PyPusher& p, const std::vector<retail::Event>& events) {
             if (events.empty()) return;
             take_for(p.client.channel, locked(p.client.mutex, [&] { return p.pusher->accept(events); }));
           })
      .def("pull",
           [](PyPusher& p, PyClient& odoo, const std::string& kind_text, const py::object& settle,
              std::int64_t page_size) {
             const auto kind = kind_of(p, kind_text);
             oss::PullOptions o = p.pull_base;
             o.page_size = page_size;
             if (settle.is_none()) {
               o.settle = std::nullopt;
             } else {
               o.settle = std::chrono::seconds{static_cast<std::int64_t>(arg_float("Pusher.pull", "settle", settle))};
             }
             auto client = odoo.client;
             auto store = p.store;
             const auto feed = push::feed_of(kind);
             oss::PullStats stats;
             auto n = take_for(p.client.channel, locked(p.client.mutex, [&]() -> os::result<std::size_t> {
                                 oss::OutboundPuller puller(*store, *client, o);
                                 puller.add_sink(feed, *p.pusher);
                                 auto r = puller.pull(feed);
                                 stats = puller.last_stats(feed);
                                 return r;
                               }));
             py::dict d = pull_stats_dict(stats);
             d["events"] = n;
             return d;
           })
      .def("push_once",
           [](PyPusher& p, const std::string& kind_text) {
             const auto kind = kind_of(p, kind_text);
             auto round = take_for(p.client.channel, locked(p.client.mutex, [&] { return p.pusher->push_once(kind); }));
             py::dict d;
             d["claimed"] = round.claimed;
             d["counts"] = counts_dict(round.counts);
             d["retry_after"] = round.retry_after
                                    ? py::object(py::float_(static_cast<double>(round.retry_after->count()) / 1000.0))
                                    : py::object(py::none());
             d["error"] = round.error;
             return d;
           })
      .def("run",
           [](PyPusher& p, const std::string& kind_text, double wait_for_retries) {
             const auto kind = kind_of(p, kind_text);
             push::RunOptions ro;
             ro.wait_for_retries = ms(wait_for_retries);
             auto s = take_for(p.client.channel, locked(p.client.mutex, [&] { return p.pusher->run(kind, ro); }));
             py::dict d;
             d["rounds"] = s.rounds;
             d["counts"] = counts_dict(s.counts);
             d["pending"] = s.pending;
             d["dead"] = s.dead;
             d["last_error"] = s.last_error;
             return d;
           })
      .def("dead_letters",
           [](PyPusher& p, const std::optional<std::string>& kind_text, std::size_t limit) {
             std::optional<push::Kind> kind;
             if (kind_text) kind = kind_of(p, *kind_text);
             auto rows = take_for(p.client.channel,
                                  locked(p.client.mutex, [&] { return p.pusher->dead_letters(kind, limit); }));
             py::list out;
             for (const auto& r : rows) out.append(outbox_item(r));
             return out;
           })
      .def("replay",
           [](PyPusher& p, const std::string& kind_text, const std::string& key) {
             const auto kind = kind_of(p, kind_text);
             take_for(p.client.channel, locked(p.client.mutex, [&] { return p.pusher->replay(kind, key); }));
           })
      .def("status", [](PyPusher& p) {
        auto counts = take_for(p.client.channel, locked(p.client.mutex, [&] { return p.pusher->status(); }));
        py::dict out;
        for (const auto& [kind, c] : counts) {
          py::dict d;
          d["pending"] = c.pending;
          d["not_listed"] = c.not_listed;
          d["dead"] = c.dead;
          d["oldest_pending_ms"] =
              c.oldest_pending_ms ? py::object(py::int_(*c.oldest_pending_ms)) : py::object(py::none());
          out[py::str(kind)] = d;
        }
        return out;
      });

  py::class_<PyPuller>(m, "_OutboundPuller")
      .def("add_pusher",
           [](PyPuller& p, const std::string& feed, py::object pusher) {
             auto& native = pusher.cast<PyPusher&>();
             p.keep.push_back(pusher);
             p.sinks.push_back(std::make_unique<PusherSink>(native));
             p.puller->add_sink(feed_of(feed), *p.sinks.back());
           })
      .def("add_sink",
           [](PyPuller& p, const std::string& feed, py::object sink) {
             if (!py::hasattr(sink, "accept"))
               throw py::type_error("OutboundPuller.add_sink(): the sink needs an accept(events) method");
             p.keep.push_back(sink);
             p.sinks.push_back(std::make_unique<PythonSink>(sink));
             p.puller->add_sink(feed_of(feed), *p.sinks.back());
           })
      .def("pull",
           [](PyPuller& p, const std::string& feed) {
             const auto f = feed_of(feed);
             return take(locked(p.mutex, [&] { return p.puller->pull(f); }));
           })
      .def("last_stats",
           [](PyPuller& p, const std::string& feed) { return pull_stats_dict(p.puller->last_stats(feed_of(feed))); });
  m.def(
      "_outbound_puller",
      [](py::handle store, PyClient& client, std::int64_t page_size, const std::string& source,
         const py::object& settle, const std::string& checkpoint_prefix,
         const std::optional<std::string>& order_origin) {
        PyPuller p;
        p.store = store_of(store);
        p.client = client.client;
        oss::PullOptions o;
        o.page_size = page_size;
        o.source = source;
        if (settle.is_none()) {
          o.settle = std::nullopt;
        } else {
          o.settle = std::chrono::seconds{static_cast<std::int64_t>(arg_float("OutboundPuller", "settle", settle))};
        }
        o.checkpoint_prefix = checkpoint_prefix;
        o.order_origin = order_origin;
        p.puller = std::make_unique<oss::OutboundPuller>(*p.store, *p.client, o);
        return p;
      },
      py::arg("store"), py::arg("client"), py::arg("page_size"), py::arg("source"), py::arg("settle"),
      py::arg("checkpoint_prefix"), py::arg("order_origin"));

  m.def(
      "_pusher",
      [](py::handle store, const PyChannelClient& client, const std::string& channel,
         const std::map<std::string, std::vector<std::string>>& stock_locations, std::int64_t safety_stock,
         const std::map<std::string, std::int64_t>& safety_stock_by_sku, const std::optional<std::string>& order_origin,
         int max_attempts, double backoff_base, double backoff_max, int stale_resends, double lease,
         std::size_t max_fulfilments_per_call, std::uint64_t seed) {
        if (channel.empty()) raise(os::Error::validation("Pusher: the channel's name is empty"));
        if (safety_stock < 0) raise(os::Error::validation(prefix(channel) + ": safety_stock must not be negative"));
        PyPusher p;
        p.store = store_of(store);
        p.client = client;
        push::PushMapping mapping;
        for (const auto& [loc, odoo_locations] : stock_locations) mapping.stock_locations[loc] = odoo_locations;
        mapping.safety_stock = safety_stock;
        for (const auto& [sku, n] : safety_stock_by_sku) {
          if (n < 0)
            raise(os::Error::validation(prefix(channel) + ": safety_stock_by_sku['" + sku + "'] must not be negative"));
          mapping.safety_stock_by_sku[sku] = n;
        }
        p.pull_base = push::pull_options(channel);
        p.pull_base.order_origin = order_origin;
        p.pusher = std::make_unique<push::Pusher>(*p.store, client.client, channel, std::move(mapping),
                                                  pusher_options(max_attempts, backoff_base, backoff_max, stale_resends,
                                                                 lease, max_fulfilments_per_call, seed));
        return p;
      },
      py::arg("store"), py::arg("client"), py::arg("channel"), py::arg("stock_locations"), py::arg("safety_stock"),
      py::arg("safety_stock_by_sku"), py::arg("order_origin"), py::arg("max_attempts"), py::arg("backoff_base"),
      py::arg("backoff_max"), py::arg("stale_resends"), py::arg("lease"), py::arg("max_fulfilments_per_call"),
      py::arg("seed"));

  m.def(
      "_pusher_from_config",
      [](py::handle store, const std::string& path, const std::string& channel, int max_attempts, double backoff_base,
         double backoff_max, int stale_resends, double lease, std::size_t max_fulfilments_per_call,
         std::uint64_t seed) {
        auto configs = take(nogil([&] { return os::channels::load_channels_config(std::filesystem::path(path)); }));
        const os::channels::ChannelConfig* found = nullptr;
        for (const auto& c : configs) {
          if (c.name == channel) found = &c;
        }
        if (!found) raise(os::Error::validation("no channel '" + channel + "' in " + path));
        auto cp = take(push::channel_push(*found));
        PyPusher p;
        p.store = store_of(store);
        p.client = make_client(cp.provider, channel, cp.endpoint);
        p.pull_base = push::pull_options(cp);
        p.pusher = std::make_unique<push::Pusher>(*p.store, p.client.client, channel, cp.mapping,
                                                  pusher_options(max_attempts, backoff_base, backoff_max, stale_resends,
                                                                 lease, max_fulfilments_per_call, seed));
        p.config = std::move(cp);
        return p;
      },
      py::arg("store"), py::arg("path"), py::arg("channel"), py::arg("max_attempts"), py::arg("backoff_base"),
      py::arg("backoff_max"), py::arg("stale_resends"), py::arg("lease"), py::arg("max_fulfilments_per_call"),
      py::arg("seed"));
}

}  // namespace binding
