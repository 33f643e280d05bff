#pragma once
// The Loss protocol: a scalar of the network's output Z and the batch's targets, and its
// gradient. forward(Z, targets) returns the mean loss over the batch and keeps dL/dZ, which
// backward() returns; the 1/B of the mean is inside dL/dZ.
//
//   softmax cross-entropy (losses/softmax_cross_entropy.hpp): targets are class labels
//   mean squared error (losses/mean_squared_error.hpp):       targets are a K×B matrix
#include <concepts>

#include "jiggle/tensor.hpp"

namespace jiggle {

template <class L, class T, class Targets>
concept Loss = requires(L loss, const Matrix<T>& Z, const Targets& targets) {
  { loss.forward(Z, targets) } -> std::convertible_to<double>;
  { loss.backward() } -> std::same_as<const Matrix<T>&>;
};

}  // namespace jiggle
