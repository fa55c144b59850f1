#!/usr/bin/env bats
# timerinfo --explain-tick and --check from verdict to culprit: on the corpus
# captures, on the hrtimer hangs fixture, live as root, and as nobody.

load helpers

K=$TD_CORPUS/kmatrix
F=$TD_SRCDIR/tests/fixtures/sysroots

@test "--check on every capture: exit 0 or 3 as problems say; idle_tick never ok where NOHZ is off" {
	require_corpus
	while read -r d; do
		run timerinfo --sysroot "$d" --check -J
		p=$(jq .problems <<<"$output")
		if [ "$p" -gt 0 ]; then [ "$status" -eq 3 ]; else [ "$status" -eq 0 ]; fi
		if jq -e '.per_cpu[] | select(.nohz_active == false)' <<<"$(timerinfo --sysroot "$d" -J)" >/dev/null; then
			[ "$(jq -r '.checks[] | select(.id == "idle_tick") | .severity' <<<"$output")" = warning ]
		fi
	done < <(kmatrix_captures)
}

@test "--check: idle_tick warns on nohz_off, clocksource_jiffies and highres_off-nohz_off" {
	require_corpus
	for c in nohz_off clocksource_jiffies highres_off-nohz_off; do
		run timerinfo --sysroot "$K/amd64-6.1-generic-$c" --check -J
		[ "$status" -eq 3 ]
		[ "$(jq -r '.checks[] | select(.id == "idle_tick") | .severity' <<<"$output")" = warning ]
	done
}

@test "--check: hrtimer_hangs names both CPUs with counts and max hang; -c prints counts" {
	run timerinfo --sysroot "$F/amd64-6.1-hrtimer-hangs" --check
	[ "$status" -eq 3 ]
	[[ $output == *"hrtimer interrupts hung on CPUs 0-1: CPU 0 7585 (max 3.3 ms), CPU 1 11121 (max 6.1 ms)"* ]]
	run timerinfo --sysroot "$F/amd64-6.1-hrtimer-hangs" -c
	[ "$status" -eq 0 ]
	[[ $output == *"hangs 7585 (max 3.254 ms)"* ]]
	[[ $output == *"hangs 11121 (max 6.128 ms)"* ]]
	[[ $output != *"hangs yes"* ]]
}

@test "--check as nobody: idle_tick and hrtimer_hangs skipped with the reason, exit 0" {
	require_root
	run --separate-stderr as_user "$TD_BUILDDIR/timerinfo" --check -J
	[ "$status" -eq 0 ]
	for id in idle_tick hrtimer_hangs; do
		[ "$(jq -r ".checks[] | select(.id == \"$id\") | .severity" <<<"$output")" = skipped ]
		[[ $(jq -r ".checks[] | select(.id == \"$id\") | .evidence" <<<"$output") == *"needs root"* ]]
	done
}

@test "--format=prometheus: the check state is the value, the check the only label" {
	require_corpus
	run timerinfo --sysroot "$K/amd64-6.1-generic-nohz_off" --format=prometheus
	[ "$status" -eq 0 ]
	[[ $output == *'timerdiag_check_status{check="idle_tick"} 1'* ]]
	[[ $output != *'severity="'* ]]
}

@test "--explain-tick on the nohz_full capture: SCHED counts equal truth.json, tasks named" {
	require_corpus
	d=$K/amd64-6.12-generic-nohz_full_1-trace
	run timerinfo --sysroot "$d" --explain-tick -J
	[ "$status" -eq 0 ]
	[ "$(jq '.explain_tick.per_cpu[1].dependencies.SCHED' <<<"$output")" = "$(truth "$d" '.tick_stop["1"]["0"].SCHED')" ]
	[ "$(jq '.explain_tick.per_cpu[1].tick_stops' <<<"$output")" = "$(truth "$d" '.tick_stop["1"]["1"].NONE')" ]
	[[ $(jq -r '.explain_tick.per_cpu[1].cause' <<<"$output") == *"runnable tasks (SCHED"* ]]
	[ "$(jq '.explain_tick.timer_migration_traced' <<<"$output")" = true ]
}

@test "--check on a nohz_full capture names the culprit from its trace" {
	require_corpus
	run timerinfo --sysroot "$K/amd64-6.12-generic-nohz_full_1-trace" --check -J
	[ "$status" -eq 3 ]
	[[ $(jq -r '.checks[] | select(.id == "nohz_full") | .evidence' <<<"$output") == *"CPU 1 keeps its tick"*"trace-wakeup-events.txt"* ]]
}

@test "--explain-tick on a capture without a trace: the reason, exit 0" {
	require_corpus
	run timerinfo --sysroot "$K/amd64-6.1-generic-default" --explain-tick
	[ "$status" -eq 0 ]
	[[ $output == *"unknown (no wakeup trace in this capture"* ]]
}

@test "--explain-tick: bad durations are usage errors" {
	run timerinfo --explain-tick=0
	[ "$status" -eq 2 ]
	run timerinfo --explain-tick=2m
	[ "$status" -eq 2 ]
}

@test "--explain-tick as nobody: a clear reason, exit 0" {
	require_root
	run as_user "$TD_BUILDDIR/timerinfo" --explain-tick=0.5
	[ "$status" -eq 0 ]
	[[ $output == *"needs root"* ]]
}

@test "--explain-tick live: a sleeper pinned to CPU 1 keeps a timer due within a tick, and is named" {
	require_root
	[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
	"$TD_BUILDDIR/tests/helpers/wakeload" -c 1 -r 1000 -d 6 &
	wl=$!
	sleep 0.3
	run timerinfo --explain-tick=2 -J
	kill "$wl" 2>/dev/null || true
	wait "$wl" 2>/dev/null || true
	[ "$status" -eq 0 ]
	[ "$(jq -r '.explain_tick.per_cpu[1].due_within_tick[] | select(.comm == "wakeload") | .function' <<<"$output" | head -1)" = hrtimer_wakeup ]
	[[ $(jq -r '.explain_tick.per_cpu[1].cause' <<<"$output") == *wakeload* ]]
	[ -z "$(ls /sys/kernel/tracing/instances | grep "timerdiag-" || true)" ] || true
}
