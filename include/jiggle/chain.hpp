#pragma once
// Chain<Layers...>: forward left to right, backward right to left. A Chain is itself a Layer,
// so chains nest. Each layer keeps its own output; the Chain remembers where each layer's input
// lives (the previous layer's output) so that backward can hand every layer its input again.
#include <array>
#include <concepts>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "jiggle/error.hpp"
#include "jiggle/init.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/random.hpp"
#include "jiggle/shape.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

namespace chain_detail {

// Instantiated only when two neighbours disagree, so the compiler's message names both shapes:
// "ShapesAgree<Shape{512, 1, 1}, Shape{256, 1, 1}>" reads "the previous layer gives 512×1×1,
// the next one takes 256×1×1".
template <Shape PreviousOutput, Shape NextInput>
struct ShapesAgree {
  static_assert(accepts(NextInput, PreviousOutput),
                "Chain: a layer's output shape differs from the next layer's input shape; "
                "see ShapesAgree<previous output, next input> in the line above");
  static constexpr bool value = true;
};

template <Shape PreviousOutput, Shape NextInput>
constexpr bool shapes_agree() {
  if constexpr (accepts(NextInput, PreviousOutput))
    return true;
  else
    return ShapesAgree<PreviousOutput, NextInput>::value;
}

// The shape flowing out of a run of layers, given the shape flowing in.
template <Shape Incoming, class... Layers>
struct Flow {
  static constexpr Shape value = Incoming;
};

template <Shape Incoming, class First, class... Rest>
struct Flow<Incoming, First, Rest...> {
  static_assert(shapes_agree<Incoming, First::input_shape>());
  static constexpr Shape entering = resolve(Incoming, First::input_shape);
  static constexpr Shape leaving = resolve(First::output_shape, entering);
  static constexpr Shape value = Flow<leaving, Rest...>::value;
};

// True once the shapes have flowed through every layer. Chain asserts it in its body because
// clang instantiates a static member's initializer only where something reads it: without it, a
// chain whose shapes disagree would compile under clang as long as nothing read its output_shape.
template <Shape Incoming, class... Layers>
inline constexpr bool kShapesFlow = (static_cast<void>(Flow<Incoming, Layers...>::value), true);

// The shape a chain takes in: what its first layer takes, narrowed by the layers after it for as
// long as the layers keep the shape (ReLU, then Dense<5, 3>, takes 5×1×1).
template <class... Layers>
constexpr Shape input_shape() {
  Shape taken = kAnyShape;
  bool keeps_shape = true;
  (
      [&] {
        if (!keeps_shape) return;
        taken = resolve(taken, Layers::input_shape);
        keeps_shape = Layers::input_shape == Layers::output_shape;
      }(),
      ...);
  return taken;
}

}  // namespace chain_detail

template <Layer... Layers>
class Chain {
  static_assert(sizeof...(Layers) > 0, "a Chain needs at least one layer");
  using First = std::tuple_element_t<0, std::tuple<Layers...>>;
  static constexpr std::size_t kCount = sizeof...(Layers);
  static constexpr std::size_t kLast = kCount - 1;
  // Each layer's position in the equivalent nn.Sequential, which names its tensors.
  static constexpr std::array<int, kCount> kPositions = [] {
    std::array<int, kCount> positions{};
    int next = 0;
    std::size_t index = 0;
    ((positions[index++] = next, next += sequential_modules<Layers>()), ...);
    return positions;
  }();

 public:
  using Scalar = typename First::Scalar;
  static_assert((std::same_as<typename Layers::Scalar, Scalar> && ...),
                "every layer of a Chain must use the same scalar type");
  static constexpr Shape input_shape = chain_detail::input_shape<Layers...>();
  static constexpr Shape output_shape = chain_detail::Flow<input_shape, Layers...>::value;
  static_assert(chain_detail::kShapesFlow<input_shape, Layers...>);

  // Each layer that draws initial parameters draws them from rng, left to right, by its own
  // default scheme or by `init` for every layer that takes one.
  explicit Chain(Rng& rng) : layers_{make_layer<Layers>(rng)...} {}
  Chain(Rng& rng, Init init) : layers_{make_layer<Layers>(rng, init)...} {}
  // Every layer without drawing: parameters 0, for values about to be loaded.
  explicit Chain(WithoutDrawing tag) : layers_{make_layer<Layers>(tag)...} {}
  explicit Chain(Layers... layers) : layers_{std::move(layers)...} {}

