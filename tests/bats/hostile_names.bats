#!/usr/bin/env bats
# Names from outside never reach a terminal raw: a process named with terminal
# escapes (live, as root), and captures, timer_lists, timer_stats files and
# kernel logs with escapes and invalid UTF-8 planted in every name
# (tests/fixtures/hostile, made by make.py there from real captures).  Every
# output must be valid UTF-8 without a control byte, the names shown as \xNN.

load helpers

HOST="$TD_SRCDIR/tests/fixtures/hostile"
ROOT="$HOST/sysroot"
# What the fixtures plant, as the tools print it.
OSC='\x1b]0;OWNED\x07'
CLR='\x1b[2J'
BAD='\xff\xc3'

setup() {
	load_setup
}

teardown() {
	load_teardown
}

# The file holds valid UTF-8 and no control byte but newline (and tab: the
# tools never print one, but it moves no cursor).
clean() {
	if ! iconv -f UTF-8 -t UTF-8 "$1" >/dev/null; then
		echo "$1: not valid UTF-8"
		return 1
	fi
	if LC_ALL=C grep -naP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$1" | cat -v | head -5 |
	    grep .; then
		echo "$1: a control byte reaches the output"
		return 1
	fi
}

# The file holds the fixed string.
has() {
	grep -qF -- "$2" "$1" || { echo "$1 lacks: $2"; cat "$1" | cat -v | head -40; false; }
}

# Run a tool, its stdout to $TMP/out and stderr to $TMP/err, both clean; $status set.
tool() {
	status=0
	"$@" >"$TMP/out" 2>"$TMP/err" || status=$?
	clean "$TMP/out"
	clean "$TMP/err"
}

@test "timerinfo's report: clock source, devices and release from the tree are escaped" {
	tool timerinfo --sysroot "$ROOT"
	[ "$status" -eq 0 ]
	has "$TMP/out" "Clocksource   tsc$OSC$BAD (available: tsc$OSC$BAD kvm${CLR}\\xc2\\x9bclock)"
	has "$TMP/out" "Clock events  lapic$CLR$BAD per CPU"
	has "$TMP/out" "Kernel        6.18.44-fc$OSC$BAD"
	has "$TMP/out" "hrtimer$OSC$BAD"
}

@test "timerinfo -t -c: timer functions and handlers escaped" {
	tool timerinfo --sysroot "$ROOT" -t -c
	[ "$status" -eq 0 ]
	has "$TMP/out" "watchdog${OSC}_fn"
	has "$TMP/out" "dl_task${BAD}_timer"
}

@test "timerinfo -t of an old timer_list: the arming task's comm escaped" {
	tool timerinfo --timer-list "$HOST/timer_list-comm.txt" -t
	[ "$status" -eq 0 ]
	has "$TMP/out" "gmain$OSC$CLR/2195"
	has "$TMP/out" "chr${BAD}ome/3286"
	has "$TMP/out" "schedule${OSC}_clock"
}

@test "timerinfo --check: evidence quoting a kernel log line is escaped" {
	tool timerinfo --sysroot "$ROOT" --check
	[ "$status" -eq 3 ]
	has "$TMP/out" "switched to kvm$OSC$BAD"
	has "$TMP/out" "evidence: $ROOT/dmesg:263: tsc: Marking TSC unstable due to clocksource watchdog $OSC$CLR$BAD"
}

@test "timerinfo --events and --ticks: log lines and interrupt names escaped" {
	tool timerinfo --sysroot "$ROOT" --events --ticks
	[ "$status" -eq 0 ]
	has "$TMP/out" "Switched to clocksource kvm$OSC$BAD"
	has "$TMP/out" "LOC (Local timer$CLR interrupts)"
}

@test "timerinfo -J: valid JSON, control bytes as \\u escapes, bad bytes as U+FFFD" {
	tool timerinfo --sysroot "$ROOT" -J --check --events --ticks
	[ "$status" -eq 3 ]
	jq -e . "$TMP/out" >/dev/null
	has "$TMP/out" '"tsc\u001b]0;OWNED\u0007\ufffd\ufffd"'
	has "$TMP/out" '"kvm\u001b[2J\u009bclock"'
}

@test "timerinfo --format=prometheus: label values valid UTF-8, escapes as text" {
	tool timerinfo --sysroot "$ROOT" --format=prometheus --check
	[ "$status" -eq 3 ]
	has "$TMP/out" 'timerdiag_cpu_clockevent_device_info{cpu="0",device="lapic\\x1b[2J\\xff\\xc3"} 1'
	# Every sample line is NAME{labels} VALUE or NAME VALUE.
	! grep -v '^#' "$TMP/out" | grep -vE '^[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? [-0-9.e+]+$'
}

@test "timerstat on a saved timer_stats: verdict line, table, raw and JSON escaped" {
	tool timerstat --timer-stats "$HOST/timer_stats-comm.txt"
	[ "$status" -eq 0 ]
	[[ "$(head -1 "$TMP/out")" == "Busiest event source (wakeups unknown): hrtimer tick_sched$OSC$BAD, armed by swapper/3 (pid 0)"* ]]
	has "$TMP/out" '\x1b]0;OWN\x07\x1b[2J'
	has "$TMP/out" "rcu_gp$BAD"
	has "$TMP/out" "process$CLR"
	tool timerstat --timer-stats "$HOST/timer_stats-comm.txt" --raw
	[ "$status" -eq 0 ]
	has "$TMP/out" "mod_delayed$OSC"
	tool timerstat --timer-stats "$HOST/timer_stats-comm.txt" -J
	[ "$status" -eq 0 ]
	jq -e '[.samples[0].sources[] | select(.comm == "\u001b]0;OWN\u0007\u001b[2J")] | length == 1' \
	    "$TMP/out" >/dev/null
}

