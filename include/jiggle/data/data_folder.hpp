#pragma once
#include <cstdlib>
#include <filesystem>

namespace jiggle {

// Where a program looks for its data: $JIGGLE_DATA when set and not empty, else `built_in`
// (jiggle's own programs pass the source tree's data/mnist, fixed when they are built, so they
// find the data wherever they are run from).
inline std::filesystem::path data_folder(const std::filesystem::path& built_in) {
  const char* from_environment = std::getenv("JIGGLE_DATA");
  if (from_environment != nullptr && *from_environment != '\0') return from_environment;
  return built_in;
}

}  // namespace jiggle
