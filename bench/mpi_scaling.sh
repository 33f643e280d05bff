#!/usr/bin/env bash
# Data-parallel training on this machine: seconds per training epoch of a row, one process of 2
# threads against 2 processes of 1 thread under mpiexec (each taking half of every batch),
# interleaved in one run, REPEATS rounds; then each median and their ratio. Each time is the
# epoch's training alone (the log's seconds column, written by process 0).
#   bench/mpi_scaling.sh BUILD_DIR ROW [REPEATS]
#   e.g. bench/mpi_scaling.sh build/release mlp-sgd 5
#        bench/mpi_scaling.sh build/release cnn-bn-sgd 3
source "$(dirname "$0")/bench_support.sh"
usage="usage: bench/mpi_scaling.sh BUILD_DIR ROW [REPEATS]"
build=${1:?$usage}
row=${2:?$usage}
repeats=${3:-3}
data=${JIGGLE_DATA:-data/mnist}
launcher=(mpiexec -n 2 --oversubscribe)
[[ $(id -u) != 0 ]] || launcher+=(--allow-run-as-root)

for round in $(seq "$repeats"); do
  "$build/apps/mnist/mnist" "$row" --data "$data" --epochs 1 --threads 2 --quiet \
    --log "$work/alone-$round.csv" >/dev/null
  tail -1 "$work/alone-$round.csv" | cut -d, -f4 | tee -a "$work/alone.times" | sed "s/^/round $round: 1 process x 2 threads: /"
  "${launcher[@]}" "$build/apps/mnist/mnist" "$row" --data "$data" --epochs 1 --threads 1 --quiet \
    --log "$work/shared-$round.csv" >/dev/null
  tail -1 "$work/shared-$round.csv" | cut -d, -f4 | tee -a "$work/shared.times" | sed "s/^/round $round: 2 processes x 1 thread: /"
done
alone=$(median <"$work/alone.times")
shared=$(median <"$work/shared.times")
awk -v a="$alone" -v s="$shared" -v row="$row" \
  'BEGIN { printf "%s: 1 process x 2 threads %.3f s an epoch, 2 processes x 1 thread %.3f s (%.2fx)\n", row, a, s, s / a }'
