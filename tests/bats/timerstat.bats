#!/usr/bin/env bats
# timerstat as a user runs it: saved timer_stats files, captured trees, the live
# kernel as root (tracefs, asked for: auto picks bpf where it runs), and an
# unprivileged user (interrupts).

load helpers

TRACING=/sys/kernel/tracing
FIX="$TD_SRCDIR/tests/fixtures/timer_stats"

setup() {
	TMP=$(mktemp -d)
}

teardown() {
	[ -n "${LOAD_PID:-}" ] && kill "$LOAD_PID" 2>/dev/null
	[ -n "${TS_PID:-}" ] && kill -9 "$TS_PID" 2>/dev/null
	rm -rf "$TMP"
	true
}

# Sum of the counts of a timer_stats text, counted by awk.
file_sum() {
	awk '{ sub(/^ +/, "") } /^[0-9]+D?,/ { sub(/D?,.*/, ""); s += $0 } END { print s + 0 }' "$1"
}

# Whether the instance of pid exists (tracefs mounted for the look if needed).
instance_exists() {
	local mounted=0 r=1
	mountpoint -q $TRACING || { mount -t tracefs nodev $TRACING && mounted=1; }
	[ -d "$TRACING/instances/timerdiag-$1" ] && r=0
	[ $mounted = 1 ] && umount $TRACING
	return $r
}

