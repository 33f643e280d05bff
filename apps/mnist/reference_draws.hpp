#pragma once
// The reference framework's own random draws, so that a run repeats the reference's one run of a
// row rather than another draw of it: its initial weights and each epoch's order of the training
// images, as its code made them (`mnist --reference-draws`).
//
// - Weights: the weight tensors in the network's order take seeds 42, 43, …; a tensor's values
//   come from a 64-bit xorshift (shifts 13, 7, 17) started at seed + 1, three steps a value, each
//   step giving the uniform s / 2⁶⁴ − ½ in float, the value 2·scale·(u₁ + u₂ + u₃) with scale
//   √(2 / fan_in). The values fill the tensor in the reference's layout: a dense weight as
//   [inputs][outputs], a convolution's as [out][in][row][column]. Biases are 0.
// - Order: before epoch e the images of the previous epoch's order are shuffled again, Fisher–Yates
//   from the last place down, place i swapping with place (r >> 16) mod (i + 1), r stepping
//   r ← 6364136223846793005·r + 1442695040888963407 from (e + 42) xor 0x5DEECE66D. Epoch 0
//   shuffles the files' order.
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "jiggle/error.hpp"
#include "jiggle/layer.hpp"

namespace reference_draws {

// The values of the reference's weight tensor with seed `seed` and `fan_in` inputs, one at a time.
class WeightStream {
 public:
  WeightStream(std::uint64_t seed, std::int64_t fan_in)
      : state_(seed + 1), scale_(static_cast<float>(std::sqrt(2.0 / static_cast<double>(fan_in)))) {}

  float next() {
    float sum = 0.0f;
    for (int k = 0; k < 3; ++k) {
      state_ ^= state_ << 13;
      state_ ^= state_ >> 7;
      state_ ^= state_ << 17;
      sum += static_cast<float>(state_) / static_cast<float>(UINT64_MAX) - 0.5f;
    }
    return sum * 2.0f * scale_;
  }

 private:
  std::uint64_t state_;
  float scale_;
};

// Overwrites every weight of `model` (its tensors of two or four dimensions) with the reference's
// draw; biases and batch norm's γ and β keep the values the model was built with (0, and 1 and 0).
template <class Model>
void draw_weights(Model& model) {
  std::uint64_t seed = 42;
  jiggle::visit_parameters(model, [&](auto& parameter) {
    const jiggle::TensorShape& shape = parameter.shape;
    if (shape.rank() != 2 && shape.rank() != 4) return;
    auto& value = parameter.value;
    const jiggle::Index rows = value.rows();
    const jiggle::Index columns = value.cols();
    if (rows != shape[0])
      throw jiggle::Error(parameter.path.to_string() + ": stored with " + std::to_string(rows) +
                          " rows where its shape's first dimension is " + std::to_string(shape[0]));
    // A dense weight is [outputs][inputs] here and [inputs][outputs] in the reference: its k-th
    // value goes down the columns. A convolution's is the same [out][in][row][column] in both.
    const bool dense = shape.rank() == 2;
    WeightStream stream(seed++, columns);
    for (jiggle::Index k = 0; k < rows * columns; ++k) {
      const float drawn = stream.next();
      if (dense)
        value(k % rows, k / rows) = drawn;
      else
        value(k / columns, k % columns) = drawn;
    }
  });
}

// Epoch `epoch`'s order of `order.size()` training images: the files' order shuffled once for
// each epoch up to this one, as the reference shuffled its arrays in place.
inline void order_of_epoch(std::uint64_t epoch, std::span<std::uint32_t> order) {
  if (order.empty()) return;
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = static_cast<std::uint32_t>(k);
  for (std::uint64_t e = 0; e <= epoch; ++e) {
    std::uint64_t state = (e + 42) ^ 0x5DEECE66DULL;
    for (std::size_t i = order.size() - 1; i > 0; --i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      const auto j = static_cast<std::size_t>((state >> 16) % (i + 1));
      std::swap(order[i], order[j]);
    }
  }
}

}  // namespace reference_draws
