#pragma once
// The training run of the MNIST programs: epochs of steps under a learning-rate schedule, a test
// evaluation after each epoch, and training states written on a schedule (--checkpoint-every),
// on request (--stop-after-steps) and on SIGINT or SIGTERM, from which --resume continues the
// run bit-identically.
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "chosen_optimizer.hpp"
#include "jiggle/jiggle.hpp"
#include "jiggle/train/stop_signals.hpp"
#include "mnist_options.hpp"
#include "mnist_report.hpp"
#include "networks.hpp"
#include "reference_draws.hpp"

// Test images per forward pass of `--eval`: every layer keeps its output for the batch, so this
// bounds the memory of evaluation (a CNN's 32×28×28 layers hold 100 MB each at 1000 images). A
// training run evaluates in its own batch size, so the layers' buffers, already that size,
// serve both without growing.
inline constexpr jiggle::Index kEvaluationBatch = 128;

// The reference measured its test accuracy on its first 78 test batches of 128, the first 9,984
// test images; every run reports that measure beside the whole test set's.
inline constexpr std::size_t kReferenceTestImages = 9984;

// How a run ended: with the test accuracy of its last epoch, or stopped early with its state saved
// (exit_code 0 when asked to by --stop-after-steps, 128 + the signal's number when interrupted).
struct RunOutcome {
  std::optional<TestAccuracy> result;
  int exit_code = 0;
};

namespace training_run_detail {

// What a resumed run must repeat of the run that wrote the state: the network and every input of
// its arithmetic.
inline std::map<std::string, std::string> describe_run(const TrainingOptions& options, const NetworkInfo& network) {
  std::map<std::string, std::string> description = describe(options.config);
  description["recipe"] = options.config.name;
  description["network"] = std::string(network.name) + " " + std::string(network.layers);
  description["seed"] = std::to_string(options.seed);
  description["scaling"] = options.config.standardize ? "standard" : "unit";
  description["subset"] = options.subset ? std::to_string(options.subset) : "all";
  description["precision"] = jiggle::to_string(options.precision);
  description["draws"] = options.reference_draws ? "reference" : "seeded";
  return description;
}

// What states written before a key of describe_run existed hold under it.
inline const std::map<std::string, std::string> kWrittenBefore = {
    {"precision", "fp32"}, {"recipe.partial_batch", "kept"}, {"recipe.horizontal_flip", "no"}, {"draws", "seeded"}};

// The command that continues this run from `state`: the same arguments, with --resume STATE in
// place of any earlier --resume or --stop-after-steps; in a results folder, which resumes its
// unfinished runs by itself, the same arguments without --stop-after-steps.
inline std::string resume_command(const TrainingOptions& options, const std::filesystem::path& state) {
  auto quoted = [](const std::string& word) {
    if (!word.empty() &&
        word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") ==
            std::string::npos)
      return word;
    std::string text = "'";
    for (char c : word) text += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return text + "'";
  };
  std::string command;
  const auto& words = options.arguments;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i] == "--resume" || words[i] == "--stop-after-steps") {
      ++i;
      continue;
    }
    if (!command.empty()) command += ' ';
    command += quoted(words[i]);
  }
  return options.in_results_folder ? command : command + " --resume " + quoted(state.string());
}

// A training state's log rows are written back into the log file, so they must be log rows.
inline const std::string& checked_rows(const std::filesystem::path& state, const std::string& rows) {
  if (rows.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz.,+-\n") != std::string::npos ||
      (!rows.empty() && rows.back() != '\n'))
    throw jiggle::Error(state.string() + ": its history is not rows of a training log");
  return rows;
}

}  // namespace training_run_detail

