// os::Error as a Python exception: the odoosync.Error subclass for its kind and Odoo class (odoosync/errors.py).
#include "common.hpp"

#include <string>

namespace binding {

[[noreturn]] void raise(const os::Error& e) {
  py::object make = py::module_::import("odoosync.errors").attr("_from_native");
  py::object exc = make(std::string(os::to_string(e.kind())), e.odoo_class(), e.message(), e.to_string(), e.retryable(),
                        e.outcome_unknown(), e.http_status(), e.correlation_id());
  // The native error rides along, so that an exception raised through a host's Python code (an effect
  // calling the client) becomes this same error again in the engine (event_types.cpp, error_of).
  exc.attr("_native") = py::capsule(new os::Error(e), [](void* p) { delete static_cast<os::Error*>(p); });
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
  throw py::error_already_set();
}

namespace {
[[noreturn]] void wrong_type(const char* function, const char* name, const char* expected, const py::object& v) {
  const std::string got = py::str(py::type::of(v).attr("__name__"));
  throw py::type_error(std::string(function) + "(): " + name + " must be " + expected + ", got " + got);
}
}  // namespace

std::string arg_str(const char* function, const char* name, const py::object& v) {
  if (!py::isinstance<py::str>(v)) wrong_type(function, name, "a str", v);
  return v.cast<std::string>();
}
std::optional<std::string> arg_opt_str(const char* function, const char* name, const py::object& v) {
  if (v.is_none()) return std::nullopt;
  if (!py::isinstance<py::str>(v)) wrong_type(function, name, "a str or None", v);
  return v.cast<std::string>();
}
double arg_float(const char* function, const char* name, const py::object& v) {
  // bool is an int in Python, but True seconds is a mistake
  if (py::isinstance<py::bool_>(v) || !(py::isinstance<py::float_>(v) || py::isinstance<py::int_>(v)))
    wrong_type(function, name, "a number (seconds)", v);
  return v.cast<double>();
}
bool arg_bool(const char* function, const char* name, const py::object& v) {
  if (!py::isinstance<py::bool_>(v)) wrong_type(function, name, "a bool", v);
  return v.cast<bool>();
}

}  // namespace binding
