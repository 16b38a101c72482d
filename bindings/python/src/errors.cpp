// os::Error as a Python exception: the odoosync.Error subclass for its kind and Odoo class (odoosync/errors.py).
#include "common.hpp"

#include <string>

namespace binding {

[[noreturn]] void raise(const os::Error& e) {
  py::object make = py::module_::import("odoosync.errors").attr("_from_native");
  py::object exc = make(std::string(os::to_string(e.kind())), e.odoo_class(), e.message(), e.to_string(), e.retryable(),
                        e.outcome_unknown(), e.http_status(), e.correlation_id());
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
  throw py::error_already_set();
}

}  // namespace binding
