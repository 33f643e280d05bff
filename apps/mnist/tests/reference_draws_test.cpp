// The reference framework's own draws: its weight stream and its order of images, against values
// computed apart from this code (a Python model of the rules in reference_draws.hpp, rounding to
// float at each step as the reference's C does), and the layout the values fill.
#include "reference_draws.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "jiggle/jiggle.hpp"
#include "support/catch.hpp"

TEST_CASE("The reference's weight stream gives its values, seeded per tensor and scaled by the fan-in",
          "[reference-draws]") {
  reference_draws::WeightStream first(42, 784);
  for (const float expected : {-0.0757234246f, 0.063412562f, -0.00843616482f, -0.12413232f, -0.0307940282f})
    REQUIRE(first.next() == expected);
  reference_draws::WeightStream second(43, 3);
  for (const float expected : {0.110853188f, 1.12120116f, -0.0680823475f}) REQUIRE(second.next() == expected);
}

TEST_CASE("The reference's order of images is its shuffle of the previous epoch's order", "[reference-draws]") {
  std::vector<std::uint32_t> order(10);
  reference_draws::order_of_epoch(0, order);
  REQUIRE(order == std::vector<std::uint32_t>{9, 5, 1, 7, 3, 8, 6, 0, 2, 4});
  reference_draws::order_of_epoch(1, order);
  REQUIRE(order == std::vector<std::uint32_t>{4, 8, 3, 2, 0, 5, 1, 7, 9, 6});
  std::vector<std::uint32_t> mnist(60000);
  reference_draws::order_of_epoch(14, mnist);
  REQUIRE(std::vector<std::uint32_t>(mnist.begin(), mnist.begin() + 6) ==
          std::vector<std::uint32_t>{17842, 4029, 26959, 14954, 55014, 14353});
  std::vector<std::uint32_t> sorted = mnist;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::uint32_t> every(60000);
  std::iota(every.begin(), every.end(), 0u);
  REQUIRE(sorted == every);
}

TEST_CASE(
    "The reference's weights fill a dense weight as [inputs][outputs] and a convolution's as [out][in][row][column]",
    "[reference-draws]") {
  jiggle::Rng rng(0);
  jiggle::Chain<jiggle::Conv2D<jiggle::Shape{2, 3, 3}, 2, 3>, jiggle::Flatten<jiggle::Shape{2, 3, 3}>,
                jiggle::Dense<18, 3>>
      model(rng, jiggle::Init::he_three_uniforms);
  reference_draws::draw_weights(model);
  auto& conv = model.layer<0>();
  auto& dense = model.layer<2>();
  // The convolution is the first weight tensor (seed 42, fan-in 2·3·3), the dense layer the second.
  reference_draws::WeightStream conv_stream(42, 18);
  for (int out = 0; out < 2; ++out)
    for (int tap = 0; tap < 18; ++tap) REQUIRE(conv.W(out, tap) == conv_stream.next());
  reference_draws::WeightStream dense_stream(43, 18);
  for (int input = 0; input < 18; ++input)
    for (int output = 0; output < 3; ++output) REQUIRE(dense.W(output, input) == dense_stream.next());
  REQUIRE(conv.b.isZero());
  REQUIRE(dense.b.isZero());
}
