#pragma once
// One pass over the training data: a training step (train/train_step.hpp) for each batch.
#include <concepts>
#include <string>
#include <type_traits>

#include "jiggle/layer.hpp"
#include "jiggle/loss.hpp"
#include "jiggle/optim/optimizer.hpp"
#include "jiggle/tensor.hpp"
#include "jiggle/train/train_step.hpp"

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

struct BatchReport {
  Index batch;  // 0-based index within the epoch
  Index batch_count;
  Index samples_done;  // this epoch, so far
  double loss;         // this batch's mean loss
  double mean_loss;    // over the epoch so far, weighted by batch size
};

// How far an epoch has gone: enough to continue it, here or in a run resumed from a training
// state, and to report the same mean loss at its end as an epoch never stopped.
struct EpochProgress {
  Index batches_done = 0;
  Index samples_done = 0;
  double loss_sum = 0.0;  // Σ over the batches done of (mean loss × batch size)

  double mean_loss() const { return samples_done ? loss_sum / static_cast<double>(samples_done) : 0.0; }
};

// What an after_batch callback may answer: go on, or stop after the step just taken.
enum class Continuation { proceed, stop };

// Trains `model` in training mode from batch progress.batches_done of the current epoch,
// updating `progress` after each step, until the epoch ends (then it moves `batches` to the next
// epoch and returns true) or `after_batch(const BatchReport&)` answers Continuation::stop (it
// returns false; the same call with the same progress continues the epoch). after_batch may also
// return nothing (progress lines, schedules). Throws DivergedError, naming the batch, where a
// step does.
template <Layer Model, class LossFunction, class TheOptimizer, BatchSource Source, class AfterBatch>
requires Loss<LossFunction, typename Model::Scalar, TargetsOf<Source>> && Optimizer<TheOptimizer, Model>
bool continue_epoch(Model& model, LossFunction& loss, TheOptimizer& optimizer, Source& batches, EpochProgress& progress,
                    AfterBatch&& after_batch) {
  while (progress.batches_done < batches.count()) {
    const Index b = progress.batches_done;
    const auto& batch = batches.batch(b);
    StepLoss step_loss{};
    try {
      step_loss = train_step(model, loss, optimizer, batch.inputs, batch.targets);
    } catch (const DivergedError& diverged) {
      throw DivergedError(diverged.loss(),
                          " at batch " + std::to_string(b + 1) + " of " + std::to_string(batches.count()));
    }
    progress.loss_sum += step_loss.mean * static_cast<double>(step_loss.samples);
    progress.samples_done += step_loss.samples;
    progress.batches_done = b + 1;
    const BatchReport report{b, batches.count(), progress.samples_done, step_loss.mean, progress.mean_loss()};
    if constexpr (std::same_as<std::invoke_result_t<AfterBatch&, const BatchReport&>, Continuation>) {
      if (after_batch(report) == Continuation::stop && progress.batches_done < batches.count()) return false;
    } else {
      after_batch(report);
    }
  }
  batches.next_epoch();
  return true;
}

// Trains `model` for one whole epoch and returns the mean training loss over its samples (see
// continue_epoch; an after_batch that answers stop is not allowed to stop it here).
template <Layer Model, class LossFunction, class TheOptimizer, BatchSource Source, class AfterBatch>
requires Loss<LossFunction, typename Model::Scalar, TargetsOf<Source>> && Optimizer<TheOptimizer, Model>
double train_epoch(Model& model, LossFunction& loss, TheOptimizer& optimizer, Source& batches,
                   AfterBatch&& after_batch) {
  EpochProgress progress;
  continue_epoch(model, loss, optimizer, batches, progress, [&](const BatchReport& report) { after_batch(report); });
  return progress.mean_loss();
}

template <Layer Model, class LossFunction, class TheOptimizer, BatchSource Source>
requires Loss<LossFunction, typename Model::Scalar, TargetsOf<Source>> && Optimizer<TheOptimizer, Model>
double train_epoch(Model& model, LossFunction& loss, TheOptimizer& optimizer, Source& batches) {
  return train_epoch(model, loss, optimizer, batches, [](const BatchReport&) {});
}

}  // namespace jiggle
