#include "jiggle/layers/residual.hpp"

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

using jiggle::Chain;
using jiggle::Dense;
using jiggle::Matrix;
using jiggle::ReLU;
using jiggle::Residual;

namespace {

using test_support::kGradients;
using DenseBlock = Residual<Chain<Dense<5, 5, double>, ReLU<double>, Dense<5, 5, double>>>;
using ConvBlock =
    Residual<Chain<jiggle::Conv2D<jiggle::Shape{2, 5, 5}, 2, 3, 1, jiggle::Padding::same, double>, ReLU<double>>>;
// A block whose body narrows 5 features to 3, and a shortcut that narrows them alike.
using ProjectionBlock = Residual<Chain<Dense<5, 4, double>, ReLU<double>, Dense<4, 3, double>>, Dense<5, 3, double>>;

// torch_default draws nonzero biases, so every parameter takes part in the checks.
template <class Block>
Block drawn_block(std::uint64_t seed) {
  jiggle::Rng rng(seed);
  return Block(rng, jiggle::Init::torch_default);
}

}  // namespace

TEST_CASE("Residual forward is the body's output plus the input", "[residual]") {
  DenseBlock block = drawn_block<DenseBlock>(1);
  const Matrix<double> X = random_matrix(5, 3, 2);
  const Matrix<double> body_output = block.body().forward(X);
  REQUIRE(block.forward(X) == body_output + X);
  STATIC_REQUIRE(DenseBlock::input_shape == jiggle::vector_shape(5));
  STATIC_REQUIRE(DenseBlock::output_shape == jiggle::vector_shape(5));
}

TEST_CASE("Residual VJP matches central differences through a dense body", "[residual][vjp]") {
  DenseBlock block = drawn_block<DenseBlock>(3);
  const Matrix<double> X = random_matrix(5, 4, 4);
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp(block, X));
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(block, X));
}

TEST_CASE("Residual VJP matches central differences through a convolution body", "[residual][vjp]") {
  ConvBlock block = drawn_block<ConvBlock>(5);
  const Matrix<double> X = random_matrix(50, 2, 6);
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp(block, X));
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(block, X));
}

TEST_CASE("Residual with a shortcut layer adds the two branches, and its VJP matches central differences",
          "[residual][vjp]") {
  ProjectionBlock block = drawn_block<ProjectionBlock>(15);
  STATIC_REQUIRE(ProjectionBlock::input_shape == jiggle::vector_shape(5));
  STATIC_REQUIRE(ProjectionBlock::output_shape == jiggle::vector_shape(3));
  const Matrix<double> X = random_matrix(5, 4, 16);
  const Matrix<double> body_output = block.body().forward(X);
  const Matrix<double> shortcut_output = block.shortcut().forward(X);
  REQUIRE(block.forward(X) == body_output + shortcut_output);
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp(block, X));
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(block, X));
}

TEST_CASE("Residual's dX is the body's dX plus the output gradient, and none when none is asked",
          "[residual][target]") {
  DenseBlock block = drawn_block<DenseBlock>(7);
  const Matrix<double> X = random_matrix(5, 3, 8);
  const Matrix<double> dY = random_matrix(5, 3, 9);
  block.forward(X);
  const Matrix<double> dX = block.backward(X, dY, kGradients);
  const auto gradients = test_support::gradients_of(block);
  block.body().forward(X);
  REQUIRE(dX == block.body().backward(X, dY, kGradients) + dY);
  block.forward(X);
  REQUIRE(block.backward(X, dY, kGradients.without_input_gradient()).size() == 0);
  REQUIRE(test_support::gradients_of(block) == gradients);
}

TEST_CASE("Residual names its branches' tensors as a PyTorch module holding them as `body` and `shortcut`",
          "[residual]") {
  jiggle::Rng rng(10);
  Chain<Dense<4, 5, double>, DenseBlock> model(rng);
  std::vector<std::string> names;
  jiggle::visit_parameters(model, [&](jiggle::Parameter<double>& p) { names.push_back(p.path.to_string()); });
  REQUIRE(names == std::vector<std::string>{"layers.0.weight", "layers.0.bias", "layers.1.body.layers.0.weight",
                                            "layers.1.body.layers.0.bias", "layers.1.body.layers.2.weight",
                                            "layers.1.body.layers.2.bias"});
  ProjectionBlock projection = drawn_block<ProjectionBlock>(17);
  names.clear();
  jiggle::visit_parameters(projection, [&](jiggle::Parameter<double>& p) { names.push_back(p.path.to_string()); });
  REQUIRE(names == std::vector<std::string>{"body.layers.0.weight", "body.layers.0.bias", "body.layers.2.weight",
                                            "body.layers.2.bias", "shortcut.weight", "shortcut.bias"});
}

TEST_CASE("Residual refuses a backward before any forward, and a wrong-sized output gradient", "[residual][misuse]") {
  DenseBlock block = drawn_block<DenseBlock>(11);
  const Matrix<double> X = random_matrix(5, 3, 12);
  REQUIRE_THROWS_WITH(block.backward(X, random_matrix(5, 3, 13), kGradients),
                      Catch::Contains("Residual: backward before any forward"));
  block.forward(X);
  REQUIRE_THROWS_WITH(block.backward(X, random_matrix(5, 2, 14), kGradients),
                      Catch::Contains("Residual: the output gradient is 5×2"));
}
