#pragma once
// A training state: everything a run needs to continue exactly where it stopped, in one
// safetensors file that loads as plain weights too.
//   tensors       the model's parameters and buffers under their usual names, and the
//                 optimiser's state as optimizer.<parameter>.<kind>, in PyTorch's words
//                 (optimizer.layers.0.weight.exp_avg, ….momentum_buffer);
//   __metadata__  jiggle.* : the format, where the run stands (epochs, steps, the epoch's batches
//                 and loss so far) and the optimiser's counters (jiggle.optimizer.step);
//                 every other key is the caller's description of the run (its recipe, network,
//                 seed), which a resumed run must repeat exactly.
// Random draws are not saved as generator words: the library's generators derive every draw
// from (seed, epoch, batch) (data/batches.hpp), so the position and the seed restore them.
//
// Resuming is bit-identical only if every piece of state that changes from step to step is in
// the file. A layer with buffers that training changes (batch norm's running statistics) saves
// them through visit_buffers; an optimiser through visit_state and visit_counters; a layer or
// optimiser that draws random numbers must derive them from what is saved. A new one proves it
// with a test that stops and resumes a run and compares every bit (tests/train/).
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "jiggle/checkpoint.hpp"
#include "jiggle/error.hpp"
#include "jiggle/io/number_text.hpp"
#include "jiggle/io/safetensors.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/optim/optimizer.hpp"
#include "jiggle/train/train_epoch.hpp"

namespace jiggle {

// Where a run stands between two steps.
struct TrainingPosition {
  std::int64_t epochs_done = 0;  // whole epochs
  std::int64_t steps_done = 0;   // optimiser steps over the whole run
  EpochProgress epoch;           // within the epoch under way
};

// A training state as read back: where the run stood, and the caller's description of it.
struct TrainingState {
  TrainingPosition position;
  std::map<std::string, std::string> description;
};

namespace training_state_detail {

inline constexpr std::string_view kFormatKey = "jiggle.format";
inline constexpr std::string_view kFormat = "training-state-1";
inline constexpr std::string_view kReservedPrefix = "jiggle.";
inline constexpr std::string_view kCounterPrefix = "jiggle.optimizer.";

// The caller's keys of a description: jiggle.* are the library's.
inline const std::string& checked_description_key(const std::string& key) {
  if (key.starts_with(kReservedPrefix))
    throw Error("a training state's description cannot use the key '" + key + "': jiggle.* is the library's");
  return key;
}

inline std::string optimizer_tensor_name(const ParameterPath& parameter, std::string_view kind) {
  std::string name(kOptimizerStatePrefix);
  name += parameter.to_string();
  name += '.';
  name += kind;
  return name;
}

// The metadata key of an optimiser's counter.
inline std::string counter_key(std::string_view name) { return std::string(kCounterPrefix) + std::string(name); }

// A training state's tensors: the model's, then the optimiser's, each a view of its owner's.
template <Layer Model, class TheOptimizer>
std::vector<NamedTensor<typename Model::Scalar>> state_tensors(Model& model, TheOptimizer& optimizer) {
  using T = typename Model::Scalar;
  std::vector<NamedTensor<T>> tensors = saved_tensors(model);
  // An optimiser makes its state at the first visit; the views are taken once all of it exists.
  optimizer.visit_state(model, StateVisitor<T>{});
  optimizer.visit_state(model, [&](const Parameter<T>& parameter, std::string_view kind, Matrix<T>& tensor) {
    tensors.push_back({optimizer_tensor_name(parameter.path, kind), parameter.shape,
                       Eigen::Map<Matrix<T>>(tensor.data(), tensor.rows(), tensor.cols())});
  });
  return tensors;
}

inline bool every_tensor(const std::string&) { return true; }

}  // namespace training_state_detail

// Writes the state of a run, whole or not at all, to `path`: the model, the optimiser, the
// position, and `description` (string to string; keys must not start with "jiggle.").
template <Layer Model, class TheOptimizer>
requires StatefulOptimizer<TheOptimizer, Model>
void save_training_state(const std::filesystem::path& path, Model& model, TheOptimizer& optimizer,
                         const TrainingPosition& position, const std::map<std::string, std::string>& description) {
  namespace detail = training_state_detail;
  std::map<std::string, std::string> metadata;
  for (const auto& [key, value] : description) metadata[detail::checked_description_key(key)] = value;
  metadata[std::string(detail::kFormatKey)] = detail::kFormat;
  metadata["jiggle.epochs_done"] = std::to_string(position.epochs_done);
  metadata["jiggle.steps_done"] = std::to_string(position.steps_done);
  metadata["jiggle.epoch.batches_done"] = std::to_string(position.epoch.batches_done);
  metadata["jiggle.epoch.samples_done"] = std::to_string(position.epoch.samples_done);
  metadata["jiggle.epoch.loss_sum"] = shortest_text(position.epoch.loss_sum);
  optimizer.visit_counters([&](std::string_view name, const long long& value) {
    metadata[detail::counter_key(name)] = std::to_string(value);
  });
  const auto tensors = detail::state_tensors(model, optimizer);
  write_safetensors<typename Model::Scalar>(path, tensors, metadata);
}

namespace training_state_detail {

// The whole number under `key`, in [0, max].
inline long long read_count(const SafetensorsFile& file, const std::string& key, long long max) {
  const auto found = file.metadata().find(key);
  if (found == file.metadata().end()) file.fail("a training state without " + key);
  const std::string& text = found->second;
  long long value = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value < 0 || value > max)
    file.fail(key + " must be a whole number from 0 to " + std::to_string(max) + ", found '" + text + "'");
  return value;
}

inline double read_finite(const SafetensorsFile& file, const std::string& key) {
  const auto found = file.metadata().find(key);
  if (found == file.metadata().end()) file.fail("a training state without " + key);
  const std::string& text = found->second;
  double value = 0.0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value))
    file.fail(key + " must be a finite number, found '" + text + "'");
  return value;
}

