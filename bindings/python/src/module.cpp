// odoosync._odoosync: the C++ SDK for Python. The package odoosync (odoosync/__init__.py) wraps it
// with the Pythonic parts (Domain builder, Money and Quantity over decimal.Decimal, make_event, the
// exception classes). Every call that waits on the network or the disk releases the GIL; results are
// converted to Python objects after it is taken back. Errors become odoosync.Error subclasses.
// Each area is bound in its own file (common.hpp lists them); this file registers them in order.
#include "common.hpp"

PYBIND11_MODULE(_odoosync, m) {
  m.doc() = "odoosync's C++ core; import the odoosync package, not this module.";

  // A type is registered before the signatures that take or return it, so that help() names it.
  binding::bind_client(m);
  binding::bind_events(m);
  binding::bind_sync(m);
  binding::bind_emulator(m);
  binding::bind_channels(m);
  binding::bind_ops(m);
  binding::bind_serve(m);
  binding::bind_push(m);
  binding::bind_channel_emulators(m);
}
