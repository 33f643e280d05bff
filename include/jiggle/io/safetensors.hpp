#pragma once
// The safetensors format, which Python's safetensors, PyTorch and numpy read: an 8-byte
// little-endian header length, a JSON header giving each tensor's dtype, shape and byte range,
// then the raw little-endian data. Tensors are written under the names and logical shapes a list
// of NamedTensor gives, row-major as PyTorch's are; checkpoint.hpp lists a model's.
//
// Reading is strict: every number of the header is range-checked before use, byte ranges must
// lie inside the file and cover its data exactly once, and values must be finite. A file that
// fails any check changes nothing the reader was given.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jiggle/error.hpp"
#include "jiggle/io/json.hpp"
#include "jiggle/io/safe_file.hpp"
#include "jiggle/shape.hpp"
#include "jiggle/tensor.hpp"

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

// The largest header accepted, as safetensors itself limits it: a hostile length is refused
// before anything is allocated for it.
inline constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

}  // namespace safetensors_detail

// A tensor as a file names it: its name, its logical shape and the column-major matrix that holds
// its values. The reader and the writer take a list of them, so their code exists once per
// scalar type, whatever the model.
template <class T>
struct NamedTensor {
  std::string name;
  TensorShape shape;
  Eigen::Map<Matrix<T>> value;
};

// One tensor of a safetensors file, as its header describes it (offsets relative to the data).
struct SafetensorsEntry {
  std::string dtype;
  std::vector<std::uint64_t> shape;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

// A safetensors file's header, checked: every entry's byte range lies in the data and matches
// its dtype and shape, and the ranges cover the data without overlap or gap.
class SafetensorsFile {
 public:
  explicit SafetensorsFile(std::filesystem::path path) : path_(std::move(path)) {
    std::error_code error;
    if (std::filesystem::is_directory(path_, error)) fail("is a folder, not a checkpoint");
    const std::uint64_t file_size = std::filesystem::file_size(path_, error);
    if (error) fail("cannot open: " + error.message());
    in_.open(path_, std::ios::binary);
    if (!in_) fail("cannot open");
    if (file_size < 8) fail("too short for a safetensors header (" + std::to_string(file_size) + " bytes)");
    std::uint64_t header_length = 0;
    in_.read(reinterpret_cast<char*>(&header_length), sizeof(header_length));
    if (header_length > safetensors_detail::kMaxHeaderBytes || header_length > file_size - 8)
      fail("header length " + std::to_string(header_length) + " does not fit a file of " + std::to_string(file_size) +
           " bytes");
    std::string header(static_cast<std::size_t>(header_length), '\0');
    in_.read(header.data(), static_cast<std::streamsize>(header_length));
    if (!in_) fail("header is truncated");
    data_start_ = 8 + header_length;
    parse_header(header, file_size - data_start_);
  }

  const std::filesystem::path& path() const { return path_; }
  const std::map<std::string, SafetensorsEntry>& entries() const { return entries_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

  [[noreturn]] void fail(const std::string& problem) const { throw Error(path_.string() + ": " + problem); }

  // The values of the tensor `name`, row-major as stored, once it is found to hold T with exactly
  // `shape`; each must be finite. The one way to read data: a tensor's bytes are read only after
  // its header entry is checked against what the caller expects.
  template <class T>
  std::vector<T> read(const std::string& name, const TensorShape& shape) {
    const SafetensorsEntry& entry = expect<T>(name, shape);
    std::vector<T> values(static_cast<std::size_t>((entry.end - entry.begin) / sizeof(T)));
    in_.seekg(static_cast<std::streamoff>(data_start_ + entry.begin));
    in_.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(T)));
    if (!in_) fail("data of " + name + " is truncated");
    const auto bad = std::find_if(values.begin(), values.end(), [](T v) { return !std::isfinite(v); });
    if (bad != values.end())
      fail(name + " holds a non-finite value (" + std::to_string(*bad) + ") at index " +
           std::to_string(bad - values.begin()));
    return values;
  }

 private:
  // The entry `name`, which must hold a tensor of T with exactly `shape`.
  template <class T>
  const SafetensorsEntry& expect(const std::string& name, const TensorShape& shape) const {
    const auto found = entries_.find(name);
    if (found == entries_.end()) fail("no tensor " + name);
    const SafetensorsEntry& entry = found->second;
    if (entry.dtype != safetensors_detail::dtype_name<T>())
      fail(name + " has dtype " + entry.dtype + ", expected " + safetensors_detail::dtype_name<T>());
    std::vector<std::uint64_t> expected;
    for (std::size_t axis = 0; axis < shape.rank(); ++axis) expected.push_back(static_cast<std::uint64_t>(shape[axis]));
    if (entry.shape != expected) fail(name + " has shape " + describe(entry.shape) + ", expected " + shape.to_string());
    return entry;
  }

