#pragma once
// Interruption as a request, not an accident: while a StopSignals lives, the first SIGINT or
// SIGTERM is only noted, so the training loop can finish its step, save its state and exit;
// a second one ends the process at once with 128 + its number, for a user who will not wait.
// Signal dispositions belong to the whole process, hence the one flag shared by all instances.
#include <unistd.h>

#include <csignal>  // with POSIX's sigaction
#include <string>

#include "jiggle/error.hpp"

namespace jiggle {

namespace stop_signals_detail {

inline volatile std::sig_atomic_t received = 0;

extern "C" inline void note_or_exit(int signal_number) {
  if (received != 0) ::_exit(128 + signal_number);  // async-signal-safe, unlike std::exit
  received = signal_number;
}

}  // namespace stop_signals_detail

class StopSignals {
 public:
  StopSignals() {
    stop_signals_detail::received = 0;
    struct sigaction action {};
    action.sa_handler = stop_signals_detail::note_or_exit;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // reads and writes under way carry on
    if (::sigaction(SIGINT, &action, &previous_interrupt_) != 0 ||
        ::sigaction(SIGTERM, &action, &previous_terminate_) != 0)
      throw Error("cannot install the handlers of SIGINT and SIGTERM");
  }
  ~StopSignals() {
    ::sigaction(SIGINT, &previous_interrupt_, nullptr);
    ::sigaction(SIGTERM, &previous_terminate_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // The first signal received (SIGINT or SIGTERM), or 0.
  static int received() { return stop_signals_detail::received; }

  // The shell's convention for a process ended by `signal_number`: 130 for SIGINT, 143 for SIGTERM.
  static int exit_code(int signal_number) { return 128 + signal_number; }

  static std::string name(int signal_number) {
    if (signal_number == SIGINT) return "SIGINT";
    if (signal_number == SIGTERM) return "SIGTERM";
    return "signal " + std::to_string(signal_number);
  }

 private:
  struct sigaction previous_interrupt_ {};
  struct sigaction previous_terminate_ {};
};

}  // namespace jiggle
