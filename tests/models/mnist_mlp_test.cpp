#include "jiggle/models/mnist_mlp.hpp"

#include <string>
#include <vector>

#include "support/catch.hpp"

TEST_CASE("The flagship MLP has exactly 669,706 parameters", "[mnist_mlp]") {
  jiggle::Rng rng(0);
  jiggle::MnistMlp<> model(rng);
  REQUIRE(jiggle::parameter_count(model) == 669'706);
  STATIC_REQUIRE(jiggle::MnistMlp<>::input_shape == jiggle::vector_shape(784));
  STATIC_REQUIRE(jiggle::MnistMlp<>::output_shape == jiggle::vector_shape(10));
}

TEST_CASE("The flagship MLP names its tensors as nn.Sequential does, in nn.Linear's shapes", "[mnist_mlp]") {
  jiggle::Rng rng(0);
  jiggle::MnistMlp<> model(rng);
  std::vector<std::string> names;
  std::vector<std::string> shapes;
  jiggle::visit_parameters(model, [&](jiggle::Parameter<float>& p) {
    names.push_back(p.path.to_string());
    shapes.push_back(p.shape.to_string());
  });
  REQUIRE(names == std::vector<std::string>{"layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias",
                                            "layers.4.weight", "layers.4.bias"});
  REQUIRE(shapes == std::vector<std::string>{"[512, 784]", "[512]", "[512, 512]", "[512]", "[10, 512]", "[10]"});
}
