// The headers that every test file parses and that no mutation changes: the standard library's
// that jiggle uses, Eigen's and Catch2's. The test builds compile them once, as a precompiled
// header, instead of once per test file (see tests/CMakeLists.txt and tests/mutation/run.sh).
// jiggle's own headers stay out, so that a change to one rebuilds only what includes it. A test
// file that must define a macro before Eigen or Catch2 is read (EIGEN_RUNTIME_NO_MALLOC) is
// compiled without it. No #pragma once: the file is read once, first, as the precompiled header.
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
