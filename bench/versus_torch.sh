#!/usr/bin/env bash
# One training epoch of a network, jiggle's `mnist` against PyTorch on the CPU, interleaved in
# one run so both see the same machine: REPEATS rounds, each running jiggle then PyTorch in every
# precision asked for; then the median of each and its ratio to PyTorch in fp32. The recipe is
# the same on both sides: plain SGD lr 0.1, batch 128, standardised pixels, 2 threads. Each time
# is the epoch's training alone (jiggle's log's seconds column, PyTorch's own clock).
#   bench/versus_torch.sh BUILD_DIR NETWORK [REPEATS] [PRECISIONS]
#   e.g. bench/versus_torch.sh build/release cnn-bn 3
#        bench/versus_torch.sh build/release mlp 5 "fp32 bf16"
# bf16 is jiggle's --precision bf16 and PyTorch's torch.autocast('cpu', dtype=torch.bfloat16).
# PyTorch runs as it runs best here: Debian's python3-torch with libopenblas0-pthread, and
# OMP_WAIT_POLICY=PASSIVE so its OpenMP threads do not spin against OpenBLAS's.
source "$(dirname "$0")/bench_support.sh"
usage="usage: bench/versus_torch.sh BUILD_DIR NETWORK [REPEATS] [PRECISIONS]"
build=${1:?$usage}
network=${2:?$usage}
repeats=${3:-3}
precisions=${4:-fp32}
data=${JIGGLE_DATA:-data/mnist}
python=${PYTHON:-/usr/bin/python3}  # Debian's, where python3-torch is

for round in $(seq "$repeats"); do
  for precision in $precisions; do
    "$build/apps/mnist/mnist" --data "$data" --network "$network" --epochs 1 --threads 2 --quiet \
      --precision "$precision" --log "$work/jiggle-$precision-$round.csv" >"$work/jiggle-$precision-$round.out"
    seconds=$(tail -1 "$work/jiggle-$precision-$round.csv" | cut -d, -f4)
    echo "round $round: jiggle $precision $seconds s ($(tail -1 "$work/jiggle-$precision-$round.out"))"
    echo "$seconds" >>"$work/jiggle-$precision.times"
    line=$(OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2 "$python" bench/torch_mnist_epoch.py "$network" "$data" 2 "$precision")
    echo "round $round: pytorch $precision $line"
    sed -n 's/.*seconds=\([0-9.]*\) .*/\1/p' <<<"$line" >>"$work/torch-$precision.times"
  done
done
torch_fp32=$(median <"$work/torch-fp32.times" 2>/dev/null || true)
for precision in $precisions; do
  for side in jiggle torch; do
    seconds=$(median <"$work/$side-$precision.times")
    awk -v s="$seconds" -v t="$torch_fp32" -v name="$network, $side $precision" \
      'BEGIN { printf "%s: median %.3f s an epoch", name, s; if (t != "") printf ", %.2fx PyTorch fp32'"'"'s time", s / t; print "" }'
  done
done
