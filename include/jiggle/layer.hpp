#pragma once
// The Layer protocol.
//
//   forward(X)  computes Y from a batch X (one sample per column) and keeps what the VJP needs;
//               X must stay alive and unchanged until the matching backward.
//   backward(dY) returns dX and overwrites (never accumulates) the parameter gradients of the
//               last forward.
//   visit_parameters(visit) hands every (path, value, gradient) triple to `visit`, in a fixed
//               order. Optimisers, checkpoints, parameter counts and gradient checks all go
//               through this one door, so none of them needs to know a layer's type.
//
// input_size / output_size are compile-time so that a Chain of mismatched layers fails to
// compile; a layer that works on any size (ReLU) says kAnySize and passes its input size on.
#include <array>
#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>

#include "jiggle/error.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

inline constexpr int kAnySize = -1;

// Where a parameter sits, e.g. "layers.2.weight", kept as numbers until someone asks for the
// text: optimisers visit every parameter on every step and must not allocate to do so.
class ParameterPath {
 public:
  static constexpr std::size_t kMaxDepth = 8;

  ParameterPath with_position(int position) const {
    if (depth_ == kMaxDepth) throw Error("jiggle: chains nested deeper than 8 levels");
    ParameterPath child = *this;
    child.positions_[child.depth_++] = position;
    return child;
  }

  ParameterPath with_leaf(std::string_view leaf) const {
    ParameterPath named = *this;
    named.leaf_ = leaf;
    return named;
  }

  // Named as PyTorch's nn.Sequential would name the same stack: "layers.0.weight".
  std::string to_string() const {
    std::string text;
    for (std::size_t level = 0; level < depth_; ++level) {
      text += "layers.";
      text += std::to_string(positions_[level]);
      text += '.';
    }
    text += leaf_;
    return text;
  }

 private:
  std::array<int, kMaxDepth> positions_{};
  std::size_t depth_ = 0;
  std::string_view leaf_;
};

// A parameter tensor and its gradient, both viewed as matrices (a bias is a one-column matrix)
// so every visitor handles every parameter with the same code.
template <class T>
struct Parameter {
  ParameterPath path;
  Eigen::Map<Matrix<T>> value;
  Eigen::Map<Matrix<T>> gradient;
};

template <class T, class ValueTensor, class GradientTensor>
Parameter<T> make_parameter(const ParameterPath& path, ValueTensor& value, GradientTensor& gradient) {
  return Parameter<T>{path, Eigen::Map<Matrix<T>>(value.data(), value.rows(), value.cols()),
                      Eigen::Map<Matrix<T>>(gradient.data(), gradient.rows(), gradient.cols())};
}

template <class L>
concept Layer = requires(L layer, const Matrix<typename L::Scalar>& batch) {
  typename L::Scalar;
  { L::input_size } -> std::convertible_to<int>;
  { L::output_size } -> std::convertible_to<int>;
  { layer.forward(batch) } -> std::same_as<const Matrix<typename L::Scalar>&>;
  { layer.backward(batch) } -> std::same_as<const Matrix<typename L::Scalar>&>;
};

template <class L>
concept HasParameters = requires(L layer) {
  layer.visit_parameters([](Parameter<typename L::Scalar>&) {}, ParameterPath{});
};

// A layer may offer backward_parameters(dY): the parameter gradients without dX. The first
// layer of a network never needs dX, and for Dense<784, 512> skipping it saves one of the
// step's nine matrix products.
template <class L>
concept HasParameterOnlyBackward = requires(L layer, const Matrix<typename L::Scalar>& batch) {
  layer.backward_parameters(batch);
};

// A layer may offer the plain-SGD step fused into its VJP (see Dense::backward_sgd):
// backward_sgd(dY, lr) returns dX and updates the parameters in place; sgd_parameters(dY, lr)
// does the update alone.
template <class L>
concept HasFusedSgd = requires(L layer, const Matrix<typename L::Scalar>& batch, typename L::Scalar rate) {
  layer.backward_sgd(batch, rate);
  layer.sgd_parameters(batch, rate);
};

template <Layer L, class Visitor>
void visit_parameters(L& layer, Visitor&& visit) {
  if constexpr (HasParameters<L>) layer.visit_parameters(visit, ParameterPath{});
}

template <Layer L>
Index parameter_count(L& layer) {
  Index count = 0;
  visit_parameters(layer, [&](const Parameter<typename L::Scalar>& p) { count += p.value.size(); });
  return count;
}

}  // namespace jiggle
