#include "jiggle/optim/optimizer.hpp"

#include "jiggle/chain.hpp"
#include "jiggle/layers/dense.hpp"
#include "jiggle/layers/relu.hpp"
#include "jiggle/optim/adam.hpp"
#include "jiggle/optim/sgd.hpp"
#include "support/catch.hpp"

TEST_CASE("SGD and Adam are Optimizers of models of their own scalar type", "[optimizer]") {
  using Model = jiggle::Chain<jiggle::Dense<3, 2>, jiggle::ReLU<>>;
  STATIC_REQUIRE(jiggle::Optimizer<jiggle::Sgd<float>, Model>);
  STATIC_REQUIRE(jiggle::Optimizer<jiggle::Adam<float>, Model>);
  STATIC_REQUIRE_FALSE(jiggle::Optimizer<int, Model>);
}
