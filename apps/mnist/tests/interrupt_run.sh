#!/usr/bin/env bash
# SIGINT or SIGTERM during training: the program finishes its step, writes the training state,
# prints the command that resumes, and exits 130 or 143; a second signal ends it at once and
# leaves the last good state alone.
#   interrupt_run.sh PROGRAM MNIST_FOLDER WORK_FOLDER
set -euo pipefail
program=$1 mnist=$2 work=$3
if [[ ! -d $mnist ]]; then
  echo "SKIPPED: MNIST not found in $mnist (run data/fetch_mnist.sh)"
  exit 0
fi
rm -rf "$work" && mkdir -p "$work" && cd "$work"

# Starts the program in the background with its output in out.txt and err.txt, and waits until
# out.txt matches $1 (at most 120 s).
start_and_wait_for() {
  local pattern=$1
  shift
  "$@" >out.txt 2>err.txt &
  pid=$!
  for _ in $(seq 1200); do
    grep -q -- "$pattern" out.txt && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "the program never printed '$pattern'"; cat out.txt err.txt; exit 1
}

# Sends the signals $2... to the program and requires exit code $1 (a pattern: 130|143).
signal_and_expect() {
  local expected=$1
  shift
  for signal in "$@"; do kill -s "$signal" "$pid"; done
  local code=0
  wait "$pid" || code=$?
  cat out.txt err.txt
  if [[ ! $code =~ ^($expected)$ ]]; then echo "expected exit code $expected, got $code"; exit 1; fi
}

args=(--data "$mnist" --subset 10000 --epochs 30 --threads 2 mlp-sgd-momentum --checkpoint state.safetensors)

start_and_wait_for "Epoch  1/30" "$program" "${args[@]}"
signal_and_expect 130 INT
grep -q "interrupted by SIGINT at step [0-9]* (epoch [0-9]*, batch [0-9]* of 79); the training state is in state.safetensors" err.txt
resume=$(sed -n 's/^to resume: //p' err.txt)
[[ $resume == *"--resume state.safetensors" ]]
interrupted_at=$(sed -n 's/.*at step \([0-9]*\) .*/\1/p' err.txt)

# The printed command resumes where the run stopped; SIGTERM stops it again.
start_and_wait_for "Epoch *[0-9]*/30" sh -c "exec $resume"
grep -q "resuming from state.safetensors: epoch [0-9]*, batch [0-9]* of 79, step $interrupted_at" out.txt
signal_and_expect 143 TERM
grep -q "interrupted by SIGTERM" err.txt
cp state.safetensors last-good.safetensors

# Two signals at once (two kinds: a second signal of a kind still pending would merge with the
# first): the second ends the run without writing, so the last state stays as it was.
start_and_wait_for "Epoch *[0-9]*/30" sh -c "exec $resume"
signal_and_expect "130|143" INT TERM  # whichever the kernel delivers second decides
cmp state.safetensors last-good.safetensors
if grep -q "to resume" err.txt; then echo "the second signal did not end the run at once"; exit 1; fi
"$program" --data "$mnist" --load state.safetensors --eval --quiet
echo "interrupted, resumed and interrupted twice as promised"
cd / && rm -rf "$work"
