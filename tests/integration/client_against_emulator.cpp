// The client's live tests (tests/live) run against the emulator, in Odoo 18 mode and then in Odoo 19
// mode, each on a fresh in-process emulator: the same tests real Odoo 18 and 19 pass.
#define ODOOSYNC_LIVE_CUSTOM_MAIN
#include "../live/live_test.cpp"

#include "server.hpp"

#include <cstdlib>

int main(int argc, char** argv) {
  int failures = 0;
  for (int version : {18, 19}) {
    odoosync::emulator::Options o;
    o.odoo_version = version;
    o.data_dir = ODOOSYNC_EMULATOR_DATA_DIR;
    odoosync::emulator::EmulatorServer server(o);
    ::setenv("ODOO_URL", server.url().c_str(), 1);
    ::setenv("ODOO_DB", version >= 19 ? "retail19" : "retail18", 1);
    ::setenv("ODOO_USER", "admin", 1);
    ::setenv("ODOO_API_KEY", server.admin_api_key().c_str(), 1);
    ::setenv("ODOO_PASSWORD", "admin", 1);
    ::unsetenv("ODOO_PROTOCOL");
    std::printf("== client tests against the emulator in Odoo %d mode\n", version);
    doctest::Context ctx(argc, argv);
    failures += ctx.run() != 0;
  }
  return failures;
}
