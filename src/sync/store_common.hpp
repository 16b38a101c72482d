// Private to the stores: what MemoryStore and SqliteStore share.
#pragma once

#include <string>
#include <string_view>

#include <odoosync/sync/store.hpp>

namespace odoosync {
inline namespace v0 {
namespace sync {
namespace detail {

// "os" and 10 random hex digits.
std::string make_store_id();
std::string_view audit_action(SettleKind kind) noexcept;

}  // namespace detail
}  // namespace sync
}  // namespace v0
}  // namespace odoosync
