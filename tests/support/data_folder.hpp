#pragma once
#include <filesystem>

#include "jiggle/data/data_folder.hpp"

// The MNIST folder the real-data tests use: $JIGGLE_DATA, else the source tree's data/mnist.
inline std::filesystem::path mnist_test_folder() { return jiggle::data_folder(JIGGLE_MNIST_DIR); }

inline bool mnist_present() {
  std::error_code error;
  return std::filesystem::is_directory(mnist_test_folder(), error);
}
