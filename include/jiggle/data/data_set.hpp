#pragma once
// What jiggle asks of a data set, so that batches (data/batches.hpp) can order, shard, augment and
// gather any of them the same way: its size, the shape of one sample, the kind of its targets,
// and gathering given samples into a batch of any scalar type.
//
// A data set D has
// - `D::Targets`: ClassLabels (one class index per sample) or RealTargets (target_size() reals
//   per sample, for regression);
// - `size()`, the number of samples, and `sample_shape()`, each sample's channels × height × width;
// - `require_consistent()`, which throws a jiggle::Error unless the data set's own sizes agree: a
//   caller may have filled it by hand, and nothing is read before it has said yes;
// - `gather<T>(samples, inputs, targets)`, which writes sample samples[i] into column i of
//   `inputs` (already sample_shape().size() × samples.size()) and its targets into `targets`
//   (already sized: samples.size() labels, or target_size() × samples.size()). It may run in
//   parallel; it must not allocate, since it runs inside every training step.
// - optionally `background<T>()`, the value of an empty pixel, which a shift brings into an image
//   (0 if the data set does not say).
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "jiggle/shape.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// One class index per sample, batched as the int32 labels the classification losses take.
struct ClassLabels {
  template <class T>
  using Batch = std::vector<std::int32_t>;
};

// target_size() real values per sample, batched one sample per column as the regression losses
// take them.
struct RealTargets {
  template <class T>
  using Batch = Matrix<T>;
};

template <class D, class T>
using BatchTargetsOf = typename D::Targets::template Batch<T>;

template <class D>
concept DataSet = (std::same_as<typename D::Targets, ClassLabels> || (std::same_as<typename D::Targets, RealTargets> &&
                                                                      requires(const D& data) {
                                                                        {
                                                                          data.target_size()
                                                                          } -> std::convertible_to<Index>;
                                                                      })) &&
                  requires(const D& data, std::span<const std::uint32_t> samples, Matrix<float>& inputs,
                           BatchTargetsOf<D, float>& targets) {
  { data.size() } -> std::convertible_to<std::size_t>;
  { data.sample_shape() } -> std::same_as<Shape>;
  data.require_consistent();
  data.gather(samples, inputs, targets);
};

// The value a shift brings into an image of `data`.
template <class T, DataSet D>
T background_of(const D& data) {
  if constexpr (requires { data.template background<T>(); }) {
    return data.template background<T>();
  } else {
    return T{0};
  }
}

}  // namespace jiggle
