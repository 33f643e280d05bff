#include "jiggle/layer.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "jiggle/chain.hpp"
#include "jiggle/check/gradcheck.hpp"
#include "jiggle/checkpoint.hpp"
#include "jiggle/layers/dense.hpp"
#include "jiggle/layers/relu.hpp"
#include "jiggle/losses/softmax_cross_entropy.hpp"
#include "jiggle/optim/adam.hpp"
#include "jiggle/optim/sgd.hpp"
#include "jiggle/train/evaluate.hpp"
#include "jiggle/train/train_epoch.hpp"
#include "support/catch.hpp"
#include "support/gradcheck_matchers.hpp"
#include "support/random_matrix.hpp"

using jiggle::Matrix;

namespace {

// A layer written as a user would write one, outside the library: only what the Layer concept
// requires. Y = tanh(X), dX = dY ⊙ (1 − Y²).
template <class T>
class Tanh {
 public:
  using Scalar = T;
  static constexpr jiggle::Shape input_shape = jiggle::kAnyShape;
  static constexpr jiggle::Shape output_shape = jiggle::kAnyShape;

  const Matrix<T>& forward(const Matrix<T>& X) {
    Y_ = X.array().tanh().matrix();
    return Y_;
  }

  const Matrix<T>& backward(const Matrix<T>&, const Matrix<T>& dY, const jiggle::GradientTarget<T>&) {
    dX_ = (dY.array() * (T(1) - Y_.array().square())).matrix();
    return dX_;
  }

 private:
  Matrix<T> Y_, dX_;
};

// A user's layer with a buffer and modes: Y = X − m, where m is the running mean of the batch
// means seen in training mode (momentum 0.5), used as is in evaluation mode.
template <class T>
class Recentre {
 public:
  using Scalar = T;
  static constexpr jiggle::Shape input_shape = jiggle::vector_shape(2);
  static constexpr jiggle::Shape output_shape = jiggle::vector_shape(2);

  const Matrix<T>& forward(const Matrix<T>& X) {
    if (mode_ == jiggle::Mode::training) running_mean = T(0.5) * running_mean + T(0.5) * X.rowwise().mean();
    Y_ = X.colwise() - running_mean;
    return Y_;
  }

  const Matrix<T>& backward(const Matrix<T>&, const Matrix<T>& dY, const jiggle::GradientTarget<T>&) { return dY; }

  template <class Visitor>
  void visit_buffers(Visitor&& visit, const jiggle::ParameterPath& path) {
    jiggle::Buffer<T> buffer(path.with_leaf("running_mean"), jiggle::TensorShape{2}, running_mean);
    visit(buffer);
  }

  void set_mode(jiggle::Mode mode) { mode_ = mode; }

  jiggle::Vector<T> running_mean = jiggle::Vector<T>::Zero(2);

 private:
  jiggle::Mode mode_ = jiggle::Mode::training;
  Matrix<T> Y_;
};

}  // namespace

TEST_CASE("ParameterPath names nested positions as nn.Sequential does", "[layer]") {
  const jiggle::ParameterPath root;
  REQUIRE(root.with_leaf("weight").to_string() == "weight");
  REQUIRE(root.with_position(2).with_leaf("bias").to_string() == "layers.2.bias");
  REQUIRE(root.with_position(0).with_position(4).with_leaf("weight").to_string() == "layers.0.layers.4.weight");
}

TEST_CASE("ParameterPath names the parts of a layer made of layers, between positions", "[layer]") {
  const jiggle::ParameterPath block = jiggle::ParameterPath{}.with_position(3);
  REQUIRE(block.with_name("shortcut").with_leaf("weight").to_string() == "layers.3.shortcut.weight");
  REQUIRE(block.with_name("body").with_position(1).with_leaf("running_var").to_string() ==
          "layers.3.body.layers.1.running_var");
  REQUIRE(jiggle::ParameterPath{}.with_name("encoder").with_name("norm").with_leaf("bias").to_string() ==
          "encoder.norm.bias");
}

