#pragma once
#include "jiggle/layer.hpp"

namespace test_support {

// What a layer test's backward pass asks for: every gradient, in double.
inline const auto kGradients = jiggle::GradientTarget<double>::gradients();

}  // namespace test_support
