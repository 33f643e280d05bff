#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz with clang and gives each N seconds of a core
# (default 60) on a copy of its seed corpus, so the committed corpus never changes. All run at once
# for N × harnesses / cores seconds, which shares the cores evenly: run as many at a time as there
# are cores, the last round would leave cores idle. Fails if any harness finds a crash, a sanitizer report, a leak, a timeout or an
# out-of-memory; what it found is kept in build/fuzz/findings/<harness>/ (run the harness on that
# file to reproduce, then make it a test).
# Needs clang-14, libfuzzer-14-dev and libclang-rt-14-dev; JIGGLE_FUZZ_CXX picks another clang++.
# Usage: scripts/fuzz.sh [seconds-per-harness]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
compiler=${JIGGLE_FUZZ_CXX:-clang++-14}
build=build/fuzz

# The harnesses read files and need no MPI, whose search is half of the configure's 6 s.
cmake -S tests/fuzz -B "$build" -DCMAKE_CXX_COMPILER="$compiler" -DJIGGLE_MPI=OFF >/dev/null
cmake --build "$build" -j2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$build/findings"

mapfile -t names < <(grep -v '^$' "$build/harnesses.txt")
jobs=$(nproc)
wall_seconds=$seconds
if ((${#names[@]} > jobs)); then wall_seconds=$(((seconds * ${#names[@]} + jobs - 1) / jobs)); fi

# One harness on a copy of its corpus; its report goes to $work/NAME/report, printed when all end.
fuzz_one() {
  local name=$1 dir=$work/$1 executions coverage
  mkdir -p "$dir/corpus" "$dir/findings"
  cp -R "tests/fuzz/corpus/$name/." "$dir/corpus/"
  if "$build/${name}_fuzz" -max_total_time="$wall_seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$dir/findings/" "$dir/corpus" >"$dir/log" 2>&1; then
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
    coverage=$(sed -n 's/^#[0-9]*[[:space:]]*DONE[[:space:]]*cov: \([0-9]*\) .*corp: \([0-9]*\).*/\1 edges, \2 inputs in the corpus/p' "$dir/log")
    echo "fuzz: $name: no findings in ${executions:-?} executions (${coverage:-coverage unknown})" >"$dir/report"
  else
    mkdir -p "$build/findings/$name"
    cp -R "$dir/findings/." "$build/findings/$name/"
    cp "$dir/log" "$build/findings/$name/log"
    {
      echo "fuzz: $name FOUND A PROBLEM (inputs and log in $build/findings/$name):"
      grep -E "ERROR|runtime error|SUMMARY|Test unit written" "$dir/log" | head -20 || tail -20 "$dir/log"
    } >"$dir/report"
    touch "$dir/failed"
  fi
}

echo "fuzz: ${#names[@]} harnesses at once on $jobs cores for $wall_seconds s, $seconds s of a core each"
for name in "${names[@]}"; do fuzz_one "$name" & done
wait

failed=()
for name in "${names[@]}"; do
  cat "$work/$name/report"
  [ ! -e "$work/$name/failed" ] || failed+=("$name")
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: findings in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all harnesses clean"
