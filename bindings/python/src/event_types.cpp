// A host's own event types written in Python: sync::EventTypeSpec whose rules call back into Python
// (with the GIL taken: the engine calls them from its worker threads and from submit, which run without
// it), and effects whose probe and apply are the host's Python methods.
#include "event_types.hpp"

#include <odoosync/retail/events.hpp>
#include <odoosync/retail/odoo_mapping.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace oss = odoosync::sync;
namespace retail = odoosync::retail;

namespace binding {

namespace {

// A Python object shared by the engine's threads: copying the rules copies this pointer, never the
// Python reference, and the last copy lets the object go with the GIL held.
using PyRef = std::shared_ptr<py::object>;
PyRef hold(py::object o) {
  return PyRef(new py::object(std::move(o)), [](py::object* p) {
    if (!Py_IsInitialized()) return;  // the interpreter is gone: nothing to release
    py::gil_scoped_acquire gil;
    delete p;
  });
}

std::string type_name_of(const py::handle& v) { return py::str(py::type::of(v).attr("__name__")); }

// The event as Python sees it: the CloudEvent's JSON as a dict (data a dict).
py::object dict_of(const retail::Event& e) {
  auto doc = os::json::parse(retail::encode_event(e));
  if (!doc) return py::none();
  return to_py(doc.value());
}

os::result<oss::Lane> lane_of(const std::string& type, const py::handle& v) {
  if (py::isinstance<py::str>(v)) {
    const auto s = v.cast<std::string>();
    if (s == "realtime") return oss::Lane::realtime;
    if (s == "bulk") return oss::Lane::bulk;
  }
  return os::Error::validation("event type '" + type + "': lane must be \"realtime\" or \"bulk\"");
}

// The effect of one batch: the object the host's effect(events, token) returned.
class PyEffect final : public retail::OdooEffect {
 public:
  PyEffect(std::string token, PyRef effect, PyRef client, std::string type)
      : OdooEffect(std::move(token)), effect_(std::move(effect)), client_(std::move(client)), type_(std::move(type)) {}

  os::result<std::vector<retail::PlannedCall>> plan(retail::Resolver&) override {
    py::gil_scoped_acquire gil;
    try {
      std::vector<retail::PlannedCall> out;
      if (!py::hasattr(*effect_, "plan")) return out;
      for (auto call : effect_->attr("plan")(*client_)) {
        auto t = py::reinterpret_borrow<py::sequence>(call);
        if (t.size() < 2) return os::Error::validation(type_ + ": plan() gives (model, method[, payload]) tuples");
        out.push_back({py::str(t[0]), py::str(t[1]), t.size() > 2 ? std::string(py::str(t[2])) : std::string()});
      }
      return out;
    } catch (py::error_already_set& e) {
      return error_of(e, type_ + " effect plan()");
    } catch (const std::exception& e) {
      return os::Error::validation(type_ + ": plan() gave something else than tuples: " + e.what());
    }
  }

  os::result<retail::EffectState> probe(retail::Resolver&) override {
    py::gil_scoped_acquire gil;
    try {
      py::object r = effect_->attr("probe")(*client_);
      if (py::isinstance<py::bool_>(r))
        return r.cast<bool>() ? retail::EffectState::applied : retail::EffectState::absent;
      if (py::isinstance<py::str>(r)) {
        const auto s = r.cast<std::string>();
        for (auto st : {retail::EffectState::absent, retail::EffectState::partial, retail::EffectState::applied})
          if (s == retail::to_string(st)) return st;
      }
      return os::Error::validation(
          type_ + ": probe() must return True, False, \"absent\", \"partial\" or \"applied\", got " + type_name_of(r));
    } catch (py::error_already_set& e) {
      return error_of(e, type_ + " effect probe()");
    }
  }

  os::result<void> apply(retail::Resolver&, retail::EffectState from) override {
    py::gil_scoped_acquire gil;
    try {
      effect_->attr("apply")(*client_, std::string(retail::to_string(from)));
      return os::success();
    } catch (py::error_already_set& e) {
      return error_of(e, type_ + " effect apply()");
    }
  }

