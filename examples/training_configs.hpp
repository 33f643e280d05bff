#pragma once
// The rows of the ablation table (`mnist NAME...`, `mnist --all`): each a network and a recipe.
// The reference rows carry the reference's names, recipes and logged test accuracy; jiggle's own
// recipes are further rows with their own names, so that no reference row is tuned in place.
#include <array>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>

#include "jiggle/io/number_text.hpp"

struct TrainingConfig {
  std::string_view name;
  std::string_view summary;
  std::string_view family = "MLP";     // the report's plot it shares: linear/shallow, width, MLP, CNN
  double reference_accuracy = 0.0;     // the reference's test accuracy in %; 0: a row of jiggle's own
  std::string_view network = "mlp";    // a name of networks.hpp
  std::string_view optimizer = "sgd";  // sgd or adam
  double learning_rate = 0.1;
  double momentum = 0.0;
  bool nesterov = false;
  double weight_decay = 0.0;  // L2 for SGD, decoupled (AdamW) for Adam
  bool cosine = false;        // cosine decay of the learning rate to 0 over the run
  int warmup_epochs = 0;      // linear warmup before it
  double label_smoothing = 0.0;
  int augment_shift = 0;  // random translation by up to this many pixels
  int epochs = 12;
  int batch_size = 128;
};

