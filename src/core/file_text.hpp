// Reading a small text file whole, bounded (configuration files, certificates): internal to the library.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include <odoosync/core/result.hpp>

namespace odoosync {
inline namespace v0 {
namespace detail {

// The file's bytes; ErrorKind::validation naming the path when it is not a regular file, cannot be read,
// or holds more than `max_bytes`.
result<std::string> read_text_file(const std::filesystem::path& path, std::size_t max_bytes);

}  // namespace detail
}  // namespace v0
}  // namespace odoosync
