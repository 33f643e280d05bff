#include "jiggle/chain.hpp"

#include <filesystem>
#include <string>
#include <vector>

#include "jiggle/checkpoint.hpp"
#include "jiggle/layers/dense.hpp"
#include "jiggle/layers/relu.hpp"
#include "jiggle/models/mnist_mlp.hpp"
#include "support/catch.hpp"
#include "support/gradcheck_matchers.hpp"
#include "support/gradients.hpp"
#include "support/random_matrix.hpp"

using jiggle::Chain;
using jiggle::Dense;
using jiggle::Matrix;
using jiggle::ReLU;

namespace {

using SmallMlp = Chain<Dense<6, 5, double>, ReLU<double>, Dense<5, 4, double>, ReLU<double>, Dense<4, 3, double>>;

using test_support::kGradients;

// Glorot initialisation leaves biases at exactly 0, so a sample whose ReLU inputs are all
// negative would feed the next ReLU an exact 0, right on the kink, where a central difference
// measures slope 1/2 instead of the convention's 0. Random biases keep the checks off the kink.
template <class Model>
Model& with_random_biases(Model& model, std::uint64_t seed) {
  jiggle::Rng rng(seed);
  jiggle::visit_parameters(model, [&](jiggle::Parameter<double>& p) {
    if (p.value.cols() == 1)
      for (jiggle::Index i = 0; i < p.value.size(); ++i) p.value(i) = 0.5 * rng.normal();
  });
  return model;
}

using test_support::gradients_of;

}  // namespace

TEST_CASE("Chain shapes flow through shape-agnostic layers", "[chain]") {
  using jiggle::vector_shape;
  STATIC_REQUIRE(SmallMlp::input_shape == vector_shape(6));
  STATIC_REQUIRE(SmallMlp::output_shape == vector_shape(3));
  STATIC_REQUIRE(Chain<ReLU<>, Dense<5, 3>>::input_shape == vector_shape(5));
  STATIC_REQUIRE(Chain<Dense<5, 3>, ReLU<>>::output_shape == vector_shape(3));
  STATIC_REQUIRE(Chain<ReLU<>>::input_shape == jiggle::kAnyShape);
  STATIC_REQUIRE(Chain<ReLU<>>::output_shape == jiggle::kAnyShape);
  STATIC_REQUIRE(jiggle::Layer<SmallMlp>);
}

TEST_CASE("Chain forward applies its layers left to right", "[chain]") {
  jiggle::Rng rng(1);
  SmallMlp model(rng);
  const Matrix<double> X = random_matrix(6, 3, 2);
  auto& first = model.layer<0>();
  auto& second = model.layer<2>();
  auto& third = model.layer<4>();
  const Matrix<double> H1 = ((first.W * X).colwise() + first.b).cwiseMax(0.0);
  const Matrix<double> H2 = ((second.W * H1).colwise() + second.b).cwiseMax(0.0);
  const Matrix<double> expected = (third.W * H2).colwise() + third.b;
  REQUIRE(model.forward(X).isApprox(expected, 1e-14));
}

TEST_CASE("Chain VJP of a 6-5-4-3 MLP matches central differences on every coordinate", "[chain][vjp]") {
  jiggle::Rng rng(3);
  SmallMlp model(rng);
  const auto report = jiggle::check_vjp(with_random_biases(model, 4), random_matrix(6, 4, 4));
  REQUIRE_GRADCHECK_PASSES(report);
  REQUIRE(report.entries_checked == jiggle::Index{6} * 4 + jiggle::parameter_count(model));
}

TEST_CASE("Chain VJP of a 6-5-4-3 MLP satisfies <dY, J u> = <J^T dY, u>", "[chain][vjp]") {
  jiggle::Rng rng(5);
  SmallMlp model(rng);
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(with_random_biases(model, 6), random_matrix(6, 4, 6)));
}

TEST_CASE("Chain VJP of the 784-512-512-10 MLP matches central differences on sampled coordinates",
          "[chain][vjp][full-size]") {
  jiggle::Rng rng(7);
  jiggle::MnistMlp<double> model(rng);
  with_random_biases(model, 8);
  jiggle::GradcheckOptions options;
  options.max_entries_per_tensor = 40;
  options.seed = 8;
  const auto report = jiggle::check_vjp(model, random_matrix(784, 3, 9), options);
  REQUIRE_GRADCHECK_PASSES(report);
  REQUIRE(report.entries_checked == 6 * 40 + 10);  // the last bias has only 10 entries
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(model, random_matrix(784, 3, 10), options));
}

