// Private to event_decode.cpp: the built-in event types, each with the reader of its data (event_readers.cpp).
#pragma once

#include <span>
#include <string_view>

#include <odoosync/retail/events.hpp>

#include "event_walk.hpp"

namespace odoosync {
inline namespace v0 {
namespace retail {
namespace detail {

// Reads and checks one type's data (the walk positioned at the data object); the first problem throws Invalid.
using Reader = EventData (*)(Obj&);
struct TypeEntry {
  std::string_view type;
  Reader read;
};

// One entry per built-in type, in the order of EventData (CustomData excluded).
std::span<const TypeEntry> type_table();

}  // namespace detail
}  // namespace retail
}  // namespace v0
}  // namespace odoosync