// Every row of the reference's table, then jiggle's own. "Augmentation" in a reference recipe is
// random shifts of up to 2 pixels.
inline constexpr std::array<TrainingConfig, 20> kTrainingConfigs{{
    {.name = "linear-sgd",
     .summary = "logistic regression; SGD 0.1",
     .family = "linear/shallow",
     .reference_accuracy = 91.9,
     .network = "linear"},
    {.name = "linear-adam",
     .summary = "logistic regression; Adam 1e-3",
     .family = "linear/shallow",
     .reference_accuracy = 92.6,
     .network = "linear",
     .optimizer = "adam",
     .learning_rate = 1e-3},
    {.name = "shallow-sgd",
     .summary = "one hidden layer of 128; SGD 0.1, 15 epochs",
     .family = "linear/shallow",
     .reference_accuracy = 98.1,
     .network = "shallow-h128",
     .epochs = 15},
    {.name = "shallow-adam",
     .summary = "one hidden layer of 128; Adam 1e-3, 15 epochs",
     .family = "linear/shallow",
     .reference_accuracy = 98.0,
     .network = "shallow-h128",
     .optimizer = "adam",
     .learning_rate = 1e-3,
     .epochs = 15},
    {.name = "width-h64",
     .summary = "one hidden layer of 64; SGD 0.002, 15 epochs",
     .family = "width",
     .reference_accuracy = 94.34,
     .network = "shallow-h64",
     .learning_rate = 0.002,
     .epochs = 15},
    {.name = "width-h128",
     .summary = "one hidden layer of 128; SGD 0.002, 15 epochs",
     .family = "width",
     .reference_accuracy = 94.72,
     .network = "shallow-h128",
     .learning_rate = 0.002,
     .epochs = 15},
    {.name = "width-h512",
     .summary = "one hidden layer of 512; SGD 0.002, 15 epochs",
     .family = "width",
     .reference_accuracy = 95.12,
     .network = "shallow-h512",
     .learning_rate = 0.002,
     .epochs = 15},
    {.name = "mlp-sgd",
     .summary = "the reference baseline: plain SGD, lr 0.1, batch 128, 12 epochs",
     .reference_accuracy = 98.57},
    {.name = "mlp-sgd-low",
     .summary = "plain SGD at lr 0.01, 15 epochs",
     .reference_accuracy = 97.91,
     .learning_rate = 0.01,
     .epochs = 15},
    {.name = "mlp-adam",
     .summary = "Adam, lr 1e-3",
     .reference_accuracy = 97.92,
     .optimizer = "adam",
     .learning_rate = 1e-3},
    {.name = "mlp-full",
     .summary = "AdamW (decay 1e-4), warmup, cosine, shifts, label smoothing 0.1",
     .reference_accuracy = 98.68,
     .optimizer = "adam",
     .learning_rate = 1e-3,
     .weight_decay = 1e-4,
     .cosine = true,
     .warmup_epochs = 1,
     .label_smoothing = 0.1,
     .augment_shift = 2},
    {.name = "cnn-nobn-sgd",
     .summary = "the reference's first CNN: two 3x3 convolutions, max pooling, three dense layers; SGD 0.1",
     .family = "CNN",
     .reference_accuracy = 98.98,
     .network = "cnn-nobn"},
    {.name = "cnn-bn-sgd",
     .summary = "the reference's CNN with batch norm; SGD 0.1, 15 epochs",
     .family = "CNN",
     .reference_accuracy = 99.06,
     .network = "cnn-bn",
     .epochs = 15},
    {.name = "cnn-bn-full",
     .summary = "the CNN with batch norm: AdamW (decay 1e-4), warmup, cosine, shifts, label smoothing, 15 epochs",
     .family = "CNN",
     .reference_accuracy = 99.50,
     .network = "cnn-bn",
     .optimizer = "adam",
     .learning_rate = 1e-3,
     .weight_decay = 1e-4,
     .cosine = true,
     .warmup_epochs = 1,
     .label_smoothing = 0.1,
     .augment_shift = 2,
     .epochs = 15},
    {.name = "width-cnn-f8",
     .summary = "a narrow CNN, 8 filters; SGD 0.002, 15 epochs",
     .family = "width",
     .reference_accuracy = 98.34,
     .network = "width-cnn-f8",
     .learning_rate = 0.002,
     .epochs = 15},
    {.name = "width-cnn-f64",
     .summary = "a wide CNN, 64 filters; SGD 0.002, 15 epochs",
     .family = "width",
     .reference_accuracy = 98.90,
     .network = "width-cnn-f64",
     .learning_rate = 0.002,
     .epochs = 15},
    {.name = "mlp-sgd-momentum",
     .summary = "SGD with momentum 0.9; lr 0.01 keeps the baseline's effective step lr/(1-momentum)",
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
          {"recipe.epochs", std::to_string(c.epochs)},
          {"recipe.batch_size", std::to_string(c.batch_size)}};
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
  if (c.momentum > 0) add(c.nesterov ? ", Nesterov momentum %g" : ", momentum %g", c.momentum);
  if (c.weight_decay > 0) add(c.optimizer == "adam" ? ", decay %g" : ", L2 %g", c.weight_decay);
  if (c.warmup_epochs > 0) add(", %d warmup epoch(s)", c.warmup_epochs);
  if (c.cosine) text += ", cosine";
  if (c.augment_shift > 0) add(", shifts of %d px", c.augment_shift);
  if (c.label_smoothing > 0) add(", label smoothing %g", c.label_smoothing);
  add(", %d epochs", c.epochs);
  if (c.batch_size != 128) add(", batch %d", c.batch_size);
  return text;
}

inline void print_training_config(const TrainingConfig& c) {
  std::printf("%.*s: %.*s\n", static_cast<int>(c.name.size()), c.name.data(), static_cast<int>(c.summary.size()),
              c.summary.data());
  std::printf("  network %.*s,", static_cast<int>(c.network.size()), c.network.data());
  std::printf(" optimizer %.*s, lr %g, momentum %g%s, weight decay %g, cosine %s, warmup %d epochs,\n",
              static_cast<int>(c.optimizer.size()), c.optimizer.data(), c.learning_rate, c.momentum,
              c.nesterov ? " (nesterov)" : "", c.weight_decay, c.cosine ? "yes" : "no", c.warmup_epochs);
  std::printf("  label smoothing %g, augmentation shift %d px, epochs %d, batch %d\n", c.label_smoothing,
              c.augment_shift, c.epochs, c.batch_size);
}
