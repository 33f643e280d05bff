#pragma once
// The one layout rule: a batch is a matrix with one sample per column. Eigen's default
// column-major storage then keeps each sample contiguous, exactly as IDX files store images.
#include <Eigen/Core>
#include <string>

namespace jiggle {

template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

template <class T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

// Row-major storage, as PyTorch and NumPy lay out a tensor and safetensors files hold one: only
// copies to and from such outside data use it.
template <class T>
using RowMajorMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

using Index = Eigen::Index;

// "784×128": how every message prints a matrix's dimensions.
inline std::string dimensions(Index rows, Index cols) { return std::to_string(rows) + "×" + std::to_string(cols); }

// destination ← α·value + β·destination: how products and gradients land. At β = 0 destination
// is not read, so it may be uninitialised or hold a NaN that 0·NaN would keep. value may be a
// product; Eigen then folds α into it and accumulates into destination without a temporary.
template <class Destination, class Expression, class T>
void scale_and_add(Destination&& destination, const Expression& value, T alpha, T beta) {
  if (beta == T(0)) {
    destination.noalias() = alpha * value;
  } else {
    if (beta != T(1)) destination *= beta;
    destination.noalias() += alpha * value;
  }
}

}  // namespace jiggle
