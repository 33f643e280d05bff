#include "jiggle/optim/sgd.hpp"

#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "jiggle/chain.hpp"
#include "jiggle/layers/dense.hpp"
#include "jiggle/layers/relu.hpp"
#include "support/catch.hpp"
#include "support/one_weight_column.hpp"
#include "support/optimizer_steps.hpp"

using jiggle::Matrix;

TEST_CASE("One SGD step moves every parameter by -lr times its gradient", "[sgd]") {
  jiggle::Rng rng(0);
  jiggle::Chain<jiggle::Dense<2, 2, double>, jiggle::ReLU<double>, jiggle::Dense<2, 1, double>> model(rng);
  auto& first = model.layer<0>();
  auto& last = model.layer<2>();
  first.W << 1.0, 2.0, 3.0, 4.0;
  first.b << 0.5, -0.5;
  first.dW << 10.0, -20.0, 30.0, 0.0;
  first.db << 1.0, 2.0;
  last.W << -1.0, 1.0;
  last.b << 0.25;
  last.dW << 4.0, 8.0;
  last.db << -2.0;

  jiggle::Sgd<double>(0.1).step(model);

  Matrix<double> W1(2, 2);
  W1 << 1.0 - 1.0, 2.0 + 2.0, 3.0 - 3.0, 4.0;
  REQUIRE(first.W.isApprox(W1, 1e-15));
  REQUIRE(first.b.isApprox(jiggle::Vector<double>{{0.5 - 0.1, -0.5 - 0.2}}, 1e-15));
  REQUIRE(last.W.isApprox(Matrix<double>{{-1.0 - 0.4, 1.0 - 0.8}}, 1e-15));
  REQUIRE(last.b(0) == Approx(0.25 + 0.2).epsilon(1e-15));
}

TEST_CASE("SGD updates a large layer", "[sgd]") {
  jiggle::Rng rng(1);
  jiggle::Dense<512, 512> layer(rng);
  const Matrix<float> before = layer.W;
  layer.dW = Matrix<float>::Random(512, 512);
  jiggle::Sgd(0.5).step(layer);
  REQUIRE(layer.W.isApprox(before - 0.5f * layer.dW, 1e-6f));
  REQUIRE(layer.W != before);
}

TEST_CASE("Plain SGD's fused step ends where gradients then a separate step end", "[sgd][target]") {
  using Mlp = jiggle::Chain<jiggle::Dense<6, 5, double>, jiggle::ReLU<double>, jiggle::Dense<5, 3, double>>;
  jiggle::Rng rng_a(3), rng_b(3);
  Mlp fused(rng_a), separate(rng_b);
  const Matrix<double> X = Matrix<double>::Random(6, 4);
  const Matrix<double> dY = Matrix<double>::Random(3, 4);
  jiggle::Sgd<double> sgd(0.25);

  fused.forward(X);
  int backward_runs = 0;
  sgd.step(
      fused,
      [&](const jiggle::GradientTarget<double>& target) {
        ++backward_runs;
        REQUIRE(target.into == jiggle::GradientTarget<double>::Into::values);
        REQUIRE(target.alpha == -0.25);
        fused.backward(X, dY, target);
      },
      jiggle::StepLoss{1.0, 4});
  REQUIRE(backward_runs == 1);
  separate.forward(X);
  separate.backward(X, dY, jiggle::GradientTarget<double>::gradients());
  sgd.step(separate);

  std::vector<Matrix<double>> fused_values, separate_values;
  jiggle::visit_parameters(fused, [&](jiggle::Parameter<double>& p) { fused_values.emplace_back(p.value); });
  jiggle::visit_parameters(separate, [&](jiggle::Parameter<double>& p) { separate_values.emplace_back(p.value); });
  jiggle::Rng rng_initial(3);
  Mlp initial(rng_initial);
  std::vector<Matrix<double>> initial_values;
  jiggle::visit_parameters(initial, [&](jiggle::Parameter<double>& p) { initial_values.emplace_back(p.value); });
  REQUIRE(fused_values.size() == 4);
  for (std::size_t i = 0; i < fused_values.size(); ++i) {
    REQUIRE(fused_values[i].isApprox(separate_values[i], 1e-14));
    REQUIRE(fused_values[i] != initial_values[i]);  // the step moved every tensor
  }
}

TEST_CASE("SGD with momentum asks backward for gradients, then steps", "[sgd][target]") {
  jiggle::Rng rng(4);
  jiggle::Dense<3, 2, double> layer(rng);
  jiggle::Sgd<double> sgd({.learning_rate = 0.1, .momentum = 0.9});
  const Matrix<double> X = Matrix<double>::Random(3, 5);
  const Matrix<double> dY = Matrix<double>::Random(2, 5);
  const Matrix<double> W_before = layer.W;
  layer.forward(X);
  sgd.step(
      layer,
      [&](const jiggle::GradientTarget<double>& target) {
        REQUIRE(target.into == jiggle::GradientTarget<double>::Into::gradients);
        layer.backward(X, dY, target);
      },
      jiggle::StepLoss{1.0, 5});
  REQUIRE(layer.W.isApprox(W_before - 0.1 * dY * X.transpose(), 1e-14));  // v = g on the first step
}

namespace {

using test_support::one_weight_column;

}  // namespace

