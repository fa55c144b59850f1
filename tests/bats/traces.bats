#!/usr/bin/env bats
# Traces people already have: timerstat --trace FILE and --sysroot on the
# corpus's trees with a wakeup trace, checked against what the trace itself
# says (truth.json counts it from the text).

load helpers

setup() {
	TMP=$(mktemp -d)
}

teardown() {
	rm -rf "$TMP"
}

@test "every -trace capture: wakeups and local timer interrupts per CPU equal the trace's, period its span" {
	require_corpus
	local d n=0 c want got lt
	while read -r d; do
		n=$((n + 1))
		timerstat --sysroot "$d" -J -g thread >"$TMP/o.json"
		[ "$(jq -r '.samples[0].backend' "$TMP/o.json")" = trace ]
		for c in $(jq -r '.idle_exits_per_cpu | keys[]' "$d/truth.json"); do
			want=$(jq -r --arg c "$c" '.idle_exits_per_cpu[$c]' "$d/truth.json")
			got=$(jq -r --argjson c "$c" '.samples[0].cpu_wakeups[] | select(.cpu == $c) | .wakeups' "$TMP/o.json")
			[ "$got" = "$want" ] || { echo "$d CPU $c: wakeups $got, truth $want" >&2; return 1; }
			want=$(jq -r --arg c "$c" '.local_timer_entries_per_cpu[$c]' "$d/truth.json")
			# x86: the LOC vector; arm64: the arch_timer interrupt.
			got=$(jq -r --arg c "$c" '[.samples[0].sources[] | select((.kind == "vector" and .function == "LOC") or (.kind == "irq" and .function == "arch_timer")) | .count_per_cpu[$c] // 0] | add // 0' "$TMP/o.json")
			[ "$got" = "$want" ] || { echo "$d CPU $c: local timer $got, truth $want" >&2; return 1; }
		done
		# The sources' wakeups add up to the CPUs'.
		[ "$(jq '[.samples[0].sources[].wakeups // 0] | add' "$TMP/o.json")" = "$(jq '.samples[0].wakeups' "$TMP/o.json")" ]
		# The period is the trace's span.
		awk -v p="$(jq '.samples[0].period_ns' "$TMP/o.json")" -v t="$(jq '.trace_wakeup_seconds' "$d/truth.json")" \
			'BEGIN { d = p / 1e9 - t; exit !(d < 1e-6 && d > -1e-6) }'
		[ "$(jq '.samples[0].lost_events' "$TMP/o.json")" = "$(jq '.trace_overrun' "$d/truth.json")" ]
		# Vectors carry what the tree's /proc/interrupts says they are.
		if grep -q '^ *LOC:' "$d/proc/interrupts"; then
			[ "$(jq -r '.samples[0].sources[] | select(.kind == "vector" and .function == "LOC") | .desc' "$TMP/o.json")" = \
			  "$(sed -n 's/^ *LOC:[ 0-9]*//p' "$d/proc/interrupts" | sed 's/^ *//')" ]
		fi
	done < <(trace_captures)
	[ "$n" -ge 5 ]
}

@test "--trace FILE reads the same as the tree, and says it in text" {
	require_corpus
	local d
	d=$(trace_captures | head -1)
	timerstat --sysroot "$d" -J >"$TMP/a.json"
	timerstat --trace "$d/trace-wakeup-events.txt" -J >"$TMP/b.json"
	[ "$(jq -c '.samples[0] | [.wakeups, .cpu_wakeups, .total_events]' "$TMP/a.json")" = \
	  "$(jq -c '.samples[0] | [.wakeups, .cpu_wakeups, .total_events]' "$TMP/b.json")" ]
	run timerstat --trace "$d/trace-wakeup-events.txt" --top 3
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Top wakeup source: "* ]]
	[[ "$output" == *"backend trace"* ]]
}

@test "a trace with timer events only: wakeups unknown, never 0" {
	require_corpus
	local d
	d=$(trace_captures | head -1)
	timerstat --trace "$d/trace-timer-events.txt" -J >"$TMP/o.json"
	[ "$(jq '.samples[0].wakeups' "$TMP/o.json")" = null ]
	[ "$(jq '[.samples[0].sources[] | select(.wakeups != null)] | length' "$TMP/o.json")" -eq 0 ]
	jq -e '.unknown["samples[].wakeups"] and .unknown["samples[].sources[].wakeups"]' "$TMP/o.json" >/dev/null
	[ "$(jq '.samples[0].total_events' "$TMP/o.json")" -gt 0 ]
}

@test "bad traces: one line naming the file, exit 1" {
	printf '\x7fELF\x02\x01\x01garbage\n' >"$TMP/bin"
	run timerstat --trace "$TMP/bin"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == "timerstat: $TMP/bin"* ]]
	run timerstat --trace "$TMP/nonexistent"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *"$TMP/nonexistent"* ]]
	run timerstat --trace "$TMP/bin" --timer-stats "$TMP/bin"
	[ "$status" -eq 2 ]
}
