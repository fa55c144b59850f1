# Shared helpers for the bats tests.  make check sets TD_CORPUS, TD_SRCDIR,
# TD_BUILDDIR and puts the built tools first on PATH.

# Every kmatrix capture (sysroot trees with a truth.json).
kmatrix_captures() {
	local d
	for d in "$TD_CORPUS"/kmatrix/*/; do
		[ -f "$d/truth.json" ] && printf '%s\n' "${d%/}"
	done
}

# The -trace captures of the corpus (trees with a wakeup trace).
trace_captures() {
	local d
	for d in "$TD_CORPUS"/kmatrix/*-trace; do
		[ -f "$d/trace-wakeup-events.txt" ] && printf '%s\n' "$d"
	done
}

require_corpus() {
	[ -n "${TD_CORPUS:-}" ] && [ -d "$TD_CORPUS/kmatrix" ] || skip "no corpus (configure --with-corpus)"
}

# A test that needs root works on the live kernel: its tracing, its BPF, its
# timers.  make check -j runs test files side by side, so these tests take a
# lock first and run one at a time (the other tests still run beside them).
# TD_LIVE_TESTS=no skips them (make distcheck in CI: they ran in its first step).
require_root() {
	[ "${TD_LIVE_TESTS:-yes}" != no ] || skip "live tests not run here (TD_LIVE_TESTS=no)"
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	live_lock
}

# Hold the live-test lock (live-tests.lock in the build directory) until this
# test's process ends (after teardown).  The lock is held by a flock process
# of its own that watches this one, so no load, tmux server or tool the test
# starts inherits it and keeps it.
live_lock() {
	local fifo me=$BASHPID
	[ "${TD_LIVE_LOCKED:-}" != "$me" ] || return 0
	command -v flock >/dev/null || return 0
	fifo=$BATS_TEST_TMPDIR/live-lock.fifo
	rm -f "$fifo"
	mkfifo "$fifo" || return 0
	# Started from a subshell that exits at once: no child of the test, so
	# a teardown's wait does not wait for it.
	(flock -o "${TD_BUILDDIR:-${TMPDIR:-/tmp}}/live-tests.lock" sh -c \
		'echo held; while kill -0 "$1" 2>/dev/null; do sleep 0.1; done' sh "$me" \
		>"$fifo" 2>/dev/null 3>&- &)
	read -r _ <"$fifo"
	rm -f "$fifo"
	TD_LIVE_LOCKED=$me
}

# The tools under test were built with ASan+UBSan (configure
# --enable-sanitizers): they run several times slower.
sanitized_build() {
	grep -q -- '--enable-sanitizers' "$TD_BUILDDIR/config.log" 2>/dev/null
}

# A field of a capture's truth.json.
truth() {
	jq -r "$2" "$1/truth.json"
}

# Copies of the built tools that nobody can reach: the build tree may sit under
# a directory only root can enter (/root in CI).  They live in the test's own
# temporary directory, which bats removes.
user_bin() {
	local d=$BATS_TEST_TMPDIR/user-bin t
	if [ ! -d "$d" ]; then
		mkdir -p "$d"
		for t in timerinfo timerstat wakeuptop timerprobe; do
			[ -x "$TD_BUILDDIR/$t" ] && cp "$TD_BUILDDIR/$t" "$d/"
		done
		chmod -R a+rX "$d"
		# Let nobody walk down to it.
		t=$d
		while [ "$t" != / ] && [ "$t" != "${BATS_RUN_TMPDIR%/*}" ]; do
			chmod a+x "$t" 2>/dev/null
			t=${t%/*}
			[ -n "$t" ] || t=/
		done
	fi
	echo "$d"
}

# Run a command as an unprivileged user (nobody), with the built tools first on
# PATH; an argument naming a tool in the build tree names its copy instead.
as_user() {
	local bin a args=()
	bin=$(user_bin)
	for a in "$@"; do
		case $a in
		"$TD_BUILDDIR"/*) [ -x "$bin/${a##*/}" ] && a=$bin/${a##*/} ;;
		esac
		args+=("$a")
	done
	if command -v setpriv >/dev/null 2>&1; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups --reset-env -- \
			env PATH="$bin:$PATH" LC_ALL=C.UTF-8 "${args[@]}"
	else
		runuser -u nobody -- env PATH="$bin:$PATH" LC_ALL=C.UTF-8 "${args[@]}"
	fi
}

# Tests that run as nobody need root to switch to it.
require_user_access() {
	require_root
	command -v setpriv >/dev/null 2>&1 || command -v runuser >/dev/null 2>&1 ||
		skip "neither setpriv nor runuser"
}