TEST_CASE("SGD with momentum accumulates velocity as v = mu v + g", "[sgd]") {
  auto layer = one_weight_column(0.5, 0.25);
  jiggle::Sgd<double> sgd(jiggle::SgdOptions{.learning_rate = 0.1, .momentum = 0.9});
  sgd.step(layer);  // v = g = (0.5, 0.25); w = (1 − 0.05, −2 − 0.025)
  REQUIRE(layer.W(0, 0) == Approx(0.95).epsilon(1e-15));
  REQUIRE(layer.W(1, 0) == Approx(-2.025).epsilon(1e-15));
  sgd.step(layer);  // v = 0.9·(0.5, 0.25) + (0.5, 0.25) = (0.95, 0.475)
  REQUIRE(layer.W(0, 0) == Approx(0.95 - 0.095).epsilon(1e-15));
  REQUIRE(layer.W(1, 0) == Approx(-2.025 - 0.0475).epsilon(1e-15));
}

TEST_CASE("SGD with Nesterov momentum steps along g + mu v", "[sgd]") {
  auto layer = one_weight_column(0.5, 0.25);
  jiggle::Sgd<double> sgd(jiggle::SgdOptions{.learning_rate = 0.1, .momentum = 0.9, .nesterov = true});
  sgd.step(layer);  // v = g; step g + 0.9 g = 1.9 g
  REQUIRE(layer.W(0, 0) == Approx(1.0 - 0.1 * 1.9 * 0.5).epsilon(1e-15));
  sgd.step(layer);  // v = 1.9 g; step g + 0.9·1.9 g = 2.71 g
  REQUIRE(layer.W(0, 0) == Approx(1.0 - 0.1 * 1.9 * 0.5 - 0.1 * 2.71 * 0.5).epsilon(1e-15));
}

TEST_CASE("SGD with L2 weight decay adds lambda w to the gradient", "[sgd]") {
  auto layer = one_weight_column(0.5, 0.25);
  jiggle::Sgd<double> sgd(jiggle::SgdOptions{.learning_rate = 0.1, .weight_decay = 0.01});
  sgd.step(layer);  // g' = (0.5 + 0.01, 0.25 − 0.02)
  REQUIRE(layer.W(0, 0) == Approx(1.0 - 0.1 * 0.51).epsilon(1e-15));
  REQUIRE(layer.W(1, 0) == Approx(-2.0 - 0.1 * 0.23).epsilon(1e-15));
}

TEST_CASE("SGD rejects options that make no sense", "[sgd]") {
  REQUIRE_THROWS_AS(jiggle::Sgd<float>(0.0), jiggle::Error);
  REQUIRE_THROWS_AS(jiggle::Sgd<float>(jiggle::SgdOptions{.momentum = 1.0}), jiggle::Error);
  REQUIRE_THROWS_AS(jiggle::Sgd<float>(jiggle::SgdOptions{.nesterov = true}), jiggle::Error);
  REQUIRE_THROWS_AS(jiggle::Sgd<float>(std::numeric_limits<double>::infinity()), jiggle::Error);
}

TEST_CASE("SGD's schedule may set a rate of 0, not a negative, NaN or infinite one", "[sgd]") {
  jiggle::Sgd<float> sgd(0.1);
  sgd.set_learning_rate(0.0);
  REQUIRE(sgd.learning_rate() == 0.0);
  for (const double rate : {-0.1, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()})
    REQUIRE_THROWS_WITH(sgd.set_learning_rate(rate), Catch::Matchers::Contains("SGD: a learning rate must be finite"));
  REQUIRE(sgd.learning_rate() == 0.0);
}

TEST_CASE("SGD shows its momentum buffers under PyTorch's name, and plain SGD has no state", "[sgd]") {
  jiggle::Rng rng(0);
  jiggle::Dense<2, 1, double> layer(rng);
  layer.dW << 1.0, 2.0;
  layer.db << 3.0;
  jiggle::Sgd<double> momentum({.learning_rate = 0.1, .momentum = 0.5});
  momentum.step(layer);
  std::vector<std::string> seen;
  momentum.visit_state(
      layer, [&](const jiggle::Parameter<double>& parameter, std::string_view kind, jiggle::Matrix<double>& tensor) {
        seen.push_back(parameter.path.to_string() + " " + std::string(kind));
        REQUIRE(tensor == parameter.gradient);  // the first step's buffer is the gradient
      });
  REQUIRE(seen == std::vector<std::string>{"weight momentum_buffer", "bias momentum_buffer"});
  jiggle::Sgd<double> plain(0.1);
  int visits = 0;
  plain.visit_state(layer, [&](const auto&, std::string_view, auto&) { ++visits; });
  plain.visit_counters([&](std::string_view, long long&) { ++visits; });
  REQUIRE(visits == 0);
}

TEST_CASE("SGD steps every value of a layer its threads share, as one thread does, bit for bit", "[sgd]") {
  test_support::check_two_steps_on_threads(
      [] {
        return jiggle::Sgd<double>(
            jiggle::SgdOptions{.learning_rate = 0.1, .momentum = 0.9, .nesterov = true, .weight_decay = 0.01});
      },
      [](double w, double g1, double g2) {  // g ← g + λw, v ← μv + g, w ← w − lr·(g + μv)
        double g = g1 + 0.01 * w;
        double v = g;
        w -= 0.1 * (g + 0.9 * v);
        g = g2 + 0.01 * w;
        v = 0.9 * v + g;
        return w - 0.1 * (g + 0.9 * v);
      },
      1e-14, 30);
}
