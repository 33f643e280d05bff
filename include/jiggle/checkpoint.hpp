#pragma once
// A model's checkpoint: its parameters and buffers as named tensors, in a safetensors file
// (io/safetensors.hpp). The names are PyTorch's for the same stack (layers.0.weight,
// layers.1.running_mean), in PyTorch's layouts (Linear [Out, In], Conv2d [Cout, Cin, K, K]); an
// optimiser's tensors, in a training state (train/training_state.hpp), are named after their
// parameter under kOptimizerStatePrefix.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "jiggle/io/safetensors.hpp"
#include "jiggle/layer.hpp"

namespace jiggle {

// Tensor names under this prefix belong to a training state's optimiser (its moments, its
// momentum buffers), which a weights-only load passes over.
inline constexpr std::string_view kOptimizerStatePrefix = "optimizer.";

// Every tensor a checkpoint holds, parameters then buffers, each a view of the model's own.
template <Layer Model>
std::vector<NamedTensor<typename Model::Scalar>> saved_tensors(Model& model) {
  using T = typename Model::Scalar;
  std::vector<NamedTensor<T>> tensors;
  visit_parameters(model, [&](Parameter<T>& p) { tensors.push_back({p.path.to_string(), p.shape, p.value}); });
  visit_buffers(model, [&](Buffer<T>& b) { tensors.push_back({b.path.to_string(), b.shape, b.value}); });
  return tensors;
}

// Writes every parameter and buffer of `model` to `path` whole or not at all (io/safe_file.hpp),
// with `metadata` as the header's string-to-string __metadata__.
template <Layer Model>
void save_safetensors(Model& model, const std::filesystem::path& path,
                      const std::map<std::string, std::string>& metadata = {}) {
  const auto tensors = saved_tensors(model);
  write_safetensors<typename Model::Scalar>(path, tensors, metadata);
}

namespace checkpoint_detail {

inline bool is_model_tensor(const std::string& name) { return !name.starts_with(kOptimizerStatePrefix); }

}  // namespace checkpoint_detail

// Reads every parameter and buffer of `model` from `path`. The file must hold exactly the
// model's tensors (a training state's optimiser tensors aside), each with the model's dtype and
// shape and finite values; anything else is an Error naming the file and tensor, and the model
// is left unchanged.
template <Layer Model>
void load_safetensors(Model& model, const std::filesystem::path& path) {
  SafetensorsFile file(path);
  auto tensors = saved_tensors(model);
  read_safetensors<typename Model::Scalar>(file, tensors, checkpoint_detail::is_model_tensor);
}

}  // namespace jiggle
