#pragma once
// Model checkpoints in the safetensors format, which Python's safetensors, PyTorch and numpy
// read: an 8-byte little-endian header length, a JSON header giving each tensor's dtype, shape
// and byte range, then the raw little-endian data. Parameters and buffers keep the names their
// visitors give them (layers.0.weight, layers.1.running_mean) and their logical shapes in
// PyTorch's layouts (Linear [Out, In], Conv2d [Cout, Cin, K, K]), row-major as PyTorch's are.
#include <unistd.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "jiggle/error.hpp"
#include "jiggle/io/json.hpp"
#include "jiggle/layer.hpp"

namespace jiggle {

namespace safetensors_detail {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian; so must the host be");

template <class T>
constexpr const char* dtype_name() {
  if constexpr (std::same_as<T, float>)
    return "F32";
  else if constexpr (std::same_as<T, double>)
    return "F64";
}

inline std::vector<std::uint64_t> dims_of(const TensorShape& shape) {
  std::vector<std::uint64_t> dims;
  for (std::size_t axis = 0; axis < shape.rank(); ++axis) dims.push_back(static_cast<std::uint64_t>(shape[axis]));
  return dims;
}

inline std::string describe(const std::vector<std::uint64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

// Every tensor a checkpoint holds, parameters then buffers, as (name, logical shape, values).
template <Layer Model, class Visitor>
void visit_saved_tensors(Model& model, Visitor&& visit) {
  using T = typename Model::Scalar;
  visit_parameters(model, [&](Parameter<T>& p) { visit(p.path, p.shape, p.value); });
  visit_buffers(model, [&](Buffer<T>& b) { visit(b.path, b.shape, b.value); });
}

// The largest header accepted, as safetensors itself limits it: a hostile length is refused
// before anything is allocated for it.
inline constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

}  // namespace safetensors_detail

// Writes every parameter of `model` to `path`, atomically: a temporary file beside it is
// renamed into place only once complete, so a crash never leaves a half-written checkpoint.
template <Layer Model>
void save_safetensors(Model& model, const std::filesystem::path& path) {
  using T = typename Model::Scalar;
  using namespace safetensors_detail;
  std::string header = R"({"__metadata__":{"format":"pt"})";
  std::uint64_t offset = 0;
  visit_saved_tensors(model, [&](const ParameterPath& path, const TensorShape& shape, auto& value) {
    const std::uint64_t bytes = static_cast<std::uint64_t>(value.size()) * sizeof(T);
    header += R"(,")" + path.to_string() + R"(":{"dtype":")" + dtype_name<T>() + R"(","shape":)" + shape.to_string() +
              R"(,"data_offsets":[)" + std::to_string(offset) + "," + std::to_string(offset + bytes) + "]}";
    offset += bytes;
  });
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' ');  // data starts 8-byte aligned

  const std::filesystem::path temporary = path.string() + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path.string() + ": cannot write the checkpoint (cannot create " + temporary.string() + ")");
    const std::uint64_t length = header.size();
    out.write(reinterpret_cast<const char*>(&length), sizeof(length));
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    std::vector<T> row_major;
    visit_saved_tensors(model, [&](const ParameterPath&, const TensorShape&, auto& value) {
      row_major.resize(static_cast<std::size_t>(value.size()));
      Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(row_major.data(), value.rows(),
                                                                                    value.cols()) = value;
      out.write(reinterpret_cast<const char*>(row_major.data()),
                static_cast<std::streamsize>(row_major.size() * sizeof(T)));
    });
    out.flush();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw Error(path.string() + ": writing the checkpoint failed");
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary, error);
    throw Error(path.string() + ": cannot move the checkpoint into place");
  }
}

