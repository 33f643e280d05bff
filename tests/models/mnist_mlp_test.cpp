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

TEST_CASE("The linear and one-hidden-layer models have the sizes of their reference rows", "[mnist_mlp]") {
  jiggle::Rng rng(0);
  jiggle::MnistLinear<> linear(rng);
  REQUIRE(jiggle::parameter_count(linear) == 7'850);
  jiggle::MnistShallow<64> h64(rng);
  jiggle::MnistShallow<128> h128(rng);
  jiggle::MnistShallow<512> h512(rng);
  REQUIRE(jiggle::parameter_count(h64) == 50'890);
  REQUIRE(jiggle::parameter_count(h128) == 101'770);
  REQUIRE(jiggle::parameter_count(h512) == 407'050);
  std::vector<std::string> names;
  jiggle::visit_parameters(h128, [&](jiggle::Parameter<float>& p) { names.push_back(p.path.to_string()); });
  REQUIRE(names == std::vector<std::string>{"layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"});
  STATIC_REQUIRE(jiggle::MnistLinear<>::input_shape == jiggle::vector_shape(784));
  STATIC_REQUIRE(jiggle::MnistShallow<64>::output_shape == jiggle::vector_shape(10));
}