@test "timerstat --format=timer_stats: names escaped, and the file reads back" {
	tool timerstat --timer-stats "$HOST/timer_stats-comm.txt" --format=timer_stats
	[ "$status" -eq 0 ]
	has "$TMP/out" "1694 \\x1b]0;OWN\\x07\\x1b[2J mod_delayed_work_on (delayed_work_timer_fn)"
	has "$TMP/out" "rcu_gp$BAD (process$CLR)"
	cp "$TMP/out" "$TMP/ts.txt"
	tool timerstat --timer-stats "$TMP/ts.txt"
	[ "$status" -eq 0 ]
}

@test "an error quoting a bad line of a file is escaped" {
	printf 'Timer Stats Version: v0.3\n\033]0;OWNED\007 garbage \377\n' >"$TMP/bad.txt"
	tool timerstat --timer-stats "$TMP/bad.txt"
	[ "$status" -eq 1 ]
	has "$TMP/err" "bad.txt:2:"
	has "$TMP/err" "$OSC garbage \\xff"
}

@test "wakeuptop -b on a tree with a hostile timer_stats: rows and header escaped" {
	mkdir -p "$TMP/root/proc"
	cp "$HOST/timer_stats-comm.txt" "$TMP/root/proc/timer_stats"
	tool wakeuptop --sysroot "$TMP/root" -b -n 1
	[ "$status" -eq 0 ]
	has "$TMP/out" '\x1b]0;OWN\x07\x1b[2J'
	has "$TMP/out" "tick_sched$OSC$BAD"
	tool wakeuptop --sysroot "$TMP/root" -b -n 1 -J
	[ "$status" -eq 0 ]
	jq -e . "$TMP/out" >/dev/null
	tool wakeuptop --sysroot "$ROOT" -b -n 1
	[ "$status" -eq 0 ]
	has "$TMP/out" "Clocksource: tsc$OSC$BAD"
	tool timerstat --sysroot "$ROOT"
	[ "$status" -eq 0 ]
}

# Start the helper that names itself with escapes and sleeps 1000 times a
# second (start_load); NAME_PID is its pid.  It runs a minute, longer than
# every tool call of a test on a slow machine (a fixed 6 s once ended before
# the last of four one-second samples began), and teardown kills it.
start_hostile() {
	start_load hostile_name -r 1000 -d 60
	NAME_PID=$LOAD_PID
}

@test "live, root: a process named with terminal escapes is shown escaped by timerstat" {
	require_root
	start_hostile
	tool timerstat -d 1 --pid "$NAME_PID"
	[ "$status" -eq 0 ]
	head -1 "$TMP/out" | grep -qF "armed by $OSC$CLR (pid $NAME_PID)" ||
	    { cat -v "$TMP/out"; false; }
	tool timerstat -d 1
	[ "$status" -eq 0 ]
	has "$TMP/out" "$OSC$CLR"
	tool timerstat -d 1 --format=timer_stats
	[ "$status" -eq 0 ]
	has "$TMP/out" " $NAME_PID $OSC$CLR "
	tool timerstat -d 1 -J --pid "$NAME_PID"
	[ "$status" -eq 0 ]
	jq -e '[.samples[0].sources[] | select(.comm == "\u001b]0;OWNED\u0007\u001b[2J")] | length > 0' \
	    "$TMP/out" >/dev/null
}

@test "live, root: wakeuptop -b shows the hostile name escaped" {
	require_root
	start_hostile
	tool wakeuptop -b -n 1 -d 1 -p "$NAME_PID"
	[ "$status" -eq 0 ]
	has "$TMP/out" "$OSC$CLR"
	tool wakeuptop -b -n 1 -d 1
	[ "$status" -eq 0 ]
}

@test "live, root: timerprobe --break names a spinner whose name holds escapes, escaped" {
	require_root
	command -v chrt >/dev/null || skip "no chrt"
	local cpu name probe
	cpu=$(($(nproc) - 1))
	# A task's name is its program's file name: a copy of bash named with an
	# OSC title sequence spins at SCHED_FIFO 2 above the probe (FIFO 1) and
	# stops it past the limit; the cause and the tasks line name it.  It
	# sleeps first, so that it is switched back in under that name (chrt's
	# and taskset's execs keep the name the first switch-in saw).
	name=$'\e]0;OWNED\a'
	cp "$(command -v bash)" "$TMP/$name"
	timerprobe --cpus "$cpu" -i 1ms -D 30 --fifo 1 --break 20ms --quiet \
		>"$TMP/out" 2>"$TMP/err" &
	probe=$!
	sleep 1
	chrt -f 2 taskset -c "$cpu" "$TMP/$name" -c \
		'sleep 0.2; end=$(( ${EPOCHREALTIME/./} + 400000 )); while (( ${EPOCHREALTIME/./} < end )); do :; done'
	wait "$probe" || true
	clean "$TMP/out"
	clean "$TMP/err"
	grep -q '^break: .*past the limit' "$TMP/out" ||
		skip "no wake-up past 20 ms while the spinner ran (the CPU was not its alone?)"
	# clean() above already fails on a raw escape; where the name is shown,
	# it is the escaped form.
	grep -q OWNED "$TMP/out" ||
		skip "the spinner's switch-in was not kept in the window: named by pid only"
	has "$TMP/out" "$OSC"
}
