#include "jiggle/layers/global_avg_pool2d.hpp"

#include <string>
#include <vector>

#include "jiggle/chain.hpp"
#include "jiggle/layers/conv2d.hpp"
#include "jiggle/layers/dense.hpp"
#include "jiggle/layers/relu.hpp"
#include "support/catch.hpp"
#include "support/gradcheck_matchers.hpp"
#include "support/gradients.hpp"
#include "support/random_matrix.hpp"

using jiggle::GlobalAvgPool2D;
using jiggle::Index;
using jiggle::Matrix;
using jiggle::Shape;

namespace {

using test_support::kGradients;

// The definition, one value at a time: Y[c] = Σ_{y, x} X[c, y, x] / (H·W).
Matrix<double> channel_means(Shape in, const Matrix<double>& X) {
  Matrix<double> Y(in.channels, X.cols());
  for (Index s = 0; s < X.cols(); ++s)
    for (int c = 0; c < in.channels; ++c) {
      double sum = 0.0;
      for (int y = 0; y < in.height; ++y)
        for (int x = 0; x < in.width; ++x) sum += X((c * in.height + y) * in.width + x, s);
      Y(c, s) = sum / (in.height * in.width);
    }
  return Y;
}

// dX[c, y, x] = dY[c] / (H·W), one value at a time.
Matrix<double> spread_over_planes(Shape in, const Matrix<double>& dY) {
  Matrix<double> dX(in.size(), dY.cols());
  for (Index s = 0; s < dY.cols(); ++s)
    for (int c = 0; c < in.channels; ++c)
      for (int y = 0; y < in.height; ++y)
        for (int x = 0; x < in.width; ++x)
          dX((c * in.height + y) * in.width + x, s) = dY(c, s) / (in.height * in.width);
  return dX;
}

}  // namespace

TEST_CASE("GlobalAvgPool2D turns C×H×W into C features", "[global_avg_pool2d]") {
  STATIC_REQUIRE(GlobalAvgPool2D<Shape{3, 4, 5}>::input_shape == Shape{3, 4, 5});
  STATIC_REQUIRE(GlobalAvgPool2D<Shape{3, 4, 5}>::output_shape == jiggle::vector_shape(3));
  STATIC_REQUIRE(GlobalAvgPool2D<Shape{64, 7, 7}>::output_shape == jiggle::vector_shape(64));
  STATIC_REQUIRE(jiggle::Layer<GlobalAvgPool2D<Shape{3, 4, 5}>>);
  STATIC_REQUIRE(!jiggle::HasParameters<GlobalAvgPool2D<Shape{3, 4, 5}>>);
}

TEST_CASE("GlobalAvgPool2D forward gives each channel's mean over its H·W plane", "[global_avg_pool2d]") {
  constexpr Shape in{3, 4, 5};
  GlobalAvgPool2D<in, double> pool;
  const Matrix<double> X = random_matrix(in.size(), 3, 1);
  const Matrix<double>& Y = pool.forward(X);
  REQUIRE(Y.rows() == 3);
  REQUIRE(Y.cols() == 3);
  REQUIRE(Y.isApprox(channel_means(in, X), 1e-14));
}

TEST_CASE("GlobalAvgPool2D forward of a constant plane is that constant", "[global_avg_pool2d]") {
  GlobalAvgPool2D<Shape{2, 2, 3}, double> pool;
  Matrix<double> X(12, 1);
  X << 1, 2, 3, 4, 5, 6,  // channel 0: mean 3.5
      7, 7, 7, 7, 7, 7;   // channel 1: mean 7
  Matrix<double> expected(2, 1);
  expected << 3.5, 7;
  REQUIRE(pool.forward(X) == expected);
}

TEST_CASE("GlobalAvgPool2D backward spreads dY[c] / (H·W) over channel c's plane", "[global_avg_pool2d][vjp]") {
  constexpr Shape in{3, 4, 5};
  GlobalAvgPool2D<in, double> pool;
  const Matrix<double> X = random_matrix(in.size(), 3, 2);
  const Matrix<double> dY = random_matrix(3, 3, 3);
  pool.forward(X);
  REQUIRE(pool.backward(X, dY, kGradients).isApprox(spread_over_planes(in, dY), 1e-15));
}

TEST_CASE("GlobalAvgPool2D VJP matches central differences, entry by entry and along a random direction",
          "[global_avg_pool2d][vjp]") {
  constexpr Shape in{3, 4, 5};
  GlobalAvgPool2D<in, double> pool;
  const Matrix<double> X = random_matrix(in.size(), 3, 4);
  const auto report = jiggle::check_vjp(pool, X);
  REQUIRE_GRADCHECK_PASSES(report);
  REQUIRE(report.entries_checked == X.size());
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(pool, X));
  // The checker refuses a gradient that is zero on both sides; say so here as well.
  pool.forward(X);
  REQUIRE(pool.backward(X, random_matrix(3, 3, 5), kGradients).cwiseAbs().minCoeff() > 0.0);
}