TEST_CASE("ParameterPath refuses nesting deeper than it can hold", "[layer]") {
  jiggle::ParameterPath path;
  for (std::size_t depth = 0; depth < jiggle::ParameterPath::kMaxDepth; ++depth) path = path.with_position(1);
  REQUIRE_THROWS_WITH(path.with_position(1), Catch::Contains("nested deeper than 8"));
  REQUIRE_THROWS_WITH(path.with_name("body"), Catch::Contains("nested deeper than 8"));
}

TEST_CASE("The Layer concepts tell what each layer offers", "[layer]") {
  STATIC_REQUIRE(jiggle::Layer<jiggle::Dense<3, 2>>);
  STATIC_REQUIRE(jiggle::Layer<jiggle::ReLU<>>);
  STATIC_REQUIRE(jiggle::Layer<Tanh<double>>);
  STATIC_REQUIRE(jiggle::HasParameters<jiggle::Dense<3, 2>>);
  STATIC_REQUIRE_FALSE(jiggle::HasParameters<jiggle::ReLU<>>);
  STATIC_REQUIRE_FALSE(jiggle::HasParameters<Tanh<double>>);
  STATIC_REQUIRE(jiggle::HasBuffers<Recentre<double>>);
  STATIC_REQUIRE(jiggle::HasModes<Recentre<double>>);
  STATIC_REQUIRE_FALSE(jiggle::HasModes<jiggle::Dense<3, 2>>);
  STATIC_REQUIRE_FALSE(jiggle::Layer<int>);
}

TEST_CASE("A parameter's matrix must hold its logical shape", "[layer]") {
  Matrix<double> value(3, 4), gradient(3, 4);
  REQUIRE_NOTHROW(jiggle::Parameter<double>({}, jiggle::TensorShape{3, 2, 2}, value, gradient));
  REQUIRE_THROWS_WITH(jiggle::Parameter<double>(jiggle::ParameterPath{}.with_leaf("weight"), jiggle::TensorShape{4, 3},
                                                value, gradient),
                      Catch::Contains("weight: a 3×4 matrix cannot hold a tensor of shape [4, 3]"));
}

TEST_CASE("parameter_count counts what the visitor sees, and 0 for a layer without parameters", "[layer]") {
  jiggle::Rng rng(0);
  jiggle::Dense<3, 2> dense(rng);
  jiggle::ReLU<> relu;
  REQUIRE(jiggle::parameter_count(dense) == 8);
  REQUIRE(jiggle::parameter_count(relu) == 0);
  std::vector<std::string> names;
  jiggle::visit_parameters(relu, [&](jiggle::Parameter<float>& p) { names.push_back(p.path.to_string()); });
  REQUIRE(names.empty());
}

TEST_CASE("A user's own Tanh passes the gradient checker", "[layer][vjp]") {
  Tanh<double> tanh_layer;
  const Matrix<double> X = random_matrix(5, 3, 1);
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp(tanh_layer, X));
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(tanh_layer, X));
}

TEST_CASE("A user's own Tanh trains in a Chain through train_epoch with SGD and with Adam", "[layer][train]") {
  using Model = jiggle::Chain<jiggle::Dense<4, 8, double>, Tanh<double>, jiggle::Dense<8, 3, double>>;
  STATIC_REQUIRE(Model::output_shape == jiggle::vector_shape(3));
  // Class = the largest of the first three inputs.
  struct Source {
    struct Batch {
      Matrix<double> inputs;
      std::vector<std::int32_t> targets;
    } data;
    static jiggle::Index count() { return 1; }
    const Batch& batch(jiggle::Index) const { return data; }
    void next_epoch() {}
  } source;
  source.data.inputs = random_matrix(4, 64, 2);
  for (jiggle::Index c = 0; c < 64; ++c) {
    jiggle::Index largest = 0;
    source.data.inputs.col(c).head(3).maxCoeff(&largest);
    source.data.targets.push_back(static_cast<std::int32_t>(largest));
  }
  auto train = [&](auto optimizer) {
    jiggle::Rng rng(3);
    Model model(rng);
    jiggle::SoftmaxCrossEntropy<double> loss;
    const double first = jiggle::train_epoch(model, loss, optimizer, source);
    double last = first;
    for (int epoch = 0; epoch < 200; ++epoch) last = jiggle::train_epoch(model, loss, optimizer, source);
    INFO("loss " << first << " -> " << last);
    REQUIRE(last < 0.5 * first);
    REQUIRE(jiggle::evaluate(model, source).accuracy() > 0.8);
  };
  train(jiggle::Sgd<double>(0.5));
  train(jiggle::Adam<double>({.learning_rate = 0.02}));
}

