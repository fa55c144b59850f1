#!/usr/bin/env bats
# timerinfo --check, --ticks, --events and --format=prometheus: verdicts and
# exit codes on captures whose truth is known, and the live kernel.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	TMP=$(mktemp -d)
	K=${TD_CORPUS:-/nonexistent}/kmatrix
}

teardown() {
	rm -rf "$TMP"
}

# The ids of the checks at warning or worse, sorted, space separated.
problems() {
	jq -r '[.checks[] | select(.problem) | .id] | sort | join(" ")'
}

@test "--check: the default boots pass (exit 0, no problem)" {
	require_corpus
	for n in amd64-6.1-generic-default amd64-6.12-generic-default amd64-7.2-generic-default \
		arm64-6.1-generic-default arm64-7.2-generic-default host-6.18-kvm-guest; do
		run --separate-stderr timerinfo --sysroot "$K/$n" --check
		[ "$status" -eq 0 ] || { echo "$n: exit $status: $output" >&2; return 1; }
		[[ ${lines[0]} == "0 problems found"* ]]
		run timerinfo --sysroot "$K/$n" --check -J
		[ "$status" -eq 0 ]
		[ "$(jq .problems <<<"$output")" -eq 0 ]
	done
}

@test "--check: highres=off warns about high resolution, and only that" {
	require_corpus
	for n in amd64-6.1-generic-highres_off arm64-6.1-generic-highres_off; do
		run timerinfo --sysroot "$K/$n" --check -J
		[ "$status" -eq 3 ]
		[ "$(problems <<<"$output")" = "highres" ]
		[[ $(jq -r '.checks[] | select(.id == "highres") | .evidence' <<<"$output") == *"tick_nohz_handler"* ]]
		[[ $(jq -r '.checks[] | select(.id == "highres") | .advice' <<<"$output") == *"remove highres=off"* ]]
	done
	run timerinfo --sysroot "$K/amd64-6.1-generic-highres_off" --check
	[ "$status" -eq 3 ]
	[[ ${lines[0]} == "1 problem found"* ]]
	[[ ${lines[1]} == "warning  highres "* ]]
}

@test "--check: nohz=off warns about NOHZ and the idle tick, with the command line as the cause" {
	require_corpus
	run timerinfo --sysroot "$K/amd64-6.1-generic-nohz_off" --check -J
	[ "$status" -eq 3 ]
	[ "$(problems <<<"$output")" = "idle_tick nohz" ]
	[[ $(jq -r '.checks[] | select(.id == "nohz") | .advice' <<<"$output") == "remove nohz=off from the kernel command line" ]]
	run timerinfo --sysroot "$K/amd64-6.1-generic-highres_off-nohz_off" --check -J
	[ "$status" -eq 3 ]
	[ "$(problems <<<"$output")" = "highres idle_tick nohz periodic_tick" ]
}

@test "--check: clocksource=jiffies warns about the clock source (and the tick it forces)" {
	require_corpus
	run timerinfo --sysroot "$K/amd64-6.1-generic-clocksource_jiffies" --check -J
	[ "$status" -eq 3 ]
	[[ " $(problems <<<"$output") " == *" clocksource "* ]]
	[[ $(jq -r '.checks[] | select(.id == "clocksource") | .message' <<<"$output") == "Clock source jiffies is not the best available: hpet is there" ]]
	[[ $(jq -r '.checks[] | select(.id == "clocksource") | .advice' <<<"$output") == "remove clocksource=jiffies from the kernel command line" ]]
	[[ $(jq -r '.checks[] | select(.id == "periodic_tick") | .advice' <<<"$output") == *"jiffies clocksource forces a periodic tick"* ]]
}

@test "--check: a nohz_full CPU that keeps ticking is measured from the capture and flagged" {
	require_corpus
	local d=$K/amd64-6.1-generic-nohz_full_1
	run timerinfo --sysroot "$d" --check -J
	[ "$status" -eq 3 ]
	[ "$(problems <<<"$output")" = "nohz_full" ]
	[[ $(jq -r '.checks[] | select(.id == "nohz_full") | .message' <<<"$output") == "nohz_full CPU 1 took "* ]]
}

