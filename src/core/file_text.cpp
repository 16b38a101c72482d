#include "file_text.hpp"

#include <fstream>
#include <system_error>

namespace odoosync {
inline namespace v0 {
namespace detail {

result<std::string> read_text_file(const std::filesystem::path& path, std::size_t max_bytes) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return Error::validation("'" + path.string() + "' is not a readable file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::validation("cannot read '" + path.string() + "'");
  std::string text(max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > max_bytes)
    return Error::validation("'" + path.string() + "' is larger than " + std::to_string(max_bytes) + " bytes");
  return text;
}

}  // namespace detail
}  // namespace v0
}  // namespace odoosync
