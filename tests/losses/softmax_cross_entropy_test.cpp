#include "jiggle/losses/softmax_cross_entropy.hpp"

#include <cmath>
#include <vector>

#include "support/catch.hpp"
#include "support/gradcheck_matchers.hpp"

using jiggle::Matrix;
using jiggle::SoftmaxCrossEntropy;

namespace {

Matrix<double> random_logits(jiggle::Index classes, jiggle::Index batch, double scale, std::uint64_t seed) {
  jiggle::Rng rng(seed);
  Matrix<double> Z(classes, batch);
  for (jiggle::Index i = 0; i < Z.size(); ++i) Z.data()[i] = scale * rng.normal();
  return Z;
}

const std::vector<std::int32_t> kLabels{3, 0, 9, 3, 5};

}  // namespace

TEST_CASE("Softmax cross-entropy of equal logits is log K", "[softmax_ce]") {
  SoftmaxCrossEntropy<double> loss;
  REQUIRE(loss.forward(Matrix<double>::Constant(10, 5, 0.25), kLabels) == Approx(std::log(10.0)).epsilon(1e-14));
}

TEST_CASE("Softmax cross-entropy matches -log softmax(z)_y averaged over the batch", "[softmax_ce]") {
  SoftmaxCrossEntropy<double> loss;
  const Matrix<double> Z = random_logits(10, 5, 2.0, 1);
  double expected = 0.0;
  for (jiggle::Index b = 0; b < 5; ++b) {
    const double normaliser = Z.col(b).array().exp().sum();
    expected -= std::log(std::exp(Z(kLabels[static_cast<std::size_t>(b)], b)) / normaliser);
  }
  REQUIRE(loss.forward(Z, kLabels) == Approx(expected / 5).epsilon(1e-13));
}

TEST_CASE("Softmax cross-entropy gradient is (softmax(Z) - onehot(y)) / B", "[softmax_ce][vjp]") {
  SoftmaxCrossEntropy<double> loss;
  const Matrix<double> Z = random_logits(10, 5, 2.0, 2);
  loss.forward(Z, kLabels);
  Matrix<double> expected = Z.array().exp().matrix();
  for (jiggle::Index b = 0; b < 5; ++b) {
    expected.col(b) /= expected.col(b).sum();
    expected(kLabels[static_cast<std::size_t>(b)], b) -= 1.0;
  }
  expected /= 5.0;
  REQUIRE(loss.backward().isApprox(expected, 1e-13));
}

TEST_CASE("Softmax cross-entropy VJP matches central differences (dZ)", "[softmax_ce][vjp]") {
  SoftmaxCrossEntropy<double> loss;
  REQUIRE_GRADCHECK_PASSES(jiggle::check_loss_gradient(loss, random_logits(10, 5, 2.0, 3), kLabels));
}

TEST_CASE("Softmax cross-entropy with label smoothing matches central differences (dZ)", "[softmax_ce][vjp]") {
  SoftmaxCrossEntropy<double> loss(0.1);
  REQUIRE_GRADCHECK_PASSES(jiggle::check_loss_gradient(loss, random_logits(10, 5, 2.0, 4), kLabels));
}

TEST_CASE("Softmax cross-entropy stays finite and exact for logits of +-1000", "[softmax_ce]") {
  SoftmaxCrossEntropy<double> loss;
  Matrix<double> Z = Matrix<double>::Constant(10, 2, -1000.0);
  Z(3, 0) = 1000.0;  // confidently right
  Z(7, 1) = 1000.0;  // confidently wrong: the label is 3
  const std::vector<std::int32_t> labels{3, 3};
  const double value = loss.forward(Z, labels);
  REQUIRE(std::isfinite(value));
  REQUIRE(value == Approx(2000.0 / 2).epsilon(1e-12));
  const Matrix<double>& dZ = loss.backward();
  REQUIRE(dZ.allFinite());
  REQUIRE(dZ(3, 0) == Approx(0.0).margin(1e-12));
  REQUIRE(dZ(7, 1) == Approx(0.5).epsilon(1e-12));
  REQUIRE(dZ(3, 1) == Approx(-0.5).epsilon(1e-12));
  SoftmaxCrossEntropy<float> single;
  const Matrix<float> Zf = Z.cast<float>();
  REQUIRE(std::isfinite(single.forward(Zf, labels)));
  REQUIRE(single.backward().allFinite());
}

TEST_CASE("Softmax cross-entropy rejects a label outside 0 to K-1", "[softmax_ce]") {
  SoftmaxCrossEntropy<double> loss;
  const Matrix<double> Z = random_logits(10, 2, 1.0, 5);
  REQUIRE_THROWS_WITH(loss.forward(Z, std::vector<std::int32_t>{1, 10}),
                      Catch::Contains("label 10 of sample 1 is outside [0, 10)"));
  REQUIRE_THROWS_WITH(loss.forward(Z, std::vector<std::int32_t>{-1, 2}), Catch::Contains("label -1"));
  REQUIRE_THROWS_WITH(loss.forward(Z, std::vector<std::int32_t>{1}), Catch::Contains("1 labels for 2"));
  REQUIRE_THROWS_AS(SoftmaxCrossEntropy<double>(1.0), jiggle::Error);
}

TEST_CASE("Softmax cross-entropy with label smoothing is -sum t log softmax(z) for t = (1-e) onehot + e/K",
          "[softmax_ce]") {
  const double smoothing = 0.1;
  SoftmaxCrossEntropy<double> loss(smoothing);
  const Matrix<double> Z = random_logits(10, 5, 2.0, 6);
  double expected = 0.0;
  for (jiggle::Index b = 0; b < 5; ++b) {
    const double log_normaliser = std::log(Z.col(b).array().exp().sum());
    for (jiggle::Index k = 0; k < 10; ++k) {
      const double target = (k == kLabels[static_cast<std::size_t>(b)] ? 1.0 - smoothing : 0.0) + smoothing / 10;
      expected -= target * (Z(k, b) - log_normaliser);
    }
  }
  REQUIRE(loss.forward(Z, kLabels) == Approx(expected / 5).epsilon(1e-13));
  // Targets and probabilities each sum to 1, so every column of the gradient sums to 0.
  REQUIRE(loss.backward().colwise().sum().cwiseAbs().maxCoeff() < 1e-15);
}
