#include <odoosync/push/channel_client.hpp>

namespace odoosync {
inline namespace v0 {
namespace push {

std::string_view to_string(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::applied: return "applied";
    case Outcome::stale: return "stale";
    case Outcome::not_listed: return "not_listed";
    case Outcome::retry: return "retry";
    case Outcome::rejected: return "rejected";
  }
  return "unknown";
}

}  // namespace push
}  // namespace v0
}  // namespace odoosync
