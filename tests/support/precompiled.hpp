// The headers that every test file parses and that no mutation changes: the standard library's
// that jiggle uses, Eigen's and Catch2's. The mutation script compiles them once per run, as a
// precompiled header, instead of once per mutant. jiggle's own headers stay out: they are what
// the mutants change. A test file that must define a macro before Eigen or Catch2 is read
// (EIGEN_RUNTIME_NO_MALLOC) is compiled without it. No #pragma once: the file is read once,
// first, as the precompiled header.
//
// The CMake build precompiles it, with jiggle.hpp, for jiggle_tests under clang only
// (tests/CMakeLists.txt). GCC 12 gains nothing from it, and reports warnings inside system
// headers read from a precompiled header (an -Warray-bounds false positive in std::string at
// -O3), which -Werror would make errors.
#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "support/catch.hpp"
