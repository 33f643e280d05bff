#!/usr/bin/env bash
# What a user pays to compile a one-file program that includes jiggle, on every edit: seconds
# and peak memory of `g++ -O2 -fopenmp` on tests/consumer/train_a_few_steps.cpp (a user's
# program: build the MLP, train it a few steps), the median of REPEATS compiles each, two ways:
#   header-only        the file alone, as `g++ my_program.cpp` compiles it: the product kernels
#                      are compiled in it too;
#   kernels apart      the file with JIGGLE_SEPARATE_KERNELS, the kernels compiled once beside it
#                      (cmake/kernels.cpp), as a program of many files or a build system can: an
#                      edit recompiles the user's file alone. The kernels' own compile is shown
#                      once, not paid again on an edit. It is what linking jiggle::kernels does.
# Then both programs are linked and run REPEATS times each, interleaved, to show that the way of
# building does not change the program's speed (the seconds of its 20 training steps and startup).
# Last, tests/consumer/train_in_double.cpp, a program in double alone, compiled both ways: it
# multiplies no float matrix, so the float kernels cost it nothing; with the kernels apart, its
# products in double (Eigen's, kernels::multiply_in_double) are compiled with the kernels, not in it.
#   bench/user_compile.sh [REPEATS] [COMPILER]
source "$(dirname "$0")/bench_support.sh"
repeats=${1:-3}
cxx=${2:-g++}
source_file=tests/consumer/train_a_few_steps.cpp
flags=(-std=c++20 -O2 -fopenmp -Iinclude -isystem "${EIGEN3_INCLUDE_DIR:-/usr/include/eigen3}")

# Prints "SECONDS PEAK_MB" for one compile of the given arguments.
compile_once() {
  /usr/bin/time -f "%e %M" -o "$work/time" "$cxx" "${flags[@]}" "$@" >/dev/null 2>"$work/errors" ||
    { cat "$work/errors" >&2; exit 1; }
  awk '{ printf "%s %.0f\n", $1, $2 / 1024 }' "$work/time"
}
measure() {  # LABEL ARGUMENTS...
  local label=$1
  shift
  : >"$work/runs"
  for _ in $(seq "$repeats"); do compile_once "$@" >>"$work/runs"; done
  printf '%-40s %6.1f s %6.0f MB\n' "$label" "$(cut -d' ' -f1 "$work/runs" | median)" \
    "$(cut -d' ' -f2 "$work/runs" | median)"
}

echo "user_compile: $("$cxx" --version | head -1), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), median of $repeats"
measure "header-only: the program" -c "$source_file" -o "$work/header_only.o"
measure "kernels apart: the program (each edit)" -DJIGGLE_SEPARATE_KERNELS -c "$source_file" -o "$work/apart.o"
measure "kernels apart: cmake/kernels.cpp (once)" -DJIGGLE_SEPARATE_KERNELS -c cmake/kernels.cpp -o "$work/kernels.o"

# Both programs linked and run REPEATS times each, interleaved.
"$cxx" "${flags[@]}" "$work/header_only.o" -o "$work/header_only" -lz -pthread
"$cxx" "${flags[@]}" "$work/apart.o" "$work/kernels.o" -o "$work/apart" -lz -pthread
: >"$work/runs_header_only"
: >"$work/runs_apart"
for _ in $(seq "$repeats"); do
  for way in header_only apart; do
    started=$EPOCHREALTIME
    "$work/$way" >/dev/null
    echo "$started $EPOCHREALTIME" | awk '{ print 1000 * ($2 - $1) }' >>"$work/runs_$way"
  done
done
printf '%-40s %6.1f ms\n' "header-only: the program runs" "$(median <"$work/runs_header_only")"
printf '%-40s %6.1f ms\n' "kernels apart: the program runs" "$(median <"$work/runs_apart")"
measure "header-only: a program in double" -c tests/consumer/train_in_double.cpp -o "$work/double.o"
measure "kernels apart: a program in double" -DJIGGLE_SEPARATE_KERNELS -c tests/consumer/train_in_double.cpp \
  -o "$work/double_apart.o"
"$cxx" "${flags[@]}" "$work/double.o" -o "$work/double" -lz -pthread
echo "header-only: a program in double runs: $("$work/double")"