TEST_CASE("A Chain passes the mode to every layer, and checkpoints carry buffers", "[layer][mode]") {
  jiggle::Rng rng(4);
  using Model = jiggle::Chain<jiggle::Dense<2, 2, double>, Recentre<double>>;
  Model model(rng);
  const Matrix<double> X = random_matrix(2, 5, 5);
  model.forward(X);
  const jiggle::Vector<double> after_training_forward = model.layer<1>().running_mean;
  REQUIRE(after_training_forward.norm() > 0.0);
  jiggle::set_mode(model, jiggle::Mode::evaluation);
  model.forward(X);
  REQUIRE(model.layer<1>().running_mean == after_training_forward);
  jiggle::set_mode(model, jiggle::Mode::training);
  model.forward(X);
  REQUIRE(model.layer<1>().running_mean != after_training_forward);

  std::vector<std::string> buffers;
  jiggle::visit_buffers(model, [&](jiggle::Buffer<double>& b) { buffers.push_back(b.path.to_string()); });
  REQUIRE(buffers == std::vector<std::string>{"layers.1.running_mean"});
  REQUIRE(jiggle::parameter_count(model) == 6);  // buffers are not parameters

  // Optimisers never see buffers: a step changes the weights and leaves the running mean alone.
  const jiggle::Vector<double> running_mean = model.layer<1>().running_mean;
  jiggle::Sgd<double> sgd({.learning_rate = 0.1, .momentum = 0.5});
  model.backward(X, random_matrix(2, 5, 6), jiggle::GradientTarget<double>::gradients());
  sgd.step(model);
  REQUIRE(model.layer<1>().running_mean == running_mean);

  const auto path = std::filesystem::temp_directory_path() / "jiggle-layer-test-buffers.safetensors";
  jiggle::save_safetensors(model, path);
  jiggle::Rng other_rng(9);
  Model loaded(other_rng);
  jiggle::load_safetensors(loaded, path);
  std::filesystem::remove(path);
  REQUIRE(loaded.layer<1>().running_mean == model.layer<1>().running_mean);
  REQUIRE(loaded.layer<0>().W == model.layer<0>().W);
}

TEST_CASE("A parameter is set from, and read back into, PyTorch's row-major layout", "[layer]") {
  std::vector<double> values(4 * 2 * 3 * 3);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i);

  // A Linear weight [Out, In] = [2, 3], row by row: W(o, i) = 3 o + i.
  Matrix<double> weight(2, 3), weight_gradient(2, 3);
  jiggle::Parameter<double> linear(jiggle::ParameterPath{}.with_leaf("weight"), jiggle::TensorShape{2, 3}, weight,
                                   weight_gradient);
  const std::vector<double> six(values.begin(), values.begin() + 6);
  jiggle::set_from_row_major(linear, six);
  REQUIRE(weight(0, 1) == 1.0);
  REQUIRE(weight(1, 0) == 3.0);
  REQUIRE(weight(1, 2) == 5.0);
  REQUIRE(jiggle::row_major_values(linear) == six);

  // A Conv2d weight [Cout, Cin, K, K], float from double values: W(o, (c K + y) K + x).
  Matrix<float> kernel(4, 18), kernel_gradient(4, 18);
  jiggle::Parameter<float> conv(jiggle::ParameterPath{}.with_leaf("weight"), jiggle::TensorShape{4, 2, 3, 3}, kernel,
                                kernel_gradient);
  jiggle::set_from_row_major(conv, values);
  REQUIRE(kernel(1, 0) == 18.0f);
  REQUIRE(kernel(2, (1 * 3 + 2) * 3 + 1) == static_cast<float>(2 * 18 + (1 * 3 + 2) * 3 + 1));

  REQUIRE_THROWS_WITH(jiggle::set_from_row_major(linear, values),
                      Catch::Contains("weight: 72 values given for a tensor of shape [2, 3], which holds 6"));
}