TEST_CASE("Nested chains compute what the flat chain computes", "[chain]") {
  jiggle::Rng flat_rng(11);
  SmallMlp flat(flat_rng);
  jiggle::Rng nested_rng(11);
  Chain<Chain<Dense<6, 5, double>, ReLU<double>>, Chain<Dense<5, 4, double>, ReLU<double>, Dense<4, 3, double>>> nested(
      nested_rng);
  with_random_biases(flat, 12);
  with_random_biases(nested, 12);
  const Matrix<double> X = random_matrix(6, 3, 12);
  REQUIRE(nested.forward(X) == flat.forward(X));
  const Matrix<double> dY = random_matrix(3, 3, 13);
  REQUIRE(nested.backward(X, dY, kGradients) == flat.backward(X, dY, kGradients));
  REQUIRE(gradients_of(nested) == gradients_of(flat));
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp(nested, X));
}

TEST_CASE("Chain without an input gradient gives the same parameter gradients and no dX", "[chain][target]") {
  jiggle::Rng rng(14);
  SmallMlp model(rng);
  const Matrix<double> X = random_matrix(6, 3, 15);
  const Matrix<double> dY = random_matrix(3, 3, 16);
  model.forward(X);
  model.backward(X, dY, kGradients);
  const auto expected = gradients_of(model);
  jiggle::visit_parameters(model, [](jiggle::Parameter<double>& p) { p.gradient.setZero(); });
  REQUIRE(model.backward(X, dY, kGradients.without_input_gradient()).size() == 0);
  REQUIRE(gradients_of(model) == expected);
}

TEST_CASE("Chain hands every layer its own input again, even when the input was a temporary", "[chain][misuse]") {
  jiggle::Rng rng_a(18), rng_b(18);
  SmallMlp from_temporary(rng_a), from_named(rng_b);
  const Matrix<double> X = random_matrix(6, 3, 19);
  const Matrix<double> dY = random_matrix(3, 3, 20);
  const Matrix<double> doubled = 2.0 * X;
  from_temporary.forward(2.0 * X);
  from_named.forward(doubled);
  REQUIRE(from_temporary.backward(2.0 * X, dY, kGradients) == from_named.backward(doubled, dY, kGradients));
  REQUIRE(gradients_of(from_temporary) == gradients_of(from_named));
}

TEST_CASE("Chain refuses a backward before any forward, and a wrong-sized output gradient", "[chain][misuse]") {
  jiggle::Rng rng(21);
  SmallMlp model(rng);
  const Matrix<double> X = random_matrix(6, 3, 22);
  REQUIRE_THROWS_WITH(model.backward(X, random_matrix(3, 3, 23), kGradients),
                      Catch::Contains("backward before any forward"));
  model.forward(X);
  REQUIRE_THROWS_WITH(model.backward(X, random_matrix(3, 5, 23), kGradients),
                      Catch::Contains("Dense<4, 3>: the output gradient is 3×5"));
  SmallMlp copy = model;  // a copy has run no forward of its own
  REQUIRE_THROWS_WITH(copy.backward(X, random_matrix(3, 3, 23), kGradients),
                      Catch::Contains("backward before any forward"));
}

TEST_CASE("Chain forwards an initialisation scheme to every layer that takes one", "[chain]") {
  jiggle::Rng rng_a(24), rng_b(24);
  SmallMlp chained(rng_a, jiggle::Init::torch_default);
  Dense<6, 5, double> first(rng_b, jiggle::Init::torch_default);
  REQUIRE(chained.layer<0>().W == first.W);
  REQUIRE(chained.layer<0>().b == first.b);
  REQUIRE((chained.layer<0>().b.array() != 0.0).any());  // torch_default draws biases, Glorot does not
}

TEST_CASE("Chain visits parameters in order, named by position", "[chain]") {
  jiggle::Rng rng(17);
  Chain<Chain<Dense<6, 5, double>, ReLU<double>>, Dense<5, 3, double>> model(rng);
  std::vector<std::string> names;
  jiggle::visit_parameters(model, [&](jiggle::Parameter<double>& p) { names.push_back(p.path.to_string()); });
  REQUIRE(names == std::vector<std::string>{"layers.0.layers.0.weight", "layers.0.layers.0.bias", "layers.1.weight",
                                            "layers.1.bias"});
  REQUIRE(jiggle::parameter_count(model) == 6 * 5 + 5 + 5 * 3 + 3);
}

TEST_CASE("A Chain built without drawing holds zeros, needs no generator, and takes loaded weights", "[chain]") {
  jiggle::MnistMlp<> model(jiggle::without_drawing);
  jiggle::visit_parameters(model, [](jiggle::Parameter<float>& parameter) {
    INFO(parameter.path.to_string());
    REQUIRE(parameter.value.isZero(0.0));
  });

  jiggle::Rng rng(3);
  jiggle::MnistMlp<> drawn(rng);
  const auto path = std::filesystem::temp_directory_path() / "jiggle-chain-test-without-drawing.safetensors";
  jiggle::save_safetensors(drawn, path);
  jiggle::load_safetensors(model, path);
  std::filesystem::remove(path);
  REQUIRE(model.layer<0>().W == drawn.layer<0>().W);
  REQUIRE(model.layer<4>().b == drawn.layer<4>().b);
}
