// odoosync._odoosync: the C++ SDK for Python. The package odoosync (odoosync/__init__.py) wraps it
// with the Pythonic parts (Domain builder, Money and Quantity over decimal.Decimal, make_event, the
// exception classes). Every call that waits on the network or the disk releases the GIL; results are
// converted to Python objects after it is taken back. Errors become odoosync.Error subclasses.
#include <odoosync/core/json.hpp>
#include <odoosync/emulator/emulated_odoo.hpp>
#include <odoosync/odoo/client.hpp>
#include <odoosync/odoo/cursor.hpp>
#include <odoosync/retail/events.hpp>
#include <odoosync/retail/money.hpp>
#include <odoosync/retail/quantity.hpp>
#include <odoosync/sync/engine.hpp>
#include <odoosync/sync/memory_store.hpp>
#include <odoosync/sync/reconcile.hpp>
#include <odoosync/sync/sqlite_store.hpp>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace py = pybind11;
namespace os = odoosync;
namespace odoo = odoosync::odoo;
namespace oss = odoosync::sync;
namespace retail = odoosync::retail;

namespace {

// --- errors ---------------------------------------------------------------------------------------

[[noreturn]] void raise(const os::Error& e) {
  py::object make = py::module_::import("odoosync.errors").attr("_from_native");
  py::object exc = make(std::string(os::to_string(e.kind())), e.odoo_class(), e.message(), e.to_string(), e.retryable(),
                        e.outcome_unknown(), e.http_status(), e.correlation_id());
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
  throw py::error_already_set();
}

template <class T>
T take(os::result<T>&& r) {
  if (!r) raise(r.error());
  return std::move(r).value();
}
inline void take(os::result<void>&& r) {
  if (!r) raise(r.error());
}

// Runs f without the GIL (network, disk); its result is handled with the GIL held again.
template <class F>
auto nogil(F&& f) -> decltype(f()) {
  py::gil_scoped_release release;
  return f();
}

// --- JSON <-> Python ------------------------------------------------------------------------------

// Object keys repeat in every row of a result: each distinct key becomes one Python string, shared.
class Converter {
 public:
  py::object operator()(const os::json::Value& v) {
    switch (v.GetType()) {
      case rapidjson::kNullType: return py::none();
      case rapidjson::kFalseType: return py::bool_(false);
      case rapidjson::kTrueType: return py::bool_(true);
      case rapidjson::kStringType: return py::str(v.GetString(), v.GetStringLength());
      case rapidjson::kNumberType:
        if (v.IsInt64()) return py::int_(v.GetInt64());
        if (v.IsUint64()) return py::int_(v.GetUint64());
        return py::float_(v.GetDouble());
      case rapidjson::kArrayType: {
        py::list out(v.Size());
        for (rapidjson::SizeType i = 0; i < v.Size(); ++i) out[i] = (*this)(v[i]);
        return out;
      }
      case rapidjson::kObjectType: {
        py::dict out;
        for (const auto& m : v.GetObject()) out[key(m.name)] = (*this)(m.value);
        return out;
      }
    }
    return py::none();
  }

 private:
  const py::str& key(const os::json::Value& name) {
    std::string_view k(name.GetString(), name.GetStringLength());
    auto it = keys_.find(k);
    if (it == keys_.end()) {
      if (keys_.size() > 4096) keys_.clear();  // not a table of rows: do not grow without bound
      it = keys_.emplace(std::string(k), py::str(k.data(), k.size())).first;
    }
    return it->second;
  }
  std::map<std::string, py::str, std::less<>> keys_;
};

py::object to_py(const os::json::Value& v) { return Converter{}(v); }

// Python values as JSON text: dict, list, tuple, str, int, float, bool, None, and anything with a
// `__odoosync_json__` method (Money, Quantity, Domain) or a decimal.Decimal (an exact number).
void write(os::json::Writer& w, py::handle v) {
  if (v.is_none()) {
    w.null();
  } else if (py::isinstance<py::bool_>(v)) {
    w.boolean(v.cast<bool>());
  } else if (py::isinstance<py::int_>(v)) {
    w.integer(v.cast<std::int64_t>());
  } else if (py::isinstance<py::float_>(v)) {
    w.number(v.cast<double>());
  } else if (py::isinstance<py::str>(v)) {
    w.string(v.cast<std::string>());
  } else if (py::isinstance<py::dict>(v)) {
    w.begin_object();
    for (auto item : v.cast<py::dict>()) {
      w.key(py::str(item.first).cast<std::string>());
      write(w, item.second);
    }
    w.end_object();
  } else if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
    w.begin_array();
    for (auto item : v) write(w, item);
    w.end_array();
  } else if (py::hasattr(v, "__odoosync_json__")) {
    write(w, v.attr("__odoosync_json__")());
  } else if (py::module_::import("decimal").attr("Decimal").cast<py::object>().ptr() == reinterpret_cast<PyObject*>(Py_TYPE(v.ptr()))) {
    w.decimal(py::str(v).cast<std::string>());
  } else {
    throw py::type_error("odoosync: cannot send a " + py::str(py::type::of(v).attr("__name__")).cast<std::string>() +
                         " to Odoo as JSON");
  }
}

