#pragma once
// The recipe's optimiser, SGD or Adam, chosen when the program runs. train() takes it as its one
// optimiser type, so the training loop, its training states and its data-parallel steps are
// compiled once for each network, not once for each network and optimiser.
#include <utility>
#include <variant>

#include "jiggle/layer.hpp"
#include "jiggle/optim/adam.hpp"
#include "jiggle/optim/optimizer.hpp"
#include "jiggle/optim/sgd.hpp"

class ChosenOptimizer {
 public:
  explicit ChosenOptimizer(jiggle::Sgd<float> sgd) : chosen_(std::move(sgd)) {}
  explicit ChosenOptimizer(jiggle::Adam<float> adam) : chosen_(std::move(adam)) {}

  template <jiggle::Layer Model, class RunBackward>
  jiggle::StepLoss step(Model& model, RunBackward&& run_backward, jiggle::StepLoss loss) {
    return std::visit([&](auto& optimizer) { return optimizer.step(model, run_backward, loss); }, chosen_);
  }

  template <jiggle::Layer Model>
  void step(Model& model) {
    std::visit([&](auto& optimizer) { optimizer.step(model); }, chosen_);
  }

  double learning_rate() const {
    return std::visit([](const auto& optimizer) { return optimizer.learning_rate(); }, chosen_);
  }
  void set_learning_rate(double rate) {
    std::visit([&](auto& optimizer) { optimizer.set_learning_rate(rate); }, chosen_);
  }

  template <jiggle::Layer Model, class Visitor>
  void visit_state(Model& model, Visitor&& visit) {
    std::visit([&](auto& optimizer) { optimizer.visit_state(model, visit); }, chosen_);
  }
  template <class Visitor>
  void visit_counters(Visitor&& visit) {
    std::visit([&](auto& optimizer) { optimizer.visit_counters(visit); }, chosen_);
  }

 private:
  std::variant<jiggle::Sgd<float>, jiggle::Adam<float>> chosen_;
};