  static std::string describe(const std::vector<std::uint64_t>& shape) {
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
  }

  static std::uint64_t element_size(const std::string& dtype) {
    if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
    if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
    if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
    if (dtype == "I8" || dtype == "U8" || dtype == "BOOL") return 1;
    return 0;
  }

  void parse_header(std::string_view header, std::uint64_t data_size) {
    JsonValue root;
    try {
      root = parse_json(header);
    } catch (const Error& bad) {
      fail(std::string("bad header: ") + bad.what());
    }
    if (root.kind != JsonValue::Kind::object) fail("bad header: not a JSON object");
    for (std::size_t i = 0; i < root.keys.size(); ++i) {
      if (root.keys[i] == "__metadata__")
        parse_metadata(root.values[i]);
      else
        entries_[root.keys[i]] = parse_entry(root.keys[i], root.values[i], data_size);
    }
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    for (const auto& [name, entry] : entries_) ranges.emplace_back(entry.begin, entry.end);
    std::sort(ranges.begin(), ranges.end());
    // The tensors must tile the data exactly, as safetensors requires: bytes that belong to no
    // tensor are a place to hide another file's content.
    for (std::size_t i = 1; i < ranges.size(); ++i)
      if (ranges[i].first < ranges[i - 1].second)
        fail("tensors overlap: bytes [" + std::to_string(ranges[i].first) + ", " +
             std::to_string(ranges[i - 1].second) + ") belong to two tensors");
    std::uint64_t covered = 0;
    for (const auto& [begin, end] : ranges) {
      if (begin != covered)
        fail("bytes [" + std::to_string(covered) + ", " + std::to_string(begin) + ") of the data belong to no tensor");
      covered = end;
    }
    if (covered != data_size)
      fail(std::to_string(data_size - covered) + " bytes after the last tensor's data belong to no tensor");
  }

  void parse_metadata(const JsonValue& value) {
    if (value.kind != JsonValue::Kind::object) fail("__metadata__ must be an object of strings");
    for (std::size_t i = 0; i < value.keys.size(); ++i) {
      if (value.values[i].kind != JsonValue::Kind::string)
        fail("__metadata__ value of '" + value.keys[i] + "' is not a string");
      metadata_[value.keys[i]] = value.values[i].text;
    }
  }

  SafetensorsEntry parse_entry(const std::string& name, const JsonValue& value, std::uint64_t data_size) const {
    if (value.kind != JsonValue::Kind::object) fail(name + " is not a tensor description");
    SafetensorsEntry entry;
    const JsonValue* dtype = value.find("dtype");
    if (dtype == nullptr || dtype->kind != JsonValue::Kind::string || element_size(dtype->text) == 0)
      fail(name + " has no known dtype");
    entry.dtype = dtype->text;
    const JsonValue* shape = value.find("shape");
    if (shape == nullptr || shape->kind != JsonValue::Kind::array || shape->items.size() > 8)
      fail(name + " has no shape of at most 8 dimensions");
    // Sizes and offsets are read as any whole number, then held against the data the file has:
    // past it, the file was cut off (or its header lies), and the error says so.
    constexpr std::uint64_t kAnyWholeNumber = std::numeric_limits<std::uint64_t>::max();
    const auto cut_off = [&] {
      return ", past the " + std::to_string(data_size) +
             " bytes of data after the header: the file is cut off, or its header is wrong";
    };
    std::uint64_t bytes = element_size(entry.dtype);
    for (const JsonValue& dimension : shape->items) {
      entry.shape.push_back(json_to_uint64(dimension, kAnyWholeNumber, path_.string() + ": " + name + " shape"));
      if (entry.shape.back() != 0 && bytes > data_size / entry.shape.back())
        fail(name + " has shape " + describe(entry.shape) + "..." + cut_off());
      bytes *= entry.shape.back();
    }
    const JsonValue* offsets = value.find("data_offsets");
    if (offsets == nullptr || offsets->kind != JsonValue::Kind::array || offsets->items.size() != 2)
      fail(name + " has no data_offsets [begin, end]");
    const std::string what = path_.string() + ": " + name + " data_offsets";
    entry.begin = json_to_uint64(offsets->items[0], kAnyWholeNumber, what);
    entry.end = json_to_uint64(offsets->items[1], kAnyWholeNumber, what);
    if (std::max(entry.begin, entry.end) > data_size)
      fail(name + " has data_offsets [" + std::to_string(entry.begin) + ", " + std::to_string(entry.end) + "]" +
           cut_off());
    if (entry.end < entry.begin || entry.end - entry.begin != bytes)
      fail(name + " has data_offsets [" + std::to_string(entry.begin) + ", " + std::to_string(entry.end) +
           "], which must span the " + std::to_string(bytes) + " bytes of its dtype and shape");
    return entry;
  }

