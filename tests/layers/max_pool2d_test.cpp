#include "jiggle/layers/max_pool2d.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "support/catch.hpp"
#include "support/gradcheck_matchers.hpp"
#include "support/gradients.hpp"
#include "support/random_matrix.hpp"

using jiggle::Index;
using jiggle::Matrix;
using jiggle::MaxPool2D;
using jiggle::Shape;

namespace {

using test_support::kGradients;

// Distinct values at least 0.05 apart in random order, so that no step of 1e-6 changes which
// element of a window is largest.
Matrix<double> input_without_ties(Index rows, Index cols, std::uint64_t seed) {
  jiggle::Rng rng(seed);
  Matrix<double> X(rows, cols);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = 0.05 * static_cast<double>(i) - 1.0;
  rng.shuffle(X.data(), X.data() + X.size());
  return X;
}

}  // namespace

TEST_CASE("MaxPool2D output shapes follow floor((H - K) / S) + 1", "[max_pool2d]") {
  STATIC_REQUIRE(MaxPool2D<Shape{32, 28, 28}, 2>::output_shape == Shape{32, 14, 14});
  STATIC_REQUIRE(MaxPool2D<Shape{2, 5, 5}, 2>::output_shape == Shape{2, 2, 2});
  STATIC_REQUIRE(MaxPool2D<Shape{2, 5, 5}, 3, 2>::output_shape == Shape{2, 2, 2});
  STATIC_REQUIRE(MaxPool2D<Shape{1, 4, 7}, 3, 1>::output_shape == Shape{1, 2, 5});
  STATIC_REQUIRE(jiggle::Layer<MaxPool2D<Shape{1, 4, 4}, 2>>);
}

TEST_CASE("MaxPool2D forward takes each window's largest value", "[max_pool2d]") {
  MaxPool2D<Shape{1, 4, 4}, 2, 2, double> pool;
  Matrix<double> X(16, 1);
  X << 1, 5, 2, 0,   //
      3, 4, 8, 1,    //
      -1, -2, 0, 6,  //
      -3, -4, 7, 2;
  Matrix<double> expected(4, 1);
  expected << 5, 8, -1, 7;
  REQUIRE(pool.forward(X) == expected);
}

TEST_CASE("MaxPool2D backward routes each output gradient to its window's maximum", "[max_pool2d][vjp]") {
  MaxPool2D<Shape{1, 4, 4}, 2, 2, double> pool;
  Matrix<double> X(16, 1);
  X << 1, 5, 2, 0,   //
      3, 4, 8, 1,    //
      -1, -2, 0, 6,  //
      -3, -4, 7, 2;
  pool.forward(X);
  Matrix<double> dY(4, 1);
  dY << 10, 20, 30, 40;
  Matrix<double> expected = Matrix<double>::Zero(16, 1);
  expected(1) = 10;   // 5
  expected(6) = 20;   // 8
  expected(8) = 30;   // -1
  expected(14) = 40;  // 7
  REQUIRE(pool.backward(X, dY, kGradients) == expected);
}

TEST_CASE("MaxPool2D VJP matches central differences away from ties", "[max_pool2d][vjp]") {
  MaxPool2D<Shape{2, 5, 5}, 2, 2, double> pool;
  const Matrix<double> X = input_without_ties(50, 3, 1);
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp(pool, X));
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(pool, X));
}

TEST_CASE("MaxPool2D VJP with overlapping windows adds the gradients of every window", "[max_pool2d][vjp]") {
  MaxPool2D<Shape{2, 5, 6}, 3, 1, double> pool;
  const Matrix<double> X = input_without_ties(60, 2, 2);
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp(pool, X));
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(pool, X));
  // A single large value is the maximum of every window that covers it, and gets all their dY.
  Matrix<double> spike = Matrix<double>::Zero(30, 1);
  spike(2 * 6 + 2) = 1.0;  // row 2, column 2: inside all 3 × 3 windows at rows 0-2 and columns 0-2
  MaxPool2D<Shape{1, 5, 6}, 3, 1, double> single;
  single.forward(spike);
  const Matrix<double> dX = single.backward(spike, Matrix<double>::Ones(12, 1), kGradients);
  REQUIRE(dX(2 * 6 + 2) == 9.0);
}

TEST_CASE("MaxPool2D gives a tie to the first maximum in scan order, as PyTorch does", "[max_pool2d]") {
  MaxPool2D<Shape{1, 2, 4}, 2, 2, double> pool;
  Matrix<double> X(8, 1);
  X << 1, 3, 3, 3,  //
      3, 2, 3, 3;
  pool.forward(X);
  Matrix<double> dY(2, 1);
  dY << 1, 1;
  Matrix<double> expected = Matrix<double>::Zero(8, 1);
  expected(1) = 1;  // first window: the 3 in the top row wins over the 3 below it
  expected(2) = 1;  // second window: four 3s, the top-left one wins
  REQUIRE(pool.backward(X, dY, kGradients) == expected);
}

