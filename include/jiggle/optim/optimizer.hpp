#pragma once
// The Optimizer protocol, what the training loop calls:
//   step(model, run_backward)  one step: calls run_backward(target) once, with the
//                              GradientTarget the optimiser wants (see layer.hpp), then
//                              finishes the update from whatever that backward wrote;
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

// Stands for the training loop's backward in the concept below.
template <class T>
struct RunBackward {
  void operator()(const GradientTarget<T>&) const {}
};

template <class O, class Model>
concept Optimizer = Layer<Model> && requires(O optimizer, Model& model, double rate) {
  optimizer.step(model, RunBackward<typename Model::Scalar>{});
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
