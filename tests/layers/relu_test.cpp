#include "jiggle/layers/relu.hpp"

#include <cmath>
#include <limits>

#include "support/catch.hpp"
#include "support/gradcheck_matchers.hpp"

using jiggle::Matrix;
using jiggle::ReLU;

namespace {

// Entries at least 0.1 away from the kink, so a step of 1e-6 never crosses it.
Matrix<double> batch_away_from_kink(std::uint64_t seed) {
  jiggle::Rng rng(seed);
  Matrix<double> X(6, 4);
  for (jiggle::Index i = 0; i < X.size(); ++i) {
    const double magnitude = 0.1 + rng.uniform();
    X.data()[i] = rng.uniform() < 0.5 ? -magnitude : magnitude;
  }
  return X;
}

}  // namespace

TEST_CASE("ReLU forward is max(x, 0)", "[relu]") {
  ReLU<double> relu;
  Matrix<double> X(2, 2);
  X << -1.5, 0.0, 2.0, -0.0;
  Matrix<double> expected(2, 2);
  expected << 0.0, 0.0, 2.0, 0.0;
  REQUIRE(relu.forward(X) == expected);
}

TEST_CASE("ReLU VJP matches central differences away from the kink", "[relu][vjp]") {
  ReLU<double> relu;
  const Matrix<double> X = batch_away_from_kink(1);
  REQUIRE((X.array() > 0).any());
  REQUIRE((X.array() < 0).any());
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp(relu, X));
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(relu, X));
}

TEST_CASE("ReLU VJP passes dY where x > 0 and 0 where x <= 0, the kink included", "[relu][vjp]") {
  ReLU<double> relu;
  Matrix<double> X(1, 5);
  X << -2.0, -0.0, 0.0, 1e-300, 3.0;
  Matrix<double> dY(1, 5);
  dY << 1.0, 2.0, 3.0, 4.0, 5.0;
  relu.forward(X);
  Matrix<double> expected(1, 5);
  expected << 0.0, 0.0, 0.0, 4.0, 5.0;
  REQUIRE(relu.backward(X, dY, jiggle::GradientTarget<double>::gradients()) == expected);
}

TEST_CASE("ReLU works on large batches split across threads", "[relu]") {
  ReLU<float> relu;
  Matrix<float> X = Matrix<float>::Random(512, 128);
  const Matrix<float> Y = relu.forward(X);
  REQUIRE(Y == X.cwiseMax(0.0f));
  const Matrix<float> dY = Matrix<float>::Random(512, 128);
  const Matrix<float> expected = (X.array() > 0.0f).select(dY, 0.0f);
  REQUIRE(relu.backward(X, dY, jiggle::GradientTarget<float>::gradients()) == expected);
}

TEST_CASE("ReLU rejects an output gradient of the wrong shape instead of reading past its buffers", "[relu][misuse]") {
  ReLU<double> relu;
  const Matrix<double> X = Matrix<double>::Ones(6, 4);
  const auto target = jiggle::GradientTarget<double>::gradients();
  REQUIRE_THROWS_WITH(relu.backward(X, Matrix<double>::Ones(6, 4), target),
                      Catch::Contains("ReLU: backward before any forward"));
  relu.forward(X);
  REQUIRE_THROWS_WITH(relu.backward(X, Matrix<double>::Ones(6, 400), target),
                      Catch::Contains("ReLU: the output gradient is 6×400, but the last forward gave 6×4"));
  REQUIRE_THROWS_WITH(relu.backward(X, Matrix<double>::Ones(7, 4), target), Catch::Contains("output gradient is 7×4"));
}

TEST_CASE("ReLU's VJP passes no infinite or NaN dY where the input was not positive", "[relu]") {
  jiggle::ReLU<float> relu;
  jiggle::Matrix<float> X(4, 1);
  X << -1.0F, 0.0F, 2.0F, 3.0F;
  jiggle::Matrix<float> dY(4, 1);
  dY << std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(), -5.0F,
      std::numeric_limits<float>::infinity();
  relu.forward(X);
  const jiggle::Matrix<float>& dX = relu.backward(X, dY, jiggle::GradientTarget<float>::gradients());
  REQUIRE(dX(0) == 0.0F);
  REQUIRE(dX(1) == 0.0F);
  REQUIRE(dX(2) == -5.0F);
  REQUIRE(dX(3) == std::numeric_limits<float>::infinity());
}

TEST_CASE("ReLU keeps a NaN input NaN and passes dY through it, as PyTorch does", "[relu]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  jiggle::ReLU<float> relu;
  jiggle::Matrix<float> X(4, 1);
  X << nan, -1.0F, 0.0F, 2.0F;
  const jiggle::Matrix<float>& Y = relu.forward(X);
  REQUIRE(std::isnan(Y(0)));
  REQUIRE(Y(1) == 0.0F);
  REQUIRE(Y(2) == 0.0F);
  REQUIRE(Y(3) == 2.0F);
  const jiggle::Matrix<float> dY = jiggle::Matrix<float>::Constant(4, 1, 7.0F);
  const jiggle::Matrix<float>& dX = relu.backward(X, dY, jiggle::GradientTarget<float>::gradients());
  REQUIRE(dX(0) == 7.0F);
  REQUIRE(dX(1) == 0.0F);
  REQUIRE(dX(2) == 0.0F);
  REQUIRE(dX(3) == 7.0F);
}
