#pragma once
// One training step: the model's forward in training mode, the loss, and the optimiser's step
// around the backward. train_epoch is a loop over it; a program that draws its own batches calls
// it directly, one line a step.
#include <string>
#include <string_view>

#include "jiggle/error.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/loss.hpp"
#include "jiggle/optim/optimizer.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// Thrown when the loss stops being a finite number: every step after it would be garbage.
class DivergedError : public Error {
 public:
  // `where` says where in a run it happened (" at batch 3 of 469"), or is empty.
  explicit DivergedError(double loss, std::string_view where = {})
      : Error("training diverged: the loss is " + std::to_string(loss) + std::string(where) +
              "; try a smaller learning rate"),
        loss_(loss) {}

  double loss() const { return loss_; }

 private:
  double loss_;
};

// One step on the batch X (one sample per column) and its targets. Returns the step's loss: the
// batch's mean, or, through an optimiser that combines it with other processes' (DataParallel),
// the whole global batch's. Throws DivergedError, with no step taken, when that loss is NaN or
// infinite.
template <Layer Model, class Targets, Loss<typename Model::Scalar, Targets> LossFunction, Optimizer<Model> TheOptimizer>
StepLoss train_step(Model& model, LossFunction& loss, TheOptimizer& optimizer, const Matrix<typename Model::Scalar>& X,
                    const Targets& targets) {
  using T = typename Model::Scalar;
  // Every step, not once: evaluate() leaves the model in evaluation mode, and a loop that
  // evaluates between steps would otherwise train on batch norm's running statistics. It costs a
  // store a layer.
  set_mode(model, Mode::training);
  const StepLoss batch_loss{loss.forward(model.forward(X), targets), X.cols()};
  const StepLoss step_loss = optimizer.step(
      model,
      [&](const GradientTarget<T>& target) { model.backward(X, loss.backward(), target.without_input_gradient()); },
      batch_loss);
  if (!allows_step(step_loss)) throw DivergedError(step_loss.mean);
  return step_loss;
}

}  // namespace jiggle
