#!/usr/bin/env bats
# A big machine's timer_list through timerinfo: 4,096 CPUs, read as a stream
# from a regular file, a pipe and a FIFO.  What each CPU's tick device says is
# counted from the file's own text with awk, never from our parser.

load helpers

setup_file() {
	export BIG=$BATS_FILE_TMPDIR/timer_list
	# 4,096 CPUs of the generator (every tick device hrtimer_interrupt),
	# every seventh CPU's device turned periodic and every eleventh tickless
	# low-res, so that a mode taken from the wrong CPU shows.
	"$TD_BUILDDIR/bench/timer_list_gen" 4096 8 | awk '
		/^Per CPU device: / { cpu = $4 }
		/^ event_handler: / && cpu != "" {
			if (cpu % 7 == 3) sub(/hrtimer_interrupt/, "tick_handle_periodic")
			else if (cpu % 11 == 5) sub(/hrtimer_interrupt/, "tick_nohz_handler")
		}
		{ print }' >"$BIG"
	# The truth: each CPU's handler, from the text.
	awk '/^Per CPU device: / { cpu = $4 }
		/^ event_handler: / && cpu != "" { print cpu, $2; cpu = "" }' "$BIG" |
		sort -n >"$BATS_FILE_TMPDIR/truth"
}

# Each CPU's event handler and tick mode in timerinfo's JSON, as "cpu handler mode".
modes() {
	jq -r '.per_cpu[] | "\(.cpu) \(.event_handler) \(.tick_mode)"' | sort -n
}

# The tick mode a handler means, as the kernel's tick code sets them.
expected() {
	awk '{ if ($2 == "hrtimer_interrupt") m = "highres"
		else if ($2 == "tick_handle_periodic") m = "periodic"
		else m = "nohz_lowres"
		print $1, $2, m }' "$BATS_FILE_TMPDIR/truth"
}

# Compare the expected modes with a JSON document's; the first differences shown.
same_modes() {
	diff <(expected) <(modes <<<"$1") >"$BATS_TEST_TMPDIR/diff" && return 0
	head -5 "$BATS_TEST_TMPDIR/diff"
	return 1
}

@test "timerinfo on a generated 4,096-CPU timer_list: every CPU and its tick mode" {
	[ "$(wc -l <"$BATS_FILE_TMPDIR/truth")" -eq 4096 ]
	run timerinfo --timer-list "$BIG" -J
	[ "$status" -eq 0 ]
	[ "$(jq '.per_cpu | length' <<<"$output")" -eq 4096 ]
	same_modes "$output"
	# The text report counts them too.
	run timerinfo --timer-list "$BIG"
	[ "$status" -eq 0 ]
	[[ "$output" == *"4096 CPUs"* ]]
}

@test "the same timer_list through a pipe and a FIFO gives the same CPUs and modes" {
	local fifo=$BATS_TEST_TMPDIR/fifo
	run bash -c 'cat "$BIG" | timerinfo --timer-list /dev/stdin -J'
	[ "$status" -eq 0 ]
	same_modes "$output"
	mkfifo "$fifo"
	cat "$BIG" >"$fifo" &
	run timerinfo --timer-list "$fifo" -J
	wait
	[ "$status" -eq 0 ]
	same_modes "$output"
}

@test "a stream past the size cap is refused with one line naming it, exit 1" {
	# 257 MiB of long lines from a pipe: the cap is 256 MiB.
	run bash -c 'head -c $((257 << 20)) < <(yes "$(printf "x%.0s" $(seq 1000))") |
		timerinfo --timer-list /dev/stdin'
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == *"/dev/stdin"*"larger than"* ]]
}

@test "each CPU's timers: counted without --timers, each listed with it, as the text has them" {
	# The truth: each CPU block's timer lines (" #N: ..."), counted from the text.
	awk '/^cpu: / { cpu = $2; n[cpu] = 0 } /^ #[0-9]+: / && cpu != "" { n[cpu]++ }
		END { for (c in n) print c, n[c] }' "$BIG" | sort -n >"$BATS_TEST_TMPDIR/want"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -eq 4096 ]
	run timerinfo --timer-list "$BIG" -J
	[ "$status" -eq 0 ]
	diff "$BATS_TEST_TMPDIR/want" <(jq -r '.per_cpu[] | "\(.cpu) \(.active_timers)"' \
		<<<"$output" | sort -n)
	[ "$(jq '[.per_cpu[] | select(has("timers"))] | length' <<<"$output")" -eq 0 ]
	run timerinfo --timer-list "$BIG" -J --timers
	[ "$status" -eq 0 ]
	diff "$BATS_TEST_TMPDIR/want" <(jq -r '.per_cpu[] | "\(.cpu) \(.timers | length)"' \
		<<<"$output" | sort -n)
	# and each listed timer is the text's: the functions, in order, of CPU 4095
	diff <(awk '/^cpu: / { cpu = $2 } /^ #[0-9]+: / && cpu == 4095 { sub(/,$/, "", $3); print $3 }' \
		"$BIG") <(jq -r '.per_cpu[] | select(.cpu == 4095) | .timers[].function' <<<"$output")
}
