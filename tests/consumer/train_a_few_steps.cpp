// What a user's program does with jiggle: build the flagship MLP, train it a few steps on
// synthetic data, and check that the loss went down. Exit 0 only if it did.
#include <cstdio>
#include <jiggle/jiggle.hpp>
#include <vector>

int main() {
  jiggle::Rng rng(0);
  jiggle::MnistMlp<> model(rng);
  jiggle::SoftmaxCrossEntropy<float> loss;
  jiggle::Sgd sgd(0.05);

  // 64 images whose class is the brightest of ten pixel bands.
  jiggle::Matrix<float> images = jiggle::Matrix<float>::Zero(784, 64);
  std::vector<std::int32_t> labels(64);
  for (jiggle::Index column = 0; column < 64; ++column) {
    labels[static_cast<std::size_t>(column)] = static_cast<std::int32_t>(column % 10);
    images.col(column).segment(78 * (column % 10), 78).setOnes();
  }

  const double first = jiggle::train_step(model, loss, sgd, images, labels).mean;
  double last = first;
  for (int step = 1; step < 20; ++step) last = jiggle::train_step(model, loss, sgd, images, labels).mean;
  std::printf("loss %.4f -> %.4f over 20 steps\n", first, last);
  return last < 0.5 * first ? 0 : 1;
}
