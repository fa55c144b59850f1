#!/usr/bin/env bats
# Inputs that never end: a FIFO with no writer, or one whose writer stays
# silent.  A file the user names (--timer-stats, --timer-list) may be a pipe, so
# the tools wait on it but stay interruptible: SIGINT, SIGTERM and SIGHUP end
# them within a second, killed by the signal (status 128+N), as cat would be.
# Inside a captured tree (--sysroot) a regular file is expected: a FIFO there is
# refused at once with one line naming it (status 1), before any signal.

load helpers

TRACING=/sys/kernel/tracing

setup() {
	TMP=$(mktemp -d)
	chmod 755 "$TMP"
	mkfifo "$TMP/fifo"
	HOLD=
	PID=
	SOCK="fifo-$$-${BATS_TEST_NUMBER}"
}

teardown() {
	[ -n "$HOLD" ] && kill "$HOLD" 2>/dev/null
	[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
	tmux_end "$SOCK"
	rm -rf "$TMP"
	true
}

# Whether tracefs is mounted (the tools must leave that as they found it).
tracefs_state() {
	mountpoint -q $TRACING && echo mounted || echo unmounted
}

# Run "$@" in the background the way a terminal runs a foreground job (its own
# process group, SIGINT not ignored), send it signal $1 after 0.3 s, and wait
# up to 1 s for it to end.  Sets status (128+N when the signal killed it),
# out and err; fails when the command still runs a second after the signal.
signal_run() {
	local sig=$1 i
	shift
	# (Made first: a busy machine may deliver the signal before the child has
	# opened its redirections.)
	: >"$TMP/out"
	: >"$TMP/err"
	set -m
	# The three signals at their default even when this suite was started
	# with them ignored (SIGINT in a background job of a script, SIGHUP
	# under nohup), as a terminal's foreground job has them.
	env --default-signal=INT,TERM,HUP "$@" >>"$TMP/out" 2>>"$TMP/err" &
	PID=$!
	set +m
	# A signal that comes before the exec lands in the forked shell's own
	# handler and is lost: wait (up to 10 s on a busy machine) until the
	# child is the command, then give it 0.3 s to block on its input.
	for i in $(seq 100); do
		[ "$(cat "/proc/$PID/comm" 2>/dev/null)" = "$(basename "$1" | cut -c1-15)" ] && break
		sleep 0.1
	done
	sleep 0.3
	kill -s "$sig" "$PID" 2>/dev/null || true
	for i in $(seq 10); do
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$PID" 2>/dev/null; then
		echo "still running 1 s after SIG$sig: $*"
		return 1
	fi
	status=0
	wait "$PID" || status=$?
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
	# Nothing of ours is left behind: no tracefs instance of that pid.
	[ ! -e "$TRACING/instances/timerdiag-$PID" ]
	PID=
}

# Keep the FIFO open for writing, silently, once a reader has opened it.
hold_writer() {
	sleep 600 >"$TMP/fifo" &
	HOLD=$!
}

# The signal's number.
signo() {
	kill -l "$1"
}

@test "timerstat --timer-stats FIFO with no writer: each signal ends it, 128+N" {
	local before sig
	before=$(tracefs_state)
	for sig in INT TERM HUP; do
		signal_run $sig timerstat --timer-stats "$TMP/fifo"
		[ "$status" -eq $((128 + $(signo $sig))) ] || { echo "SIG$sig: status $status"; false; }
		[ -z "$out" ]
	done
	[ "$(tracefs_state)" = "$before" ]
}

@test "timerstat --timer-stats FIFO whose writer stays silent: each signal ends it" {
	local sig
	for sig in INT TERM HUP; do
		hold_writer
		signal_run $sig timerstat --timer-stats "$TMP/fifo" --format=timer_stats
		[ "$status" -eq $((128 + $(signo $sig))) ] || { echo "SIG$sig: status $status"; false; }
		[ -z "$out" ]
		kill "$HOLD"
		wait "$HOLD" 2>/dev/null || true
		HOLD=
	done
}

@test "timerstat --timer-stats reads a pipe to its end" {
	run timerstat --timer-stats <(cat "$TD_SRCDIR/tests/fixtures/timer_stats/v0.3-short-period.txt") -J
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.samples[0].backend == "timer_stats" and (.samples[0].sources | length) > 0' >/dev/null
}

@test "timerinfo --timer-list FIFO: each signal ends it, 128+N" {
	local sig
	for sig in INT TERM HUP; do
		signal_run $sig timerinfo --timer-list "$TMP/fifo"
		[ "$status" -eq $((128 + $(signo $sig))) ] || { echo "SIG$sig: status $status"; false; }
	done
}

@test "timerstat --sysroot with a FIFO as proc/timer_stats: refused at once, exit 1" {
	local sig
	mkdir -p "$TMP/root/proc"
	mkfifo "$TMP/root/proc/timer_stats"
	for sig in INT TERM HUP; do
		signal_run $sig timerstat --sysroot "$TMP/root"
		[ "$status" -eq 1 ]
		[ "$err" = "timerstat: $TMP/root/proc/timer_stats: not a regular file (a FIFO)" ]
		[ -z "$out" ]
	done
}

@test "wakeuptop -b --sysroot with a FIFO as proc/interrupts: refused at once, exit 1" {
	local sig before
	before=$(tracefs_state)
	mkdir -p "$TMP/root/proc"
	mkfifo "$TMP/root/proc/interrupts"
	for sig in INT TERM HUP; do
		signal_run $sig wakeuptop -b --sysroot "$TMP/root"
		[ "$status" -eq 1 ]
		[ "$err" = "wakeuptop: $TMP/root/proc/interrupts: not a regular file (a FIFO)" ]
		[ -z "$out" ]
	done
	[ "$(tracefs_state)" = "$before" ]
}

@test "wakeuptop -b --sysroot: FIFOs as timer_list and config.gz are facts unknown, not a hang" {
	local sig
	mkdir -p "$TMP/root/proc" "$TMP/root/boot"
	printf '%s\n' '           CPU0       ' '  0:         10   IO-APIC   2-edge      timer' \
		'LOC:        100   Local timer interrupts' >"$TMP/root/proc/interrupts"
	mkfifo "$TMP/root/proc/timer_list" "$TMP/root/proc/config.gz"
	for sig in INT TERM HUP; do
		signal_run $sig wakeuptop -b --sysroot "$TMP/root" -J
		[ "$status" -eq 0 ] || { echo "SIG$sig: status $status: $err"; false; }
		echo "$out" | jq -e '.backend == "interrupts"' >/dev/null
	done
}

@test "timerinfo --sysroot with a FIFO as proc/timer_list: refused at once" {
	mkdir -p "$TMP/root/proc"
	mkfifo "$TMP/root/proc/timer_list"
	signal_run INT timerinfo --sysroot "$TMP/root" -J
	[ "$status" -eq 0 ]
	echo "$out" | jq -e '.unknown | tostring | test("not a regular file")' >/dev/null
}

@test "wakeuptop's screen with a FIFO in the captured tree: one line, terminal as it was" {
	command -v tmux >/dev/null || skip "no tmux"
	local i
	mkdir -p "$TMP/root/proc"
	mkfifo "$TMP/root/proc/interrupts"
	tmux -L "$SOCK" -f /dev/null new-session -d -s fifo -x 100 -y 30 \
		"TERM=xterm-256color; export TERM; stty -a >'$TMP/stty.before'; \
		wakeuptop --sysroot '$TMP/root'; echo \"EXIT=\$?\"; stty -a >'$TMP/stty.after'; \
		exec sleep 600"
	for i in $(seq 30); do
		tmux -L "$SOCK" capture-pane -p -t fifo | grep -q 'EXIT=' && break
		sleep 0.1
	done
	tmux -L "$SOCK" capture-pane -p -t fifo >"$TMP/pane"
	grep -qF 'EXIT=1' "$TMP/pane"
	grep -qF "wakeuptop: $TMP/root/proc/interrupts: not a regular file (a FIFO)" "$TMP/pane"
	[ "$(tmux -L "$SOCK" display-message -p -t fifo '#{alternate_on}')" = 0 ]
	for i in $(seq 10); do [ -s "$TMP/stty.after" ] && break; sleep 0.1; done
	diff "$TMP/stty.before" "$TMP/stty.after"
}
