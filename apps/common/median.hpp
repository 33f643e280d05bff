#pragma once
// The median of repeated measurements, 0 for none: the figure the ablation report and the
// benchmarks print, which one slow round moves less than it moves a mean.
#include <algorithm>
#include <cstddef>
#include <vector>

inline double median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : 0.5 * (values[middle - 1] + values[middle]);
}
