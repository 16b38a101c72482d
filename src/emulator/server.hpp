// EmulatorServer: the Odoo emulator on 127.0.0.1 (port 0 by default), in-process for tests or behind
// the odoosync-emulator program. Connection: close like real Odoo, unless keep_alive is asked for.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "protocol.hpp"

namespace odoosync::emulator {

struct ServerOptions {
  std::uint16_t port = 0;
  bool keep_alive = false;
};

class EmulatorServer {
 public:
  EmulatorServer(Options options, ServerOptions server = {});  // throws std::runtime_error if it cannot listen
  ~EmulatorServer();
  EmulatorServer(const EmulatorServer&) = delete;
  EmulatorServer& operator=(const EmulatorServer&) = delete;

  std::string url() const;  // http://127.0.0.1:<port>
  std::uint16_t port() const;
  const std::string& admin_api_key() const;
  void add_fault(Fault fault);  // as POST /__emulator__/faults
  // Calls waiting to commit (slow_commit), as GET /__emulator__/inflight, and slow calls begun since the start.
  Emulator::InFlightCalls in_flight() const;
  void stop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace odoosync::emulator
