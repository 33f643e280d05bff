#pragma once
// CIFAR-10 binary files that the tests write themselves (the real data set is not here): records
// of a label byte and 3×32×32 pixels, each class a pattern of its own plus noise, so a model can
// learn it. Class c lights pixel (r, x) of channel c mod 3 where (r + c·x) is a multiple of 4
// inside stripes that depend on c, and noise of ±40 covers everything.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "jiggle/random.hpp"
#include "support/idx_writer.hpp"

namespace test_support {

inline std::vector<std::uint8_t> learnable_cifar_records(std::size_t count, std::uint64_t seed) {
  jiggle::Rng rng(seed);
  std::vector<std::uint8_t> bytes;
  bytes.reserve(count * 3073);
  for (std::size_t i = 0; i < count; ++i) {
    const auto label = static_cast<int>(rng.below(10));
    bytes.push_back(static_cast<std::uint8_t>(label));
    for (int channel = 0; channel < 3; ++channel) {
      for (int r = 0; r < 32; ++r) {
        for (int x = 0; x < 32; ++x) {
          const bool lit = channel == label % 3 && (r + (label + 1) * x) % 4 == 0 && (r / 8 + label / 3) % 2 == 0;
          const int noise = static_cast<int>(rng.below(81)) - 40;
          bytes.push_back(static_cast<std::uint8_t>(std::clamp((lit ? 200 : 60) + noise, 0, 255)));
        }
      }
    }
  }
  return bytes;
}

// A CIFAR-10 folder: five training files of `per_training_file` records and a test file of
// `test_records`.
inline void write_cifar_folder(const std::filesystem::path& folder, std::size_t per_training_file,
                               std::size_t test_records, std::uint64_t seed = 5) {
  std::filesystem::create_directories(folder);
  for (int file = 1; file <= 5; ++file)
    jiggle_test::write_file(folder / ("data_batch_" + std::to_string(file) + ".bin"),
                            learnable_cifar_records(per_training_file, seed + static_cast<std::uint64_t>(file)));
  jiggle_test::write_file(folder / "test_batch.bin", learnable_cifar_records(test_records, seed + 100));
}

}  // namespace test_support
