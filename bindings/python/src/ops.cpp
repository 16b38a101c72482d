// Operations from Python: odoosync.doctor() runs the same checks as `odoosync doctor` (docs/operations.md).
#include "common.hpp"

#include <odoosync/ops/doctor.hpp>
#include <odoosync/sync/store.hpp>

#include <pybind11/stl.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace binding {

void bind_ops(py::module_& m) {
  m.def(
      "_doctor",
      [](const py::object& url, const py::object& database, const py::object& login, const py::object& api_key,
         const py::object& password, const py::object& protocol, const std::vector<std::string>& event_types,
         const py::object& channels, double key_warning_days) {
        namespace ops = os::ops;
        ops::DoctorOptions o;
        if (!url.is_none()) {
          odoo::Config c;
          c.url = arg_str("doctor", "url", url);
          c.database = arg_opt_str("doctor", "database", database).value_or("");
          c.login = arg_opt_str("doctor", "login", login).value_or("");
          if (auto k = arg_opt_str("doctor", "api_key", api_key)) c.api_key = os::Secret(std::move(*k));
          if (auto p = arg_opt_str("doctor", "password", password)) c.password = os::Secret(std::move(*p));
          c.protocol = take(odoo::parse_protocol(arg_str("doctor", "protocol", protocol)));
          take(c.validate());
          o.odoo = std::move(c);
        }
        o.event_types = event_types;
        if (auto ch = arg_opt_str("doctor", "channels", channels)) o.channels_config = std::filesystem::path(*ch);
        o.key_warning = std::chrono::hours{static_cast<std::int64_t>(key_warning_days * 24)};
        auto report = nogil([&] { return ops::run_doctor(o); });
        py::list findings;
        for (const auto& f : report.findings) {
          py::dict d;
          d["check"] = f.check;
          d["severity"] = std::string(ops::to_string(f.severity));
          d["message"] = f.message;
          findings.append(d);
        }
        py::dict out;
        out["worst"] = std::string(ops::to_string(report.worst()));
        out["findings"] = findings;
        return out;
      },
      py::arg("url"), py::arg("database"), py::arg("login"), py::arg("api_key"), py::arg("password"),
      py::arg("protocol"), py::arg("event_types"), py::arg("channels"), py::arg("key_warning_days"));
}

}  // namespace binding
