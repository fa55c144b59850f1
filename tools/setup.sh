#!/bin/sh
# Install the build dependencies, build timerdiag in ./build, and run timerinfo.
# Usage: tools/setup.sh [--no-run] [configure options]
set -eu
cd "$(dirname "$0")/.."
run=yes
if [ "${1:-}" = "--no-run" ]; then
	run=no
	shift
fi
sh tools/deps.sh
[ -x configure ] || autoreconf -fi >/dev/null 2>&1
mkdir -p build
cd build
[ -f Makefile ] || ../configure -q "$@"
make -s -j"$(nproc)" >/dev/null
if [ "$run" = yes ]; then
	./timerinfo
fi
