#include "jiggle/train/train_step.hpp"

#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "jiggle/chain.hpp"
#include "jiggle/layers/batch_norm.hpp"
#include "jiggle/layers/dense.hpp"
#include "jiggle/layers/relu.hpp"
#include "jiggle/losses/softmax_cross_entropy.hpp"
#include "jiggle/optim/adam.hpp"
#include "jiggle/optim/sgd.hpp"
#include "support/catch.hpp"
#include "support/random_matrix.hpp"

namespace {

using Mlp = jiggle::Chain<jiggle::Dense<6, 5>, jiggle::ReLU<>, jiggle::Dense<5, 3>>;

std::vector<jiggle::Matrix<float>> values_of(Mlp& model) {
  std::vector<jiggle::Matrix<float>> values;
  jiggle::visit_parameters(model, [&](jiggle::Parameter<float>& parameter) { values.emplace_back(parameter.value); });
  return values;
}

const std::vector<std::int32_t> kLabels{0, 1, 2, 1};

// One step by hand through the optimiser's protocol, as train_step takes it.
template <class Optimizer>
double step_by_hand(Mlp& model, Optimizer& optimizer, const jiggle::Matrix<float>& X) {
  jiggle::SoftmaxCrossEntropy<float> loss;
  const double value = loss.forward(model.forward(X), kLabels);
  optimizer.step(
      model,
      [&](const jiggle::GradientTarget<float>& target) {
        model.backward(X, loss.backward(), target.without_input_gradient());
      },
      jiggle::StepLoss{value, X.cols()});
  return value;
}

// Optimisers with state that carries from step to step.
template <class Optimizer>
Optimizer make_optimizer() {
  if constexpr (std::is_same_v<Optimizer, jiggle::Adam<float>>)
    return Optimizer({.learning_rate = 0.01});
  else
    return Optimizer({.learning_rate = 0.05, .momentum = 0.9});
}

}  // namespace

TEMPLATE_TEST_CASE("train_step takes the optimiser's step on the batch's loss, as by hand", "[train_step]",
                   (jiggle::Sgd<float>), (jiggle::Adam<float>)) {
  const jiggle::Matrix<float> X = random_matrix<float>(6, 4, 7);
  jiggle::Rng rng_a(2), rng_b(2);
  Mlp by_hand(rng_a), stepped(rng_b);
  TestType optimizer_a = make_optimizer<TestType>(), optimizer_b = make_optimizer<TestType>();
  jiggle::SoftmaxCrossEntropy<float> loss;
  for (int step = 0; step < 3; ++step) {
    const double expected = step_by_hand(by_hand, optimizer_a, X);
    const jiggle::StepLoss taken = jiggle::train_step(stepped, loss, optimizer_b, X, kLabels);
    REQUIRE(taken.mean == expected);
    REQUIRE(taken.samples == 4);
  }
  REQUIRE(values_of(stepped) == values_of(by_hand));
}

TEST_CASE("train_step on a loss that is not finite throws DivergedError and leaves the model as it was",
          "[train_step]") {
  jiggle::Matrix<float> X = random_matrix<float>(6, 4, 8);
  X(0, 0) = std::numeric_limits<float>::infinity();
  jiggle::SoftmaxCrossEntropy<float> loss;
  const auto diverges_untouched = [&](auto optimizer) {
    jiggle::Rng rng(3);
    Mlp model(rng);
    const auto before = values_of(model);
    REQUIRE_THROWS_WITH(jiggle::train_step(model, loss, optimizer, X, kLabels),
                        Catch::Contains("training diverged: the loss is"));
    REQUIRE(values_of(model) == before);
  };
  SECTION("plain SGD, whose step is fused into the backward") { diverges_untouched(jiggle::Sgd<float>(0.1)); }
  SECTION("SGD with momentum") { diverges_untouched(jiggle::Sgd<float>({.learning_rate = 0.1, .momentum = 0.9})); }
  SECTION("Adam") { diverges_untouched(jiggle::Adam<float>({.learning_rate = 0.01})); }
}

TEST_CASE("train_step trains in training mode, whatever mode the model was left in", "[train_step]") {
  using Normalised = jiggle::Chain<jiggle::Dense<6, 4>, jiggle::BatchNorm<4>, jiggle::ReLU<>, jiggle::Dense<4, 3>>;
  jiggle::Rng rng(4);
  Normalised model(rng);
  jiggle::set_mode(model, jiggle::Mode::evaluation);
  const jiggle::Vector<float> running_mean = model.layer<1>().running_mean;
  jiggle::SoftmaxCrossEntropy<float> loss;
  jiggle::Sgd<float> sgd(0.1);
  jiggle::train_step(model, loss, sgd, random_matrix<float>(6, 4, 9), kLabels);
  REQUIRE(model.layer<1>().running_mean != running_mean);  // batch statistics, kept as in training
}
