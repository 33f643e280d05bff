// mnist_mlp: trains the MLP 784 → 512 → 512 → 10 on MNIST and reports the test accuracy; or,
// from saved weights, evaluates them or classifies one image. `mnist_mlp --help` lists the flags.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <variant>

#include "jiggle/jiggle.hpp"
#include "mnist_mlp_options.hpp"

namespace {

using Optimizer = std::variant<jiggle::Sgd<float>, jiggle::Adam<float>>;

Optimizer make_optimizer(const TrainingConfig& c) {
  if (c.optimizer == "adam")
    return jiggle::Adam<float>({.learning_rate = c.learning_rate, .weight_decay = c.weight_decay});
  return jiggle::Sgd<float>({.learning_rate = c.learning_rate,
                             .momentum = c.momentum,
                             .nesterov = c.nesterov,
                             .weight_decay = c.weight_decay});
}

void print_configuration(const TrainingOptions& options, const jiggle::Mnist& mnist) {
  std::printf("MNIST-MLP 784-512-512-10, ReLU, softmax cross-entropy: %lld params\n",
              static_cast<long long>(jiggle::MnistMlp<>::parameter_count()));
  print_training_config(options.config);
  std::printf("  seed %llu, threads %d, init %s, input %s\n", static_cast<unsigned long long>(options.seed),
              jiggle::thread_count(), jiggle::to_string(options.init).data(),
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

void print_accuracy(const jiggle::Evaluation& result) {
  std::printf("test accuracy: %lld/%lld = %.2f%%\n", static_cast<long long>(result.correct),
              static_cast<long long>(result.total), 100.0 * result.accuracy());
}

void print_confusion(const jiggle::Evaluation& result) {
  std::printf("confusion matrix (rows: true digit, columns: predicted)\n     ");
  for (int predicted = 0; predicted < 10; ++predicted) std::printf("%6d", predicted);
  std::printf("   accuracy\n");
  for (std::size_t truth = 0; truth < 10; ++truth) {
    std::printf("%4zu ", truth);
    jiggle::Index row_total = 0;
    for (const auto count : result.confusion[truth]) {
      std::printf("%6lld", static_cast<long long>(count));
      row_total += count;
    }
    const double accuracy =
        row_total ? static_cast<double>(result.confusion[truth][truth]) / static_cast<double>(row_total) : 0.0;
    std::printf("   %6.2f%%\n", 100.0 * accuracy);
  }
}

int predict(jiggle::MnistMlp<>& model, const TrainingOptions& options, const jiggle::PixelScaling& scaling) {
  const jiggle::GreyImage image = jiggle::read_pgm(*options.predict);
  if (image.rows != 28 || image.cols != 28)
    throw jiggle::Error(options.predict->string() + ": is " + std::to_string(image.cols) + "x" +
                        std::to_string(image.rows) + " pixels, the model reads 28x28");
  jiggle::Matrix<float> pixels(784, 1);
  for (jiggle::Index p = 0; p < 784; ++p)
    pixels(p, 0) = static_cast<float>(image.pixels[static_cast<std::size_t>(p)]) * scaling.scale + scaling.shift;
  const jiggle::Matrix<float>& logits = model.forward(pixels);
  const jiggle::Matrix<float> probabilities = (logits.array() - logits.maxCoeff()).exp().matrix();
  const float total = probabilities.sum();
  jiggle::Index digit = 0;
  probabilities.col(0).maxCoeff(&digit);
  std::printf("digit: %lld\n", static_cast<long long>(digit));
  for (jiggle::Index d = 0; d < 10; ++d)
    std::printf("  %lld: %.6f\n", static_cast<long long>(d), probabilities(d, 0) / total);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const TrainingOptions options = parse_command_line(argc, argv);
  const TrainingConfig& config = options.config;
  try {
    if (options.threads) jiggle::set_thread_count(*options.threads);
    const auto scaling = options.standardize ? jiggle::PixelScaling::standardized() : jiggle::PixelScaling{};

    // Model: fresh from the seed, or the weights of an earlier run.
    jiggle::Rng rng(options.seed);
    jiggle::MnistMlp<> model(jiggle::Dense<784, 512>(rng, options.init), jiggle::ReLU<>(),
                             jiggle::Dense<512, 512>(rng, options.init), jiggle::ReLU<>(),
                             jiggle::Dense<512, 10>(rng, options.init));
    if (options.load) jiggle::load_safetensors(model, *options.load);
    if (options.predict) return predict(model, options, scaling);

    // Data: uint8 images in memory, float batches on demand.
    const jiggle::Mnist mnist = jiggle::load_mnist(options.data);
    jiggle::Batches test(mnist.test, 1000, jiggle::Order::sequential, 0, scaling);
    if (options.evaluate_only) {
      const jiggle::Evaluation result = jiggle::evaluate(model, test);
      print_confusion(result);
      print_accuracy(result);
      return 0;
    }
    jiggle::Batches training(mnist.train, config.batch_size, jiggle::Order::shuffled, options.seed + 1, scaling);
    training.set_augmentation({.max_shift = config.augment_shift});

    // Loss, optimiser and the learning rate of every step.
    jiggle::SoftmaxCrossEntropy<float> loss(config.label_smoothing);
    Optimizer optimizer = make_optimizer(config);
    const jiggle::LearningRateSchedule schedule{.base = config.learning_rate,
                                                .total_steps = training.count() * config.epochs,
                                                .warmup_steps = training.count() * config.warmup_epochs,
                                                .cosine = config.cosine};

    if (!options.quiet) print_configuration(options, mnist);
    std::ofstream log = open_log(options);
    jiggle::ProgressLine progress(!options.quiet && isatty(STDOUT_FILENO));

    // The loop: train an epoch, then measure on all 10,000 test images.
    jiggle::Evaluation result;
    jiggle::Index step = 0;
    const auto run_started = std::chrono::steady_clock::now();
    for (int epoch = 1; epoch <= config.epochs; ++epoch) {
      const auto started = std::chrono::steady_clock::now();
      progress.start_epoch();
      const double train_loss = std::visit(
          [&](auto& chosen) {
            chosen.set_learning_rate(schedule.at(step));
            return jiggle::train_epoch(model, loss, chosen, training, [&](const jiggle::BatchReport& report) {
              progress(report);
              chosen.set_learning_rate(schedule.at(++step));
            });
          },
          optimizer);
      progress.finish_epoch();
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      result = jiggle::evaluate(model, test);
      if (!options.quiet)
        std::printf("Epoch %2d/%d: loss=%.6f lr=%g test=%.2f%% (%.0fms)\n", epoch, config.epochs, train_loss,
                    schedule.at(step - 1), 100.0 * result.accuracy(), 1000.0 * seconds);
      if (log) log << epoch << ',' << train_loss << ',' << result.accuracy() << ',' << seconds << std::endl;
    }
    if (options.save) jiggle::save_safetensors(model, *options.save);

    if (!options.quiet) {
      const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - run_started).count();
      std::printf("total: %.1f s, peak memory: %.0f MB\n", total,
                  static_cast<double>(jiggle::peak_resident_bytes()) / 1e6);
    }
    print_accuracy(result);
    return 0;
  } catch (const jiggle::Error& error) {
    std::fflush(stdout);
    std::fprintf(stderr, "mnist_mlp: %s\n", error.what());
    return 1;
  }
}
