// A user's program that computes in double alone, as one that checks gradients against another
// framework's does: a small MLP in double, trained a few steps on synthetic data. It multiplies
// no float matrix, so it should not pay to compile the float kernels (bench/user_compile.sh).
// Exit 0 only if the loss went down.
#include <cstdio>
#include <jiggle/jiggle.hpp>
#include <vector>

int main() {
  using Model = jiggle::Chain<jiggle::Dense<64, 32, double>, jiggle::ReLU<double>, jiggle::Dense<32, 10, double>>;
  jiggle::Rng rng(0);
  Model model(rng);
  jiggle::SoftmaxCrossEntropy<double> loss;
  jiggle::Sgd<double> sgd(0.1);

  // 50 samples whose class is the brightest of ten bands of features.
  jiggle::Matrix<double> samples = jiggle::Matrix<double>::Zero(64, 50);
  std::vector<std::int32_t> labels(50);
  for (jiggle::Index column = 0; column < 50; ++column) {
    labels[static_cast<std::size_t>(column)] = static_cast<std::int32_t>(column % 10);
    samples.col(column).segment(6 * (column % 10), 6).setOnes();
  }

  const double first = jiggle::train_step(model, loss, sgd, samples, labels).mean;
  double last = first;
  for (int step = 1; step < 50; ++step) last = jiggle::train_step(model, loss, sgd, samples, labels).mean;
  std::printf("loss %.4f -> %.4f over 50 steps\n", first, last);
  return last < 0.5 * first ? 0 : 1;
}
