// Retail events and their exact values: the validators behind odoosync.Money and odoosync.Quantity, Event
// (decoded, encoded, compared) and the list of event types. odoosync.make_event builds on these.
#include "common.hpp"

#include <odoosync/retail/events.hpp>
#include <odoosync/retail/money.hpp>
#include <odoosync/retail/quantity.hpp>

#include <pybind11/stl.h>

#include <string>
#include <vector>

namespace retail = odoosync::retail;

namespace binding {

void bind_events(py::module_& m) {
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
      .def_static(
          "decode", [](const std::string& text) { return take(retail::decode_event(text)); }, py::arg("json_text"),
          "Decodes and validates; InvalidInput names the problem as '<JSON pointer>: <what>'.")
      .def(
          "to_json", [](const retail::Event& e) { return retail::encode_event(e); }, "The canonical JSON text.")
      .def(
          "to_dict",
          [](const retail::Event& e) {
            auto doc = take(os::json::parse(retail::encode_event(e)));
            return to_py(doc);
          },
          "The canonical form as a dict (amounts and quantities as decimal strings).")
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
  m.def(
      "event_types",
      [] {
        std::vector<std::string> out;
        for (auto t : retail::event_types()) out.emplace_back(t);
        return out;
      },
      "The 15 event types this build reads and writes.");
}

}  // namespace binding
