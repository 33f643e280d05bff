// residual_mnist: a small residual network trained on MNIST. Two stages of a convolution and a
// residual block, y = relu(x + bn(conv(relu(bn(conv(x)))))), each followed by 2×2 pooling; AdamW
// with a cosine schedule; images shifted by up to 2 pixels.
//   residual_mnist [MNIST_FOLDER] [EPOCHS] [TRAINING_IMAGES]
// EPOCHS is 6 unless given; TRAINING_IMAGES (default: all 60,000) trains on the first ones alone.
// Prints each epoch's loss and seconds, then the test accuracy.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <jiggle/jiggle.hpp>
#include <string>

namespace {

using jiggle::BatchNorm, jiggle::BatchNormReLU, jiggle::Chain, jiggle::Conv3x3Same, jiggle::ReLU, jiggle::Shape;

// conv, batch norm, ReLU, conv, batch norm, with its input added back, then a ReLU.
template <int C, int Size>
using ResidualBlock =
    Chain<jiggle::Residual<Chain<Conv3x3Same<C, C, Size>, BatchNormReLU<C>, Conv3x3Same<C, C, Size>, BatchNorm<C>>>,
          ReLU<>>;

using ResidualNetwork = Chain<Conv3x3Same<1, 16, 28>, BatchNormReLU<16>, ResidualBlock<16, 28>,   //
                              jiggle::MaxPool2D<Shape{16, 28, 28}, 2, 2>,                         //
                              Conv3x3Same<16, 32, 14>, BatchNormReLU<32>, ResidualBlock<32, 14>,  //
                              jiggle::MaxPool2D<Shape{32, 14, 14}, 2, 2>,                         //
                              jiggle::Flatten<Shape{32, 7, 7}>, jiggle::Dense<1568, 10>>;

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string folder = argc > 1 ? argv[1] : "data/mnist";
    const int epochs = argc > 2 ? std::stoi(argv[2]) : 6;
    jiggle::Mnist mnist = jiggle::load_mnist(folder);
    if (argc > 3) mnist.train.keep_first(std::stoul(argv[3]));

    jiggle::Rng rng(0);
    ResidualNetwork model(rng);
    jiggle::SoftmaxCrossEntropy<float> loss;
    jiggle::Adam<float> adam({.learning_rate = 2e-3, .weight_decay = 1e-4});
    jiggle::Batches<float> batches(mnist.train, 128, jiggle::Order::shuffled, /*seed*/ 1);
    batches.set_augmentation({.max_shift = 2});
    jiggle::Batches<float> test_batches(mnist.test, 500, jiggle::Order::sequential);
    const jiggle::LearningRateSchedule schedule{
        .base = adam.learning_rate(), .total_steps = epochs * batches.count(), .cosine = true};

    std::printf("%lld parameters\n", static_cast<long long>(jiggle::parameter_count(model)));
    jiggle::Index step = 0;
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      const auto started = std::chrono::steady_clock::now();
      const double mean_loss = jiggle::train_epoch(model, loss, adam, batches, [&](const jiggle::BatchReport&) {
        adam.set_learning_rate(std::max(schedule.at(++step), 1e-9));
      });
      const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - started;
      std::printf("epoch %d: loss %.4f, %.1f s\n", epoch, mean_loss, seconds.count());
    }
    const jiggle::Evaluation result = jiggle::evaluate(model, test_batches);
    std::printf("test accuracy: %.2f%%\n", 100.0 * result.accuracy());
    return EXIT_SUCCESS;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "residual_mnist: %s\n", error.what());
    return EXIT_FAILURE;
  }
}
