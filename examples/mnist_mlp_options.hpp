#pragma once
// The command line of mnist_mlp: every flag, its default, and strict parsing (a bad value is a
// usage error, exit 2, never a silent default). A --config names a recipe; other flags then
// override its fields, whatever their order on the line.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "jiggle/data/data_folder.hpp"
#include "jiggle/init.hpp"
#include "jiggle/layers/dense.hpp"
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
  bool evaluate_only = false;
  bool quiet = false;
  jiggle::Init init = jiggle::Dense<784, 512>::default_init;
  bool standardize = true;  // (x/255 − 0.1307) / 0.3081; x/255 with --scaling unit
};

constexpr std::string_view kUsage =
    "usage: mnist_mlp [--config NAME] [--data DIR] [--epochs N] [--batch N] [--lr X] [--seed N]\n"
    "                 [--threads N] [--log FILE] [--save FILE] [--load FILE] [--eval]\n"
    "                 [--predict IMAGE.pgm] [--quiet] [--list-configs] [--help] [more: see --help]\n";

constexpr std::string_view kHelp =
    "Trains the MLP 784-512-512-10 (ReLU, softmax cross-entropy) on MNIST.\n"
    "\n"
    "  --config NAME         a named recipe (default mlp-sgd, the reference baseline); see --list-configs\n"
    "  --list-configs        prints every recipe with its values\n"
    "  --data DIR            folder with the four MNIST files (default: $JIGGLE_DATA if set, else the\n"
    "                        data/mnist folder of the source tree this program was built from)\n"
    "  --epochs N            passes over the 60,000 training images (default 12)\n"
    "  --batch N             images per step (default 128)\n"
    "  --lr X                learning rate, > 0 (default 0.1 for SGD)\n"
    "  --optimizer NAME      sgd or adam\n"
    "  --momentum X          SGD momentum in [0, 1)\n"
    "  --nesterov            Nesterov momentum (SGD)\n"
    "  --weight-decay X      L2 for SGD, decoupled (AdamW) for Adam\n"
    "  --cosine, --constant  cosine decay of the learning rate to 0, or none\n"
    "  --warmup N            epochs of linear warmup\n"
    "  --label-smoothing X   in [0, 1)\n"
    "  --augment N           random shifts of up to N pixels (0: none)\n"
    "  --seed N              seeds initialisation, shuffling and augmentation (default 0)\n"
    "  --threads N           threads (default: $OMP_NUM_THREADS if set, else every core)\n"
    "  --log FILE            writes one CSV row per epoch: epoch,train_loss,test_accuracy,seconds\n"
    "  --save FILE           writes the trained weights as safetensors\n"
    "  --load FILE           starts from weights in safetensors\n"
    "  --eval                with --load: evaluates without training; prints the confusion matrix\n"
    "  --predict IMAGE.pgm   with --load: classifies one 28x28 PGM image (P2 or P5)\n"
    "  --quiet               prints only the final accuracy line\n"
    "  --init NAME           glorot-uniform (default), glorot-normal, he-normal, he-uniform, torch-default\n"
    "  --scaling S           input pixels: standard (default), (x/255 - 0.1307) / 0.3081, MNIST's\n"
    "                        training mean and deviation; or unit, x/255\n"
    "  --help                this text\n";

[[noreturn]] inline void usage_error(const std::string& problem) {
  std::fprintf(stderr, "mnist_mlp: %s\n%.*s", problem.c_str(), static_cast<int>(kUsage.size()), kUsage.data());
  std::exit(2);
}

template <class Number>
Number parse_number(std::string_view flag, std::string_view text, Number lowest, Number highest) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !(value >= lowest) || !(value <= highest) ||
      (std::is_floating_point_v<Number> && !std::isfinite(static_cast<double>(value))))
    usage_error(std::string(flag) + " takes a number of at least " + std::to_string(lowest) + ", got '" +
                std::string(text) + "'");
  return value;
}

