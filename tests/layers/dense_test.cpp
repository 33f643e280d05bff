#include "jiggle/layers/dense.hpp"

#include <limits>

#include "support/catch.hpp"
#include "support/gradcheck_matchers.hpp"
#include "support/gradients.hpp"
#include "support/precision_agreement.hpp"
#include "support/random_matrix.hpp"

using jiggle::Dense;
using jiggle::Matrix;

namespace {

using test_support::kGradients;

// torch_default draws a nonzero bias, so the bias takes part in every check below.
Dense<5, 4, double> small_dense() {
  jiggle::Rng rng(7);
  return Dense<5, 4, double>(rng, jiggle::Init::torch_default);
}

}  // namespace

TEST_CASE("Dense forward computes W x + b for every column", "[dense]") {
  jiggle::Rng rng(1);
  Dense<2, 3, double> layer(rng);
  layer.W << 1, 2, 3, 4, 5, 6;
  layer.b << 10, 20, 30;
  Matrix<double> X(2, 2);
  X << 1, -1, 2, 0.5;
  Matrix<double> expected(3, 2);
  expected << 1 * 1 + 2 * 2 + 10, 1 * -1 + 2 * 0.5 + 10,  //
      3 * 1 + 4 * 2 + 20, 3 * -1 + 4 * 0.5 + 20,          //
      5 * 1 + 6 * 2 + 30, 5 * -1 + 6 * 0.5 + 30;
  REQUIRE(layer.forward(X).isApprox(expected, 1e-15));
}

TEST_CASE("Dense VJP matches central differences (dX, dW, db)", "[dense][vjp]") {
  auto layer = small_dense();
  const auto report = jiggle::check_vjp(layer, random_matrix(5, 3, 2));
  REQUIRE_GRADCHECK_PASSES(report);
  REQUIRE(report.entries_checked == 5 * 3 + 4 * 5 + 4);
}

TEST_CASE("Dense VJP satisfies <dY, J u> = <J^T dY, u>", "[dense][vjp]") {
  auto layer = small_dense();
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(layer, random_matrix(5, 3, 3)));
}

TEST_CASE("Dense gradients are written, not accumulated, by each backward", "[dense]") {
  auto layer = small_dense();
  const Matrix<double> X = random_matrix(5, 3, 4);
  const Matrix<double> dY = random_matrix(4, 3, 5);
  layer.forward(X);
  layer.backward(X, dY, kGradients);
  const Matrix<double> first_dW = layer.dW;
  layer.forward(X);
  layer.backward(X, dY, kGradients);
  REQUIRE(layer.dW == first_dW);
  REQUIRE(layer.dW.isApprox(dY * X.transpose(), 1e-14));
  REQUIRE(layer.db.isApprox(dY.rowwise().sum(), 1e-14));
}

TEST_CASE("Dense with a descent-step target updates W and b in place and leaves dW alone", "[dense][target]") {
  auto layer = small_dense();
  const Matrix<double> X = random_matrix(5, 3, 6);
  const Matrix<double> dY = random_matrix(4, 3, 7);
  const Matrix<double> W_before = layer.W;
  const jiggle::Vector<double> b_before = layer.b;
  layer.forward(X);
  const Matrix<double> dX = layer.backward(X, dY, kGradients);
  layer.dW.setConstant(42.0);
  layer.db.setConstant(42.0);
  const Matrix<double> fused_dX = layer.backward(X, dY, jiggle::GradientTarget<double>::descent_step(0.25));
  REQUIRE(fused_dX.isApprox(dX, 1e-14));  // dX from W before the step
  REQUIRE(layer.W.isApprox(W_before - 0.25 * dY * X.transpose(), 1e-14));
  REQUIRE(layer.b.isApprox(b_before - 0.25 * dY.rowwise().sum(), 1e-14));
  REQUIRE((layer.dW.array() == 42.0).all());
  REQUIRE((layer.db.array() == 42.0).all());
}

TEST_CASE("Dense writes alpha times the gradient plus beta times the target", "[dense][target]") {
  auto layer = small_dense();
  const Matrix<double> X = random_matrix(5, 3, 8);
  const Matrix<double> dY = random_matrix(4, 3, 9);
  layer.dW.setConstant(2.0);
  layer.db.setConstant(2.0);
  jiggle::GradientTarget<double> target;
  target.alpha = 3.0;
  target.beta = 0.5;
  layer.forward(X);
  layer.backward(X, dY, target);
  REQUIRE(layer.dW.isApprox(3.0 * dY * X.transpose() + Matrix<double>::Constant(4, 5, 1.0), 1e-14));
  REQUIRE(layer.db.isApprox(3.0 * dY.rowwise().sum() + jiggle::Vector<double>::Constant(4, 1.0), 1e-14));
}