# A kernel CPU list ("0-2,5") as a JSON array of numbers ("[0,1,2,5]").
cpulist_json() {
	local out= part a b
	local IFS=,
	for part in $1; do
		a=${part%-*}
		b=${part#*-}
		while [ "$a" -le "$b" ]; do
			out="$out${out:+,}$a"
			a=$((a + 1))
		done
	done
	echo "[$out]"
}

# Live tests with test helpers running in the background (bpf.bats,
# wakeups.bats).  NCPU and LAST: the CPUs, and the last one's number.
NCPU=$(nproc)
LAST=$((NCPU - 1))

# The tracing mounts as a test found them: perf and trace-cmd mount tracefs and
# debugfs when they are not, and leave them.  mounts_save in setup,
# mounts_restore in teardown unmounts what the test's tools mounted (a mount
# still in use stays: umount refuses it).
mounts_save() {
	MOUNTED_TRACEFS=$(mountpoint -q /sys/kernel/tracing && echo 1 || echo 0)
	MOUNTED_DEBUGFS=$(mountpoint -q /sys/kernel/debug && echo 1 || echo 0)
}

mounts_restore() {
	[ "$(id -u)" -eq 0 ] || return 0
	if [ "${MOUNTED_DEBUGFS:-1}" = 0 ]; then
		umount /sys/kernel/debug/tracing 2>/dev/null
		umount /sys/kernel/debug 2>/dev/null
	fi
	[ "${MOUNTED_TRACEFS:-1}" = 0 ] && umount /sys/kernel/tracing 2>/dev/null
	true
}

# setup: a fresh $TMP, no load yet, the tracing mounts noted.
load_setup() {
	TMP=$(mktemp -d)
	LOADS=()
	mounts_save
}

# teardown: every load started is killed and waited for, $TMP removed.
load_teardown() {
	local p
	for p in "${LOADS[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$TMP"
	mounts_restore
}

# Start tests/helpers/NAME ARGS... in the background, its output in
# $TMP/NAME.out; its pid is appended to LOADS and put in LOAD_PID.  It has
# 0.3 s to start.
start_load() {
	"$TD_BUILDDIR/tests/helpers/$1" "${@:2}" >"$TMP/$1.out" &
	LOADS+=($!)
	LOAD_PID=$!
	sleep 0.3
}

# "total idle" jiffies of one CPU from /proc/stat (idle + iowait as idle).
cpu_times() {
	awk -v c="cpu$1" '$1 == c { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6 }' /proc/stat
}

# The percentage of a CPU's time it was busy between two cpu_times readings.
busy_pct() {
	awk -v a="$1" -v b="$2" 'BEGIN { split(a, x); split(b, y)
		t = y[1] - x[1]; i = y[2] - x[2]; printf "%d", (t > 0 ? 100 * (t - i) / t : 100) }'
}

# A tmux pane of the test's own: the server is -L "$SOCK", the session "$SESS"
# (set both in setup, tmux_end "$SOCK" in teardown).
require_tmux() {
	command -v tmux >/dev/null || skip "no tmux"
}

# End the tmux server of socket name $1 and remove its socket: tmux (3.3a)
# leaves the file behind, and the suite starts hundreds of servers.
tmux_end() {
	tmux -L "$1" kill-server 2>/dev/null || true
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$1"
}

# The pane's text now.
screen() {
	tmux -L "$SOCK" capture-pane -p -t "$SESS"
}

# Wait (up to 15 s, or $2 tenths of a second) until the pane shows a fixed string.
wait_screen() {
	local i
	for i in $(seq "${2:-150}"); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	echo "never saw '$1' on the screen:" >&2
	screen >&2
	return 1
}

# Wait until the pane no longer shows a fixed string.
wait_gone() {
	local i
	for i in $(seq 150); do
		screen | grep -qF -- "$1" || return 0
		sleep 0.1
	done
	echo "'$1' stayed on the screen:" >&2
	screen >&2
	return 1
}

# Type keys into the pane (tmux send-keys names: Enter, Space, F5, C-l).
keys() {
	tmux -L "$SOCK" send-keys -t "$SESS" "$@"
}

# limited_files "ULIMIT-ARGS" CMD...: CMD with stdin, stdout and stderr only
# (bats keeps more open) and the limit set (call it in a subshell).
limited_files() {
	local fd lim=$1
	shift
	for fd in /proc/$BASHPID/fd/*; do
		fd=${fd##*/}
		[ "$fd" -gt 2 ] && eval "exec $fd>&-"
	done
	# shellcheck disable=SC2086
	ulimit $lim && "$@"
}
