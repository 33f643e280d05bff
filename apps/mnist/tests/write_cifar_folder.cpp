// Writes a CIFAR-10 folder of learnable images for the tests of mnist's CIFAR-10 rows (the real
// data set cannot be fetched here): five training files of 1,000 records and a test file of 1,000.
//   write_cifar_folder FOLDER
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "support/cifar_files.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_cifar_folder FOLDER\n");
    return 2;
  }
  try {
    test_support::write_cifar_folder(argv[1], 1000, 1000);
    return EXIT_SUCCESS;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "write_cifar_folder: %s\n", error.what());
    return EXIT_FAILURE;
  }
}
