#!/usr/bin/env bash
# What a user gets who builds jiggle's example the ordinary way: jiggle installed as a package,
# the program compiled with `g++ -O2` and pkg-config's flags, no -march, against the project's own
# -O3 -march=native build. Both run the same epochs interleaved, so they see the same machine;
# then the median of each and their ratio.
#   bench/consumer_vs_native.sh BUILD_DIR ROW [REPEATS] [FLAGS...]
#   e.g. bench/consumer_vs_native.sh build/release mlp-sgd 5
#        bench/consumer_vs_native.sh build/release cnn-bn-sgd 3 --subset 12800
# FLAGS go to both programs (after --epochs 1 --threads 2 --quiet).
source "$(dirname "$0")/bench_support.sh"
usage="usage: bench/consumer_vs_native.sh BUILD_DIR ROW [REPEATS] [FLAGS...]"
build=${1:?$usage}
row=${2:?$usage}
repeats=${3:-3}
shift $(($# < 3 ? $# : 3))
data=${JIGGLE_DATA:-data/mnist}

cmake -S . -B "$work/package-build" -DCMAKE_BUILD_TYPE=Release -DJIGGLE_BUILD_TESTS=OFF -DJIGGLE_BUILD_EXAMPLES=OFF -DJIGGLE_BUILD_APPS=OFF \
  -DJIGGLE_BUILD_BENCH=OFF -DCMAKE_INSTALL_PREFIX="$work/prefix" >/dev/null
cmake --install "$work/package-build" >/dev/null
flags=$(PKG_CONFIG_PATH="$work/prefix/share/pkgconfig" pkg-config --cflags --libs jiggle)
echo "consumer build: g++ -O2 -Iapps/common apps/mnist/mnist.cpp $flags"
# shellcheck disable=SC2086  # pkg-config's flags are words
g++ -std=c++20 -O2 -DJIGGLE_MNIST_DIR="\"$data\"" -Iapps/common apps/mnist/mnist.cpp $flags -o "$work/mnist-consumer"
echo "native build:   $build/apps/mnist/mnist, $(grep -m1 '^CMAKE_BUILD_TYPE:' "$build/CMakeCache.txt" | cut -d= -f2)," \
  "JIGGLE_NATIVE=$(grep -m1 '^JIGGLE_NATIVE:' "$build/CMakeCache.txt" | cut -d= -f2) (-march=native)"

for round in $(seq "$repeats"); do
  for program in native consumer; do
    binary="$build/apps/mnist/mnist"
    [ "$program" = consumer ] && binary="$work/mnist-consumer"
    "$binary" "$row" --data "$data" --epochs 1 --threads 2 --quiet --log "$work/$program-$round.csv" "$@" \
      >"$work/$program-$round.out"
    seconds=$(tail -1 "$work/$program-$round.csv" | cut -d, -f4)
    echo "round $round: $program $seconds s ($(tail -1 "$work/$program-$round.out"))"
    echo "$seconds" >>"$work/$program.times"
  done
done
native=$(median <"$work/native.times")
consumer=$(median <"$work/consumer.times")
awk -v n="$native" -v c="$consumer" -v r="$row" \
  'BEGIN { printf "%s, median of each: native %.3f s, consumer -O2 %.3f s an epoch: the consumer build takes %.2fx the time\n", r, n, c, c / n }'
