#pragma once
// A float layer on jiggle's kernels against the same layer in double, which runs on Eigen: same
// parameters, same input and output gradient. Their difference is the kernels' rounding alone,
// so a product wired with the wrong transpose, α or β shows up as a difference of order one.
#include <algorithm>
#include <vector>

#include "jiggle/layer.hpp"
#include "jiggle/tensor.hpp"

// The largest difference between the two layers' Y, dX and parameter gradients, each relative
// to the largest entry of the double one.
template <class Single, class Reference>
double largest_relative_difference(Single& single, Reference& reference, const jiggle::Matrix<double>& X,
                                   const jiggle::Matrix<double>& dY) {
  std::vector<Eigen::Map<jiggle::Matrix<double>>> reference_values;
  std::vector<Eigen::Map<jiggle::Matrix<double>>> reference_gradients;
  jiggle::visit_parameters(reference, [&](jiggle::Parameter<double>& p) {
    reference_values.push_back(p.value);
    reference_gradients.push_back(p.gradient);
  });
  std::size_t index = 0;
  std::vector<Eigen::Map<jiggle::Matrix<float>>> single_gradients;
  jiggle::visit_parameters(single, [&](jiggle::Parameter<float>& p) {
    p.value = reference_values[index++].template cast<float>();
    single_gradients.push_back(p.gradient);
  });

  const auto relative = [](const auto& single_result, const jiggle::Matrix<double>& reference_result) {
    const double scale = std::max(reference_result.cwiseAbs().maxCoeff(), 1e-30);
    return (single_result.template cast<double>() - reference_result).cwiseAbs().maxCoeff() / scale;
  };
  const jiggle::Matrix<float> X_single = X.cast<float>();
  const jiggle::Matrix<float> dY_single = dY.cast<float>();
  double worst = relative(single.forward(X_single), reference.forward(X));
  const auto single_target = jiggle::GradientTarget<float>::gradients();
  const auto reference_target = jiggle::GradientTarget<double>::gradients();
  worst = std::max(worst, relative(single.backward(X_single, dY_single, single_target),
                                   reference.backward(X, dY, reference_target)));
  for (std::size_t i = 0; i < single_gradients.size(); ++i)
    worst = std::max(worst, relative(single_gradients[i], jiggle::Matrix<double>(reference_gradients[i])));
  return worst;
}
