#pragma once
// Images whose class is written into their pixels, so a model can learn it: pixel p of an image
// of class c is lit with probability 0.8 where p ≡ c (mod 10), and 0.1 elsewhere.
#include <cstddef>
#include <cstdint>

#include "jiggle/data/mnist.hpp"
#include "jiggle/random.hpp"

namespace test_support {

inline jiggle::LabelledImages learnable_images(std::size_t count, std::size_t side = 28, std::uint64_t seed = 9) {
  jiggle::Rng rng(seed);
  jiggle::LabelledImages data;
  data.rows = data.cols = side;
  const std::size_t pixels = side * side;
  data.pixels.resize(count * pixels);
  data.labels.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto label = static_cast<std::uint8_t>(rng.below(10));
    data.labels[i] = label;
    for (std::size_t p = 0; p < pixels; ++p) {
      const bool lit = p % 10 == label ? rng.uniform() < 0.8 : rng.uniform() < 0.1;
      data.pixels[i * pixels + p] = lit ? 255 : 0;
    }
  }
  return data;
}

}  // namespace test_support