std::string json_of(py::handle v) {
  os::json::Writer w;
  write(w, v);
  return std::string(take(w.view()));
}

odoo::Domain domain_of(const py::object& d) {
  if (d.is_none()) return {};
  return take(odoo::Domain::from_json(json_of(d)));
}

odoo::Values values_of(const py::dict& d) {
  odoo::Values v;
  for (auto item : d) v.set_json(py::str(item.first).cast<std::string>(), json_of(item.second));
  return v;
}

std::vector<std::string> strings(const py::object& o) {
  if (o.is_none()) return {};
  return o.cast<std::vector<std::string>>();
}

odoo::SearchOptions page(std::int64_t offset, std::optional<std::int64_t> limit, std::optional<std::string> order) {
  odoo::SearchOptions p;
  p.offset = offset;
  p.limit = limit;
  if (order) p.order = *order;
  return p;
}

// --- client ---------------------------------------------------------------------------------------

// A Client and the sink its requests are counted in (the engine reads RPC counts from it). Calls made
// from Python get the default policies (odoo::ClientOptions: retry, circuit breaker); the engine gets
// the client it states it needs (sync::engine_client_options: no policies of its own, requests counted).
struct PyClient {
  std::shared_ptr<odoo::Client> client;
  std::shared_ptr<odoo::Client> engine_client;
  std::shared_ptr<os::InMemoryMetrics> metrics = std::make_shared<os::InMemoryMetrics>();
};

PyClient client_from(odoo::Config c) {
  PyClient pc;
  odoo::ClientOptions user;
  user.pipeline.metrics = pc.metrics;
  pc.client = take(odoo::Client::create(c, user));
  pc.engine_client = take(odoo::Client::create(c, oss::engine_client_options(pc.metrics)));
  return pc;
}

// Rows of an odoo::IdCursor or odoo::ChangeCursor, one page in memory, handed out one at a time.
template <class Cursor>
class RowIterator {
 public:
  template <class... Args>
  explicit RowIterator(PyClient c, Args&&... args) : client_(std::move(c)), cursor_(*client_.client, std::forward<Args>(args)...) {}
  py::object next() {
    while (index_ >= rows_.size()) {
      if (done_) throw py::stop_iteration();
      // The cursor is used without the GIL: a second thread advancing this iterator meanwhile is refused.
      if (busy_) throw py::value_error("odoosync: this iterator is being advanced by another thread");
      busy_ = true;
      auto p = nogil([&] { return cursor_.next(); });
      busy_ = false;
      auto got = take(std::move(p));
      if (!got) {
        done_ = true;
        throw py::stop_iteration();
      }
      rows_ = py::reinterpret_borrow<py::list>(to_py(*got));
      index_ = 0;
    }
    return rows_[index_++];
  }
  const Cursor& cursor() const { return cursor_; }

 private:
  PyClient client_;  // keeps the client the cursor refers to alive
  Cursor cursor_;
  py::list rows_;
  std::size_t index_ = 0;
  bool done_ = false;
  bool busy_ = false;  // read and written with the GIL held
};
using PageIterator = RowIterator<odoo::IdCursor>;
using ChangeIterator = RowIterator<odoo::ChangeCursor>;

