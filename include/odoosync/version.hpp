// The library's version, and the inline namespace that lets two builds share one process.
#pragma once

#define ODOOSYNC_VERSION_MAJOR 0
#define ODOOSYNC_VERSION_MINOR 1
#define ODOOSYNC_VERSION_PATCH 0

namespace odoosync {
inline namespace v0 {

// The version of the library this code was compiled against (headers), and the one linked (runtime).
inline constexpr const char* header_version = "0.1.0";
const char* library_version() noexcept;

}  // namespace v0
}  // namespace odoosync
