// mnist_mlp: trains the MLP 784 → 512 → 512 → 10 on MNIST and reports the test accuracy; or,
// from saved weights, evaluates them or classifies one image. `mnist_mlp --help` lists the flags.
#include <chrono>
#include <cstdio>
#include <new>

#include "jiggle/jiggle.hpp"
#include "mnist_options.hpp"
#include "mnist_report.hpp"

namespace {

using Model = jiggle::MnistMlp<float>;

// Data → model → optimiser → loop: one epoch of training, then all 10,000 test images.
template <class Optimizer>
jiggle::Evaluation train(Model& model, Optimizer optimizer, const TrainingOptions& options, const jiggle::Mnist& mnist,
                         jiggle::PixelScaling scaling) {
  const TrainingConfig& config = options.config;
  jiggle::Batches<float> training(mnist.train, config.batch_size, jiggle::Order::shuffled, options.seed + 1, scaling);
  training.set_augmentation({.max_shift = config.augment_shift});
  jiggle::Batches<float> test(mnist.test, 1000, jiggle::Order::sequential, 0, scaling);
  jiggle::SoftmaxCrossEntropy<float> loss(config.label_smoothing);
  const jiggle::LearningRateSchedule schedule{.base = config.learning_rate,
                                              .total_steps = training.count() * config.epochs,
                                              .warmup_steps = training.count() * config.warmup_epochs,
                                              .cosine = config.cosine};
  EpochLog log(options);
  jiggle::Index step = 0;
  jiggle::Evaluation result;
  for (int epoch = 1; epoch <= config.epochs; ++epoch) {
    log.start_epoch();
    optimizer.set_learning_rate(schedule.at(step));
    const double train_loss = jiggle::train_epoch(model, loss, optimizer, training, [&](const auto& report) {
      log.progress(report);
      optimizer.set_learning_rate(schedule.at(++step));
    });
    log.stop_clock();
    result = jiggle::evaluate(model, test);
    log.finish_epoch(epoch, config.epochs, train_loss, schedule.at(step - 1), result);
  }
  log.close();
  return result;
}

jiggle::Evaluation train_with_chosen_optimizer(Model& model, const TrainingOptions& options, const jiggle::Mnist& mnist,
                                               jiggle::PixelScaling scaling) {
  const TrainingConfig& c = options.config;
  if (c.optimizer == "adam")
    return train(model, jiggle::Adam<float>({.learning_rate = c.learning_rate, .weight_decay = c.weight_decay}),
                 options, mnist, scaling);
  return train(model,
               jiggle::Sgd<float>({.learning_rate = c.learning_rate,
                                   .momentum = c.momentum,
                                   .nesterov = c.nesterov,
                                   .weight_decay = c.weight_decay}),
               options, mnist, scaling);
}

}  // namespace

int main(int argc, char** argv) {
  const TrainingOptions options = parse_command_line(argc, argv);
  try {
    if (options.threads) jiggle::set_thread_count(*options.threads);
    const auto scaling = options.standardize ? jiggle::PixelScaling::standardized(jiggle::kMnistPixelStatistics)
                                             : jiggle::PixelScaling::unit_interval();
    jiggle::Rng rng(options.seed);
    Model model(rng, options.init);
    if (options.load) jiggle::load_safetensors(model, *options.load);
    if (options.predict) return predict(model, *options.predict, scaling);

    const jiggle::Mnist mnist = jiggle::load_mnist(options.data);
    if (options.evaluate_only) {
      jiggle::Batches<float> test(mnist.test, 1000, jiggle::Order::sequential, 0, scaling);
      const jiggle::Evaluation result = jiggle::evaluate(model, test);
      if (!options.quiet) print_confusion(result);
      print_accuracy(result);
      return 0;
    }
    if (options.save) jiggle::check_writable_destination(*options.save);  // before the run, not after it
    if (!options.quiet) print_configuration(options, mnist, jiggle::parameter_count(model));
    const auto run_started = std::chrono::steady_clock::now();
    const jiggle::Evaluation result = train_with_chosen_optimizer(model, options, mnist, scaling);
    if (options.save) jiggle::save_safetensors(model, *options.save);
    if (!options.quiet) print_totals(run_started);
    print_accuracy(result);
    return 0;
  } catch (const jiggle::Error& error) {
    std::fflush(stdout);
    std::fprintf(stderr, "mnist_mlp: %s\n", error.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fflush(stdout);
    std::fprintf(stderr, "mnist_mlp: out of memory\n");
    return 1;
  }
}
