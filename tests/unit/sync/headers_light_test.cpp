// The retail/ and sync/ headers do not bring RapidJSON (or the Odoo client) into a host's files: only
// odoo/client.hpp and core/json.hpp do, for callers that ask for a document.
#include <odoosync/retail/odoo_mapping.hpp>
#include <odoosync/sync/engine.hpp>
#include <odoosync/sync/event_types.hpp>
#include <odoosync/sync/outbound.hpp>
#include <odoosync/sync/reconcile.hpp>
#include <odoosync/sync/sqlite_store.hpp>

#ifdef RAPIDJSON_VERSION_STRING
#error "a retail/ or sync/ header includes RapidJSON"
#endif

#include <doctest/doctest.h>

TEST_CASE("the retail and sync headers compile without RapidJSON") { CHECK(odoosync::sync::lane_count == 2); }
