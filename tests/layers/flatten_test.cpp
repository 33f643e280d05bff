#include "jiggle/layers/flatten.hpp"

#include "jiggle/chain.hpp"
#include "jiggle/layers/conv2d.hpp"
#include "jiggle/layers/dense.hpp"
#include "support/catch.hpp"
#include "support/gradcheck_matchers.hpp"
#include "support/gradients.hpp"
#include "support/random_matrix.hpp"

using jiggle::Flatten;
using jiggle::Matrix;
using jiggle::Shape;

namespace {
using test_support::kGradients;
}  // namespace

TEST_CASE("Flatten turns C×H×W into C·H·W features, CHW order kept", "[flatten]") {
  STATIC_REQUIRE(Flatten<Shape{32, 14, 14}>::output_shape == jiggle::vector_shape(6272));
  STATIC_REQUIRE(Flatten<Shape{32, 14, 14}>::input_shape == Shape{32, 14, 14});
  using Model = jiggle::Chain<jiggle::Conv2D<Shape{1, 4, 4}, 2, 3>, Flatten<Shape{2, 4, 4}>, jiggle::Dense<32, 3>>;
  STATIC_REQUIRE(Model::output_shape == jiggle::vector_shape(3));
}

TEST_CASE("Flatten hands on its input and output gradient themselves, copying nothing", "[flatten]") {
  Flatten<Shape{2, 3, 3}, double> flatten;
  const Matrix<double> X = random_matrix(18, 4, 1);
  const Matrix<double> dY = random_matrix(18, 4, 2);
  REQUIRE(&flatten.forward(X) == &X);
  REQUIRE(&flatten.backward(X, dY, kGradients) == &dY);
  REQUIRE(flatten.backward(X, dY, kGradients.without_input_gradient()).size() == 0);
}

TEST_CASE("Flatten VJP matches central differences", "[flatten][vjp]") {
  Flatten<Shape{2, 3, 3}, double> flatten;
  const Matrix<double> X = random_matrix(18, 3, 3);
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp(flatten, X));
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(flatten, X));
}

TEST_CASE("A Flatten at the front of a Chain: the next layer reads the input backward is given", "[flatten][chain]") {
  jiggle::Rng rng(4);
  using Model = jiggle::Chain<Flatten<Shape{2, 2, 2}, double>, jiggle::Dense<8, 3, double>>;
  Model model(rng);
  const Matrix<double> X = random_matrix(8, 5, 5);
  const Matrix<double> dY = random_matrix(3, 5, 6);
  Matrix<double> forwarded = X;
  model.forward(forwarded);
  forwarded.setZero();  // the caller's matrix changes (or dies) after the forward
  model.backward(X, dY, kGradients);
  REQUIRE(model.layer<1>().dW.isApprox(dY * X.transpose(), 1e-14));
}

TEST_CASE("A Chain through a Flatten matches central differences", "[flatten][chain][vjp]") {
  jiggle::Rng rng(7);
  using Model = jiggle::Chain<jiggle::Conv2D<Shape{1, 4, 4}, 2, 3, 1, jiggle::Padding::same, double>,
                              Flatten<Shape{2, 4, 4}, double>, jiggle::Dense<32, 3, double>>;
  Model model(rng, jiggle::Init::torch_default);
  const Matrix<double> X = random_matrix(16, 3, 8);
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp(model, X));
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(model, X));
}

TEST_CASE("Flatten rejects inputs and output gradients of the wrong shape, naming them", "[flatten][misuse]") {
  Flatten<Shape{2, 3, 3}, double> flatten;
  REQUIRE_THROWS_WITH(flatten.forward(Matrix<double>::Zero(17, 2)),
                      Catch::Contains("Flatten<2×3×3>") && Catch::Contains("17 rows"));
  REQUIRE_THROWS_WITH(flatten.backward(Matrix<double>::Zero(18, 2), Matrix<double>::Zero(18, 3), kGradients),
                      Catch::Contains("output gradient is 18×3, expected 18×2"));
}
