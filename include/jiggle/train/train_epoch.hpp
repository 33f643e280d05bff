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

// How far an epoch has gone: enough to continue it, here or in a run resumed from a training
// state, and to report the same mean loss at its end as an epoch never stopped.
struct EpochProgress {
  Index batches_done = 0;
  Index samples_done = 0;
  double loss_sum = 0.0;  // Σ over the batches done of (mean loss × batch size)

  double mean_loss() const { return samples_done ? loss_sum / static_cast<double>(samples_done) : 0.0; }
};

// A step's mean loss and how many samples it is the mean of.
struct StepLoss {
  double mean;
  Index samples;
};

// An optimiser that combines the step's loss with other processes' (distributed/data_parallel.hpp):
// step(model, run_backward, loss) runs backward, takes a step only if the combined loss is
// finite, and returns it, so every process reports the same loss and stops on the same step.
template <class O, class Model>
concept CombiningOptimizer = Optimizer<O, Model> && requires(O optimizer, Model& model, StepLoss loss) {
  { optimizer.step(model, RunBackward<typename Model::Scalar>{}, loss) } -> std::same_as<StepLoss>;
};

// What an after_batch callback may answer: go on, or stop after the step just taken.
enum class Continuation { proceed, stop };

// Trains `model` in training mode from batch progress.batches_done of the current epoch,
// updating `progress` after each step, until the epoch ends (then it moves `batches` to the next
// epoch and returns true) or `after_batch(const BatchReport&)` answers Continuation::stop (it
// returns false; the same call with the same progress continues the epoch). after_batch may also
// return nothing (progress lines, schedules). Throws DivergedError, before any step is taken
// with it, on a loss that is NaN or infinite.
template <Layer Model, class LossFunction, class TheOptimizer, BatchSource Source, class AfterBatch>
requires Loss<LossFunction, typename Model::Scalar, TargetsOf<Source>> && Optimizer<TheOptimizer, Model>
bool continue_epoch(Model& model, LossFunction& loss, TheOptimizer& optimizer, Source& batches, EpochProgress& progress,
                    AfterBatch&& after_batch) {
  using T = typename Model::Scalar;
  set_mode(model, Mode::training);
  while (progress.batches_done < batches.count()) {
    const Index b = progress.batches_done;
    const auto& batch = batches.batch(b);
    StepLoss step_loss{loss.forward(model.forward(batch.inputs), batch.targets), batch.inputs.cols()};
    const auto run_backward = [&](const GradientTarget<T>& target) {
      model.backward(batch.inputs, loss.backward(), target.without_input_gradient());
    };
    if constexpr (CombiningOptimizer<TheOptimizer, Model>) step_loss = optimizer.step(model, run_backward, step_loss);
    if (!std::isfinite(step_loss.mean))
      throw DivergedError("training diverged: the loss is " + std::to_string(step_loss.mean) + " at batch " +
                          std::to_string(b + 1) + " of " + std::to_string(batches.count()) +
                          "; try a smaller learning rate");
    if constexpr (!CombiningOptimizer<TheOptimizer, Model>) optimizer.step(model, run_backward);
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