inline TrainingOptions parse_command_line(int argc, char** argv) {
  TrainingOptions options;
  const std::vector<std::string_view> arguments(argv + 1, argv + argc);
  // The recipe first, so that every other flag overrides it.
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    if (arguments[i] != "--config") continue;
    if (i + 1 >= arguments.size()) usage_error("--config needs a value");
    const TrainingConfig* config = find_training_config(arguments[i + 1]);
    if (config == nullptr) usage_error("unknown config '" + std::string(arguments[i + 1]) + "' (see --list-configs)");
    options.config = *config;
  }
  TrainingConfig& c = options.config;
  constexpr double kHuge = 1e300;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string_view flag = arguments[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= arguments.size()) usage_error(std::string(flag) + " needs a value");
      return arguments[++i];
    };
    if (flag == "--help" || flag == "-h") {
      std::printf("%.*s\n%.*s", static_cast<int>(kUsage.size()), kUsage.data(), static_cast<int>(kHelp.size()),
                  kHelp.data());
      std::exit(0);
    } else if (flag == "--list-configs") {
      for (const auto& config : kTrainingConfigs) print_training_config(config);
      std::exit(0);
    } else if (flag == "--config") {
      value();  // applied above
    } else if (flag == "--data") {
      options.data = value();
    } else if (flag == "--epochs") {
      c.epochs = parse_number<int>(flag, value(), 1, 1'000'000);
    } else if (flag == "--batch") {
      c.batch_size = parse_number<int>(flag, value(), 1, 1'000'000);
    } else if (flag == "--lr") {
      c.learning_rate = parse_number<double>(flag, value(), 1e-300, kHuge);
    } else if (flag == "--optimizer") {
      const std::string_view name = value();
      if (name != "sgd" && name != "adam")
        usage_error("--optimizer takes sgd or adam, got '" + std::string(name) + "'");
      c.optimizer = name == "sgd" ? "sgd" : "adam";
    } else if (flag == "--momentum") {
      c.momentum = parse_number<double>(flag, value(), 0.0, 0.999999);
    } else if (flag == "--nesterov") {
      c.nesterov = true;
    } else if (flag == "--weight-decay") {
      c.weight_decay = parse_number<double>(flag, value(), 0.0, kHuge);
    } else if (flag == "--cosine") {
      c.cosine = true;
    } else if (flag == "--constant") {
      c.cosine = false;
    } else if (flag == "--warmup") {
      c.warmup_epochs = parse_number<int>(flag, value(), 0, 1'000'000);
    } else if (flag == "--label-smoothing") {
      c.label_smoothing = parse_number<double>(flag, value(), 0.0, 0.999999);
    } else if (flag == "--augment") {
      c.augment_shift = parse_number<int>(flag, value(), 0, 27);
    } else if (flag == "--seed") {
      options.seed = parse_number<std::uint64_t>(flag, value(), 0, ~std::uint64_t{0});
    } else if (flag == "--threads") {
      options.threads = parse_number<int>(flag, value(), 1, 4096);
    } else if (flag == "--log") {
      options.log = value();
    } else if (flag == "--save") {
      options.save = value();
    } else if (flag == "--load") {
      options.load = value();
    } else if (flag == "--eval") {
      options.evaluate_only = true;
    } else if (flag == "--predict") {
      options.predict = value();
    } else if (flag == "--quiet") {
      options.quiet = true;
    } else if (flag == "--init") {
      try {
        options.init = jiggle::parse_init(value());
      } catch (const jiggle::Error& error) {
        usage_error(error.what());
      }
    } else if (flag == "--scaling") {
      const std::string_view scaling = value();
      if (scaling != "standard" && scaling != "unit")
        usage_error("--scaling takes standard or unit, got '" + std::string(scaling) + "'");
      options.standardize = scaling == "standard";
    } else {
      usage_error("unknown flag '" + std::string(flag) + "'");
    }
  }
  if (c.nesterov && c.momentum == 0.0) usage_error("--nesterov needs a --momentum above 0");
  if ((options.evaluate_only || options.predict) && !options.load) usage_error("--eval and --predict need --load FILE");
  return options;
}
