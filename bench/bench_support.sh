# What the benchmark scripts share, sourced by each: run from the repository's root, a work
# folder removed on exit, and the median of numbers read one per line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[1]}")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
