#pragma once
#include <string>

#include "jiggle/error.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// Mean squared error, as PyTorch's nn.MSELoss (reduction 'mean'): the mean over every entry.
//   Z, targets, dZ: K×B      L = 1/(K·B) Σ (Z − targets)²      dL/dZ = 2 (Z − targets) / (K·B)
template <class T = float>
class MeanSquaredError {
 public:
  using Scalar = T;

  double forward(const Matrix<T>& Z, const Matrix<T>& targets) {
    if (targets.rows() != Z.rows() || targets.cols() != Z.cols())
      throw Error("mean squared error: targets are " + dimensions(targets.rows(), targets.cols()) + ", outputs are " +
                  dimensions(Z.rows(), Z.cols()));
    const auto count = static_cast<double>(Z.size());
    dZ_.resize(Z.rows(), Z.cols());
    dZ_ = Z - targets;
    const double loss = dZ_.template cast<double>().squaredNorm() / count;
    dZ_ *= static_cast<T>(2.0 / count);
    return loss;
  }

  const Matrix<T>& backward() const { return dZ_; }

 private:
  Matrix<T> dZ_;
};

}  // namespace jiggle
