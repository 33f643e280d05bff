// Catch2's own code, compiled once for every test program. Catch2 v2 (Debian 12's) is one header:
// the file that defines CATCH_CONFIG_RUNNER compiles all of it, some 19 s of GCC -O3, which each
// program's main once paid again. Catch2 v3 is a library of its own.
#define CATCH_CONFIG_RUNNER
#include "support/catch_session.hpp"

#include "support/catch.hpp"

int test_support::run_catch_session(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }
