// The main of every test program that starts nothing around Catch2's session.
#include "support/catch_session.hpp"

int main(int argc, char* argv[]) { return test_support::run_catch_session(argc, argv); }
