#!/bin/sh
# A compiler launcher for units whose compile is a check of their source: runs the compile command
# it is given with -fsyntax-only, which parses and diagnoses but generates no code, then leaves an
# empty object where the command would have written one, so that the build counts the unit done.
# The header checks use it (tests/CMakeLists.txt): their units hold no code of their own, and
# clang parses one in 1.4 s of CPU this way against 2.3 s compiling it at -O0. A precompiled
# header's compile (-x c++-header) is passed through as it is: its output is what later units read.
set -eu
object=""
previous=""
for argument; do
  if [ "$previous" = "-x" ] && [ "$argument" = "c++-header" ]; then
    exec "$@"
  fi
  [ "$previous" != "-o" ] || object=$argument
  previous=$argument
done
"$@" -fsyntax-only
[ -z "$object" ] || : >"$object"
