#pragma once
// What the data-parallel tests train, on a group of threads (tests/distributed/data_parallel_test.cpp)
// and on MPI (tests/distributed/mpi_test.cpp): small models for 20 steps of batch 128, alone or as
// one process of a group taking its shard of every batch.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "jiggle/chain.hpp"
#include "jiggle/data/batches.hpp"
#include "jiggle/distributed/data_parallel.hpp"
#include "jiggle/layers/batch_norm.hpp"
#include "jiggle/layers/conv2d.hpp"
#include "jiggle/layers/dense.hpp"
#include "jiggle/layers/flatten.hpp"
#include "jiggle/layers/max_pool2d.hpp"
#include "jiggle/layers/relu.hpp"
#include "jiggle/losses/softmax_cross_entropy.hpp"
#include "jiggle/optim/adam.hpp"
#include "jiggle/optim/sgd.hpp"
#include "jiggle/random.hpp"
#include "jiggle/train/train_epoch.hpp"
#include "support/learnable_images.hpp"

namespace test_support {

using SmallMlp = jiggle::Chain<jiggle::Dense<64, 24>, jiggle::ReLU<>, jiggle::Dense<24, 10>>;
using SmallCnnBn = jiggle::Chain<jiggle::Conv2D<jiggle::Shape{1, 8, 8}, 4, 3, 1, jiggle::Padding::same>,
                                 jiggle::BatchNormReLU<4>, jiggle::MaxPool2D<jiggle::Shape{4, 8, 8}, 2, 2>,
                                 jiggle::Flatten<jiggle::Shape{4, 4, 4}>, jiggle::Dense<64, 10>>;

// `count` learnable 8×8 images.
inline jiggle::LabelledImages small_images(std::size_t count) { return learnable_images(count, 8, 17); }

enum class Recipe { plain_sgd, momentum, adam };

inline constexpr double kAdamRate = 1e-3;

inline std::string to_string(Recipe recipe) {
  return recipe == Recipe::plain_sgd ? "plain SGD" : recipe == Recipe::momentum ? "SGD with momentum" : "Adam";
}

// Every parameter and buffer of `model` by name, in visiting order.
using NamedValues = std::vector<std::pair<std::string, std::vector<float>>>;
template <class Model>
NamedValues values_of(Model& model) {
  NamedValues values;
  jiggle::visit_parameters(model, [&](jiggle::Parameter<float>& p) {
    values.emplace_back(p.path.to_string(), std::vector<float>(p.value.data(), p.value.data() + p.value.size()));
  });
  jiggle::visit_buffers(model, [&](jiggle::Buffer<float>& b) {
    values.emplace_back(b.path.to_string(), std::vector<float>(b.value.data(), b.value.data() + b.value.size()));
  });
  return values;
}

// A model trained for 20 steps of batch 128 (shuffled, with shifts of a pixel), from a model
// drawn from `seed`. With a group, this process takes its shard of each batch, after starting
// from process 0's model, drawn from a seed of its own (seed + rank) to show the broadcast works.
template <class Model>
NamedValues train_twenty_steps(Recipe recipe, const jiggle::ProcessGroup* group, std::uint64_t seed = 3) {
  const jiggle::LabelledImages data = small_images(20 * 128);
  jiggle::Rng rng(seed + static_cast<std::uint64_t>(group ? group->rank() : 0));
  Model model(rng);
  jiggle::Batches<float> batches(data, 128, jiggle::Order::shuffled, 5);
  batches.set_augmentation({.max_shift = 1});
  if (group) {
    batches.set_shard(group->rank(), group->size());
    jiggle::set_process_group(model, group);
    jiggle::broadcast_parameters(model, *group);
  }
  jiggle::SoftmaxCrossEntropy<float> loss;
  const auto train = [&](auto inner) {
    jiggle::DataParallel optimizer(std::move(inner), group);
    jiggle::train_epoch(model, loss, optimizer, batches);
  };
  switch (recipe) {
    case Recipe::plain_sgd: train(jiggle::Sgd<float>(0.1)); break;
    case Recipe::momentum: train(jiggle::Sgd<float>({.learning_rate = 0.05, .momentum = 0.9})); break;
    case Recipe::adam: train(jiggle::Adam<float>({.learning_rate = kAdamRate})); break;
  }
  return values_of(model);
}

// Where a data-parallel run may differ from one process's: by float rounding, the sums of the
// products and of batch norm's statistics being taken in another order, a few units in the last
// place a step that 20 steps compound: 1e-5 of the tensor's largest value. Adam is the exception
// where a gradient is zero but for rounding, as the gradient of a convolution's bias ahead of
// batch norm, whose normalisation takes the bias out: Adam steps each coordinate by up to its
// learning rate whatever the gradient's size, so there each run follows its own rounding, by up
// to 2·lr a step apart; the running mean holds the same bias. Returns what differs by more.
inline std::vector<std::string> differences(const NamedValues& run, const NamedValues& alone, Recipe recipe) {
  std::vector<std::string> found;
  if (run.size() != alone.size()) return {"the models hold different tensors"};
  bool has_batch_norm = false;  // the convolution ahead of it is layer 0
  for (const auto& tensor : run) has_batch_norm = has_batch_norm || tensor.first == "layers.1.running_mean";
  for (std::size_t t = 0; t < run.size(); ++t) {
    const auto& [name, values] = run[t];
    const std::vector<float>& expected = alone[t].second;
    double largest = 0.0, difference = 0.0;
    for (std::size_t i = 0; i < values.size() && i < expected.size(); ++i) {
      largest = std::max(largest, std::abs(static_cast<double>(expected[i])));
      difference = std::max(difference, std::abs(static_cast<double>(values[i]) - static_cast<double>(expected[i])));
    }
    const bool rounding_only =
        recipe == Recipe::adam && has_batch_norm && (name == "layers.0.bias" || name == "layers.1.running_mean");
    const double allowed = rounding_only ? 2.0 * kAdamRate * 20 : 1e-5 * largest;
    if (values.size() != expected.size() || !(difference <= allowed))
      found.push_back(name + " differs by " + std::to_string(difference) + ", more than " + std::to_string(allowed));
  }
  return found;
}

}  // namespace test_support
