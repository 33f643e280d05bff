#pragma once
#include "jiggle/layers/dense.hpp"
#include "jiggle/random.hpp"

namespace test_support {

// A layer whose one parameter vector to step by hand is w = (1, −2), with gradient g = (g0, g1)
// and a zero bias with a zero gradient.
inline jiggle::Dense<1, 2, double> one_weight_column(double g0, double g1) {
  jiggle::Rng rng(0);
  jiggle::Dense<1, 2, double> layer(rng);
  layer.W << 1.0, -2.0;
  layer.b << 0.0, 0.0;
  layer.dW << g0, g1;
  layer.db << 0.0, 0.0;
  return layer;
}

}  // namespace test_support
