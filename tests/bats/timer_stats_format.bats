#!/usr/bin/env bats
# timerstat --format=timer_stats and saved /proc/timer_stats files: what the
# file says is what comes out (D marks, header lines, the kernel's total), an
# unknown is never written as zero, and a format that cannot be produced says
# so instead of printing an empty list.

load helpers
bats_require_minimum_version 1.5.0

FIX="$TD_SRCDIR/tests/fixtures/timer_stats"

setup() {
	TMP=$(mktemp -d)
}

teardown() {
	rm -rf "$TMP"
}

@test "a timer and its deferrable twin stay two sources" {
	run timerstat --timer-stats "$FIX/v0.2-deferrable-twin.txt" -J
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -c '[.samples[0].sources[] | select(.comm == "sshd") | [.count, .deferrable]] | sort')" = '[[6,true],[40,false]]' ]
	run timerstat --timer-stats "$FIX/v0.2-deferrable-twin.txt" --format=timer_stats
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\n   40,   812 sshd             sk_reset_timer (delayed_work_timer_fn)\n'* ]]
	[[ "$output" == *$'\n   6D,   812 sshd             sk_reset_timer (delayed_work_timer_fn)\n'* ]]
}

@test "--format=timer_stats keeps an elided, overflowed file's own total" {
	run timerstat --timer-stats "$FIX/v0.3-elided-total.txt" --format=timer_stats
	[ "$status" -eq 0 ]
	# The kernel's total (3015) counts the elided lines too; the listed ones make 505.
	[ "$(echo "$output" | tail -1)" = "3015 total events, 1005.000 events/sec" ]
	echo "$output" | grep -qx 'Overflow: 2000 entries'
	# A legacy reader taking the trailer gets the events the file reported.
	[ "$(echo "$output" | awk '/ total events/ { print $1 }')" -eq \
	    "$(awk '/ total events/ { print $1 }' "$FIX/v0.3-elided-total.txt")" ]
}

@test "--format=timer_stats writes the Collection line the file had, and none it lacked" {
	run timerstat --timer-stats "$FIX/v0.3-elided-total.txt" --format=timer_stats
	echo "$output" | grep -qx 'Collection: inactive'
	run timerstat --timer-stats "$FIX/v0.2-deferrable-twin.txt" --format=timer_stats
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | head -1)" = "Timer Stats Version: v0.2" ]
	[[ "$output" != *"Collection:"* ]]
}

@test "--format=timer_stats leaves an unknown period out instead of writing 0.000 s" {
	run timerstat --timer-stats "$FIX/v0.1-no-period.txt" --format=timer_stats
	[ "$status" -eq 0 ]
	[[ "$output" != *"Sample period"* ]]
	[ "$(echo "$output" | tail -1)" = "16 total events" ]
	# An idle file's real 0.000 s period stays as it was.
	run timerstat --timer-stats "$FIX/v0.3-inactive-idle.txt" --format=timer_stats
	echo "$output" | grep -qx 'Sample period: 0.000 s'
}

@test "counts adding up past 2^63-1: one line naming file and line, exit 1" {
	run --separate-stderr timerstat --timer-stats "$FIX/bad-huge-counts.txt"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "timerstat: $FIX/bad-huge-counts.txt:4: the counts add up to more than 2^63-1 events" ]
}

@test "--format=timer_stats without timer events (interrupts backend): says so, exit 1" {
	require_corpus
	local cap
	cap=$(kmatrix_captures | head -1)
	run --separate-stderr timerstat --sysroot "$cap" --source interrupts --format=timer_stats
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == "timerstat: --format=timer_stats needs timer events, which the interrupts backend cannot see" ]]
}

@test "as nobody, --format=timer_stats: not '0 total events' but a line on stderr, exit 1" {
	require_user_access
	run --separate-stderr as_user timerstat -d 0.2 --format=timer_stats
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == "timerstat: --format=timer_stats needs timer events, which the interrupts backend cannot see (interrupts: /sys/kernel/tracing needs root"*")" ]]
}
