// mnist: trains a network on MNIST and reports the test accuracy; or, from saved weights,
// evaluates them or classifies one image. `mnist --help` lists the flags, `mnist --list-configs`
// the recipes and networks.
#include <chrono>
#include <cstdio>
#include <new>
#include <type_traits>

#include "jiggle/jiggle.hpp"
#include "mnist_options.hpp"
#include "mnist_report.hpp"
#include "networks.hpp"
#include "training_run.hpp"

namespace {

// The whole program for one network: model → (load) → data → train → save → report.
template <class Model>
int run(const TrainingOptions& options, const NetworkInfo& network) {
  const auto scaling = options.standardize ? jiggle::PixelScaling::standardized(jiggle::kMnistPixelStatistics)
                                           : jiggle::PixelScaling::unit_interval();
  jiggle::Rng rng(options.seed);
  Model model = options.init ? Model(rng, *options.init) : Model(rng);
  if (options.load) jiggle::load_safetensors(model, *options.load);
  if (options.predict) return predict(model, *options.predict, scaling);

  jiggle::Mnist mnist = jiggle::load_mnist(options.data);
  if (options.subset) mnist.train.keep_first(options.subset);
  if (options.evaluate_only) {
    jiggle::Batches<float> test(mnist.test, kEvaluationBatch, jiggle::Order::sequential, 0, scaling);
    const jiggle::Evaluation result = jiggle::evaluate(model, test);
    if (!options.quiet) print_confusion(result);
    print_accuracy(result);
    return 0;
  }
  // Destinations are checked before the run, not after it.
  if (options.save) jiggle::check_writable_destination(*options.save);
  if (writes_checkpoints(options)) jiggle::check_writable_destination(checkpoint_path(options));
  if (!options.quiet) print_configuration(options, network, mnist, jiggle::parameter_count(model));
  const auto run_started = std::chrono::steady_clock::now();
  const RunOutcome outcome = train_with_chosen_optimizer(model, network, options, mnist.train, mnist.test, scaling);
  if (!outcome.result) return outcome.exit_code;
  if (options.save) jiggle::save_safetensors(model, *options.save);
  if (!options.quiet) print_totals(run_started);
  print_accuracy(*outcome.result);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const TrainingOptions options = parse_command_line(argc, argv);
  try {
    if (options.threads) jiggle::set_thread_count(*options.threads);
    return with_network(options.config.network, [&]<class Model>(std::type_identity<Model>, const NetworkInfo& info) {
      return run<Model>(options, info);
    });
  } catch (const jiggle::Error& error) {
    std::fflush(stdout);
    std::fprintf(stderr, "mnist: %s\n", error.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fflush(stdout);
    std::fprintf(stderr, "mnist: out of memory\n");
    return 1;
  }
}
