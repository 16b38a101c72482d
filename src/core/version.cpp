// The runtime version, to compare with the headers' when a host links a prebuilt library.
#include <odoosync/version.hpp>

namespace odoosync {
inline namespace v0 {
const char* library_version() noexcept { return "0.1.0"; }
}  // namespace v0
}  // namespace odoosync
