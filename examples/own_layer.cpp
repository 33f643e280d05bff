// own_layer: a layer of your own, its VJP derived by hand, checked against finite differences
// and trained inside a Chain like any built-in layer.
//   own_layer
// Prints both checks and the loss before and after training; exits 0 only if both checks pass
// and the loss falls by half.
#include <cstdio>
#include <cstdlib>
#include <jiggle/jiggle.hpp>
#include <vector>

// A per-feature gain and offset: y = a ⊙ x + c, for each sample (column) x.
// Its VJP: dX = a ⊙ dY, da = Σ over samples of dY ⊙ X, dc = Σ over samples of dY.
template <jiggle::Index Features, class T = float>
class Affine {
 public:
  using Scalar = T;
  static constexpr jiggle::Shape input_shape = jiggle::vector_shape(Features);
  static constexpr jiggle::Shape output_shape = jiggle::vector_shape(Features);

  explicit Affine(jiggle::Rng& rng) {
    for (jiggle::Index i = 0; i < Features; ++i) a(i) = static_cast<T>(1.0 + 0.1 * rng.normal());
  }

  const jiggle::Matrix<T>& forward(const jiggle::Matrix<T>& X) {
    Y_ = (X.array().colwise() * a.array()).colwise() + c.array();
    return Y_;
  }

  // The gradients go where the optimiser asks (its GradientTarget): into da and dc, or, for plain
  // SGD, straight into a and c. dX is computed first, from a before any step.
  const jiggle::Matrix<T>& backward(const jiggle::Matrix<T>& X, const jiggle::Matrix<T>& dY,
                                    const jiggle::GradientTarget<T>& target) {
    if (target.input_gradient) dX_ = dY.array().colwise() * a.array();
    const jiggle::Vector<T> gain_gradient = (dY.array() * X.array()).rowwise().sum();
    const jiggle::Vector<T> offset_gradient = dY.rowwise().sum();
    target.write(target.select(a, da), gain_gradient);
    target.write(target.select(c, dc), offset_gradient);
    return target.input_gradient ? dX_ : empty_;
  }

  // What optimisers, checkpoints and the gradient checker see.
  template <class Visitor>
  void visit_parameters(Visitor&& visit, const jiggle::ParameterPath& path) {
    jiggle::Parameter<T> gain(path.with_leaf("weight"), jiggle::TensorShape{Features}, a, da);
    visit(gain);
    jiggle::Parameter<T> offset(path.with_leaf("bias"), jiggle::TensorShape{Features}, c, dc);
    visit(offset);
  }

  jiggle::Vector<T> a = jiggle::Vector<T>::Ones(Features), c = jiggle::Vector<T>::Zero(Features);
  jiggle::Vector<T> da = jiggle::Vector<T>::Zero(Features), dc = jiggle::Vector<T>::Zero(Features);

 private:
  jiggle::Matrix<T> Y_, dX_, empty_;
};

int main() {
  // 1. The VJP against central differences, in double: every entry, then along a random direction.
  jiggle::Rng rng(0);
  Affine<5, double> checked(rng);
  jiggle::Matrix<double> X(5, 7);
  for (double& x : X.reshaped()) x = rng.uniform(-1.0, 1.0);
  const jiggle::GradcheckReport entries = jiggle::check_vjp(checked, X);
  const jiggle::GradcheckReport direction = jiggle::check_vjp_direction(checked, X);
  std::printf("entries: %s\ndirection: %s\n", entries.message().c_str(), direction.message().c_str());

  // 2. Trained in a Chain: 3 classes, each the sign pattern of two of the four inputs.
  using Model = jiggle::Chain<jiggle::Dense<4, 8>, Affine<8>, jiggle::ReLU<>, jiggle::Dense<8, 3>>;
  Model model(rng);
  jiggle::SoftmaxCrossEntropy<float> loss;
  jiggle::Adam<float> adam({.learning_rate = 0.01});
  jiggle::Matrix<float> inputs(4, 96);
  for (float& x : inputs.reshaped()) x = static_cast<float>(rng.uniform(-1.0, 1.0));
  std::vector<std::int32_t> labels(96);
  for (jiggle::Index j = 0; j < inputs.cols(); ++j)
    labels[static_cast<std::size_t>(j)] = inputs(0, j) > 0 ? (inputs(1, j) > 0 ? 2 : 1) : 0;

  const double first = jiggle::train_step(model, loss, adam, inputs, labels).mean;
  double last = first;
  for (int step = 1; step < 300; ++step) last = jiggle::train_step(model, loss, adam, inputs, labels).mean;
  std::printf("loss %.4f -> %.4f over 300 steps\n", first, last);
  return entries.passed && direction.passed && last < 0.5 * first ? EXIT_SUCCESS : EXIT_FAILURE;
}
