#!/usr/bin/env bash
# From a fresh clone to a trained MNIST model: installs what is missing (as root; otherwise
# prints what to install), fetches and verifies MNIST, builds in Release, and trains with the
# defaults. Flags are passed on to mnist, e.g. scripts/quickstart.sh --epochs 3
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-dependencies.sh
bash data/fetch_mnist.sh
cmake --preset release
cmake --build --preset release --target mnist
./build/release/apps/mnist/mnist "$@"