  std::filesystem::path path_;
  std::ifstream in_;
  std::uint64_t data_start_ = 0;
  std::map<std::string, SafetensorsEntry> entries_;
  std::map<std::string, std::string> metadata_;
};

// Writes `tensors`, whole or not at all (io/safe_file.hpp); `metadata` becomes the header's
// string-to-string __metadata__.
template <class T>
void write_safetensors(const std::filesystem::path& path, std::span<const NamedTensor<T>> tensors,
                       const std::map<std::string, std::string>& metadata) {
  // What the reader would refuse is refused here, naming the file, before anything is written.
  const auto quoted = [&](std::string_view text, const std::string& what) {
    try {
      return json_string(text);
    } catch (const Error& error) {
      throw Error(path.string() + ": " + what + ": " + error.what());
    }
  };
  // PyTorch's loaders look for format "pt"; a caller may say otherwise.
  std::string header = R"({"__metadata__":{)";
  if (!metadata.contains("format")) header += R"("format":"pt",)";
  // Appended piece by piece: g++ 12 warns falsely (-Wrestrict) on "," + std::string&&.
  bool first = true;
  for (const auto& [key, value] : metadata) {
    if (!std::exchange(first, false)) header += ',';
    header += quoted(key, "a metadata key");
    header += ':';
    header += quoted(value, "the metadata value of " + json_string(key));
  }
  if (header.back() == ',') header.pop_back();
  header += "}";
  std::uint64_t offset = 0;
  for (const NamedTensor<T>& tensor : tensors) {
    const std::uint64_t bytes = static_cast<std::uint64_t>(tensor.value.size()) * sizeof(T);
    header += ',';
    header += quoted(tensor.name, "a tensor name");
    header += R"(:{"dtype":")";
    header += safetensors_detail::dtype_name<T>();
    header += R"(","shape":)" + tensor.shape.to_string() + R"(,"data_offsets":[)" + std::to_string(offset) + "," +
              std::to_string(offset + bytes) + "]}";
    offset += bytes;
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' ');  // data starts 8-byte aligned
  if (header.size() > safetensors_detail::kMaxHeaderBytes)
    throw Error(path.string() + ": a header of " + std::to_string(header.size()) + " bytes is more than the " +
                std::to_string(safetensors_detail::kMaxHeaderBytes) + " safetensors allows");

  write_file_atomically(path, [&](FileWriter& out) {
    const std::uint64_t length = header.size();
    out.write(&length, sizeof(length));
    out.write(header);
    std::vector<T> row_major;
    for (const NamedTensor<T>& tensor : tensors) {
      const auto& value = tensor.value;
      row_major.resize(static_cast<std::size_t>(value.size()));
      RowMajorMatrix<T>::Map(row_major.data(), value.rows(), value.cols()) = value;
      out.write(row_major.data(), row_major.size() * sizeof(T));
    }
  });
}

// Reads every one of `tensors` from `file`, all or nothing: each must be in the file with dtype
// T, its shape and finite values, and the file must hold no other tensor whose name `counted`
// accepts (`owner` says whose tensors they are). Anything else is an Error naming the file and
// the tensor, and no tensor is changed.
template <class T>
void read_safetensors(SafetensorsFile& file, std::span<NamedTensor<T>> tensors,
                      bool (*counted)(const std::string& name), std::string_view owner = "the model") {
  std::vector<std::vector<T>> values;
  std::vector<std::string> names;
  for (const NamedTensor<T>& tensor : tensors) {
    names.push_back(tensor.name);
    values.push_back(file.read<T>(tensor.name, tensor.shape));
  }
  std::sort(names.begin(), names.end());
  for (const auto& [name, entry] : file.entries())
    if (counted(name) && !std::binary_search(names.begin(), names.end(), name))
      file.fail("holds a tensor " + name + " that " + std::string(owner) + " does not have");
  std::size_t k = 0;
  for (NamedTensor<T>& tensor : tensors) {
    auto& value = tensor.value;
    value = RowMajorMatrix<T>::Map(values[k++].data(), value.rows(), value.cols());
  }
}

}  // namespace jiggle
