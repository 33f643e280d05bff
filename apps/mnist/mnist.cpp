// mnist: trains rows of the ablation table (a network, a data set and a recipe each) on MNIST, or
// on CIFAR-10 for the reference's chapter-3 rows, and reports their test accuracy; or, from saved weights, evaluates
// them or classifies one image; or turns a results folder into a report. `mnist --help` lists the flags, `mnist --list`
// the rows.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <new>
#include <string>
#include <type_traits>

#include "ablation_report.hpp"
#include "jiggle/jiggle.hpp"
#include "mnist_options.hpp"
#include "mnist_report.hpp"
#include "networks.hpp"
#include "results_folder.hpp"
#include "training_run.hpp"
#ifdef JIGGLE_MNIST_MPI
#include <cstdlib>
#include <optional>

#include "jiggle/distributed/mpi_process_group.hpp"
#endif

namespace {

// The row's training and test images, from --data or MNIST's default folder, scaled as the row says.
jiggle::TrainAndTest load_data(const TrainingOptions& options, jiggle::PixelScaling scaling) {
  const bool cifar = options.config.data_set == "CIFAR-10";
  if (cifar && options.config.standardize)
    throw jiggle::Error("--scaling standard uses MNIST's pixel statistics; CIFAR-10's rows take x/255");
  jiggle::TrainAndTest data =
      cifar ? jiggle::load_cifar10(data_folder_of(options)) : jiggle::load_mnist(data_folder_of(options));
  data.train.scaling = scaling;
  data.test.scaling = scaling;
  return data;
}

// The whole program for one run: model → (load) → data → train → save → report.
template <class Model>
int run(const TrainingOptions& options, const NetworkInfo& network) {
  const TrainingConfig& config = options.config;
  const auto scaling = config.standardize ? jiggle::PixelScaling::standardized(jiggle::kMnistPixelStatistics)
                                          : jiggle::PixelScaling::unit_interval();
  jiggle::Rng rng(options.seed);
  Model model = config.init ? Model(rng, *config.init) : Model(rng);
  if (options.reference_draws) reference_draws::draw_weights(model);
  model.set_precision(options.precision);
  if (options.load) jiggle::load_safetensors(model, *options.load);
  if (options.predict) return predict(model, *options.predict, scaling);

  jiggle::TrainAndTest data = load_data(options, scaling);
  // A network whose first layer is dense takes the pixels in any shape, so the sizes must agree.
  if (Model::input_shape.size() != data.train.sample_shape().size())
    throw jiggle::Error("the network " + std::string(network.name) + " takes images of " +
                        shape_text(Model::input_shape) + ", the data set's are " +
                        shape_text(data.train.sample_shape()));
  if (options.subset) data.train.keep_first(options.subset);
  if (options.evaluate_only) {
    if (options.refresh_statistics != 0) {
      jiggle::Batches<float> train(data.train, config.batch_size, jiggle::Order::shuffled, options.seed);
      jiggle::refresh_running_statistics(model, train, options.refresh_statistics);
    }
    jiggle::Batches<float> test(data.test, kEvaluationBatch, jiggle::Order::sequential);
    const jiggle::Evaluation result = jiggle::evaluate(model, test);
    if (!options.quiet) print_confusion(result);
    print_accuracy(result);
    return 0;
  }
  // Destinations are checked before the run, not after it, by the process that writes them.
  const bool writes_files = options.processes == nullptr || options.processes->rank() == 0;
  if (options.save && writes_files) jiggle::check_writable_destination(*options.save);
  if (writes_checkpoints(options) && writes_files) jiggle::check_writable_destination(checkpoint_path(options));
  if (!options.quiet) print_configuration(options, network, data, jiggle::parameter_count(model));
  const auto run_started = std::chrono::steady_clock::now();
  const RunOutcome outcome = train(model, recipe_optimizer(options.config), network, options, data.train, data.test);
  if (!outcome.result) return outcome.exit_code;
  if (options.save && writes_files) jiggle::save_safetensors(model, *options.save);
  if (!options.quiet) print_totals(run_started);
  print_accuracy(*outcome.result);
  return 0;
}

int run_network(const TrainingOptions& options) {
  return with_network(options.config.network, [&]<class Model>(std::type_identity<Model>, const NetworkInfo& info) {
    return run<Model>(options, info);
  });
}

// Every row: name, network, parameters, reference accuracy, recipe; then what the reference rows'
// semantics are and why.
void print_rows() {
  std::printf("%-24s %-14s %10s %10s  %s\n", "name", "network", "parameters", "reference", "recipe");
  for (const TrainingConfig& row : kTrainingConfigs) {
    const std::string reference = row.reference_accuracy > 0 ? report_detail::format("%.2f %%", row.reference_accuracy)
                                  : row.from_reference       ? std::string("not logged")
                                                             : std::string("(own)");
    std::printf("%-24.*s %-14.*s %10s %10s  %s\n", static_cast<int>(row.name.size()), row.name.data(),
                static_cast<int>(row.network.size()), row.network.data(),
                report_detail::with_thousands(report_detail::parameters_of(row.network)).c_str(), reference.c_str(),
                recipe_text(row).c_str());
  }
  std::printf(
      "\nThe reference rows train as the reference's code trained them, whatever their recipes say: its SGD is "
      "momentum 0.9, its weights He-scaled sums of three uniforms, its inputs x/255, each epoch's partial batch "
      "dropped, no warmup, no MNIST batch augmented. Its accuracy is on the first 9,984 test images, which every "
      "training run reports "
      "beside all 10,000. The -plain rows are plain SGD, as the chapter's text describes it.\n");
}

// Each row of the plan over each seed; in a results folder each run keeps its files there, a
// finished run is skipped and an interrupted one resumed.
int run_plan(const RunPlan& plan, int argc, char** argv, const jiggle::ProcessGroup* processes) {
  const std::size_t total = plan.rows.size() * static_cast<std::size_t>(plan.seeds);
  const bool several = total > 1;
  std::size_t number = 0;
  const auto started = std::chrono::steady_clock::now();
  if (plan.results) std::filesystem::create_directories(*plan.results);
  for (const TrainingConfig* row : plan.rows)
    for (int k = 0; k < plan.seeds; ++k) {
      ++number;
      TrainingOptions options = parse_command_line(argc, argv, *row).options;
      options.seed += static_cast<std::uint64_t>(k);
      options.processes = processes;
      if (several)
        options.run_label = "[" + std::to_string(number) + "/" + std::to_string(total) + " " + std::string(row->name) +
                            " seed " + std::to_string(options.seed) + "] ";
      if (plan.results) {
        const auto file = [&](std::string_view suffix) {
          return run_file(*plan.results, row->name, options.seed, suffix);
        };
        options.in_results_folder = true;
        options.log = file(".csv");
        options.save = file(".safetensors");
        options.checkpoint = file(".state.safetensors");
        options.checkpoint_every = 1;
        if (std::filesystem::exists(*options.log)) check_log_is_of_row(*options.log, *row);
        if (std::filesystem::exists(*options.save)) {
          std::printf("%sfinished earlier: %s\n", options.run_label.c_str(), options.save->c_str());
          continue;
        }
        if (std::filesystem::exists(*options.checkpoint)) options.resume = options.checkpoint;
      }
      if (several && options.quiet) std::printf("%s", options.run_label.c_str());
      const int status = run_network(options);
      if (status != 0 || options.stop_after_steps) return status;  // a stop ends the command, not one run
    }
  if (several)
    std::printf("%zu runs in %.0f s\n", total,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return 0;
}

// Under mpirun, one of the processes of a data-parallel run: process 0 speaks for all, the others
// print nothing but their own failures.
struct Processes {
#ifdef JIGGLE_MNIST_MPI
  Processes(int& argc, char**& argv) {
    if (!jiggle::MpiRuntime::launched()) return;
    runtime.emplace(argc, argv);
    group.emplace();
    if (group->size() == 1) return;
    if (group->rank() != 0 && std::freopen("/dev/null", "w", stdout) == nullptr) std::abort();
  }
  const jiggle::ProcessGroup* shared() const { return group && group->size() > 1 ? &*group : nullptr; }

  std::optional<jiggle::MpiRuntime> runtime;
  std::optional<jiggle::MpiProcessGroup> group;
#else
  Processes(int&, char**&) {}
  const jiggle::ProcessGroup* shared() const { return nullptr; }
#endif

  // A failure of this process alone ends every process: the others would wait for it forever.
  // A divergence, or a CollectiveError, every process meets at the same step, and process 0
  // reports it for all.
  int fail(const std::string& message, bool every_process_fails) const {
    const jiggle::ProcessGroup* processes = shared();
    std::fflush(stdout);
    if (processes == nullptr || every_process_fails) {
      if (processes == nullptr || processes->rank() == 0) std::fprintf(stderr, "mnist: %s\n", message.c_str());
      return 1;
    }
    std::fprintf(stderr, "mnist: process %d of %d: %s\n", processes->rank(), processes->size(), message.c_str());
    std::fflush(stderr);
#ifdef JIGGLE_MNIST_MPI
    group->abort(1);
#else
    return 1;  // a shared group exists only with MPI
#endif
  }
};

}  // namespace

int main(int argc, char** argv) {
  // The command line first: its errors and --help end the program before MPI starts.
  const CommandLineRequest request = parse_command_line(argc, argv);
  const Processes processes(argc, argv);
  try {
    if (request.options.threads) jiggle::set_thread_count(*request.options.threads);
    if (request.plan.list) {
      print_rows();
      return 0;
    }
    if (request.plan.report) {
      std::printf("%s", write_report(*request.plan.report).c_str());
      return 0;
    }
    return run_plan(request.plan, argc, argv, processes.shared());
  } catch (const jiggle::DivergedError& error) {
    return processes.fail(error.what(), true);
  } catch (const jiggle::CollectiveError& error) {
    return processes.fail(error.what(), true);
  } catch (const jiggle::Error& error) {
    return processes.fail(error.what(), false);
  } catch (const std::bad_alloc&) {
    return processes.fail("out of memory", false);
  }
}