// Reads every parameter of `model` from `path`. The file must hold exactly the model's tensors,
// each with the model's dtype and shape; anything else is an Error naming the file and tensor,
// and the model is left unchanged.
template <Layer Model>
void load_safetensors(Model& model, const std::filesystem::path& path) {
  using T = typename Model::Scalar;
  using namespace safetensors_detail;
  auto fail = [&](const std::string& problem) { throw Error(path.string() + ": " + problem); };

  std::error_code error;
  if (std::filesystem::is_directory(path, error)) fail("is a folder, not a checkpoint");
  const std::uint64_t file_size = std::filesystem::file_size(path, error);
  if (error) fail("cannot open: " + error.message());
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open");
  if (file_size < 8) fail("too short for a safetensors header (" + std::to_string(file_size) + " bytes)");
  std::uint64_t header_length = 0;
  in.read(reinterpret_cast<char*>(&header_length), sizeof(header_length));
  if (header_length > kMaxHeaderBytes || header_length > file_size - 8)
    fail("header length " + std::to_string(header_length) + " does not fit a file of " + std::to_string(file_size) +
         " bytes");
  std::string header(static_cast<std::size_t>(header_length), '\0');
  in.read(header.data(), static_cast<std::streamsize>(header_length));
  JsonValue root;
  try {
    root = parse_json(header);
  } catch (const Error& bad) {
    fail(std::string("bad header: ") + bad.what());
  }
  if (root.kind != JsonValue::Kind::object) fail("bad header: not a JSON object");
  const std::uint64_t data_size = file_size - 8 - header_length;

  // Check every tensor first, then read: a bad file changes nothing.
  struct Planned {
    std::uint64_t begin;
    std::size_t count;
  };
  std::vector<Planned> plan;
  std::size_t tensors_in_model = 0;
  visit_saved_tensors(model, [&](const ParameterPath& path, const TensorShape& tensor_shape, auto& value) {
    ++tensors_in_model;
    const std::string name = path.to_string();
    const JsonValue* entry = root.find(name);
    if (entry == nullptr || entry->kind != JsonValue::Kind::object) fail("no tensor " + name);
    const JsonValue* dtype = entry->find("dtype");
    if (dtype == nullptr || dtype->kind != JsonValue::Kind::string || dtype->text != dtype_name<T>())
      fail(name + " has dtype " + (dtype ? dtype->text : std::string("(none)")) + ", expected " + dtype_name<T>());
    const std::vector<std::uint64_t> expected = dims_of(tensor_shape);
    const JsonValue* shape = entry->find("shape");
    std::vector<std::uint64_t> found;
    if (shape != nullptr && shape->kind == JsonValue::Kind::array)
      for (const auto& d : shape->items) found.push_back(d.number >= 0 ? static_cast<std::uint64_t>(d.number) : ~0ULL);
    if (found != expected) fail(name + " has shape " + describe(found) + ", expected " + describe(expected));
    const JsonValue* offsets = entry->find("data_offsets");
    if (offsets == nullptr || offsets->kind != JsonValue::Kind::array || offsets->items.size() != 2)
      fail(name + " has no data_offsets [begin, end]");
    const double begin = offsets->items[0].number;
    const double end = offsets->items[1].number;
    const auto bytes = static_cast<double>(value.size() * static_cast<Index>(sizeof(T)));
    if (!(begin >= 0 && end - begin == bytes && end <= static_cast<double>(data_size)))
      fail(name + " has data_offsets [" + std::to_string(static_cast<long long>(begin)) + ", " +
           std::to_string(static_cast<long long>(end)) + "], which must span " +
           std::to_string(static_cast<long long>(bytes)) + " bytes within the file's " + std::to_string(data_size) +
           " data bytes");
    plan.push_back({static_cast<std::uint64_t>(begin), static_cast<std::size_t>(value.size())});
  });
  std::size_t tensors_in_file = 0;
  for (const auto& name : root.keys) tensors_in_file += name == "__metadata__" ? 0 : 1;
  if (tensors_in_file != tensors_in_model)
    fail("holds " + std::to_string(tensors_in_file) + " tensors, the model has " + std::to_string(tensors_in_model));

  std::vector<std::vector<T>> values(plan.size());
  for (std::size_t k = 0; k < plan.size(); ++k) {
    values[k].resize(plan[k].count);
    in.seekg(static_cast<std::streamoff>(8 + header_length + plan[k].begin));
    in.read(reinterpret_cast<char*>(values[k].data()), static_cast<std::streamsize>(plan[k].count * sizeof(T)));
    if (!in) fail("data is truncated");
  }
  std::size_t k = 0;
  visit_saved_tensors(model, [&](const ParameterPath&, const TensorShape&, auto& value) {
    value = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        values[k++].data(), value.rows(), value.cols());
  });
}

}  // namespace jiggle
