#pragma once
#include <string>
#include <type_traits>
#include <utility>

#include "jiggle/init.hpp"
#include "jiggle/kernels/vector_loop.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/parallel.hpp"
#include "jiggle/random.hpp"
#include "jiggle/shape.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// The shortcut of a Residual whose body keeps its input's shape: the input itself.
struct IdentityShortcut {};

// Residual<Body, Shortcut>: Y = body(X) + shortcut(X), the block of a residual network.
//   X, Y, dY, dX: N×B (input) and M×B (output)
//
// With the default shortcut, the input itself: Y = body(X) + X, and the body must give its
// input's shape back. A shortcut layer (a 1×1 convolution with a stride, say) takes the block
// where the body changes the shape, and must change it alike. The VJP of the sum is the sum of
// the two branches' VJPs: dX = body.backward(dY) + shortcut.backward(dY) (+ dY itself for the
// identity), each branch writing its own parameters' gradients. The tensors are named as a
// PyTorch module holding the branches as `body` and `shortcut` names them:
// "layers.3.body.layers.0.weight", "layers.3.shortcut.weight".
template <Layer Body, class Shortcut = IdentityShortcut>
class Residual {
  static constexpr bool kIdentity = std::is_same_v<Shortcut, IdentityShortcut>;
  static constexpr Shape kShortcutInput = [] {
    if constexpr (kIdentity)
      return Body::output_shape;
    else
      return Shortcut::input_shape;
  }();
  static constexpr Shape kShortcutOutput = [] {
    if constexpr (kIdentity)
      return Body::input_shape;
    else
      return Shortcut::output_shape;
  }();
  static_assert(accepts(Body::input_shape, kShortcutInput) && accepts(kShortcutInput, Body::input_shape) &&
                    accepts(Body::output_shape, kShortcutOutput) && accepts(kShortcutOutput, Body::output_shape),
                "Residual: the body and the shortcut must take one shape and give one shape, for the two to be "
                "added (the identity shortcut gives its input)");

 public:
  using Scalar = typename Body::Scalar;
  static_assert(
      [] {
        if constexpr (kIdentity)
          return true;
        else
          return std::is_same_v<typename Shortcut::Scalar, Scalar>;
      }(),
      "Residual: the body and the shortcut must use the same scalar type");
  static constexpr Shape input_shape = resolve(Body::input_shape, kShortcutInput);
  static constexpr Shape output_shape = resolve(Body::output_shape, kShortcutOutput);

  explicit Residual(Rng& rng) : body_(make_layer<Body>(rng)), shortcut_(make_layer<Shortcut>(rng)) {}
  Residual(Rng& rng, Init init) : body_(make_layer<Body>(rng, init)), shortcut_(make_layer<Shortcut>(rng, init)) {}
  explicit Residual(WithoutDrawing tag) : body_(make_layer<Body>(tag)), shortcut_(make_layer<Shortcut>(tag)) {}
  explicit Residual(Body body, Shortcut shortcut = {}) : body_(std::move(body)), shortcut_(std::move(shortcut)) {}

  const Matrix<Scalar>& forward(const Matrix<Scalar>& X) {
    const Matrix<Scalar>& body_output = body_.forward(X);
    const Matrix<Scalar>& shortcut_output = shortcut_forward(X);
    if (body_output.rows() != shortcut_output.rows() || body_output.cols() != shortcut_output.cols())
      throw Error(name() + ": the body gave " + dimensions(body_output.rows(), body_output.cols()) +
                  " and the shortcut " + dimensions(shortcut_output.rows(), shortcut_output.cols()));
    input_rows_ = X.rows();
    Y_.resize(body_output.rows(), body_output.cols());
    add(body_output, shortcut_output, Y_);
    return Y_;
  }

  const Matrix<Scalar>& backward(const Matrix<Scalar>& X, const Matrix<Scalar>& dY,
                                 const GradientTarget<Scalar>& target) {
    check_backward_arguments(name, X, input_rows_, dY, Y_);
    const Matrix<Scalar>& body_dX = body_.backward(X, dY, target);
    const Matrix<Scalar>& shortcut_dX = shortcut_backward(X, dY, target);
    if (!target.input_gradient) return no_input_gradient<Scalar>();
    dX_.resize(X.rows(), X.cols());
    add(body_dX, shortcut_dX, dX_);
    return dX_;
  }

  template <class Visitor>
  void visit_parameters(Visitor&& visit, const ParameterPath& path) {
    if constexpr (HasParameters<Body>) body_.visit_parameters(visit, path.with_name("body"));
    if constexpr (HasParameters<Shortcut>) shortcut_.visit_parameters(visit, path.with_name("shortcut"));
  }

  template <class Visitor>
  void visit_buffers(Visitor&& visit, const ParameterPath& path) {
    if constexpr (HasBuffers<Body>) body_.visit_buffers(visit, path.with_name("body"));
    if constexpr (HasBuffers<Shortcut>) shortcut_.visit_buffers(visit, path.with_name("shortcut"));
  }

  void set_mode(Mode mode) {
    jiggle::set_mode(body_, mode);
    if constexpr (!kIdentity) jiggle::set_mode(shortcut_, mode);
  }
  void set_precision(Precision precision) {
    jiggle::set_precision(body_, precision);
    if constexpr (!kIdentity) jiggle::set_precision(shortcut_, precision);
  }
  void set_process_group(const ProcessGroup* group) {
    jiggle::set_process_group(body_, group);
    if constexpr (!kIdentity) jiggle::set_process_group(shortcut_, group);
  }

  Body& body() { return body_; }
  const Body& body() const { return body_; }
  Shortcut& shortcut() { return shortcut_; }
  const Shortcut& shortcut() const { return shortcut_; }

  static std::string name() { return "Residual"; }

 private:
  const Matrix<Scalar>& shortcut_forward(const Matrix<Scalar>& X) {
    if constexpr (kIdentity)
      return X;
    else
      return shortcut_.forward(X);
  }

  // The identity's VJP is dY itself: nothing to compute.
  const Matrix<Scalar>& shortcut_backward(const Matrix<Scalar>& X, const Matrix<Scalar>& dY,
                                          const GradientTarget<Scalar>& target) {
    if constexpr (kIdentity)
      return dY;
    else
      return shortcut_.backward(X, dY, target);
  }

  // sum ← a + b, element-wise, shared among the threads as the other element-wise layers share.
  static void add(const Matrix<Scalar>& a, const Matrix<Scalar>& b, Matrix<Scalar>& sum) {
    const Scalar* x = a.data();
    const Scalar* y = b.data();
    Scalar* z = sum.data();
    kernels::run_elementwise(a.size(), [&](Index first, Index last) {
      JIGGLE_OMP(simd)
      for (Index i = first; i < last; ++i) z[i] = x[i] + y[i];
    });
  }

  Body body_;
  [[no_unique_address]] Shortcut shortcut_;
  Index input_rows_ = 0;
  Matrix<Scalar> Y_;
  Matrix<Scalar> dX_;
};

}  // namespace jiggle
