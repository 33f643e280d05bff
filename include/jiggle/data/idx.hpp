#pragma once
// IDX files (LeCun's format): two zero bytes, an element type, the number of dimensions, each
// dimension as a big-endian uint32, then the elements, big-endian. Plain or gzip-compressed,
// told apart by gzip's magic bytes, never by the file name.
//
// The reader is strict and hostile-input safe: every size is checked before anything is
// allocated, a plain file's data size must match its header exactly, and a gzip stream is
// inflated in chunks as data actually arrives, up to a cap, so no header can make it allocate
// more than the file really holds. A caller that knows what shape to expect checks the header
// before any data is read (IdxReadOptions::check_header), so a small gzip file that claims, and
// would really inflate to, gigabytes is refused before inflating.
#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "jiggle/error.hpp"
#include "jiggle/io/gzip_file.hpp"

namespace jiggle {

enum class IdxType : std::uint8_t {
  uint8 = 0x08,
  int8 = 0x09,
  int16 = 0x0B,
  int32 = 0x0C,
  float32 = 0x0D,
  float64 = 0x0E,
};

inline const char* to_string(IdxType type) {
  switch (type) {
    case IdxType::uint8: return "uint8";
    case IdxType::int8: return "int8";
    case IdxType::int16: return "int16";
    case IdxType::int32: return "int32";
    case IdxType::float32: return "float32";
    case IdxType::float64: return "float64";
  }
  return "unknown";
}

// An IDX array: its dimensions and its elements in host byte order, row-major as stored.
class IdxArray {
 public:
  using Storage = std::variant<std::vector<std::uint8_t>, std::vector<std::int8_t>, std::vector<std::int16_t>,
                               std::vector<std::int32_t>, std::vector<float>, std::vector<double>>;

  IdxArray(std::vector<std::size_t> dimensions, Storage elements)
      : dimensions_(std::move(dimensions)), elements_(std::move(elements)) {}

  const std::vector<std::size_t>& dimensions() const { return dimensions_; }

  IdxType type() const {
    constexpr std::array<IdxType, 6> types{IdxType::uint8, IdxType::int8,    IdxType::int16,
                                           IdxType::int32, IdxType::float32, IdxType::float64};
    return types[elements_.index()];
  }

  std::size_t size() const {
    return std::visit([](const auto& values) { return values.size(); }, elements_);
  }

  template <class T>
  const std::vector<T>& values() const {
    if (const auto* held = std::get_if<std::vector<T>>(&elements_)) return *held;
    throw Error(std::string("IDX array holds ") + to_string(type()) + " elements, not the type asked for");
  }

  template <class T>
  std::vector<T>& values() {
    return const_cast<std::vector<T>&>(std::as_const(*this).values<T>());
  }

 private:
  std::vector<std::size_t> dimensions_;
  Storage elements_;
};

// What a file's header declares, known before any element is read.
struct IdxHeader {
  IdxType type = IdxType::uint8;
  std::vector<std::size_t> dimensions;
  std::uint64_t data_bytes = 0;
};

struct IdxReadOptions {
  // The most element bytes a gzip-compressed file may inflate to: a guard against gzip bombs.
  std::uint64_t max_inflated_bytes = std::uint64_t{4} << 30;
  // The caller's own expectations of the header, checked before any element is read: returns
  // what is wrong with it, or an empty string. A caller that knows what it reads (MNIST: at most
  // 60,000 images of 28×28) says so here, and a header that claims more is refused before its
  // data costs memory or time, which max_inflated_bytes, sized for any IDX file, cannot do.
  std::function<std::string(const IdxHeader&)> check_header;
};

namespace idx_detail {

inline std::string file_label(const std::filesystem::path& path) { return path.string(); }

[[noreturn]] inline void fail(const std::filesystem::path& path, const std::string& problem) {
  throw Error(file_label(path) + ": " + problem);
}

// Reads a plain file or inflates a gzip one, through one interface.
class ByteSource {
 public:
  explicit ByteSource(const std::filesystem::path& path) : path_(path) {
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (status.type() == std::filesystem::file_type::not_found) fail(path, "cannot open: no such file");
    if (error) fail(path, "cannot open: " + error.message());
    if (std::filesystem::is_directory(status)) fail(path, "cannot open: it is a folder, not a file");
    file_size_ = std::filesystem::file_size(path, error);
    if (error) fail(path, "cannot read its size: " + error.message());

    std::array<unsigned char, 2> magic{};
    {
      std::ifstream probe(path, std::ios::binary);
      if (!probe) fail(path, std::string("cannot open: ") + std::strerror(errno));
      probe.read(reinterpret_cast<char*>(magic.data()), 2);
    }
    gzipped_ = magic[0] == 0x1f && magic[1] == 0x8b;
    if (gzipped_) {
      gzip_.emplace(path);
    } else {
      plain_.open(path, std::ios::binary);
      if (!plain_) fail(path, std::string("cannot open: ") + std::strerror(errno));
    }
  }

