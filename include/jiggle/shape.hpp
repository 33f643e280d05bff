#pragma once
// Shapes, at two levels.
//
// Shape: what one sample looks like, channels × height × width, fixed at compile time so that a
// Chain whose neighbours disagree does not compile. A batch stores each sample as one column in
// CHW order, which is exactly PyTorch's flatten of NCHW; a vector of n features is n×1×1. A
// component may be kAny: ReLU accepts any shape, BatchNorm<32> any 32-channel image.
//
// TensorShape: the logical shape of a parameter or buffer (rank 1 to 4), in PyTorch's layout:
// Linear [Out, In], Conv2d [Cout, Cin, K, K], a bias [Out]. In memory it is a column-major
// matrix of dims[0] rows and one column per remaining index, so the file's row-major order is
// that matrix's transpose; a rank-1 tensor is one column.
#include <array>
#include <concepts>
#include <cstddef>
#include <initializer_list>
#include <ranges>
#include <string>
#include <utility>

#include "jiggle/error.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

inline constexpr int kAny = -1;

struct Shape {
  int channels = 1;
  int height = 1;
  int width = 1;

  constexpr int size() const { return channels * height * width; }
  constexpr bool fixed() const { return channels != kAny && height != kAny && width != kAny; }
  constexpr bool operator==(const Shape&) const = default;
};

inline constexpr Shape kAnyShape{kAny, kAny, kAny};

constexpr Shape vector_shape(int features) { return Shape{features, 1, 1}; }

// Whether a sample of shape `actual` may enter a layer declared to take `declared`.
constexpr bool accepts(Shape declared, Shape actual) {
  auto agree = [](int a, int b) { return a == kAny || b == kAny || a == b; };
  return agree(declared.channels, actual.channels) && agree(declared.height, actual.height) &&
         agree(declared.width, actual.width);
}

// A declared shape with its kAny components taken from `incoming`: the shape that flows on.
constexpr Shape resolve(Shape declared, Shape incoming) {
  return Shape{declared.channels == kAny ? incoming.channels : declared.channels,
               declared.height == kAny ? incoming.height : declared.height,
               declared.width == kAny ? incoming.width : declared.width};
}

inline std::string to_string(Shape shape) {
  auto part = [](int n) { return n == kAny ? std::string("*") : std::to_string(n); };
  return part(shape.channels) + "×" + part(shape.height) + "×" + part(shape.width);
}

class TensorShape {
 public:
  static constexpr std::size_t kMaxRank = 4;

  TensorShape(std::initializer_list<Index> dims) : rank_(dims.size()) {
    if (rank_ == 0 || rank_ > kMaxRank) throw Error("a tensor has rank 1 to 4, not " + std::to_string(rank_));
    std::size_t axis = 0;
    for (const Index d : dims) {
      if (d <= 0) throw Error("a tensor dimension must be positive, got " + std::to_string(d));
      dims_[axis++] = d;
    }
  }

  std::size_t rank() const { return rank_; }
  Index operator[](std::size_t axis) const { return dims_[axis]; }
  Index size() const { return matrix_rows() * matrix_cols(); }

  // The column-major matrix that holds the tensor in memory.
  Index matrix_rows() const { return dims_[0]; }
  Index matrix_cols() const {
    Index cols = 1;
    for (std::size_t axis = 1; axis < rank_; ++axis) cols *= dims_[axis];
    return cols;
  }

  bool operator==(const TensorShape& other) const { return rank_ == other.rank_ && dims_ == other.dims_; }

  // Equal to a plain list of sizes, as PyTorch gives a shape: shape == std::vector<long>{512, 784}.
  template <std::ranges::input_range Sizes>
  requires std::integral<std::ranges::range_value_t<Sizes>>
  bool operator==(const Sizes& sizes) const {
    std::size_t axis = 0;
    for (const auto size : sizes) {
      if (axis == rank_ || std::cmp_not_equal(dims_[axis], size)) return false;
      ++axis;
    }
    return axis == rank_;
  }

  // "[512, 784]", as PyTorch and safetensors print shapes.
  std::string to_string() const {
    std::string text = "[";
    for (std::size_t axis = 0; axis < rank_; ++axis) text += (axis ? ", " : "") + std::to_string(dims_[axis]);
    return text + "]";
  }

 private:
  std::array<Index, kMaxRank> dims_{1, 1, 1, 1};
  std::size_t rank_;
};

}  // namespace jiggle
