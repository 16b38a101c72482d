// The business methods of the retail models (buttons), as Odoo 17/18/19 answer them: sale orders
// confirmed and cancelled (with the cancel wizard where Odoo shows it), transfers validated (with the
// backorder wizard), invoices and payments posted, inventory counts applied.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "orm.hpp"

namespace odoosync::emulator {

struct ButtonCall {
  int version = 18;
  std::string model, method;
  std::vector<std::int64_t> ids;
  const Context* ctx = nullptr;
  // Set for a call whose snapshot is older than the data it commits into (slow_commit): the commit
  // sequence it saw when it started. Concurrent posts in one journal are judged against it.
  std::optional<std::uint64_t> snapshot_commit;
};

// Runs a button; false if `model.method` is not one the emulator implements. The result goes to `out`
// (`none` for Python None). Throws OdooException as Odoo raises.
bool run_button(Database& db, const ButtonCall& call, Doc& out, bool& none);
// Whether `method` is a button and `model` has it (what /doc-bearer lists for the model).
bool is_button(const std::string& method);
bool has_button(const std::string& model, const std::string& method);

// Helpers shared with the protocol layer.
Doc fields_doc(std::initializer_list<const char*> names);

}  // namespace odoosync::emulator
