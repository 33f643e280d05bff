#pragma once
#include <cmath>
#include <span>
#include <string>

#include "jiggle/error.hpp"
#include "jiggle/kernels/vector_loop.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/layers/relu.hpp"
#include "jiggle/parallel.hpp"
#include "jiggle/process_group.hpp"
#include "jiggle/shape.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// BatchNorm (nn.BatchNorm2d on C×H×W samples, nn.BatchNorm1d on C features, which are C×1×1):
// each channel is normalised over the batch and every position of its plane, then scaled and
// shifted by the learnt γ (`weight`) and β (`bias`). Per channel, over its N = B·H·W values:
//   forward   μ = mean(x)   σ² = mean((x − μ)²)   x̂ = (x − μ)/√(σ² + ε)   y = γ x̂ + β
//   backward  dγ = Σ dy·x̂   dβ = Σ dy   dx = (γ/√(σ² + ε))·(dy − mean(dy) − x̂·mean(dy·x̂))
// X, Y: C·H·W × B (H·W taken from the rows, so one layer serves images and feature vectors)
//
// PyTorch's conventions, so that weights and statistics move between the two: training mode
// normalises with the batch's statistics (the biased variance) and updates the running ones as
//   running_mean ← (1 − m)·running_mean + m·μ,  running_var ← (1 − m)·running_var + m·σ²·N/(N − 1)
// with m = 0.1 and the unbiased variance; evaluation mode normalises with the running statistics,
// so its VJP is the plain dx = (γ/√(running_var + ε))·dy. ε = 1e-5; γ starts at 1, β at 0, the
// running mean at 0 and the running variance at 1. PyTorch's int64 `num_batches_tracked` buffer is
// not kept: it only matters for momentum=None (a cumulative average), which this layer does not
// offer.
//
// Each channel's statistics are summed by one thread, in sample order, within a plane by a
// vectorised sum and across planes in double, two passes (mean, then squared deviations from
// it): the result is the same bit for bit on any number of threads. The loops over a plane run
// on the CPU's vector instructions whatever the program was compiled for (run_vectorised). Alone, a thread takes each
// of its channels through every pass, forward and back, while the channel's values (a few
// hundred KB at batch 128) are still in its cache; in a process group every channel's sums are
// summed over the group between the passes, in the same order, to the same bits for a group of
// one.
//
// BatchNormReLU is the same layer with a ReLU fused onto its output, y = max(γ x̂ + β, 0), whose
// VJP first masks dy where y = 0 (the ReLU's, derivative 0 at the kink) and then is batch norm's.
// It keeps no ReLU output and no ReLU gradient of its own, and reads and writes each value once
// where the two layers apart would go over them twice: a third less memory and time for the
// pair. It names its tensors as nn.Sequential names a BatchNorm2d followed by a ReLU.
enum class FusedActivation { none, relu };

template <int Channels, class T = float, FusedActivation Then = FusedActivation::none>
class BatchNorm {
  static_assert(Channels > 0, "BatchNorm needs at least one channel");
  static constexpr bool kRelu = Then == FusedActivation::relu;

 public:
  using Scalar = T;
  static constexpr Shape input_shape{Channels, kAny, kAny};
  static constexpr Shape output_shape{Channels, kAny, kAny};
  static constexpr int sequential_modules = kRelu ? 2 : 1;
  static constexpr double kMomentum = 0.1;
  static constexpr double kEpsilon = 1e-5;

