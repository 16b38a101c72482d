// The API key's expiry, read as `odoosync doctor` reads it (ops/api_key_expiry.hpp).
#include <odoosync/ops/api_key_expiry.hpp>

#include <odoosync/core/json.hpp>
#include <odoosync/odoo/client.hpp>
#include <odoosync/odoo/domain.hpp>

#include <fmt/format.h>

#include <cstdio>

namespace odoosync {
inline namespace v0 {
namespace ops {

namespace {

// An Odoo datetime "2027-03-01 00:00:00" (UTC).
std::optional<std::chrono::system_clock::time_point> odoo_datetime(std::string_view text) {
  if (text.size() < 19) return std::nullopt;
  std::string iso(text.substr(0, 19));
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (std::sscanf(iso.c_str(), "%4d-%2d-%2d %2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return std::chrono::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{s};
}

}  // namespace

result<ApiKeys> api_keys(odoo::Client& client, const odoo::CallOptions& options) {
  odoo::CallOptions read = options;
  read.idempotent = true;
  ODOOSYNC_TRY(ctx, client.call("res.users", "context_get", "[]", "{}", read));
  const auto* uid_value = json::find(ctx, "uid");
  if (!uid_value || !uid_value->IsInt64())
    return Error::protocol("res.users.context_get answered without the user's id (uid)");
  const std::int64_t uid = uid_value->GetInt64();
  ODOOSYNC_TRY(keys, client.search_read("res.users.apikeys", odoo::field("user_id") == uid,
                                        {"user_id", "expiration_date"}, {}, read));
  if (!keys.IsArray()) return Error::protocol("res.users.apikeys search_read did not answer a list");
  ApiKeys out;
  for (const auto& k : keys.GetArray()) {
    // An administrator may see every user's keys: only this user's count.
    const auto* user = json::find(k, "user_id");
    if (user && user->IsArray() && !user->Empty() && (*user)[0].IsInt64() && (*user)[0].GetInt64() != uid) continue;
    ++out.count;
    const auto* exp = json::find(k, "expiration_date");
    if (!exp || !exp->IsString()) continue;  // false: no expiry
    if (auto t = odoo_datetime(json::text(*exp)); t && (!out.soonest || *t < *out.soonest)) out.soonest = t;
  }
  return out;
}

result<std::optional<std::chrono::system_clock::time_point>> api_key_expiry(odoo::Client& client,
                                                                            const odoo::CallOptions& options) {
  ODOOSYNC_TRY(keys, api_keys(client, options));
  return keys.soonest;
}

std::string api_key_expiry_gauge(std::optional<std::chrono::system_clock::time_point> expiry,
                                 std::chrono::system_clock::time_point now) {
  if (!expiry) return {};
  const double left = std::chrono::duration<double>(*expiry - now).count();
  return fmt::format(
      "# HELP odoosync_api_key_expiry_seconds Seconds until the soonest expiry of the Odoo user's API keys "
      "(negative: expired).\n# TYPE odoosync_api_key_expiry_seconds gauge\nodoosync_api_key_expiry_seconds {:.3f}\n",
      left);
}

}  // namespace ops
}  // namespace v0
}  // namespace odoosync
