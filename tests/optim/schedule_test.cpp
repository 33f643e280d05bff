#include "jiggle/optim/schedule.hpp"

#include <cmath>

#include "support/catch.hpp"

TEST_CASE("A constant schedule keeps the base rate", "[schedule]") {
  const jiggle::LearningRateSchedule schedule{.base = 0.1, .total_steps = 100};
  REQUIRE(schedule.at(0) == 0.1);
  REQUIRE(schedule.at(99) == 0.1);
}

TEST_CASE("Cosine decay falls from the base rate to 0 over the run", "[schedule]") {
  const jiggle::LearningRateSchedule schedule{.base = 0.1, .total_steps = 100, .cosine = true};
  REQUIRE(schedule.at(0) == Approx(0.1).epsilon(1e-15));
  REQUIRE(schedule.at(50) == Approx(0.05).epsilon(1e-14));
  REQUIRE(schedule.at(25) == Approx(0.05 * (1 + std::sqrt(0.5))).epsilon(1e-14));
  REQUIRE(schedule.at(100) == Approx(0.0).margin(1e-15));
}

TEST_CASE("Warmup rises linearly to the base rate, then cosine decays", "[schedule]") {
  const jiggle::LearningRateSchedule schedule{.base = 1.0, .total_steps = 110, .warmup_steps = 10, .cosine = true};
  REQUIRE(schedule.at(0) == Approx(0.1).epsilon(1e-15));
  REQUIRE(schedule.at(4) == Approx(0.5).epsilon(1e-15));
  REQUIRE(schedule.at(9) == Approx(1.0).epsilon(1e-15));
  REQUIRE(schedule.at(10) == Approx(1.0).epsilon(1e-15));
  REQUIRE(schedule.at(60) == Approx(0.5).epsilon(1e-14));
}