TEST_CASE("Dense writes alpha times the gradient over whatever the target held when beta is 0", "[dense][target]") {
  auto layer = small_dense();
  const Matrix<double> X = random_matrix(5, 3, 14);
  const Matrix<double> dY = random_matrix(4, 3, 15);
  layer.dW.setConstant(std::numeric_limits<double>::quiet_NaN());
  layer.db.setConstant(std::numeric_limits<double>::quiet_NaN());
  jiggle::GradientTarget<double> target;
  target.alpha = -0.5;
  layer.forward(X);
  layer.backward(X, dY, target);
  REQUIRE(layer.dW.isApprox(-0.5 * dY * X.transpose(), 1e-14));
  REQUIRE(layer.db.isApprox(-0.5 * dY.rowwise().sum(), 1e-14));
}

TEST_CASE("Dense computes no dX when none is asked for, and still writes its gradients", "[dense][target]") {
  auto layer = small_dense();
  const Matrix<double> X = random_matrix(5, 3, 10);
  const Matrix<double> dY = random_matrix(4, 3, 11);
  layer.forward(X);
  REQUIRE(layer.backward(X, dY, kGradients.without_input_gradient()).size() == 0);
  REQUIRE(layer.dW.isApprox(dY * X.transpose(), 1e-14));
}

TEST_CASE("Dense reads an input given as a temporary safely: backward takes the input again", "[dense][misuse]") {
  auto layer = small_dense();
  const Matrix<double> X = random_matrix(5, 3, 12);
  const Matrix<double> dY = random_matrix(4, 3, 13);
  layer.forward(2.0 * X);  // the temporary is gone after this line; nothing keeps its address
  layer.backward(2.0 * X, dY, kGradients);
  REQUIRE(layer.dW.isApprox(2.0 * dY * X.transpose(), 1e-14));
}

TEST_CASE("Dense rejects inputs and output gradients of the wrong shape, naming them", "[dense][misuse]") {
  auto layer = small_dense();
  REQUIRE_THROWS_WITH(layer.forward(Matrix<double>::Zero(6, 2)),
                      Catch::Contains("Dense<5, 4>") && Catch::Contains("6 rows (values per sample), expected 5"));
  const Matrix<double> X = Matrix<double>::Zero(5, 2);
  REQUIRE_THROWS_WITH(layer.backward(X, Matrix<double>::Zero(4, 2), kGradients),
                      Catch::Contains("backward before any forward"));
  layer.forward(X);
  REQUIRE_THROWS_WITH(layer.backward(X, Matrix<double>::Zero(4, 3), kGradients),
                      Catch::Contains("output gradient is 4×3, but the last forward gave 4×2"));
  REQUIRE_THROWS_WITH(layer.backward(X, Matrix<double>::Zero(3, 2), kGradients),
                      Catch::Contains("output gradient is 3×2"));
  REQUIRE_THROWS_WITH(layer.backward(Matrix<double>::Zero(5, 3), Matrix<double>::Zero(4, 2), kGradients),
                      Catch::Contains("input of 5×3, but the last forward ran on 5×2"));
}

TEST_CASE("Dense visits its weight [Out, In] then its bias [Out], with their gradients", "[dense]") {
  auto layer = small_dense();
  std::vector<std::string> names;
  std::vector<std::string> shapes;
  jiggle::visit_parameters(layer, [&](jiggle::Parameter<double>& p) {
    names.push_back(p.path.to_string());
    shapes.push_back(p.shape.to_string());
    REQUIRE(p.value.rows() == p.gradient.rows());
    REQUIRE(p.value.cols() == p.gradient.cols());
  });
  REQUIRE(names == std::vector<std::string>{"weight", "bias"});
  REQUIRE(shapes == std::vector<std::string>{"[4, 5]", "[4]"});
  REQUIRE(jiggle::parameter_count(layer) == 5 * 4 + 4);
}

TEST_CASE("Dense<1, 3> keeps its weight's logical shape [3, 1]", "[dense]") {
  jiggle::Rng rng(0);
  Dense<1, 3, double> layer(rng);
  std::vector<std::string> shapes;
  jiggle::visit_parameters(layer, [&](jiggle::Parameter<double>& p) { shapes.push_back(p.shape.to_string()); });
  REQUIRE(shapes == std::vector<std::string>{"[3, 1]", "[3]"});
}

TEST_CASE("Dense in float on the kernels agrees with Dense in double, in fp32 and bf16", "[dense][precision]") {
  jiggle::Rng rng(21);
  Dense<37, 45, double> reference(rng, jiggle::Init::torch_default);
  Dense<37, 45, float> single(rng);
  const Matrix<double> X = random_matrix(37, 19, 22);
  const Matrix<double> dY = random_matrix(45, 19, 23);
  REQUIRE(largest_relative_difference(single, reference, X, dY) < 1e-5);
  if (jiggle::kernels::cpu_isa() >= jiggle::kernels::Isa::avx512_bf16) {
    jiggle::set_precision(single, jiggle::Precision::bf16);
    const double difference = largest_relative_difference(single, reference, X, dY);
    REQUIRE(difference < 0.03);
    REQUIRE(difference > 1e-5);  // the products did round to bf16
  } else {
    // The layer's own setter refuses too, at set-up rather than at the first product.
    REQUIRE_THROWS_WITH(single.set_precision(jiggle::Precision::bf16),
                        Catch::Contains("bf16 products need a CPU with AVX512_BF16"));
  }
}
