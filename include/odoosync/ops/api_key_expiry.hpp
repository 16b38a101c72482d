// When the API key a client logs in with stops working: the soonest `expiration_date` among the user's
// own keys in res.users.apikeys (Odoo 19 caps keys at three months; older keys may have none). What
// `odoosync doctor` checks once, in a form a service can poll and export as the gauge
// odoosync_api_key_expiry_seconds (docs/operations.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include <odoosync/core/result.hpp>
#include <odoosync/odoo/client.hpp>

namespace odoosync {
inline namespace v0 {
namespace ops {

// The user's own API keys: how many, and the soonest expiry among them (nothing when none has one).
// Two reads (res.users.context_get for the user's id, then its keys); `options` apply to both.
struct ApiKeys {
  std::size_t count = 0;
  std::optional<std::chrono::system_clock::time_point> soonest;
};
result<ApiKeys> api_keys(odoo::Client& client, const odoo::CallOptions& options = {});

// api_keys()' soonest expiry. Two reads (res.users.context_get for the user's id, then its keys). Nothing when none of the user's
// keys has an expiry date (or the user has none); an error when Odoo refuses or cannot be reached.
// `options` (a deadline, a cancellation token) apply to both reads.
result<std::optional<std::chrono::system_clock::time_point>> api_key_expiry(odoo::Client& client,
                                                                            const odoo::CallOptions& options = {});

// The gauge's text, "# HELP ... # TYPE ... odoosync_api_key_expiry_seconds 1209600.000\n", from `expiry`
// and `now` (negative once the key has expired); empty without an expiry.
std::string api_key_expiry_gauge(std::optional<std::chrono::system_clock::time_point> expiry,
                                 std::chrono::system_clock::time_point now);

}  // namespace ops
}  // namespace v0
}  // namespace odoosync
