#!/usr/bin/env bash
# One training epoch of a network, jiggle's `mnist` against PyTorch on the CPU, interleaved in
# one run so both see the same machine: REPEATS rounds of (jiggle, PyTorch), then the median of
# each and their ratio. The recipe is the same on both sides: plain SGD lr 0.1, batch 128,
# standardised pixels, 2 threads. jiggle's time is the epoch's training alone (the log's seconds
# column), as is PyTorch's.
#   bench/cnn_vs_torch.sh BUILD_DIR NETWORK [REPEATS]      e.g. build/release cnn-nobn 3
# PyTorch runs as it runs best here: Debian's python3-torch with libopenblas0-pthread, and
# OMP_WAIT_POLICY=PASSIVE so its OpenMP threads do not spin against OpenBLAS's.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: bench/cnn_vs_torch.sh BUILD_DIR NETWORK [REPEATS]}
network=${2:?usage: bench/cnn_vs_torch.sh BUILD_DIR NETWORK [REPEATS]}
repeats=${3:-3}
data=${JIGGLE_DATA:-data/mnist}
python=${PYTHON:-/usr/bin/python3}  # Debian's, where python3-torch is
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for round in $(seq "$repeats"); do
  "$build/examples/mnist" --data "$data" --network "$network" --epochs 1 --threads 2 --quiet \
    --log "$work/jiggle-$round.csv" >"$work/jiggle-$round.out"
  jiggle_seconds=$(tail -1 "$work/jiggle-$round.csv" | cut -d, -f4)
  echo "round $round: jiggle $jiggle_seconds s ($(tail -1 "$work/jiggle-$round.out"))"
  echo "$jiggle_seconds" >>"$work/jiggle.times"
  torch_line=$(OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2 "$python" bench/torch_mnist_epoch.py "$network" "$data" 2)
  echo "round $round: pytorch $torch_line"
  sed -n 's/.*seconds=\([0-9.]*\) .*/\1/p' <<<"$torch_line" >>"$work/torch.times"
done
jiggle=$(median <"$work/jiggle.times")
torch=$(median <"$work/torch.times")
awk -v j="$jiggle" -v t="$torch" -v n="$network" \
  'BEGIN { printf "%s, median of each: jiggle %.2f s, PyTorch %.2f s an epoch: jiggle is %.2fx as fast\n", n, j, t, t / j }'
