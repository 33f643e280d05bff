#pragma once
// GradientTarget: where a layer's backward writes each parameter gradient, as the optimiser asks.
#include "jiggle/multiply.hpp"
#include "jiggle/precision.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// Where backward lands each parameter gradient G (dW = dY Xᵀ for Dense): T ← α·G + β·T, with T
// either the gradient tensors or the parameters themselves. The optimiser chooses:
//   gradients()              T = dW, α = 1, β = 0: dW = G, for any optimiser that reads gradients;
//   descent_step(lr)         T = W, α = −lr, β = 1: W ← W − lr·G, plain SGD fused into the
//                            products, so no gradient is written, zeroed or read back.
// A layer applies it through write_product / write and so fuses without knowing about SGD.
// `input_gradient` false asks for no dX (the first layer of a network: nobody reads dX of data).
template <class T>
struct GradientTarget {
  enum class Into { gradients, values };
  Into into = Into::gradients;
  T alpha = T(1);
  T beta = T(0);
  bool input_gradient = true;

  static GradientTarget gradients() { return {}; }
  static GradientTarget descent_step(T learning_rate) { return {Into::values, -learning_rate, T(1), true}; }

  GradientTarget without_input_gradient() const {
    GradientTarget target = *this;
    target.input_gradient = false;
    return target;
  }

  // The tensor that receives the gradient of a parameter with this value and gradient storage.
  template <class Tensor>
  Tensor& select(Tensor& value, Tensor& gradient) const {
    return into == Into::values ? value : gradient;
  }

  // destination ← α·(lhs·rhs) + β·destination, as one product: the kernels take α and the
  // accumulation into their tiles, so the fused step makes no temporary and no second pass.
  template <class Destination, class Lhs, class Rhs>
  void write_product(Destination& destination, const Lhs& lhs, const Rhs& rhs, Precision precision) const {
    multiply(destination, lhs, rhs, precision, alpha, beta);
  }

  // destination ← α·gradient + β·destination, for gradients that are not a product (a bias).
  template <class Destination, class Expression>
  void write(Destination& destination, const Expression& gradient) const {
    scale_and_add(destination, gradient, alpha, beta);
  }
};

}  // namespace jiggle
