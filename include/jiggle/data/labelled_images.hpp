#pragma once
// Labelled uint8 images, the form MNIST and CIFAR-10 come in: a data set (data/data_set.hpp) whose
// pixels stay uint8 in memory (47 MB for MNIST's training set, 150 MB for CIFAR-10's) and become
// the model's scalar type a batch at a time, through a 256-entry table of the pixel scaling.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "jiggle/data/data_set.hpp"
#include "jiggle/error.hpp"
#include "jiggle/kernels/vector_loop.hpp"
#include "jiggle/parallel.hpp"
#include "jiggle/shape.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// The mean and deviation of pixel/255 over a data set's training images: what standardising
// its inputs needs.
struct PixelStatistics {
  double mean = 0.0;
  double deviation = 1.0;
};

// pixel ↦ pixel · scale + shift, for uint8 pixels.
struct PixelScaling {
  float scale = 1.0f / 255.0f;
  float shift = 0.0f;

  static PixelScaling unit_interval() { return {}; }
  // (x/255 − mean) / deviation, with the statistics of the data set's training images.
  static PixelScaling standardized(PixelStatistics statistics) {
    const auto mean = static_cast<float>(statistics.mean);
    const auto deviation = static_cast<float>(statistics.deviation);
    return {1.0f / (255.0f * deviation), -mean / deviation};
  }

  template <class T>
  T apply(std::uint8_t pixel) const {
    return static_cast<T>(pixel) * static_cast<T>(scale) + static_cast<T>(shift);
  }
};

// Images of `channels × rows × cols` uint8 pixels, each stored contiguously channel by channel
// (CHW, as PyTorch and CIFAR-10 lay them out), and one label per image. `scaling` says what a
// pixel becomes in a batch.
struct LabelledImages {
  using Targets = ClassLabels;

  std::vector<std::uint8_t> pixels;
  std::vector<std::uint8_t> labels;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::size_t channels = 1;
  PixelScaling scaling;

  std::size_t pixels_per_image() const { return channels * rows * cols; }
  std::size_t size() const { return labels.size(); }
  Shape sample_shape() const {
    return Shape{static_cast<int>(channels), static_cast<int>(rows), static_cast<int>(cols)};
  }

  // Throws unless the sizes agree: one image of channels×rows×cols pixels per label, its shape
  // within what a Shape counts.
  void require_consistent() const {
    constexpr auto most = static_cast<std::size_t>(std::numeric_limits<int>::max());
    if (rows == 0 || cols == 0 || channels == 0 || rows > most || cols > most || channels > most ||
        rows * cols > most / channels)
      throw Error("labelled images of " + shape_text() + " pixels cannot be read");
    if (pixels.size() / pixels_per_image() != size() || pixels.size() % pixels_per_image() != 0)
      throw Error("labelled images: " + std::to_string(size()) + " labels need as many images of " + shape_text() +
                  " pixels, but " + std::to_string(pixels.size()) + " pixels are given");
  }
  const std::uint8_t* image(std::size_t index) const { return pixels.data() + index * pixels_per_image(); }

  template <class T>
  T background() const {
    return scaling.apply<T>(0);
  }

  template <class T>
  void gather(std::span<const std::uint32_t> samples, Matrix<T>& inputs, std::vector<std::int32_t>& targets) const {
    std::array<T, 256> table{};
    for (int pixel = 0; pixel < 256; ++pixel) table[pixel] = scaling.apply<T>(static_cast<std::uint8_t>(pixel));
    const Index size = inputs.rows();
    parallel_for(static_cast<Index>(samples.size()), static_cast<Index>(samples.size()) * size, [&](Index column) {
      const std::uint32_t sample = samples[static_cast<std::size_t>(column)];
      const std::uint8_t* source = image(sample);
      T* target = inputs.col(column).data();
      const T* lookup = table.data();
      kernels::run_vectorised([&] {
        JIGGLE_OMP(simd)
        for (Index p = 0; p < size; ++p) target[p] = lookup[source[p]];
      });
      targets[static_cast<std::size_t>(column)] = labels[sample];
    });
  }

  // Keeps the first `count` images, or all of them if there are fewer: a quick run on a subset.
  void keep_first(std::size_t count) {
    if (count >= size()) return;
    labels.resize(count);
    pixels.resize(count * pixels_per_image());
  }

  // Drops the first `count` images, or all of them if there are fewer.
  void drop_first(std::size_t count) {
    count = std::min(count, size());
    labels.erase(labels.begin(), labels.begin() + static_cast<std::ptrdiff_t>(count));
    pixels.erase(pixels.begin(), pixels.begin() + static_cast<std::ptrdiff_t>(count * pixels_per_image()));
  }

 private:
  std::string shape_text() const {
    return (channels == 1 ? "" : std::to_string(channels) + "×") + std::to_string(rows) + "×" + std::to_string(cols);
  }
};

static_assert(DataSet<LabelledImages>);

// A data set's two splits, as MNIST and CIFAR-10 come.
struct TrainAndTest {
  LabelledImages train;
  LabelledImages test;
};

}  // namespace jiggle
