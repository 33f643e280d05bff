#!/bin/sh
# A compiler launcher for units whose compile is a check of their source: runs the compile command
# it is given with -fsyntax-only, which parses and diagnoses but generates no code, then leaves an
# empty object where the command would have written one, so that the build counts the unit done.
# The header checks use it (tests/CMakeLists.txt): their units hold no code of their own, and
# clang parses one in 1.4 s of CPU this way against 2.3 s compiling it at -O0.
set -eu
object=""
previous=""
for argument; do
  [ "$previous" != "-o" ] || object=$argument
  previous=$argument
done
"$@" -fsyntax-only
[ -z "$object" ] || : >"$object"
