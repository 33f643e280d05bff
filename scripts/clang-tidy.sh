#!/usr/bin/env bash
# clang-tidy over the programs that use the library as users do (the examples, the benchmarks) and
# the unit that includes every public header (tests/CMakeLists.txt, JIGGLE_CHECK_HEADERS), which
# together read every header, the kernels included, and instantiate its templates as programs use
# them; .clang-tidy picks the checks. The programs are read in one unit (CMakeLists.txt,
# every_program.cpp), so Eigen and jiggle are parsed once for all of them. The tests are left to
# the compiler's warnings: reading them too would double CI's time for little. Needs a build
# folder configured with CMAKE_EXPORT_COMPILE_COMMANDS=ON and JIGGLE_CHECK_HEADERS=ON.
# Usage: scripts/clang-tidy.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: scripts/clang-tidy.sh BUILD_DIR}
[ -f "$build/compile_commands.json" ] || { echo "clang-tidy: no $build/compile_commands.json" >&2; exit 1; }
every_header=$build/tests/header_check/every_header.cpp
[ -f "$every_header" ] || { echo "clang-tidy: no $every_header (configure with JIGGLE_CHECK_HEADERS=ON)" >&2; exit 1; }
every_program=$build/tidy/every_program.cpp
[ -f "$every_program" ] || { echo "clang-tidy: no $every_program (configure with the examples and benchmarks)" >&2; exit 1; }
# The programs' own files are headers of their unit: the filter takes them in beside jiggle's.
header_filter="$PWD/(include/jiggle|examples|apps|bench)/.*"
tidy() {
  clang-tidy -p "$build" --quiet --extra-arg=-Wno-unknown-warning-option --header-filter="$header_filter" "$1"
}
tidy "$every_header" &
every_header_checked=$!
tidy "$every_program"
wait "$every_header_checked"
echo "clang-tidy: clean"