  const Matrix<T>& forward(const Matrix<T>& X) {
    const Index plane = plane_size(X.rows());
    const Index batch = X.cols();
    forward_mode_ = mode_;
    // Y_ is sized only once the input has passed every check: a refused forward leaves the
    // output as it was.
    if (mode_ == Mode::evaluation) {
      Y_.resize(X.rows(), batch);
      parallel_for(Channels, [&](Index c) {
        mean_(c) = static_cast<double>(running_mean(c));
        inverse_deviation_(c) = 1.0 / std::sqrt(static_cast<double>(running_var(c)) + kEpsilon);
        kernels::run_vectorised([&] { normalise(X, plane, c); });
      });
    } else if (group_ == nullptr) {
      const double count = value_count(static_cast<double>(batch * plane));
      Y_.resize(X.rows(), batch);
      parallel_for(Channels, [&](Index c) {
        kernels::run_vectorised([&] {
          mean_(c) = channel_sum(X, plane, c) / count;
          keep_statistics(c, channel_squares(X, plane, c), count);
          normalise(X, plane, c);
        });
      });
    } else {
      parallel_for(Channels, [&](Index c) { kernels::run_vectorised([&] { sums_(c) = channel_sum(X, plane, c); }); });
      sums_(Channels) = static_cast<double>(batch * plane);
      sum_over_group(Channels + 1);
      const double count = value_count(sums_(Channels));
      for (int c = 0; c < Channels; ++c) mean_(c) = sums_(c) / count;
      parallel_for(Channels,
                   [&](Index c) { kernels::run_vectorised([&] { sums_(c) = channel_squares(X, plane, c); }); });
      sum_over_group(Channels);
      Y_.resize(X.rows(), batch);
      parallel_for(Channels, [&](Index c) {
        keep_statistics(c, sums_(c), count);
        kernels::run_vectorised([&] { normalise(X, plane, c); });
      });
    }
    return Y_;
  }

  // dγ = Σ dy·x̂, dβ = Σ dy; dx from γ before the step a fused target may take. Fused with a
  // ReLU, dy is first zeroed where the output is, into dX's memory, where dx is then finished in
  // place.
  const Matrix<T>& backward(const Matrix<T>& X, const Matrix<T>& dY, const GradientTarget<T>& target) {
    check_backward_arguments(name, X, Y_.rows(), dY, Y_);
    const Index plane = plane_size(X.rows());
    const Index batch = X.cols();
    const bool input_gradient = target.input_gradient;
    if (input_gradient || kRelu) dX_.resize(X.rows(), batch);
    const Matrix<T>& output_gradients = kRelu ? dX_ : dY;  // dy, through the fused ReLU if there is one
    const bool alone = group_ == nullptr || forward_mode_ == Mode::evaluation;
    const auto count = static_cast<double>(batch * plane);
    parallel_for(Channels, [&](Index c) {
      kernels::run_vectorised([&] {
        if constexpr (kRelu) mask_by_relu(dY, plane, c);
        gradient_sums(X, output_gradients, plane, c);
        if (alone && input_gradient) channel_input_gradient(X, output_gradients, plane, c, count);
      });
    });
    if (!alone && input_gradient) {
      const Index count_slot = Index{2} * Channels;
      sums_(count_slot) = count;
      sum_over_group(count_slot + 1);
      parallel_for(Channels, [&](Index c) {
        kernels::run_vectorised([&] { channel_input_gradient(X, output_gradients, plane, c, sums_(count_slot)); });
      });
    }
    target.write(target.select(gamma, dgamma), gamma_gradient_);
    target.write(target.select(beta, dbeta), beta_gradient_);
    return input_gradient ? dX_ : no_input_gradient<T>();
  }

  template <class Visitor>
  void visit_parameters(Visitor&& visit, const ParameterPath& path) {
    Parameter<T> weight(path.with_leaf("weight"), TensorShape{Channels}, gamma, dgamma);
    visit(weight);
    Parameter<T> bias(path.with_leaf("bias"), TensorShape{Channels}, beta, dbeta);
    visit(bias);
  }

  template <class Visitor>
  void visit_buffers(Visitor&& visit, const ParameterPath& path) {
    Buffer<T> mean(path.with_leaf("running_mean"), TensorShape{Channels}, running_mean);
    visit(mean);
    Buffer<T> variance(path.with_leaf("running_var"), TensorShape{Channels}, running_var);
    visit(variance);
  }

  void set_mode(Mode mode) { mode_ = mode; }
  Mode mode() const { return mode_; }

  // Batch statistics over the slices of every process in `group`, synchronised in training mode:
  // the layer then normalises, and differentiates, as one process holding the whole batch would.
  void set_process_group(const ProcessGroup* group) { group_ = group; }

  Vector<T> gamma = Vector<T>::Ones(Channels);
  Vector<T> beta = Vector<T>::Zero(Channels);
  Vector<T> dgamma = Vector<T>::Zero(Channels);
  Vector<T> dbeta = Vector<T>::Zero(Channels);
  Vector<T> running_mean = Vector<T>::Zero(Channels);
  Vector<T> running_var = Vector<T>::Ones(Channels);

