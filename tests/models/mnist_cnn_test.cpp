#include "jiggle/models/mnist_cnn.hpp"

#include <string>
#include <vector>

#include "jiggle/losses/softmax_cross_entropy.hpp"
#include "jiggle/optim/sgd.hpp"
#include "jiggle/train/train_step.hpp"
#include "support/catch.hpp"
#include "support/random_matrix.hpp"

namespace {

template <class Model>
std::vector<std::string> tensors_of(Model& model) {
  std::vector<std::string> tensors;
  jiggle::visit_parameters(
      model, [&](jiggle::Parameter<float>& p) { tensors.push_back(p.path.to_string() + p.shape.to_string()); });
  jiggle::visit_buffers(model,
                        [&](jiggle::Buffer<float>& b) { tensors.push_back(b.path.to_string() + b.shape.to_string()); });
  return tensors;
}

// Five plain SGD steps on one fixed batch must lower its loss clearly.
template <class Model>
void check_it_learns(Model& model) {
  const jiggle::Matrix<float> images = (random_matrix<float>(784, 16, 1).array().abs() * 0.3f).min(1.0f).matrix();
  std::vector<std::int32_t> labels(16);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::int32_t>(i % 10);
  jiggle::SoftmaxCrossEntropy<float> loss;
  jiggle::Sgd<float> sgd(0.1);
  const double first = jiggle::train_step(model, loss, sgd, images, labels).mean;
  for (int step = 1; step < 5; ++step) jiggle::train_step(model, loss, sgd, images, labels);
  const double last = loss.forward(model.forward(images), labels);
  INFO("loss " << first << " -> " << last);
  REQUIRE(last < first - 0.1);
}

}  // namespace

TEST_CASE("cnn-nobn: 3,489,130 parameters named as nn.Sequential names them", "[mnist_cnn]") {
  STATIC_REQUIRE(jiggle::MnistCnn<>::input_shape == jiggle::Shape{1, 28, 28});
  STATIC_REQUIRE(jiggle::MnistCnn<>::output_shape == jiggle::vector_shape(10));
  jiggle::Rng rng(0);
  jiggle::MnistCnn<> model(rng);
  REQUIRE(jiggle::parameter_count(model) == 3'489'130);
  REQUIRE(tensors_of(model) == std::vector<std::string>{"layers.0.weight[32, 1, 3, 3]", "layers.0.bias[32]",
                                                        "layers.2.weight[32, 32, 3, 3]", "layers.2.bias[32]",
                                                        "layers.6.weight[512, 6272]", "layers.6.bias[512]",
                                                        "layers.8.weight[512, 512]", "layers.8.bias[512]",
                                                        "layers.10.weight[10, 512]", "layers.10.bias[10]"});
}

TEST_CASE("cnn-bn: 1,676,650 parameters and the running statistics of four batch norms", "[mnist_cnn]") {
  STATIC_REQUIRE(jiggle::MnistCnnBn<>::output_shape == jiggle::vector_shape(10));
  jiggle::Rng rng(0);
  jiggle::MnistCnnBn<> model(rng);
  REQUIRE(jiggle::parameter_count(model) == 1'676'650);
  const auto tensors = tensors_of(model);
  REQUIRE(tensors.size() == 12 * 2 - 4 + 8);
  REQUIRE(tensors[0] == "layers.0.weight[32, 1, 3, 3]");
  REQUIRE(tensors[2] == "layers.1.weight[32]");
  REQUIRE(tensors[8] == "layers.7.weight[64, 32, 3, 3]");
  REQUIRE(tensors[12] == "layers.10.weight[64, 64, 3, 3]");
  REQUIRE(tensors[16] == "layers.15.weight[512, 3136]");
  REQUIRE(tensors[20] == "layers.1.running_mean[32]");
  REQUIRE(tensors[27] == "layers.11.running_var[64]");
}

TEST_CASE("width-cnn-f8 and -f64 have the sizes of their reference rows", "[mnist_cnn]") {
  jiggle::Rng rng(0);
  jiggle::MnistWidthCnn<8> narrow(rng);
  jiggle::MnistWidthCnn<64> wide(rng);
  REQUIRE(jiggle::parameter_count(narrow) == 202'786);
  REQUIRE(jiggle::parameter_count(wide) == 1'644'618);
}

// The reference's cnn-lite-bn has 150,410: its convolutions before batch norm carry no bias.
TEST_CASE("cnn-lite: 150,154 parameters, and 150,666 with batch norm, named as nn.Sequential names them",
          "[mnist_cnn]") {
  STATIC_REQUIRE(jiggle::MnistCnnLite<>::output_shape == jiggle::vector_shape(10));
  jiggle::Rng rng(0);
  jiggle::MnistCnnLite<> plain(rng);
  REQUIRE(jiggle::parameter_count(plain) == 150'154);
  REQUIRE(tensors_of(plain) == std::vector<std::string>{"layers.0.weight[128, 1, 3, 3]", "layers.0.bias[128]",
                                                        "layers.2.weight[128, 128, 3, 3]", "layers.2.bias[128]",
                                                        "layers.7.weight[10, 128]", "layers.7.bias[10]"});
  jiggle::MnistCnnLiteBn<> normalised(rng);
  REQUIRE(jiggle::parameter_count(normalised) == 150'666);
  const auto tensors = tensors_of(normalised);
  REQUIRE(tensors[2] == "layers.1.weight[128]");
  REQUIRE(tensors[8] == "layers.9.weight[10, 128]");
}

TEST_CASE("cnn-nobn and cnn-bn learn a fixed batch with plain SGD", "[mnist_cnn][train]") {
  jiggle::Rng rng(2);
  jiggle::MnistCnn<> plain(rng);
  check_it_learns(plain);
  jiggle::MnistCnnBn<> normalised(rng);
  check_it_learns(normalised);
}
