#include "jiggle/models/mnist_mlp.hpp"

#include <string>
#include <vector>

#include "support/catch.hpp"

TEST_CASE("The flagship MLP has exactly 669,706 parameters", "[mnist_mlp]") {
  jiggle::Rng rng(0);
  jiggle::MnistMlp<> model(rng);
  REQUIRE(jiggle::parameter_count(model) == 669'706);
  STATIC_REQUIRE(jiggle::MnistMlp<>::parameter_count() == 669'706);
  STATIC_REQUIRE(jiggle::MnistMlp<>::input_size == 784);
  STATIC_REQUIRE(jiggle::MnistMlp<>::output_size == 10);
}

TEST_CASE("The flagship MLP names its tensors as nn.Sequential does, in nn.Linear's shapes", "[mnist_mlp]") {
  jiggle::Rng rng(0);
  jiggle::MnistMlp<> model(rng);
  std::vector<std::string> names;
  std::vector<std::pair<jiggle::Index, jiggle::Index>> shapes;
  jiggle::visit_parameters(model, [&](jiggle::Parameter<float>& p) {
    names.push_back(p.path.to_string());
    shapes.emplace_back(p.value.rows(), p.value.cols());
  });
  REQUIRE(names == std::vector<std::string>{"layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias",
                                            "layers.4.weight", "layers.4.bias"});
  REQUIRE(shapes == std::vector<std::pair<jiggle::Index, jiggle::Index>>{
                        {512, 784}, {512, 1}, {512, 512}, {512, 1}, {10, 512}, {10, 1}});
}
