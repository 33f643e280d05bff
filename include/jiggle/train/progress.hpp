#pragma once
// A live progress line for a terminal, redrawn in place at most ten times a second, and nothing
// at all when standard output is a file or a pipe, so logs stay one line per epoch.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <utility>

#include "jiggle/train/train_epoch.hpp"

namespace jiggle {

class ProgressLine {
 public:
  explicit ProgressLine(bool enabled = isatty(STDOUT_FILENO) == 1) : enabled_(enabled) {}

  // `label` heads the line (which run this is, of how many); `batches_after` is how many batches
  // the run has left after this epoch, for the time left.
  void start_epoch(std::string label = {}, long long batches_after = 0) {
    label_ = std::move(label);
    batches_after_ = batches_after;
    started_ = Clock::now();
    last_drawn_ = started_;
  }

  void operator()(const BatchReport& report) {
    if (!enabled_) return;
    const auto now = Clock::now();
    const bool last = report.batch + 1 == report.batch_count;
    if (!last && now - last_drawn_ < std::chrono::milliseconds(100)) return;
    last_drawn_ = now;
    const double seconds = std::chrono::duration<double>(now - started_).count();
    const long long done = report.batch + 1;
    const long long count = report.batch_count;
    const double per_batch = seconds / static_cast<double>(done);
    const auto left = static_cast<long long>(per_batch * static_cast<double>(count - done + batches_after_));
    std::printf("\r%s  batch %4lld/%lld  loss %.6f  %.0f images/s  %lld:%02lld left   ", label_.c_str(), done, count,
                report.mean_loss, seconds > 0 ? static_cast<double>(report.samples_done) / seconds : 0.0, left / 60,
                left % 60);
    std::fflush(stdout);
  }

  // Clears the line so the epoch's summary starts at column 0.
  void finish_epoch() const {
    if (!enabled_) return;
    std::printf("\r%*s\r", static_cast<int>(label_.size()) + 80, "");
    std::fflush(stdout);
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  std::string label_;
  long long batches_after_ = 0;
  Clock::time_point started_ = Clock::now();
  Clock::time_point last_drawn_ = started_;
};

}  // namespace jiggle
