#!/usr/bin/env bash
# Installs what jiggle needs to build and test on Debian or Ubuntu, and nothing that is already
# there. As root it runs apt-get; otherwise it prints the exact command to run and fails.
# Extra package names given as arguments are installed too (CI adds its linters).
set -euo pipefail

needed=()
have_package() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for package in g++ cmake make libeigen3-dev catch2 zlib1g-dev pkg-config "$@"; do
  have_package "$package" || needed+=("$package")
done

if [ ${#needed[@]} -eq 0 ]; then
  echo "dependencies: all present (g++ cmake make libeigen3-dev catch2 zlib1g-dev pkg-config $*)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "dependencies: missing ${needed[*]}. Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${needed[*]}" >&2
  exit 1
fi
echo "dependencies: installing ${needed[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
echo "dependencies: installed ${needed[*]}"
