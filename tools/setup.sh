#!/bin/sh
# Install the build dependencies and build timerdiag in ./build.
# Usage: tools/setup.sh [configure options]
set -eu
cd "$(dirname "$0")/.."
sh tools/deps.sh
[ -x configure ] || autoreconf -fi >/dev/null
mkdir -p build
cd build
[ -f Makefile ] || ../configure -q "$@"
make -s -j"$(nproc)"