// Data → model → optimiser → loop: `config.epochs` epochs of training on `train_images`, each
// followed by all of `test_images`.
//
// Under mpirun (options.processes) each process takes its shard of every batch, training and
// test, from the same shuffle; the model starts as process 0's, batch norm shares its statistics
// and the gradients are averaged at each step; process 0 alone writes the log and the states.
template <class Model>
RunOutcome train(Model& model, ChosenOptimizer wrapped_optimizer, const NetworkInfo& network,
                 const TrainingOptions& options, const jiggle::LabelledImages& train_images,
                 const jiggle::LabelledImages& test_images) {
  namespace detail = training_run_detail;
  const TrainingConfig& config = options.config;
  const jiggle::ProcessGroup* processes = options.processes;
  const bool writes_files = processes == nullptr || processes->rank() == 0;
  const int process_count = processes ? processes->size() : 1;
  jiggle::DataParallel<ChosenOptimizer> optimizer(std::move(wrapped_optimizer), processes);
  jiggle::Batches<float> training(train_images, config.batch_size, jiggle::Order::shuffled, options.seed + 1);
  if (options.reference_draws) training.set_epoch_order(reference_draws::order_of_epoch);
  training.set_augmentation({.max_shift = config.augment_shift, .horizontal_flip = config.horizontal_flip});
  if (config.drop_partial_batch) try {
      training.set_partial_batch(jiggle::PartialBatch::dropped);
    } catch (const jiggle::Error& error) {
      throw jiggle::Error(std::string(error.what()) + "; --partial-batch kept trains on them");
    }
  // The test set in two parts, the reference's first 9,984 images and the rest, each evaluated once.
  jiggle::LabelledImages first_test_images = test_images;
  first_test_images.keep_first(kReferenceTestImages);
  jiggle::LabelledImages other_test_images = test_images;
  other_test_images.drop_first(kReferenceTestImages);
  jiggle::Batches<float> test(first_test_images, config.batch_size, jiggle::Order::sequential);
  std::optional<jiggle::Batches<float>> other_test;
  if (other_test_images.size() > 0) other_test.emplace(other_test_images, config.batch_size, jiggle::Order::sequential);
  if (processes) {
    training.set_shard(processes->rank(), processes->size());
    if (!training.splits_evenly())
      throw jiggle::CollectiveError("batches of " + std::to_string(config.batch_size) + " from " +
                                    std::to_string(train_images.size()) + " images do not split evenly between " +
                                    std::to_string(processes->size()) +
                                    " processes; choose a batch size, or --subset, that does");
    test.set_shard(processes->rank(), processes->size());
    jiggle::set_process_group(model, processes);
    jiggle::broadcast_parameters(model, *processes);
  }
  // The few images after the first 9,984 are not shared out: every process holds the same model,
  // so each evaluates all of them, and no count of processes is too many for them.
  const bool has_reference_measure = first_test_images.size() == kReferenceTestImages;
  const auto evaluate_test = [&] {
    const jiggle::Evaluation shard = jiggle::evaluate(model, test);
    TestAccuracy result{.all = processes ? jiggle::sum_over(*processes, shard) : shard, .first_9984 = std::nullopt};
    if (has_reference_measure) result.first_9984 = result.all;
    if (other_test) result.all = combined(result.all, jiggle::evaluate(model, *other_test));
    return result;
  };
  jiggle::SoftmaxCrossEntropy<float> loss(config.label_smoothing);
  const jiggle::LearningRateSchedule schedule{.base = config.learning_rate,
                                              .total_steps = training.count() * config.epochs,
                                              .warmup_steps = training.count() * config.warmup_epochs,
                                              .cosine = config.cosine};
  const std::map<std::string, std::string> description = detail::describe_run(options, network);
  const std::filesystem::path state_path = checkpoint_path(options);
  jiggle::TrainingPosition position;
  std::optional<jiggle::TrainingState> resumed;
  if (options.resume) {
    resumed = jiggle::load_training_state(*options.resume, model, optimizer, description, detail::kWrittenBefore);
    position = resumed->position;
    if (position.epoch.batches_done >= training.count())
      throw jiggle::Error(options.resume->string() + ": stands at batch " +
                          std::to_string(position.epoch.batches_done) + " of an epoch of " +
                          std::to_string(training.count()));
  }
  // Opened only once the state is accepted: opening the log replaces the file, and a refused
  // resume must leave the run's log as it was.
  TrainingOptions log_options = options;
  if (!writes_files) log_options.log.reset();
  EpochLog log(log_options);
  if (resumed) {
    const jiggle::TrainingState& state = *resumed;
    const auto rows = state.description.find("history");
    if (rows != state.description.end()) log.restore(detail::checked_rows(*options.resume, rows->second));
    // A run may continue on other thread and process counts, though not bit-identically.
    const auto note_if_changed = [&](const std::string& key, int now) {
      const auto was = state.description.find(key);
      if (writes_files && was != state.description.end() && was->second != std::to_string(now))
        std::fprintf(stderr,
                     "mnist: note: the run was started on %s %s and continues on %d, so it will not be "
                     "bit-identical to an uninterrupted run\n",
                     was->second.c_str(), key.c_str(), now);
    };
    note_if_changed("processes", process_count);
    note_if_changed("threads", jiggle::thread_count());
    if (!options.quiet) {
      std::printf("resuming from %s: epoch %lld, batch %lld of %lld, step %lld\n", options.resume->c_str(),
                  static_cast<long long>(position.epochs_done) + 1, static_cast<long long>(position.epoch.batches_done),
                  static_cast<long long>(training.count()), static_cast<long long>(position.steps_done));
      std::fflush(stdout);
    }
  }
  training.set_epoch(static_cast<std::uint64_t>(position.epochs_done));

  auto save_state = [&] {
    if (!writes_files) return;
    std::map<std::string, std::string> full = description;
    full["threads"] = std::to_string(jiggle::thread_count());
    full["processes"] = std::to_string(process_count);
    full["history"] = log.rows();
    jiggle::save_training_state(state_path, model, optimizer, position, full);
  };
  // Saves the state and says how to go on; the run then ends with `exit_code`.
  auto stop_here = [&](const std::string& why, int exit_code) {
    save_state();
    std::fflush(stdout);
    if (!writes_files) return RunOutcome{std::nullopt, exit_code};
    std::fprintf(stderr, "mnist: %s at step %lld (epoch %lld, batch %lld of %lld); the training state is in %s\n",
                 why.c_str(), static_cast<long long>(position.steps_done),
                 static_cast<long long>(position.epochs_done) + (position.epoch.batches_done ? 1 : 0),
                 static_cast<long long>(position.epoch.batches_done ? position.epoch.batches_done : training.count()),
                 static_cast<long long>(training.count()), state_path.c_str());
    std::fprintf(stderr, "to resume: %s\n", detail::resume_command(options, state_path).c_str());
    return RunOutcome{std::nullopt, exit_code};
  };
  const auto steps_checkpoint_due = [&] {
    return options.checkpoint_every_steps && position.steps_done % options.checkpoint_every_steps == 0;
  };
  const jiggle::StopSignals signals;
  // Why the run stops here, if it does: the processes of a data-parallel run agree, so a signal
  // that reaches one of them a step before the others stops them all at the same step.
  auto stop_reason = [&]() -> std::optional<std::pair<std::string, int>> {
    std::optional<std::pair<std::string, int>> reason;
    if (const int signal = jiggle::StopSignals::received())
      reason = std::pair{"interrupted by " + jiggle::StopSignals::name(signal), jiggle::StopSignals::exit_code(signal)};
    else if (options.stop_after_steps && position.steps_done == options.stop_after_steps)
      reason = std::pair{std::string("stopped as asked"), 0};
    if (processes) {  // how many processes stop, and the sum of their exit codes
      double stopping[2] = {reason ? 1.0 : 0.0, reason ? static_cast<double>(reason->second) : 0.0};
      processes->sum(stopping);
      if (stopping[0] > 0.0 && !reason)
        reason = std::pair{std::string("interrupted on another process"), static_cast<int>(stopping[1] / stopping[0])};
    }
    return reason;
  };

  std::optional<std::pair<std::string, int>> stopping;
  const auto after_batch = [&](const jiggle::BatchReport& report) {
    log.progress(report);
    optimizer.set_learning_rate(schedule.at(++position.steps_done));
    stopping = stop_reason();
    if (stopping) return jiggle::Continuation::stop;
    // A state standing at an epoch's last batch is one resume refuses: that step's state is saved
    // once the epoch has rolled over, with its row of the log.
    if (steps_checkpoint_due() && report.batch + 1 < report.batch_count) save_state();
    return jiggle::Continuation::proceed;
  };

  TestAccuracy result;
  while (position.epochs_done < config.epochs) {
    const auto epoch = static_cast<int>(position.epochs_done + 1);
    log.start_epoch(epoch, config.epochs, training.count());
    optimizer.set_learning_rate(schedule.at(position.steps_done));
    if (!jiggle::continue_epoch(model, loss, optimizer, training, position.epoch, after_batch)) {
      log.stop_clock();
      return stop_here(stopping->first, stopping->second);
    }
    log.stop_clock();
    const double train_loss = position.epoch.mean_loss();
    position.epochs_done = epoch;
    position.epoch = {};
    result = evaluate_test();
    log.finish_epoch(epoch, config.epochs, train_loss, schedule.at(position.steps_done - 1), result);
    if (const auto reason = stop_reason(); reason && epoch < config.epochs)
      return stop_here(reason->first, reason->second);
    if ((options.checkpoint_every && epoch % options.checkpoint_every == 0) || steps_checkpoint_due()) save_state();
  }
  if (result.all.total() == 0) result = evaluate_test();  // resumed from a finished run
  log.close();
  return {result, 0};
}

// The recipe's optimiser.
inline ChosenOptimizer recipe_optimizer(const TrainingConfig& c) {
  if (c.optimizer == "adam")
    return ChosenOptimizer(jiggle::Adam<float>({.learning_rate = c.learning_rate, .weight_decay = c.weight_decay}));
  return ChosenOptimizer(jiggle::Sgd<float>({.learning_rate = c.learning_rate,
                                             .momentum = c.momentum,
                                             .nesterov = c.nesterov,
                                             .weight_decay = c.weight_decay}));
}
