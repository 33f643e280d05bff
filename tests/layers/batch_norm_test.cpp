#include "jiggle/layers/batch_norm.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "jiggle/chain.hpp"
#include "jiggle/layers/relu.hpp"
#include "support/catch.hpp"
#include "support/gradcheck_matchers.hpp"
#include "support/gradients.hpp"
#include "support/random_matrix.hpp"
#include "support/thread_group.hpp"

using jiggle::BatchNorm;
using jiggle::Index;
using jiggle::Matrix;
using jiggle::Vector;

namespace {

using test_support::kGradients;

// γ and β away from 1 and 0, so that both take part in every check.
template <int C>
BatchNorm<C, double> with_random_affine(std::uint64_t seed) {
  BatchNorm<C, double> layer;
  layer.gamma = random_matrix(C, 1, seed, 0.5).array() + 1.0;
  layer.beta = random_matrix(C, 1, seed + 1);
  return layer;
}

// Channel c's values of a C×(H·W) batch, every sample, as one vector.
Vector<double> channel_values(const Matrix<double>& X, int channels, int c) {
  const Index plane = X.rows() / channels;
  Vector<double> values(plane * X.cols());
  for (Index s = 0; s < X.cols(); ++s) values.segment(s * plane, plane) = X.col(s).segment(c * plane, plane);
  return values;
}

}  // namespace

TEST_CASE("BatchNorm takes any plane of its channels, images and feature vectors alike", "[batch_norm]") {
  STATIC_REQUIRE(BatchNorm<32>::input_shape == jiggle::Shape{32, jiggle::kAny, jiggle::kAny});
  STATIC_REQUIRE(jiggle::accepts(BatchNorm<32>::input_shape, jiggle::Shape{32, 28, 28}));
  STATIC_REQUIRE(jiggle::accepts(BatchNorm<512>::input_shape, jiggle::vector_shape(512)));
  STATIC_REQUIRE_FALSE(jiggle::accepts(BatchNorm<32>::input_shape, jiggle::vector_shape(64)));
  STATIC_REQUIRE(jiggle::Layer<BatchNorm<32>> && jiggle::HasBuffers<BatchNorm<32>> && jiggle::HasModes<BatchNorm<32>>);
}

TEST_CASE("BatchNorm in training mode normalises each channel over batch and plane", "[batch_norm]") {
  auto layer = with_random_affine<3>(1);
  const Matrix<double> X = random_matrix(12, 5, 2, 3.0).array() + 2.0;
  const Matrix<double> Y = layer.forward(X);
  for (int c = 0; c < 3; ++c) {
    const Vector<double> x = channel_values(X, 3, c);
    const double mean = x.mean();
    const double variance = (x.array() - mean).square().mean();  // biased, as PyTorch normalises
    const Vector<double> expected = layer.gamma(c) * (x.array() - mean) / std::sqrt(variance + 1e-5) + layer.beta(c);
    REQUIRE(channel_values(Y, 3, c).isApprox(expected, 1e-12));
  }
}

TEST_CASE("BatchNorm updates the running statistics with momentum 0.1 and the unbiased variance", "[batch_norm]") {
  BatchNorm<2, double> layer;
  Matrix<double> X(2 * 2, 2);  // 2 channels of 2 positions, 2 samples: 4 values per channel
  X << 1, 0,                   //
      2, 4,                    //
      10, 30,                  //
      20, 40;
  layer.forward(X);
  // Channel 0: 1, 2, 0, 4: mean 7/4, squared deviations sum 8.75, unbiased variance 8.75/3.
  // Channel 1: 10, 20, 30, 40: mean 25, squared deviations sum 500, unbiased variance 500/3.
  REQUIRE(layer.running_mean(0) == Approx(0.1 * 1.75).margin(1e-15));
  REQUIRE(layer.running_mean(1) == Approx(0.1 * 25.0).margin(1e-15));
  REQUIRE(layer.running_var(0) == Approx(0.9 + 0.1 * 8.75 / 3.0).margin(1e-15));
  REQUIRE(layer.running_var(1) == Approx(0.9 + 0.1 * 500.0 / 3.0).margin(1e-13));
  layer.forward(X);  // a second batch moves them on from there
  REQUIRE(layer.running_mean(1) == Approx(0.9 * 2.5 + 0.1 * 25.0).margin(1e-13));
  REQUIRE(layer.running_var(1) == Approx(0.9 * (0.9 + 500.0 / 30.0) + 0.1 * 500.0 / 3.0).margin(1e-12));
}