  bool gzipped() const { return gzipped_; }
  std::uint64_t file_size() const { return file_size_; }

  // Reads up to `count` bytes; fewer only at the end of the data.
  std::size_t read(void* destination, std::size_t count) {
    if (!gzipped_) {
      plain_.read(static_cast<char*>(destination), static_cast<std::streamsize>(count));
      if (plain_.bad()) fail(path_, "read error");
      return static_cast<std::size_t>(plain_.gcount());
    }
    return gzip_->read(destination, count);
  }

 private:
  std::filesystem::path path_;
  std::uint64_t file_size_ = 0;
  bool gzipped_ = false;
  std::ifstream plain_;
  std::optional<GzipFile> gzip_;
};

inline std::size_t element_size(IdxType type) {
  switch (type) {
    case IdxType::uint8:
    case IdxType::int8: return 1;
    case IdxType::int16: return 2;
    case IdxType::int32:
    case IdxType::float32: return 4;
    case IdxType::float64: return 8;
  }
  return 0;
}

inline bool known_type(std::uint8_t code) {
  return code == 0x08 || code == 0x09 || code == 0x0B || code == 0x0C || code == 0x0D || code == 0x0E;
}

inline std::string hex(unsigned value) {
  constexpr char digits[] = "0123456789ABCDEF";
  return std::string("0x") + digits[(value >> 4) & 0xF] + digits[value & 0xF];
}

inline std::string describe(const std::vector<std::size_t>& dimensions) {
  std::string text;
  for (std::size_t i = 0; i < dimensions.size(); ++i) text += (i ? "×" : "") + std::to_string(dimensions[i]);
  return text;
}

// Elements are big-endian on disk; each is swapped in place after a raw copy.
template <class T>
void to_host_order(std::vector<T>& values) {
  if constexpr (sizeof(T) > 1 && std::endian::native == std::endian::little) {
    for (T& value : values) {
      std::array<unsigned char, sizeof(T)> bytes;
      std::memcpy(bytes.data(), &value, sizeof(T));
      std::reverse(bytes.begin(), bytes.end());
      std::memcpy(&value, bytes.data(), sizeof(T));
    }
  }
}

template <class T>
IdxArray::Storage read_elements(ByteSource& source, const std::filesystem::path& path, std::size_t count,
                                std::uint64_t data_bytes, const std::string& claim) {
  std::vector<T> values;
  if (!source.gzipped()) {
    values.resize(count);  // the size was checked against the file before we got here
    const std::size_t got = source.read(values.data(), data_bytes);
    if (got != data_bytes) fail(path, claim + ", file has " + std::to_string(got));
  } else {
    // Grow as inflated data arrives: a lying header costs no more than the real data.
    constexpr std::size_t kChunkElements = (std::size_t{1} << 20) / sizeof(T);
    std::size_t filled = 0;
    while (filled < count) {
      const std::size_t want = std::min(kChunkElements, count - filled);
      values.resize(filled + want);
      const std::size_t got = source.read(values.data() + filled, want * sizeof(T));
      filled += got / sizeof(T);
      if (got < want * sizeof(T)) {
        fail(path, claim + ", gzip stream inflates to " + std::to_string(filled * sizeof(T) + got % sizeof(T)));
      }
    }
    unsigned char extra = 0;
    if (source.read(&extra, 1) != 0) fail(path, claim + ", gzip stream has more (trailing bytes)");
  }
  to_host_order(values);
  return values;
}

// The magic number and dimensions, checked: a known type, no zero dimension, and a size in bytes
// that fits 64 bits.
inline IdxHeader read_header(ByteSource& source, const std::filesystem::path& path) {
  std::array<std::uint8_t, 4> magic{};
  const std::size_t magic_read = source.read(magic.data(), magic.size());
  if (magic_read < magic.size())
    fail(path, "header is truncated: " + std::to_string(magic_read) + " bytes, the magic number alone needs 4");
  if (magic[0] != 0 || magic[1] != 0)
    fail(path, "bad magic number: expected two zero bytes, found " + hex(magic[0]) + " " + hex(magic[1]) +
                   " (not an IDX file)");
  if (!known_type(magic[2]))
    fail(path, "unknown element type " + hex(magic[2]) + " (IDX knows 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E)");
  const auto type = static_cast<IdxType>(magic[2]);
  const std::size_t rank = magic[3];
  if (rank == 0) fail(path, "header declares zero dimensions");

  std::vector<unsigned char> raw(rank * 4);
  const std::size_t dims_read = source.read(raw.data(), raw.size());
  if (dims_read < raw.size())
    fail(path, "header is truncated: " + std::to_string(rank) + " dimensions need " + std::to_string(4 + raw.size()) +
                   " header bytes, file has " + std::to_string(4 + dims_read));
  std::vector<std::size_t> dimensions(rank);
  std::uint64_t count = 1;
  for (std::size_t i = 0; i < rank; ++i) {
    dimensions[i] = (std::size_t{raw[4 * i]} << 24) | (std::size_t{raw[4 * i + 1]} << 16) |
                    (std::size_t{raw[4 * i + 2]} << 8) | std::size_t{raw[4 * i + 3]};
    if (dimensions[i] == 0) fail(path, "dimension " + std::to_string(i) + " is 0: the file holds no data");
    if (count > std::numeric_limits<std::uint64_t>::max() / dimensions[i])
      fail(path, "dimensions " + describe(dimensions) + "... overflow 64 bits");
    count *= dimensions[i];
  }
  const std::uint64_t width = element_size(type);
  if (count > std::numeric_limits<std::uint64_t>::max() / width)
    fail(path, "dimensions " + describe(dimensions) + " overflow 64 bits in bytes");
  return IdxHeader{type, std::move(dimensions), count * width};
}

}  // namespace idx_detail

inline IdxArray read_idx(const std::filesystem::path& path, const IdxReadOptions& options = {}) {
  using idx_detail::fail;
  idx_detail::ByteSource source(path);
  const IdxHeader header = idx_detail::read_header(source, path);
  const IdxType type = header.type;
  const std::vector<std::size_t>& dimensions = header.dimensions;
  const std::uint64_t data_bytes = header.data_bytes;
  const std::uint64_t count = data_bytes / idx_detail::element_size(type);
  const std::string claim = "header says " + idx_detail::describe(dimensions) + " " + to_string(type) + " = " +
                            std::to_string(data_bytes) + " data bytes";
  if (data_bytes > std::numeric_limits<std::size_t>::max() / 2)
    fail(path, claim + ", more than this machine can address");
  if (options.check_header) {
    const std::string problem = options.check_header(header);
    if (!problem.empty()) fail(path, claim + ": " + problem);
  }
  if (!source.gzipped()) {
    const std::uint64_t header_bytes = 4 + 4 * dimensions.size();
    const std::uint64_t available = source.file_size() - header_bytes;
    if (available != data_bytes) fail(path, claim + ", file has " + std::to_string(available));
  } else if (data_bytes > options.max_inflated_bytes) {
    fail(path, claim + ", above the gzip inflation cap of " + std::to_string(options.max_inflated_bytes));
  }

  const auto n = static_cast<std::size_t>(count);
  switch (type) {
    case IdxType::uint8:
      return {dimensions, idx_detail::read_elements<std::uint8_t>(source, path, n, data_bytes, claim)};
    case IdxType::int8: return {dimensions, idx_detail::read_elements<std::int8_t>(source, path, n, data_bytes, claim)};
    case IdxType::int16:
      return {dimensions, idx_detail::read_elements<std::int16_t>(source, path, n, data_bytes, claim)};
    case IdxType::int32:
      return {dimensions, idx_detail::read_elements<std::int32_t>(source, path, n, data_bytes, claim)};
    case IdxType::float32: return {dimensions, idx_detail::read_elements<float>(source, path, n, data_bytes, claim)};
    case IdxType::float64: return {dimensions, idx_detail::read_elements<double>(source, path, n, data_bytes, claim)};
  }
  fail(path, "unknown element type");
}

}  // namespace jiggle
