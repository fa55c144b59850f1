#!/bin/sh
# Install what timerdiag needs on Debian 12 (as root; uses sudo otherwise).
# Usage: tools/deps.sh [--test]   (--test adds what the test suite and CI use)
#
# The test suite uses the binaries of the Prometheus server (promtool) and of
# prometheus-node-exporter, and starts node_exporter itself on 127.0.0.1 when it
# needs one: the servers this script installs are never started by the
# installation (policy-rc.d) and are left disabled afterwards.
set -eu
# TD_DEPS_ROOT: a directory standing for / (tests/bats/deps.bats), where policy-rc.d,
# /etc/init.d and /run/systemd are looked for.
root=${TD_DEPS_ROOT:-}
build="build-essential autoconf automake pkg-config libbsd-dev libncurses-dev \
zlib1g-dev libzstd-dev libtracefs-dev libtraceevent-dev libtracecmd-dev libbpf-dev bpftool clang"
test="bats jq python3-jsonschema locales tmux bash-completion zsh clang libclang-rt-14-dev util-linux procps rt-tests prometheus \
prometheus-node-exporter curl linux-perf hyperfine trace-cmd llvm"
servers="prometheus prometheus-node-exporter"
want=$build
[ "${1:-}" = "--test" ] && want="$build $test"
missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
# No service starts while installing: invoke-rc.d asks policy-rc.d, and 101 means
# "forbidden". An administrator's policy-rc.d is kept as it is.
policy=$root/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# timerdiag tools/deps.sh: no service starts while installing\nexit 101\n' |
	    $sudo tee "$policy" >/dev/null
	$sudo chmod 755 "$policy"
	trap '$sudo rm -f "$policy"' EXIT
	trap 'exit 1' INT TERM HUP
fi
echo "installing:$missing" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
# The servers installed now are stopped (if an administrator's policy let them
# start) and disabled; systemctl disable keeps deb-systemd-helper's state, so an
# upgrade does not enable them again. Servers that were installed before are left
# as the administrator set them.
for s in $servers; do
	case " $missing " in *" $s "*) ;; *) continue ;; esac
	if [ -d "$root/run/systemd/system" ]; then
		$sudo systemctl stop "$s.service" || true
	elif [ -x "$root/etc/init.d/$s" ]; then
		$sudo "$root/etc/init.d/$s" stop >/dev/null 2>&1 || true
	fi
	$sudo systemctl disable --quiet "$s.service" 2>/dev/null ||
	    $sudo update-rc.d "$s" disable >/dev/null 2>&1 || true
	echo "installed $s; its service is not running or enabled" >&2
done
