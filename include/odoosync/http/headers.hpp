// Headers: an ordered list of HTTP header fields with case-insensitive lookup, and the allow-list of
// names whose values may be logged (everything else, Authorization and Cookie among them, is not).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace odoosync {
inline namespace v0 {
namespace http {

bool iequals(std::string_view a, std::string_view b) noexcept;

class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  Headers() = default;
  Headers(std::initializer_list<Field> fields) : fields_(fields) {}

  void add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }
  void set(std::string_view name, std::string value);  // replaces every field of that name
  void remove(std::string_view name);
  std::optional<std::string_view> get(std::string_view name) const;  // the first one
  bool contains(std::string_view name) const { return get(name).has_value(); }

  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }
  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  void clear() { fields_.clear(); }

  // Safe to show in logs and errors: a fixed allow-list (Content-Type, Content-Length, Retry-After, ...).
  static bool loggable(std::string_view name) noexcept;

  friend bool operator==(const Headers&, const Headers&) = default;

 private:
  std::vector<Field> fields_;
};

}  // namespace http
}  // namespace v0
}  // namespace odoosync
