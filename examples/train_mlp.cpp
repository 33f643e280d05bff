// train_mlp: the MLP 784 → 512 → 512 → 10 trained on MNIST with the public API alone, as a
// program of your own would do it.
//   train_mlp [MNIST_FOLDER] [EPOCHS]
// MNIST_FOLDER holds the four MNIST files (data/fetch_mnist.sh fetches them); EPOCHS is 1 unless
// given. Prints each epoch's mean loss and the test accuracy; exits 1 with a message on an error.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <jiggle/jiggle.hpp>
#include <string>

int main(int argc, char** argv) {
  try {
    const std::string folder = argc > 1 ? argv[1] : "data/mnist";
    const int epochs = argc > 2 ? std::stoi(argv[2]) : 1;

    jiggle::Rng rng(0);
    jiggle::MnistMlp<> model(rng);
    jiggle::SoftmaxCrossEntropy<float> loss;
    jiggle::Sgd<float> sgd({.learning_rate = 0.1, .momentum = 0.9});

    const jiggle::Mnist mnist = jiggle::load_mnist(folder);
    jiggle::Batches<float> batches(mnist.train, 128, jiggle::Order::shuffled, /*seed*/ 1);
    jiggle::Batches<float> test_batches(mnist.test, 1000, jiggle::Order::sequential);

    for (int epoch = 1; epoch <= epochs; ++epoch) {
      const double mean_loss = jiggle::train_epoch(model, loss, sgd, batches);
      std::printf("epoch %d: loss %.4f\n", epoch, mean_loss);
    }
    const jiggle::Evaluation result = jiggle::evaluate(model, test_batches);
    std::printf("test accuracy: %.2f%%\n", 100.0 * result.accuracy());
    return EXIT_SUCCESS;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "train_mlp: %s\n", error.what());
    return EXIT_FAILURE;
  }
}