TEST_CASE("BatchNorm in evaluation mode normalises with the running statistics and leaves them", "[batch_norm]") {
  auto layer = with_random_affine<2>(3);
  layer.running_mean << 0.5, -1.0;
  layer.running_var << 4.0, 0.25;
  layer.set_mode(jiggle::Mode::evaluation);
  const Matrix<double> X = random_matrix(6, 4, 4);
  const Matrix<double> Y = layer.forward(X);
  for (int c = 0; c < 2; ++c) {
    const Vector<double> expected = layer.gamma(c) * (channel_values(X, 2, c).array() - layer.running_mean(c)) /
                                        std::sqrt(layer.running_var(c) + 1e-5) +
                                    layer.beta(c);
    REQUIRE(channel_values(Y, 2, c).isApprox(expected, 1e-13));
  }
  REQUIRE(layer.running_mean == Vector<double>{{0.5, -1.0}});
  REQUIRE(layer.running_var == Vector<double>{{4.0, 0.25}});
}

TEST_CASE("BatchNorm VJP in training mode matches central differences over the whole batch", "[batch_norm][vjp]") {
  // Every output of a channel depends on every input of it, across samples: the check nudges
  // each input and recomputes the whole batch.
  auto layer = with_random_affine<3>(5);
  const Matrix<double> X = random_matrix(12, 5, 6, 2.0);
  const auto report = jiggle::check_vjp(layer, X);
  REQUIRE_GRADCHECK_PASSES(report);
  REQUIRE(report.entries_checked == X.size() + 6);
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(layer, X));
}

TEST_CASE("BatchNorm VJP on feature vectors (C×1×1) matches central differences", "[batch_norm][vjp]") {
  auto layer = with_random_affine<4>(7);
  const Matrix<double> X = random_matrix(4, 6, 8);
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp(layer, X));
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(layer, X));
}

TEST_CASE("BatchNorm VJP in evaluation mode matches central differences", "[batch_norm][vjp]") {
  auto layer = with_random_affine<3>(9);
  layer.running_mean << 0.3, -0.2, 1.0;
  layer.running_var << 2.0, 0.5, 1.5;
  layer.set_mode(jiggle::Mode::evaluation);
  const Matrix<double> X = random_matrix(12, 3, 10);
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp(layer, X));
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(layer, X));
}

TEST_CASE("BatchNorm with a descent-step target steps γ and β after taking dX from γ before the step",
          "[batch_norm][target]") {
  auto layer = with_random_affine<2>(11);
  const Matrix<double> X = random_matrix(6, 4, 12);
  const Matrix<double> dY = random_matrix(6, 4, 13);
  const Vector<double> gamma = layer.gamma;
  const Vector<double> beta = layer.beta;
  layer.forward(X);
  const Matrix<double> dX = layer.backward(X, dY, kGradients);
  const Vector<double> dgamma = layer.dgamma;
  const Vector<double> dbeta = layer.dbeta;
  REQUIRE(dgamma.norm() > 0.0);
  layer.dgamma.setConstant(42.0);
  layer.dbeta.setConstant(42.0);
  REQUIRE(layer.backward(X, dY, jiggle::GradientTarget<double>::descent_step(0.5)).isApprox(dX, 1e-14));
  REQUIRE(layer.gamma.isApprox(gamma - 0.5 * dgamma, 1e-14));
  REQUIRE(layer.beta.isApprox(beta - 0.5 * dbeta, 1e-14));
  REQUIRE((layer.dgamma.array() == 42.0).all());
  // dβ is the sum of dY over each channel.
  for (int c = 0; c < 2; ++c) REQUIRE(dbeta(c) == Approx(channel_values(dY, 2, c).sum()).margin(1e-13));
}

TEST_CASE("BatchNorm keeps its statistics accurate for inputs far from zero", "[batch_norm]") {
  BatchNorm<1, float> layer;
  const Matrix<double> noise = random_matrix(64, 32, 14);
  const Matrix<float> X = (noise.array() + 1000.0).cast<float>().matrix();
  const Matrix<float> Y = layer.forward(X);
  const Matrix<double> exact = X.cast<double>();
  const double mean = exact.mean();
  const double deviation = std::sqrt((exact.array() - mean).square().mean() + 1e-5);
  REQUIRE((Y.cast<double>().array() - (exact.array() - mean) / deviation).abs().maxCoeff() < 1e-3);
  REQUIRE(layer.running_mean(0) == Approx(0.1 * mean).epsilon(1e-6));
}

