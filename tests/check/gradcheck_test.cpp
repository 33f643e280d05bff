#include "jiggle/check/gradcheck.hpp"

#include "jiggle/layers/dense.hpp"
#include "jiggle/layers/relu.hpp"
#include "support/catch.hpp"
#include "support/gradcheck_matchers.hpp"

using jiggle::Matrix;

namespace {

// A Dense layer whose backward has one deliberate mistake, to prove the checker notices.
enum class Mistake { none, db_sign, dW_scale, dX_zero };

class FaultyDense {
 public:
  using Scalar = double;
  static constexpr jiggle::Shape input_shape = jiggle::vector_shape(3);
  static constexpr jiggle::Shape output_shape = jiggle::vector_shape(2);

  explicit FaultyDense(Mistake mistake) : mistake_(mistake) {
    W << 0.5, -1.0, 2.0, 1.5, 0.25, -0.75;
    b << 0.1, -0.2;
  }

  const Matrix<double>& forward(const Matrix<double>& X) {
    Y_ = (W * X).colwise() + b;
    return Y_;
  }

  const Matrix<double>& backward(const Matrix<double>& X, const Matrix<double>& dY,
                                 const jiggle::GradientTarget<double>&) {
    dW = dY * X.transpose();
    db = dY.rowwise().sum();
    dX_ = W.transpose() * dY;
    if (mistake_ == Mistake::db_sign) db = -db;
    if (mistake_ == Mistake::dW_scale) dW(1, 2) *= 1.001;
    if (mistake_ == Mistake::dX_zero) dX_.setZero();
    return dX_;
  }

  template <class Visitor>
  void visit_parameters(Visitor&& visit, const jiggle::ParameterPath& path) {
    jiggle::Parameter<double> weight(path.with_leaf("weight"), jiggle::TensorShape{2, 3}, W, dW);
    visit(weight);
    jiggle::Parameter<double> bias(path.with_leaf("bias"), jiggle::TensorShape{2}, b, db);
    visit(bias);
  }

  Matrix<double> W = Matrix<double>(2, 3);
  jiggle::Vector<double> b = jiggle::Vector<double>(2);
  Matrix<double> dW = Matrix<double>::Zero(2, 3);
  jiggle::Vector<double> db = jiggle::Vector<double>::Zero(2);

 private:
  Mistake mistake_;
  Matrix<double> Y_, dX_;
};

const Matrix<double> kBatch{{0.3, -1.2}, {2.0, 0.7}, {-0.4, 1.1}};

}  // namespace

TEST_CASE("gradcheck passes a correct VJP", "[gradcheck]") {
  FaultyDense layer(Mistake::none);
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp(layer, kBatch));
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(layer, kBatch));
}

TEST_CASE("gradcheck names the tensor and entry of a wrong sign", "[gradcheck]") {
  FaultyDense layer(Mistake::db_sign);
  const auto report = jiggle::check_vjp(layer, kBatch);
  REQUIRE_FALSE(report.passed);
  REQUIRE(report.worst_tensor == "dbias");
  REQUIRE(report.worst_analytic == Approx(-report.worst_numeric).epsilon(1e-6));
  REQUIRE_THAT(report.message(), Catch::Contains("FAILED") && Catch::Contains("dbias["));
  REQUIRE_FALSE(jiggle::check_vjp_direction(layer, kBatch).passed);
}

TEST_CASE("gradcheck catches a gradient off by one part in a thousand", "[gradcheck]") {
  FaultyDense layer(Mistake::dW_scale);
  const auto report = jiggle::check_vjp(layer, kBatch);
  REQUIRE_FALSE(report.passed);
  REQUIRE(report.worst_tensor == "dweight");
  REQUIRE(report.worst_index == 5);  // (1, 2) in column-major order
}

TEST_CASE("gradcheck fails a gradient that is zero where the function is not flat", "[gradcheck]") {
  FaultyDense layer(Mistake::dX_zero);
  const auto report = jiggle::check_vjp(layer, kBatch);
  REQUIRE_FALSE(report.passed);
  REQUIRE(report.worst_tensor == "dX");
}

TEST_CASE("gradcheck refuses a tensor that is zero on both sides unless allowed", "[gradcheck]") {
  Matrix<double> x = Matrix<double>::Ones(2, 2);
  const Matrix<double> zero = Matrix<double>::Zero(2, 2);
  auto constant = [] { return 4.0; };
  jiggle::Rng rng(0);
  jiggle::GradcheckReport strict;
  jiggle::check_gradient("x", Eigen::Map<Matrix<double>>(x.data(), 2, 2), zero, constant, {}, strict, rng);
  REQUIRE_FALSE(strict.passed);
  REQUIRE_THAT(strict.message(), Catch::Contains("proves nothing"));
  jiggle::GradcheckOptions lenient;
  lenient.allow_zero_gradient = true;
  jiggle::GradcheckReport allowed;
  jiggle::check_gradient("x", Eigen::Map<Matrix<double>>(x.data(), 2, 2), zero, constant, lenient, allowed, rng);
  REQUIRE(allowed.passed);
}

TEST_CASE("gradcheck's directional check refuses a layer that is flat in every direction unless allowed",
          "[gradcheck]") {
  jiggle::ReLU<double> relu;
  const Matrix<double> X = Matrix<double>::Constant(3, 2, -1.0);
  const auto strict = jiggle::check_vjp_direction(relu, X);
  REQUIRE_FALSE(strict.passed);
  REQUIRE_THAT(strict.message(), Catch::Contains("proves nothing"));
  jiggle::GradcheckOptions lenient;
  lenient.allow_zero_gradient = true;
  REQUIRE(jiggle::check_vjp_direction(relu, X, lenient).passed);
}

TEST_CASE("gradcheck uses an absolute margin near zero", "[gradcheck]") {
  Matrix<double> x{{1e-9}};
  auto square = [&] { return x(0, 0) * x(0, 0); };
  const Matrix<double> exact{{2e-9}};
  const Matrix<double> slightly_off{{2e-9 + 1e-12}};
  jiggle::Rng rng(0);
  jiggle::GradcheckReport report;
  jiggle::check_gradient("x", Eigen::Map<Matrix<double>>(x.data(), 1, 1), exact, square, {}, report, rng);
  jiggle::check_gradient("x", Eigen::Map<Matrix<double>>(x.data(), 1, 1), slightly_off, square, {}, report, rng);
  REQUIRE(report.passed);
  REQUIRE(x(0, 0) == 1e-9);  // restored after nudging
}

TEST_CASE("gradcheck samples the requested number of entries per tensor", "[gradcheck]") {
  jiggle::Rng rng(0);
  jiggle::Dense<20, 30, double> layer(rng);
  jiggle::GradcheckOptions options;
  options.max_entries_per_tensor = 7;
  const Matrix<double> X = Matrix<double>::Constant(20, 2, 0.5);
  const auto report = jiggle::check_vjp(layer, X, options);
  REQUIRE_GRADCHECK_PASSES(report);
  REQUIRE(report.entries_checked == jiggle::Index{3} * 7);
}