inline constexpr long long kMaxCount = std::numeric_limits<std::int64_t>::max() / 2;

// What a training state says besides its tensors and counters: its format is checked, its
// description compared with `expected` (see load_training_state) and its position read.
inline TrainingState read_position_and_description(const SafetensorsFile& file,
                                                   const std::map<std::string, std::string>& expected,
                                                   const std::map<std::string, std::string>& written_before) {
  const auto& metadata = file.metadata();
  const auto format = metadata.find(std::string(kFormatKey));
  if (format == metadata.end()) file.fail("holds weights only, not a training state to resume from");
  if (format->second != kFormat)
    file.fail("is a training state of format '" + format->second + "', this program reads '" + std::string(kFormat) +
              "'");
  std::map<std::string, std::string> description;
  for (const auto& [key, value] : written_before) description[checked_description_key(key)] = value;
  for (const auto& [key, value] : metadata)
    if (!key.starts_with(kReservedPrefix)) description[key] = value;
  for (const auto& [key, value] : expected) {
    const auto found = description.find(key);
    const std::string saved = found == description.end() ? "(none)" : found->second;
    if (saved != value) {
      std::string difference = "was written by a run with ";
      difference.append(key).append(" ").append(saved).append(", and this run has ").append(key).append(" ");
      file.fail(difference.append(value));
    }
  }

  TrainingState state;
  state.position.epochs_done = read_count(file, "jiggle.epochs_done", kMaxCount);
  state.position.steps_done = read_count(file, "jiggle.steps_done", kMaxCount);
  state.position.epoch.batches_done = read_count(file, "jiggle.epoch.batches_done", kMaxCount);
  state.position.epoch.samples_done = read_count(file, "jiggle.epoch.samples_done", kMaxCount);
  state.position.epoch.loss_sum = read_finite(file, "jiggle.epoch.loss_sum");
  state.description = std::move(description);
  return state;
}

// The optimiser's counters, by their keys in the file, which must hold no other counter.
inline std::map<std::string, long long> read_counters(const SafetensorsFile& file,
                                                      const std::vector<std::string>& keys) {
  std::map<std::string, long long> counters;
  for (const std::string& key : keys) counters[key] = read_count(file, key, kMaxCount);
  for (const auto& [key, value] : file.metadata())
    if (key.starts_with(kCounterPrefix) && !counters.contains(key))
      file.fail("holds the optimiser counter " + key + ", which this run's optimiser does not have");
  return counters;
}

}  // namespace training_state_detail

// Reads a training state from `path` into `model` and `optimizer` and returns where the run
// stood. Every key of `expected` must be in the file's description with the same value (the
// recipe, the network), or nothing is read and the Error names the first difference.
// `written_before` gives the value a state holds under a key it lacks, for keys that runs began
// to describe after such states were written (a precision, where every earlier run was fp32);
// the returned description holds them too. The file must hold exactly the model's and the
// optimiser's tensors; any other problem is an Error naming the file, and then neither the model
// nor the optimiser has changed.
template <Layer Model, class TheOptimizer>
requires StatefulOptimizer<TheOptimizer, Model> TrainingState
load_training_state(const std::filesystem::path& path, Model& model, TheOptimizer& optimizer,
                    const std::map<std::string, std::string>& expected = {},
                    const std::map<std::string, std::string>& written_before = {}) {
  namespace detail = training_state_detail;
  SafetensorsFile file(path);
  TrainingState state = detail::read_position_and_description(file, expected, written_before);
  std::vector<std::string> counter_keys;
  optimizer.visit_counters(
      [&](std::string_view name, const long long&) { counter_keys.push_back(detail::counter_key(name)); });
  const std::map<std::string, long long> counters = detail::read_counters(file, counter_keys);
  auto tensors = detail::state_tensors(model, optimizer);
  read_safetensors<typename Model::Scalar>(file, tensors, detail::every_tensor, "the model and its optimiser");
  optimizer.visit_counters(
      [&](std::string_view name, long long& value) { value = counters.at(detail::counter_key(name)); });
  return state;
}

}  // namespace jiggle
