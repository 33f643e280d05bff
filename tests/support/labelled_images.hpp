#pragma once
// Small grey-level image sets written out by rule: each test says what image i's pixel p and
// label are, and this lays them out as a reader would.
#include <cstddef>
#include <cstdint>

#include "jiggle/data/labelled_images.hpp"

namespace test_support {

// `count` images of rows × cols pixels: image i has label(i) and, at pixel p, pixel(i, p). Both
// are called in image order, the label before the pixels.
template <class Pixel, class Label>
jiggle::LabelledImages images_by_rule(std::size_t rows, std::size_t cols, std::size_t count, const Pixel& pixel,
                                      const Label& label) {
  jiggle::LabelledImages data;
  data.rows = rows;
  data.cols = cols;
  for (std::size_t i = 0; i < count; ++i) {
    data.labels.push_back(static_cast<std::uint8_t>(label(i)));
    for (std::size_t p = 0; p < rows * cols; ++p) data.pixels.push_back(static_cast<std::uint8_t>(pixel(i, p)));
  }
  return data;
}

}  // namespace test_support
