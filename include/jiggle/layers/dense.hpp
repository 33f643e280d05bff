#pragma once
#include <string>

#include "jiggle/init.hpp"
#include "jiggle/kernels/isa.hpp"
#include "jiggle/kernels/vector_loop.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/multiply.hpp"
#include "jiggle/parallel.hpp"
#include "jiggle/precision.hpp"
#include "jiggle/random.hpp"
#include "jiggle/shape.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// Dense (nn.Linear): Y = W X + b 1ᵀ.   X: In×B   W: Out×In   b: Out   Y: Out×B
template <int In, int Out, class T = float>
class Dense {
  static_assert(In > 0 && Out > 0, "Dense sizes must be positive");

 public:
  using Scalar = T;
  static constexpr Shape input_shape = vector_shape(In);
  static constexpr Shape output_shape = vector_shape(Out);

  // Glorot (uniform) by default: of the standard schemes it trained the reference MLP best in
  // measurement, 12 epochs of plain SGD over six seeds (docs/library.md, "Choosing the defaults").
  static constexpr Init default_init = Init::glorot_uniform;

  explicit Dense(Rng& rng, Init init = default_init) { initialize(init, W, b, rng); }
  explicit Dense(WithoutDrawing) {
    W.setZero();
    b.setZero();
  }

  const Matrix<T>& forward(const Matrix<T>& X) {
    check_input_rows(name, X.rows(), In);
    Y_.resize(Out, X.cols());
    multiply(Y_, W, X, precision_);
    add_bias(Y_);
    return Y_;
  }

  // dX = Wᵀ dY, from W before the step a fused target may take; then dW = dY Xᵀ, db = dY 1.
  const Matrix<T>& backward(const Matrix<T>& X, const Matrix<T>& dY, const GradientTarget<T>& target) {
    check_backward_arguments(name, X, In, dY, Y_);
    if (target.input_gradient) {
      dX_.resize(In, dY.cols());
      multiply(dX_, W.transpose(), dY, precision_);
    }
    target.write_product(target.select(W, dW), dY, X.transpose(), precision_);
    target.write(target.select(b, db), bias_gradient(dY));
    return target.input_gradient ? dX_ : no_input_gradient<T>();
  }

  void set_precision(Precision precision) {
    require_supported(precision);
    precision_ = precision;
  }

  template <class Visitor>
  void visit_parameters(Visitor&& visit, const ParameterPath& path) {
    Parameter<T> weight(path.with_leaf("weight"), TensorShape{Out, In}, W, dW);
    visit(weight);
    Parameter<T> bias(path.with_leaf("bias"), TensorShape{Out}, b, db);
    visit(bias);
  }

  Matrix<T> W = Matrix<T>(Out, In);
  Vector<T> b = Vector<T>(Out);
  Matrix<T> dW = Matrix<T>::Zero(Out, In);
  Vector<T> db = Vector<T>::Zero(Out);

 private:
  static std::string name() { return "Dense<" + std::to_string(In) + ", " + std::to_string(Out) + ">"; }

  // Y ← Y + b 1ᵀ, a column at a time on the CPU's vector instructions.
  void add_bias(Matrix<T>& Y) const {
    const T* bias = b.data();
    parallel_for(Y.cols(), Y.size(), [&](Index j) {
      T* y = Y.col(j).data();
      kernels::run_vectorised([&] {
        JIGGLE_OMP(simd)
        for (Index i = 0; i < Out; ++i) y[i] += bias[i];
      });
    });
  }

  // dY 1: each row of dY summed in sample order, a whole column at a time, so the sums come out
  // the same on every instruction set.
  const Vector<T>& bias_gradient(const Matrix<T>& dY) {
    bias_gradient_.setZero();
    T* sums = bias_gradient_.data();
    kernels::run_vectorised([&] {
      for (Index j = 0; j < dY.cols(); ++j) {
        const T* dy = dY.col(j).data();
        JIGGLE_OMP(simd)
        for (Index i = 0; i < Out; ++i) sums[i] += dy[i];
      }
    });
    return bias_gradient_;
  }

  Precision precision_ = Precision::fp32;
  Matrix<T> Y_;
  Matrix<T> dX_;
  Vector<T> bias_gradient_ = Vector<T>::Zero(Out);  // the last backward's dY 1, before the target takes it
};

}  // namespace jiggle
