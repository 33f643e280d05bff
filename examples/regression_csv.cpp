// regression_csv: a network fitted to data of your own. Writes noisy samples of
// y = sin(3·x₁)·x₂ + x₂²/2 as two CSV files, reads them back as in-memory data, fits an MLP with
// mean squared error and reports the test error against the targets' own variance.
//   regression_csv [FOLDER] [EPOCHS]
// FOLDER receives train.csv and test.csv (default: the current folder); EPOCHS is 40 unless given.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <jiggle/jiggle.hpp>
#include <string>
#include <utility>

namespace {

// `count` samples x₁, x₂ ~ U(−1, 1) with their target and noise of deviation 0.02, one per line.
void write_samples(const std::filesystem::path& path, int count, jiggle::Rng& rng) {
  jiggle::write_file_atomically(path, [&](jiggle::FileWriter& out) {
    out.write("x1,x2,y\n");
    for (int i = 0; i < count; ++i) {
      const double x1 = rng.uniform(-1.0, 1.0);
      const double x2 = rng.uniform(-1.0, 1.0);
      const double y = std::sin(3.0 * x1) * x2 + 0.5 * x2 * x2 + 0.02 * rng.normal();
      out.write(std::to_string(x1) + "," + std::to_string(x2) + "," + std::to_string(y) + "\n");
    }
  });
}

using Regressor =
    jiggle::Chain<jiggle::Dense<2, 64>, jiggle::ReLU<>, jiggle::Dense<64, 64>, jiggle::ReLU<>, jiggle::Dense<64, 1>>;

// The mean squared error over every test sample, and the variance of the targets around their mean:
// the error a model that always answers the mean would make.
std::pair<double, double> test_error(Regressor& model, const jiggle::RegressionData& test) {
  jiggle::Batches<float, jiggle::RegressionData> batches(test, 500, jiggle::Order::sequential);
  double squared_error = 0.0, sum = 0.0, sum_of_squares = 0.0;
  for (jiggle::Index b = 0; b < batches.count(); ++b) {
    const auto& batch = batches.batch(b);
    squared_error += (model.forward(batch.inputs) - batch.targets).squaredNorm();
    sum += batch.targets.sum();
    sum_of_squares += batch.targets.squaredNorm();
  }
  const auto n = static_cast<double>(test.size());
  return {squared_error / n, sum_of_squares / n - (sum / n) * (sum / n)};
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::filesystem::path folder = argc > 1 ? argv[1] : ".";
    const int epochs = argc > 2 ? std::stoi(argv[2]) : 40;
    jiggle::Rng rng(0);
    write_samples(folder / "train.csv", 4000, rng);
    write_samples(folder / "test.csv", 1000, rng);

    const jiggle::RegressionData train = jiggle::read_csv_regression(folder / "train.csv", {.header = true});
    const jiggle::RegressionData test = jiggle::read_csv_regression(folder / "test.csv", {.header = true});
    Regressor model(rng);
    jiggle::MeanSquaredError<float> loss;
    jiggle::Adam<float> adam({.learning_rate = 3e-3});
    jiggle::Batches<float, jiggle::RegressionData> batches(train, 32, jiggle::Order::shuffled, /*seed*/ 1);

    for (int epoch = 1; epoch <= epochs; ++epoch) {
      const double mean_loss = jiggle::train_epoch(model, loss, adam, batches);
      if (epoch == 1 || epoch == epochs) std::printf("epoch %d: loss %.5f\n", epoch, mean_loss);
    }
    const auto [error, variance] = test_error(model, test);
    std::printf("test mean squared error %.5f, %.1f%% of the targets' variance %.5f\n", error, 100.0 * error / variance,
                variance);
    return EXIT_SUCCESS;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "regression_csv: %s\n", error.what());
    return EXIT_FAILURE;
  }
}
