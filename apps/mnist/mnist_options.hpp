#pragma once
// The command line of the MNIST program: every flag, its default and its accepted values. The
// words that are not flags name rows of the ablation table; each row runs with its own recipe,
// which the flags then override field by field, wherever they stand.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "command_line.hpp"
#include "jiggle/data/data_folder.hpp"
#include "jiggle/init.hpp"
#include "jiggle/precision.hpp"
#include "jiggle/shape.hpp"
#include "networks.hpp"
#include "training_configs.hpp"

struct TrainingOptions {
  TrainingConfig config;
  std::optional<std::filesystem::path> data;  // --data; unset: MNIST's default folder (see data_folder_of)
  std::uint64_t seed = 0;
  std::optional<int> threads;  // unset: OMP_NUM_THREADS, else every core
  std::optional<std::filesystem::path> log;
  std::optional<std::filesystem::path> save;
  std::optional<std::filesystem::path> load;
  std::optional<std::filesystem::path> predict;
  std::optional<std::filesystem::path> resume;      // a training state to continue from
  std::optional<std::filesystem::path> checkpoint;  // where training states go (see checkpoint_path)
  int checkpoint_every = 0;                         // epochs between training states; 0: none
  long long checkpoint_every_steps = 0;             // steps between training states; 0: none
  long long stop_after_steps = 0;                   // 0: run to the end
  std::size_t subset = 0;                           // 0: every training image
  std::vector<std::string> arguments;               // as given, to print the command that resumes
  bool evaluate_only = false;
  int refresh_statistics = 0;  // with --eval: training batches forwarded first; 0: none
  bool quiet = false;
  jiggle::Precision precision = jiggle::Precision::fp32;
  bool reference_draws = false;    // the reference's own initial weights and order (reference_draws.hpp)
  std::string run_label;           // heads each epoch's line when one command makes several runs
  bool in_results_folder = false;  // its files are --results DIR's, so the same command resumes it
  const jiggle::ProcessGroup* processes = nullptr;  // under mpirun: the processes sharing each batch
};

// What to run: rows of the table, each over some seeds, or a report of what ran.
// The folder a run reads: --data, else MNIST's default (CIFAR-10's rows have no default).
inline std::filesystem::path data_folder_of(const TrainingOptions& options) {
  return options.data ? *options.data : jiggle::data_folder(JIGGLE_MNIST_DIR);
}

inline std::string shape_text(jiggle::Shape shape) {
  return std::to_string(shape.channels) + "×" + std::to_string(shape.height) + "×" + std::to_string(shape.width);
}

struct RunPlan {
  std::vector<const TrainingConfig*> rows;       // in the order given; mlp-sgd when none is
  int seeds = 1;                                 // seeds seed, seed + 1, …
  std::optional<std::filesystem::path> results;  // a folder for every row's log, weights and state
  std::optional<std::filesystem::path> report;   // a results folder to report on
  bool list = false;
};

struct CommandLineRequest {
  RunPlan plan;
  TrainingOptions options;  // for `row`, the flags applied over its recipe
};

inline const TrainingConfig& default_row() { return *find_training_config("mlp-sgd"); }

