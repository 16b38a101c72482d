// What the areas of odoosync._odoosync share: errors raised as Python exceptions (take), the GIL released
// (nogil), JSON <-> Python, the client holder, and the bind_<area>() function of each file.
#pragma once

#include <odoosync/core/error.hpp>
#include <odoosync/core/json.hpp>
#include <odoosync/core/metrics.hpp>
#include <odoosync/core/result.hpp>
#include <odoosync/odoo/client.hpp>

#include <pybind11/pybind11.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace odoosync {
inline namespace v0 {
namespace sync {
class Engine;  // sync/engine.hpp
class Store;   // sync/store.hpp
}  // namespace sync
}  // namespace v0
}  // namespace odoosync

namespace py = pybind11;
namespace os = odoosync;
namespace odoo = odoosync::odoo;

namespace binding {

// --- errors (errors.cpp) --------------------------------------------------------------------------

// Sets the odoosync.Error subclass for e (odoosync.errors._from_native) and throws py::error_already_set.
[[noreturn]] void raise(const os::Error& e);

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

// --- JSON <-> Python (json.cpp) -------------------------------------------------------------------

py::object to_py(const os::json::Value& v);

// Python values as JSON text: dict, list, tuple, str, int, float, bool, None, and anything with a
// `__odoosync_json__` method (Money, Quantity, Domain) or a decimal.Decimal (an exact number).
std::string json_of(py::handle v);

inline std::chrono::milliseconds ms(double seconds) {
  return std::chrono::milliseconds{static_cast<std::int64_t>(seconds * 1000.0)};
}

// Arguments taken as Python objects and checked by hand, so that a wrong type raises a TypeError naming
// the function, the argument and the type given, never the values of the others (secrets among them).
std::string arg_str(const char* function, const char* name, const py::object& v);
std::optional<std::string> arg_opt_str(const char* function, const char* name, const py::object& v);
double arg_float(const char* function, const char* name, const py::object& v);
bool arg_bool(const char* function, const char* name, const py::object& v);

// --- the client (client.cpp; the engine and reconciliation take one) ------------------------------

// A Client and the sink its requests are counted in (the engine reads RPC counts from it). Calls made
// from Python get the default policies (odoo::ClientOptions: retry, circuit breaker); the engine gets
// the client it states it needs (sync::engine_client_options: no policies of its own, requests counted).
struct PyClient {
  std::shared_ptr<odoo::Client> client;
  std::shared_ptr<odoo::Client> engine_client;
  std::shared_ptr<os::InMemoryMetrics> metrics = std::make_shared<os::InMemoryMetrics>();
};

// --- what each area registers, called in this order by PYBIND11_MODULE (module.cpp) ---------------

void bind_client(py::module_& m);             // client.cpp: PageIterator, ChangeIterator, Client
void bind_events(py::module_& m);             // events.cpp: _money, _quantity, Event, event_types
void bind_sync(py::module_& m);               // sync.cpp: Store, Engine, reconcile_stock, correcting_events
void bind_emulator(py::module_& m);           // emulator.cpp: _Emulator, _emulator
void bind_channels(py::module_& m);           // channels.cpp: Channel, load_channels, map_amazon_order
void bind_ops(py::module_& m);                // ops.cpp: _doctor
void bind_serve(py::module_& m);              // serve.cpp: WebhookReceiver
void bind_push(py::module_& m);               // push.cpp: _ChannelClient, _Pusher (odoosync/push.py wraps them)
void bind_channel_emulators(py::module_& m);  // channel_emulators.cpp: ShopifyEmulator, WooCommerceEmulator

// The C++ engine inside an odoosync.Engine (sync.cpp); a TypeError when `engine` is not one.
os::sync::Engine& engine_of(py::handle engine);
// The C++ store inside an odoosync.Store (sync.cpp); a TypeError when `store` is not one.
std::shared_ptr<os::sync::Store> store_of(py::handle store);

}  // namespace binding
