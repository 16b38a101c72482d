// EmulatedOdoo: the odoosync Odoo emulator started inside the host's own tests, on 127.0.0.1 with a
// free port; it hands back the URL and credentials a Client needs, takes faults, and stops cleanly.
// Link odoosync::emulator. See docs/emulator.md for what it emulates and how it differs from Odoo.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/core/result.hpp>

namespace odoosync {
inline namespace v0 {

struct EmulatedOdooOptions {
  int odoo_version = 18;           // 18: JSON-RPC; 19: JSON-2 (and legacy JSON-RPC)
  std::uint16_t port = 0;          // 0: any free port
  bool keep_alive = false;         // real Odoo closes every connection
  std::size_t extra_products = 0;  // generated products with barcodes and references
  std::string fixture_file{};      // JSON fixture applied over the seed ({"model": [records]})
  std::uint64_t seed = 1;          // for faults given a probability
  std::string data_dir{};          // odoo18/, odoo19/; empty: $ODOOSYNC_EMULATOR_DATA, the source tree, the install
  std::string api_key{};           // admin's API key; empty: $ODOOSYNC_EMULATOR_API_KEY, else a fixed test key
  // When admin's key expires, "2027-03-01 00:00:00" (UTC, on the emulator's clock); empty: never. Read
  // back through res.users.apikeys; past it the key authenticates nothing.
  std::string api_key_expires{};
  // Modules installed on top of the demo data: "stock_delivery" (stock.picking's carrier_tracking_ref).
  std::vector<std::string> modules{};
};

class EmulatedOdoo {
 public:
  // Fails (never throws) if it cannot listen, find its data, or accept the fixture.
  static result<std::unique_ptr<EmulatedOdoo>> start(const EmulatedOdooOptions& options = {});
  ~EmulatedOdoo();

  std::string url() const;       // http://127.0.0.1:<port>
  std::string database() const;  // retail18 / retail19
  std::string login() const;     // admin
  std::string api_key() const;   // admin's API key
  std::string password() const;  // admin's password

  // A fault, as the control endpoint takes it: {"kind": "http_503", "model": "...", "times": 1, ...}.
  result<void> inject(std::string_view fault_json);

  // The calls a "slow_commit" fault holds between starting and committing, read in one step (the same
  // calls GET /__emulator__/inflight lists with more detail).
  struct InFlight {
    std::vector<std::string> calls;        // "model.method" of each call waiting to commit, oldest first
    std::uint64_t slow_calls_started = 0;  // begun since start(); POST /__emulator__/reset does not zero it
    std::size_t count() const { return calls.size(); }
  };
  // Never throws (noexcept: running out of memory terminates); after stop(), no call is waiting.
  InFlight in_flight() const noexcept;

  void stop();

  struct Impl;

 private:
  explicit EmulatedOdoo(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace v0
}  // namespace odoosync
