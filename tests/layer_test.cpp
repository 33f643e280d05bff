#include "jiggle/layer.hpp"

#include <string>
#include <vector>

#include "jiggle/layers/dense.hpp"
#include "jiggle/layers/relu.hpp"
#include "support/catch.hpp"

TEST_CASE("ParameterPath names nested positions as nn.Sequential does", "[layer]") {
  const jiggle::ParameterPath root;
  REQUIRE(root.with_leaf("weight").to_string() == "weight");
  REQUIRE(root.with_position(2).with_leaf("bias").to_string() == "layers.2.bias");
  REQUIRE(root.with_position(0).with_position(4).with_leaf("weight").to_string() == "layers.0.layers.4.weight");
}

TEST_CASE("ParameterPath refuses nesting deeper than it can hold", "[layer]") {
  jiggle::ParameterPath path;
  for (std::size_t depth = 0; depth < jiggle::ParameterPath::kMaxDepth; ++depth) path = path.with_position(1);
  REQUIRE_THROWS_WITH(path.with_position(1), Catch::Contains("nested deeper than 8"));
}

TEST_CASE("The Layer concepts tell layers with parameters and fused steps apart", "[layer]") {
  STATIC_REQUIRE(jiggle::Layer<jiggle::Dense<3, 2>>);
  STATIC_REQUIRE(jiggle::Layer<jiggle::ReLU<>>);
  STATIC_REQUIRE(jiggle::HasParameters<jiggle::Dense<3, 2>>);
  STATIC_REQUIRE_FALSE(jiggle::HasParameters<jiggle::ReLU<>>);
  STATIC_REQUIRE(jiggle::HasFusedSgd<jiggle::Dense<3, 2>>);
  STATIC_REQUIRE(jiggle::HasParameterOnlyBackward<jiggle::Dense<3, 2>>);
  STATIC_REQUIRE_FALSE(jiggle::Layer<int>);
}

TEST_CASE("parameter_count counts what the visitor sees, and 0 for a layer without parameters", "[layer]") {
  jiggle::Rng rng(0);
  jiggle::Dense<3, 2> dense(rng);
  jiggle::ReLU<> relu;
  REQUIRE(jiggle::parameter_count(dense) == 8);
  REQUIRE(jiggle::parameter_count(relu) == 0);
  std::vector<std::string> names;
  jiggle::visit_parameters(relu, [&](jiggle::Parameter<float>& p) { names.push_back(p.path.to_string()); });
  REQUIRE(names.empty());
}
