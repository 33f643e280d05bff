#pragma once
// Catch2's session, run from a test program's main (support/main.cpp, or a main that starts
// something around it, as the MPI tests start MPI).
namespace test_support {

int run_catch_session(int argc, char* argv[]);

}  // namespace test_support