 private:
  // H·W of a sample with `rows` values.
  static Index plane_size(Index rows) {
    if (rows <= 0 || rows % Channels != 0)
      throw Error(name() + ": the input has " + std::to_string(rows) + " rows (values per sample), not a multiple of " +
                  std::to_string(Channels) + " channels");
    return rows / Channels;
  }

  // Channel c of sample s: `plane` values from here in `matrix`.
  static const T* channel(const Matrix<T>& matrix, Index plane, Index s, Index c) {
    return matrix.col(s).data() + c * plane;
  }
  static T* channel(Matrix<T>& matrix, Index plane, Index s, Index c) { return matrix.col(s).data() + c * plane; }

  // N, the values each channel's statistics are taken over, checked before any thread starts.
  double value_count(double count) const {
    if (count < 2.0)
      throw Error(name() + ": training needs more than one value per channel (batch × height × width), got " +
                  std::to_string(static_cast<Index>(count)));
    return count;
  }

  static double channel_sum(const Matrix<T>& X, Index plane, Index c) {
    double sum = 0.0;
    for (Index s = 0; s < X.cols(); ++s) {
      const T* x = channel(X, plane, s, c);
      T plane_sum = 0;
      JIGGLE_OMP(simd reduction(+ : plane_sum))
      for (Index i = 0; i < plane; ++i) plane_sum += x[i];
      sum += static_cast<double>(plane_sum);
    }
    return sum;
  }

  // Σ (x − μ)² over channel c, with its μ in mean_.
  double channel_squares(const Matrix<T>& X, Index plane, Index c) const {
    const auto mean = static_cast<T>(mean_(c));
    double squares = 0.0;
    for (Index s = 0; s < X.cols(); ++s) {
      const T* x = channel(X, plane, s, c);
      T plane_squares = 0;
      JIGGLE_OMP(simd reduction(+ : plane_squares))
      for (Index i = 0; i < plane; ++i) plane_squares += (x[i] - mean) * (x[i] - mean);
      squares += static_cast<double>(plane_squares);
    }
    return squares;
  }

  // σ² = Σ(x − μ)²/N of channel c: its 1/√(σ² + ε), and the running statistics updated.
  void keep_statistics(Index c, double squares, double count) {
    const double variance = squares / count;
    inverse_deviation_(c) = 1.0 / std::sqrt(variance + kEpsilon);
    const double unbiased = variance * count / (count - 1.0);
    running_mean(c) = static_cast<T>((1.0 - kMomentum) * static_cast<double>(running_mean(c)) + kMomentum * mean_(c));
    running_var(c) = static_cast<T>((1.0 - kMomentum) * static_cast<double>(running_var(c)) + kMomentum * unbiased);
  }

  // y = γ·(x − μ)/√(σ² + ε) + β of channel c, and max(y, 0) when fused.
  void normalise(const Matrix<T>& X, Index plane, Index c) {
    const auto mean = static_cast<T>(mean_(c));
    const auto scale = static_cast<T>(static_cast<double>(gamma(c)) * inverse_deviation_(c));
    const T shift = beta(c);
    for (Index s = 0; s < X.cols(); ++s) {
      const T* x = channel(X, plane, s, c);
      T* y = channel(Y_, plane, s, c);
      JIGGLE_OMP(simd)
      for (Index i = 0; i < plane; ++i) {
        const T normalised = (x[i] - mean) * scale + shift;
        if constexpr (kRelu)
          y[i] = relu(normalised);
        else
          y[i] = normalised;
      }
    }
  }

  // dy of channel c zeroed where the fused ReLU's output is, into dX.
  void mask_by_relu(const Matrix<T>& dY, Index plane, Index c) {
    for (Index s = 0; s < dY.cols(); ++s) {
      const T* y = channel(Y_, plane, s, c);
      const T* dy = channel(dY, plane, s, c);
      T* masked = channel(dX_, plane, s, c);
      JIGGLE_OMP(simd)
      for (Index i = 0; i < plane; ++i) masked[i] = pass_where_positive(y[i], dy[i]);
    }
  }

