#!/usr/bin/env bash
# clang-tidy over the programs that use the library as users do (the example, the benchmarks) and
# one unit that includes every public header, which together read every header and instantiate
# its templates as programs use them; .clang-tidy picks the checks. The tests are left to the
# compiler's warnings: reading them too would double CI's time for little. Needs a build folder
# configured with CMAKE_EXPORT_COMPILE_COMMANDS=ON and JIGGLE_CHECK_HEADERS=ON.
# Usage: scripts/clang-tidy.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: scripts/clang-tidy.sh BUILD_DIR}
[ -f "$build/compile_commands.json" ] || { echo "clang-tidy: no $build/compile_commands.json" >&2; exit 1; }
every_header=$build/tests/header_check/jiggle_jiggle_hpp.cpp
[ -f "$every_header" ] || { echo "clang-tidy: no $every_header (configure with JIGGLE_CHECK_HEADERS=ON)" >&2; exit 1; }
{ find examples bench -name '*.cpp' -print0; printf '%s\0' "$every_header"; } |
  xargs -0 -P "$(nproc)" -n 1 clang-tidy -p "$build" --quiet --extra-arg=-Wno-unknown-warning-option
echo "clang-tidy: clean"
