#include "jiggle/loss.hpp"

#include <cstdint>
#include <vector>

#include "jiggle/losses/mean_squared_error.hpp"
#include "jiggle/losses/softmax_cross_entropy.hpp"
#include "support/catch.hpp"

TEST_CASE("The Loss concept names each loss with the targets it takes", "[loss]") {
  STATIC_REQUIRE(jiggle::Loss<jiggle::SoftmaxCrossEntropy<float>, float, std::vector<std::int32_t>>);
  STATIC_REQUIRE(jiggle::Loss<jiggle::MeanSquaredError<double>, double, jiggle::Matrix<double>>);
  STATIC_REQUIRE_FALSE(jiggle::Loss<jiggle::MeanSquaredError<double>, double, std::vector<std::int32_t>>);
  STATIC_REQUIRE_FALSE(jiggle::Loss<jiggle::SoftmaxCrossEntropy<float>, double, std::vector<std::int32_t>>);
}
