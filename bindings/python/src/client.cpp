// The client: Client (its Config from arguments or the environment), its calls, and the iterators over
// pages (iterate) and changes (changes). A domain arrives as anything json_of() writes (odoosync.Domain, a list).
#include "common.hpp"

#include <odoosync/odoo/client.hpp>
#include <odoosync/odoo/cursor.hpp>
#include <odoosync/sync/engine.hpp>

#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace oss = odoosync::sync;

namespace binding {

namespace {

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
  explicit RowIterator(PyClient c, Args&&... args)
      : client_(std::move(c)), cursor_(*client_.client, std::forward<Args>(args)...) {}
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

}  // namespace

void bind_client(py::module_& m) {
  // The iterators first, so that signatures in help() name them.
  py::class_<PageIterator>(m, "PageIterator", "Records of a domain in id order, fetched a page at a time.")
      .def("__iter__", [](PageIterator& it) -> PageIterator& { return it; })
      .def("__next__", &PageIterator::next);
  py::class_<ChangeIterator>(
      m, "ChangeIterator", "Records changed since a checkpoint; .checkpoint is where the pages handed out so far end.")
      .def("__iter__", [](ChangeIterator& it) -> ChangeIterator& { return it; })
      .def("__next__", &ChangeIterator::next)
      .def_property_readonly("checkpoint",
                             [](const ChangeIterator& it) { return it.cursor().checkpoint().to_string(); });

  py::class_<PyClient>(m, "Client", R"(A client of one Odoo database: JSON-RPC (Odoo <= 19) or JSON-2 (Odoo >= 19),
chosen from the server's version. Safe to share between threads; the GIL is released while a call
waits on the network. Results are Python dicts and lists; errors raise odoosync.Error subclasses.)")
      // Every argument arrives as a Python object and is checked here: pybind11's own message for a
      // wrong type repeats every argument given, the API key and password included.
      .def(py::init([](const py::object& url, const py::object& database, const py::object& login,
                       const py::object& api_key, const py::object& password, const py::object& protocol,
                       const py::object& timeout, const py::object& verify_tls) {
             odoo::Config c;
             c.url = arg_str("Client", "url", url);
             c.database = arg_opt_str("Client", "database", database).value_or("");
             c.login = arg_opt_str("Client", "login", login).value_or("");
             if (auto k = arg_opt_str("Client", "api_key", api_key)) c.api_key = os::Secret(std::move(*k));
             if (auto p = arg_opt_str("Client", "password", password)) c.password = os::Secret(std::move(*p));
             c.protocol = take(odoo::parse_protocol(arg_str("Client", "protocol", protocol)));
             c.timeout = ms(arg_float("Client", "timeout", timeout));
             c.verify_tls = arg_bool("Client", "verify_tls", verify_tls);
             take(c.validate());
             return client_from(std::move(c));
           }),
           py::arg("url"), py::arg("database") = py::none(), py::arg("login") = py::none(),
           py::arg("api_key") = py::none(), py::arg("password") = py::none(), py::arg("protocol") = "auto",
           py::arg("timeout") = 120.0, py::arg("verify_tls") = true,
           "Client(url, database=None, login=None, api_key=None, password=None, protocol='auto', timeout=120.0, "
           "verify_tls=True). An API key is preferred; with a password the client logs in once and keeps the session.")
      .def_static(
          "from_env", [] { return client_from(take(odoo::Config::from_env())); },
          "A client from ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY or ODOO_PASSWORD, ODOO_PROTOCOL, ODOO_TIMEOUT_MS.")
      .def(
          "version",
          [](PyClient& c) {
            auto v = take(nogil([&] { return c.client->version(); }));
            py::dict d;
            d["major"] = v.major;
            d["minor"] = v.minor;
            d["text"] = v.text;
            return d;
          },
          "The server's version: {'major': 18, 'minor': 0, 'text': '18.0'} (asked once, then cached).")
      .def(
          "protocol",
          [](PyClient& c) { return std::string(odoo::to_string(take(nogil([&] { return c.client->protocol(); })))); },
          "'jsonrpc' or 'json2': what this client speaks to the server.")
      .def(
          "call",
          [](PyClient& c, std::string model, std::string method, py::object args, py::object kwargs) {
            const std::string a = args.is_none() ? "[]" : json_of(args), k = kwargs.is_none() ? "{}" : json_of(kwargs);
            auto r = take(nogil([&] { return c.client->call(model, method, a, k); }));
            return to_py(r);
          },
          py::arg("model"), py::arg("method"), py::arg("args") = py::none(), py::arg("kwargs") = py::none(),
          "call(model, method, args=None, kwargs=None): any method, positional args as a list, named ones as a dict.")
      .def(
          "search",
          [](PyClient& c, std::string model, py::object domain, std::int64_t offset, std::optional<std::int64_t> limit,
             std::optional<std::string> order) {
            auto d = domain_of(domain);
            return take(nogil([&] { return c.client->search(model, d, page(offset, limit, order)); }));
          },
          py::arg("model"), py::arg("domain") = py::none(), py::arg("offset") = 0, py::arg("limit") = py::none(),
          py::arg("order") = py::none(), "search(model, domain=None, offset=0, limit=None, order=None) -> list of ids.")
      .def(
          "search_read",
          [](PyClient& c, std::string model, py::object domain, py::object fields, std::int64_t offset,
             std::optional<std::int64_t> limit, std::optional<std::string> order) {
            auto d = domain_of(domain);
            auto f = strings(fields);
            auto r = take(nogil([&] { return c.client->search_read(model, d, f, page(offset, limit, order)); }));
            return to_py(r);
          },
          py::arg("model"), py::arg("domain") = py::none(), py::arg("fields") = py::none(), py::arg("offset") = 0,
          py::arg("limit") = py::none(), py::arg("order") = py::none(),
          "search_read(model, domain=None, fields=None, offset=0, limit=None, order=None) -> list of dicts.")
      .def(
          "read",
          [](PyClient& c, std::string model, std::vector<std::int64_t> ids, py::object fields) {
            auto f = strings(fields);
            return to_py(take(nogil([&] { return c.client->read(model, ids, f); })));
          },
          py::arg("model"), py::arg("ids"), py::arg("fields") = py::none(),
          "read(model, ids, fields=None) -> list of dicts.")
      .def(
          "search_count",
          [](PyClient& c, std::string model, py::object domain) {
            auto d = domain_of(domain);
            return take(nogil([&] { return c.client->search_count(model, d); }));
          },
          py::arg("model"), py::arg("domain") = py::none(), "search_count(model, domain=None) -> int.")
      .def(
          "create",
          [](PyClient& c, std::string model, py::object values) -> py::object {
            if (py::isinstance<py::dict>(values)) {
              auto v = values_of(values.cast<py::dict>());
              return py::int_(take(nogil([&] { return c.client->create(model, v); })));
            }
            std::vector<odoo::Values> many;
            for (auto item : values) many.push_back(values_of(item.cast<py::dict>()));
            return py::cast(take(nogil([&] { return c.client->create(model, many); })));
          },
          py::arg("model"), py::arg("values"),
          "create(model, values) -> id for a dict of values, list of ids for a list of dicts (one call).")
      .def(
          "write",
          [](PyClient& c, std::string model, std::vector<std::int64_t> ids, py::dict values) {
            auto v = values_of(values);
            take(nogil([&] { return c.client->write(model, ids, v); }));
          },
          py::arg("model"), py::arg("ids"), py::arg("values"), "write(model, ids, values) -> None.")
      .def(
          "unlink",
          [](PyClient& c, std::string model, std::vector<std::int64_t> ids) {
            take(nogil([&] { return c.client->unlink(model, ids); }));
          },
          py::arg("model"), py::arg("ids"), "unlink(model, ids) -> None.")
      .def(
          "name_search",
          [](PyClient& c, std::string model, std::string name, py::object domain, std::int64_t limit) {
            auto d = domain_of(domain);
            auto r = take(nogil([&] { return c.client->name_search(model, name, d, "ilike", limit); }));
            py::list out;
            for (const auto& x : r) out.append(py::make_tuple(x.id, x.name));
            return out;
          },
          py::arg("model"), py::arg("name") = "", py::arg("domain") = py::none(), py::arg("limit") = 100,
          "name_search(model, name='', domain=None, limit=100) -> list of (id, display name).")
      .def(
          "read_group",
          [](PyClient& c, std::string model, py::object domain, std::vector<std::string> fields,
             std::vector<std::string> groupby, bool lazy) {
            auto d = domain_of(domain);
            return to_py(take(nogil([&] { return c.client->read_group(model, d, fields, groupby, lazy); })));
          },
          py::arg("model"), py::arg("domain"), py::arg("fields"), py::arg("groupby"), py::arg("lazy") = true,
          "read_group(model, domain, fields, groupby, lazy=True) -> list of dicts.")
      .def(
          "fields_get",
          [](PyClient& c, std::string model, py::object attributes) {
            auto a = strings(attributes);
            return to_py(take(nogil([&] { return c.client->fields_get(model, a); })));
          },
          py::arg("model"), py::arg("attributes") = py::none(), "fields_get(model, attributes=None) -> dict of fields.")
      .def(
          "load",
          [](PyClient& c, std::string model, std::vector<std::string> fields,
             std::vector<std::vector<std::string>> rows) {
            auto loaded = take(nogil([&] { return c.client->load(model, fields, rows); }));
            if (!loaded.written()) take(os::result<void>(loaded.refusal(model)));
            return loaded.ids;
          },
          py::arg("model"), py::arg("fields"), py::arg("rows"),
          "load(model, fields, rows) -> ids: import with external ids ('id' column), all rows or none; a bad row "
          "raises ValidationError naming the row and field.")
      .def(
          "iterate",
          [](PyClient& c, std::string model, py::object domain, py::object fields, std::int64_t page_size) {
            return PageIterator(c, std::move(model), domain_of(domain), strings(fields), page_size);
          },
          py::arg("model"), py::arg("domain") = py::none(), py::arg("fields") = py::none(), py::arg("page_size") = 500,
          "iterate(model, domain=None, fields=None, page_size=500) -> iterator of dicts, in id order, one page in "
          "memory.")
      .def(
          "changes",
          [](PyClient& c, std::string model, py::object domain, py::object fields, std::string since,
             std::int64_t page_size) {
            auto from = take(odoo::Checkpoint::parse(since));
            return ChangeIterator(c, std::move(model), domain_of(domain), strings(fields), std::move(from), page_size);
          },
          py::arg("model"), py::arg("domain") = py::none(), py::arg("fields") = py::none(), py::arg("since") = "",
          py::arg("page_size") = 500,
          "changes(model, domain=None, fields=None, since='', page_size=500) -> iterator of dicts changed since a "
          "checkpoint, by (write_date, id); its .checkpoint resumes exactly.");
}

}  // namespace binding
