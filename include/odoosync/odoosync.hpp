// The umbrella header: everything public in one include. The Odoo layer brings RapidJSON (through
// core/json.hpp: its answers are JSON documents); include the narrower headers to avoid it.
#pragma once

#include <odoosync/version.hpp>

#include <odoosync/core/cancellation.hpp>
#include <odoosync/core/clock.hpp>
#include <odoosync/core/error.hpp>
#include <odoosync/core/log.hpp>
#include <odoosync/core/metrics.hpp>
#include <odoosync/core/result.hpp>
#include <odoosync/core/secret.hpp>

#include <odoosync/http/circuit_breaker.hpp>
#include <odoosync/http/curl_transport.hpp>
#include <odoosync/http/fake_transport.hpp>
#include <odoosync/http/headers.hpp>
#include <odoosync/http/instrumented_transport.hpp>
#include <odoosync/http/rate_limiter.hpp>
#include <odoosync/http/request.hpp>
#include <odoosync/http/retry.hpp>
#include <odoosync/http/retry_after.hpp>
#include <odoosync/http/trace_context.hpp>
#include <odoosync/http/transport.hpp>
#include <odoosync/http/url.hpp>

#include <odoosync/odoo/client.hpp>
#include <odoosync/odoo/config.hpp>
#include <odoosync/odoo/cursor.hpp>
#include <odoosync/odoo/domain.hpp>
#include <odoosync/odoo/models.hpp>
#include <odoosync/odoo/record.hpp>
#include <odoosync/odoo/values.hpp>
#include <odoosync/retail/entities.hpp>
#include <odoosync/retail/events.hpp>
#include <odoosync/retail/money.hpp>
#include <odoosync/retail/odoo_mapping.hpp>
#include <odoosync/retail/quantity.hpp>
#include <odoosync/retail/refs.hpp>
#include <odoosync/retail/timestamp.hpp>

#include <odoosync/channels/certificate.hpp>
#include <odoosync/channels/config.hpp>
#include <odoosync/channels/crypto.hpp>
#include <odoosync/channels/delivery.hpp>
#include <odoosync/channels/verifier.hpp>

#include <odoosync/sync/engine.hpp>
#include <odoosync/sync/memory_store.hpp>
#include <odoosync/sync/metrics.hpp>
#include <odoosync/sync/outbound.hpp>
#include <odoosync/sync/reconcile.hpp>
#include <odoosync/sync/snapshot.hpp>
#include <odoosync/sync/open_store.hpp>
#include <odoosync/sync/postgres_store.hpp>
#include <odoosync/sync/sqlite_store.hpp>
#include <odoosync/sync/store.hpp>

#include <odoosync/serve/config.hpp>
#include <odoosync/serve/webhook_receiver.hpp>
#include <odoosync/serve/webhook_server.hpp>
