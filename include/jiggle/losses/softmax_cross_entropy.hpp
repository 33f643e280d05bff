#pragma once
#include <cmath>
#include <cstdint>
#include <span>
#include <string>

#include "jiggle/error.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// Softmax cross-entropy, the mean over the batch.   Z: K×B logits   labels: B   dZ: K×B
//
//   L = 1/B Σ_b [ logsumexp(Z_b) − Σ_k t_bk Z_bk ]      dL/dZ = (softmax(Z) − t) / B
//
// with target t = onehot(label), or (1 − ε)·onehot + ε/K under label smoothing ε. Computed
// through logsumexp with the column maximum taken out, so logits of ±1000 stay finite.
template <class T = float>
class SoftmaxCrossEntropy {
 public:
  using Scalar = T;

  explicit SoftmaxCrossEntropy(double label_smoothing = 0.0) : label_smoothing_(label_smoothing) {
    if (!(label_smoothing >= 0.0 && label_smoothing < 1.0))
      throw Error("label smoothing must be in [0, 1), got " + std::to_string(label_smoothing));
  }

  // Returns the mean loss and keeps dL/dZ for backward().
  double forward(const Matrix<T>& Z, std::span<const std::int32_t> labels) {
    const Index classes = Z.rows();
    const Index batch = Z.cols();
    if (static_cast<Index>(labels.size()) != batch)
      throw Error("softmax cross-entropy: " + std::to_string(labels.size()) + " labels for " + std::to_string(batch) +
                  " logit columns");
    dZ_.resize(classes, batch);
    const double off_target = label_smoothing_ / static_cast<double>(classes);
    const double on_target = 1.0 - label_smoothing_ + off_target;
    const T inverse_batch = T(1) / static_cast<T>(batch);
    double total = 0.0;
    for (Index column = 0; column < batch; ++column) {
      const std::int32_t label = labels[static_cast<std::size_t>(column)];
      if (label < 0 || label >= classes)
        throw Error("softmax cross-entropy: label " + std::to_string(label) + " of sample " + std::to_string(column) +
                    " is outside [0, " + std::to_string(classes) + ")");
      const auto z = Z.col(column);
      const T largest = z.maxCoeff();
      const T log_sum_exp = largest + std::log((z.array() - largest).exp().sum());
      double target_dot_z = off_target * static_cast<double>(z.sum());
      target_dot_z += (on_target - off_target) * static_cast<double>(z(label));
      total += static_cast<double>(log_sum_exp) - target_dot_z;
      auto dz = dZ_.col(column);
      dz = ((z.array() - log_sum_exp).exp() - static_cast<T>(off_target)) * inverse_batch;
      dz(label) -= static_cast<T>(on_target - off_target) * inverse_batch;
    }
    return total / static_cast<double>(batch);
  }

  const Matrix<T>& backward() const { return dZ_; }

  double label_smoothing() const { return label_smoothing_; }

 private:
  double label_smoothing_;
  Matrix<T> dZ_;
};

}  // namespace jiggle
