#pragma once
// One pass over the training data: for each batch, forward, loss, and the optimiser's step
// around the backward.
#include <cmath>
#include <concepts>
#include <string>
#include <type_traits>

#include "jiggle/error.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/loss.hpp"
#include "jiggle/optim/optimizer.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// Where batches come from: count() batches per epoch, batch(b) with `inputs` (one sample per
// column) and `targets` (whatever the loss takes), and next_epoch() to move on (a new shuffle).
template <class S>
concept BatchSource = requires(S source, Index b) {
  { source.count() } -> std::convertible_to<Index>;
  { source.batch(b).inputs.cols() } -> std::convertible_to<Index>;
  source.batch(b).targets;
  source.next_epoch();
};

template <class S>
using TargetsOf = std::remove_cvref_t<decltype(std::declval<S&>().batch(Index{}).targets)>;

// Thrown when the loss stops being a finite number: every step after it would be garbage.
class DivergedError : public Error {
 public:
  using Error::Error;
};

struct BatchReport {
  Index batch;  // 0-based index within the epoch
  Index batch_count;
  Index samples_done;  // this epoch, so far
  double loss;         // this batch's mean loss
  double mean_loss;    // over the epoch so far, weighted by batch size
};

// Trains `model` for one epoch in training mode and returns the mean training loss over its
// samples. After each batch `after_batch(const BatchReport&)` is called (progress lines,
// schedules). Throws DivergedError, before any step is taken with it, on a loss that is NaN or
// infinite.
template <Layer Model, class LossFunction, class TheOptimizer, BatchSource Source, class AfterBatch>
requires Loss<LossFunction, typename Model::Scalar, TargetsOf<Source>> && Optimizer<TheOptimizer, Model>
double train_epoch(Model& model, LossFunction& loss, TheOptimizer& optimizer, Source& batches,
                   AfterBatch&& after_batch) {
  using T = typename Model::Scalar;
  set_mode(model, Mode::training);
  double loss_sum = 0.0;
  Index samples_done = 0;
  for (Index b = 0; b < batches.count(); ++b) {
    const auto& batch = batches.batch(b);
    const double value = loss.forward(model.forward(batch.inputs), batch.targets);
    if (!std::isfinite(value))
      throw DivergedError("training diverged: the loss is " + std::to_string(value) + " at batch " +
                          std::to_string(b + 1) + " of " + std::to_string(batches.count()) +
                          "; try a smaller learning rate");
    optimizer.step(model, [&](const GradientTarget<T>& target) {
      model.backward(batch.inputs, loss.backward(), target.without_input_gradient());
    });
    const Index samples = batch.inputs.cols();
    loss_sum += value * static_cast<double>(samples);
    samples_done += samples;
    after_batch(BatchReport{b, batches.count(), samples_done, value, loss_sum / static_cast<double>(samples_done)});
  }
  batches.next_epoch();
  return loss_sum / static_cast<double>(samples_done);
}

template <Layer Model, class LossFunction, class TheOptimizer, BatchSource Source>
requires Loss<LossFunction, typename Model::Scalar, TargetsOf<Source>> && Optimizer<TheOptimizer, Model>
double train_epoch(Model& model, LossFunction& loss, TheOptimizer& optimizer, Source& batches) {
  return train_epoch(model, loss, optimizer, batches, [](const BatchReport&) {});
}

}  // namespace jiggle
