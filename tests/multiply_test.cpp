#include "jiggle/multiply.hpp"

#include <cmath>
#include <limits>

#include "jiggle/random.hpp"
#include "support/catch.hpp"
#include "support/random_matrix.hpp"

namespace {

using jiggle::Index;
using jiggle::Matrix;

}  // namespace

TEST_CASE("multiply writes alpha lhs rhs + beta destination in double, for each transpose", "[multiply]") {
  jiggle::Rng rng(3);
  const Matrix<double> a = uniform_matrix<double>(rng, 5, 4);
  const Matrix<double> b = uniform_matrix<double>(rng, 4, 6);
  const Matrix<double> c0 = uniform_matrix<double>(rng, 5, 6);
  for (const auto& [alpha, beta] : {std::pair{1.0, 0.0}, {2.0, 0.0}, {-0.5, 1.0}, {2.0, -0.75}}) {
    const Matrix<double> expected = alpha * a * b + beta * c0;
    Matrix<double> c = c0;
    jiggle::multiply(c, a, b, jiggle::Precision::fp32, alpha, beta);
    REQUIRE(c.isApprox(expected, 1e-14));
    const Matrix<double> at = a.transpose();
    const Matrix<double> bt = b.transpose();
    c = c0;
    jiggle::multiply(c, at.transpose(), bt.transpose(), jiggle::Precision::fp32, alpha, beta);
    REQUIRE(c.isApprox(expected, 1e-14));
  }
  Matrix<double> c = Matrix<double>::Constant(5, 6, std::numeric_limits<double>::quiet_NaN());
  jiggle::multiply(c, a, b);
  REQUIRE(c.isApprox(a * b, 1e-14));
}

TEST_CASE("multiply in float agrees with double for matrices, maps, columns and transposes", "[multiply]") {
  jiggle::Rng rng(4);
  const Matrix<float> a = uniform_matrix<float>(rng, 37, 29);
  const Matrix<float> b = uniform_matrix<float>(rng, 29, 23);
  const Matrix<float> bt = b.transpose();
  const Matrix<float> c0 = uniform_matrix<float>(rng, 37, 23);
  const Matrix<double> expected = 2.0 * a.cast<double>() * b.cast<double>() - 0.5 * c0.cast<double>();
  const double tolerance = 29 * 4 * std::ldexp(1.0, -24) * 3.0;  // Σ|a||b| ≤ 29, |C| ≤ 3

  Matrix<float> c = c0;
  jiggle::multiply(c, a, b, jiggle::Precision::fp32, 2.0F, -0.5F);
  REQUIRE((c.cast<double>() - expected).cwiseAbs().maxCoeff() <= tolerance);

  // A map of the transposed rhs, seen transposed again, into a map of a wider matrix's columns.
  Matrix<float> wide = Matrix<float>::Zero(37, 30);
  wide.leftCols(23) = c0;
  const Eigen::Map<const Matrix<float>> bt_map(bt.data(), bt.rows(), bt.cols());
  Eigen::Map<Matrix<float>> c_map(wide.data(), 37, 23);
  jiggle::multiply(c_map, a, bt_map.transpose(), jiggle::Precision::fp32, 2.0F, -0.5F);
  REQUIRE((wide.leftCols(23).cast<double>() - expected).cwiseAbs().maxCoeff() <= tolerance);
  REQUIRE(wide.rightCols(7).isZero());

  // One column of the result at a time: a column block with the matrix's stride.
  Matrix<float> by_column = c0;
  for (Index j = 0; j < 23; ++j) {
    auto column = by_column.col(j);
    jiggle::multiply(column, a, b.col(j), jiggle::Precision::fp32, 2.0F, -0.5F);
  }
  REQUIRE((by_column.cast<double>() - expected).cwiseAbs().maxCoeff() <= tolerance);
}

TEST_CASE("multiply in bf16 stays within bf16's rounding of the fp32 product", "[multiply]") {
  if (jiggle::kernels::cpu_isa() < jiggle::kernels::Isa::avx512_bf16) JIGGLE_SKIP("this CPU has no AVX512_BF16");
  jiggle::Rng rng(5);
  const Matrix<float> a = uniform_matrix<float>(rng, 64, 128);
  const Matrix<float> b = uniform_matrix<float>(rng, 128, 16);
  Matrix<float> fp32(64, 16);
  Matrix<float> bf16(64, 16);
  jiggle::multiply(fp32, a, b);
  jiggle::multiply(bf16, a, b, jiggle::Precision::bf16);
  const Matrix<float> magnitude = a.cwiseAbs() * b.cwiseAbs();
  const double difference = ((bf16 - fp32).cwiseAbs().array() / magnitude.array()).maxCoeff();
  REQUIRE(difference <= 2.0 * std::ldexp(1.0, -8) + 1e-5);
  REQUIRE(difference > 0.0);  // the inputs were rounded
}

TEST_CASE("multiply rejects operands whose shapes do not chain, naming them", "[multiply]") {
  Matrix<float> a(3, 4);
  Matrix<float> b(5, 2);
  Matrix<float> c(3, 2);
  REQUIRE_THROWS_WITH(jiggle::multiply(c, a, b), Catch::Matchers::Contains("cannot multiply 3×4 by 5×2 into 3×2"));
}
