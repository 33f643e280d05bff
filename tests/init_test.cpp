#include "jiggle/init.hpp"

#include <cmath>

#include "support/catch.hpp"

using jiggle::Init;
using jiggle::Matrix;
using jiggle::Vector;

namespace {

struct Moments {
  double mean, variance, largest;
};

Moments moments_of(const Matrix<double>& W) {
  const double mean = W.mean();
  const double variance = (W.array() - mean).square().mean();
  return {mean, variance, W.cwiseAbs().maxCoeff()};
}

Moments draw(Init init, Vector<double>& b) {
  Matrix<double> W(300, 400);  // fan_out 300, fan_in 400
  b.resize(300);
  jiggle::Rng rng(1);
  jiggle::initialize(init, W, b, rng);
  return moments_of(W);
}

}  // namespace

TEST_CASE("Each initialisation has the variance its scheme prescribes", "[init]") {
  Vector<double> b;
  const double fan_in = 400, fan_out = 300;
  struct Case {
    Init init;
    double variance;
    double bound;  // 0 for normal draws
  };
  const Case cases[] = {
      {Init::he_normal, 2.0 / fan_in, 0.0},
      {Init::he_uniform, 2.0 / fan_in, std::sqrt(6.0 / fan_in)},
      {Init::he_three_uniforms, 2.0 / fan_in, 3.0 * std::sqrt(2.0 / fan_in)},
      {Init::glorot_normal, 2.0 / (fan_in + fan_out), 0.0},
      {Init::glorot_uniform, 2.0 / (fan_in + fan_out), std::sqrt(6.0 / (fan_in + fan_out))},
      {Init::torch_default, 1.0 / (3.0 * fan_in), 1.0 / std::sqrt(fan_in)},
  };
  for (const auto& c : cases) {
    INFO(jiggle::to_string(c.init));
    const Moments m = draw(c.init, b);
    REQUIRE(m.mean == Approx(0.0).margin(0.01 * std::sqrt(c.variance)));
    REQUIRE(m.variance == Approx(c.variance).epsilon(0.02));
    if (c.bound > 0) REQUIRE(m.largest <= c.bound);
    if (c.init == Init::torch_default) {
      REQUIRE(b.cwiseAbs().maxCoeff() <= c.bound);
      REQUIRE(b.cwiseAbs().maxCoeff() > 0.5 * c.bound);
    } else {
      REQUIRE(b.isZero(0.0));
    }
  }
}

TEST_CASE("Initialisation is a function of the seed", "[init]") {
  Matrix<float> first(4, 3), second(4, 3), other(4, 3);
  Vector<float> b(4);
  jiggle::Rng a(5), same(5), different(6);
  jiggle::initialize(Init::he_normal, first, b, a);
  jiggle::initialize(Init::he_normal, second, b, same);
  jiggle::initialize(Init::he_normal, other, b, different);
  REQUIRE(first == second);
  REQUIRE(first != other);
}

TEST_CASE("Initialisation names parse back to their schemes", "[init]") {
  for (Init init : {Init::he_normal, Init::he_uniform, Init::he_three_uniforms, Init::glorot_uniform,
                    Init::glorot_normal, Init::torch_default})
    REQUIRE(jiggle::parse_init(jiggle::to_string(init)) == init);
  REQUIRE_THROWS_WITH(jiggle::parse_init("xavier"), Catch::Contains("unknown initialisation 'xavier'"));
}

// A sum of three uniforms is bell-shaped, not flat: its fourth moment is (3 − 6/(5·3))·σ⁴ = 2.6·σ⁴
// (a uniform's is 1.8·σ⁴, a normal's 3·σ⁴), which tells it from the other schemes of its variance.
TEST_CASE("he-three-uniforms draws the bell-shaped sum of three uniforms", "[init]") {
  Matrix<double> W(300, 400);
  Vector<double> b(300);
  jiggle::Rng rng(3);
  jiggle::initialize(Init::he_three_uniforms, W, b, rng);
  const double variance = 2.0 / 400;
  const double fourth = W.array().pow(4).mean();
  REQUIRE(fourth / (variance * variance) == Approx(2.6).epsilon(0.03));
  REQUIRE(W.cwiseAbs().maxCoeff() > 2.0 * std::sqrt(variance));  // the tails reach past 2σ
}