@test "--ticks on a capture: rates equal the LOC delta over the timer_list period" {
	require_corpus
	local d=$K/amd64-6.1-generic-nohz_full_1
	run timerinfo --sysroot "$d" --ticks -J
	[ "$status" -eq 0 ]
	local t0 t1 l0 l1 want got
	t0=$(sed -n 's/^now at \([0-9]*\) nsecs/\1/p' "$d/proc/timer_list")
	t1=$(sed -n 's/^now at \([0-9]*\) nsecs/\1/p' "$d/after/proc/timer_list")
	for cpu in 0 1; do
		l0=$(awk -v c=$((cpu + 2)) '$1 == "LOC:" {print $c}' "$d/proc/interrupts")
		l1=$(awk -v c=$((cpu + 2)) '$1 == "LOC:" {print $c}' "$d/after/proc/interrupts")
		want=$(awk -v a="$l0" -v b="$l1" -v t0="$t0" -v t1="$t1" 'BEGIN {printf "%.1f", (b - a) / ((t1 - t0) / 1e9)}')
		got=$(jq -r ".tick_rates.per_cpu[] | select(.cpu == $cpu) | .local_timer_per_s" <<<"$output" | awk '{printf "%.1f", $1}')
		[ "$got" = "$want" ] || { echo "cpu $cpu: got $got, want $want" >&2; return 1; }
	done
	run timerinfo --sysroot "$d" --ticks
	[[ $output == *"far below HZ: the tick stops when idle"* ]]
}