# Wait until timerstat (pid) has created its instance, up to 10 s.
wait_instance() {
	local i
	for i in $(seq 100); do
		[ -d "$TRACING/instances/timerdiag-$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# Start the 1 kHz timerfd helper (rate, extra options); LOAD_PID is its pid.
start_load() {
	"$TD_BUILDDIR/tests/helpers/timerfd_load" -r "${1:-1000}" ${2:-} >"$TMP/load.out" &
	LOAD_PID=$!
	sleep 0.3
}

@test "--help lists the options and exits 0" {
	run timerstat --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--duration"* ]]
	[[ "$output" == *"--timer-stats"* ]]
}

@test "--version names the package" {
	run timerstat --version
	[ "$status" -eq 0 ]
	[[ "$output" == "timerstat (timerdiag) "* ]]
}

@test "bad arguments exit 2 with one line and a hint" {
	for args in "--bogus" "-d abc" "-d 0" "--top 0" "--source foo" "--format xml" \
	    "-o count,nope" "-s nope" "--cpu x" "--pid -5" "extra" "-n -1" \
	    "--timer-stats $FIX/v0.2-overflow.txt --source tracefs"; do
		run timerstat $args
		[ "$status" -eq 2 ] || { echo "args: $args -> $status"; false; }
		[[ "${lines[0]}" == timerstat:* ]] || { echo "args: $args: ${lines[0]}"; false; }
		[[ "$output" == *"Try 'timerstat --help'"* ]]
	done
}

@test "a bad timer_stats file: exit 1 naming file and line" {
	run timerstat --timer-stats "$FIX/bad-entry.txt"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad-entry.txt:3:"* ]]
	run timerstat --timer-stats "$TMP/missing"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$TMP/missing"* ]]
}

@test "every public timer_stats sample: JSON counts add up to the file's" {
	require_corpus
	for f in "$TD_CORPUS"/public/timer_stats/* "$FIX"/v0.*.txt; do
		timerstat --timer-stats "$f" -J >"$TMP/out.json"
		jq -e '.tool == "timerstat" and .version == 2 and .samples[0].backend == "timer_stats"' "$TMP/out.json" >/dev/null
		got=$(jq '[.samples[0].sources[].count] | add // 0' "$TMP/out.json")
		want=$(file_sum "$f")
		[ "$got" -eq "$want" ] || { echo "$f: $got != $want"; false; }
		# Each source has the members the issue asks for.
		jq -e '.samples[0].sources | all(has("kind") and has("function") and has("pid")
		    and has("comm") and has("count") and has("expiries"))' "$TMP/out.json" >/dev/null
	done
}

@test "the text output puts the verdict first and marks unknowns with -" {
	run timerstat --timer-stats "$FIX/v0.2-overflow.txt"
	[ "$status" -eq 0 ]
	# timer_stats counts expiries, not idle exits: the verdict says which.
	[[ "${lines[0]}" == "Busiest event source (wakeups unknown): hrtimer tick_sched_timer, armed by swapper (pid 0)"* ]]
	[[ "${lines[1]}" == "Wakeups unknown"* ]]
	[[ "$output" == *"Overflow"* || "$output" == *"overflowed: 114022"* ]]
	# timer_stats knows no cancels: the column says -, not 0.
	run timerstat --timer-stats "$FIX/v0.2-overflow.txt" -o count,cancels -H --raw
	[ "${lines[0]}" = "1589424 -" ]
}

@test "D marks, sorting and --top" {
	timerstat --timer-stats "$FIX/v0.2-overflow.txt" -J -s comm --top 3 >"$TMP/o.json"
	[ "$(jq '.samples[0].sources | length' "$TMP/o.json")" -eq 3 ]
	[ "$(jq -r '.samples[0].sources[0].comm' "$TMP/o.json")" = "IRQ 218" ]
	timerstat --timer-stats "$FIX/v0.2-overflow.txt" -J >"$TMP/o.json"
	[ "$(jq '[.samples[0].sources[] | select(.deferrable)] | length' "$TMP/o.json")" -eq 4 ]
	[ "$(jq '.samples[0].lost_events' "$TMP/o.json")" -eq 114022 ]
}

@test "--format=timer_stats output is read back by our own parser" {
	require_corpus
	for f in "$TD_CORPUS"/public/timer_stats/* "$FIX/v0.2-overflow.txt"; do
		timerstat --timer-stats "$f" --format=timer_stats >"$TMP/ts.txt"
		# The version line the file had, and none where it had none.
		[ "$(grep -m1 '^Timer Stats Version:' "$f" || true)" = \
		    "$(grep -m1 '^Timer Stats Version:' "$TMP/ts.txt" || true)" ]
		timerstat --timer-stats "$TMP/ts.txt" -J >"$TMP/back.json"
		timerstat --timer-stats "$f" -J >"$TMP/orig.json"
		a=$(jq -c '[.samples[0].sources[] | [.function, .site, .pid, .comm, .count]] | sort' "$TMP/orig.json")
		b=$(jq -c '[.samples[0].sources[] | [.function, .site, .pid, .comm, .count]] | sort' "$TMP/back.json")
		[ "$a" = "$b" ] || { echo "$f"; echo "$a"; echo "$b"; false; }
	done
}

@test "--sysroot with a proc/timer_stats picks the timer_stats backend" {
	timerstat --sysroot "$FIX/sysroot" -J >"$TMP/o.json"
	[ "$(jq -r '.samples[0].backend' "$TMP/o.json")" = timer_stats ]
	[ "$(jq '.samples[0].period_ns' "$TMP/o.json")" -eq 8024000000 ]
	[ "$(jq '[.samples[0].sources[].count] | add' "$TMP/o.json")" -eq "$(file_sum "$FIX/sysroot/proc/timer_stats")" ]
}

@test "captured trees: the interrupts backend counts the LOC delta the files show" {
	require_corpus
	n=0
	for d in $(kmatrix_captures); do
		[ -f "$d/after/proc/interrupts" ] || continue
		# A tree with a wakeup trace is read through it (traces.bats); its deltas here.
		src=
		[ -f "$d/trace-wakeup-events.txt" ] && src="--source interrupts"
		timerstat --sysroot "$d" $src -J >"$TMP/o.json"
		jq -e --arg src "$src" '.samples[0].backend == "interrupts" and .samples[0].lost_events == null
		    and ($src != "" or (.samples[0].backend_note | startswith("interrupts:")))' "$TMP/o.json" >/dev/null
		grep -q '^ *LOC:' "$d/proc/interrupts" || continue
		want=$(awk '$1 == "LOC:" { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i } END { print s }' "$d/after/proc/interrupts")
		base=$(awk '$1 == "LOC:" { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i } END { print s }' "$d/proc/interrupts")
		got=$(jq '[.samples[0].sources[] | select(.kind == "vector" and .function == "LOC") | .count] | add // 0' "$TMP/o.json")
		[ "$got" -eq $((want - base)) ] || { echo "$d: $got != $((want - base))"; false; }
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}

@test "live, root: about 1000 expiries/s attributed to the timerfd helper and its callback" {
	require_root
	start_load 1000
	# Per thread: the helper's own row, whatever else runs under its name.
	timerstat --source tracefs -d 3 -J -g thread >"$TMP/o.json"
	jq -e '.samples[0].backend == "tracefs"' "$TMP/o.json" >/dev/null
	src=$(jq -c --argjson p "$LOAD_PID" '[.samples[0].sources[] | select(.pid == $p and .function == "timerfd_tmrproc")] | .[0]' "$TMP/o.json")
	echo "$src"
	[ "$src" != null ]
	[ "$(echo "$src" | jq -r .comm)" = timerfd_load ]
	[ "$(echo "$src" | jq -r .kind)" = hrtimer ]
	# Tolerance: 1000/s nominal.  The kernel skips an expiry whenever the helper
	# reads late (the timerfd re-arms on read), so accept 750 to 1050 per second.
	rate=$(echo "$src" | jq '.events_per_s')
	jq -n --argjson r "$rate" '$r >= 750 and $r <= 1050' | grep -q true
	# Every expiry was armed: arms and expiries agree within the interval edges.
	jq -n --argjson s "$src" '($s.arms - $s.expiries) | fabs <= 2' | grep -q true
	# Lost events are counted, and there were none at this rate.
	[ "$(jq '.samples[0].lost_events' "$TMP/o.json")" -eq 0 ]
	[ "$(jq '.samples[0].processed_events' "$TMP/o.json")" -gt 0 ]
}

@test "live, root: timeouts armed and cancelled without firing show apart" {
	require_root
	start_load 500 -p
	timerstat --source tracefs -d 2 -J --pid "$LOAD_PID" >"$TMP/o.json"
	src=$(jq -c '[.samples[0].sources[] | select(.function == "hrtimer_wakeup")] | .[0]' "$TMP/o.json")
	echo "$src"
	# poll()'s 100 ms timeout is armed each period (500/s) and cancelled when
	# the timerfd fires first: many arms, as many cancels (within 2 %: the
	# interval edges), no expiry.
	jq -n --argjson s "$src" '$s.arms >= 500 and $s.expiries == 0 and
	    $s.cancels >= $s.arms * 0.98 - 2 and $s.cancels <= $s.arms and $s.count == 0' |
	    grep -q true
	# The timerfd itself fires: expiries, no cancels.
	jq -e '[.samples[0].sources[] | select(.function == "timerfd_tmrproc")][0] |
	    .expiries >= 500 and .cancels == 0' "$TMP/o.json" >/dev/null
}

@test "live, root: events the ring buffer dropped are counted as lost, not hidden" {
	require_root
	start_load 2000
	timerstat --source tracefs -d 3 --buffer-size 64 -J >"$TMP/o.json" &
	TS_PID=$!
	wait_instance $TS_PID
	for i in $(seq 1000); do
		[ "$(cat "$TRACING/instances/timerdiag-$TS_PID/tracing_on" 2>/dev/null)" = 1 ] && break
		sleep 0.01
	done
	sleep 0.2
	# Stop the reader for a second: a 64 KiB buffer per CPU overflows.
	kill -STOP $TS_PID
	sleep 1
	kill -CONT $TS_PID
	wait $TS_PID
	TS_PID=
	cat "$TMP/o.json" | jq -c '.samples[0] | {processed_events, lost_events}'
	[ "$(jq '.samples[0].lost_events' "$TMP/o.json")" -gt 0 ]
}

@test "live, root: --pid keeps only that task's timers; --cpu only those CPUs" {
	require_root
	start_load 1000
	timerstat --source tracefs -d 1 -J -g thread --pid "$LOAD_PID" >"$TMP/o.json"
	cat "$TMP/o.json"
	jq -e --argjson p "$LOAD_PID" '.samples[0].sources | length > 0 and all(.pid == $p)' "$TMP/o.json" >/dev/null
	timerstat --source tracefs -d 1 -J --cpu 0 >"$TMP/c.json"
	jq -e '[.samples[0].sources[] | .count_per_cpu // {} | keys[]] | unique == ["0"]' "$TMP/c.json" >/dev/null
}

@test "live, root: --format=timer_stats of a live sample reads back" {
	require_root
	start_load 200
	timerstat --source tracefs -d 1 -g thread --format=timer_stats >"$TMP/ts.txt"
	run timerstat --timer-stats "$TMP/ts.txt" -J -g thread
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --argjson p "$LOAD_PID" '[.samples[0].sources[] | select(.pid == $p and .function == "timerfd_tmrproc")] | length == 1' >/dev/null
}

@test "live, root: no instance remains after a normal exit" {
	require_root
	timerstat --source tracefs -d 0.5 -n 2 >"$TMP/out" &
	pid=$!
	wait $pid
	grep -q '^Sample 2' "$TMP/out"
	! instance_exists $pid
}

@test "live, root: Ctrl-C ends the sample early, prints it, removes the instance" {
	require_root
	timerstat --source tracefs -d 60 -J >"$TMP/o.json" &
	TS_PID=$!
	wait_instance $TS_PID
	sleep 0.5
	kill -INT $TS_PID
	st=0
	wait $TS_PID || st=$?
	[ "$st" -eq 0 ]
	jq -e '.samples[0].interrupted == true and .samples[0].period_ns < 30000000000' "$TMP/o.json" >/dev/null
	! instance_exists $TS_PID
	TS_PID=
}

@test "live, root: SIGTERM and SIGHUP clean up (exit 128+N)" {
	require_root
	for sig in TERM HUP; do
		timerstat --source tracefs -d 60 >"$TMP/out" &
		TS_PID=$!
		wait_instance $TS_PID
		kill -$sig $TS_PID
		st=0
		wait $TS_PID || st=$?
		[ "$st" -eq $((128 + $(kill -l $sig))) ]
		! instance_exists $TS_PID
	done
	TS_PID=
}

@test "live, root: a SIGKILLed run's instance is removed by the next run" {
	require_root
	was_mounted=0
	mountpoint -q $TRACING && was_mounted=1
	timerstat --source tracefs -d 60 >"$TMP/out" &
	pid=$!
	wait_instance $pid
	kill -KILL $pid
	wait $pid || true
	[ -d "$TRACING/instances/timerdiag-$pid" ]
	timerstat --source tracefs -d 0.2 >/dev/null
	! instance_exists $pid
	# The next run also took over unmounting what the killed one mounted.
	if [ $was_mounted = 0 ]; then
		! mountpoint -q $TRACING
	fi
}

@test "live, root: an instance left with our own pid (pid reuse) is not adopted: its old events are not counted" {
	require_root
	local mounted=0 dead
	mountpoint -q $TRACING || { mount -t tracefs nodev $TRACING && mounted=1; }
	# A shell whose pid the next timerstat will have (exec keeps it) leaves an
	# instance of that name holding events of a process that has exited.
	bash -c '
		inst='"$TRACING"'/instances/timerdiag-$$
		mkdir "$inst" || exit 1
		echo 1 > "$inst/events/timer/hrtimer_start/enable"
		echo 1 > "$inst/events/timer/hrtimer_expire_entry/enable"
		"'"$TD_BUILDDIR"'/tests/helpers/timerfd_load" -r 1000 -d 0.5 > "'"$TMP"'/dead.out"
		echo 0 > "$inst/tracing_on"
		exec timerstat --source tracefs -d 0.3 -J -g thread > "'"$TMP"'/o.json"
	'
	dead=$(head -1 "$TMP/dead.out")
	[ -n "$dead" ]
	! kill -0 "$dead" 2>/dev/null
	# The exited helper's 500 expiries were in the old buffer: none may show.
	[ "$(jq --argjson p "$dead" '[.samples[0].sources[] | select(.pid == $p)] | length' "$TMP/o.json")" -eq 0 ]
	[ "$mounted" = 0 ] || umount $TRACING 2>/dev/null || true
}

@test "live, root: tracefs is unmounted afterwards if it was not mounted before" {
	require_root
	mountpoint -q $TRACING && skip "tracefs is mounted (by someone else) already"
	timerstat --source tracefs -d 0.2 >/dev/null
	! mountpoint -q $TRACING
	timerstat -d 0.2 --source interrupts >/dev/null
	! mountpoint -q $TRACING
}

# Two runs: the first mounts tracefs and ends while the second still uses
# it, and its pid is not gone yet when the second ends (a zombie its parent
# has not reaped answers kill -0).  The duty to unmount passes at once, not
# at the first one's exit: the second unmounts.
@test "live, root: tracefs mounted by a run that ended first (not reaped yet) is unmounted by the last" {
	require_root
	mountpoint -q $TRACING && skip "tracefs is mounted (by someone else) already"
	run python3 -c '
import subprocess, sys, time
ts = sys.argv[1]
first = subprocess.Popen([ts, "--source", "tracefs", "-d", "1", "-n", "1"], stdout=subprocess.DEVNULL)
time.sleep(0.4)
last = subprocess.Popen([ts, "--source", "tracefs", "-d", "2", "-n", "1"], stdout=subprocess.DEVNULL)
last.wait()
print("first", "running" if first.poll() is None else "ended", "last", last.returncode)
first.wait()
print("first", first.returncode)
' "$(command -v timerstat)"
	mounted=0
	mountpoint -q $TRACING && mounted=1 && umount $TRACING
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "first running last 0" ] || [ "${lines[0]}" = "first ended last 0" ]
	[ "${lines[1]}" = "first 0" ]
	[ "$mounted" = 0 ]
}

@test "live, root: a mounted tracefs stays mounted" {
	require_root
	mountpoint -q $TRACING && skip "tracefs is mounted (by someone else) already"
	mount -t tracefs nodev $TRACING
	run timerstat --source tracefs -d 0.2
	mounted=0
	mountpoint -q $TRACING && mounted=1
	umount $TRACING
	[ "$status" -eq 0 ]
	[ $mounted = 1 ]
}

@test "unprivileged: the interrupts backend with its note, exit 0" {
	require_user_access
	run as_user timerstat -d 0.5 -J
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.samples[0].backend == "interrupts" and
	    (.samples[0].backend_note | test("needs root"))
	    and .samples[0].lost_events == null
	    and ([.samples[0].sources[] | select(.kind == "vector" and .function == "LOC")] | length == 1)' >/dev/null
	run as_user timerstat -d 0.5
	[ "$status" -eq 0 ]
	[[ "$output" == *"Note: interrupts: "*"/sys/kernel/tracing needs root"* ]]
	[[ "$output" == *"lost events unknown"* ]]
	run as_user timerstat -d 0.2 --source tracefs
	[ "$status" -eq 1 ]
	[[ "$output" == *"needs root"* ]]
}
