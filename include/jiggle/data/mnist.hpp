#pragma once
// MNIST from a folder of its four IDX files, plain or gzip-compressed, under either of the
// usual spellings (train-images-idx3-ubyte or train-images.idx3-ubyte, with or without .gz).
// Images stay uint8 (47 MB for the training set) and become float only a batch at a time.
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "jiggle/data/idx.hpp"
#include "jiggle/error.hpp"

namespace jiggle {

// Images of `rows × cols` uint8 pixels, each stored contiguously, and one label per image.
struct LabelledImages {
  std::vector<std::uint8_t> pixels;
  std::vector<std::uint8_t> labels;
  std::size_t rows = 0;
  std::size_t cols = 0;

  std::size_t pixels_per_image() const { return rows * cols; }
  std::size_t size() const { return labels.size(); }
  const std::uint8_t* image(std::size_t index) const { return pixels.data() + index * pixels_per_image(); }
};

// The mean and deviation of pixel/255 over a data set's training images: what standardising
// its inputs needs.
struct PixelStatistics {
  double mean = 0.0;
  double deviation = 1.0;
};

inline constexpr PixelStatistics kMnistPixelStatistics{0.1307, 0.3081};
inline constexpr int kMnistClasses = 10;

struct Mnist {
  LabelledImages train;
  LabelledImages test;
};

namespace mnist_detail {

inline std::filesystem::path find_file(const std::filesystem::path& folder, const std::string& stem,
                                       const std::string& kind) {
  // stem "train-images", kind "idx3-ubyte"
  const std::array<std::string, 4> spellings{stem + "-" + kind, stem + "." + kind, stem + "-" + kind + ".gz",
                                             stem + "." + kind + ".gz"};
  for (const auto& name : spellings) {
    std::error_code error;
    if (std::filesystem::exists(folder / name, error)) return folder / name;
  }
  throw Error((folder / spellings[0]).string() + ": missing (also looked for " + spellings[1] + ", " + spellings[2] +
              " and " + spellings[3] + "). Fetch MNIST with: data/fetch_mnist.sh " + folder.string());
}

inline LabelledImages load_split(const std::filesystem::path& folder, const std::string& prefix) {
  const auto images_path = find_file(folder, prefix + "-images", "idx3-ubyte");
  const auto labels_path = find_file(folder, prefix + "-labels", "idx1-ubyte");
  IdxArray images = read_idx(images_path);
  IdxArray labels = read_idx(labels_path);
  if (images.type() != IdxType::uint8 || images.dimensions().size() != 3)
    throw Error(images_path.string() + ": expected uint8 images of 3 dimensions, found " + to_string(images.type()) +
                " of " + std::to_string(images.dimensions().size()));
  if (labels.type() != IdxType::uint8 || labels.dimensions().size() != 1)
    throw Error(labels_path.string() + ": expected uint8 labels of 1 dimension, found " + to_string(labels.type()) +
                " of " + std::to_string(labels.dimensions().size()));
  if (images.dimensions()[0] != labels.dimensions()[0])
    throw Error(labels_path.string() + ": " + std::to_string(labels.dimensions()[0]) + " labels for " +
                std::to_string(images.dimensions()[0]) + " images in " + images_path.filename().string());
  LabelledImages split;
  split.rows = images.dimensions()[1];
  split.cols = images.dimensions()[2];
  split.pixels = std::move(images.values<std::uint8_t>());
  split.labels = std::move(labels.values<std::uint8_t>());
  for (std::size_t i = 0; i < split.labels.size(); ++i) {
    if (split.labels[i] > 9)
      throw Error(labels_path.string() + ": label " + std::to_string(split.labels[i]) + " at index " +
                  std::to_string(i) + " is not a digit 0-9");
  }
  return split;
}

}  // namespace mnist_detail

inline Mnist load_mnist(const std::filesystem::path& folder) {
  std::error_code error;
  if (!std::filesystem::is_directory(folder, error))
    throw Error("MNIST folder " + folder.string() + " does not exist. Fetch the data with: data/fetch_mnist.sh " +
                folder.string());
  return Mnist{mnist_detail::load_split(folder, "train"), mnist_detail::load_split(folder, "t10k")};
}

}  // namespace jiggle
