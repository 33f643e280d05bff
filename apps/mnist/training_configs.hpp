#pragma once
// The rows of the ablation table (`mnist NAME...`, `mnist --all`): each a network, a data set and
// a recipe.
// The reference rows carry the reference's names, recipes and logged test accuracy, and train as
// the reference's code trained them; jiggle's own recipes are further rows with their own names,
// so that no reference row is tuned in place.
#include <array>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "jiggle/init.hpp"
#include "jiggle/io/number_text.hpp"

struct TrainingConfig {
  std::string_view name;
  std::string_view summary;
  std::string_view family = "MLP";      // the report's plot it shares: linear/shallow, width, MLP, CNN, plain SGD
  bool from_reference = false;          // a row of the reference's registry, trained as the reference trained it
  double reference_accuracy = 0.0;      // what the reference logged, in % of its first 9,984 test images; 0: nothing
  std::string_view plain_of = {};       // a row of jiggle's own: this reference row as the chapter's text describes it
  std::string_view network = "mlp";     // a name of networks.hpp
  std::string_view data_set = "MNIST";  // MNIST, or CIFAR-10 (whose folder --data must give)
  std::string_view optimizer = "sgd";   // sgd or adam
  double learning_rate = 0.1;
  double momentum = 0.0;
  bool nesterov = false;
  double weight_decay = 0.0;  // L2 for SGD, decoupled (AdamW) for Adam
  bool cosine = false;        // cosine decay of the learning rate to 0 over the run
  int warmup_epochs = 0;      // linear warmup before it
  double label_smoothing = 0.0;
  int augment_shift = 0;         // random translation by up to this many pixels
  bool horizontal_flip = false;  // each image mirrored left to right with probability ½
  int epochs = 12;
  int batch_size = 128;
  std::optional<jiggle::Init> init = std::nullopt;  // every layer's; unset: each layer's own default
  bool standardize = true;                          // inputs (x/255 − 0.1307) / 0.3081; false: x/255
  bool drop_partial_batch = false;                  // each epoch's last, partial batch left out
};

// The reference rows train as the reference framework trained them, which is not what its recipes
// say: its code runs SGD as heavy-ball momentum 0.9 whatever the recipe says, draws every weight
// He-scaled as 2s(u₁ + u₂ + u₃), feeds x/255, drops each epoch's last 96 images, and augments no
// MNIST batch; and its curves show its one warmup epoch running at the full rate (mlp-full's
// training loss is 32 % above the reference's at epoch 1 with a warmup, within 0.5 % at every
// epoch without). docs/ablation.md gives the evidence. Its CIFAR-10 loader, unlike its MNIST one,
// does flip images where a recipe augments.
constexpr TrainingConfig as_the_reference_ran(TrainingConfig row) {
  row.from_reference = true;
  if (row.optimizer == "sgd") row.momentum = 0.9;
  row.init = jiggle::Init::he_three_uniforms;
  row.standardize = false;
  row.drop_partial_batch = true;
  row.augment_shift = 0;
  row.warmup_epochs = 0;
  return row;
}

// A reference row as the chapter's text describes it, plain SGD, with jiggle's defaults for what
// the text leaves open (each layer's initialisation, standardised inputs, every image each epoch).
constexpr TrainingConfig as_the_text_describes(TrainingConfig row, std::string_view name, std::string_view summary) {
  row.name = name;
  row.summary = summary;
  row.family = "plain SGD";
  row.reference_accuracy = 0.0;
  return row;
}

