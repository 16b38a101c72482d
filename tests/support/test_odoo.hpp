// TestOdoo: the one fixture the integration tests share. The public EmulatedOdoo (what users run in
// their own tests) on a free loopback port, a Client for it, and the emulator's control endpoints.
#pragma once

#include <odoosync/core/metrics.hpp>
#include <odoosync/emulator/emulated_odoo.hpp>
#include <odoosync/odoo/client.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace odoosync::testing {

enum class ClientKind {
  engine,  // sync::engine_client_options: no retry, no breaker, requests counted in `metrics`
  plain,   // the default ClientOptions (retry, circuit breaker), requests counted in `metrics`
};

struct TestOdoo {
  // `modules`: installed on top of the demo data (EmulatedOdooOptions::modules, e.g. "stock_delivery").
  explicit TestOdoo(int version = 18, std::size_t extra_products = 0, ClientKind kind = ClientKind::engine,
                    std::vector<std::string> modules = {});

  int version;
  std::unique_ptr<EmulatedOdoo> emulator;
  odoo::Config config;  // admin, with the API key
  std::shared_ptr<InMemoryMetrics> metrics = std::make_shared<InMemoryMetrics>();
  std::shared_ptr<odoo::Client> client;

  std::string url() const { return emulator->url(); }
  // POST (with a body) or GET (without) /__emulator__/<path>, e.g. "faults", "snapshot?model=res.partner";
  // the body of its 200 answer (anything else fails the test). reset is a POST: give it the body "{}".
  std::string control(const std::string& path, const std::string& body = {});
  void inject(const std::string& fault_json) { control("faults", fault_json); }
  // The quantity of `sku` at `location` (complete name), summed over its quants.
  double on_hand(const std::string& sku, const std::string& location);
  std::int64_t count(const std::string& model, const odoo::Domain& domain);
};

}  // namespace odoosync::testing
