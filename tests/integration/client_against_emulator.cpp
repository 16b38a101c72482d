// The client's live tests (tests/live) run against the emulator, in Odoo 18 mode and then in Odoo 19
// mode, each on a fresh in-process emulator: the same tests real Odoo 18 and 19 pass.
#define ODOOSYNC_LIVE_CUSTOM_MAIN
#include "../live/live_test.cpp"

#include <odoosync/emulator/emulated_odoo.hpp>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  int failures = 0;
  for (int version : {18, 19}) {
    auto started = odoosync::EmulatedOdoo::start({.odoo_version = version, .data_dir = ODOOSYNC_EMULATOR_DATA_DIR});
    if (!started) {
      std::fprintf(stderr, "the emulator did not start in Odoo %d mode: %s\n", version,
                   started.error().to_string().c_str());
      return 1;
    }
    const auto& server = *started.value();
    ::setenv("ODOO_URL", server.url().c_str(), 1);
    ::setenv("ODOO_DB", version >= 19 ? "retail19" : "retail18", 1);
    ::setenv("ODOO_USER", "admin", 1);
    ::setenv("ODOO_API_KEY", server.api_key().c_str(), 1);
    ::setenv("ODOO_PASSWORD", "admin", 1);
    ::unsetenv("ODOO_PROTOCOL");
    std::printf("== client tests against the emulator in Odoo %d mode\n", version);
    doctest::Context ctx(argc, argv);
    failures += ctx.run() != 0;
  }
  return failures;
}