// The recipes of the reference's registry, as it states them.
namespace reference_recipes {

// Its "full" recipe: AdamW 1e-3 (decay 1e-4), one warmup epoch, cosine, label smoothing 0.1, and
// augmentation, which its MNIST loader never applied and its CIFAR-10 loader applies as flips.
constexpr TrainingConfig full(TrainingConfig row) {
  row.optimizer = "adam";
  row.learning_rate = 1e-3;
  row.weight_decay = 1e-4;
  row.cosine = true;
  row.warmup_epochs = 1;
  row.label_smoothing = 0.1;
  row.horizontal_flip = row.data_set == "CIFAR-10";
  return row;
}
inline constexpr TrainingConfig linear_sgd{.name = "linear-sgd",
                                           .summary = "logistic regression; SGD 0.1",
                                           .family = "linear/shallow",
                                           .reference_accuracy = 91.9,
                                           .network = "linear"};
inline constexpr TrainingConfig shallow_sgd{.name = "shallow-sgd",
                                            .summary = "one hidden layer of 128; SGD 0.1, 15 epochs",
                                            .family = "linear/shallow",
                                            .reference_accuracy = 98.1,
                                            .network = "shallow-h128",
                                            .epochs = 15};
// The width rows: one network of a family of widths, SGD 0.002, 15 epochs.
constexpr TrainingConfig width_row(std::string_view name, std::string_view summary, std::string_view network,
                                   double reference_accuracy) {
  return {.name = name,
          .summary = summary,
          .family = "width",
          .reference_accuracy = reference_accuracy,
          .network = network,
          .learning_rate = 0.002,
          .epochs = 15};
}
inline constexpr TrainingConfig width_h64 =
    width_row("width-h64", "one hidden layer of 64; SGD 0.002, 15 epochs", "shallow-h64", 94.34);
inline constexpr TrainingConfig width_h128 =
    width_row("width-h128", "one hidden layer of 128; SGD 0.002, 15 epochs", "shallow-h128", 94.72);
inline constexpr TrainingConfig width_h512 =
    width_row("width-h512", "one hidden layer of 512; SGD 0.002, 15 epochs", "shallow-h512", 95.12);
inline constexpr TrainingConfig mlp_sgd{
    .name = "mlp-sgd", .summary = "the reference baseline: SGD 0.1, batch 128, 12 epochs", .reference_accuracy = 98.57};
inline constexpr TrainingConfig mlp_sgd_low{.name = "mlp-sgd-low",
                                            .summary = "SGD at lr 0.01, 15 epochs",
                                            .reference_accuracy = 97.91,
                                            .learning_rate = 0.01,
                                            .epochs = 15};
inline constexpr TrainingConfig cnn_nobn_sgd{
    .name = "cnn-nobn-sgd",
    .summary = "the reference's first CNN: two 3x3 convolutions, max pooling, three dense layers; SGD 0.1",
    .family = "CNN",
    .reference_accuracy = 98.98,
    .network = "cnn-nobn"};
inline constexpr TrainingConfig cnn_bn_sgd{.name = "cnn-bn-sgd",
                                           .summary = "the reference's CNN with batch norm; SGD 0.1, 15 epochs",
                                           .family = "CNN",
                                           .reference_accuracy = 99.06,
                                           .network = "cnn-bn",
                                           .epochs = 15};
inline constexpr TrainingConfig width_cnn_f8 =
    width_row("width-cnn-f8", "a narrow CNN, 8 filters; SGD 0.002, 15 epochs", "width-cnn-f8", 98.34);
inline constexpr TrainingConfig width_cnn_f64 =
    width_row("width-cnn-f64", "a wide CNN, 64 filters; SGD 0.002, 15 epochs", "width-cnn-f64", 98.90);

// Chapter 3's rows, on CIFAR-10: 30 epochs each.
constexpr TrainingConfig cifar_row(std::string_view name, std::string_view summary, std::string_view network,
                                   double learning_rate, double reference_accuracy) {
  return {.name = name,
          .summary = summary,
          .family = "CIFAR-10",
          .reference_accuracy = reference_accuracy,
          .network = network,
          .data_set = "CIFAR-10",
          .learning_rate = learning_rate,
          .epochs = 30};
}
inline constexpr TrainingConfig cifar_bn_full = full(cifar_row(
    "cifar-bn-full", "the CIFAR CNN with batch norm: AdamW (decay 1e-4), cosine, label smoothing 0.1, horizontal flips",
    "cifar-bn", 1e-3, 82.0));
}  // namespace reference_recipes

