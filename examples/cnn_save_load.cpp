// cnn_save_load: a small CNN trained on part of MNIST, saved, loaded into a new model, and used
// to classify test images.
//   cnn_save_load [MNIST_FOLDER] [WEIGHTS_FILE]
// WEIGHTS_FILE (cnn.safetensors unless given) is a safetensors file: PyTorch's
// safetensors.torch.load_file reads it, its tensors named as nn.Sequential names the same stack.
// Exits 0 only if the loaded model classifies every test image as the trained one does.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <jiggle/jiggle.hpp>
#include <string>

template <class T = float>
using SmallCnn = jiggle::Chain<jiggle::Conv2D<jiggle::Shape{1, 28, 28}, 8, 3, 1, jiggle::Padding::same, T>,
                               jiggle::BatchNormReLU<8, T>, jiggle::MaxPool2D<jiggle::Shape{8, 28, 28}, 2, 2, T>,
                               jiggle::Flatten<jiggle::Shape{8, 14, 14}, T>, jiggle::Dense<8 * 14 * 14, 10, T>>;

// The digit the model sees in column `column` of X, in evaluation mode.
template <class Model>
jiggle::Index predict(Model& model, const jiggle::Matrix<float>& X, jiggle::Index column) {
  jiggle::set_mode(model, jiggle::Mode::evaluation);
  jiggle::Index digit = 0;
  model.forward(X).col(column).maxCoeff(&digit);
  return digit;
}

int main(int argc, char** argv) {
  try {
    const std::string folder = argc > 1 ? argv[1] : "data/mnist";
    const std::string weights = argc > 2 ? argv[2] : "cnn.safetensors";

    jiggle::Mnist mnist = jiggle::load_mnist(folder);
    mnist.train.keep_first(6400);  // a part of the training set: 50 steps of 128
    jiggle::Batches<float> batches(mnist.train, 128, jiggle::Order::shuffled, /*seed*/ 1);
    jiggle::Batches<float> test_batches(mnist.test, 1000, jiggle::Order::sequential);

    jiggle::Rng rng(0);
    SmallCnn<> trained(rng);
    jiggle::SoftmaxCrossEntropy<float> loss;
    jiggle::Adam<float> adam({.learning_rate = 0.002});
    jiggle::train_epoch(trained, loss, adam, batches);
    const jiggle::Evaluation before = jiggle::evaluate(trained, test_batches);
    jiggle::save_safetensors(trained, weights);

    SmallCnn<> loaded(jiggle::without_drawing);  // zeros, until the file replaces every one
    jiggle::load_safetensors(loaded, weights);
    const jiggle::Evaluation after = jiggle::evaluate(loaded, test_batches);
    std::printf("test accuracy: trained %.2f%%, loaded from %s %.2f%%\n", 100.0 * before.accuracy(), weights.c_str(),
                100.0 * after.accuracy());

    const auto& first_batch = test_batches.batch(0);
    std::printf("the first test image is a %d; the loaded model says %td\n", first_batch.targets[0],
                predict(loaded, first_batch.inputs, 0));
    return after.confusion_counts() == before.confusion_counts() ? EXIT_SUCCESS : EXIT_FAILURE;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "cnn_save_load: %s\n", error.what());
    return EXIT_FAILURE;
  }
}
