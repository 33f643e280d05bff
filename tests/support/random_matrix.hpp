#pragma once
#include <cstdint>

#include "jiggle/random.hpp"
#include "jiggle/tensor.hpp"

// A rows×cols matrix of independent normal draws times `scale`, the same for the same seed.
template <class T = double>
jiggle::Matrix<T> random_matrix(jiggle::Index rows, jiggle::Index cols, std::uint64_t seed, double scale = 1.0) {
  jiggle::Rng rng(seed);
  jiggle::Matrix<T> m(rows, cols);
  for (jiggle::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<T>(scale * rng.normal());
  return m;
}

// A rows×cols matrix of uniform draws from [-1, 1), column by column, from the caller's stream.
template <class T>
jiggle::Matrix<T> uniform_matrix(jiggle::Rng& rng, jiggle::Index rows, jiggle::Index cols) {
  jiggle::Matrix<T> m(rows, cols);
  for (jiggle::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<T>(rng.uniform(-1.0, 1.0));
  return m;
}
