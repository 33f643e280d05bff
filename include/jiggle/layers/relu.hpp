#pragma once
#include <string>

#include "jiggle/layer.hpp"
#include "jiggle/parallel.hpp"
#include "jiggle/shape.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// ReLU: Y = max(X, 0), element-wise, on any shape.   X, Y, dY, dX: N×B
//
// At the kink the derivative is taken as 0: dX = dY where X > 0, and 0 where X <= 0. It is the
// subgradient PyTorch and JAX use too, so a net that starts with exact zeros trains the same way.
template <class T = float>
class ReLU {
 public:
  using Scalar = T;
  static constexpr Shape input_shape = kAnyShape;
  static constexpr Shape output_shape = kAnyShape;

  const Matrix<T>& forward(const Matrix<T>& X) {
    Y_.resize(X.rows(), X.cols());
    const Index n = X.size();
    const T* x = X.data();
    T* y = Y_.data();
    JIGGLE_OMP(parallel for simd schedule(static) if (n > kElementwiseParallelThreshold))
    for (Index i = 0; i < n; ++i) y[i] = x[i] > T(0) ? x[i] : T(0);
    return Y_;
  }

  // Y > 0 exactly where X > 0, so the VJP reads its own Y.
  const Matrix<T>& backward(const Matrix<T>& X, const Matrix<T>& dY, const GradientTarget<T>& target) {
    check_backward_arguments(name, X, Y_.rows(), dY, Y_);
    if (!target.input_gradient) return no_input_gradient<T>();
    dX_.resize(dY.rows(), dY.cols());
    const Index n = dY.size();
    const T* y = Y_.data();
    const T* dy = dY.data();
    T* dx = dX_.data();
    JIGGLE_OMP(parallel for simd schedule(static) if (n > kElementwiseParallelThreshold))
    for (Index i = 0; i < n; ++i) dx[i] = y[i] > T(0) ? dy[i] : T(0);
    return dX_;
  }

 private:
  static std::string name() { return "ReLU"; }

  Matrix<T> Y_;
  Matrix<T> dX_;
};

}  // namespace jiggle
