// The numbers behind the report's verdicts: a row's spread over its seeds, where the reference's
// figure falls in it, and how often chance alone puts it outside.
#include "seed_statistics.hpp"

#include <vector>

#include "support/catch.hpp"

TEST_CASE("A row's spread over its seeds: the mean, the sample deviation and the range", "[seed-statistics]") {
  // Deviations from the mean 98.25: −0.25, 0.25, 0.75, −0.75; squares summing to 1.25, over n − 1 = 3.
  const SeedSpread four = spread_of({98.0, 98.5, 99.0, 97.5});
  REQUIRE(four.seeds == 4);
  REQUIRE(four.mean == Approx(98.25).epsilon(1e-15));
  REQUIRE(four.deviation == Approx(0.6454972243679028).epsilon(1e-12));
  REQUIRE(four.lowest == 97.5);
  REQUIRE(four.highest == 99.0);
  const SeedSpread one = spread_of({97.0});
  REQUIRE(one.mean == 97.0);
  REQUIRE(one.deviation == 0.0);
  REQUIRE(one.lowest == 97.0);
  REQUIRE(one.highest == 97.0);
}

TEST_CASE("The reference's figure lies below, inside or above the seeds' range, a seed's own figure inside",
          "[seed-statistics]") {
  const SeedSpread spread = spread_of({98.0, 98.5, 99.0, 97.5});
  REQUIRE(place_among(97.49, spread) == PlaceAmongSeeds::below);
  REQUIRE(place_among(97.5, spread) == PlaceAmongSeeds::inside);
  REQUIRE(place_among(98.25, spread) == PlaceAmongSeeds::inside);
  REQUIRE(place_among(99.0, spread) == PlaceAmongSeeds::inside);
  REQUIRE(place_among(99.01, spread) == PlaceAmongSeeds::above);
}

TEST_CASE("One more draw falls outside n draws' range with chance 2/(n + 1)", "[seed-statistics]") {
  REQUIRE(chance_outside(1) == 1.0);
  REQUIRE(chance_outside(2) == Approx(2.0 / 3.0).epsilon(1e-15));
  REQUIRE(chance_outside(10) == Approx(2.0 / 11.0).epsilon(1e-15));
}
