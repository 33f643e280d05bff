#pragma once
// Chain<Layers...>: forward left to right, backward right to left. A Chain is itself a Layer,
// so chains nest. Each layer keeps its own output; the Chain only passes references along.
#include <array>
#include <concepts>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "jiggle/layer.hpp"
#include "jiggle/random.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

namespace chain_detail {

// Instantiated only when two neighbours disagree, so the compiler's message names both sizes:
// "LayerSizesAgree<512, 256>" reads "the previous layer gives 512, the next one expects 256".
template <int PreviousOutput, int NextInput>
struct LayerSizesAgree {
  static_assert(PreviousOutput == NextInput,
                "Chain: a layer's output size differs from the next layer's input size; "
                "see LayerSizesAgree<previous output, next input> in the line above");
  static constexpr bool value = true;
};

template <int PreviousOutput, int NextInput>
constexpr bool sizes_agree() {
  if constexpr (PreviousOutput == kAnySize || NextInput == kAnySize)
    return true;
  else
    return LayerSizesAgree<PreviousOutput, NextInput>::value;
}

// The size flowing out of a run of layers, given the size flowing in; kAnySize layers pass it on.
template <int Incoming, class... Layers>
struct FlowingSize {
  static constexpr int value = Incoming;
};

template <int Incoming, class First, class... Rest>
struct FlowingSize<Incoming, First, Rest...> {
  static_assert(sizes_agree<Incoming, First::input_size>());
  static constexpr int entering = First::input_size == kAnySize ? Incoming : First::input_size;
  static constexpr int leaving = First::output_size == kAnySize ? entering : First::output_size;
  static constexpr int value = FlowingSize<leaving, Rest...>::value;
};

// The size a chain takes in: the first fixed input size, unless a layer that accepts any size
// but fixes its output comes before it.
template <class... Layers>
constexpr int input_size() {
  constexpr std::array<int, sizeof...(Layers)> inputs{Layers::input_size...};
  constexpr std::array<int, sizeof...(Layers)> outputs{Layers::output_size...};
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i] != kAnySize) return inputs[i];
    if (outputs[i] != kAnySize) return kAnySize;
  }
  return kAnySize;
}

template <class L>
L make_layer(Rng& rng) {
  if constexpr (std::constructible_from<L, Rng&>)
    return L(rng);
  else
    return L();
}

}  // namespace chain_detail

template <Layer... Layers>
class Chain {
  static_assert(sizeof...(Layers) > 0, "a Chain needs at least one layer");
  using First = std::tuple_element_t<0, std::tuple<Layers...>>;
  static constexpr std::size_t kLast = sizeof...(Layers) - 1;

 public:
  using Scalar = typename First::Scalar;
  static_assert((std::same_as<typename Layers::Scalar, Scalar> && ...),
                "every layer of a Chain must use the same scalar type");
  static constexpr int input_size = chain_detail::input_size<Layers...>();
  static constexpr int output_size = chain_detail::FlowingSize<kAnySize, Layers...>::value;
  // Checked when the Chain type is instantiated, not only when output_size is first read.
  static_assert(output_size == kAnySize || output_size > 0);
  static constexpr bool kEveryLayerFusesSgd = ((HasFusedSgd<Layers> || !HasParameters<Layers>)&&...);
  static constexpr Index parameter_count() { return (Index{0} + ... + Layers::parameter_count()); }

  // Each layer that takes a generator draws its initial parameters from rng, left to right.
  explicit Chain(Rng& rng) : layers_{chain_detail::make_layer<Layers>(rng)...} {}
  explicit Chain(Layers... layers) : layers_{std::move(layers)...} {}

  const Matrix<Scalar>& forward(const Matrix<Scalar>& X) { return forward_from<0>(X); }

  const Matrix<Scalar>& backward(const Matrix<Scalar>& dY) { return backward_from<kLast>(dY); }

  // As backward, but the first layer computes no dX: nobody reads the gradient of the data.
  void backward_parameters(const Matrix<Scalar>& dY) { backward_parameters_from<kLast>(dY); }

  // Backward with the plain-SGD step fused in (Dense::backward_sgd). Offered only when every
  // layer with parameters has a fused step. Returns dX.
  const Matrix<Scalar>& backward_sgd(const Matrix<Scalar>& dY, Scalar learning_rate) requires kEveryLayerFusesSgd {
    return backward_sgd_from<kLast, true>(dY, learning_rate);
  }
  void sgd_parameters(const Matrix<Scalar>& dY, Scalar learning_rate) requires kEveryLayerFusesSgd {
    backward_sgd_from<kLast, false>(dY, learning_rate);
  }

  template <class Visitor>
  void visit_parameters(Visitor&& visit, const ParameterPath& path) {
    visit_from<0>(visit, path);
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
    if constexpr (I == kLast)
      return Y;
    else
      return forward_from<I + 1>(Y);
  }

  template <std::size_t I>
  const Matrix<Scalar>& backward_from(const Matrix<Scalar>& dY) {
    const Matrix<Scalar>& dX = std::get<I>(layers_).backward(dY);
    if constexpr (I == 0)
      return dX;
    else
      return backward_from<I - 1>(dX);
  }

  template <std::size_t I>
  void backward_parameters_from(const Matrix<Scalar>& dY) {
    using L = std::tuple_element_t<I, std::tuple<Layers...>>;
    auto& layer = std::get<I>(layers_);
    if constexpr (I > 0)
      backward_parameters_from<I - 1>(layer.backward(dY));
    else if constexpr (HasParameterOnlyBackward<L>)
      layer.backward_parameters(dY);
    else if constexpr (HasParameters<L>)
      layer.backward(dY);
  }

  template <std::size_t I, bool WantInputGradient>
  const Matrix<Scalar>& backward_sgd_from(const Matrix<Scalar>& dY, Scalar learning_rate) {
    using L = std::tuple_element_t<I, std::tuple<Layers...>>;
    auto& layer = std::get<I>(layers_);
    if constexpr (I > 0 || WantInputGradient) {
      const Matrix<Scalar>* dX = nullptr;
      if constexpr (HasFusedSgd<L>)
        dX = &layer.backward_sgd(dY, learning_rate);
      else
        dX = &layer.backward(dY);
      if constexpr (I == 0)
        return *dX;
      else
        return backward_sgd_from<I - 1, WantInputGradient>(*dX, learning_rate);
    } else {
      if constexpr (HasFusedSgd<L>) layer.sgd_parameters(dY, learning_rate);
      return dY;  // unused: the first layer's dX is not wanted
    }
  }

  template <std::size_t I, class Visitor>
  void visit_from(Visitor& visit, const ParameterPath& path) {
    using L = std::tuple_element_t<I, std::tuple<Layers...>>;
    if constexpr (HasParameters<L>)
      std::get<I>(layers_).visit_parameters(visit, path.with_position(static_cast<int>(I)));
    if constexpr (I < kLast) visit_from<I + 1>(visit, path);
  }

  std::tuple<Layers...> layers_;
};

}  // namespace jiggle