// Every row of the reference's registry, the logged ones first, then the chapter's text's plain SGD
// rows and jiggle's own recipes.
inline constexpr std::array<TrainingConfig, 47> kTrainingConfigs{{
    as_the_reference_ran(reference_recipes::linear_sgd),
    as_the_reference_ran({.name = "linear-adam",
                          .summary = "logistic regression; Adam 1e-3",
                          .family = "linear/shallow",
                          .reference_accuracy = 92.56,
                          .network = "linear",
                          .optimizer = "adam",
                          .learning_rate = 1e-3}),
    as_the_reference_ran(reference_recipes::shallow_sgd),
    as_the_reference_ran({.name = "shallow-adam",
                          .summary = "one hidden layer of 128; Adam 1e-3, 15 epochs",
                          .family = "linear/shallow",
                          .reference_accuracy = 97.97,
                          .network = "shallow-h128",
                          .optimizer = "adam",
                          .learning_rate = 1e-3,
                          .epochs = 15}),
    as_the_reference_ran(reference_recipes::width_h64),
    as_the_reference_ran(reference_recipes::width_h128),
    as_the_reference_ran(reference_recipes::width_h512),
    as_the_reference_ran(reference_recipes::mlp_sgd),
    as_the_reference_ran(reference_recipes::mlp_sgd_low),
    as_the_reference_ran({.name = "mlp-adam",
                          .summary = "Adam, lr 1e-3",
                          .reference_accuracy = 97.92,
                          .optimizer = "adam",
                          .learning_rate = 1e-3}),
    as_the_reference_ran(reference_recipes::full(
        {.name = "mlp-full",
         .summary = "AdamW (decay 1e-4), cosine, label smoothing 0.1; the recipe's warmup epoch "
                    "ran at the full rate and its augmentation never reached MNIST batches",
         .reference_accuracy = 98.68})),
    as_the_reference_ran(reference_recipes::cnn_nobn_sgd),
    as_the_reference_ran(reference_recipes::cnn_bn_sgd),
    as_the_reference_ran(
        reference_recipes::full({.name = "cnn-bn-full",
                                 .summary = "the CNN with batch norm: AdamW (decay 1e-4), cosine, label smoothing, 15 "
                                            "epochs; no warmup or augmentation, as for mlp-full",
                                 .family = "CNN",
                                 .reference_accuracy = 99.50,
                                 .network = "cnn-bn",
                                 .epochs = 15})),
    as_the_reference_ran(reference_recipes::width_cnn_f8),
    as_the_reference_ran(reference_recipes::width_cnn_f64),
    as_the_reference_ran({.name = "cnn-lite-nobn-sgd",
                          .summary = "two 128-channel 3x3 convolutions, maxpool 2, global average pooling, dense "
                                     "128-10; SGD 0.1, 15 epochs",
                          .family = "CNN",
                          .reference_accuracy = 95.70,
                          .network = "cnn-lite-nobn",
                          .epochs = 15}),
    as_the_reference_ran({.name = "cnn-lite-bn-sgd",
                          .summary = "cnn-lite-nobn-sgd with batch norm after each convolution; SGD 0.1, 15 epochs",
                          .family = "CNN",
                          .reference_accuracy = 95.95,
                          .network = "cnn-lite-bn",
                          .epochs = 15}),
    as_the_reference_ran(reference_recipes::cifar_row(
        "cifar-nobn-sgd", "four 3x3 convolutions, two poolings, dense 4096-512-512-10; SGD 0.1 (diverged)",
        "cifar-nobn", 0.1, 10.0)),
    as_the_reference_ran(
        reference_recipes::cifar_row("cifar-nobn-sgd002", "cifar-nobn-sgd at SGD 0.002", "cifar-nobn", 0.002, 72.5)),
    as_the_reference_ran(
        reference_recipes::cifar_row("cifar-bn-sgd", "the CIFAR CNN with batch norm; SGD 0.1", "cifar-bn", 0.1, 61.6)),
    as_the_reference_ran(reference_recipes::cifar_bn_full),
    as_the_reference_ran(reference_recipes::cifar_row(
        "width-cifar-f8", "a narrow CIFAR CNN with batch norm, 8 filters; SGD 0.002", "width-cifar-f8", 0.002, 67.28)),
    as_the_reference_ran(reference_recipes::cifar_row(
        "width-cifar-f16", "a CIFAR CNN with batch norm, 16 filters; SGD 0.002", "width-cifar-f16", 0.002, 72.53)),
    as_the_reference_ran(reference_recipes::cifar_row(
        "width-cifar-f32", "a CIFAR CNN with batch norm, 32 filters; SGD 0.002", "width-cifar-f32", 0.002, 73.78)),
    as_the_reference_ran(reference_recipes::cifar_row(
        "width-cifar-f64", "a wide CIFAR CNN with batch norm, 64 filters; SGD 0.002", "width-cifar-f64", 0.002, 75.52)),
    // Rows the reference's registry defines and its logs never show.
    as_the_reference_ran(reference_recipes::width_row(
        "width-h32", "one hidden layer of 32; SGD 0.002, 15 epochs (never logged by the reference)", "shallow-h32", 0)),
    as_the_reference_ran(reference_recipes::width_row(
        "width-h256", "one hidden layer of 256; SGD 0.002, 15 epochs (never logged by the reference)", "shallow-h256",
        0)),
    as_the_reference_ran(reference_recipes::width_row(
        "width-cnn-f16", "a CNN of 16 filters; SGD 0.002, 15 epochs (never logged by the reference)", "width-cnn-f16",
        0)),
    as_the_reference_ran(reference_recipes::width_row(
        "width-cnn-f32", "a CNN of 32 filters; SGD 0.002, 15 epochs (never logged by the reference)", "width-cnn-f32",
        0)),
    as_the_reference_ran({.name = "cnn-nobn-adam",
                          .summary = "the first CNN with Adam 1e-3, 15 epochs (never logged by the reference)",
                          .family = "CNN",
                          .network = "cnn-nobn",
                          .optimizer = "adam",
                          .learning_rate = 1e-3,
                          .epochs = 15}),
    as_the_reference_ran({.name = "cnn-bn-adam",
                          .summary = "the CNN with batch norm and Adam 1e-3, 15 epochs (never logged by the reference)",
                          .family = "CNN",
                          .network = "cnn-bn",
                          .optimizer = "adam",
                          .learning_rate = 1e-3,
                          .epochs = 15}),
    // The chapter's text describes plain SGD, without momentum.
    as_the_text_describes(reference_recipes::linear_sgd, "linear-sgd-plain",
                          "linear-sgd as the text describes it: plain SGD 0.1"),
    as_the_text_describes(reference_recipes::shallow_sgd, "shallow-sgd-plain",
                          "shallow-sgd as the text describes it: plain SGD 0.1, 15 epochs"),
    as_the_text_describes(reference_recipes::width_h64, "width-h64-plain",
                          "width-h64 as the text describes it: plain SGD 0.002, 15 epochs"),
    as_the_text_describes(reference_recipes::width_h128, "width-h128-plain",
                          "width-h128 as the text describes it: plain SGD 0.002, 15 epochs"),
    as_the_text_describes(reference_recipes::width_h512, "width-h512-plain",
                          "width-h512 as the text describes it: plain SGD 0.002, 15 epochs"),
    as_the_text_describes(reference_recipes::mlp_sgd, "mlp-sgd-plain",
                          "the chapter's baseline as its text describes it: plain SGD 0.1, batch 128, 12 epochs"),
    as_the_text_describes(reference_recipes::mlp_sgd_low, "mlp-sgd-low-plain",
                          "mlp-sgd-low as the text describes it: plain SGD 0.01, 15 epochs"),
    as_the_text_describes(reference_recipes::cnn_nobn_sgd, "cnn-nobn-sgd-plain",
                          "cnn-nobn-sgd as the text describes it: plain SGD 0.1"),
    as_the_text_describes(reference_recipes::cnn_bn_sgd, "cnn-bn-sgd-plain",
                          "cnn-bn-sgd as the text describes it: plain SGD 0.1, 15 epochs"),
    as_the_text_describes(reference_recipes::width_cnn_f8, "width-cnn-f8-plain",
                          "width-cnn-f8 as the text describes it: plain SGD 0.002, 15 epochs"),
    as_the_text_describes(reference_recipes::width_cnn_f64, "width-cnn-f64-plain",
                          "width-cnn-f64 as the text describes it: plain SGD 0.002, 15 epochs"),
    // jiggle's own recipes.
    {.name = "mlp-sgd-momentum",
     .summary = "SGD with momentum 0.9; lr 0.01 keeps the plain baseline's effective step lr/(1-momentum)",
     .learning_rate = 0.01,
     .momentum = 0.9},
    {.name = "mlp-adam-cosine",
     .summary = "Adam, lr 1e-3 decayed to 0 by a cosine",
     .optimizer = "adam",
     .learning_rate = 1e-3,
     .cosine = true},
    {.name = "mlp-adamw-cosine-warmup",
     .summary = "AdamW (decoupled weight decay 0.01), 1 warmup epoch, then cosine",
     .optimizer = "adam",
     .learning_rate = 1e-3,
     .weight_decay = 0.01,
     .cosine = true,
     .warmup_epochs = 1},
    {.name = "mlp-modern",
     .summary = "AdamW, warmup and cosine, label smoothing 0.1, random shifts of up to 2 pixels",
     .optimizer = "adam",
     .learning_rate = 1e-3,
     .weight_decay = 0.01,
     .cosine = true,
     .warmup_epochs = 1,
     .label_smoothing = 0.1,
     .augment_shift = 2},
}};

