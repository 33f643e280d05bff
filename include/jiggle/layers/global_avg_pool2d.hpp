#pragma once
#include <string>

#include "jiggle/kernels/vector_loop.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/parallel.hpp"
#include "jiggle/shape.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// GlobalAvgPool2D (nn.AdaptiveAvgPool2d(1) then nn.Flatten): each channel's H×W plane becomes
// its mean, so a C×H×W sample becomes C features.
//   forward   Y[c] = Σ_{y, x} X[c, y, x] / (H·W)
//   backward  dX[c, y, x] = dY[c] / (H·W): every input of a plane had the same share in its mean
// X, dX: C·H·W × B   Y, dY: C × B
//
// A sample's planes lie one after another in its column (CHW order), so each mean is a sum over
// H·W contiguous values, summed in T. No parameters, and nothing kept from the forward but Y.
// It stands for two of nn.Sequential's modules, the pool and the flatten, so the layers after it
// keep PyTorch's names: Conv2D, ReLU, GlobalAvgPool2D, Dense names the Dense "layers.4".
template <Shape In, class T = float>
class GlobalAvgPool2D {
  static_assert(In.fixed() && In.size() > 0, "GlobalAvgPool2D needs a fixed input shape");

  static constexpr Index kPlane = Index{In.height} * In.width;

 public:
  using Scalar = T;
  static constexpr Shape input_shape = In;
  static constexpr Shape output_shape = vector_shape(In.channels);
  static constexpr int sequential_modules = 2;

  // X: C·H·W × B   Y: C × B
  const Matrix<T>& forward(const Matrix<T>& X) {
    check_input_rows(name, X.rows(), In.size());
    const Index batch = X.cols();
    Y_.resize(In.channels, batch);
    parallel_for(batch, X.size(), [&](Index s) {
      const T* x = X.col(s).data();
      T* y = Y_.col(s).data();
      kernels::run_vectorised([&] {
        for (Index c = 0; c < In.channels; ++c) {
          const T* plane = x + c * kPlane;
          T sum = 0;
          JIGGLE_OMP(simd reduction(+ : sum))
          for (Index i = 0; i < kPlane; ++i) sum += plane[i];
          y[c] = sum / T(kPlane);  // Y[c] = Σ X[c, ·, ·] / (H·W)
        }
      });
    });
    return Y_;
  }

  // dY: C × B   dX: C·H·W × B, each plane filled with its channel's dY[c] / (H·W)
  const Matrix<T>& backward(const Matrix<T>& X, const Matrix<T>& dY, const GradientTarget<T>& target) {
    check_backward_arguments(name, X, In.size(), dY, Y_);
    if (!target.input_gradient) return no_input_gradient<T>();
    const Index batch = dY.cols();
    dX_.resize(In.size(), batch);
    parallel_for(batch, dX_.size(), [&](Index s) {
      const T* dy = dY.col(s).data();
      T* dx = dX_.col(s).data();
      kernels::run_vectorised([&] {
        for (Index c = 0; c < In.channels; ++c) {
          const T share = dy[c] / T(kPlane);  // dX[c, y, x] = dY[c] / (H·W)
          T* plane = dx + c * kPlane;
          JIGGLE_OMP(simd)
          for (Index i = 0; i < kPlane; ++i) plane[i] = share;
        }
      });
    });
    return dX_;
  }

 private:
  static std::string name() { return "GlobalAvgPool2D<" + to_string(In) + ">"; }

  Matrix<T> Y_;
  Matrix<T> dX_;
};

}  // namespace jiggle
