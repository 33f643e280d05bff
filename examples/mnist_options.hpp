#pragma once
// The command line of the MNIST programs: every flag, its default and its accepted values. A
// --config names a recipe; the other flags then override its fields, wherever they stand.
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
#include "networks.hpp"
#include "training_configs.hpp"

struct TrainingOptions {
  TrainingConfig config = kTrainingConfigs[0];
  std::filesystem::path data = jiggle::data_folder(JIGGLE_MNIST_DIR);
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
  bool quiet = false;
  std::optional<jiggle::Init> init;  // unset: each layer's own default
  bool standardize = true;           // (x/255 − 0.1307) / 0.3081; x/255 with --scaling unit
};

inline TrainingOptions parse_command_line(int argc, char** argv) {
  TrainingOptions options;
  TrainingConfig& c = options.config;
  CommandLine line("mnist", "Trains the MLP 784-512-512-10 (ReLU, softmax cross-entropy) on MNIST.");
  line.add({"--config", "NAME", "a named recipe (default mlp-sgd, the reference baseline); see --list-configs",
            [&](std::string_view name) {
              const TrainingConfig* config = find_training_config(name);
              if (config == nullptr)
                line.usage_error("unknown config '" + std::string(name) + "' (see --list-configs)");
              c = *config;
            }});
  line.add({"--list-configs", "", "prints every recipe with its values, and the networks", [](std::string_view) {
              for (const auto& config : kTrainingConfigs) print_training_config(config);
              std::printf("networks:\n");
              for (const auto& network : kNetworks)
                std::printf("  %-14.*s %.*s\n", static_cast<int>(network.name.size()), network.name.data(),
                            static_cast<int>(network.layers.size()), network.layers.data());
              std::exit(0);
            }});
  line.add_text("--data", "DIR", "folder of the MNIST files (default: $JIGGLE_DATA, else the source tree's data/mnist)",
                options.data);
  line.add_integer("--epochs", "passes over the training images", c.epochs, 1, 10'000);
  line.add_integer("--batch", "images per step", c.batch_size, 1, 60'000);
  line.add_real("--lr", "learning rate", c.learning_rate, {0.0, true, 1e6, false});
  line.add({"--optimizer", "NAME", "sgd or adam", [&](std::string_view name) {
              if (name != "sgd" && name != "adam")
                line.usage_error("--optimizer takes sgd or adam, got '" + std::string(name) + "'");
              c.optimizer = name == "sgd" ? "sgd" : "adam";
            }});
  line.add_real("--momentum", "SGD momentum", c.momentum, {0.0, false, 1.0, true});
  line.add_switch("--nesterov", "Nesterov momentum (SGD)", c.nesterov, true);
  line.add_real("--weight-decay", "L2 for SGD, decoupled (AdamW) for Adam", c.weight_decay, {0.0, false, 1.0, false});
  line.add_switch("--cosine", "cosine decay of the learning rate to 0", c.cosine, true);
  line.add_switch("--constant", "a constant learning rate", c.cosine, false);
  line.add_integer("--warmup", "epochs of linear warmup", c.warmup_epochs, 0, 10'000);
  line.add_real("--label-smoothing", "label smoothing", c.label_smoothing, {0.0, false, 1.0, true});
  line.add_integer("--augment", "random shifts of up to N pixels (0: none)", c.augment_shift, 0, 27);
  line.add_integer<std::uint64_t>("--seed", "seeds initialisation, shuffling and augmentation (default 0)",
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
  line.add_text("--predict", "IMAGE.pgm", "with --load: classifies one 28x28 PGM image (P2 or P5)", options.predict);
  line.add_switch("--quiet", "prints only the final accuracy line", options.quiet, true);
  line.add({"--network", "NAME", "the network to train, overriding the recipe's (see --list-configs)",
            [&](std::string_view name) {
              for (const auto& network : kNetworks)
                if (network.name == name) {
                  c.network = network.name;
                  return;
                }
              line.usage_error("unknown network '" + std::string(name) + "' (see --list-configs)");
            }});
  line.add({"--init", "NAME",
            "every layer's initialisation: glorot-uniform, glorot-normal, he-normal, he-uniform, torch-default "
            "(default: each layer's own, Glorot uniform for Dense, torch-default for Conv2D)",
            [&](std::string_view name) {
              try {
                options.init = jiggle::parse_init(name);
              } catch (const jiggle::Error& error) {
                line.usage_error(std::string("--init: ") + error.what());
              }
            }});
  line.add({"--scaling", "S", "input pixels: standard, (x/255 - mean) / deviation (default); or unit, x/255",
            [&](std::string_view scaling) {
              if (scaling != "standard" && scaling != "unit")
                line.usage_error("--scaling takes standard or unit, got '" + std::string(scaling) + "'");
              options.standardize = scaling == "standard";
            }});
  line.add({"--help", "", "this text", [&](std::string_view) {
              line.print_help();
              std::exit(0);
            }});
  line.parse(argc, argv, {"--config"});
  options.arguments.assign(argv, argv + argc);
  if (c.nesterov && c.momentum == 0.0) line.usage_error("--nesterov needs a --momentum above 0");
  if ((options.evaluate_only || options.predict) && !options.load)
    line.usage_error("--eval and --predict need --load FILE");
  if (options.resume && options.load) line.usage_error("--resume continues a run; it cannot start from --load weights");
  return options;
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
