#pragma once
#include <algorithm>
#include <cmath>
#include <numbers>

#include "jiggle/tensor.hpp"

namespace jiggle {

// The learning rate at each step of a run: an optional linear warmup from base/warmup up to
// base over the first warmup_steps, then either constant or a cosine decay to 0 at the end of
// the run.
struct LearningRateSchedule {
  double base = 0.1;
  Index total_steps = 1;
  Index warmup_steps = 0;
  bool cosine = false;

  double at(Index step) const {
    if (step < warmup_steps) return base * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
    if (!cosine) return base;
    const double span = static_cast<double>(std::max<Index>(1, total_steps - warmup_steps));
    const double progress = std::min(1.0, static_cast<double>(step - warmup_steps) / span);
    return base * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
  }
};

}  // namespace jiggle
