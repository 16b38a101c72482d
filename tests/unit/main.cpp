// The doctest runner shared by every unit-test executable; it sets up the secret canary first
// (tests/support/canary.hpp).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <canary.hpp>

int main(int argc, char** argv) {
  odoosync::testing::canary_setup();
  doctest::Context context(argc, argv);
  return context.run();
}
