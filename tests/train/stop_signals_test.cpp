#include "jiggle/train/stop_signals.hpp"

#include <csignal>

#include "support/catch.hpp"

namespace {

volatile std::sig_atomic_t earlier_handler_ran = 0;
extern "C" void earlier_handler(int) { earlier_handler_ran = 1; }

}  // namespace

TEST_CASE("StopSignals notes the first SIGINT or SIGTERM instead of dying, and restores the handlers before it",
          "[stop_signals]") {
  std::signal(SIGTERM, earlier_handler);
  {
    const jiggle::StopSignals signals;
    REQUIRE(jiggle::StopSignals::received() == 0);
    std::raise(SIGTERM);
    REQUIRE(jiggle::StopSignals::received() == SIGTERM);
    REQUIRE(earlier_handler_ran == 0);
  }
  {
    const jiggle::StopSignals signals;  // a new one starts with nothing received
    REQUIRE(jiggle::StopSignals::received() == 0);
    std::raise(SIGINT);
    REQUIRE(jiggle::StopSignals::received() == SIGINT);
  }
  std::raise(SIGTERM);
  REQUIRE(earlier_handler_ran == 1);
  std::signal(SIGTERM, SIG_DFL);
}

TEST_CASE("StopSignals names the signals and gives the shell's exit codes", "[stop_signals]") {
  REQUIRE(jiggle::StopSignals::exit_code(SIGINT) == 130);
  REQUIRE(jiggle::StopSignals::exit_code(SIGTERM) == 143);
  REQUIRE(jiggle::StopSignals::name(SIGINT) == "SIGINT");
  REQUIRE(jiggle::StopSignals::name(SIGTERM) == "SIGTERM");
}
