#!/usr/bin/env bats
# A file named alone (--timer-list, --kmsg-file) is reported as itself: what it
# does not hold is unknown ("not in this file"), never the running machine's;
# what it holds (HZ from its jiffies, devices from its tick devices) is used.
# --live (or --sysroot) adds the facts of that system.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	require_corpus
	# An ARM OMAP board of the 2.6.2x days, timer_list v0.3: not this machine.
	OLD=$TD_CORPUS/public/timer_list/v0.3-osk-omap-arm-hres-elinux.txt
	HOST_RELEASE=$(uname -r)
	T=$BATS_TEST_TMPDIR
}

@test "a foreign timer_list: the release, arch, config, clock source and log are not in this file" {
	run -0 timerinfo --timer-list "$OLD" -J
	[[ $output != *"$HOST_RELEASE"* ]]
	local j=$output k
	for k in release machine cmdline config; do
		[ "$(jq -c ".kernel.$k" <<< "$j")" = null ]
		[ "$(jq -r ".unknown[\"kernel.$k\"]" <<< "$j")" = "not in this file" ]
	done
	[ "$(jq -c '[.kernel.config_no_hz, .kernel.config_high_res_timers]' <<< "$j")" = '[null,null]' ]
	[ "$(jq -c .clocksource <<< "$j")" = '{"current":null,"available":[]}' ]
	[ "$(jq -r '.unknown["clocksource.current"]' <<< "$j")" = "not in this file" ]
	[ "$(jq -c '[.tsc_flags, .posix_clocks, .hz.config, .hz.inferred_coarse_clock]' <<< "$j")" = '[null,null,null,null]' ]
	[ "$(jq -r .unknown.tsc_flags <<< "$j")" = "not in this file" ]
	[ "$(jq -r .unknown.posix_clocks <<< "$j")" = "not in this file" ]
	# What the file holds is used: HZ from its jiffies, the device from its tick device.
	[ "$(jq -c '[.hz.value, .hz.source, .hz.inferred_jiffies]' <<< "$j")" = '[128,"jiffies",128]' ]
	[ "$(jq -r '.clockevents.per_cpu[0].device' <<< "$j")" = 32k-timer ]
	[ "$(jq -r '.per_cpu[0].clock_event_device' <<< "$j")" = 32k-timer ]
}

@test "a foreign timer_list in text and Prometheus: nothing of this machine" {
	run -0 timerinfo --timer-list "$OLD"
	[[ $output != *"$HOST_RELEASE"* ]]
	echo "$output" | grep -Fx '  Kernel        unknown (not in this file), timer_list v0.3'
	echo "$output" | grep -Fx '  Clocksource   unknown (not in this file)'
	echo "$output" | grep -F 'HZ            128 Hz (inferred from jiffies'
	! echo "$output" | grep -F 'POSIX clocks'
	run -0 timerinfo --timer-list "$OLD" --format=prometheus
	[[ $output != *"$HOST_RELEASE"* ]]
}

@test "a foreign timer_list with --check: no host kernel log, RTC or masks cited" {
	run -0 timerinfo --timer-list "$OLD" --check -J
	[[ $output != *"$HOST_RELEASE"* && $output != */dev/kmsg* ]]
	[ "$(jq -c .events <<< "$output")" = null ]
	[ "$(jq -r .unknown.events <<< "$output")" = "not in this file" ]
	local id
	for id in clocksource clocksource_stability rtc nohz_full; do
		[ "$(jq -r ".checks[] | select(.id == \"$id\") | .severity" <<< "$output")" = skipped ]
		[ "$(jq -r ".checks[] | select(.id == \"$id\") | .evidence" <<< "$output")" = "not in this file" ]
	done
	# The tick facts the file holds are still checked.
	[ "$(jq -r '.checks[] | select(.id == "highres") | .severity' <<< "$output")" = ok ]
}

@test "--live takes the other facts from this machine" {
	run -0 timerinfo --timer-list "$OLD" --live -J
	[ "$(jq -r .kernel.release <<< "$output")" = "$HOST_RELEASE" ]
	[ "$(jq -c '.unknown["kernel.release"]' <<< "$output")" = null ]
	[ "$(jq -r '.per_cpu[0].clock_event_device' <<< "$output")" = 32k-timer ]
	run -2 timerinfo --live --sysroot "$TD_CORPUS/kmatrix/amd64-6.1-generic-default"
	[[ $output == *"--live and --sysroot"* ]]
}

@test "--kmsg-file alone: its events, nothing else of this machine" {
	local log=$TD_CORPUS/kmatrix/amd64-6.1-generic-default/dmesg
	run --separate-stderr timerinfo --kmsg-file "$log" -J
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ $output != *"$HOST_RELEASE"* ]]
	[ "$(jq -r .events_source <<< "$output")" = "$log" ]
	[ "$(jq '.events | length' <<< "$output")" -gt 0 ]
	[ "$(jq -c '[.kernel.release, .clocksource.current, .hz.value]' <<< "$output")" = '[null,null,null]' ]
	[ "$(jq -r '.unknown["verdict.tick_mode"]' <<< "$output")" = "not in this file" ]
	run -0 timerinfo --kmsg-file "$log" --live -J
	[ "$(jq -r .kernel.release <<< "$output")" = "$HOST_RELEASE" ]
}

@test "--kmsg-file naming a missing file: exit 1, one line" {
	run --separate-stderr timerinfo --kmsg-file "$T/missing"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "timerinfo: $T/missing: No such file or directory" ]
	run --separate-stderr timerinfo --kmsg-file "$T/missing" --check -J
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
}
