#pragma once
#include <cmath>
#include <concepts>
#include <cstddef>

#include "jiggle/error.hpp"
#include "jiggle/kernels/vector_loop.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/optim/optimizer.hpp"
#include "jiggle/optim/parameter_state.hpp"

namespace jiggle {

struct SgdOptions {
  double learning_rate = 0.1;
  double momentum = 0.0;      // μ: v ← μ v + g
  bool nesterov = false;      // step along g + μ v instead of v
  double weight_decay = 0.0;  // L2: g ← g + λ w, before momentum
};

// Stochastic gradient descent over every parameter the model visits:
//   g ← g + λ w        v ← μ v + g        w ← w − lr · (nesterov ? g + μ v : v)
// which is w ← w − lr·g with the defaults (PyTorch's convention for momentum and Nesterov).
// Momentum buffers are allocated at the first step, one per parameter in visiting order. Each
// parameter's update is shared among jiggle's threads, in blocks of its values.
template <class T = float>
class Sgd {
 public:
  explicit Sgd(double learning_rate) : Sgd(SgdOptions{.learning_rate = learning_rate}) {}
  explicit Sgd(const SgdOptions& options) : options_(options) {
    if (!(options.learning_rate > 0.0 && std::isfinite(options.learning_rate)))
      throw Error("SGD: the learning rate must be positive and finite");
    if (!(options.momentum >= 0.0 && options.momentum < 1.0)) throw Error("SGD: momentum must be in [0, 1)");
    if (!(options.weight_decay >= 0.0)) throw Error("SGD: weight decay must be non-negative");
    if (options.nesterov && options.momentum == 0.0) throw Error("SGD: Nesterov needs a momentum above 0");
  }

  // One step (see optim/optimizer.hpp). Plain SGD (no momentum, no decay) asks backward to step
  // the parameters inside its gradient products (GradientTarget::descent_step): no gradient is
  // written or read back.
  template <Layer Model, class RunBackward>
  StepLoss step(Model& model, RunBackward&& run_backward, StepLoss loss) {
    if (!allows_step(loss)) return loss;
    if (plain()) {
      run_backward(GradientTarget<T>::descent_step(static_cast<T>(options_.learning_rate)));
      return loss;
    }
    run_backward(GradientTarget<T>::gradients());
    step(model);
    return loss;
  }

  // The update from the gradients the last backward wrote.
  template <Layer Model>
  void step(Model& model) {
    static_assert(std::same_as<typename Model::Scalar, T>, "Sgd<T> steps models of the same scalar type T");
    const T rate = static_cast<T>(options_.learning_rate);
    const T mu = static_cast<T>(options_.momentum);
    const T decay = static_cast<T>(options_.weight_decay);
    std::size_t k = 0;
    visit_parameters(model, [&](Parameter<T>& parameter) {
      Matrix<T>* velocity = mu == T(0) ? nullptr : &velocity_.at(k++, parameter);
      kernels::run_elementwise(parameter.value.size(), [&](Index first, Index last) {
        auto w = kernels::values(parameter.value, first, last);
        const auto g = kernels::values(parameter.gradient, first, last) + decay * w;
        if (velocity == nullptr) {
          w -= rate * g;
          return;
        }
        auto v = kernels::values(*velocity, first, last);
        v = mu * v + g;
        if (options_.nesterov)
          w -= rate * (g + mu * v);
        else
          w -= rate * v;
      });
    });
  }

  // Its state, for a training state: with momentum, one buffer per parameter, named as PyTorch's.
  template <Layer Model, class Visitor>
  void visit_state(Model& model, Visitor&& visit) {
    if (options_.momentum == 0.0) return;
    std::size_t k = 0;
    visit_parameters(
        model, [&](Parameter<T>& parameter) { visit(parameter, "momentum_buffer", velocity_.at(k++, parameter)); });
  }

  // SGD counts nothing: its update depends on the gradients and the buffers alone.
  template <class Visitor>
  void visit_counters(Visitor&&) {}

  double learning_rate() const { return options_.learning_rate; }
  void set_learning_rate(double learning_rate) { options_.learning_rate = checked_learning_rate("SGD", learning_rate); }
  const SgdOptions& options() const { return options_; }

 private:
  bool plain() const { return options_.momentum == 0.0 && options_.weight_decay == 0.0; }

  SgdOptions options_;
  ParameterState<T> velocity_{"SGD"};
};

}  // namespace jiggle
