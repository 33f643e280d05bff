// libFuzzer harness for load_mnist: a folder of four small valid files, one of which the input
// replaces. The first byte chooses which file, and whether the rest is the file's bytes or is
// gzipped by the harness first (a valid stream of fuzzed content). jiggle::Error is the right
// answer to a bad folder; any other exception, a crash or a sanitizer report is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gzip.hpp"
#include "jiggle/data/mnist.hpp"

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes idx_file(std::uint8_t rank, const std::vector<std::uint32_t>& dimensions, std::size_t data_bytes) {
  Bytes bytes{0, 0, 0x08, rank};
  for (const std::uint32_t d : dimensions)
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::uint8_t>(d >> shift));
  for (std::size_t i = 0; i < data_bytes; ++i) bytes.push_back(static_cast<std::uint8_t>(i % 10));
  return bytes;
}

void write(const std::filesystem::path& path, const std::uint8_t* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) std::abort();
}

struct Folder {
  std::filesystem::path path;
  std::vector<std::string> names{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                                 "t10k-labels-idx1-ubyte"};
  std::vector<Bytes> valid{idx_file(3, {3, 28, 28}, 3 * 784), idx_file(1, {3}, 3), idx_file(3, {2, 28, 28}, 2 * 784),
                           idx_file(1, {2}, 2)};

  Folder() {
    std::string name = (std::filesystem::temp_directory_path() / "jiggle-fuzz-mnist-XXXXXX").string();
    if (::mkdtemp(name.data()) == nullptr) std::abort();
    path = name;
    for (std::size_t i = 0; i < names.size(); ++i) restore(i);
  }
  ~Folder() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  void restore(std::size_t i) const { write(path / names[i], valid[i].data(), valid[i].size()); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const Folder folder;
  const std::size_t which = data[0] % 4;
  const bool gzip_it = (data[0] & 4) != 0;
  const auto target = folder.path / folder.names[which];
  if (gzip_it) {
    const Bytes compressed = jiggle_fuzz::gzip(data + 1, size - 1);
    write(target, compressed.data(), compressed.size());
  } else {
    write(target, data + 1, size - 1);
  }
  try {
    const jiggle::Mnist mnist = jiggle::load_mnist(folder.path);
    for (const jiggle::LabelledImages* split : {&mnist.train, &mnist.test}) {
      if (split->rows != 28 || split->cols != 28) std::abort();
      if (split->pixels.size() != split->size() * 784) std::abort();
      for (const std::uint8_t label : split->labels)
        if (label > 9) std::abort();
    }
    if (mnist.train.size() > 60000 || mnist.test.size() > 10000) std::abort();
  } catch (const jiggle::Error&) {
  }
  folder.restore(which);
  return 0;
}