 private:
  PyRef effect_, client_;
  std::string type_;
};

// One spec from the host's object, checked as EventTypes::add checks it (plus the Python attributes).
os::result<oss::EventTypeSpec> spec_of(const py::handle& obj, const PyRef& client) {
  if (!py::hasattr(obj, "type") || !py::isinstance<py::str>(obj.attr("type")))
    return os::Error::validation("an event type needs a `type` attribute, a str such as \"acme.loyalty.points\" (" +
                                 type_name_of(obj) + " has none)");
  oss::EventTypeSpec spec;
  spec.type = obj.attr("type").cast<std::string>();
  const std::string name = spec.type;
  for (const char* method : {"subject", "effect"}) {
    if (!py::hasattr(obj, method) || !PyCallable_Check(obj.attr(method).ptr()))
      return os::Error::validation("event type '" + name + "': no " + method + "() method");
  }
  if (py::hasattr(obj, "lane")) {
    ODOOSYNC_TRY(lane, lane_of(name, obj.attr("lane")));
    spec.lane = lane;
  }
  PyRef self = hold(py::reinterpret_borrow<py::object>(obj));
  spec.subject = [self, name](std::string_view data_json) -> os::result<std::string> {
    py::gil_scoped_acquire gil;
    try {
      auto doc = os::json::parse(data_json);
      if (!doc) return std::move(doc.error());
      py::object r = self->attr("subject")(to_py(doc.value()));
      if (!py::isinstance<py::str>(r))
        return os::Error::validation(name + ": subject() must return a str, got " + type_name_of(r));
      return r.cast<std::string>();
    } catch (py::error_already_set& e) {
      return error_of(e, name + " subject()");
    }
  };
  if (py::hasattr(obj, "batch_key") && !obj.attr("batch_key").is_none()) {
    // An exception here leaves the event unbatched (an effect of its own): batching is an optimisation.
    spec.batch_key = [self](const retail::Event& e) -> std::string {
      py::gil_scoped_acquire gil;
      try {
        return py::str(self->attr("batch_key")(dict_of(e)));
      } catch (py::error_already_set&) {
        return {};
      }
    };
  }
  spec.effect = [self, client, name](std::span<const retail::Event* const> events, const retail::MappingOptions&,
                                     const std::string& token) -> os::result<std::unique_ptr<retail::OdooEffect>> {
    py::gil_scoped_acquire gil;
    try {
      py::list batch;
      for (const auto* e : events) batch.append(dict_of(*e));
      py::object effect = self->attr("effect")(batch, token);
      for (const char* method : {"probe", "apply"}) {
        if (!py::hasattr(effect, method))
          return os::Error::validation(name + ": the object effect() returned has no " + method + "() method");
      }
      return std::unique_ptr<retail::OdooEffect>(new PyEffect(token, hold(std::move(effect)), client, name));
    } catch (py::error_already_set& e) {
      return error_of(e, name + " effect()");
    }
  };
  return spec;
}

}  // namespace

os::Error error_of(py::error_already_set& e, std::string_view what) {
  // raise() put the native error on the odoosync.Error it made: keep it whole (kind, request sent,
  // outcome unknown), so that the engine retries or probes exactly as if the library had failed itself.
  if (e.value() && py::hasattr(e.value(), "_native")) {
    auto cap = py::reinterpret_borrow<py::object>(e.value().attr("_native"));
    if (py::isinstance<py::capsule>(cap)) {
      const auto* native = static_cast<const os::Error*>(cap.cast<py::capsule>().get_pointer());
      if (native) return *native;
    }
  }
  const std::string type = e.type() ? std::string(py::str(e.type().attr("__name__"))) : std::string("an exception");
  const std::string message = e.value() ? std::string(py::str(e.value())) : std::string();
  return os::Error::validation(std::string(what) + " raised " + type + (message.empty() ? "" : ": " + message));
}

oss::EventTypes event_types_of(const py::object& types, const py::object& lanes,
                               const std::optional<PyClient>& client) {
  oss::EventTypes table = oss::EventTypes::builtin();
  // Effects call the client the engine uses: no retry or breaker of its own, requests counted.
  PyRef effect_client =
      hold(client ? py::cast(PyClient{client->engine_client, client->engine_client, client->metrics}) : py::none());
  if (!types.is_none()) {
    if (py::isinstance<py::str>(types) || !py::hasattr(types, "__iter__"))
      throw py::type_error("Engine(): event_types must be a list of event types, got " + type_name_of(types));
    for (auto obj : types) {
      auto spec = take(spec_of(obj, effect_client));
      take(table.add(std::move(spec)));
    }
  }
  if (!lanes.is_none()) {
    if (!py::isinstance<py::dict>(lanes))
      throw py::type_error("Engine(): type_lanes must be a dict {type: lane}, got " + type_name_of(lanes));
    for (auto [k, v] : lanes.cast<py::dict>()) {
      const std::string type = py::str(k);
      const auto lane = take(lane_of(type, v));
      take(table.replace(type, [lane](oss::EventTypeSpec& s) { s.lane = lane; }));
    }
  }
  return table;
}

}  // namespace binding
