#!/usr/bin/env bash
# clang-tidy over every program of the project (tests, example, benchmark), which together
# instantiate every public header; .clang-tidy picks the checks. Needs a build folder configured
# with CMAKE_EXPORT_COMPILE_COMMANDS=ON. Usage: scripts/clang-tidy.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: scripts/clang-tidy.sh BUILD_DIR}
[ -f "$build/compile_commands.json" ] || { echo "clang-tidy: no $build/compile_commands.json" >&2; exit 1; }
# The compile_fail program is meant not to compile; support/main.cpp is Catch2's; the fuzzing
# harnesses are built by their own project (tests/fuzz), which is not in this build folder.
find tests examples bench -name '*.cpp' -not -path 'tests/compile_fail/*' -not -path 'tests/support/*' \
    -not -path 'tests/consumer/*' -not -path 'tests/fuzz/*' -print0 |
  xargs -0 -P "$(nproc)" -n 1 clang-tidy -p "$build" --quiet --extra-arg=-Wno-unknown-warning-option
echo "clang-tidy: clean"
