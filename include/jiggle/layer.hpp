#pragma once
// The Layer protocol: what Chain, the optimisers, the training loop, the checkpoints and the
// gradient checker call on a layer, and nothing more.
//
// Required of every layer L:
//   L::Scalar                    float or double
//   L::input_shape, output_shape Shape of one sample (components may be kAny, see shape.hpp)
//   forward(X) -> const Y&       Y into the layer's own buffer. X: one sample per column.
//   backward(X, dY, target)      the VJP at the last forward, which ran on X: returns dX and
//     -> const dX&               writes each parameter gradient G as α·G + β·T into the tensor T
//                                that `target` names (see GradientTarget). The caller passes X
//                                again, so a layer never keeps a pointer to memory it does not own.
// Optional, each found by its concept below and reached through the free functions:
//   visit_parameters(visit, path)  each trainable tensor: path, logical shape, value, gradient
//   visit_buffers(visit, path)     each saved, never-stepped tensor (running statistics)
//   set_mode(Mode)                 training or evaluation
//   set_precision(Precision)       the precision of the layer's matrix products
//   set_process_group(const ProcessGroup*)  the processes sharing each batch, for a layer whose
//                                  statistics span the batch (nullptr: this process alone)
//   L::sequential_modules          how many of nn.Sequential's modules the layer stands for
//                                  (2 for batch norm fused with its ReLU; 1 when absent), so the
//                                  layers after it keep PyTorch's names
#include <array>
#include <concepts>
#include <cstddef>
#include <ranges>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jiggle/error.hpp"
#include "jiggle/gradient_target.hpp"
#include "jiggle/kernels/isa.hpp"
#include "jiggle/precision.hpp"
#include "jiggle/process_group.hpp"
#include "jiggle/shape.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

enum class Mode { training, evaluation };

// Where a tensor sits, e.g. "layers.2.weight", kept as its pieces until someone asks for the
// text: optimisers visit every parameter on every step and must not allocate to do so. A Chain
// names its layers by position, as PyTorch's nn.Sequential does ("layers.2."); a layer made of
// other layers names each part ("body.", "shortcut."). Names must outlive the path: string
// literals, as a layer's own names are.
class ParameterPath {
 public:
  static constexpr std::size_t kMaxDepth = 8;

  // The path of the layer at `position` of a Chain: "layers.<position>.".
  ParameterPath with_position(int position) const { return with_segment({"layers", position}); }

  // The path of a part called `name` of a layer: "<name>.".
  ParameterPath with_name(std::string_view name) const { return with_segment({name, kNoPosition}); }

  ParameterPath with_leaf(std::string_view leaf) const {
    ParameterPath named = *this;
    named.leaf_ = leaf;
    return named;
  }

  std::string to_string() const {
    std::string text;
    for (std::size_t level = 0; level < depth_; ++level) {
      text += segments_[level].name;
      text += '.';
      if (segments_[level].position != kNoPosition) {
        text += std::to_string(segments_[level].position);
        text += '.';
      }
    }
    text += leaf_;
    return text;
  }

 private:
  static constexpr int kNoPosition = -1;
  struct Segment {
    std::string_view name;
    int position = kNoPosition;
  };

  ParameterPath with_segment(Segment segment) const {
    if (depth_ == kMaxDepth) throw Error("jiggle: layers nested deeper than 8 levels");
    ParameterPath child = *this;
    child.segments_[child.depth_++] = segment;
    return child;
  }

  std::array<Segment, kMaxDepth> segments_{};
  std::size_t depth_ = 0;
  std::string_view leaf_;
};

namespace layer_detail {

// Out of line: every visit of every layer checks its tensors, and the message is built once.
[[noreturn, gnu::noinline, gnu::cold]] inline void throw_unfit_matrix(const ParameterPath& path,
                                                                      const TensorShape& shape, Index rows,
                                                                      Index cols) {
  throw Error(path.to_string() + ": a " + dimensions(rows, cols) + " matrix cannot hold a tensor of shape " +
              shape.to_string());
}

template <class T, class Tensor>
Eigen::Map<Matrix<T>> view(const ParameterPath& path, const TensorShape& shape, Tensor& tensor) {
  if (tensor.rows() != shape.matrix_rows() || tensor.cols() != shape.matrix_cols())
    throw_unfit_matrix(path, shape, tensor.rows(), tensor.cols());
  return Eigen::Map<Matrix<T>>(tensor.data(), tensor.rows(), tensor.cols());
}

}  // namespace layer_detail

// A trainable tensor and its gradient, both seen as the column-major matrix that holds them, so
// every visitor treats every parameter alike; `shape` is the logical shape files carry.
template <class T>
struct Parameter {
  Parameter(const ParameterPath& path_, const TensorShape& shape_, auto& value_, auto& gradient_)
      : path(path_),
        shape(shape_),
        value(layer_detail::view<T>(path_, shape_, value_)),
        gradient(layer_detail::view<T>(path_, shape_, gradient_)) {}

  ParameterPath path;
  TensorShape shape;
  Eigen::Map<Matrix<T>> value;
  Eigen::Map<Matrix<T>> gradient;
};

// A tensor a layer saves with its parameters but no optimiser steps: batch norm's running
// statistics.
template <class T>
struct Buffer {
  Buffer(const ParameterPath& path_, const TensorShape& shape_, auto& value_)
      : path(path_), shape(shape_), value(layer_detail::view<T>(path_, shape_, value_)) {}

  ParameterPath path;
  TensorShape shape;
  Eigen::Map<Matrix<T>> value;
};

