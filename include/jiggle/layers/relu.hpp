#pragma once
#include <bit>
#include <cstdint>
#include <string>
#include <type_traits>

#include "jiggle/kernels/vector_loop.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/shape.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// max(x, 0), except that a NaN stays NaN, as torch.relu keeps it: a run that has gone wrong
// shows it in its output and loss instead of training on zeros.
template <class T>
T relu(T x) {
  return !(x <= T(0)) ? x : T(0);
}

// ReLU's VJP from its output: dy where y > 0 or y is NaN, else 0, even for an infinite or NaN dy
// (PyTorch's threshold_backward passes dy exactly where the output is not <= 0). On the bits, so
// it is a compare and an AND wherever it is compiled: a branch per element would mispredict on
// half of a ReLU's mask, and a compiler's cost model may keep a select as such a branch outside
// a vectorised loop.
template <class T>
T pass_where_positive(T y, T dy) {
  using Bits = std::conditional_t<sizeof(T) == sizeof(std::uint32_t), std::uint32_t, std::uint64_t>;
  static_assert(sizeof(Bits) == sizeof(T));
  const Bits mask = Bits{0} - static_cast<Bits>(!(y <= T(0)));
  return std::bit_cast<T>(std::bit_cast<Bits>(dy) & mask);
}

// ReLU: Y = max(X, 0), element-wise, on any shape.   X, Y, dY, dX: N×B
//
// At the kink the derivative is taken as 0: dX = dY where X > 0, and 0 where X <= 0. It is the
// subgradient PyTorch and JAX use too, so a net that starts with exact zeros trains the same way.
// A NaN in X stays NaN in Y and passes dY, as in PyTorch.
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
    kernels::run_elementwise(n, [&](Index first, Index last) {
      JIGGLE_OMP(simd)
      for (Index i = first; i < last; ++i) y[i] = relu(x[i]);
    });
    return Y_;
  }

  // Y > 0 exactly where X > 0, and NaN where X is, so the VJP reads its own Y.
  const Matrix<T>& backward(const Matrix<T>& X, const Matrix<T>& dY, const GradientTarget<T>& target) {
    check_backward_arguments(name, X, Y_.rows(), dY, Y_);
    if (!target.input_gradient) return no_input_gradient<T>();
    dX_.resize(dY.rows(), dY.cols());
    const Index n = dY.size();
    const T* y = Y_.data();
    const T* dy = dY.data();
    T* dx = dX_.data();
    kernels::run_elementwise(n, [&](Index first, Index last) {
      JIGGLE_OMP(simd)
      for (Index i = first; i < last; ++i) dx[i] = pass_where_positive(y[i], dy[i]);
    });
    return dX_;
  }

 private:
  static std::string name() { return "ReLU"; }

  Matrix<T> Y_;
  Matrix<T> dX_;
};

}  // namespace jiggle
