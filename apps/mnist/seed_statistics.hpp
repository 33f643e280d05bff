#pragma once
// A row's final accuracies over the seeds it ran with, and where the reference's one figure falls
// among them: the numbers behind the report's verdicts.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

// The mean, the sample deviation (0 for one seed) and the range of a row's values, one per seed.
struct SeedSpread {
  std::size_t seeds = 0;
  double mean = 0.0;
  double deviation = 0.0;
  double lowest = 0.0;
  double highest = 0.0;
};

// `values` holds at least one value.
inline SeedSpread spread_of(const std::vector<double>& values) {
  SeedSpread spread{.seeds = values.size(), .mean = 0.0, .deviation = 0.0, .lowest = 0.0, .highest = 0.0};
  for (const double v : values) spread.mean += v / static_cast<double>(values.size());
  const auto [lowest, highest] = std::minmax_element(values.begin(), values.end());
  spread.lowest = *lowest;
  spread.highest = *highest;
  if (values.size() > 1) {
    double squares = 0.0;
    for (const double v : values) squares += (v - spread.mean) * (v - spread.mean);
    spread.deviation = std::sqrt(squares / static_cast<double>(values.size() - 1));
  }
  return spread;
}

// Where a figure falls against the seeds' range; a figure equal to a seed's is inside.
enum class PlaceAmongSeeds { below, inside, above };

inline PlaceAmongSeeds place_among(double figure, const SeedSpread& spread) {
  if (figure < spread.lowest) return PlaceAmongSeeds::below;
  if (figure > spread.highest) return PlaceAmongSeeds::above;
  return PlaceAmongSeeds::inside;
}

// The chance that one more draw of a row falls outside the range of its n seeds' draws, were it
// drawn as they were: of n + 1 exchangeable draws each is the lowest or the highest with
// probability 1/(n + 1) (ties aside).
inline double chance_outside(std::size_t seeds) { return 2.0 / static_cast<double>(seeds + 1); }
