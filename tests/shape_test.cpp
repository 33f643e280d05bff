#include "jiggle/shape.hpp"

#include <array>
#include <cstddef>
#include <vector>

#include "support/catch.hpp"

using jiggle::kAny;
using jiggle::Shape;

TEST_CASE("Shapes agree component by component, kAny agreeing with anything", "[shape]") {
  STATIC_REQUIRE(jiggle::accepts(Shape{32, 28, 28}, Shape{32, 28, 28}));
  STATIC_REQUIRE(jiggle::accepts(Shape{32, kAny, kAny}, Shape{32, 14, 14}));
  STATIC_REQUIRE_FALSE(jiggle::accepts(Shape{32, kAny, kAny}, Shape{64, 14, 14}));
  STATIC_REQUIRE_FALSE(jiggle::accepts(jiggle::vector_shape(784), Shape{1, 28, 28}));
  STATIC_REQUIRE(jiggle::resolve(Shape{32, kAny, kAny}, Shape{32, 14, 7}) == Shape{32, 14, 7});
  STATIC_REQUIRE(Shape{32, 14, 14}.size() == 6272);
}

TEST_CASE("Shapes print as C×H×W with * for any", "[shape]") {
  REQUIRE(jiggle::to_string(Shape{1, 28, 28}) == "1×28×28");
  REQUIRE(jiggle::to_string(Shape{32, kAny, kAny}) == "32×*×*");
}

TEST_CASE("A tensor shape maps to its column-major matrix and prints as PyTorch does", "[shape]") {
  const jiggle::TensorShape conv{32, 16, 3, 3};
  REQUIRE(conv.rank() == 4);
  REQUIRE(conv.matrix_rows() == 32);
  REQUIRE(conv.matrix_cols() == 144);
  REQUIRE(conv.size() == 4608);
  REQUIRE(conv.to_string() == "[32, 16, 3, 3]");
  REQUIRE(jiggle::TensorShape{10}.matrix_cols() == 1);
  REQUIRE(jiggle::TensorShape{3, 1} != jiggle::TensorShape{3});
  REQUIRE_THROWS_WITH((jiggle::TensorShape{1, 2, 3, 4, 5}), Catch::Contains("rank 1 to 4"));
  REQUIRE_THROWS_WITH((jiggle::TensorShape{3, 0}), Catch::Contains("must be positive"));
}

TEST_CASE("A tensor shape equals a plain list of its sizes, and no other", "[shape]") {
  const jiggle::TensorShape linear{512, 784};
  REQUIRE(linear == std::vector<long>{512, 784});
  REQUIRE(std::vector<std::size_t>{512, 784} == linear);
  REQUIRE(linear == std::array<int, 2>{512, 784});
  REQUIRE(linear != std::vector<long>{784, 512});
  REQUIRE(linear != std::vector<long>{512});
  REQUIRE(linear != std::vector<long>{512, 784, 1});
  REQUIRE(linear != std::vector<long long>{512, 784 + (1LL << 32)});
  REQUIRE(linear != std::vector<int>{512, -784});
}