inline const TrainingConfig* find_training_config(std::string_view name) {
  for (const auto& config : kTrainingConfigs)
    if (config.name == name) return &config;
  return nullptr;
}

// Every field of a recipe as text, under recipe.<field>: what a resumed run must repeat.
inline std::map<std::string, std::string> describe(const TrainingConfig& c) {
  const auto number = jiggle::shortest_text;
  return {{"recipe.optimizer", std::string(c.optimizer)},
          {"recipe.learning_rate", number(c.learning_rate)},
          {"recipe.momentum", number(c.momentum)},
          {"recipe.nesterov", c.nesterov ? "yes" : "no"},
          {"recipe.weight_decay", number(c.weight_decay)},
          {"recipe.cosine", c.cosine ? "yes" : "no"},
          {"recipe.warmup_epochs", std::to_string(c.warmup_epochs)},
          {"recipe.label_smoothing", number(c.label_smoothing)},
          {"recipe.augment_shift", std::to_string(c.augment_shift)},
          {"recipe.horizontal_flip", c.horizontal_flip ? "yes" : "no"},
          {"recipe.epochs", std::to_string(c.epochs)},
          {"recipe.batch_size", std::to_string(c.batch_size)},
          {"recipe.partial_batch", c.drop_partial_batch ? "dropped" : "kept"}};
}

