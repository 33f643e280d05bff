#pragma once
// The command line of mnist_mlp: every flag, its default, and strict parsing (a bad value is a
// usage error, exit 2, never a silent default).
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

#include "jiggle/data/batches.hpp"
#include "jiggle/data/data_folder.hpp"
#include "jiggle/init.hpp"
#include "jiggle/layers/dense.hpp"

struct TrainingOptions {
  std::filesystem::path data = jiggle::data_folder(JIGGLE_MNIST_DIR);
  int epochs = 12;
  int batch_size = 128;
  double learning_rate = 0.1;
  std::uint64_t seed = 0;
  std::optional<int> threads;  // unset: OMP_NUM_THREADS, else every core
  std::optional<std::filesystem::path> log;
  bool quiet = false;
  jiggle::Init init = jiggle::Dense<784, 512>::default_init;
  bool standardize = true;  // (x/255 − 0.1307) / 0.3081; x/255 with --scaling unit
};

constexpr std::string_view kUsage =
    "usage: mnist_mlp [--data DIR] [--epochs N] [--batch N] [--lr X] [--seed N] [--threads N]\n"
    "                 [--log FILE] [--quiet] [--init NAME] [--scaling standard|unit] [--help]\n";

constexpr std::string_view kHelp =
    "Trains the MLP 784-512-512-10 (ReLU, softmax cross-entropy) on MNIST with plain SGD.\n"
    "\n"
    "  --data DIR     folder with the four MNIST files (default: $JIGGLE_DATA if set, else the\n"
    "                 data/mnist folder of the source tree this program was built from)\n"
    "  --epochs N     passes over the 60,000 training images (default 12)\n"
    "  --batch N      images per SGD step (default 128)\n"
    "  --lr X         learning rate, > 0 (default 0.1)\n"
    "  --seed N       seeds initialisation and shuffling (default 0)\n"
    "  --threads N    threads (default: $OMP_NUM_THREADS if set, else every core)\n"
    "  --log FILE     writes one CSV row per epoch: epoch,train_loss,test_accuracy,seconds\n"
    "  --quiet        prints only the final accuracy line\n"
    "  --init NAME    glorot-uniform (default), glorot-normal, he-normal, he-uniform, torch-default\n"
    "  --scaling S    input pixels: standard (default), (x/255 - 0.1307) / 0.3081, MNIST's\n"
    "                 training mean and deviation; or unit, x/255\n"
    "  --help         this text\n";

[[noreturn]] inline void usage_error(const std::string& problem) {
  std::fprintf(stderr, "mnist_mlp: %s\n%.*s", problem.c_str(), static_cast<int>(kUsage.size()), kUsage.data());
  std::exit(2);
}

template <class Number>
Number parse_number(std::string_view flag, std::string_view text, Number lowest) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !(value >= lowest) ||
      (std::is_floating_point_v<Number> && !std::isfinite(static_cast<double>(value))))
    usage_error(std::string(flag) + " takes a number of at least " + std::to_string(lowest) + ", got '" +
                std::string(text) + "'");
  return value;
}

inline TrainingOptions parse_command_line(int argc, char** argv) {
  TrainingOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) usage_error(std::string(flag) + " needs a value");
      return argv[++i];
    };
    if (flag == "--help" || flag == "-h") {
      std::printf("%.*s\n%.*s", static_cast<int>(kUsage.size()), kUsage.data(), static_cast<int>(kHelp.size()),
                  kHelp.data());
      std::exit(0);
    } else if (flag == "--data") {
      options.data = value();
    } else if (flag == "--epochs") {
      options.epochs = parse_number<int>(flag, value(), 1);
    } else if (flag == "--batch") {
      options.batch_size = parse_number<int>(flag, value(), 1);
    } else if (flag == "--lr") {
      options.learning_rate = parse_number<double>(flag, value(), 1e-300);
    } else if (flag == "--seed") {
      options.seed = parse_number<std::uint64_t>(flag, value(), 0);
    } else if (flag == "--threads") {
      options.threads = parse_number<int>(flag, value(), 1);
    } else if (flag == "--log") {
      options.log = value();
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
  return options;
}
