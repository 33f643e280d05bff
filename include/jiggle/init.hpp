#pragma once
// Weight initialisation schemes for a layer with fan_in inputs and fan_out outputs.
#include <cmath>
#include <concepts>
#include <string_view>

#include "jiggle/error.hpp"
#include "jiggle/random.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// Asks a layer for parameters it does not draw: all zero, for values about to be overwritten (a
// checkpoint loaded, PyTorch's weights copied in). `MnistMlp<> model(jiggle::without_drawing);`
struct WithoutDrawing {};
inline constexpr WithoutDrawing without_drawing{};

enum class Init {
  he_normal,          // W ~ N(0, 2/fan_in), b = 0: keeps activations' scale through ReLUs
  he_uniform,         // W ~ U(±sqrt(6/fan_in)), b = 0: same variance as he_normal
  he_three_uniforms,  // W = 2s(u₁ + u₂ + u₃), u ~ U(±½), s = sqrt(2/fan_in), b = 0: he_normal's variance,
                      // bounded at ±3s; how the book's reference framework draws its weights
  glorot_uniform,     // W ~ U(±sqrt(6/(fan_in + fan_out))), b = 0
  glorot_normal,      // W ~ N(0, 2/(fan_in + fan_out)), b = 0
  torch_default,      // W, b ~ U(±1/sqrt(fan_in)): PyTorch's nn.Linear default
};

inline Init parse_init(std::string_view name) {
  if (name == "he-normal") return Init::he_normal;
  if (name == "he-uniform") return Init::he_uniform;
  if (name == "he-three-uniforms") return Init::he_three_uniforms;
  if (name == "glorot-uniform") return Init::glorot_uniform;
  if (name == "glorot-normal") return Init::glorot_normal;
  if (name == "torch-default") return Init::torch_default;
  throw Error("unknown initialisation '" + std::string(name) +
              "' (he-normal, he-uniform, he-three-uniforms, glorot-uniform, glorot-normal, torch-default)");
}

inline std::string_view to_string(Init init) {
  switch (init) {
    case Init::he_normal: return "he-normal";
    case Init::he_uniform: return "he-uniform";
    case Init::he_three_uniforms: return "he-three-uniforms";
    case Init::glorot_uniform: return "glorot-uniform";
    case Init::glorot_normal: return "glorot-normal";
    case Init::torch_default: return "torch-default";
  }
  return "?";
}

// Fills W (fan_out × fan_in) and b (fan_out) in column-major order from rng.
template <class T>
void initialize(Init init, Matrix<T>& W, Vector<T>& b, Rng& rng) {
  const auto fan_in = static_cast<double>(W.cols());
  const auto fan_out = static_cast<double>(W.rows());
  auto fill_uniform = [&](auto& tensor, double limit) {
    for (Index i = 0; i < tensor.size(); ++i) tensor.data()[i] = static_cast<T>(rng.uniform(-limit, limit));
  };
  auto fill_normal = [&](auto& tensor, double deviation) {
    for (Index i = 0; i < tensor.size(); ++i) tensor.data()[i] = static_cast<T>(deviation * rng.normal());
  };
  // Three uniforms on ±½ sum to variance ¼, so twice their sum has the deviation asked for.
  auto fill_three_uniforms = [&](auto& tensor, double deviation) {
    for (Index i = 0; i < tensor.size(); ++i) {
      const double sum = rng.uniform(-0.5, 0.5) + rng.uniform(-0.5, 0.5) + rng.uniform(-0.5, 0.5);
      tensor.data()[i] = static_cast<T>(2.0 * deviation * sum);
    }
  };
  b.setZero();
  switch (init) {
    case Init::he_normal: fill_normal(W, std::sqrt(2.0 / fan_in)); break;
    case Init::he_uniform: fill_uniform(W, std::sqrt(6.0 / fan_in)); break;
    case Init::he_three_uniforms: fill_three_uniforms(W, std::sqrt(2.0 / fan_in)); break;
    case Init::glorot_uniform: fill_uniform(W, std::sqrt(6.0 / (fan_in + fan_out))); break;
    case Init::glorot_normal: fill_normal(W, std::sqrt(2.0 / (fan_in + fan_out))); break;
    case Init::torch_default:
      fill_uniform(W, 1.0 / std::sqrt(fan_in));
      fill_uniform(b, 1.0 / std::sqrt(fan_in));
      break;
  }
}

// A layer built from what it accepts, for layers that hold layers (Chain, Residual): (rng, init),
// (rng), without_drawing, or nothing, whichever the layer L has.
template <class L>
L make_layer(Rng& rng, Init init) {
  if constexpr (std::constructible_from<L, Rng&, Init>)
    return L(rng, init);
  else if constexpr (std::constructible_from<L, Rng&>)
    return L(rng);
  else
    return L();
}

template <class L>
L make_layer(Rng& rng) {
  if constexpr (std::constructible_from<L, Rng&>)
    return L(rng);
  else
    return L();
}

template <class L>
L make_layer(WithoutDrawing tag) {
  if constexpr (std::constructible_from<L, WithoutDrawing>)
    return L(tag);
  else
    return L();
}

}  // namespace jiggle