TEST_CASE("GlobalAvgPool2D on a batch large enough for several threads agrees with the definition",
          "[global_avg_pool2d]") {
  constexpr Shape in{8, 7, 7};  // 392 values a sample, 64 samples: past the threshold of one thread
  GlobalAvgPool2D<in, double> pool;
  const Matrix<double> X = random_matrix(in.size(), 64, 6);
  const Matrix<double> dY = random_matrix(8, 64, 7);
  REQUIRE(X.size() > jiggle::kElementwiseParallelThreshold);
  REQUIRE(pool.forward(X).isApprox(channel_means(in, X), 1e-14));
  REQUIRE(pool.backward(X, dY, kGradients).isApprox(spread_over_planes(in, dY), 1e-15));
}

TEST_CASE("GlobalAvgPool2D in float agrees with the definition in double", "[global_avg_pool2d]") {
  constexpr Shape in{4, 6, 5};
  GlobalAvgPool2D<in> pool;
  const Matrix<double> X = random_matrix(in.size(), 5, 8);
  const Matrix<double> dY = random_matrix(4, 5, 9);
  const Matrix<float> X_float = X.cast<float>();
  REQUIRE(pool.forward(X_float).cast<double>().isApprox(channel_means(in, X), 1e-6));
  REQUIRE(pool.backward(X_float, dY.cast<float>(), jiggle::GradientTarget<float>::gradients())
              .cast<double>()
              .isApprox(spread_over_planes(in, dY), 1e-6));
}

TEST_CASE("GlobalAvgPool2D computes no dX when none is asked for", "[global_avg_pool2d]") {
  GlobalAvgPool2D<Shape{3, 4, 5}, double> pool;
  const Matrix<double> X = random_matrix(60, 2, 10);
  pool.forward(X);
  REQUIRE(pool.backward(X, random_matrix(3, 2, 11), kGradients.without_input_gradient()).size() == 0);
}

TEST_CASE("GlobalAvgPool2D rejects inputs and output gradients of the wrong shape, naming them",
          "[global_avg_pool2d][misuse]") {
  GlobalAvgPool2D<Shape{3, 4, 5}, double> pool;
  REQUIRE_THROWS_AS(pool.forward(Matrix<double>::Zero(59, 2)), jiggle::Error);
  REQUIRE_THROWS_WITH(pool.forward(Matrix<double>::Zero(59, 2)),
                      Catch::Contains("GlobalAvgPool2D<3×4×5>") && Catch::Contains("59 rows"));
  const Matrix<double> X = Matrix<double>::Zero(60, 2);
  REQUIRE_THROWS_WITH(pool.backward(X, Matrix<double>::Zero(3, 2), kGradients),
                      Catch::Contains("backward before any forward"));
  pool.forward(X);
  // A dY shaped like the input, as if the layer kept the planes.
  REQUIRE_THROWS_AS(pool.backward(X, Matrix<double>::Zero(60, 2), kGradients), jiggle::Error);
  REQUIRE_THROWS_WITH(pool.backward(X, Matrix<double>::Zero(60, 2), kGradients),
                      Catch::Contains("output gradient is 60×2"));
  REQUIRE_THROWS_WITH(pool.backward(X, Matrix<double>::Zero(3, 3), kGradients),
                      Catch::Contains("output gradient is 3×3"));
  REQUIRE_THROWS_WITH(pool.backward(Matrix<double>::Zero(59, 2), Matrix<double>::Zero(3, 2), kGradients),
                      Catch::Contains("backward was given an input of 59×2"));
}

namespace {
using PooledModel =
    jiggle::Chain<jiggle::Conv2D<Shape{2, 4, 5}, 3, 3, 1, jiggle::Padding::same, double>, jiggle::ReLU<double>,
                  GlobalAvgPool2D<Shape{3, 4, 5}, double>, jiggle::Dense<3, 2, double>>;
}  // namespace

TEST_CASE("GlobalAvgPool2D stands for nn.AdaptiveAvgPool2d and nn.Flatten, so later layers keep PyTorch's names",
          "[global_avg_pool2d][chain]") {
  REQUIRE(jiggle::sequential_modules<GlobalAvgPool2D<Shape{3, 4, 5}>>() == 2);
  jiggle::Rng rng(14);
  PooledModel model(rng);
  std::vector<std::string> names;
  jiggle::visit_parameters(model, [&](jiggle::Parameter<double>& p) { names.push_back(p.path.to_string()); });
  // nn.Sequential(Conv2d, ReLU, AdaptiveAvgPool2d(1), Flatten, Linear)
  REQUIRE(names == std::vector<std::string>{"layers.0.weight", "layers.0.bias", "layers.4.weight", "layers.4.bias"});
}

TEST_CASE("A Chain Conv2D → ReLU → GlobalAvgPool2D → Dense matches central differences",
          "[global_avg_pool2d][chain][vjp]") {
  STATIC_REQUIRE(PooledModel::input_shape == Shape{2, 4, 5});
  STATIC_REQUIRE(PooledModel::output_shape == jiggle::vector_shape(2));
  jiggle::Rng rng(12);
  PooledModel model(rng, jiggle::Init::torch_default);
  const Matrix<double> X = random_matrix(40, 3, 13);
  const auto report = jiggle::check_vjp(model, X);
  REQUIRE_GRADCHECK_PASSES(report);
  REQUIRE(report.entries_checked == X.size() + jiggle::parameter_count(model));
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(model, X));
}
