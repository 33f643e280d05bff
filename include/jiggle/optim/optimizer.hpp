#pragma once
// The Optimizer protocol, what the training loop calls:
//   step(model, run_backward)  one step: calls run_backward(target) once, with the
//                              GradientTarget the optimiser wants (see layer.hpp), then
//                              finishes the update from whatever that backward wrote;
//   step(model)                the update from the gradients already in the model, for a
//                              caller who ran backward with GradientTarget::gradients();
//   learning_rate(), set_learning_rate(rate), for schedules.
#include <concepts>

#include "jiggle/layer.hpp"

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

}  // namespace jiggle
