#include "jiggle/optim/adam.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "jiggle/layers/dense.hpp"
#include "support/catch.hpp"
#include "support/one_weight_column.hpp"
#include "support/optimizer_steps.hpp"

namespace {

using test_support::one_weight_column;

}  // namespace

TEST_CASE("Adam's first step moves each weight by lr against the sign of its gradient", "[adam]") {
  // t = 1: m̂ = g, v̂ = g², so the step is lr·g / (|g| + ε).
  auto layer = one_weight_column(0.5, -0.25);
  jiggle::Adam<double> adam(jiggle::AdamOptions{.learning_rate = 0.01});
  adam.step(layer);
  REQUIRE(layer.W(0, 0) == Approx(1.0 - 0.01 * 0.5 / (0.5 + 1e-8)).epsilon(1e-14));
  REQUIRE(layer.W(1, 0) == Approx(-2.0 + 0.01 * 0.25 / (0.25 + 1e-8)).epsilon(1e-14));
  REQUIRE(layer.b.isZero(0.0));  // zero gradient, zero moments: no move
}

TEST_CASE("Adam's second step uses bias-corrected moments", "[adam]") {
  auto layer = one_weight_column(0.5, -0.25);
  jiggle::Adam<double> adam(jiggle::AdamOptions{.learning_rate = 0.01});
  adam.step(layer);
  const double after_first = layer.W(0, 0);
  layer.dW << 0.1, -0.25;
  adam.step(layer);
  const double m = 0.9 * (0.1 * 0.5) + 0.1 * 0.1;
  const double v = 0.999 * (0.001 * 0.25) + 0.001 * 0.01;
  const double step = 0.01 * (m / (1 - 0.81)) / (std::sqrt(v / (1 - 0.999 * 0.999)) + 1e-8);
  REQUIRE(layer.W(0, 0) == Approx(after_first - step).epsilon(1e-14));
}

TEST_CASE("AdamW decays weights apart from the moments", "[adam]") {
  auto layer = one_weight_column(0.5, -0.25);
  jiggle::Adam<double> adamw(jiggle::AdamOptions{.learning_rate = 0.01, .weight_decay = 0.1});
  adamw.step(layer);
  REQUIRE(layer.W(0, 0) == Approx(1.0 * (1 - 0.01 * 0.1) - 0.01 * 0.5 / (0.5 + 1e-8)).epsilon(1e-14));
  REQUIRE(layer.W(1, 0) == Approx(-2.0 * (1 - 0.01 * 0.1) + 0.01 * 0.25 / (0.25 + 1e-8)).epsilon(1e-14));
}

TEST_CASE("Adam rejects options that make no sense", "[adam]") {
  REQUIRE_THROWS_AS(jiggle::Adam<float>(jiggle::AdamOptions{.learning_rate = -1}), jiggle::Error);
  REQUIRE_THROWS_AS(jiggle::Adam<float>(jiggle::AdamOptions{.beta1 = 1.0}), jiggle::Error);
  REQUIRE_THROWS_AS(jiggle::Adam<float>(jiggle::AdamOptions{.learning_rate = std::numeric_limits<double>::quiet_NaN()}),
                    jiggle::Error);
}

TEST_CASE("Adam's schedule may set a rate of 0, not a negative, NaN or infinite one", "[adam]") {
  jiggle::Adam<float> adam;
  adam.set_learning_rate(0.0);
  REQUIRE(adam.learning_rate() == 0.0);
  for (const double rate : {-0.1, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()})
    REQUIRE_THROWS_WITH(adam.set_learning_rate(rate),
                        Catch::Matchers::Contains("Adam: a learning rate must be finite"));
  REQUIRE(adam.learning_rate() == 0.0);
}

TEST_CASE("Adam shows its moments under PyTorch's names and its step count", "[adam]") {
  auto layer = one_weight_column(0.5, -0.25);
  jiggle::Adam<double> adam(jiggle::AdamOptions{.learning_rate = 0.01});
  adam.step(layer);
  std::vector<std::string> seen;
  adam.visit_state(
      layer, [&](const jiggle::Parameter<double>& parameter, std::string_view kind, jiggle::Matrix<double>& tensor) {
        seen.push_back(parameter.path.to_string() + " " + std::string(kind));
        if (parameter.path.to_string() == "weight" && kind == "exp_avg") REQUIRE(tensor(0, 0) == Approx(0.1 * 0.5));
        if (parameter.path.to_string() == "weight" && kind == "exp_avg_sq")
          REQUIRE(tensor(1, 0) == Approx(0.001 * 0.0625));
      });
  REQUIRE(seen == std::vector<std::string>{"weight exp_avg", "weight exp_avg_sq", "bias exp_avg", "bias exp_avg_sq"});
  long long steps = -1;
  adam.visit_counters([&](std::string_view name, long long& value) {
    REQUIRE(name == "step");
    steps = value;
    value = 5;  // a restored count changes the next step's bias corrections
  });
  REQUIRE(steps == 1);
  adam.visit_counters([&](std::string_view, long long& value) { REQUIRE(value == 5); });
}

TEST_CASE("Adam steps every value of a layer its threads share, as one thread does, bit for bit", "[adam]") {
  test_support::check_two_steps_on_threads(
      [] { return jiggle::Adam<double>(jiggle::AdamOptions{.learning_rate = 0.01, .weight_decay = 0.1}); },
      [](double w, double g1, double g2) {
        // m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g², w ← (1 − lr·λ) w − lr·m̂ / (sqrt(v̂) + ε).
        double m = 0.0;
        double v = 0.0;
        for (const int t : {1, 2}) {
          const double g = t == 1 ? g1 : g2;
          m = 0.9 * m + 0.1 * g;
          v = 0.999 * v + 0.001 * g * g;
          const double corrected_m = m / (1.0 - std::pow(0.9, t));
          const double corrected_v = v / (1.0 - std::pow(0.999, t));
          w = (1.0 - 0.01 * 0.1) * w - 0.01 * corrected_m / (std::sqrt(corrected_v) + 1e-8);
        }
        return w;
      },
      1e-13, 40);
}
