#!/usr/bin/env bash
# Training beside busy neighbour processes, as on a shared machine: jiggle's and PyTorch's epochs
# quiet and with other processes running, interleaved in one run so every figure sees the same
# minutes. The neighbours are busy loops (sh -c 'while :; do :; done'):
#   quiet    none;
#   nice0    one at nice 0, an equal competitor for one core;
#   nice10   one at nice 10, a background job;
#   percore  one per core at nice 0.
# The programs, on 2 threads each (THREADS to change it):
#   jiggle mlp      `mnist --network mlp`, one epoch of 60,000 images;
#   jiggle cnn-bn   `mnist --network cnn-bn --subset 6400`, 50 steps;
#   torch ...       bench/torch_mnist_epoch.py on the same, with PyTorch's default OpenMP settings
#                   and again with OMP_WAIT_POLICY=PASSIVE.
# Each time is the training alone (jiggle's log's seconds column, PyTorch's own clock). REPEATS
# rounds, each running every program under every load in turn; then per program the median under
# each load and its ratio to the program's quiet median.
#   bench/neighbours.sh BUILD_DIR [REPEATS] [PROGRAMS]
#   e.g. bench/neighbours.sh build/release 3
#        bench/neighbours.sh build/release 3 "jiggle-mlp torch-mlp-passive"
# BASELINE=path/to/mnist adds another build of `mnist` (baseline-mlp, baseline-cnn-bn), to compare
# two versions of jiggle in the same minutes.
source "$(dirname "$0")/bench_support.sh"
usage="usage: bench/neighbours.sh BUILD_DIR [REPEATS] [PROGRAMS]"
build=${1:?$usage}
repeats=${2:-3}
data=${JIGGLE_DATA:-data/mnist}
python=${PYTHON:-/usr/bin/python3}  # Debian's, where python3-torch is
threads=${THREADS:-2}
cnn_images=6400
loads="quiet nice0 nice10 percore"
programs=${3:-"jiggle-mlp jiggle-cnn-bn torch-mlp-default torch-mlp-passive torch-cnn-bn-default torch-cnn-bn-passive"}
if [[ -n ${BASELINE:-} ]]; then programs="$programs baseline-mlp baseline-cnn-bn"; fi
cores=$(nproc)

neighbours=()
start_neighbours() {
  local count=0 niceness=0
  case $1 in
    quiet) return ;;
    nice0) count=1 ;;
    nice10) count=1 niceness=10 ;;
    percore) count=$cores ;;
  esac
  for _ in $(seq "$count"); do
    nice -n "$niceness" sh -c 'while :; do :; done' &
    neighbours+=($!)
  done
  sleep 1  # so the scheduler has seen them run before the program starts
}
stop_neighbours() {
  if ((${#neighbours[@]})); then kill "${neighbours[@]}" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  neighbours=()
}
trap 'stop_neighbours; rm -rf "$work"' EXIT

# Runs one program and prints its training seconds.
jiggle_seconds() {  # BINARY NETWORK [SUBSET]
  local log=$work/log.csv
  rm -f "$log"
  "$1" --data "$data" --network "$2" --epochs 1 --threads "$threads" --quiet ${3:+--subset "$3"} --log "$log" >/dev/null
  tail -1 "$log" | cut -d, -f4
}
torch_seconds() {  # NETWORK POLICY [SUBSET]
  local environment=(OMP_NUM_THREADS="$threads")
  if [[ $2 == passive ]]; then environment+=(OMP_WAIT_POLICY=PASSIVE); fi
  env "${environment[@]}" "$python" bench/torch_mnist_epoch.py "$1" "$data" "$threads" fp32 ${3:+"$3"} |
    sed -n 's/.*seconds=\([0-9.]*\) .*/\1/p'
}
run_program() {
  case $1 in
    jiggle-mlp) jiggle_seconds "$build/apps/mnist/mnist" mlp ;;
    jiggle-cnn-bn) jiggle_seconds "$build/apps/mnist/mnist" cnn-bn "$cnn_images" ;;
    baseline-mlp) jiggle_seconds "$BASELINE" mlp ;;
    baseline-cnn-bn) jiggle_seconds "$BASELINE" cnn-bn "$cnn_images" ;;
    torch-mlp-default) torch_seconds mlp default ;;
    torch-mlp-passive) torch_seconds mlp passive ;;
    torch-cnn-bn-default) torch_seconds cnn-bn default "$cnn_images" ;;
    torch-cnn-bn-passive) torch_seconds cnn-bn passive "$cnn_images" ;;
    *) echo "bench/neighbours.sh: no program $1" >&2; exit 2 ;;
  esac
}

echo "neighbours: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $cores cores, $threads threads each, $repeats rounds"
for round in $(seq "$repeats"); do
  for load in $loads; do
    start_neighbours "$load"
    for program in $programs; do
      seconds=$(run_program "$program")
      echo "round $round, $load: $program $seconds s"
      echo "$seconds" >>"$work/$program-$load.times"
    done
    stop_neighbours
  done
done

echo
printf '%-22s' "median seconds (×quiet)"
for load in $loads; do printf ' %16s' "$load"; done
echo
for program in $programs; do
  printf '%-22s' "$program"
  quiet=$(median <"$work/$program-quiet.times")
  for load in $loads; do
    seconds=$(median <"$work/$program-$load.times")
    printf ' %16s' "$(awk -v s="$seconds" -v q="$quiet" 'BEGIN { printf "%.2f (%.2f×)", s, s / q }')"
  done
  echo
done