  const Matrix<Scalar>& forward(const Matrix<Scalar>& X) {
    const Matrix<Scalar>& Y = forward_from<0>(X);
    last_forward_.ran = true;
    return Y;
  }

  // Right to left; every layer but the first asks its predecessor for dX.
  const Matrix<Scalar>& backward(const Matrix<Scalar>& X, const Matrix<Scalar>& dY,
                                 const GradientTarget<Scalar>& target) {
    if (!last_forward_.ran) throw Error("Chain: backward before any forward");
    return backward_from<kLast>(X, dY, target);
  }

  template <class Visitor>
  void visit_parameters(Visitor&& visit, const ParameterPath& path) {
    for_each_layer([&]<std::size_t I>(auto& layer) {
      if constexpr (HasParameters<std::remove_reference_t<decltype(layer)>>)
        layer.visit_parameters(visit, path.with_position(kPositions[I]));
    });
  }

  template <class Visitor>
  void visit_buffers(Visitor&& visit, const ParameterPath& path) {
    for_each_layer([&]<std::size_t I>(auto& layer) {
      if constexpr (HasBuffers<std::remove_reference_t<decltype(layer)>>)
        layer.visit_buffers(visit, path.with_position(kPositions[I]));
    });
  }

  void set_mode(Mode mode) {
    for_each_layer([&]<std::size_t I>(auto& layer) { jiggle::set_mode(layer, mode); });
  }

  void set_precision(Precision precision) {
    for_each_layer([&]<std::size_t I>(auto& layer) { jiggle::set_precision(layer, precision); });
  }

  void set_process_group(const ProcessGroup* group) {
    for_each_layer([&]<std::size_t I>(auto& layer) { jiggle::set_process_group(layer, group); });
  }

  template <std::size_t I>
  auto& layer() {
    return std::get<I>(layers_);
  }
  template <std::size_t I>
  const auto& layer() const {
    return std::get<I>(layers_);
  }

 private:
  template <std::size_t I>
  const Matrix<Scalar>& forward_from(const Matrix<Scalar>& X) {
    const Matrix<Scalar>& Y = std::get<I>(layers_).forward(X);
    if constexpr (I == kLast) {
      return Y;
    } else {
      // A layer that hands its input on as its output (Flatten) leaves the next layer's input
      // where its own was.
      last_forward_.inputs[I + 1] = &Y == &X ? last_forward_.inputs[I] : &Y;
      return forward_from<I + 1>(Y);
    }
  }

  template <std::size_t I>
  const Matrix<Scalar>& backward_from(const Matrix<Scalar>& X, const Matrix<Scalar>& dY,
                                      const GradientTarget<Scalar>& target) {
    auto& layer = std::get<I>(layers_);
    if constexpr (I == 0) {
      return layer.backward(X, dY, target);
    } else {
      GradientTarget<Scalar> inner = target;
      inner.input_gradient = true;
      const Matrix<Scalar>* input = last_forward_.inputs[I];
      return backward_from<I - 1>(X, layer.backward(input ? *input : X, dY, inner), target);
    }
  }

  template <class Function>
  void for_each_layer(Function&& function) {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (function.template operator()<I>(std::get<I>(layers_)), ...); }
    (std::index_sequence_for<Layers...>{});
  }

  // Where each layer's input of the last forward lives: the previous layer's output, which that
  // layer owns, or null for the Chain's own input, which backward is handed again (the caller's
  // matrix may be a temporary gone by then). A copy of the chain starts with none, since the
  // addresses belong to the original.
  struct LastForward {
    std::array<const Matrix<Scalar>*, kCount> inputs{};
    bool ran = false;
    LastForward() = default;
    LastForward(const LastForward&) {}
    LastForward& operator=(const LastForward&) {
      inputs = {};
      ran = false;
      return *this;
    }
  };

  std::tuple<Layers...> layers_;
  LastForward last_forward_;
};

}  // namespace jiggle
