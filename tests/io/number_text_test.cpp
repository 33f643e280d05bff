#include "jiggle/io/number_text.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "support/catch.hpp"

namespace {

double read_back(const std::string& text) {
  double value = std::numeric_limits<double>::quiet_NaN();
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  REQUIRE(error == std::errc{});
  REQUIRE(end == text.data() + text.size());
  return value;
}

}  // namespace

TEST_CASE("shortest_text writes the shortest form that reads back as the same double", "[number_text]") {
  REQUIRE(jiggle::shortest_text(0.1) == "0.1");
  REQUIRE(jiggle::shortest_text(-2.5) == "-2.5");
  REQUIRE(jiggle::shortest_text(0.0) == "0");
  REQUIRE(jiggle::shortest_text(1e-4) == "1e-04");  // shorter than 0.0001
  using limits = std::numeric_limits<double>;
  for (const double value : {0.1 + 0.2, 1.0 / 3.0, limits::max(), limits::lowest(), limits::min(), -limits::min(),
                             limits::denorm_min(), std::nextafter(1.0, 2.0), -2.2250738585072014e-308}) {
    const std::string text = jiggle::shortest_text(value);
    INFO(text);
    REQUIRE(text.size() <= 24);
    REQUIRE(read_back(text) == value);
  }
  REQUIRE(jiggle::shortest_text(-2.2250738585072014e-308).size() == 24);
}
