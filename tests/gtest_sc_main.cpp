// GoogleTest's entry point for test programs that link the SystemC models:
// SystemC's shared library brings its own main(), which calls sc_main, so
// the tests run from here (the banner is off, as in `vine`'s own main).
#include <gtest/gtest.h>

#include <cstdlib>
#include <systemc>

extern "C" int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

// Runs before SystemC's main() prints its banner: test listings are data.
namespace {
const bool kQuiet = (setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0), true);
}  // namespace
