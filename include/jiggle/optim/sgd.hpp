#pragma once
#include <string>
#include <vector>

#include "jiggle/error.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/parallel.hpp"

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
// Momentum buffers are allocated at the first step, one per parameter in visiting order.
template <class T = float>
class Sgd {
 public:
  explicit Sgd(double learning_rate) : Sgd(SgdOptions{.learning_rate = learning_rate}) {}
  explicit Sgd(const SgdOptions& options) : options_(options) {
    if (!(options.learning_rate > 0.0)) throw Error("SGD: the learning rate must be positive");
    if (!(options.momentum >= 0.0 && options.momentum < 1.0)) throw Error("SGD: momentum must be in [0, 1)");
    if (!(options.weight_decay >= 0.0)) throw Error("SGD: weight decay must be non-negative");
    if (options.nesterov && options.momentum == 0.0) throw Error("SGD: Nesterov needs a momentum above 0");
  }

  template <Layer Model>
  void step(Model& model) {
    static_assert(std::same_as<typename Model::Scalar, T>, "Sgd<T> steps models of the same scalar type T");
    const T rate = static_cast<T>(options_.learning_rate);
    if (plain()) {
      visit_parameters(model, [rate](Parameter<T>& parameter) {
        T* w = parameter.value.data();
        const T* g = parameter.gradient.data();
        const Index n = parameter.value.size();
        JIGGLE_OMP(parallel for simd schedule(static) if (n > 65536))
        for (Index i = 0; i < n; ++i) w[i] -= rate * g[i];
      });
      return;
    }
    const T mu = static_cast<T>(options_.momentum);
    const T decay = static_cast<T>(options_.weight_decay);
    std::size_t k = 0;
    visit_parameters(model, [&](Parameter<T>& parameter) {
      if (k == velocity_.size()) velocity_.push_back(Matrix<T>::Zero(parameter.value.rows(), parameter.value.cols()));
      Matrix<T>& v = velocity_[k++];
      if (v.rows() != parameter.value.rows() || v.cols() != parameter.value.cols())
        throw Error("SGD: parameter " + parameter.path.to_string() + " changed shape between steps");
      auto w = parameter.value.array();
      const auto g = parameter.gradient.array() + decay * w;
      if (mu == T(0)) {
        w -= rate * g;
        return;
      }
      v.array() = mu * v.array() + g;
      if (options_.nesterov)
        w -= rate * (g + mu * v.array());
      else
        w -= rate * v.array();
    });
  }

  // Backward and step in one. For plain SGD, where every layer with parameters has a fused step
  // (Dense does), the update happens inside the gradient products and dW is never written;
  // otherwise this is backward_parameters followed by step. The parameters end the same either
  // way, up to the rounding of the products.
  template <Layer Model>
  void backward_and_step(Model& model, const Matrix<T>& dY) {
    if constexpr (HasFusedSgd<Model>) {
      if (plain()) {
        model.sgd_parameters(dY, static_cast<T>(options_.learning_rate));
        return;
      }
    }
    model.backward_parameters(dY);
    step(model);
  }

  double learning_rate() const { return options_.learning_rate; }
  void set_learning_rate(double learning_rate) { options_.learning_rate = learning_rate; }
  const SgdOptions& options() const { return options_; }

 private:
  bool plain() const { return options_.momentum == 0.0 && options_.weight_decay == 0.0; }

  SgdOptions options_;
  std::vector<Matrix<T>> velocity_;
};

}  // namespace jiggle
