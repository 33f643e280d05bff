#pragma once
#include <cmath>
#include <cstdint>
#include <string>

#include "jiggle/kernels/vector_loop.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/parallel.hpp"
#include "jiggle/shape.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

namespace max_pool_detail {

// Windows of K at steps of Stride along an extent: floor((extent − K)/Stride) + 1.
constexpr int pooled(int extent, int K, int Stride) { return (extent - K) / Stride + 1; }

// One sample's windows: y[o] = the largest x of window o, at[o] = where it sits in the sample.
// Each output row's windows are independent, so the loop along it is vectorised, its window
// unrolled: the running maximum is kept as a value and a position, and a later element replaces
// it where it is strictly larger or NaN (a select per lane, no branch).
template <Shape In, int K, int Stride, class T>
void pool_sample(const T* x, T* y, std::int32_t* at) {
  constexpr int kOutHeight = pooled(In.height, K, Stride);
  constexpr int kOutWidth = pooled(In.width, K, Stride);
  for (int c = 0; c < In.channels; ++c)
    for (int oy = 0; oy < kOutHeight; ++oy) {
      const int row = (c * In.height + oy * Stride) * In.width;
      const int out = (c * kOutHeight + oy) * kOutWidth;
      JIGGLE_OMP(simd)
      for (int ox = 0; ox < kOutWidth; ++ox) {
        const int corner = row + ox * Stride;
        T best = x[corner];
        std::int32_t best_at = corner;
#pragma GCC unroll 16
        for (int ky = 0; ky < K; ++ky)
#pragma GCC unroll 16
          for (int kx = 0; kx < K; ++kx) {
            const int i = corner + ky * In.width + kx;
            const bool wins = x[i] > best || std::isnan(x[i]);
            best = wins ? x[i] : best;
            best_at = wins ? i : best_at;
          }
        y[out + ox] = best;
        at[out + ox] = best_at;
      }
    }
}

}  // namespace max_pool_detail

// MaxPool2D (nn.MaxPool2d, no padding): each output is the largest input of its K×K window.
//   forward   Y[c, oy, ox] = X[c, a],  a = argmax of X over the window at (oy·S, ox·S)
//   backward  dX[c, a] += dY[c, oy, ox] for every window, 0 where no window's maximum sits
// X: C·H·W × B   Y: C·Ho·Wo × B,  Ho = floor((H − K)/S) + 1
//
// Ties go as in PyTorch: the window is scanned row by row, and a later element wins only if it is
// strictly larger, so the first maximum in scan order takes the whole gradient. A NaN always
// wins (the last NaN in scan order), so a NaN input shows in the output as PyTorch's does.
// The forward keeps each maximum's position within its sample (int32, sized by the first batch).
template <Shape In, int K, int Stride = K, class T = float>
class MaxPool2D {
  static_assert(In.fixed() && In.size() > 0, "MaxPool2D needs a fixed input shape");
  static_assert(K > 0 && Stride > 0, "MaxPool2D sizes must be positive");
  static_assert(In.height >= K && In.width >= K, "MaxPool2D: the window is larger than the input");

  static constexpr int kOutHeight = max_pool_detail::pooled(In.height, K, Stride);
  static constexpr int kOutWidth = max_pool_detail::pooled(In.width, K, Stride);

 public:
  using Scalar = T;
  static constexpr Shape input_shape = In;
  static constexpr Shape output_shape{In.channels, kOutHeight, kOutWidth};

  const Matrix<T>& forward(const Matrix<T>& X) {
    check_input_rows(name, X.rows(), In.size());
    const Index batch = X.cols();
    Y_.resize(output_shape.size(), batch);
    argmax_.resize(output_shape.size(), batch);
    parallel_for(batch, X.size(), [&](Index s) {
      const T* x = X.col(s).data();
      T* y = Y_.col(s).data();
      std::int32_t* at = argmax_.col(s).data();
      kernels::run_vectorised([&] { max_pool_detail::pool_sample<In, K, Stride>(x, y, at); });
    });
    return Y_;
  }

  // dX[argmax] += dY: the gradient goes to the input the forward picked, nowhere else.
  const Matrix<T>& backward(const Matrix<T>& X, const Matrix<T>& dY, const GradientTarget<T>& target) {
    check_backward_arguments(name, X, In.size(), dY, Y_);
    if (!target.input_gradient) return no_input_gradient<T>();
    const Index batch = dY.cols();
    dX_.resize(In.size(), batch);
    parallel_for(batch, dX_.size(), [&](Index s) {
      auto dx = dX_.col(s);
      dx.setZero();
      const T* dy = dY.col(s).data();
      const std::int32_t* at = argmax_.col(s).data();
      for (Index o = 0; o < output_shape.size(); ++o) dx(at[o]) += dy[o];
    });
    return dX_;
  }

 private:
  static std::string name() {
    return "MaxPool2D<" + to_string(In) + ", " + std::to_string(K) + ", " + std::to_string(Stride) + ">";
  }

  Matrix<T> Y_;
  Matrix<T> dX_;
  Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic> argmax_;
};

}  // namespace jiggle
