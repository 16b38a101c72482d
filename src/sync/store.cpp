#include <odoosync/sync/store.hpp>

#include <random>

#include "store_common.hpp"

namespace odoosync {
inline namespace v0 {
namespace sync {

std::string_view to_string(Lane lane) noexcept { return lane == Lane::bulk ? "bulk" : "realtime"; }

result<Lane> parse_lane(std::string_view text) {
  if (text == "realtime") return Lane::realtime;
  if (text == "bulk") return Lane::bulk;
  return Error::validation("lane: expected realtime or bulk, got '" + std::string(text) + "'");
}

std::string_view to_string(EventStatus status) noexcept {
  switch (status) {
    case EventStatus::pending: return "pending";
    case EventStatus::in_flight: return "in_flight";
    case EventStatus::applied: return "applied";
    case EventStatus::dead: return "dead";
    case EventStatus::discarded: return "discarded";
  }
  return "?";
}

result<EventStatus> parse_event_status(std::string_view text) {
  for (auto s : {EventStatus::pending, EventStatus::in_flight, EventStatus::applied, EventStatus::dead,
                 EventStatus::discarded}) {
    if (to_string(s) == text) return s;
  }
  return Error::validation("status: expected pending, in_flight, applied, dead or discarded, got '" +
                           std::string(text) + "'");
}

std::string_view to_string(SettleKind kind) noexcept {
  switch (kind) {
    case SettleKind::applied: return "applied";
    case SettleKind::retry: return "retry";
    case SettleKind::dead: return "dead";
    case SettleKind::split: return "split";
  }
  return "?";
}

void StatusCounts::add(EventStatus status, std::uint64_t n) noexcept {
  switch (status) {
    case EventStatus::pending: pending += n; break;
    case EventStatus::in_flight: in_flight += n; break;
    case EventStatus::applied: applied += n; break;
    case EventStatus::dead: dead += n; break;
    case EventStatus::discarded: discarded += n; break;
  }
}

std::string batch_token(std::string_view store_id, std::int64_t batch) {
  return std::string(store_id) + "-b" + std::to_string(batch);
}

namespace detail {

std::string make_store_id() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
  static constexpr char hex[] = "0123456789abcdef";
  std::string id = "os";
  for (int i = 0; i < 10; ++i) id += hex[gen() % 16];
  return id;
}

std::string_view audit_action(SettleKind kind) noexcept { return to_string(kind); }

}  // namespace detail
}  // namespace sync
}  // namespace v0
}  // namespace odoosync
