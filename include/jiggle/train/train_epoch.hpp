#pragma once
// One pass over the training data: for each batch, forward, loss, backward, optimiser step.
#include <cmath>
#include <string>

#include "jiggle/data/batches.hpp"
#include "jiggle/error.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/layers/softmax_cross_entropy.hpp"

namespace jiggle {

// Thrown when the loss stops being a finite number: every step after it would be garbage.
class DivergedError : public Error {
 public:
  using Error::Error;
};

struct BatchReport {
  Index batch;  // 0-based index within the epoch
  Index batch_count;
  Index images_done;  // this epoch, so far
  double loss;        // this batch's mean loss
  double mean_loss;   // over the epoch so far, weighted by batch size
};

// Trains `model` for one epoch and returns the mean training loss over its images. After each
// batch `after_batch(const BatchReport&)` is called (progress lines, schedules). Throws
// DivergedError, before any step is taken with it, on a loss that is NaN or infinite.
template <Layer Model, class Optimizer, class AfterBatch>
double train_epoch(Model& model, SoftmaxCrossEntropy<typename Model::Scalar>& loss, Optimizer& optimizer,
                   Batches& batches, AfterBatch&& after_batch) {
  double loss_sum = 0.0;
  Index images_done = 0;
  for (Index b = 0; b < batches.count(); ++b) {
    const Batches::Batch& batch = batches.batch(b);
    const double value = loss.forward(model.forward(batch.images), batch.labels);
    if (!std::isfinite(value))
      throw DivergedError("training diverged: the loss is " + std::to_string(value) + " at batch " +
                          std::to_string(b + 1) + " of " + std::to_string(batches.count()) +
                          "; try a smaller learning rate");
    if constexpr (requires { optimizer.backward_and_step(model, loss.backward()); }) {
      optimizer.backward_and_step(model, loss.backward());  // fused where the optimiser can
    } else {
      model.backward_parameters(loss.backward());
      optimizer.step(model);
    }
    loss_sum += value * static_cast<double>(batch.labels.size());
    images_done += static_cast<Index>(batch.labels.size());
    after_batch(BatchReport{b, batches.count(), images_done, value, loss_sum / static_cast<double>(images_done)});
  }
  batches.next_epoch();
  return loss_sum / static_cast<double>(images_done);
}

template <Layer Model, class Optimizer>
double train_epoch(Model& model, SoftmaxCrossEntropy<typename Model::Scalar>& loss, Optimizer& optimizer,
                   Batches& batches) {
  return train_epoch(model, loss, optimizer, batches, [](const BatchReport&) {});
}

}  // namespace jiggle