TEST_CASE("BatchNorm repeats bit for bit on one thread or two", "[batch_norm]") {
  const int threads = jiggle::thread_count();
  const Matrix<float> X = random_matrix<float>(392, 16, 15);
  const Matrix<float> dY = random_matrix<float>(392, 16, 16);
  std::vector<Matrix<float>> outputs;
  for (const int count : {1, 2, 1}) {
    jiggle::set_thread_count(count);
    BatchNorm<8, float> layer;
    outputs.push_back(layer.forward(X));
    outputs.push_back(layer.backward(X, dY, jiggle::GradientTarget<float>::gradients()));
    outputs.emplace_back(layer.running_var);
  }
  jiggle::set_thread_count(threads);
  for (std::size_t k = 0; k < 3; ++k) {
    REQUIRE(outputs[k] == outputs[k + 3]);
    REQUIRE(outputs[k] == outputs[k + 6]);
  }
}

TEST_CASE("BatchNorm names weight, bias, running_mean and running_var as nn.BatchNorm2d", "[batch_norm]") {
  BatchNorm<5, double> layer;
  std::vector<std::string> names;
  jiggle::visit_parameters(
      layer, [&](jiggle::Parameter<double>& p) { names.push_back(p.path.to_string() + p.shape.to_string()); });
  jiggle::visit_buffers(layer,
                        [&](jiggle::Buffer<double>& b) { names.push_back(b.path.to_string() + b.shape.to_string()); });
  REQUIRE(names == std::vector<std::string>{"weight[5]", "bias[5]", "running_mean[5]", "running_var[5]"});
  REQUIRE(layer.gamma == Vector<double>::Ones(5));
  REQUIRE(layer.beta == Vector<double>::Zero(5));
  REQUIRE(layer.running_mean == Vector<double>::Zero(5));
  REQUIRE(layer.running_var == Vector<double>::Ones(5));
}

TEST_CASE("BatchNorm refuses inputs it cannot normalise, naming itself", "[batch_norm][misuse]") {
  BatchNorm<3, double> layer;
  REQUIRE_THROWS_WITH(layer.forward(Matrix<double>::Zero(7, 2)),
                      Catch::Contains("BatchNorm<3>") && Catch::Contains("not a multiple of 3"));
  REQUIRE_THROWS_WITH(layer.forward(Matrix<double>::Zero(3, 1)), Catch::Contains("more than one value per channel"));
  REQUIRE_THROWS_WITH(layer.backward(Matrix<double>::Zero(3, 2), Matrix<double>::Zero(3, 2), kGradients),
                      Catch::Contains("backward before any forward"));
  layer.set_mode(jiggle::Mode::evaluation);
  REQUIRE_NOTHROW(layer.forward(Matrix<double>::Zero(3, 1)));  // one sample is fine for inference
}

namespace {

// γ and β as with_random_affine's, for the fused layer; β near zero leaves about half of each
// channel's outputs clipped by the ReLU, so both sides of it take part.
template <int C>
jiggle::BatchNormReLU<C, double> fused_with_random_affine(std::uint64_t seed) {
  jiggle::BatchNormReLU<C, double> layer;
  layer.gamma = random_matrix(C, 1, seed, 0.5).array() + 1.0;
  layer.beta = random_matrix(C, 1, seed + 1, 0.2);
  return layer;
}

}  // namespace

TEST_CASE("BatchNormReLU gives max(batch norm, 0) in both modes", "[batch_norm][batch_norm_relu]") {
  for (const auto mode : {jiggle::Mode::training, jiggle::Mode::evaluation}) {
    auto fused = fused_with_random_affine<3>(17);
    auto plain = with_random_affine<3>(17);
    plain.beta = fused.beta;
    fused.running_mean = plain.running_mean = random_matrix(3, 1, 18);
    fused.running_var = plain.running_var = random_matrix(3, 1, 19).array().abs() + 0.5;
    fused.set_mode(mode);
    plain.set_mode(mode);
    const Matrix<double> X = random_matrix(12, 5, 20, 2.0);
    const Matrix<double> Y = fused.forward(X);
    REQUIRE(Y == plain.forward(X).cwiseMax(0.0));
    REQUIRE((Y.array() == 0.0).count() > Y.size() / 4);  // the ReLU clipped some, not all
    REQUIRE((Y.array() > 0.0).count() > Y.size() / 4);
    REQUIRE(fused.running_var == plain.running_var);
  }
}

TEST_CASE("BatchNormReLU VJP in training mode matches central differences over the whole batch",
          "[batch_norm][batch_norm_relu][vjp]") {
  auto layer = fused_with_random_affine<3>(21);
  const Matrix<double> X = random_matrix(12, 5, 22, 2.0);
  const auto report = jiggle::check_vjp(layer, X);
  REQUIRE_GRADCHECK_PASSES(report);
  REQUIRE(report.entries_checked == X.size() + 6);
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(layer, X));
}

