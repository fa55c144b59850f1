#!/usr/bin/env bats
# tools/td-capture: its truth.json is the kernel's own text read again (checked
# on every kmatrix tree against the truth.json written when it was booted), and
# a live capture reads back through timerinfo --sysroot as the kernel said.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	CAPTURE=$TD_SRCDIR/tools/td-capture
}

# Each "timerinfo-jq truth-jq" pair of lines in $2 must give the same JSON on
# timerinfo's output ($1) and on the tree's truth.json ($3); say which differ.
agree() {
	local out=$1 pairs=$2 truth=$3 ours want bad=0
	while IFS=$'\t' read -r ours want; do
		[ -n "$ours" ] || continue
		if [ "$(jq -cS "$ours" <<<"$out")" != "$(jq -cS "$want" "$truth")" ]; then
			echo "timerinfo $ours = $(jq -cS "$ours" <<<"$out"), truth $want = $(jq -cS "$want" "$truth")" >&2
			bad=1
		fi
	done <<<"$pairs"
	return $bad
}

@test "--truth: every kmatrix tree's truth.json again, member by member, from its kernel text alone" {
	require_corpus
	local d k n=0 traces=0 got want
	while read -r d; do
		n=$((n + 1))
		run --separate-stderr sh "$CAPTURE" --truth "$d"
		[ "$status" -eq 0 ] || { echo "$d: exit $status: $stderr" >&2; return 1; }
		# name and arch are the capture's meta.txt, not the kernel's text.
		for k in $(jq -r 'keys[] | select(. != "name" and . != "arch")' "$d/truth.json"); do
			want=$(jq -cS ".$k" "$d/truth.json")
			got=$(jq -cS ".$k" <<<"$output")
			[ "$got" = "$want" ] || { echo "${d##*/} $k: got $got, want $want" >&2; return 1; }
		done
		jq -e 'has("tick_stop")' "$d/truth.json" >/dev/null && traces=$((traces + 1))
	done < <(kmatrix_captures)
	[ "$n" -ge 10 ] && [ "$traces" -ge 3 ]
}

@test "live capture: the corpus layout, and timerinfo --sysroot on it agrees with its truth.json" {
	require_root
	local cap=$BATS_TEST_TMPDIR/cap f
	run --separate-stderr sh "$CAPTURE" -a 1 -n live "$cap"
	[ "$status" -eq 0 ] || { echo "$stderr" >&2; return 1; }
	for f in proc/timer_list proc/interrupts proc/softirqs proc/stat proc/cpuinfo proc/version \
	    proc/cmdline after/proc/timer_list after/proc/interrupts after/proc/softirqs \
	    sys/devices/system/clocksource/clocksource0/current_clocksource \
	    sys/devices/system/cpu/online meta.txt truth.json; do
		[ -s "$cap/$f" ] || { echo "$f missing" >&2; return 1; }
	done
	grep -qx 'name: live' "$cap/meta.txt"
	# The truth is the kernel's, not a copy of our tools' opinion: the live files.
	[ "$(jq -r .clocksource "$cap/truth.json")" = \
	    "$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" ]
	[ "$(jq -r .release "$cap/truth.json")" = "$(uname -r)" ]
	[ "$(jq .cpus "$cap/truth.json")" -eq "$(grep -c '^cpu: ' /proc/timer_list)" ]
	[ "$(jq -r '.tick_mode_per_cpu | length' "$cap/truth.json")" -eq "$(jq .cpus "$cap/truth.json")" ]
	[ "$(jq -r .hz "$cap/truth.json")" != null ]
	run timerinfo --sysroot "$cap" -J
	[ "$status" -eq 0 ]
	agree "$output" '
		[.per_cpu[] | {(.cpu | tostring): .tick_mode}] | add	.tick_mode_per_cpu
		.verdict.tick_mode	.tick_mode
		.clocksource.current	.clocksource
		.hz.value	.hz
		.hz.inferred_jiffies	.hz_inferred
		.timer_list.format_version	.timer_list_version
		.per_cpu | length	.cpus' "$cap/truth.json"
}

@test "live capture with -t: a wakeup trace timerstat reads, its formats, no instance left" {
	require_root
	grep -qw tracefs /proc/filesystems || skip "no tracefs in this kernel"
	local cap=$BATS_TEST_TMPDIR/cap was
	# td-capture mounts tracefs when it is not, and leaves it as it found it.
	was=$(mountpoint -q /sys/kernel/tracing && echo mounted || echo unmounted)
	run --separate-stderr sh "$CAPTURE" -t 1 -a 0 "$cap"
	[ "$(mountpoint -q /sys/kernel/tracing && echo mounted || echo unmounted)" = "$was" ]
	[ "$status" -eq 0 ] || { echo "$stderr" >&2; return 1; }
	grep -q 'hrtimer_expire_entry:' "$cap/trace-wakeup-events.txt"
	jq -e '.trace_wakeup_seconds > 0 and (.trace_overrun | type) == "number" and
	    (.idle_exits_per_cpu | length) == .cpus' "$cap/truth.json"
	[ -s "$cap/sys/kernel/tracing/events/timer/hrtimer_expire_entry/format" ]
	ls "$cap"/sys/kernel/tracing/per_cpu/cpu0/stats
	[ -z "$(ls -d /sys/kernel/tracing/instances/td-capture-* 2>/dev/null)" ]
	run timerstat --trace "$cap/trace-wakeup-events.txt" -J
	[ "$status" -eq 0 ]
	[ "$(jq '.samples | length' <<<"$output")" -ge 1 ]
}

@test "interrupted during -t: the instance is removed, exit 1" {
	require_root
	grep -qw tracefs /proc/filesystems || skip "no tracefs in this kernel"
	local cap=$BATS_TEST_TMPDIR/cap pid i rc=0
	sh "$CAPTURE" -t 30 "$cap" 2>/dev/null &
	pid=$!
	for i in $(seq 50); do
		[ -d /sys/kernel/tracing/instances/td-capture-$pid ] && break
		sleep 0.1
	done
	[ -d /sys/kernel/tracing/instances/td-capture-$pid ]
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	[ "$rc" -eq 1 ]
	[ ! -d /sys/kernel/tracing/instances/td-capture-$pid ]
}

@test "usage: bad arguments exit 2, a non-empty directory exits 1" {
	run sh "$CAPTURE"
	[ "$status" -eq 2 ]
	run sh "$CAPTURE" -t soon "$BATS_TEST_TMPDIR/x"
	[ "$status" -eq 2 ]
	touch "$BATS_TEST_TMPDIR/file"
	run sh "$CAPTURE" "$BATS_TEST_TMPDIR"
	[ "$status" -eq 1 ]
	[[ $output == *"not empty"* ]]
	run sh "$CAPTURE" --truth "$BATS_TEST_TMPDIR"
	[ "$status" -eq 1 ]
	[[ $output == *"proc/timer_list"* ]]
}
