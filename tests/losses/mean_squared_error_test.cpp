#include "jiggle/losses/mean_squared_error.hpp"

#include "support/catch.hpp"
#include "support/gradcheck_matchers.hpp"
#include "support/random_matrix.hpp"

using jiggle::Matrix;

TEST_CASE("Mean squared error is the mean of the squared differences over every entry", "[mse]") {
  jiggle::MeanSquaredError<double> loss;
  const Matrix<double> Z{{1.0, 2.0}, {3.0, 4.0}};
  const Matrix<double> targets{{0.0, 2.0}, {5.0, 4.5}};
  REQUIRE(loss.forward(Z, targets) == Approx((1.0 + 0.0 + 4.0 + 0.25) / 4.0).epsilon(1e-15));
  const Matrix<double> expected{{2.0 * 1.0 / 4.0, 0.0}, {2.0 * -2.0 / 4.0, 2.0 * -0.5 / 4.0}};
  REQUIRE(loss.backward().isApprox(expected, 1e-15));
}

TEST_CASE("Mean squared error's gradient matches central differences", "[mse][vjp]") {
  jiggle::MeanSquaredError<double> loss;
  const Matrix<double> targets = random_matrix(3, 4, 1);
  REQUIRE_GRADCHECK_PASSES(jiggle::check_loss_gradient(loss, random_matrix(3, 4, 2), targets));
}

TEST_CASE("Mean squared error refuses targets of another shape", "[mse]") {
  jiggle::MeanSquaredError<double> loss;
  REQUIRE_THROWS_WITH(loss.forward(Matrix<double>::Zero(3, 4), Matrix<double>::Zero(4, 3)),
                      Catch::Contains("targets are 4×3, outputs are 3×4"));
}