TEST_CASE("BatchNormReLU VJP in evaluation mode matches central differences", "[batch_norm][batch_norm_relu][vjp]") {
  auto layer = fused_with_random_affine<3>(23);
  layer.running_mean << 0.3, -0.2, 1.0;
  layer.running_var << 2.0, 0.5, 1.5;
  layer.set_mode(jiggle::Mode::evaluation);
  const Matrix<double> X = random_matrix(12, 3, 24);
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp(layer, X));
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(layer, X));
}

TEST_CASE("BatchNormReLU's gradients equal those of BatchNorm followed by ReLU", "[batch_norm][batch_norm_relu]") {
  auto fused = fused_with_random_affine<2>(25);
  jiggle::Chain<BatchNorm<2, double>, jiggle::ReLU<double>> apart(with_random_affine<2>(25), jiggle::ReLU<double>());
  apart.layer<0>().beta = fused.beta;
  const Matrix<double> X = random_matrix(8, 6, 26);
  const Matrix<double> dY = random_matrix(8, 6, 27);
  REQUIRE(fused.forward(X) == apart.forward(X));
  const Matrix<double> dX = fused.backward(X, dY, kGradients);
  REQUIRE(dX.isApprox(apart.backward(X, dY, kGradients), 1e-14));
  REQUIRE(fused.dgamma.isApprox(apart.layer<0>().dgamma, 1e-14));
  REQUIRE(fused.dbeta.isApprox(apart.layer<0>().dbeta, 1e-14));
}

TEST_CASE("BatchNormReLU stands for two of nn.Sequential's modules, so later layers keep their names",
          "[batch_norm][batch_norm_relu]") {
  REQUIRE(jiggle::sequential_modules<jiggle::BatchNormReLU<4>>() == 2);
  REQUIRE(jiggle::sequential_modules<BatchNorm<4>>() == 1);
  jiggle::Chain<jiggle::BatchNormReLU<2, double>, BatchNorm<2, double>> chain(jiggle::BatchNormReLU<2, double>{},
                                                                              BatchNorm<2, double>{});
  std::vector<std::string> names;
  jiggle::visit_buffers(chain, [&](jiggle::Buffer<double>& b) { names.push_back(b.path.to_string()); });
  REQUIRE(names == std::vector<std::string>{"layers.0.running_mean", "layers.0.running_var", "layers.2.running_mean",
                                            "layers.2.running_var"});
  REQUIRE_THROWS_WITH(chain.layer<0>().forward(Matrix<double>::Zero(5, 2)), Catch::Contains("BatchNormReLU<2>"));
}

TEST_CASE("BatchNorm over a process group normalises and differentiates as one process with the whole batch",
          "[batch_norm][process_group]") {
  constexpr int C = 3;
  const Index plane = 4;
  const Matrix<double> X = random_matrix(C * plane, 8, 21, 2.0).array() + 0.5;
  const Matrix<double> dY = random_matrix(C * plane, 8, 22);
  auto whole = with_random_affine<C>(23);
  const Matrix<double> Y = whole.forward(X);
  const Matrix<double> dX = whole.backward(X, dY, kGradients);
  for (const int ranks : {2, 4}) {
    const Index share = X.cols() / ranks;
    std::vector<BatchNorm<C, double>> parts(static_cast<std::size_t>(ranks), with_random_affine<C>(23));
    std::vector<Matrix<double>> outputs(static_cast<std::size_t>(ranks)), input_gradients(outputs);
    test_support::run_as_group(ranks, [&](const jiggle::ProcessGroup& group, int rank) {
      auto& layer = parts[static_cast<std::size_t>(rank)];
      layer.set_process_group(&group);
      const Matrix<double> slice = X.middleCols(rank * share, share);
      outputs[static_cast<std::size_t>(rank)] = layer.forward(slice);
      input_gradients[static_cast<std::size_t>(rank)] =
          layer.backward(slice, dY.middleCols(rank * share, share), kGradients);
    });
    INFO(ranks << " ranks");
    Vector<double> dgamma = Vector<double>::Zero(C), dbeta = Vector<double>::Zero(C);
    for (int rank = 0; rank < ranks; ++rank) {
      const auto& part = parts[static_cast<std::size_t>(rank)];
      CHECK(outputs[static_cast<std::size_t>(rank)].isApprox(Y.middleCols(rank * share, share), 1e-12));
      CHECK(input_gradients[static_cast<std::size_t>(rank)].isApprox(dX.middleCols(rank * share, share), 1e-12));
      CHECK(part.running_mean.isApprox(whole.running_mean, 1e-12));
      CHECK(part.running_var.isApprox(whole.running_var, 1e-12));
      dgamma += part.dgamma;  // each process's share of the parameter gradients, summed as the optimiser will
      dbeta += part.dbeta;
    }
    CHECK(dgamma.isApprox(whole.dgamma, 1e-12));
    CHECK(dbeta.isApprox(whole.dbeta, 1e-12));
  }
}
