// mnist_mlp: trains the MLP 784 → 512 → 512 → 10 on MNIST with plain SGD and reports the test
// accuracy. `mnist_mlp --help` lists the flags; defaults are lr 0.1, batch 128, 12 epochs.
#include <chrono>
#include <cstdio>
#include <fstream>

#include "jiggle/jiggle.hpp"
#include "mnist_mlp_options.hpp"

namespace {

void print_configuration(const TrainingOptions& options, const jiggle::Mnist& mnist) {
  std::printf("MNIST-MLP 784-512-512-10, ReLU, softmax cross-entropy: %lld params\n",
              static_cast<long long>(jiggle::MnistMlp<>::parameter_count()));
  std::printf("  optimizer: SGD, lr: %f, batch: %d, epochs: %d, seed: %llu, threads: %d\n", options.learning_rate,
              options.batch_size, options.epochs, static_cast<unsigned long long>(options.seed),
              jiggle::thread_count());
  std::printf("  init: %s, input: %s\n", jiggle::to_string(options.init).data(),
              options.standardize ? "(x/255 - 0.1307) / 0.3081" : "x/255");
  std::printf("  data: %s (%zu train, %zu test images)\n", options.data.c_str(), mnist.train.size(), mnist.test.size());
}

std::ofstream open_log(const TrainingOptions& options) {
  std::ofstream log;
  if (!options.log) return log;
  log.open(*options.log);
  if (!log) throw jiggle::Error(options.log->string() + ": cannot open the log for writing");
  log << "epoch,train_loss,test_accuracy,seconds\n";
  return log;
}

}  // namespace

int main(int argc, char** argv) {
  const TrainingOptions options = parse_command_line(argc, argv);
  try {
    if (options.threads) jiggle::set_thread_count(*options.threads);
    const auto scaling = options.standardize ? jiggle::PixelScaling::standardized() : jiggle::PixelScaling{};

    // Data: uint8 images in memory, float batches on demand.
    const jiggle::Mnist mnist = jiggle::load_mnist(options.data);
    jiggle::Batches training(mnist.train, options.batch_size, jiggle::Order::shuffled, options.seed + 1, scaling);
    jiggle::Batches test(mnist.test, 1000, jiggle::Order::sequential, 0, scaling);

    // Model, loss and optimiser.
    jiggle::Rng rng(options.seed);
    jiggle::MnistMlp<> model(jiggle::Dense<784, 512>(rng, options.init), jiggle::ReLU<>(),
                             jiggle::Dense<512, 512>(rng, options.init), jiggle::ReLU<>(),
                             jiggle::Dense<512, 10>(rng, options.init));
    jiggle::SoftmaxCrossEntropy<float> loss;
    jiggle::Sgd sgd(options.learning_rate);

    if (!options.quiet) print_configuration(options, mnist);
    std::ofstream log = open_log(options);
    jiggle::ProgressLine progress(!options.quiet && isatty(STDOUT_FILENO));

    // The loop: train an epoch, then measure on all 10,000 test images.
    jiggle::Evaluation result;
    const auto run_started = std::chrono::steady_clock::now();
    for (int epoch = 1; epoch <= options.epochs; ++epoch) {
      const auto started = std::chrono::steady_clock::now();
      progress.start_epoch();
      const double train_loss = jiggle::train_epoch(model, loss, sgd, training, progress);
      progress.finish_epoch();
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      result = jiggle::evaluate(model, test);
      if (!options.quiet)
        std::printf("Epoch %2d/%d: loss=%.6f test=%.2f%% (%.0fms)\n", epoch, options.epochs, train_loss,
                    100.0 * result.accuracy(), 1000.0 * seconds);
      if (log) log << epoch << ',' << train_loss << ',' << result.accuracy() << ',' << seconds << std::endl;
    }

    if (!options.quiet) {
      const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - run_started).count();
      std::printf("total: %.1f s, peak memory: %.0f MB\n", total,
                  static_cast<double>(jiggle::peak_resident_bytes()) / 1e6);
    }
    std::printf("test accuracy: %lld/%lld = %.2f%%\n", static_cast<long long>(result.correct),
                static_cast<long long>(result.total), 100.0 * result.accuracy());
    return 0;
  } catch (const jiggle::Error& error) {
    std::fflush(stdout);
    std::fprintf(stderr, "mnist_mlp: %s\n", error.what());
    return 1;
  }
}
