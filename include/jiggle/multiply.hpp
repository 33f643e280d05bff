#pragma once
// The layers' matrix products: destination ← α·lhs·rhs + β·destination, written as the formula
// reads (`multiply(dX_, W.transpose(), dY)` is dX = Wᵀ dY). float runs on jiggle's kernels,
// chosen from the CPU at run time and in the layer's precision; double runs on Eigen's product,
// where the gradient checks want its exactness more than speed. Both go through
// kernels/gemm.hpp, so a program that compiles the kernels apart compiles Eigen's product there
// too, once (kernels::multiply_in_double).
#include <Eigen/Core>
#include <type_traits>

#include "jiggle/error.hpp"
#include "jiggle/kernels/gemm.hpp"
#include "jiggle/precision.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

namespace multiply_detail {

template <class Expression>
struct IsTranspose : std::false_type {};
template <class Inner>
struct IsTranspose<Eigen::Transpose<Inner>> : std::true_type {};

// What the kernels read and write: column-major storage whose columns are contiguous (a Matrix,
// a Map, or a block of columns of one). Anything else would be read or written at the wrong
// addresses, so it does not compile.
template <class Stored>
inline constexpr bool kKernelLayout =
    !(std::decay_t<Stored>::Flags & Eigen::RowMajorBit) && std::decay_t<Stored>::InnerStrideAtCompileTime == 1;

// Such a matrix, or the transpose of one, as the kernels' operand.
template <class Expression>
kernels::StoredOperand<typename Expression::Scalar> operand(const Expression& expression) {
  if constexpr (IsTranspose<Expression>::value) {
    const auto& stored = expression.nestedExpression();
    static_assert(kKernelLayout<decltype(stored)>,
                  "jiggle: products take column-major matrices with contiguous columns");
    return {stored.data(), stored.outerStride(), true};
  } else {
    static_assert(kKernelLayout<Expression>, "jiggle: products take column-major matrices with contiguous columns");
    return {expression.data(), expression.outerStride(), false};
  }
}

}  // namespace multiply_detail

template <class Destination, class Lhs, class Rhs, class T = typename std::decay_t<Destination>::Scalar>
void multiply(Destination&& destination, const Lhs& lhs, const Rhs& rhs, Precision precision = Precision::fp32,
              T alpha = T(1), T beta = T(0)) {
  if (lhs.cols() != rhs.rows() || destination.rows() != lhs.rows() || destination.cols() != rhs.cols())
    throw Error("jiggle: cannot multiply " + dimensions(lhs.rows(), lhs.cols()) + " by " +
                dimensions(rhs.rows(), rhs.cols()) + " into " + dimensions(destination.rows(), destination.cols()));
  static_assert(multiply_detail::kKernelLayout<Destination>,
                "jiggle: products write column-major matrices with contiguous columns, not a transpose");
  const auto a = multiply_detail::operand(lhs);
  const auto b = multiply_detail::operand(rhs);
  if constexpr (std::is_same_v<T, float>)
    kernels::multiply(precision, a, b, lhs.rows(), rhs.cols(), lhs.cols(), alpha, beta, destination.data(),
                      destination.outerStride());
  else
    kernels::multiply_in_double(a, b, lhs.rows(), rhs.cols(), lhs.cols(), alpha, beta, destination.data(),
                                destination.outerStride());
}

}  // namespace jiggle