// --- sync -----------------------------------------------------------------------------------------

struct PyStore {
  std::shared_ptr<oss::Store> store;
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

std::chrono::milliseconds ms(double seconds) {
  return std::chrono::milliseconds{static_cast<std::int64_t>(seconds * 1000.0)};
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

PYBIND11_MODULE(_odoosync, m) {
  m.doc() = "odoosync's C++ core; import the odoosync package, not this module.";

  // --- client (the iterators first, so that signatures in help() name them) ---
  py::class_<PageIterator>(m, "PageIterator", "Records of a domain in id order, fetched a page at a time.")
      .def("__iter__", [](PageIterator& it) -> PageIterator& { return it; })
      .def("__next__", &PageIterator::next);
  py::class_<ChangeIterator>(m, "ChangeIterator",
                             "Records changed since a checkpoint; .checkpoint is where the pages handed out so far end.")
      .def("__iter__", [](ChangeIterator& it) -> ChangeIterator& { return it; })
      .def("__next__", &ChangeIterator::next)
      .def_property_readonly("checkpoint", [](const ChangeIterator& it) { return it.cursor().checkpoint().to_string(); });

  py::class_<PyClient>(m, "Client", R"(A client of one Odoo database: JSON-RPC (Odoo <= 19) or JSON-2 (Odoo >= 19),
chosen from the server's version. Safe to share between threads; the GIL is released while a call
waits on the network. Results are Python dicts and lists; errors raise odoosync.Error subclasses.)")
      .def(py::init([](std::string url, std::optional<std::string> database, std::optional<std::string> login,
                       std::optional<std::string> api_key, std::optional<std::string> password, std::string protocol,
                       double timeout, bool verify_tls) {
             odoo::Config c;
             c.url = std::move(url);
             c.database = database.value_or("");
             c.login = login.value_or("");
             if (api_key) c.api_key = os::Secret(*api_key);
             if (password) c.password = os::Secret(*password);
             c.protocol = take(odoo::parse_protocol(protocol));
             c.timeout = ms(timeout);
             c.verify_tls = verify_tls;
             take(c.validate());
             return client_from(std::move(c));
           }),
           py::arg("url"), py::arg("database") = py::none(), py::arg("login") = py::none(), py::arg("api_key") = py::none(),
           py::arg("password") = py::none(), py::arg("protocol") = "auto", py::arg("timeout") = 120.0,
           py::arg("verify_tls") = true,
           "Client(url, database=None, login=None, api_key=None, password=None, protocol='auto', timeout=120.0, "
           "verify_tls=True). An API key is preferred; with a password the client logs in once and keeps the session.")
      .def_static("from_env", [] { return client_from(take(odoo::Config::from_env())); },
                  "A client from ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY or ODOO_PASSWORD, ODOO_PROTOCOL, ODOO_TIMEOUT_MS.")
      .def("version", [](PyClient& c) {
             auto v = take(nogil([&] { return c.client->version(); }));
             py::dict d;
             d["major"] = v.major;
             d["minor"] = v.minor;
             d["text"] = v.text;
             return d;
           }, "The server's version: {'major': 18, 'minor': 0, 'text': '18.0'} (asked once, then cached).")
      .def("protocol", [](PyClient& c) {
             return std::string(odoo::to_string(take(nogil([&] { return c.client->protocol(); }))));
           }, "'jsonrpc' or 'json2': what this client speaks to the server.")
      .def("call", [](PyClient& c, std::string model, std::string method, py::object args, py::object kwargs) {
             const std::string a = args.is_none() ? "[]" : json_of(args), k = kwargs.is_none() ? "{}" : json_of(kwargs);
             auto r = take(nogil([&] { return c.client->call(model, method, a, k); }));
             return to_py(r);
           }, py::arg("model"), py::arg("method"), py::arg("args") = py::none(), py::arg("kwargs") = py::none(),
           "call(model, method, args=None, kwargs=None): any method, positional args as a list, named ones as a dict.")
      .def("search", [](PyClient& c, std::string model, py::object domain, std::int64_t offset, std::optional<std::int64_t> limit,
                        std::optional<std::string> order) {
             auto d = domain_of(domain);
             return take(nogil([&] { return c.client->search(model, d, page(offset, limit, order)); }));
           }, py::arg("model"), py::arg("domain") = py::none(), py::arg("offset") = 0, py::arg("limit") = py::none(),
           py::arg("order") = py::none(), "search(model, domain=None, offset=0, limit=None, order=None) -> list of ids.")
      .def("search_read", [](PyClient& c, std::string model, py::object domain, py::object fields, std::int64_t offset,
                             std::optional<std::int64_t> limit, std::optional<std::string> order) {
             auto d = domain_of(domain);
             auto f = strings(fields);
             auto r = take(nogil([&] { return c.client->search_read(model, d, f, page(offset, limit, order)); }));
             return to_py(r);
           }, py::arg("model"), py::arg("domain") = py::none(), py::arg("fields") = py::none(), py::arg("offset") = 0,
           py::arg("limit") = py::none(), py::arg("order") = py::none(),
           "search_read(model, domain=None, fields=None, offset=0, limit=None, order=None) -> list of dicts.")
      .def("read", [](PyClient& c, std::string model, std::vector<std::int64_t> ids, py::object fields) {
             auto f = strings(fields);
             return to_py(take(nogil([&] { return c.client->read(model, ids, f); })));
           }, py::arg("model"), py::arg("ids"), py::arg("fields") = py::none(), "read(model, ids, fields=None) -> list of dicts.")
      .def("search_count", [](PyClient& c, std::string model, py::object domain) {
             auto d = domain_of(domain);
             return take(nogil([&] { return c.client->search_count(model, d); }));
           }, py::arg("model"), py::arg("domain") = py::none(), "search_count(model, domain=None) -> int.")
      .def("create", [](PyClient& c, std::string model, py::object values) -> py::object {
             if (py::isinstance<py::dict>(values)) {
               auto v = values_of(values.cast<py::dict>());
               return py::int_(take(nogil([&] { return c.client->create(model, v); })));
             }
             std::vector<odoo::Values> many;
             for (auto item : values) many.push_back(values_of(item.cast<py::dict>()));
             return py::cast(take(nogil([&] { return c.client->create(model, many); })));
           }, py::arg("model"), py::arg("values"),
           "create(model, values) -> id for a dict of values, list of ids for a list of dicts (one call).")
      .def("write", [](PyClient& c, std::string model, std::vector<std::int64_t> ids, py::dict values) {
             auto v = values_of(values);
             take(nogil([&] { return c.client->write(model, ids, v); }));
           }, py::arg("model"), py::arg("ids"), py::arg("values"), "write(model, ids, values) -> None.")
      .def("unlink", [](PyClient& c, std::string model, std::vector<std::int64_t> ids) {
             take(nogil([&] { return c.client->unlink(model, ids); }));
           }, py::arg("model"), py::arg("ids"), "unlink(model, ids) -> None.")
      .def("name_search", [](PyClient& c, std::string model, std::string name, py::object domain, std::int64_t limit) {
             auto d = domain_of(domain);
             auto r = take(nogil([&] { return c.client->name_search(model, name, d, "ilike", limit); }));
             py::list out;
             for (const auto& x : r) out.append(py::make_tuple(x.id, x.name));
             return out;
           }, py::arg("model"), py::arg("name") = "", py::arg("domain") = py::none(), py::arg("limit") = 100,
           "name_search(model, name='', domain=None, limit=100) -> list of (id, display name).")
      .def("read_group", [](PyClient& c, std::string model, py::object domain, std::vector<std::string> fields,
                            std::vector<std::string> groupby, bool lazy) {
             auto d = domain_of(domain);
             return to_py(take(nogil([&] { return c.client->read_group(model, d, fields, groupby, lazy); })));
           }, py::arg("model"), py::arg("domain"), py::arg("fields"), py::arg("groupby"), py::arg("lazy") = true,
           "read_group(model, domain, fields, groupby, lazy=True) -> list of dicts.")
      .def("fields_get", [](PyClient& c, std::string model, py::object attributes) {
             auto a = strings(attributes);
             return to_py(take(nogil([&] { return c.client->fields_get(model, a); })));
           }, py::arg("model"), py::arg("attributes") = py::none(), "fields_get(model, attributes=None) -> dict of fields.")
      .def("load", [](PyClient& c, std::string model, std::vector<std::string> fields, std::vector<std::vector<std::string>> rows) {
             auto loaded = take(nogil([&] { return c.client->load(model, fields, rows); }));
             if (!loaded.written()) take(os::result<void>(loaded.refusal(model)));
             return loaded.ids;
           }, py::arg("model"), py::arg("fields"), py::arg("rows"),
           "load(model, fields, rows) -> ids: import with external ids ('id' column), all rows or none; a bad row "
           "raises ValidationError naming the row and field.")
      .def("iterate", [](PyClient& c, std::string model, py::object domain, py::object fields, std::int64_t page_size) {
             return PageIterator(c, std::move(model), domain_of(domain), strings(fields), page_size);
           }, py::arg("model"), py::arg("domain") = py::none(), py::arg("fields") = py::none(), py::arg("page_size") = 500,
           "iterate(model, domain=None, fields=None, page_size=500) -> iterator of dicts, in id order, one page in memory.")
      .def("changes", [](PyClient& c, std::string model, py::object domain, py::object fields, std::string since,
                         std::int64_t page_size) {
             auto from = take(odoo::Checkpoint::parse(since));
             return ChangeIterator(c, std::move(model), domain_of(domain), strings(fields), std::move(from), page_size);
           }, py::arg("model"), py::arg("domain") = py::none(), py::arg("fields") = py::none(), py::arg("since") = "",
           py::arg("page_size") = 500,
           "changes(model, domain=None, fields=None, since='', page_size=500) -> iterator of dicts changed since a "
           "checkpoint, by (write_date, id); its .checkpoint resumes exactly.");

  // --- exact values: the validators behind odoosync.Money and odoosync.Quantity ---
  m.def("_money", [](const std::string& amount, const std::string& currency) {
    auto money = take(retail::Money::parse(amount, currency));
    return py::make_tuple(money.minor_units(), money.amount(), money.currency().exponent());
  });
  m.def("_quantity", [](const std::string& value, const std::string& uom) {
    auto q = take(retail::Quantity::parse(value, uom));
    return q.value();
  });

  // --- events ---
  py::class_<retail::Event>(m, "Event", R"(A retail event in the CloudEvents 1.0 envelope, validated (docs/events.md).
Make one with odoosync.make_event(), Event.decode(json_text) or Event.from_dict(d).)")
      .def_static("decode", [](const std::string& text) { return take(retail::decode_event(text)); }, py::arg("json_text"),
                  "Decodes and validates; InvalidInput names the problem as '<JSON pointer>: <what>'.")
      .def("to_json", [](const retail::Event& e) { return retail::encode_event(e); }, "The canonical JSON text.")
      .def("to_dict", [](const retail::Event& e) {
             auto doc = take(os::json::parse(retail::encode_event(e)));
             return to_py(doc);
           }, "The canonical form as a dict (amounts and quantities as decimal strings).")
      .def_property_readonly("id", [](const retail::Event& e) { return e.id; })
      .def_property_readonly("source", [](const retail::Event& e) { return e.source; })
      .def_property_readonly("type", [](const retail::Event& e) { return std::string(e.type()); })
      .def_property_readonly("subject", [](const retail::Event& e) { return e.subject; })
      .def_property_readonly("time", [](const retail::Event& e) { return e.time.to_string(); })
      .def_property_readonly("sequence", [](const retail::Event& e) { return e.sequence; })
      .def_property_readonly("traceparent", [](const retail::Event& e) { return e.traceparent; })
      .def("__eq__", [](const retail::Event& a, const retail::Event& b) { return a == b; })
      .def("__repr__", [](const retail::Event& e) {
        return "<odoosync.Event " + std::string(e.type()) + " " + e.source + " " + e.id + " " + e.subject + ">";
      });
  m.def("event_types", [] {
    std::vector<std::string> out;
    for (auto t : retail::event_types()) out.emplace_back(t);
    return out;
  }, "The 14 event types this build reads and writes.");

  // --- stores and engine ---
  py::class_<PyStore>(m, "Store", "Where the sync engine keeps events: SqliteStore(path) or MemoryStore().");
  m.def("_sqlite_store", [](const std::string& path) {
    auto s = take(nogil([&] { return oss::SqliteStore::open(path); }));
    return PyStore{std::shared_ptr<oss::Store>(std::move(s))};
  });
  m.def("_memory_store", [] { return PyStore{std::make_shared<oss::MemoryStore>()}; });

  py::class_<PyEngine>(m, "Engine", R"(The sync engine: submit() makes an event durable (once per (source, id)); run_until_idle()
or start()/stop() send the events' effects to Odoo exactly once (docs/sync.md). Thread-safe; storage and network
work releases the GIL.)")
      .def(py::init([](PyStore store, std::optional<PyClient> client, std::size_t realtime_batch_size, std::size_t bulk_batch_size,
                       int realtime_workers, int bulk_workers, int max_attempts, double initial_backoff, double max_backoff,
                       int breaker_threshold, double breaker_cool_down, std::uint64_t high_water, double grace) {
             oss::EngineOptions o;
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
           py::arg("unknown_outcome_grace") = 30.0)
      .def("submit", [](PyEngine& e, py::handle event) {
             if (py::isinstance<retail::Event>(event)) {
               auto ev = event.cast<retail::Event>();
               return intake_name(take(nogil([&] { return e.engine->submit(ev); })).intake);
             }
             // Text and dicts go through the engine's own decoder, which counts what it rejects.
             const std::string text = py::isinstance<py::str>(event) ? event.cast<std::string>() : json_of(event);
             return intake_name(take(nogil([&] { return e.engine->submit_json(text); })).intake);
           }, py::arg("event"),
           "submit(event) -> 'accepted' | 'duplicate'. event: Event, JSON text or dict. Durable when it returns; "
           "InvalidInput stores nothing; BackpressureError above the lane's high-water mark.")
      .def("submit_many", [](PyEngine& e, py::iterable events) {
             std::vector<retail::Event> evs;
             for (auto item : events) evs.push_back(event_of(item));
             auto r = take(nogil([&] { return e.engine->submit_many(evs); }));
             std::vector<std::string> out;
             for (const auto& s : r) out.push_back(intake_name(s.intake));
             return out;
           }, py::arg("events"), "submit_many(events) -> list of 'accepted' | 'duplicate', in one transaction.")
      .def("run_until_idle", [](PyEngine& e, std::optional<double> max_time) {
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
           }, py::arg("max_time") = py::none(),
           "run_until_idle(max_time=None) -> {'idle', 'batches', 'applied', 'retried', 'dead_lettered'}: sends until "
           "nothing is left but dead letters, or max_time seconds passed.")
      .def("start", [](PyEngine& e) { take(nogil([&] { return e.engine->start(); })); }, "Background workers, until stop().")
      .def("stop", [](PyEngine& e, double deadline) { return nogil([&] { return e.engine->stop(ms(deadline)); }); },
           py::arg("deadline") = 10.0, "stop(deadline=10.0) -> True when every worker finished in time.")
      .def("status", [](PyEngine& e) {
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
               d["oldest_pending_ms"] = s.oldest_pending_ms ? py::object(py::int_(*s.oldest_pending_ms)) : py::object(py::none());
               out[py::str(std::string(oss::to_string(static_cast<oss::Lane>(l))))] = d;
             }
             return out;
           }, "Per lane: pending, in_flight, applied, dead, discarded, open_batches, oldest_pending_ms.")
      .def("dead_letters", [](PyEngine& e, std::size_t limit) {
             auto rows = take(nogil([&] { return e.store.store->list(oss::EventStatus::dead, limit); }));
             py::list out;
             for (const auto& r : rows) out.append(stored(r));
             return out;
           }, py::arg("limit") = 100, "The dead-letter queue: dicts with source, id, type, subject, attempts, error, body.")
      .def("get", [](PyEngine& e, std::string source, std::string id) -> py::object {
             auto r = take(nogil([&] { return e.store.store->get(source, id); }));
             if (!r) return py::none();
             return stored(*r);
           }, py::arg("source"), py::arg("id"), "One stored event as a dict (with its status), or None.")
      .def("replay", [](PyEngine& e, std::string source, std::string id) {
             take(nogil([&] { return e.engine->replay(source, id); }));
           }, py::arg("source"), py::arg("id"), "Re-queues a dead event (after its cause is fixed); NotFoundError if not dead.")
      .def("discard", [](PyEngine& e, std::string source, std::string id, std::string reason) {
             take(nogil([&] { return e.engine->discard(source, id, reason); }));
           }, py::arg("source"), py::arg("id"), py::arg("reason"), "Drops a dead event for good, with a reason.")
      .def("audit", [](PyEngine& e, std::optional<std::string> id, std::optional<std::string> source,
                       std::optional<std::string> subject, std::optional<std::string> correlation_id, std::size_t limit) {
             oss::AuditQuery q;
             q.id = id;
             q.source = source;
             q.subject = subject;
             q.correlation_id = correlation_id;
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
               out.append(d);
             }
             return out;
           }, py::arg("id") = py::none(), py::arg("source") = py::none(), py::arg("subject") = py::none(),
           py::arg("correlation_id") = py::none(), py::arg("limit") = 1000,
           "Every state change of events, by id (and source), subject or correlation id.")
      .def("metrics", [](PyEngine& e) { return metrics_dict(nogil([&] { return e.engine->metrics(); })); },
           "Counters per lane and type, queue gauges, RPC counts and latency, probes, splits, breaker.")
      .def("prometheus", [](PyEngine& e) { return nogil([&] { return e.engine->prometheus(); }); },
           "The metrics as Prometheus text.")
      .def_property_readonly("breaker_state", [](PyEngine& e) { return std::string(os::http::to_string(e.engine->breaker_state())); });

  // --- reconciliation ---
  m.def("reconcile_stock", [](PyClient& c, py::object snapshot, std::int64_t page_size) {
    std::vector<oss::SnapshotRow> rows;
    if (py::isinstance<py::str>(snapshot) || py::hasattr(snapshot, "__fspath__")) {
      const std::string path = py::str(py::module_::import("os").attr("fspath")(snapshot)).cast<std::string>();
      rows = take(nogil([&] { return oss::read_stock_snapshot(path); }));
    } else {
      std::string jsonl;
      for (auto item : snapshot) {
        auto t = item.cast<py::tuple>();
        if (t.size() != 3) throw py::value_error("odoosync.reconcile_stock: each snapshot row is (sku, location, quantity)");
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
  }, py::arg("client"), py::arg("snapshot"), py::arg("page_size") = 500,
     "reconcile_stock(client, snapshot, page_size=500) -> {'compared', 'matching', 'drift': [...]}; snapshot is a "
     ".csv/.jsonl path or a list of (sku, location, quantity).");
  m.def("correcting_events", [](py::dict report, std::string source, std::optional<std::string> time) {
    auto r = report_of(report);
    auto t = time ? take(retail::Timestamp::parse(*time)) : retail::Timestamp::now();
    return take(oss::correcting_events(r, source, t));
  }, py::arg("report"), py::arg("source"), py::arg("time") = py::none(),
     "correcting_events(report, source, time=None) -> stock counts (Events) that make Odoo match the snapshot.");

  // --- the emulator ---
  py::class_<os::EmulatedOdoo>(m, "_Emulator")
      .def_property_readonly("url", &os::EmulatedOdoo::url)
      .def_property_readonly("database", &os::EmulatedOdoo::database)
      .def_property_readonly("login", &os::EmulatedOdoo::login)
      .def_property_readonly("api_key", &os::EmulatedOdoo::api_key)
      .def_property_readonly("password", &os::EmulatedOdoo::password)
      .def("inject", [](os::EmulatedOdoo& e, std::string fault) { take(nogil([&] { return e.inject(fault); })); })
      .def("stop", [](os::EmulatedOdoo& e) { nogil([&] { e.stop(); }); });
  m.def("_emulator", [](int version, std::size_t products, bool keep_alive, std::string fixture, std::uint64_t seed,
                        std::string data_dir) {
    os::EmulatedOdooOptions o;
    o.odoo_version = version;
    o.extra_products = products;
    o.keep_alive = keep_alive;
    o.fixture_file = std::move(fixture);
    o.seed = seed;
    o.data_dir = std::move(data_dir);
    return take(nogil([&] { return os::EmulatedOdoo::start(o); }));
  });
}
