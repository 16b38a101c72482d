// Opens the store a location names, so a host (and the odoosync tool, and Python) picks it by a string:
// `postgresql://...` or `postgres://...` is a PostgresStore shared by many engine processes; anything
// else is the path of a SqliteStore file.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <odoosync/core/secret.hpp>
#include <odoosync/sync/store.hpp>

namespace odoosync {
inline namespace v0 {
namespace sync {

struct StoreLocation {
  std::string location;  // a file path, or a PostgreSQL connection string
  // PostgreSQL: the password, when neither the connection string nor libpq's own places ($PGPASSWORD,
  // $PGPASSFILE, ~/.pgpass) hold it; read from this file (Secret::from_file) when `password_file` is set.
  std::optional<Secret> password{};
  std::string password_file{};
  std::string schema{};  // PostgreSQL: the schema of the store's tables ("" = odoosync)
};

result<std::unique_ptr<Store>> open_store(const StoreLocation& where);

// Whether the location is a PostgreSQL store: its engines share it (EngineOptions::exclusive false).
bool is_shared_store(std::string_view location) noexcept;

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
