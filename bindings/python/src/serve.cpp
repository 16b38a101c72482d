// The webhook receiver from Python: WebhookReceiver(engine, config) built from serve's configuration
// file (secrets from files or the environment), handle() for a host's own HTTP server (a Flask or
// aiohttp view hands the request over and sends the answer back), listen()/stop() for the built-in
// server. Handling and stopping release the GIL.
#include "common.hpp"

#include <odoosync/serve/config.hpp>
#include <odoosync/serve/webhook_receiver.hpp>
#include <odoosync/serve/webhook_server.hpp>
#include <odoosync/sync/engine.hpp>

#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace sv = odoosync::serve;

namespace binding {

namespace {

struct PyReceiver {
  py::object engine;  // keeps the odoosync.Engine (and its store) alive as long as the receiver
  std::unique_ptr<sv::WebhookReceiver> receiver;
  std::unique_ptr<sv::WebhookServer> server;
  sv::ServerOptions server_options;

  PyReceiver() = default;
  PyReceiver(PyReceiver&&) = default;
  ~PyReceiver() {
    py::gil_scoped_release release;
    server.reset();  // a graceful stop: requests in flight are answered
    receiver.reset();
  }
};

py::dict channel_counters(const sv::ChannelCounters& c) {
  py::dict d;
  for (std::size_t i = 0; i < sv::outcome_count; ++i)
    d[py::str(std::string(sv::to_string(static_cast<sv::Outcome>(i))))] = c.deliveries[i];
  d["events"] = c.events;
  d["duplicates"] = c.duplicates;
  d["odoo_records"] = c.odoo_records;
  d["seconds_sum"] = c.latency_seconds_sum;
  d["count"] = c.latency_count;
  return d;
}

}  // namespace

void bind_serve(py::module_& m) {
  py::class_<PyReceiver>(m, "WebhookReceiver",
                         R"(The webhook receiver of `odoosync serve` (docs/channels.md): WebhookReceiver(engine,
config) reads serve's configuration file (the "channels" object and serve's keys; secrets from files or the
environment). handle() answers one request (200 once the events are durable, 401, 400, 404, 405, 413, 503);
listen() runs the built-in HTTP server on its own threads until stop().)")
      .def(py::init([](py::object engine, const std::string& config) {
             auto& e = engine_of(engine);
             auto cfg = take(nogil([&] { return sv::load_serve_config(config); }));
             sv::ReceiverOptions ro;
             ro.retry_after = cfg.retry_after;
             PyReceiver r;
             r.engine = std::move(engine);
             r.receiver = take(sv::WebhookReceiver::create(cfg.channels, e, std::move(ro)));
             r.server_options = cfg.server;
             return r;
           }),
           py::arg("engine"), py::arg("config"))
      .def(
          "handle",
          [](PyReceiver& r, const std::string& method, const std::string& target, py::object headers, py::bytes body,
             std::optional<std::string> url) {
            sv::WebhookRequest req;
            req.method = method;
            req.target = target;
            if (!headers.is_none()) {
              py::iterable items =
                  py::hasattr(headers, "items") ? py::iterable(headers.attr("items")()) : py::iterable(headers);
              for (auto item : items) {
                auto pair = item.cast<std::pair<std::string, std::string>>();
                req.headers.add(std::move(pair.first), std::move(pair.second));
              }
            }
            req.body = std::string(body);
            if (url) req.url = *url;
            auto a = nogil([&] { return r.receiver->handle(std::move(req)); });
            std::vector<std::pair<std::string, std::string>> out{{"Content-Type", a.content_type}};
            for (const auto& [k, v] : a.headers) out.emplace_back(k, v);
            return py::make_tuple(a.status, out, py::bytes(a.body));
          },
          py::arg("method"), py::arg("target"), py::arg("headers") = py::none(), py::arg("body") = py::bytes(),
          py::arg("url") = py::none(),
          "handle(method, target, headers=None, body=b'', url=None) -> (status, [(name, value)], body). "
          "target: the path and query as requested; headers: a dict or (name, value) pairs; body: the raw bytes; "
          "url: the full URL the provider posted to (default http://<Host><target>).")
      .def(
          "listen",
          [](PyReceiver& r, const std::string& address, std::optional<int> threads) {
            if (r.server) throw py::value_error("already listening on " + r.server->address());
            auto parsed = take(sv::parse_listen_address(address));
            auto so = r.server_options;
            so.host = parsed.first;
            so.port = parsed.second;
            if (threads) so.threads = *threads;
            r.server = take(sv::WebhookServer::start(*r.receiver, so));
            return r.server->address();
          },
          py::arg("address") = "127.0.0.1:0", py::arg("threads") = py::none(),
          "listen(address='127.0.0.1:0', threads=None) -> 'host:port': the built-in HTTP server, on its own "
          "threads.")
      .def(
          "stop",
          [](PyReceiver& r, double deadline) {
            if (!r.server) return true;
            const bool clean = nogil([&] { return r.server->stop(ms(deadline)); });
            r.server.reset();
            return clean;
          },
          py::arg("deadline") = 30.0,
          "stop(deadline=30.0) -> True when every request in flight finished and was answered in time.")
      .def_property_readonly("address",
                             [](PyReceiver& r) -> std::optional<std::string> {
                               if (!r.server) return std::nullopt;
                               return r.server->address();
                             })
      .def_property_readonly("channels", [](PyReceiver& r) { return r.receiver->channel_names(); })
      .def(
          "metrics",
          [](PyReceiver& r) {
            const auto counted = r.receiver->metrics();
            py::dict d;
            for (const auto& [name, c] : counted.channels) d[py::str(name)] = channel_counters(c);
            return d;
          },
          "metrics() -> {channel: {outcome: count, ..., 'events', 'duplicates', 'odoo_records', 'seconds_sum', "
          "'count'}}")
      .def(
          "prometheus", [](PyReceiver& r) { return nogil([&] { return r.receiver->prometheus(); }); },
          "The receiver's series and the engine's, as Prometheus text (what GET /metrics answers).");
}

}  // namespace binding
