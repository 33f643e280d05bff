#pragma once
// Cheap, standard augmentation of images, applied to a gathered batch column in place:
// - a random shift (digits): each image translated by a whole number of pixels in
//   [−max_shift, max_shift] along each axis, the uncovered border filled with background;
// - a random horizontal flip (CIFAR-10): each image mirrored left to right with probability ½.
// Both may be on. Each sample's draws are made in order, shift then flip, from the generator the
// batches hand over (data/batches.hpp), so a seed gives the same draws on any count of threads.
#include <algorithm>
#include <cstdint>
#include <string>

#include "jiggle/error.hpp"
#include "jiggle/random.hpp"
#include "jiggle/shape.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

struct Augmentation {
  int max_shift = 0;             // 0: none
  bool horizontal_flip = false;  // mirror each image with probability ½

  bool any() const { return max_shift > 0 || horizontal_flip; }

  // Throws unless these augmentations fit images of `shape`.
  void check_fits(Shape shape) const {
    if (max_shift < 0 || max_shift >= std::min(shape.height, shape.width))
      throw Error("augmentation shift must be in [0, image size), got " + std::to_string(max_shift) +
                  " for images of " + std::to_string(shape.height) + "×" + std::to_string(shape.width));
  }
};

// One sample's augmentation, drawn.
struct AugmentationDraw {
  int down = 0;
  int right = 0;
  bool flip = false;
};

inline AugmentationDraw draw_augmentation(const Augmentation& augmentation, Rng& rng) {
  AugmentationDraw draw;
  if (augmentation.max_shift > 0) {
    const auto span = 2 * static_cast<std::uint64_t>(augmentation.max_shift) + 1;
    draw.down = static_cast<int>(rng.below(span)) - augmentation.max_shift;
    draw.right = static_cast<int>(rng.below(span)) - augmentation.max_shift;
  }
  if (augmentation.horizontal_flip) draw.flip = rng.below(2) == 1;
  return draw;
}

namespace augmentation_detail {

// plane(r, c) ← plane(r − down, c − right), `fill` where that falls outside, in place: rows are
// visited against the shift's direction, so each pixel is read before it is written over.
template <class T>
void shift_plane(T* plane, int rows, int cols, int down, int right, T fill) {
  for (int step = 0; step < rows; ++step) {
    const int r = down > 0 ? rows - 1 - step : step;
    const int from_row = r - down;
    T* target = plane + static_cast<Index>(r) * cols;
    if (from_row < 0 || from_row >= rows) {
      std::fill(target, target + cols, fill);
      continue;
    }
    const T* source = plane + static_cast<Index>(from_row) * cols;
    for (int count = 0; count < cols; ++count) {
      const int c = right > 0 ? cols - 1 - count : count;
      const int from_col = c - right;
      target[c] = from_col >= 0 && from_col < cols ? source[from_col] : fill;
    }
  }
}

}  // namespace augmentation_detail

// Applies `draw` to one image of `shape` (CHW) in place; `fill` is the background's value.
template <class T>
void apply_augmentation(const AugmentationDraw& draw, T* image, Shape shape, T fill) {
  const Index plane_size = static_cast<Index>(shape.height) * shape.width;
  for (int channel = 0; channel < shape.channels; ++channel) {
    T* plane = image + channel * plane_size;
    if (draw.down != 0 || draw.right != 0)
      augmentation_detail::shift_plane(plane, shape.height, shape.width, draw.down, draw.right, fill);
    if (draw.flip) {
      for (int r = 0; r < shape.height; ++r) std::reverse(plane + r * shape.width, plane + (r + 1) * shape.width);
    }
  }
}

}  // namespace jiggle