// The whole command line read over `row`'s recipe: parsing it once per row gives each row its
// own recipe with the same overrides.
inline CommandLineRequest parse_command_line(int argc, char** argv, const TrainingConfig& row = default_row()) {
  CommandLineRequest request;
  RunPlan& plan = request.plan;
  TrainingOptions& options = request.options;
  TrainingConfig& c = options.config;
  c = row;
  CommandLine line("mnist [flags] [NAME...]",
                   "Trains the named rows of the ablation table on MNIST, or on CIFAR-10 for its chapter-3 rows "
                   "(default mlp-sgd: the MLP 784-512-512-10, SGD as the reference ran it) and reports their test "
                   "accuracy.");
  line.set_words([&](std::string_view name) {
    const TrainingConfig* config = find_training_config(name);
    if (config == nullptr) line.usage_error("unknown row '" + std::string(name) + "' (see --list)");
    plan.rows.push_back(config);
  });
  line.add({"--list", "", "prints every row: its network, recipe, parameter count and reference accuracy",
            [&](std::string_view) { plan.list = true; }});
  line.add({"--all", "", "runs every MNIST row, in --list's order", [&](std::string_view) {
              for (const auto& config : kTrainingConfigs)
                if (config.data_set == "MNIST") plan.rows.push_back(&config);
            }});
  line.add_integer("--seeds", "runs each row N times, with seeds --seed, --seed + 1, ...", plan.seeds, 1, 1000);
  line.add_text("--results", "DIR",
                "writes each row's log, weights and training state into DIR; a finished row is skipped, an "
                "interrupted one resumed",
                plan.results);
  line.add_text("--report", "DIR", "writes DIR/report.md and a plot per family from the runs in DIR", plan.report);
  line.add_text("--data", "DIR",
                "folder of the rows' data: MNIST's four files (default: $JIGGLE_DATA, else the source tree's "
                "data/mnist), or CIFAR-10's binary files for its rows",
                options.data);
  line.add_integer("--epochs", "passes over the training images", c.epochs, 1, 10'000);
  line.add_integer("--batch", "images per step", c.batch_size, 1, 60'000);
  line.add_real("--lr", "learning rate", c.learning_rate, {0.0, true, 1e6, false});
  line.add_choice("--optimizer", "NAME", "sgd or adam", c.optimizer, {{"sgd", "sgd"}, {"adam", "adam"}});
  line.add_real("--momentum", "SGD momentum", c.momentum, {0.0, false, 1.0, true});
  line.add_switch("--nesterov", "Nesterov momentum (SGD)", c.nesterov, true);
  line.add_real("--weight-decay", "L2 for SGD, decoupled (AdamW) for Adam", c.weight_decay, {0.0, false, 1.0, false});
  line.add_switch("--cosine", "cosine decay of the learning rate to 0", c.cosine, true);
  line.add_switch("--constant", "a constant learning rate", c.cosine, false);
  line.add_integer("--warmup", "epochs of linear warmup", c.warmup_epochs, 0, 10'000);
  line.add_real("--label-smoothing", "label smoothing", c.label_smoothing, {0.0, false, 1.0, true});
  line.add_integer("--augment", "random shifts of up to N pixels (0: none)", c.augment_shift, 0, 27);
  line.add_choice("--partial-batch", "P", "each epoch's last, partial batch: kept or dropped (default: the row's)",
                  c.drop_partial_batch, {{"kept", false}, {"dropped", true}});
  bool reference_draws_asked = false;
  line.add_switch("--reference-draws",
                  "the reference's own initial weights and order of images, as its code drew them (its seeds 42, "
                  "43, ...): the default of a reference row run alone without --seed, --seeds or --results",
                  reference_draws_asked, true);
  line.add_integer<std::uint64_t>(
      "--seed",
      "jiggle's draws: seeds initialisation, shuffling and augmentation (default 0, where a "
      "reference row run alone draws the reference's)",
      options.seed, 0, ~std::uint64_t{0});
  line.add({"--threads", "N", "threads (default: $OMP_NUM_THREADS if set, else every core)",
            [&](std::string_view v) { options.threads = line.integer("--threads", v, 1, 1024); }});
  line.add_text("--log", "FILE", "one CSV row per epoch: epoch,train_loss,test_accuracy,seconds", options.log);
  line.add_text("--save", "FILE", "writes the trained weights as safetensors", options.save);
  line.add_text("--load", "FILE", "starts from weights in safetensors", options.load);
  line.add_text("--checkpoint", "FILE",
                "where training states are written (default: the --resume file, else mnist.state.safetensors)",
                options.checkpoint);
  line.add_integer("--checkpoint-every", "writes the training state every N epochs", options.checkpoint_every, 1,
                   10'000);
  line.add_integer<long long>("--checkpoint-every-steps", "writes the training state every N steps",
                              options.checkpoint_every_steps, 1, 1'000'000'000);
  line.add_text("--resume", "FILE", "continues the run whose training state FILE holds", options.resume);
  line.add_integer<long long>("--stop-after-steps", "stops after step N of the run, writing the training state",
                              options.stop_after_steps, 1, 1'000'000'000);
  line.add_integer<std::size_t>("--subset", "trains on the first N training images only", options.subset, 1, 60'000);
  line.add_switch("--eval", "with --load: evaluates without training and prints the confusion matrix",
                  options.evaluate_only, true);
  line.add_integer("--refresh-statistics",
                   "with --eval: first forwards N shuffled training batches with the weights held, so batch norm's "
                   "running statistics are the loaded weights' own",
                   options.refresh_statistics, 1, 100'000);
  line.add_text("--predict", "IMAGE.pgm", "with --load: classifies one 28x28 PGM image (P2 or P5)", options.predict);
  line.add_switch("--quiet", "prints only the final accuracy lines", options.quiet, true);
  line.add({"--network", "NAME", "the network to train, overriding the row's (see --list)", [&](std::string_view name) {
              bool found = false;
              for_each_network([&](const NetworkInfo& network) {
                if (network.name == name) {
                  c.network = network.name;
                  found = true;
                }
              });
              if (found) return;
              line.usage_error("unknown network '" + std::string(name) + "' (see --list)");
            }});
  line.add({"--init", "NAME",
            "every layer's initialisation: glorot-uniform, glorot-normal, he-normal, he-uniform, he-three-uniforms, "
            "torch-default (default: the row's; else each layer's own, Glorot uniform for Dense, torch-default for "
            "Conv2D)",
            [&](std::string_view name) {
              try {
                c.init = jiggle::parse_init(name);
              } catch (const jiggle::Error& error) {
                line.usage_error(std::string("--init: ") + error.what());
              }
            }});
  line.add_choice("--scaling", "S",
                  "input pixels: standard, (x/255 - mean) / deviation; or unit, x/255 (default: the row's)",
                  c.standardize, {{"standard", true}, {"unit", false}});
  line.add_choice(
      "--precision", "P",
      "the matrix products: fp32 (default), or bf16, inputs rounded to bfloat16 and sums kept in fp32 (needs "
      "a CPU with AVX512_BF16 or AMX)",
      options.precision, {{"fp32", jiggle::Precision::fp32}, {"bf16", jiggle::Precision::bf16}});
  line.parse(argc, argv);
  options.arguments.assign(argv, argv + argc);
  if (c.nesterov && c.momentum == 0.0) line.usage_error("--nesterov needs a --momentum above 0");
  if ((options.evaluate_only || options.predict) && !options.load)
    line.usage_error("--eval and --predict need --load FILE");
  if (options.refresh_statistics != 0 && !options.evaluate_only)
    line.usage_error("--refresh-statistics goes with --eval");
  if (options.resume && options.load) line.usage_error("--resume continues a run; it cannot start from --load weights");
  if (plan.rows.empty()) plan.rows.push_back(&row);
  const bool several_runs = plan.rows.size() > 1 || plan.seeds > 1;
  if (several_runs && (options.log || options.save || options.checkpoint || options.resume))
    line.usage_error("several runs would share one --log, --save, --checkpoint or --resume file: give --results DIR");
  if (plan.results && (options.log || options.save || options.checkpoint || options.resume))
    line.usage_error("--results DIR names each run's files itself; drop --log, --save, --checkpoint and --resume");
  if (plan.results && (options.evaluate_only || options.predict || options.load))
    line.usage_error("--results is for training runs; --load, --eval and --predict take one file");
  if (plan.results && options.precision != jiggle::Precision::fp32)
    line.usage_error("a results folder holds fp32 runs, which --precision bf16 would mix with; use --log");
  // A reference row run alone repeats the reference's run, its draws and all. --seed and --seeds
  // ask for jiggle's seeded draws instead, as does a results folder, which names its runs by seed.
  const bool seed_given = std::ranges::find(options.arguments, "--seed") != options.arguments.end();
  const bool brings_weights = options.load || options.evaluate_only || options.predict;
  if (reference_draws_asked) {
    if (several_runs || plan.results || seed_given)
      line.usage_error(
          "--reference-draws repeats the reference's one run of one row: drop --seed, --seeds and --results");
    if (brings_weights)
      line.usage_error("--reference-draws draws the initial weights; --load, --eval and --predict bring others");
    if (!plan.rows.front()->from_reference)
      line.usage_error("--reference-draws repeats a run of the reference's; " + std::string(plan.rows.front()->name) +
                       " is a row of jiggle's own");
  }
  options.reference_draws = reference_draws_asked || (!several_runs && !plan.results && !seed_given &&
                                                      !brings_weights && plan.rows.front()->from_reference);
  if (plan.report && (plan.results || several_runs))
    line.usage_error("--report reads a results folder; it runs nothing");
  for (const TrainingConfig* other : plan.rows) {
    if (other->data_set != plan.rows.front()->data_set)
      line.usage_error("rows of " + std::string(plan.rows.front()->data_set) + " and of " +
                       std::string(other->data_set) + " in one command: --data names one folder, so run them apart");
    if (other->data_set == "CIFAR-10" && !options.data)
      line.usage_error(std::string(other->name) +
                       " trains on CIFAR-10: give the folder of its binary files with --data DIR (\"CIFAR-10 binary "
                       "version\" from https://www.cs.toronto.edu/~kriz/cifar.html)");
  }
  return request;
}

// Where training states go: --checkpoint, else the state being resumed, else the current folder.
inline std::filesystem::path checkpoint_path(const TrainingOptions& options) {
  if (options.checkpoint) return *options.checkpoint;
  if (options.resume) return *options.resume;
  return "mnist.state.safetensors";
}

// Whether this run was asked to write training states (an interruption writes one regardless).
inline bool writes_checkpoints(const TrainingOptions& options) {
  return options.checkpoint || options.resume || options.checkpoint_every > 0 || options.checkpoint_every_steps > 0 ||
         options.stop_after_steps > 0;
}
