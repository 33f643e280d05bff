#pragma once
#include <vector>

#include "jiggle/layer.hpp"
#include "jiggle/tensor.hpp"

namespace test_support {

// What a layer test's backward pass asks for: every gradient, in double.
inline const auto kGradients = jiggle::GradientTarget<double>::gradients();

// Copies of every parameter gradient of a model in double, in visiting order.
inline std::vector<jiggle::Matrix<double>> gradients_of(auto& model) {
  std::vector<jiggle::Matrix<double>> gradients;
  jiggle::visit_parameters(model, [&](jiggle::Parameter<double>& p) { gradients.emplace_back(p.gradient); });
  return gradients;
}

}  // namespace test_support
