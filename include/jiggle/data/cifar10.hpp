#pragma once
// CIFAR-10 in its binary form (https://www.cs.toronto.edu/~kriz/cifar.html, "CIFAR-10 binary
// version"): data_batch_1.bin ... data_batch_5.bin for training and test_batch.bin, each a run of
// 3,073-byte records, one label byte (0-9) then the image's 1,024 red, 1,024 green and 1,024 blue
// bytes of 32×32 pixels, row by row. Read into LabelledImages of 3×32×32 (CHW, as stored).
//
// Read strictly: a file must be a whole, non-zero number of records and at most 10,000 of them
// (CIFAR-10's own batch size), which its size says before anything is allocated, and every label
// must be a class 0-9. Anything else is a jiggle::Error naming the file and, where it is one
// record's fault, the record (counted from 0).
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "jiggle/data/labelled_images.hpp"
#include "jiggle/error.hpp"

namespace jiggle {

inline constexpr int kCifar10Classes = 10;

using Cifar10 = TrainAndTest;

namespace cifar10_detail {

inline constexpr std::size_t kSide = 32;
inline constexpr std::size_t kChannels = 3;
inline constexpr std::size_t kImageBytes = kChannels * kSide * kSide;
inline constexpr std::size_t kRecordBytes = 1 + kImageBytes;
inline constexpr std::size_t kMaxRecordsPerFile = 10000;
inline constexpr int kTrainingFiles = 5;

inline const std::string& expected_files() {
  static const std::string text =
      "The folder should hold CIFAR-10's binary version, data_batch_1.bin to data_batch_5.bin and test_batch.bin "
      "(cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html, unpacked)";
  return text;
}

}  // namespace cifar10_detail

// Appends the records of one CIFAR-10 binary file to `images` (3×32×32; set here if empty).
inline void read_cifar10_file(const std::filesystem::path& path, LabelledImages& images) {
  using namespace cifar10_detail;
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (status.type() == std::filesystem::file_type::not_found)
    throw Error(path.string() + ": missing. " + expected_files());
  if (error) throw Error(path.string() + ": cannot inspect it: " + error.message());
  if (!std::filesystem::is_regular_file(status)) throw Error(path.string() + ": is not a regular file");
  const std::uintmax_t bytes = std::filesystem::file_size(path, error);
  if (error) throw Error(path.string() + ": cannot tell its size: " + error.message());
  if (bytes == 0) throw Error(path.string() + ": is empty, where CIFAR-10 records of 3,073 bytes were expected");
  if (bytes > kMaxRecordsPerFile * kRecordBytes)
    throw Error(path.string() + ": is " + std::to_string(bytes) +
                " bytes, more than the 10,000 records of 3,073 bytes " + "a CIFAR-10 file holds");
  if (bytes % kRecordBytes != 0)
    throw Error(path.string() + ": is " + std::to_string(bytes) + " bytes, not a whole number of 3,073-byte records: " +
                "record " + std::to_string(bytes / kRecordBytes) + " is cut off after " +
                std::to_string(bytes % kRecordBytes) + " bytes");
  if (images.size() == 0) {
    images.channels = kChannels;
    images.rows = kSide;
    images.cols = kSide;
  } else if (images.sample_shape() != Shape{3, 32, 32}) {
    throw Error(path.string() + ": cannot add CIFAR-10 images to images of another shape");
  }
  const auto records = static_cast<std::size_t>(bytes / kRecordBytes);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot open it");
  const std::size_t first = images.size();
  images.labels.resize(first + records);
  images.pixels.resize((first + records) * kImageBytes);
  for (std::size_t record = 0; record < records; ++record) {
    char label = 0;
    in.read(&label, 1);
    in.read(reinterpret_cast<char*>(images.pixels.data() + (first + record) * kImageBytes),
            static_cast<std::streamsize>(kImageBytes));
    if (!in)
      throw Error(path.string() + ": record " + std::to_string(record) +
                  " cannot be read (the file changed or shrank)");
    const auto value = static_cast<std::uint8_t>(label);
    if (value >= kCifar10Classes)
      throw Error(path.string() + ": record " + std::to_string(record) + " has the label " + std::to_string(value) +
                  ", not a class 0-9");
    images.labels[first + record] = value;
  }
}

// CIFAR-10 from a folder of its six binary files, or from the folder its archive unpacks into
// (cifar-10-batches-bin) inside it.
inline Cifar10 load_cifar10(std::filesystem::path folder) {
  using namespace cifar10_detail;
  std::error_code error;
  const std::string where = "CIFAR-10 folder " + folder.string();
  const auto status = std::filesystem::status(folder, error);
  if (status.type() == std::filesystem::file_type::not_found)
    throw Error(where + " does not exist. " + expected_files());
  if (error) throw Error(where + " cannot be read: " + error.message());
  if (!std::filesystem::is_directory(status)) throw Error(where + " is not a folder. " + expected_files());
  if (!std::filesystem::exists(folder / "test_batch.bin", error) &&
      std::filesystem::is_directory(folder / "cifar-10-batches-bin", error))
    folder /= "cifar-10-batches-bin";
  Cifar10 data;
  for (int file = 1; file <= kTrainingFiles; ++file)
    read_cifar10_file(folder / ("data_batch_" + std::to_string(file) + ".bin"), data.train);
  read_cifar10_file(folder / "test_batch.bin", data.test);
  return data;
}

}  // namespace jiggle
