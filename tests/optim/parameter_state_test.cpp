#include "jiggle/optim/parameter_state.hpp"

#include "support/catch.hpp"

TEST_CASE("Parameter state starts at zero and refuses a parameter that changed shape", "[optimizer]") {
  jiggle::Matrix<double> value(2, 3), gradient(2, 3);
  jiggle::Parameter<double> parameter(jiggle::ParameterPath{}.with_leaf("weight"), jiggle::TensorShape{2, 3}, value,
                                      gradient);
  jiggle::ParameterState<double> state("Momentum");
  jiggle::Matrix<double>& tensor = state.at(0, parameter);
  REQUIRE(tensor == jiggle::Matrix<double>::Zero(2, 3));
  tensor.setOnes();
  REQUIRE(state.at(0, parameter) == jiggle::Matrix<double>::Ones(2, 3));
  REQUIRE(state.size() == 1);

  jiggle::Matrix<double> other_value(3, 2), other_gradient(3, 2);
  jiggle::Parameter<double> reshaped(jiggle::ParameterPath{}.with_leaf("weight"), jiggle::TensorShape{3, 2},
                                     other_value, other_gradient);
  REQUIRE_THROWS_WITH(state.at(0, reshaped),
                      Catch::Contains("Momentum: parameter weight is 3×2, its state from earlier steps is 2×3"));
}
