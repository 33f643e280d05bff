#pragma once
// What every benchmark needs: a clock, the median of repeats, and MNIST or a stand-in for it.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "jiggle/data/mnist.hpp"
#include "jiggle/error.hpp"
#include "jiggle/random.hpp"
#include "median.hpp"

namespace bench_support {

// The batch both benchmarks train with, the reference's and `mnist`'s default.
inline constexpr int kBatch = 128;

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// MNIST when present, else random images of the same shapes and counts, so a benchmark runs
// anywhere (its accuracy figures then mean nothing, which `synthetic` says).
inline jiggle::Mnist mnist_or_stand_in(const std::filesystem::path& folder, bool& synthetic) {
  try {
    synthetic = false;
    return jiggle::load_mnist(folder);
  } catch (const jiggle::Error&) {
    synthetic = true;
    jiggle::Rng rng(1);
    auto make = [&](std::size_t count) {
      jiggle::LabelledImages split;
      split.rows = split.cols = 28;
      split.pixels.resize(count * 784);
      for (auto& pixel : split.pixels) pixel = static_cast<std::uint8_t>(rng.below(256));
      split.labels.resize(count);
      for (auto& label : split.labels) label = static_cast<std::uint8_t>(rng.below(10));
      return split;
    };
    return jiggle::Mnist{make(60000), make(10000)};
  }
}

}  // namespace bench_support
