#include "jiggle/layers/dense.hpp"

#include "support/catch.hpp"
#include "support/gradcheck_matchers.hpp"

using jiggle::Dense;
using jiggle::Matrix;

namespace {

Matrix<double> random_batch(jiggle::Index rows, jiggle::Index cols, std::uint64_t seed) {
  jiggle::Rng rng(seed);
  Matrix<double> X(rows, cols);
  for (jiggle::Index i = 0; i < X.size(); ++i) X.data()[i] = rng.normal();
  return X;
}

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
  const auto report = jiggle::check_vjp(layer, random_batch(5, 3, 2));
  REQUIRE_GRADCHECK_PASSES(report);
  REQUIRE(report.entries_checked == 5 * 3 + 4 * 5 + 4);
}

TEST_CASE("Dense VJP satisfies <dY, J u> = <J^T dY, u>", "[dense][vjp]") {
  auto layer = small_dense();
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(layer, random_batch(5, 3, 3)));
}

TEST_CASE("Dense gradients are written, not accumulated, by each backward", "[dense]") {
  auto layer = small_dense();
  const Matrix<double> X = random_batch(5, 3, 4);
  const Matrix<double> dY = random_batch(4, 3, 5);
  layer.forward(X);
  layer.backward(dY);
  const Matrix<double> first_dW = layer.dW;
  layer.forward(X);
  layer.backward(dY);
  REQUIRE(layer.dW == first_dW);
  REQUIRE(layer.dW.isApprox(dY * X.transpose(), 1e-14));
  REQUIRE(layer.db.isApprox(dY.rowwise().sum(), 1e-14));
}

TEST_CASE("Dense backward_parameters gives the same gradients as backward", "[dense]") {
  auto layer = small_dense();
  const Matrix<double> X = random_batch(5, 3, 6);
  const Matrix<double> dY = random_batch(4, 3, 7);
  layer.forward(X);
  layer.backward(dY);
  const Matrix<double> dW = layer.dW;
  const jiggle::Vector<double> db = layer.db;
  layer.dW.setZero();
  layer.db.setZero();
  layer.backward_parameters(dY);
  REQUIRE(layer.dW == dW);
  REQUIRE(layer.db == db);
}

TEST_CASE("Dense rejects a batch of the wrong size with a message naming the sizes", "[dense]") {
  auto layer = small_dense();
  REQUIRE_THROWS_WITH(layer.forward(Matrix<double>::Zero(6, 2)),
                      Catch::Contains("Dense<5, 4>") && Catch::Contains("6 rows, expected 5"));
  const Matrix<double> X = Matrix<double>::Zero(5, 2);  // forward keeps a reference: X must outlive backward
  layer.forward(X);
  REQUIRE_THROWS_AS(layer.backward(Matrix<double>::Zero(4, 3)), jiggle::Error);
}

TEST_CASE("Dense visits its weight then its bias, with their gradients", "[dense]") {
  auto layer = small_dense();
  std::vector<std::string> names;
  jiggle::visit_parameters(layer, [&](jiggle::Parameter<double>& p) {
    names.push_back(p.path.to_string());
    REQUIRE(p.value.rows() == p.gradient.rows());
    REQUIRE(p.value.cols() == p.gradient.cols());
  });
  REQUIRE(names == std::vector<std::string>{"weight", "bias"});
  REQUIRE(jiggle::parameter_count(layer) == 5 * 4 + 4);
  STATIC_REQUIRE(Dense<5, 4>::parameter_count() == 24);
}
