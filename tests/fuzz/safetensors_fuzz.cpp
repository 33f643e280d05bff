// libFuzzer harness for load_safetensors and load_training_state: the input is the file, loaded
// as weights into a small chain and into the flagship MLP, and as a training state into the small
// chain with Adam. A rejected file (jiggle::Error) must leave the model untouched; an accepted
// one must save and load back bit for bit. Anything else is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "jiggle/checkpoint.hpp"
#include "jiggle/io/safetensors.hpp"
#include "jiggle/models/mnist_mlp.hpp"
#include "jiggle/optim/adam.hpp"
#include "jiggle/train/training_state.hpp"
#include "memory_file.hpp"

namespace {

// A model's tensors, copied and compared as bytes: memcpy and memcmp run uninstrumented, where
// Eigen's loops would be traced value by value for the fuzzer's coverage, and the flagship's
// 670,000 values made each input take a tenth of a second. Bytes also mean bit for bit.
using Snapshot = std::vector<std::vector<float>>;

template <class Model>
Snapshot snapshot_of(Model& model) {
  Snapshot tensors;
  for (const auto& [name, shape, value] : jiggle::saved_tensors(model)) {
    tensors.emplace_back(static_cast<std::size_t>(value.size()));
    std::memcpy(tensors.back().data(), value.data(), tensors.back().size() * sizeof(float));
  }
  return tensors;
}

template <class Model>
bool holds(Model& model, const Snapshot& tensors) {
  std::size_t k = 0;
  bool same = true;
  for (const auto& [name, shape, value] : jiggle::saved_tensors(model)) {
    const std::vector<float>& saved = tensors.at(k++);
    same = same && saved.size() == static_cast<std::size_t>(value.size()) &&
           std::memcmp(saved.data(), value.data(), saved.size() * sizeof(float)) == 0;
  }
  return same && k == tensors.size();
}

template <class Model>
void restore(Model& model, const Snapshot& tensors) {
  std::size_t k = 0;
  for (auto& [name, shape, value] : jiggle::saved_tensors(model)) {
    const std::vector<float>& saved = tensors.at(k++);
    std::memcpy(value.data(), saved.data(), saved.size() * sizeof(float));
  }
}

// One model of each kind, built once (the flagship's initialisation would dominate each run) and
// reset to its initial tensors before every input.
template <class Model>
void load_into(const std::string& path, const std::filesystem::path& round_trip) {
  static Model model = [] {
    jiggle::Rng rng(0);
    return Model(rng);
  }();
  static const Snapshot initial = snapshot_of(model);
  static Model reloaded = model;
  restore(model, initial);
  try {
    jiggle::load_safetensors(model, path);
  } catch (const jiggle::Error&) {
    if (!holds(model, initial)) std::abort();  // a rejected file changed the model
    return;
  }
  jiggle::save_safetensors(model, round_trip);
  jiggle::load_safetensors(reloaded, round_trip);
  if (!holds(reloaded, snapshot_of(model))) std::abort();  // an accepted file did not round-trip
}

// The same promise for a training state, whose optimiser tensors and counters come along.
template <class Model>
void resume_into(const std::string& path, const std::filesystem::path& round_trip) {
  jiggle::Rng rng(0);
  Model model(rng);
  const Snapshot initial = snapshot_of(model);
  jiggle::Adam<float> adam;
  jiggle::TrainingPosition position;
  try {
    position = jiggle::load_training_state(path, model, adam).position;
  } catch (const jiggle::Error&) {
    if (!holds(model, initial)) std::abort();
    return;
  }
  jiggle::save_training_state(round_trip, model, adam, position, {});
  Model reloaded(rng);
  jiggle::Adam<float> readam;
  const jiggle::TrainingPosition again = jiggle::load_training_state(round_trip, reloaded, readam).position;
  if (!holds(reloaded, snapshot_of(model)) || again.steps_done != position.steps_done ||
      again.epoch.loss_sum != position.epoch.loss_sum)
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static jiggle_fuzz::MemoryFile file("safetensors");
  static const std::filesystem::path folder = [] {
    // In memory where there is a tmpfs: every accepted input is saved, and fsync on a disk is slow.
    const std::filesystem::path shm = "/dev/shm";
    auto path = (std::filesystem::is_directory(shm) ? shm : std::filesystem::temp_directory_path()) /
                ("jiggle-fuzz-safetensors-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
    return path;
  }();
  file.assign(data, size);
  load_into<jiggle::Chain<jiggle::Dense<3, 2>, jiggle::ReLU<>, jiggle::Dense<2, 2>>>(file.path(),
                                                                                     folder / "round-trip.safetensors");
  load_into<jiggle::MnistMlp<float>>(file.path(), folder / "round-trip.safetensors");
  resume_into<jiggle::Chain<jiggle::Dense<3, 2>, jiggle::ReLU<>, jiggle::Dense<2, 2>>>(file.path(),
                                                                                       folder / "state.safetensors");
  return 0;
}