// The recipe in a few words, as the reference's table states them: "SGD 0.1, 12 epochs".
inline std::string recipe_text(const TrainingConfig& c) {
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%s %g", c.optimizer == "adam" ? (c.weight_decay > 0 ? "AdamW" : "Adam") : "SGD",
                c.learning_rate);
  std::string text = buffer;
  auto add = [&](const char* format, auto value) {
    std::snprintf(buffer, sizeof buffer, format, value);
    text += buffer;
  };
  if (c.momentum > 0 && c.optimizer == "sgd") add(c.nesterov ? ", Nesterov momentum %g" : ", momentum %g", c.momentum);
  if (c.weight_decay > 0) add(c.optimizer == "adam" ? ", decay %g" : ", L2 %g", c.weight_decay);
  if (c.warmup_epochs > 0) add(", %d warmup epoch(s)", c.warmup_epochs);
  if (c.cosine) text += ", cosine";
  if (c.augment_shift > 0) add(", shifts of %d px", c.augment_shift);
  if (c.horizontal_flip) text += ", horizontal flips";
  if (c.label_smoothing > 0) add(", label smoothing %g", c.label_smoothing);
  add(", %d epochs", c.epochs);
  if (c.batch_size != 128) add(", batch %d", c.batch_size);
  if (c.init) text += ", init " + std::string(jiggle::to_string(*c.init));
  if (!c.standardize) text += ", x/255";
  if (c.drop_partial_batch) text += ", partial batch dropped";
  return text;
}

inline void print_training_config(const TrainingConfig& c) {
  std::printf("%.*s: %.*s\n", static_cast<int>(c.name.size()), c.name.data(), static_cast<int>(c.summary.size()),
              c.summary.data());
  std::printf("  network %.*s,", static_cast<int>(c.network.size()), c.network.data());
  std::printf(" optimizer %.*s, lr %g, momentum %g%s, weight decay %g, cosine %s, warmup %d epochs,\n",
              static_cast<int>(c.optimizer.size()), c.optimizer.data(), c.learning_rate, c.momentum,
              c.nesterov ? " (nesterov)" : "", c.weight_decay, c.cosine ? "yes" : "no", c.warmup_epochs);
  std::printf("  label smoothing %g, augmentation shift %d px%s, epochs %d, batch %d%s\n", c.label_smoothing,
              c.augment_shift, c.horizontal_flip ? " and horizontal flips" : "", c.epochs, c.batch_size,
              c.drop_partial_batch ? " (the partial batch dropped)" : "");
  const std::string_view init = c.init ? jiggle::to_string(*c.init) : "each layer's default";
  std::printf("  data %.*s, init %.*s, input %s\n", static_cast<int>(c.data_set.size()), c.data_set.data(),
              static_cast<int>(init.size()), init.data(), c.standardize ? "(x/255 - 0.1307) / 0.3081" : "x/255");
}
