// A host's own event types written in Python (odoosync.EventType), turned into sync::EventTypes for the
// engine, and Python exceptions raised inside them turned back into odoosync errors.
#pragma once

#include "common.hpp"

#include <odoosync/sync/event_types.hpp>

#include <optional>
#include <string_view>

namespace binding {

// The error a Python exception stands for. An odoosync.Error raised by a call into the library (a client
// call inside an effect) is that call's error exactly, with its kind and whether the request was sent;
// any other exception is a validation error naming `what`, the exception's type and its message.
os::Error error_of(py::error_already_set& e, std::string_view what);

// The built-in table plus `types` (an iterable of odoosync.EventType-like objects: attributes `type` and
// `lane`, methods `subject(data)`, `effect(events, token)` and optionally `batch_key(event)`), with the
// lanes of `lanes` ({type: "realtime" | "bulk"}) applied to any registered type. The effects' probe and
// apply get `client`, sharing the engine's client (no retries of its own: the engine's policy decides).
odoosync::sync::EventTypes event_types_of(const py::object& types, const py::object& lanes,
                                          const std::optional<PyClient>& client);

}  // namespace binding