@test "--ticks: a periodic CPU whose tick comes from a global timer interrupt (IO-APIC timer) is not said to stop its tick" {
	# noapictimer: a periodic HPET broadcast on IRQ 0 feeds CPU 0 directly, CPU 1 by IPIs on LOC.
	local d=$TD_SRCDIR/tests/fixtures/sysroots/amd64-6.1-noapictimer-periodic
	local t0 t1 i0 i1 want
	run timerinfo --sysroot "$d" --ticks -J
	[ "$status" -eq 0 ]
	[ "$(jq -r .tick_rates.global_timer_rows <<<"$output")" = "0 (timer)" ]
	t0=$(sed -n 's/^now at \([0-9]*\) nsecs/\1/p' "$d/proc/timer_list")
	t1=$(sed -n 's/^now at \([0-9]*\) nsecs/\1/p' "$d/after/proc/timer_list")
	i0=$(awk '$1 == "0:" {print $2}' "$d/proc/interrupts")
	i1=$(awk '$1 == "0:" {print $2}' "$d/after/proc/interrupts")
	want=$(awk -v a="$i0" -v b="$i1" -v t0="$t0" -v t1="$t1" 'BEGIN {printf "%.1f", (b - a) / ((t1 - t0) / 1e9)}')
	[ "$(jq -r '.tick_rates.per_cpu[] | select(.cpu == 0) | .local_timer_per_s' <<<"$output")" = 0 ]
	[ "$(jq -r '.tick_rates.per_cpu[] | select(.cpu == 0) | .tick_per_s' <<<"$output" | awk '{printf "%.1f", $1}')" = "$want" ]
	for cpu in 0 1; do
		[ "$(jq -r ".tick_rates.per_cpu[] | select(.cpu == $cpu) | .tick_source + \" \" + .tick_device" <<<"$output")" = "global hpet" ]
		[ "$(truth "$d" ".tick_mode_per_cpu[\"$cpu\"]")" = periodic ]
		[[ $(jq -r ".tick_rates.per_cpu[] | select(.cpu == $cpu) | .meaning" <<<"$output") == "about HZ: ticking every jiffy (tick from hpet)" ]]
	done
	run timerinfo --sysroot "$d" --ticks -c
	[ "$status" -eq 0 ]
	[[ $output != *"tick stops"* ]]
	[[ $(grep '^0 ' <<<"$output") == *"periodic tick"*"about HZ"* ]]
	# Prometheus counts them: IRQ 0 (timer) on CPU 0 as a global timer counter, LOC as the local one.
	run timerinfo --sysroot "$d" --format=prometheus
	[ "$(awk '$1 == "timerdiag_cpu_global_timer_interrupts_total{cpu=\"0\"}" {print $2}' <<<"$output")" = "$i0" ]
	[ "$(awk '$1 == "timerdiag_cpu_local_timer_interrupts_total{cpu=\"1\"}" {print $2}' <<<"$output")" = \
	    "$(awk '$1 == "LOC:" {print $3}' "$d/proc/interrupts")" ]
}

@test "--ticks: no CPU that truth.json calls periodic is said to stop its tick" {
	require_corpus
	local d cpu
	for d in $(kmatrix_captures) "$TD_SRCDIR"/tests/fixtures/sysroots/amd64-6.1-noapictimer-periodic; do
		run timerinfo --sysroot "$d" --ticks -J
		[ "$status" -eq 0 ]
		for cpu in $(jq -r '.tick_mode_per_cpu | to_entries[] | select(.value == "periodic") | .key' "$d/truth.json"); do
			[[ $(jq -r ".tick_rates.per_cpu[] | select(.cpu == $cpu) | .meaning" <<<"$output") == "about HZ"* ]] ||
				{ echo "${d##*/} CPU $cpu: $output" >&2; return 1; }
		done
	done
	# The boots with a periodic tick: jiffies clock source, and highres=off nohz=off.
	for d in "$K/amd64-6.1-generic-clocksource_jiffies" "$K/amd64-6.1-generic-highres_off-nohz_off"; do
		[ "$(jq -r '.tick_mode_per_cpu[]' "$d/truth.json" | sort -u)" = periodic ]
		run timerinfo --sysroot "$d" --ticks
		[[ $output != *"tick stops"* ]]
	done
}

@test "--ticks on an arm64 capture uses the arch_timer row" {
	require_corpus
	run timerinfo --sysroot "$K/arm64-6.12-generic-default" --ticks -J
	[ "$status" -eq 0 ]
	[[ $(jq -r .tick_rates.local_timer_row <<<"$output") == *arch_timer* ]]
	[ "$(jq '[.tick_rates.per_cpu[] | select(.local_timer_per_s != null)] | length' <<<"$output")" -eq 2 ]
}

@test "--ticks live: a rate per CPU, over the period asked" {
	run timerinfo --ticks=0.5 -J
	[ "$status" -eq 0 ]
	[ "$(jq '.tick_rates.per_cpu | length' <<<"$output")" -eq "$(nproc)" ]
	[ "$(jq '[.tick_rates.per_cpu[] | select(.local_timer_per_s >= 0)] | length' <<<"$output")" -eq "$(nproc)" ]
	jq -e '.tick_rates.period_ns | type == "number" and . == floor and . >= 500000000 and . < 1500000000' <<<"$output" >/dev/null
	run timerinfo --ticks=0.3
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "Tick rates over 0."* ]]
	[ "$(grep -c 'local/s' <<<"$output")" -eq 1 ]
}

@test "--events: the last clock source switch in every capture's log is the one the kernel uses" {
	require_corpus
	local d last want
	while read -r d; do
		run timerinfo --sysroot "$d" --events -J
		[ "$status" -eq 0 ]
		want=$(truth "$d" .clocksource)
		last=$(jq -r '[.events[] | select(.kind == "clocksource_switch")] | last | .name' <<<"$output")
		if [ "$last" = null ]; then
			[ "$want" = jiffies ] || { echo "$d: no switch, truth $want" >&2; return 1; }
		else
			[ "$last" = "$want" ] || { echo "$d: $last, truth $want" >&2; return 1; }
		fi
	done < <(kmatrix_captures)
}

@test "--events --kmsg-file: a /dev/kmsg record file and a saved dmesg" {
	run timerinfo --events --kmsg-file "$TD_SRCDIR/tests/fixtures/kmsg/records.kmsg" -J
	[ "$status" -eq 0 ]
	[ "$(jq -r '[.events[] | select(.kind == "tsc_unstable")][0].time_ns' <<<"$output")" = 1200000000 ]
	run timerinfo --kmsg-file "$TD_SRCDIR/tests/fixtures/kmsg/records.kmsg"
	[ "$status" -eq 0 ]
	[[ $output == *"tsc_unstable"*"Marking TSC unstable due to clocksource watchdog"* ]]
	# A file the user named must be there, as with --timer-list.
	run -1 timerinfo --kmsg-file "$TMP/none"
	[ "$output" = "timerinfo: $TMP/none: No such file or directory" ]
}

@test "--events live as root: /dev/kmsg read to the end without waiting" {
	require_root
	[ -r /dev/kmsg ] || skip "no /dev/kmsg"
	run timeout 10 timerinfo --events -J
	[ "$status" -eq 0 ]
	[ "$(jq -r .events_source <<<"$output")" = /dev/kmsg ]
	[ "$(jq '[.events[] | select(.kind == "clocksource_switch" or .kind == "clocksource_register")] | length' <<<"$output")" -ge 1 ]
}

@test "--check live as root: every check reported, exit 0 or 3 as the problems say" {
	require_root
	run timerinfo --check -J
	[ "$status" -eq 0 ] || [ "$status" -eq 3 ]
	local p
	p=$(jq .problems <<<"$output")
	if [ "$p" -gt 0 ]; then [ "$status" -eq 3 ]; else [ "$status" -eq 0 ]; fi
	[ "$(jq '[.checks[].id] | sort | join(",")' <<<"$output")" = \
		'"clocksource,clocksource_stability,highres,hrtimer_hangs,idle_tick,nohz,nohz_full,periodic_tick,rtc"' ]
}

@test "--check without root: what could not be checked is skipped, with the reason" {
	require_user_access
	run --separate-stderr as_user "$TD_BUILDDIR/timerinfo" --check -J
	[ "$status" -eq 0 ] || [ "$status" -eq 3 ]
	[ "$(jq -r '.checks[] | select(.id == "timer_list") | .severity' <<<"$output")" = skipped ]
	[[ $(jq -r '.checks[] | select(.id == "timer_list") | .evidence' <<<"$output") == *"Permission denied (needs root)"* ]]
	[ "$(jq '[.checks[] | select(.id == "highres")] | length' <<<"$output")" -eq 0 ]
}

@test "--format=prometheus passes promtool, live and on every capture, with the truth's values" {
	command -v promtool >/dev/null || skip "no promtool"
	run timerinfo --format=prometheus
	[ "$status" -eq 0 ]
	promtool check metrics <<<"$output"
	[[ $output == *"timerdiag_cpu_local_timer_interrupts_total{cpu=\"0\"}"* ]]
	require_corpus
	local d cpu mode loc full res
	while read -r d; do
		timerinfo --sysroot "$d" --format=prometheus > "$TMP/m.prom"
		promtool check metrics < "$TMP/m.prom"
		for cpu in $(jq -r '.tick_mode_per_cpu | keys[]' "$d/truth.json"); do
			mode=$(truth "$d" ".tick_mode_per_cpu[\"$cpu\"]")
			grep -qx "timerdiag_cpu_tick_mode{cpu=\"$cpu\",mode=\"$mode\"} 1" "$TMP/m.prom"
			[ "$(grep -c "^timerdiag_cpu_tick_mode{cpu=\"$cpu\"," "$TMP/m.prom")" -eq 3 ]
			# nohz_full: 1 for the CPUs the kernel names, 0 for the others; absent
			# (unknown) where the capture has no nohz_full file
			full=0
			jq -e --argjson c "$cpu" 'index($c)' <<<"$(cpulist_json "$(truth "$d" '.nohz_full // ""')")" >/dev/null && full=1
			if [ -f "$d/sys/devices/system/cpu/nohz_full" ]; then
				grep -qx "timerdiag_cpu_nohz_full{cpu=\"$cpu\"} $full" "$TMP/m.prom"
			else
				! grep -q '^timerdiag_cpu_nohz_full' "$TMP/m.prom"
			fi
			# the local timer counter is the LOC count of the capture's /proc/interrupts
			loc=$(awk -v c="$cpu" '$1 == "LOC:" {print $(2 + c)}' "$d/proc/interrupts")
			[ -z "$loc" ] || grep -qx "timerdiag_cpu_local_timer_interrupts_total{cpu=\"$cpu\"} $loc" "$TMP/m.prom"
		done
		grep -qx "timerdiag_tick_rate_hertz $(truth "$d" .hz)" "$TMP/m.prom"
		res=$(truth "$d" '.resolution_ns | min' | awk '{printf "%.9f", $1 / 1e9}')
		grep -qx "timerdiag_hrtimer_resolution_seconds $res" "$TMP/m.prom"
		grep -qx "timerdiag_build_info{version=\"$(timerinfo -V | awk '{print $3}')\"} 1" "$TMP/m.prom"
		# Base units in the names, and nothing node_exporter exports itself (node_time_clocksource_*,
		# node_uname_info's release, node_timex_*).
		! grep -E '^[a-z_]+_(hz|ns|us|ms|per_second|per_s)[{ ]' "$TMP/m.prom"
		! grep -E '^# TYPE ([a-z_]*(clocksource|timex|uname)|node_)' "$TMP/m.prom"
		! grep 'release=' "$TMP/m.prom"
	done < <(kmatrix_captures)
	# The hand-made trees too (hostile names, hrtimer hangs, a periodic HPET tick, ...).
	for d in "$TD_SRCDIR"/tests/fixtures/sysroots/*/ "$TD_SRCDIR/tests/fixtures/hostile/sysroot"; do
		timerinfo --sysroot "$d" --format=prometheus > "$TMP/m.prom" 2>/dev/null
		promtool check metrics < "$TMP/m.prom" || { echo "$d" >&2; return 1; }
	done
	# The kernel's hang counts, per CPU, as counters.
	d=$TD_SRCDIR/tests/fixtures/sysroots/amd64-6.1-hrtimer-hangs
	[ "$(timerinfo --sysroot "$d" --format=prometheus |
		sed -n 's/^timerdiag_cpu_hrtimer_hangs_total{cpu="\([0-9]*\)"} /\1 /p')" = \
	    "$(awk '/^cpu: / {c = $2} /\.nr_hangs/ {print c, $NF}' "$d/proc/timer_list")" ]
	run timerinfo --sysroot "$K/amd64-6.1-generic-highres_off" --format=prometheus
	[ "$status" -eq 0 ]
	[[ $output == *'timerdiag_check_status{check="highres"} 1'* ]]
	[[ $output == *"timerdiag_check_problems 1"* ]]
	# Every check is one series, its state the value: 0 ok, 1 warning, 2 critical, -1 undecided.
	[ "$(grep -c '^timerdiag_check_status{' <<<"$output")" -eq "$(timerinfo --sysroot "$K/amd64-6.1-generic-highres_off" --check -J | jq '.checks | length')" ]
	! grep '^timerdiag_check_status' <<<"$output" | grep -vE '^timerdiag_check_status\{check="[a-z_]+"\} (-1|0|1|2)$'
}

@test "--format=prometheus without root leaves unknown values out, never 0" {
	require_user_access
	command -v promtool >/dev/null || skip "no promtool"
	run --separate-stderr as_user "$TD_BUILDDIR/timerinfo" --format=prometheus
	[ "$status" -eq 0 ]
	promtool check metrics <<<"$output"
	[[ $output == *"timerdiag_timer_list_readable 0"* ]]
	[[ $output != *"timerdiag_cpu_tick_mode"* ]]
	[[ $output != *"timerdiag_cpu_idle_calls_total"* ]]
	[[ $output != *"timerdiag_cpu_hrtimer_hangs_total"* ]]
	# a check that needs root could not decide: -1, not 0 (ok)
	[[ $output == *'timerdiag_check_status{check="hrtimer_hangs"} -1'* ]]
}

@test "bad values for the new options exit 2" {
	run timerinfo --format=xml
	[ "$status" -eq 2 ]
	[[ ${lines[0]} == "timerinfo: --format: 'xml' is not text, json or prometheus" ]]
	run timerinfo --ticks=0
	[ "$status" -eq 2 ]
	run timerinfo --ticks=abc
	[ "$status" -eq 2 ]
	run timerinfo --ticks=2h
	[ "$status" -eq 2 ]
}

@test "a comma-decimal locale (de_DE) changes no number: text, JSON and prometheus keep '.'" {
	command -v localedef >/dev/null || skip "no localedef"
	localedef -i de_DE -f UTF-8 "$TMP/de_DE.UTF-8" 2>/dev/null || true
	[ -d "$TMP/de_DE.UTF-8" ]
	d=$K/amd64-6.1-generic-nohz_full_1
	# the locale is really in force for programs: printf writes a comma
	[ "$(LOCPATH=$TMP LC_ALL=de_DE.UTF-8 /usr/bin/printf '%.1f' 4.5)" = "4,5" ]
	LOCPATH=$TMP LC_ALL=de_DE.UTF-8 timerinfo --sysroot "$d" --ticks -J >"$TMP/j"
	# CPU 1 took 12 local timer interrupts over 2.768 s: 4.335/s, a JSON number
	jq -e '[.. | numbers | select(. > 4.33 and . < 4.34)] | length > 0' "$TMP/j"
	run env LOCPATH=$TMP LC_ALL=de_DE.UTF-8 timerinfo --sysroot "$d" --ticks
	[ "$status" -eq 0 ]
	[[ $output == *" 4.3 "* ]]
	[[ $output != *" 4,3 "* ]]
	run env LOCPATH=$TMP LC_ALL=de_DE.UTF-8 timerinfo --sysroot "$d" --format=prometheus
	[ "$status" -eq 0 ]
	! grep -E '^[a-z_]+(\{[^}]*\})? [0-9]+,[0-9]' <<<"$output"
	if command -v promtool >/dev/null; then promtool check metrics <<<"$output"; fi
}
