#pragma once
// The Optimizer protocol, what a training step calls:
//   step(model, run_backward, loss)
//                              one step: returns the step's loss, and if that loss allows a step
//                              (allows_step), calls run_backward(target) once, with the
//                              GradientTarget the optimiser wants (see layer.hpp), and finishes
//                              the update from whatever that backward wrote. `loss` is the
//                              batch's; an optimiser that combines it with other processes'
//                              (DataParallel) returns and judges the combined one, so every
//                              process steps, or stops, alike. Otherwise it returns `loss`;
//   step(model)                the update from the gradients already in the model, for a
//                              caller who ran backward with GradientTarget::gradients();
//   learning_rate(), set_learning_rate(rate), for schedules.
// and, for a training state (train/training_state.hpp), what it carries from step to step:
//   visit_state(model, visit)  visit(parameter, kind, tensor) for each tensor of state, with
//                              PyTorch's name for its kind (exp_avg, momentum_buffer), creating
//                              it as the first step would if no step was taken yet;
//   visit_counters(visit)      visit(name, long long& value) for each counter (Adam's step).
#include <cmath>
#include <concepts>
#include <string>
#include <string_view>

#include "jiggle/error.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// A step's mean loss and how many samples it is the mean of.
struct StepLoss {
  double mean;
  Index samples;
};

// Whether a step may change the model with this loss: not when it is NaN or infinite. The one
// place that decides it, for every optimiser and the training step alike.
inline bool allows_step(const StepLoss& loss) { return std::isfinite(loss.mean); }

// Stands for the training loop's backward in the concept below.
template <class T>
struct RunBackward {
  void operator()(const GradientTarget<T>&) const {}
};

template <class O, class Model>
concept Optimizer = Layer<Model> && requires(O optimizer, Model& model, double rate, StepLoss loss) {
  { optimizer.step(model, RunBackward<typename Model::Scalar>{}, loss) } -> std::same_as<StepLoss>;
  optimizer.step(model);
  { optimizer.learning_rate() } -> std::convertible_to<double>;
  optimizer.set_learning_rate(rate);
};

// A rate set by a schedule: finite and not negative. 0 is allowed, since a cosine decay ends there;
// an optimiser's constructor wants a positive rate to start from.
inline double checked_learning_rate(std::string_view optimizer, double rate) {
  if (!(rate >= 0.0 && std::isfinite(rate)))
    throw Error(std::string(optimizer) + ": a learning rate must be finite and not negative, got " +
                std::to_string(rate));
  return rate;
}

// Stands for a visitor of an optimiser's state in the concept below.
template <class T>
struct StateVisitor {
  void operator()(const Parameter<T>&, std::string_view, Matrix<T>&) const {}
  void operator()(std::string_view, long long&) const {}
};

template <class O, class Model>
concept StatefulOptimizer = Optimizer<O, Model> && requires(O optimizer, Model& model) {
  optimizer.visit_state(model, StateVisitor<typename Model::Scalar>{});
  optimizer.visit_counters(StateVisitor<typename Model::Scalar>{});
};

}  // namespace jiggle
