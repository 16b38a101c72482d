// The sync engine from Python: stores (SQLite, memory), Engine (submit, run, status, dead letters, audit,
// metrics) and stock reconciliation (reconcile_stock, correcting_events).
#include "common.hpp"
#include "event_types.hpp"

#include <odoosync/http/trace_context.hpp>
#include <odoosync/retail/events.hpp>
#include <odoosync/retail/quantity.hpp>
#include <odoosync/retail/timestamp.hpp>
#include <odoosync/odoo/client.hpp>
#include <odoosync/sync/engine.hpp>
#include <odoosync/sync/memory_store.hpp>
#include <odoosync/sync/reconcile.hpp>
#include <odoosync/sync/open_store.hpp>
#include <odoosync/sync/sqlite_store.hpp>

#include <pybind11/stl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace oss = odoosync::sync;
namespace retail = odoosync::retail;

namespace binding {

namespace {

struct PyStore {
  std::shared_ptr<oss::Store> store;
  bool shared = false;  // a PostgreSQL store: its engines are not exclusive, leases expire
};

py::dict stored(const oss::StoredEvent& e) {
  py::dict d;
  d["source"] = e.event.source;
  d["id"] = e.event.id;
  d["type"] = e.event.type;
  d["subject"] = e.event.subject;
  d["lane"] = std::string(oss::to_string(e.event.lane));
  d["status"] = std::string(oss::to_string(e.status));
  d["attempts"] = e.attempts;
  d["submitted_ms"] = e.submitted_ms;
  d["updated_ms"] = e.updated_ms;
  d["error"] = e.error;
  d["reason"] = e.reason;
  d["body"] = e.event.body;
  return d;
}

py::dict counters(const oss::TypeCounters& c) {
  py::dict d;
  d["submitted"] = c.submitted;
  d["duplicates"] = c.duplicates;
  d["applied"] = c.applied;
  d["retried"] = c.retried;
  d["dead_lettered"] = c.dead_lettered;
  return d;
}

py::dict metrics_dict(const oss::EngineMetrics& m) {
  py::dict lanes;
  for (std::size_t l = 0; l < oss::lane_count; ++l) {
    const auto& lm = m.lanes[l];
    py::dict by_type;
    for (const auto& [type, c] : lm.by_type) by_type[py::str(type)] = counters(c);
    py::dict d;
    d["by_type"] = by_type;
    d["queue_depth"] = lm.queue_depth;
    d["dead"] = lm.dead;
    d["oldest_pending_age_s"] = lm.oldest_pending_age_s;
    d["batches"] = lm.batches;
    d["batch_events"] = lm.batch_events;
    d["max_batch"] = lm.max_batch;
    d["backpressured"] = lm.backpressured;
    lanes[py::str(std::string(oss::to_string(static_cast<oss::Lane>(l))))] = d;
  }
  py::dict out;
  out["lanes"] = lanes;
  py::dict rejected;
  for (const auto& [type, n] : m.rejected) rejected[py::str(type)] = n;
  out["rejected"] = rejected;
  out["rpc_count"] = m.rpc_count;
  out["rpc_seconds_sum"] = m.rpc_seconds_sum;
  out["rpc_seconds_max"] = m.rpc_seconds_max;
  out["probes"] = m.probes;
  out["splits"] = m.splits;
  out["breaker"] = std::string(os::http::to_string(m.breaker));
  out["breaker_opened"] = m.breaker_opened;
  return out;
}

struct PyEngine {
  PyStore store;
  std::optional<PyClient> client;
  std::unique_ptr<oss::Engine> engine;
  PyEngine(PyStore s, std::optional<PyClient> c) : store(std::move(s)), client(std::move(c)) {}
  PyEngine(PyEngine&&) = default;
  // Stopping waits for the batches being sent: without the GIL, so other Python threads go on.
  ~PyEngine() {
    if (engine) {
      py::gil_scoped_release release;
      engine.reset();
    }
  }
};

std::string intake_name(oss::Intake i) { return i == oss::Intake::duplicate ? "duplicate" : "accepted"; }

retail::Event event_of(const py::handle& e) {
  if (py::isinstance<retail::Event>(e)) return e.cast<retail::Event>();
  const std::string text = py::isinstance<py::str>(e) ? e.cast<std::string>() : json_of(e);
  return take(retail::decode_event(text));
}

py::object decimal(const std::string& text) { return py::module_::import("decimal").attr("Decimal")(text); }

py::dict report_dict(const oss::ReconcileReport& r) {
  py::list drift;
  for (const auto& d : r.drift) {
    py::dict row;
    row["sku"] = d.sku;
    row["location"] = d.location;
    row["channel"] = decimal(d.channel.value());
    row["odoo"] = decimal(d.odoo.value());
    row["drift"] = decimal(d.drift.value());
    row["unknown_in_odoo"] = d.unknown_in_odoo;
    row["uom"] = d.channel.uom();
    drift.append(row);
  }
  py::dict out;
  out["compared"] = r.compared;
  out["matching"] = r.matching;
  out["drift"] = drift;
  return out;
}

oss::ReconcileReport report_of(const py::dict& d) {
  oss::ReconcileReport r;
  r.compared = d["compared"].cast<std::size_t>();
  r.matching = d["matching"].cast<std::size_t>();
  for (auto row : d["drift"].cast<py::list>()) {
    auto m = row.cast<py::dict>();
    oss::DriftRow dr;
    dr.sku = m["sku"].cast<std::string>();
    dr.location = m["location"].cast<std::string>();
    const std::string uom = m.contains("uom") ? m["uom"].cast<std::string>() : std::string("Units");
    dr.channel = take(retail::Quantity::parse(py::str(m["channel"]).cast<std::string>(), uom));
    dr.odoo = take(retail::Quantity::parse(py::str(m["odoo"]).cast<std::string>(), uom));
    dr.drift = take(retail::Quantity::parse(py::str(m["drift"]).cast<std::string>(), uom));
    dr.unknown_in_odoo = m["unknown_in_odoo"].cast<bool>();
    r.drift.push_back(std::move(dr));
  }
  return r;
}

}  // namespace

oss::Engine& engine_of(py::handle engine) {
  if (!py::isinstance<PyEngine>(engine)) throw py::type_error("expected an odoosync.Engine");
  return *engine.cast<PyEngine&>().engine;
}

std::shared_ptr<oss::Store> store_of(py::handle store) {
  if (!py::isinstance<PyStore>(store))
    throw py::type_error("expected an odoosync.Store (SqliteStore, MemoryStore, open_store)");
  return store.cast<PyStore&>().store;
}

void bind_sync(py::module_& m) {
  // --- stores and engine ---
  py::class_<PyStore>(m, "Store", "Where the sync engine keeps events: SqliteStore(path) or MemoryStore().");
  m.def("_sqlite_store", [](const std::string& path) {
    auto s = take(nogil([&] { return oss::SqliteStore::open(path); }));
    return PyStore{std::shared_ptr<oss::Store>(std::move(s))};
  });
  m.def("_memory_store", [] { return PyStore{std::make_shared<oss::MemoryStore>()}; });
  m.def("_open_store", [](const std::string& location, const std::string& password_file, const std::string& schema) {
    oss::StoreLocation where;
    where.location = location;
    where.password_file = password_file;
    where.schema = schema;
    auto s = take(nogil([&] { return oss::open_store(where); }));
    return PyStore{std::shared_ptr<oss::Store>(std::move(s)), oss::is_shared_store(location)};
  });

  py::class_<PyEngine>(m, "Engine",
                       R"(The sync engine: submit() makes an event durable (once per (source, id)); run_until_idle()
or start()/stop() send the events' effects to Odoo exactly once (docs/sync.md). Thread-safe; storage and network
work releases the GIL.)")
      .def(py::init([](PyStore store, std::optional<PyClient> client, std::size_t realtime_batch_size,
                       std::size_t bulk_batch_size, int realtime_workers, int bulk_workers, int max_attempts,
                       double initial_backoff, double max_backoff, int breaker_threshold, double breaker_cool_down,
                       std::uint64_t high_water, double grace, py::object event_types, py::object type_lanes,
                       double lease) {
             oss::EngineOptions o;
             o.exclusive = !store.shared;  // many processes share a PostgreSQL store
             o.lease = ms(lease);
             o.types = event_types_of(event_types, type_lanes, client);
             o.unknown_outcome_grace = ms(grace);
             o.lanes[0].batch_size = realtime_batch_size;
             o.lanes[1].batch_size = bulk_batch_size;
             o.lanes[0].concurrency = realtime_workers;
             o.lanes[1].concurrency = bulk_workers;
             o.lanes[0].high_water = o.lanes[1].high_water = high_water;
             o.retry.max_attempts = max_attempts;
             o.retry.initial_backoff = ms(initial_backoff);
             o.retry.max_backoff = ms(max_backoff);
             o.breaker.failure_threshold = breaker_threshold;
             o.breaker.cool_down = ms(breaker_cool_down);
             PyEngine e(store, client);
             if (client) o.metrics = client->metrics;
             e.engine = client ? take(oss::Engine::create(*store.store, *client->engine_client, o))
                               : take(oss::Engine::create_intake(*store.store, o));
             return e;
           }),
           py::arg("store"), py::arg("client") = py::none(), py::kw_only(), py::arg("realtime_batch_size") = 100,
           py::arg("bulk_batch_size") = 200, py::arg("realtime_workers") = 2, py::arg("bulk_workers") = 1,
           py::arg("max_attempts") = 10, py::arg("initial_backoff") = 0.25, py::arg("max_backoff") = 60.0,
           py::arg("breaker_threshold") = 5, py::arg("breaker_cool_down") = 5.0, py::arg("high_water") = 1'000'000,
           py::arg("unknown_outcome_grace") = 30.0, py::arg("event_types") = py::none(),
           py::arg("type_lanes") = py::none(), py::arg("lease") = 60.0)
      .def(
          "submit",
          [](PyEngine& e, py::handle event) {
            if (py::isinstance<retail::Event>(event)) {
              auto ev = event.cast<retail::Event>();
              return intake_name(take(nogil([&] { return e.engine->submit(ev); })).intake);
            }
            // Text and dicts go through the engine's own decoder, which counts what it rejects.
            const std::string text = py::isinstance<py::str>(event) ? event.cast<std::string>() : json_of(event);
            return intake_name(take(nogil([&] { return e.engine->submit_json(text); })).intake);
          },
          py::arg("event"),
          "submit(event) -> 'accepted' | 'duplicate'. event: Event, JSON text or dict. Durable when it returns; "
          "InvalidInput stores nothing; BackpressureError above the lane's high-water mark.")
      .def(
          "submit_many",
          [](PyEngine& e, py::iterable events) {
            std::vector<retail::Event> evs;
            for (auto item : events) evs.push_back(event_of(item));
            auto r = take(nogil([&] { return e.engine->submit_many(evs); }));
            std::vector<std::string> out;
            for (const auto& s : r) out.push_back(intake_name(s.intake));
            return out;
          },
          py::arg("events"), "submit_many(events) -> list of 'accepted' | 'duplicate', in one transaction.")
      .def(
          "run_until_idle",
          [](PyEngine& e, std::optional<double> max_time) {
            oss::RunOptions ro;
            if (max_time) ro.max_time = ms(*max_time);
            auto s = take(nogil([&] { return e.engine->run_until_idle(ro); }));
            py::dict d;
            d["idle"] = s.idle;
            d["batches"] = s.batches;
            d["applied"] = s.applied;
            d["retried"] = s.retried;
            d["dead_lettered"] = s.dead_lettered;
            return d;
          },
          py::arg("max_time") = py::none(),
          "run_until_idle(max_time=None) -> {'idle', 'batches', 'applied', 'retried', 'dead_lettered'}: sends until "
          "nothing is left but dead letters, or max_time seconds passed.")
      .def(
          "start", [](PyEngine& e) { take(nogil([&] { return e.engine->start(); })); },
          "Background workers, until stop().")
      .def(
          "stop", [](PyEngine& e, double deadline) { return nogil([&] { return e.engine->stop(ms(deadline)); }); },
          py::arg("deadline") = 10.0, "stop(deadline=10.0) -> True when every worker finished in time.")
      .def(
          "status",
          [](PyEngine& e) {
            auto st = take(nogil([&] { return e.store.store->status(); }));
            py::dict out;
            for (std::size_t l = 0; l < oss::lane_count; ++l) {
              const auto& s = st.lanes[l];
              py::dict d;
              d["pending"] = s.pending;
              d["in_flight"] = s.in_flight;
              d["applied"] = s.applied;
              d["dead"] = s.dead;
              d["discarded"] = s.discarded;
              d["open_batches"] = s.open_batches;
              d["oldest_pending_ms"] =
                  s.oldest_pending_ms ? py::object(py::int_(*s.oldest_pending_ms)) : py::object(py::none());
              out[py::str(std::string(oss::to_string(static_cast<oss::Lane>(l))))] = d;
            }
            return out;
          },
          "Per lane: pending, in_flight, applied, dead, discarded, open_batches, oldest_pending_ms.")
      .def(
          "dead_letters",
          [](PyEngine& e, std::size_t limit) {
            auto rows = take(nogil([&] { return e.store.store->list(oss::EventStatus::dead, limit); }));
            py::list out;
            for (const auto& r : rows) out.append(stored(r));
            return out;
          },
          py::arg("limit") = 100, "The dead-letter queue: dicts with source, id, type, subject, attempts, error, body.")
      .def(
          "get",
          [](PyEngine& e, std::string source, std::string id) -> py::object {
            auto r = take(nogil([&] { return e.store.store->get(source, id); }));
            if (!r) return py::none();
            return stored(*r);
          },
          py::arg("source"), py::arg("id"), "One stored event as a dict (with its status), or None.")
      .def(
          "replay",
          [](PyEngine& e, std::string source, std::string id) {
            take(nogil([&] { return e.engine->replay(source, id); }));
          },
          py::arg("source"), py::arg("id"),
          "Re-queues a dead event (after its cause is fixed); NotFoundError if not dead.")
      .def(
          "discard",
          [](PyEngine& e, std::string source, std::string id, std::string reason) {
            take(nogil([&] { return e.engine->discard(source, id, reason); }));
          },
          py::arg("source"), py::arg("id"), py::arg("reason"), "Drops a dead event for good, with a reason.")
      .def(
          "audit",
          [](PyEngine& e, std::optional<std::string> id, std::optional<std::string> source,
             std::optional<std::string> subject, std::optional<std::string> correlation_id, std::size_t limit,
             std::optional<std::string> trace) {
            oss::AuditQuery q;
            q.id = id;
            q.source = source;
            q.subject = subject;
            q.correlation_id = correlation_id;
            if (trace) q.trace_id = take(os::http::parse_trace_id(*trace));
            q.limit = limit;
            auto rows = take(nogil([&] { return e.store.store->audit(q); }));
            py::list out;
            for (const auto& a : rows) {
              py::dict d;
              d["at_ms"] = a.at_ms;
              d["source"] = a.source;
              d["id"] = a.id;
              d["subject"] = a.subject;
              d["action"] = a.action;
              d["attempt"] = a.attempt;
              d["batch"] = a.batch;
              d["error"] = a.error;
              d["correlation_id"] = a.correlation_id;
              d["trace_id"] = a.trace_id;
              d["rpc_id"] = a.rpc.id;
              d["rpc_trace_id"] = a.rpc.trace_id;
              d["rpc_span_id"] = a.rpc.span_id;
              out.append(d);
            }
            return out;
          },
          py::arg("id") = py::none(), py::arg("source") = py::none(), py::arg("subject") = py::none(),
          py::arg("correlation_id") = py::none(), py::arg("limit") = 1000, py::arg("trace") = py::none(),
          "Every state change of events, by id (and source), subject, correlation id or trace (a trace id or a "
          "whole traceparent: the events of the trace and those its RPCs carried, each with the RPC that "
          "applied it).")
      .def(
          "metrics", [](PyEngine& e) { return metrics_dict(nogil([&] { return e.engine->metrics(); })); },
          "Counters per lane and type, queue gauges, RPC counts and latency, probes, splits, breaker.")
      .def(
          "prometheus", [](PyEngine& e) { return nogil([&] { return e.engine->prometheus(); }); },
          "The metrics as Prometheus text.")
      .def_property_readonly("breaker_state",
                             [](PyEngine& e) { return std::string(os::http::to_string(e.engine->breaker_state())); });

  // --- reconciliation ---
  m.def(
      "reconcile_stock",
      [](PyClient& c, py::object snapshot, std::int64_t page_size) {
        std::vector<oss::SnapshotRow> rows;
        if (py::isinstance<py::str>(snapshot) || py::hasattr(snapshot, "__fspath__")) {
          const std::string path = py::str(py::module_::import("os").attr("fspath")(snapshot)).cast<std::string>();
          rows = take(nogil([&] { return oss::read_stock_snapshot(path); }));
        } else {
          std::string jsonl;
          for (auto item : snapshot) {
            auto t = item.cast<py::tuple>();
            if (t.size() != 3)
              throw py::value_error("odoosync.reconcile_stock: each snapshot row is (sku, location, quantity)");
            py::dict d;
            d["sku"] = t[0];
            d["location"] = t[1];
            d["quantity"] = py::str(t[2]);
            jsonl += json_of(d) + "\n";
          }
          rows = take(oss::parse_stock_snapshot(jsonl, oss::SnapshotFormat::jsonl));
        }
        oss::ReconcileOptions o;
        o.page_size = page_size;
        auto r = take(nogil([&] { return oss::reconcile_stock(*c.client, rows, o); }));
        return report_dict(r);
      },
      py::arg("client"), py::arg("snapshot"), py::arg("page_size") = 500,
      "reconcile_stock(client, snapshot, page_size=500) -> {'compared', 'matching', 'drift': [...]}; snapshot is a "
      ".csv/.jsonl path or a list of (sku, location, quantity).");
  m.def(
      "correcting_events",
      [](py::dict report, std::string source, std::optional<std::string> time) {
        auto r = report_of(report);
        auto t = time ? take(retail::Timestamp::parse(*time)) : retail::Timestamp::now();
        return take(oss::correcting_events(r, source, t));
      },
      py::arg("report"), py::arg("source"), py::arg("time") = py::none(),
      "correcting_events(report, source, time=None) -> stock counts (Events) that make Odoo match the snapshot.");
}

}  // namespace binding
