#pragma once
// Batch norm's running statistics made the current weights' own. A model evaluates with running
// averages gathered while it trained, each batch's statistics from weights one step older than
// the next's. At a large step the last batches' statistics belong to weights that have moved on,
// and the test accuracy can swing by points from one epoch to the next (cnn-lite-bn-sgd's, at
// SGD 0.1 with momentum 0.9, in docs/ablation.md).
//
// Each training-mode forward moves every running average toward its batch's statistics by
// PyTorch's momentum, 0.1: after n batches what was there before weighs 0.9ⁿ (50 batches:
// 0.5 %).
#include <algorithm>

#include "jiggle/data/batches.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// Forwards the first `count` batches of `batches` (every one, if it has fewer) in training mode,
// steps nothing, and leaves the model in evaluation mode.
template <Layer Model, class T, class Data>
void refresh_running_statistics(Model& model, Batches<T, Data>& batches, Index count) {
  set_mode(model, Mode::training);
  const Index forwarded = std::min(count, batches.count());
  for (Index b = 0; b < forwarded; ++b) model.forward(batches.batch(b).inputs);
  set_mode(model, Mode::evaluation);
}

}  // namespace jiggle
