#pragma once
#include "jiggle/layer.hpp"
#include "jiggle/parallel.hpp"

namespace jiggle {

// Plain stochastic gradient descent: w ← w − lr·g for every parameter the model visits.
class Sgd {
 public:
  explicit Sgd(double learning_rate) : learning_rate_(learning_rate) {}

  template <Layer Model>
  void step(Model& model) const {
    using T = typename Model::Scalar;
    const T rate = static_cast<T>(learning_rate_);
    visit_parameters(model, [rate](Parameter<T>& parameter) {
      T* w = parameter.value.data();
      const T* g = parameter.gradient.data();
      const Index n = parameter.value.size();
      JIGGLE_OMP(parallel for simd schedule(static) if (n > 65536))
      for (Index i = 0; i < n; ++i) w[i] -= rate * g[i];
    });
  }

  // Backward and step in one: where every layer with parameters has a fused SGD step (Dense
  // does), the update happens inside the gradient products and dW is never written; otherwise
  // this is backward_parameters followed by step. Either way the parameters end the same, up to
  // the rounding of the products.
  template <Layer Model>
  void backward_and_step(Model& model, const Matrix<typename Model::Scalar>& dY) const {
    if constexpr (HasFusedSgd<Model>) {
      model.sgd_parameters(dY, static_cast<typename Model::Scalar>(learning_rate_));
    } else {
      model.backward_parameters(dY);
      step(model);
    }
  }

  double learning_rate() const { return learning_rate_; }
  void set_learning_rate(double learning_rate) { learning_rate_ = learning_rate; }

 private:
  double learning_rate_;
};

}  // namespace jiggle
