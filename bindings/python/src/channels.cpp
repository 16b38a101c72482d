// The inbound channel adapters: a configured channel verifies a delivery (its raw bytes, headers and
// URL) and maps it to canonical events, exactly as `odoosync serve` does (docs/channels.md).
#include "common.hpp"

#include <odoosync/channels/config.hpp>
#include <odoosync/channels/mapping.hpp>
#include <odoosync/channels/verifier.hpp>
#include <odoosync/retail/events.hpp>

#include <pybind11/stl.h>

#include <filesystem>
#include <string>
#include <vector>

namespace ch = odoosync::channels;

namespace binding {

namespace {

struct PyChannel {
  std::shared_ptr<const ch::Adapter> adapter;
};

// Headers as a dict or a list of (name, value) pairs (a list keeps repeated names).
os::http::Headers headers_of(const py::object& v) {
  os::http::Headers h;
  if (v.is_none()) return h;
  if (py::isinstance<py::dict>(v)) {
    for (auto item : v.cast<py::dict>())
      h.add(arg_str("Channel.receive", "headers name", py::reinterpret_borrow<py::object>(item.first)),
            arg_str("Channel.receive", "headers value", py::reinterpret_borrow<py::object>(item.second)));
    return h;
  }
  for (auto pair : v) {
    auto t = py::reinterpret_borrow<py::tuple>(pair);
    if (t.size() != 2) throw py::type_error("Channel.receive(): headers must be a dict or (name, value) pairs");
    h.add(arg_str("Channel.receive", "headers name", t[0]), arg_str("Channel.receive", "headers value", t[1]));
  }
  return h;
}

ch::Delivery delivery_of(const py::bytes& body, const py::object& headers, const std::string& url,
                         const py::object& received_at) {
  ch::Delivery d;
  d.body = std::string(body);
  d.headers = headers_of(headers);
  d.url = url;
  if (!received_at.is_none()) {
    const double s = arg_float("Channel.receive", "received_at", received_at);
    d.received_at = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::duration<double>(s)));
  }
  return d;
}

std::vector<PyChannel> channels_of(std::vector<ch::ChannelConfig> configs) {
  std::vector<PyChannel> out;
  for (const auto& c : configs)
    out.push_back(PyChannel{std::make_shared<const ch::Adapter>(take(ch::Adapter::make(c)))});
  return out;
}

}  // namespace

void bind_channels(py::module_& m) {
  py::class_<PyChannel>(m, "Channel", R"(One configured inbound channel (Shopify, WooCommerce, Stripe, PayPal, Square,
EasyPost, Shippo, Odoo, Amazon): verify() checks a delivery's signature over its raw bytes, receive()
verifies and maps it to canonical events. Made by odoosync.load_channels(path) or
Channel.from_config(json_text, base_dir); secrets come from the files and environment variables the
configuration names (docs/channels.md).)")
      .def_property_readonly("name", [](const PyChannel& c) { return c.adapter->name(); })
      .def_property_readonly("provider",
                             [](const PyChannel& c) { return std::string(ch::to_string(c.adapter->provider())); })
      .def_property_readonly("source", [](const PyChannel& c) { return c.adapter->mapping().source; })
      .def(
          "verify",
          [](const PyChannel& c, const py::bytes& body, const py::object& headers, const std::string& url,
             const py::object& received_at) {
            auto d = delivery_of(body, headers, url, received_at);
            auto v = take(nogil([&] { return c.adapter->verifier().verify(d); }));
            py::dict out;
            out["delivery_id"] = v.delivery_id;
            out["ping"] = v.ping;
            return out;
          },
          py::arg("body"), py::arg("headers"), py::arg("url") = "", py::arg("received_at") = py::none(),
          "verify(body: bytes, headers, url='', received_at=None) -> {'delivery_id', 'ping'}. AuthError when the "
          "signature or token does not hold; InvalidInput for an unusable delivery. received_at: Unix seconds.")
      .def(
          "receive",
          [](const PyChannel& c, const py::bytes& body, const py::object& headers, const std::string& url,
             const py::object& received_at) {
            auto d = delivery_of(body, headers, url, received_at);
            auto mapped = take(nogil([&] { return c.adapter->receive(d); }));
            py::list records;
            for (const auto& r : mapped.odoo_records) records.append(py::make_tuple(r.model, r.id));
            py::dict out;
            out["events"] = py::cast(mapped.events);
            out["note"] = mapped.note;
            out["odoo_records"] = records;
            return out;
          },
          py::arg("body"), py::arg("headers"), py::arg("url") = "", py::arg("received_at") = py::none(),
          "receive(body: bytes, headers, url='', received_at=None) -> {'events': [Event], 'note': str, "
          "'odoo_records': [(model, id)]}: verify, then map. AuthError (answer 401) or InvalidInput naming the "
          "topic and the field (answer 400); no events and a note when there is nothing to take in.")
      .def_static(
          "from_config",
          [](const std::string& json_text, const std::string& base_dir) {
            return channels_of(take(ch::parse_channels_config(json_text, std::filesystem::path(base_dir))));
          },
          py::arg("json_text"), py::arg("base_dir") = ".",
          "from_config(json_text, base_dir='.') -> [Channel]: every channel of a configuration's \"channels\" "
          "object; relative file names are relative to base_dir.");
  m.def(
      "load_channels", [](const std::string& path) { return channels_of(take(ch::load_channels_config(path))); },
      py::arg("path"), "load_channels(path) -> [Channel]: every channel of a configuration file (docs/channels.md).");
  m.def(
      "map_amazon_order",
      [](const std::string& get_order, const std::string& get_order_items, const PyChannel& c) {
        return take(ch::map_amazon_order(get_order, get_order_items, c.adapter->mapping()));
      },
      py::arg("get_order"), py::arg("get_order_items"), py::arg("channel"),
      "map_amazon_order(get_order_json, get_order_items_json, channel) -> Event: a new Amazon order from the "
      "Orders API's answers (ORDER_CHANGE carries no prices).");
}

}  // namespace binding
