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

struct AdamOptions {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  double weight_decay = 0.0;  // decoupled (AdamW): w ← w − lr·λ·w, apart from the moments
};

// Adam with bias correction (Kingma & Ba), and AdamW's decoupled weight decay when λ > 0:
//   w ← w − lr·λ·w
//   m ← β1 m + (1 − β1) g      v ← β2 v + (1 − β2) g²
//   w ← w − lr · (m / (1 − β1ᵗ)) / (sqrt(v / (1 − β2ᵗ)) + ε)
// Moment buffers are allocated at the first step, one pair per parameter in visiting order. Each
// parameter's update is shared among jiggle's threads, in blocks of its values.
template <class T = float>
class Adam {
 public:
  explicit Adam(const AdamOptions& options = {}) : options_(options) {
    if (!(options.learning_rate > 0.0 && std::isfinite(options.learning_rate)))
      throw Error("Adam: the learning rate must be positive and finite");
    if (!(options.beta1 >= 0.0 && options.beta1 < 1.0 && options.beta2 >= 0.0 && options.beta2 < 1.0))
      throw Error("Adam: beta1 and beta2 must be in [0, 1)");
    if (!(options.epsilon > 0.0)) throw Error("Adam: epsilon must be positive");
    if (!(options.weight_decay >= 0.0)) throw Error("Adam: weight decay must be non-negative");
  }

  // One step (see optim/optimizer.hpp): backward writes the gradients, then the moments and
  // parameters are updated.
  template <Layer Model, class RunBackward>
  StepLoss step(Model& model, RunBackward&& run_backward, StepLoss loss) {
    if (!allows_step(loss)) return loss;
    run_backward(GradientTarget<T>::gradients());
    step(model);
    return loss;
  }

  // The update from the gradients the last backward wrote.
  template <Layer Model>
  void step(Model& model) {
    static_assert(std::same_as<typename Model::Scalar, T>, "Adam<T> steps models of the same scalar type T");
    ++steps_;
    const auto t = static_cast<double>(steps_);
    const T rate = static_cast<T>(options_.learning_rate);
    const T shrink = static_cast<T>(1.0 - options_.learning_rate * options_.weight_decay);
    const T b1 = static_cast<T>(options_.beta1);
    const T b2 = static_cast<T>(options_.beta2);
    const T first_correction = static_cast<T>(1.0 - std::pow(options_.beta1, t));
    const T second_correction = static_cast<T>(1.0 - std::pow(options_.beta2, t));
    const T epsilon = static_cast<T>(options_.epsilon);
    std::size_t k = 0;
    visit_parameters(model, [&](Parameter<T>& parameter) {
      Matrix<T>& first_moment = first_moments_.at(k, parameter);
      Matrix<T>& second_moment = second_moments_.at(k, parameter);
      ++k;
      kernels::run_elementwise(parameter.value.size(), [&](Index first, Index last) {
        auto w = kernels::values(parameter.value, first, last);
        auto m = kernels::values(first_moment, first, last);
        auto v = kernels::values(second_moment, first, last);
        const auto g = kernels::values(parameter.gradient, first, last);
        m = b1 * m + (T(1) - b1) * g;
        v = b2 * v + (T(1) - b2) * g.square();
        w = shrink * w - rate * (m / first_correction) / ((v / second_correction).sqrt() + epsilon);
      });
    });
  }

  // Its state, for a training state: both moments of every parameter, under PyTorch's names.
  template <Layer Model, class Visitor>
  void visit_state(Model& model, Visitor&& visit) {
    std::size_t k = 0;
    visit_parameters(model, [&](Parameter<T>& parameter) {
      visit(parameter, "exp_avg", first_moments_.at(k, parameter));
      visit(parameter, "exp_avg_sq", second_moments_.at(k, parameter));
      ++k;
    });
  }

  // The steps taken, on which the bias corrections depend.
  template <class Visitor>
  void visit_counters(Visitor&& visit) {
    visit("step", steps_);
  }

  double learning_rate() const { return options_.learning_rate; }
  void set_learning_rate(double learning_rate) {
    options_.learning_rate = checked_learning_rate("Adam", learning_rate);
  }
  const AdamOptions& options() const { return options_; }

 private:
  AdamOptions options_;
  long long steps_ = 0;
  ParameterState<T> first_moments_{"Adam"};
  ParameterState<T> second_moments_{"Adam"};
};

}  // namespace jiggle
