// The emulator: an in-process Odoo (odoosync.Emulator in odoosync/__init__.py starts and wraps it).
#include "common.hpp"

#include <odoosync/emulator/emulated_odoo.hpp>

#include <pybind11/stl.h>

#include <cstdint>
#include <string>
#include <utility>

namespace binding {

void bind_emulator(py::module_& m) {
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

}  // namespace binding