// A parameter's or buffer's values in PyTorch's layout, row-major over its logical shape ([Out, In]
// for a Linear weight, [Cout, Cin, K, K] for a Conv2d weight), as a tensor's
// `.detach().numpy().ravel()` gives them. jiggle holds a tensor as the column-major matrix of its
// first dimension by the rest, so such data read through a plain map of that matrix would come
// out transposed; these two copy it the right way round.
template <class Tensor, std::ranges::contiguous_range Values>
void set_from_row_major(Tensor& tensor, const Values& values) {
  using From = std::ranges::range_value_t<Values>;
  using To = typename decltype(tensor.value)::Scalar;
  if (std::cmp_not_equal(std::ranges::size(values), tensor.value.size()))
    throw Error(tensor.path.to_string() + ": " + std::to_string(std::ranges::size(values)) +
                " values given for a tensor of shape " + tensor.shape.to_string() + ", which holds " +
                std::to_string(tensor.value.size()));
  tensor.value =
      Eigen::Map<const RowMajorMatrix<From>>(std::ranges::data(values), tensor.value.rows(), tensor.value.cols())
          .template cast<To>();
}

template <class Tensor>
auto row_major_values(const Tensor& tensor) {
  using T = typename decltype(tensor.value)::Scalar;
  std::vector<T> values(static_cast<std::size_t>(tensor.value.size()));
  Eigen::Map<RowMajorMatrix<T>>(values.data(), tensor.value.rows(), tensor.value.cols()) = tensor.value;
  return values;
}

template <class L>
concept Layer = std::floating_point<typename L::Scalar> &&
    requires(L layer, const Matrix<typename L::Scalar>& X, const GradientTarget<typename L::Scalar>& target) {
  { L::input_shape } -> std::convertible_to<Shape>;
  { L::output_shape } -> std::convertible_to<Shape>;
  { layer.forward(X) } -> std::same_as<const Matrix<typename L::Scalar>&>;
  { layer.backward(X, X, target) } -> std::same_as<const Matrix<typename L::Scalar>&>;
};

template <class L>
concept HasParameters = requires(L layer, const ParameterPath& path) {
  layer.visit_parameters([](Parameter<typename L::Scalar>&) {}, path);
};

template <class L>
concept HasBuffers = requires(L layer, const ParameterPath& path) {
  layer.visit_buffers([](Buffer<typename L::Scalar>&) {}, path);
};

template <class L>
concept HasModes = requires(L layer, Mode mode) {
  layer.set_mode(mode);
};

template <class L>
concept HasPrecision = requires(L layer, Precision precision) {
  layer.set_precision(precision);
};

template <class L>
concept HasProcessGroup = requires(L layer, const ProcessGroup* group) {
  layer.set_process_group(group);
};

template <class L>
constexpr int sequential_modules() {
  if constexpr (requires { L::sequential_modules; })
    return L::sequential_modules;
  else
    return 1;
}

template <Layer L, class Visitor>
void visit_parameters(L& layer, Visitor&& visit) {
  if constexpr (HasParameters<L>) layer.visit_parameters(visit, ParameterPath{});
}

template <Layer L, class Visitor>
void visit_buffers(L& layer, Visitor&& visit) {
  if constexpr (HasBuffers<L>) layer.visit_buffers(visit, ParameterPath{});
}

template <Layer L>
void set_mode(L& layer, Mode mode) {
  if constexpr (HasModes<L>) layer.set_mode(mode);
}

// Checked here, once, so a CPU that cannot run bf16 hears so before the first step.
template <Layer L>
void set_precision(L& layer, Precision precision) {
  require_supported(precision);
  if constexpr (HasPrecision<L>) layer.set_precision(precision);
}

// The processes that share each batch with this one (jiggle/distributed/), or nullptr for none;
// the group must outlive the layer's use of it.
template <Layer L>
void set_process_group(L& layer, const ProcessGroup* group) {
  if constexpr (HasProcessGroup<L>) layer.set_process_group(group);
}

template <Layer L>
Index parameter_count(L& layer) {
  Index count = 0;
  visit_parameters(layer, [&](const Parameter<typename L::Scalar>& p) { count += p.value.size(); });
  return count;
}

// What backward returns when no dX was asked for: an empty matrix, never a stale one.
template <class T>
const Matrix<T>& no_input_gradient() {
  static const Matrix<T> empty;
  return empty;
}

// The checks every layer makes of its arguments. `name()` builds the layer's name, and is called
// only on failure: a step must not allocate.
template <class Name>
void check_input_rows(const Name& name, Index rows, Index expected) {
  if (rows != expected)
    throw Error(name() + ": the input has " + std::to_string(rows) + " rows (values per sample), expected " +
                std::to_string(expected));
}

// Before a VJP reads anything: dY must have the shape of the last forward's output Y, and X the
// rows the layer takes and one column per sample of that forward, or the VJP would read past
// its buffers or pair the wrong samples.
template <class Name, class T>
void check_backward_arguments(const Name& name, const Matrix<T>& X, Index input_rows, const Matrix<T>& dY,
                              const Matrix<T>& Y) {
  if (Y.cols() == 0) throw Error(name() + ": backward before any forward");
  if (dY.rows() != Y.rows() || dY.cols() != Y.cols())
    throw Error(name() + ": the output gradient is " + dimensions(dY.rows(), dY.cols()) +
                ", but the last forward gave " + dimensions(Y.rows(), Y.cols()));
  if (X.rows() != input_rows || X.cols() != Y.cols())
    throw Error(name() + ": backward was given an input of " + dimensions(X.rows(), X.cols()) +
                ", but the last forward ran on " + dimensions(input_rows, Y.cols()));
}

}  // namespace jiggle
