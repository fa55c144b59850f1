#!/usr/bin/env bats
# One fact, one place: the tools read the library's machine model, its local
# timer row and its words for an unknown value, so they never disagree on a
# capture: HZ and its reason, the clock source, the advertised resolution, the
# local timer interrupts per CPU, and why timer_list is unknown.

load helpers
bats_require_minimum_version 1.5.0

F=$TD_SRCDIR/tests/fixtures/sysroots

# Every tree: the kmatrix captures and the hand-cut sysroots.
all_trees() {
	kmatrix_captures
	local d
	for d in "$F"/*/; do
		printf '%s\n' "${d%/}"
	done
}

# A member of JSON $1 at path $2, or, when null, "unknown: " and its reason
# (the "unknown" map is keyed by path $3).
value_or_why() {
	jq -r --arg k "$3" "if $2 == null then \"unknown: \" + .unknown[\$k] else $2 | tostring end" <<<"$1"
}

@test "wakeuptop -b -J and timerinfo -J agree on HZ and the clock source on every tree" {
	local d wt ti n=0
	while read -r d; do
		# A tree without proc/interrupts has no sample for wakeuptop to show.
		[ -f "$d/proc/interrupts" ] || continue
		run -0 --separate-stderr wakeuptop --sysroot "$d" -b -n 1 -J
		wt=$output
		run -0 --separate-stderr timerinfo --sysroot "$d" -J
		ti=$output
		echo "$d: wakeuptop hz $(value_or_why "$wt" .hz hz), timerinfo $(value_or_why "$ti" .hz.value hz.value)"
		[ "$(value_or_why "$wt" .hz hz)" = "$(value_or_why "$ti" .hz.value hz.value)" ]
		[ "$(value_or_why "$wt" .clocksource clocksource)" = \
		    "$(value_or_why "$ti" .clocksource.current clocksource.current)" ]
		n=$((n + 1))
	done < <(all_trees)
	[ "$n" -gt 3 ]
}

@test "a tree whose HZ only its tick length tells: wakeuptop says timerinfo's HZ, not unknown" {
	# timer_list without jiffies (a 2.6.3x SysRq copy has none) and a low-resolution
	# .resolution of one jiffy; no kernel config.
	mkdir -p "$BATS_TEST_TMPDIR/root/proc"
	cp "$TD_CORPUS/kmatrix/amd64-6.1-generic-highres_off/proc/interrupts" \
	    "$BATS_TEST_TMPDIR/root/proc/"
	grep -v -e '^jiffies' -e 'jiffies:' \
	    "$TD_CORPUS/kmatrix/amd64-6.1-generic-highres_off/proc/timer_list" \
	    >"$BATS_TEST_TMPDIR/root/proc/timer_list"
	run -0 --separate-stderr timerinfo --sysroot "$BATS_TEST_TMPDIR/root" -J
	[ "$(jq -r .hz.value <<<"$output")" = 250 ]
	[ "$(jq -r .hz.source <<<"$output")" = tick_resolution ]
	run -0 --separate-stderr wakeuptop --sysroot "$BATS_TEST_TMPDIR/root" -b -n 1 -J
	[ "$(jq -r .hz <<<"$output")" = 250 ]
}

@test "timerprobe's advertised resolution is timerinfo's on every capture" {
	require_corpus
	local c ti
	while read -r c; do
		run -0 --separate-stderr timerinfo --sysroot "$c" -J
		ti=$(jq -r '.resolution_ns[0]' <<<"$output")
		run -0 --separate-stderr timerprobe -J -n 3 -i 1ms --sysroot "$c"
		echo "$c: timerinfo $ti, timerprobe $(jq -r .timer_list_resolution_ns <<<"$output")"
		[ "$(jq -r .timer_list_resolution_ns <<<"$output")" = "$ti" ]
	done < <(kmatrix_captures)
}

@test "the local timer row: wakeuptop and timerinfo --ticks count the same interrupts per CPU" {
	local d wt ti cpu n=0
	while read -r d; do
		[ -f "$d/after/proc/interrupts" ] && [ -f "$d/after/proc/timer_list" ] || continue
		# The same two snapshots (a -trace tree would otherwise replay its trace).
		run -0 --separate-stderr wakeuptop --sysroot "$d" --source interrupts -b -n 1 -J
		wt=$output
		run -0 --separate-stderr timerinfo --sysroot "$d" --ticks -J
		ti=$output
		for cpu in $(jq -r '.tick_rates.per_cpu[].cpu' <<<"$ti"); do
			local a b
			a=$(jq -r --argjson c "$cpu" '.per_cpu[] | select(.cpu == $c) | .local_timer_per_s' <<<"$wt")
			b=$(jq -r --argjson c "$cpu" '.tick_rates.per_cpu[] | select(.cpu == $c) | .local_timer_per_s' <<<"$ti")
			echo "$d CPU $cpu: wakeuptop $a/s, timerinfo $b/s"
			awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; exit !(a != "null" && (d < 0 ? -d : d) < 0.01) }'
		done
		n=$((n + 1))
	done < <(all_trees)
	[ "$n" -gt 3 ]
}

@test "two arch_timer rows (arm32): the busiest is the local timer, in both tools" {
	local d=$F/arm32-two-arch-timer
	run -0 --separate-stderr timerinfo --sysroot "$d" --ticks -J
	[ "$(jq -r .tick_rates.local_timer_row <<<"$output")" = "19 (arch_timer)" ]
	[ "$(jq -r '.tick_rates.per_cpu[0].local_timer_per_s' <<<"$output")" = 0 ]
	run -0 --separate-stderr wakeuptop --sysroot "$d" -b -n 1 -J
	# CPU 0's 402 interrupts on the other arch_timer row are not its local timer's.
	[ "$(jq -r '.per_cpu[0].local_timer' <<<"$output")" = 0 ]
	[ "$(jq -r '.per_cpu[1].local_timer' <<<"$output")" = 406 ]
}

@test "a timer_list masked by the container runtime: every tool says so, alike" {
	require_root
	command -v unshare >/dev/null || skip "no unshare"
	unshare -m true 2>/dev/null || skip "no mount namespace here"
	# /dev/null bound over /proc/timer_list, as Docker and podman mask it, in a
	# mount namespace of the test's own (gone when the command ends).
	masked() {
		unshare -m sh -c 'mount --bind /dev/null /proc/timer_list && exec "$@"' sh "$@"
	}
	run -0 --separate-stderr masked timerinfo -J
	[ "$(jq -r '.unknown["verdict.tick_mode"]' <<<"$output")" = "masked in this container" ]
	run -0 --separate-stderr masked timerprobe -J -n 3 -i 1ms
	[ "$(jq -r .unknown.timer_list_resolution_ns <<<"$output")" = "masked in this container" ]
	run -0 --separate-stderr masked wakeuptop --source interrupts -b -n 1 -d 0.2 -J
	[ "$(jq -r .unknown.tick_mode <<<"$output")" = "masked in this container" ]
	# And the system is as found: the real timer_list.
	head -1 /proc/timer_list | grep -q '^Timer List Version'
}
