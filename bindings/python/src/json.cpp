// JSON <-> Python: Odoo's results as dicts and lists, Python values as the JSON text sent to Odoo.
#include "common.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace binding {

namespace {

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
  } else if (py::module_::import("decimal").attr("Decimal").cast<py::object>().ptr() ==
             reinterpret_cast<PyObject*>(Py_TYPE(v.ptr()))) {
    w.decimal(py::str(v).cast<std::string>());
  } else {
    throw py::type_error("odoosync: cannot send a " + py::str(py::type::of(v).attr("__name__")).cast<std::string>() +
                         " to Odoo as JSON");
  }
}

}  // namespace

py::object to_py(const os::json::Value& v) { return Converter{}(v); }

std::string json_of(py::handle v) {
  os::json::Writer w;
  write(w, v);
  return std::string(take(w.view()));
}

}  // namespace binding
