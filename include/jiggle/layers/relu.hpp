#pragma once
#include "jiggle/layer.hpp"
#include "jiggle/parallel.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// ReLU: Y = max(X, 0), element-wise, on any size.   X, Y, dY, dX: N×B
//
// At the kink the derivative is taken as 0: dX = dY where X > 0, and 0 where X <= 0. It is the
// subgradient PyTorch and JAX use too, so a net that starts with exact zeros trains the same way.
template <class T = float>
class ReLU {
 public:
  using Scalar = T;
  static constexpr int input_size = kAnySize;
  static constexpr int output_size = kAnySize;
  static constexpr Index parameter_count() { return 0; }

  const Matrix<T>& forward(const Matrix<T>& X) {
    Y_.resize(X.rows(), X.cols());
    const Index n = X.size();
    const T* x = X.data();
    T* y = Y_.data();
    JIGGLE_OMP(parallel for simd schedule(static) if (n > kParallelThreshold))
    for (Index i = 0; i < n; ++i) y[i] = x[i] > T(0) ? x[i] : T(0);
    return Y_;
  }

  // Y > 0 exactly where X > 0, so Y is all the VJP needs to remember.
  const Matrix<T>& backward(const Matrix<T>& dY) {
    dX_.resize(dY.rows(), dY.cols());
    const Index n = dY.size();
    const T* y = Y_.data();
    const T* dy = dY.data();
    T* dx = dX_.data();
    JIGGLE_OMP(parallel for simd schedule(static) if (n > kParallelThreshold))
    for (Index i = 0; i < n; ++i) dx[i] = y[i] > T(0) ? dy[i] : T(0);
    return dX_;
  }

 private:
  // Below this many elements, waking a second thread costs more than it saves.
  static constexpr Index kParallelThreshold = 16384;
  Matrix<T> Y_;
  Matrix<T> dX_;
};

}  // namespace jiggle