  // Σ dy and Σ dy·(x − μ) of channel c into sums_ (slots c and C + c), and dβ and dγ from them.
  void gradient_sums(const Matrix<T>& X, const Matrix<T>& output_gradients, Index plane, Index c) {
    const auto mean = static_cast<T>(mean_(c));
    double sum_dy = 0.0;
    double sum_dy_centred = 0.0;
    for (Index s = 0; s < X.cols(); ++s) {
      const T* x = channel(X, plane, s, c);
      const T* dy = channel(output_gradients, plane, s, c);
      T plane_dy = 0;
      T plane_dy_centred = 0;
      JIGGLE_OMP(simd reduction(+ : plane_dy, plane_dy_centred))
      for (Index i = 0; i < plane; ++i) {
        plane_dy += dy[i];
        plane_dy_centred += dy[i] * (x[i] - mean);
      }
      sum_dy += static_cast<double>(plane_dy);
      sum_dy_centred += static_cast<double>(plane_dy_centred);
    }
    sums_(c) = sum_dy;
    sums_(Channels + c) = sum_dy_centred;
    gamma_gradient_(c) = static_cast<T>(sum_dy_centred * inverse_deviation_(c));
    beta_gradient_(c) = static_cast<T>(sum_dy);
  }

  // dx = (γ/√(σ² + ε))·(dy − mean(dy) − x̂·mean(dy·x̂)) of channel c, from the sums in sums_ over
  // `count` values: the whole batch of every process, whose dy are their losses', scaled alike,
  // so the sums add up. After an evaluation-mode forward, dx = (γ/√(running_var + ε))·dy.
  void channel_input_gradient(const Matrix<T>& X, const Matrix<T>& output_gradients, Index plane, Index c,
                              double count) {
    const double inverse_deviation = inverse_deviation_(c);
    const auto scale = static_cast<T>(static_cast<double>(gamma(c)) * inverse_deviation);  // γ/√(σ² + ε)
    if (forward_mode_ == Mode::evaluation) {
      for (Index s = 0; s < X.cols(); ++s) {
        const T* dy = channel(output_gradients, plane, s, c);
        T* dx = channel(dX_, plane, s, c);
        JIGGLE_OMP(simd)
        for (Index i = 0; i < plane; ++i) dx[i] = scale * dy[i];
      }
      return;
    }
    const auto mean = static_cast<T>(mean_(c));
    const auto mean_dy = static_cast<T>(sums_(c) / count);
    const auto mean_dy_xhat = static_cast<T>(sums_(Channels + c) * inverse_deviation / count);
    const auto inverse = static_cast<T>(inverse_deviation);
    for (Index s = 0; s < X.cols(); ++s) {
      const T* x = channel(X, plane, s, c);
      const T* dy = channel(output_gradients, plane, s, c);
      T* dx = channel(dX_, plane, s, c);
      JIGGLE_OMP(simd)
      for (Index i = 0; i < plane; ++i) {
        const T x_hat = (x[i] - mean) * inverse;
        dx[i] = scale * (dy[i] - mean_dy - x_hat * mean_dy_xhat);
      }
    }
  }

  // The first `count` entries of sums_, summed over the process group.
  void sum_over_group(Index count) {
    if (group_ != nullptr) group_->sum(std::span<double>(sums_.data(), static_cast<std::size_t>(count)));
  }

  static std::string name() { return (kRelu ? "BatchNormReLU<" : "BatchNorm<") + std::to_string(Channels) + ">"; }

  Mode mode_ = Mode::training;
  Mode forward_mode_ = Mode::training;                    // the mode of the last forward, which its VJP follows
  Vector<T> gamma_gradient_ = Vector<T>::Zero(Channels);  // the last backward's, before the target takes them
  Vector<T> beta_gradient_ = Vector<T>::Zero(Channels);
  Vector<double> mean_ = Vector<double>::Zero(Channels);  // of the last forward: the batch's, or the running one
  Vector<double> inverse_deviation_ = Vector<double>::Ones(Channels);  // 1/√(σ² + ε), likewise
  Vector<double> sums_ = Vector<double>::Zero(2 * Channels + 1);       // per-channel sums and a count
  const ProcessGroup* group_ = nullptr;
  Matrix<T> Y_;
  Matrix<T> dX_;
};

template <int Channels, class T = float>
using BatchNormReLU = BatchNorm<Channels, T, FusedActivation::relu>;

}  // namespace jiggle
