#include "jiggle/optim/sgd.hpp"

#include "jiggle/chain.hpp"
#include "jiggle/layers/dense.hpp"
#include "jiggle/layers/relu.hpp"
#include "support/catch.hpp"

using jiggle::Matrix;

TEST_CASE("One SGD step moves every parameter by -lr times its gradient", "[sgd]") {
  jiggle::Rng rng(0);
  jiggle::Chain<jiggle::Dense<2, 2, double>, jiggle::ReLU<double>, jiggle::Dense<2, 1, double>> model(rng);
  auto& first = model.layer<0>();
  auto& last = model.layer<2>();
  first.W << 1.0, 2.0, 3.0, 4.0;
  first.b << 0.5, -0.5;
  first.dW << 10.0, -20.0, 30.0, 0.0;
  first.db << 1.0, 2.0;
  last.W << -1.0, 1.0;
  last.b << 0.25;
  last.dW << 4.0, 8.0;
  last.db << -2.0;

  jiggle::Sgd(0.1).step(model);

  Matrix<double> W1(2, 2);
  W1 << 1.0 - 1.0, 2.0 + 2.0, 3.0 - 3.0, 4.0;
  REQUIRE(first.W.isApprox(W1, 1e-15));
  REQUIRE(first.b.isApprox(jiggle::Vector<double>{{0.5 - 0.1, -0.5 - 0.2}}, 1e-15));
  REQUIRE(last.W.isApprox(Matrix<double>{{-1.0 - 0.4, 1.0 - 0.8}}, 1e-15));
  REQUIRE(last.b(0) == Approx(0.25 + 0.2).epsilon(1e-15));
}

TEST_CASE("SGD updates a large layer through its threaded loop", "[sgd]") {
  jiggle::Rng rng(1);
  jiggle::Dense<512, 512> layer(rng);
  const Matrix<float> before = layer.W;
  layer.dW = Matrix<float>::Random(512, 512);
  jiggle::Sgd(0.5).step(layer);
  REQUIRE(layer.W.isApprox(before - 0.5f * layer.dW, 1e-6f));
  REQUIRE(layer.W != before);
}