TEST_CASE("MaxPool2D lets a NaN win its window, as PyTorch does", "[max_pool2d]") {
  MaxPool2D<Shape{1, 2, 2}, 2, 2, double> pool;
  Matrix<double> X(4, 1);
  X << 1, std::numeric_limits<double>::quiet_NaN(), 5, 2;
  REQUIRE(std::isnan(pool.forward(X)(0)));
  const Matrix<double> dX = pool.backward(X, Matrix<double>::Ones(1, 1), kGradients);
  REQUIRE(dX(1) == 1.0);
  REQUIRE(dX.sum() == 1.0);
}

TEST_CASE("MaxPool2D computes no dX when none is asked for", "[max_pool2d]") {
  MaxPool2D<Shape{1, 4, 4}, 2, 2, double> pool;
  const Matrix<double> X = random_matrix(16, 2, 3);
  pool.forward(X);
  REQUIRE(pool.backward(X, random_matrix(4, 2, 4), kGradients.without_input_gradient()).size() == 0);
}

TEST_CASE("MaxPool2D rejects inputs and output gradients of the wrong shape, naming them", "[max_pool2d][misuse]") {
  MaxPool2D<Shape{1, 4, 4}, 2, 2, double> pool;
  REQUIRE_THROWS_WITH(pool.forward(Matrix<double>::Zero(15, 2)),
                      Catch::Contains("MaxPool2D<1×4×4, 2, 2>") && Catch::Contains("15 rows"));
  const Matrix<double> X = Matrix<double>::Zero(16, 2);
  REQUIRE_THROWS_WITH(pool.backward(X, Matrix<double>::Zero(4, 2), kGradients),
                      Catch::Contains("backward before any forward"));
  pool.forward(X);
  REQUIRE_THROWS_WITH(pool.backward(X, Matrix<double>::Zero(4, 3), kGradients),
                      Catch::Contains("output gradient is 4×3"));
}

namespace {

// Each window scanned one element at a time, row by row: what pool_sample must give, whichever
// instruction set its loop is compiled for.
template <Shape In, int K, int Stride>
void pool_one_at_a_time(const float* x, float* y, std::int32_t* at) {
  constexpr Shape Out = MaxPool2D<In, K, Stride>::output_shape;
  for (int c = 0; c < In.channels; ++c)
    for (int oy = 0; oy < Out.height; ++oy)
      for (int ox = 0; ox < Out.width; ++ox) {
        int best = (c * In.height + oy * Stride) * In.width + ox * Stride;
        for (int ky = 0; ky < K; ++ky)
          for (int kx = 0; kx < K; ++kx) {
            const int i = (c * In.height + oy * Stride + ky) * In.width + ox * Stride + kx;
            if (x[i] > x[best] || std::isnan(x[i])) best = i;
          }
        const int o = (c * Out.height + oy) * Out.width + ox;
        y[o] = x[best];
        at[o] = best;
      }
}

// Values from a few levels, so that windows tie, with some NaNs among them.
std::vector<float> input_with_ties_and_nans(int size, std::uint64_t seed) {
  jiggle::Rng rng(seed);
  std::vector<float> x(static_cast<std::size_t>(size));
  for (float& value : x) {
    const double draw = rng.uniform();
    value = draw < 0.05 ? std::numeric_limits<float>::quiet_NaN() : std::floor(static_cast<float>(draw) * 4.0F);
  }
  return x;
}

template <Shape In, int K, int Stride>
void check_pooling_on_every_instruction_set(std::uint64_t seed) {
  using jiggle::kernels::Isa;
  constexpr Shape Out = MaxPool2D<In, K, Stride>::output_shape;
  const std::vector<float> x = input_with_ties_and_nans(In.size(), seed);
  std::vector<float> expected(static_cast<std::size_t>(Out.size()));
  std::vector<std::int32_t> expected_at(expected.size());
  pool_one_at_a_time<In, K, Stride>(x.data(), expected.data(), expected_at.data());
  for (const Isa isa : {Isa::portable, Isa::avx2, Isa::avx512, Isa::avx512_bf16}) {
    if (isa > jiggle::kernels::cpu_isa()) continue;
    INFO(jiggle::kernels::to_string(isa));
    std::vector<float> y(expected.size(), -1.0F);
    std::vector<std::int32_t> at(expected.size(), -1);
    jiggle::kernels::run_vectorised(
        isa, [&] { jiggle::max_pool_detail::pool_sample<In, K, Stride>(x.data(), y.data(), at.data()); });
    REQUIRE(at == expected_at);
    for (std::size_t o = 0; o < y.size(); ++o) {
      INFO("output " << o);
      REQUIRE(std::bit_cast<std::uint32_t>(y[o]) == std::bit_cast<std::uint32_t>(expected[o]));
    }
  }
}

}  // namespace

TEST_CASE("MaxPool2D's vectorised windows pick what a scan one element at a time picks, on every instruction set",
          "[max_pool2d]") {
  check_pooling_on_every_instruction_set<Shape{3, 28, 28}, 2, 2>(5);
  check_pooling_on_every_instruction_set<Shape{2, 14, 14}, 2, 2>(6);
  check_pooling_on_every_instruction_set<Shape{2, 7, 11}, 3, 2>(7);
  check_pooling_on_every_instruction_set<Shape{1, 9, 37}, 2, 1>(8);
}
