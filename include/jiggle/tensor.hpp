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

using Index = Eigen::Index;

// "784×128": how every message prints a matrix's dimensions.
inline std::string dimensions(Index rows, Index cols) { return std::to_string(rows) + "×" + std::to_string(cols); }

}  // namespace jiggle
