#!/bin/sh
# Install what timerdiag needs on Debian 12 (as root; uses sudo otherwise).
# Usage: tools/deps.sh [--test]   (--test adds what the test suite and CI use)
set -eu
build="build-essential autoconf automake pkg-config libbsd-dev libncurses-dev \
zlib1g-dev libtracefs-dev libtraceevent-dev libtracecmd-dev libbpf-dev bpftool clang"
test="bats jq python3-jsonschema locales tmux clang libclang-rt-14-dev util-linux procps rt-tests prometheus linux-perf hyperfine trace-cmd"
want=$build
[ "${1:-}" = "--test" ] && want="$build $test"
missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "installing:$missing" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
