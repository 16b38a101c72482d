#include <odoosync/sync/open_store.hpp>
#include <odoosync/sync/postgres_store.hpp>
#include <odoosync/sync/sqlite_store.hpp>

namespace odoosync {
inline namespace v0 {
namespace sync {

bool is_shared_store(std::string_view location) noexcept { return is_postgres_location(location); }

result<std::unique_ptr<Store>> open_store(const StoreLocation& where) {
  if (!is_postgres_location(where.location)) {
    if (!where.password_file.empty() || where.password)
      return Error::validation("a store password is for a PostgreSQL store; '" + where.location + "' is a file");
    ODOOSYNC_TRY(s, SqliteStore::open(where.location));
    return std::unique_ptr<Store>(std::move(s));
  }
  PostgresOptions o;
  if (!where.schema.empty()) o.schema = where.schema;
  o.password = where.password;
  if (!where.password_file.empty()) {
    auto pw = Secret::from_file(where.password_file);
    if (!pw) return std::move(pw).error().with_message_prefix("the store password file");
    o.password = std::move(pw).value();
  }
  ODOOSYNC_TRY(s, PostgresStore::open(where.location, std::move(o)));
  return std::unique_ptr<Store>(std::move(s));
}

}  // namespace sync
}  // namespace v0
}  // namespace odoosync
