#!/usr/bin/env bats
# timerinfo as a user runs it: on every real capture (against what the kernel
# itself said in truth.json), on the live kernel, without root, with bad input.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	TMP=$(mktemp -d)
}

teardown() {
	rm -rf "$TMP"
}

# Compare one JSON value of timerinfo with one of truth.json.
same_json() {
	local got=$1 want=$2 what=$3
	if [ "$got" != "$want" ]; then
		echo "$what: got $got, want $want" >&2
		return 1
	fi
}

@test "every capture: JSON verdicts equal the kernel's truth.json, field by field" {
	require_corpus
	local d n=0
	while read -r d; do
		n=$((n + 1))
		run timerinfo --sysroot "$d" -J
		[ "$status" -eq 0 ] || { echo "$d: exit $status: $output" >&2; return 1; }
		echo "$output" > "$TMP/out.json"
		j() { jq -c "$1" "$TMP/out.json"; }
		t() { jq -c "$1" "$d/truth.json"; }
		same_json "$(j .version)" 2 "$d schema version"
		same_json "$(j .verdict.tick_mode)" "$(t .tick_mode)" "$d tick_mode"
		same_json "$(j .verdict.nohz_active)" "$(t .nohz_active)" "$d nohz_active"
		same_json "$(j '.per_cpu | length')" "$(t .cpus)" "$d cpus"
		same_json "$(j .timer_list.cpu_count)" "$(t .cpus)" "$d timer_list.cpu_count"
		same_json "$(j .timer_list.format_version)" "$(t .timer_list_version)" "$d version"
		same_json "$(j .resolution_ns)" "$(t .resolution_ns)" "$d resolution_ns"
		same_json "$(j .hz.value)" "$(t .hz)" "$d hz"
		same_json "$(j .hz.source)" '"config"' "$d hz source"
		same_json "$(j .hz.inferred_jiffies)" "$(t .hz_inferred)" "$d hz inferred"
		same_json "$(j .clocksource.current)" "$(t .clocksource)" "$d clocksource"
		same_json "$(j '.clocksource.available | sort')" "$(t '.clocksources_available | sort')" "$d available"
		same_json "$(j .clockevents.broadcast)" "$(t .broadcast_device)" "$d broadcast"
		same_json "$(j '[.per_cpu[].clock_event_device] | unique')" "$(t '.clockevent_devices | sort')" "$d devices"
		same_json "$(j '[.per_cpu[] | {(.cpu | tostring): .tick_mode}] | add')" \
			"$(t .tick_mode_per_cpu)" "$d tick_mode_per_cpu"
		same_json "$(j .kernel.release)" "$(t .release)" "$d release"
		# truth.json spells the host's x86_64 as uname does, the Debian boots amd64
		same_json "$(j .kernel.arch)" "$(t '.arch | if . == "x86_64" then "amd64"
			elif . == "aarch64" then "arm64" else . end')" "$d arch"
		same_json "$(j .kernel.config_no_hz)" "$(t .config_no_hz)" "$d config_no_hz"
		same_json "$(j .kernel.config_high_res_timers)" "$(t .config_high_res_timers)" "$d high_res"
		same_json "$(j .posix_clocks)" null "$d posix clocks are not the capture's"
		same_json "$(j '.unknown.posix_clocks | type')" '"string"' "$d posix clocks reason"
		local nf
		nf=$(t '.nohz_full // ""' | tr -d '"')
		if [ -n "$nf" ]; then
			# The kernel prints a CPU list ("1-3", "1,3"): compare the CPUs it names.
			same_json "$(j '[.per_cpu[] | select(.nohz_full) | .cpu]')" \
				"$(cpulist_json "$nf")" "$d nohz_full"
			# ... and prints the set as the kernel does ("1-3", not "1,2,3").
			same_json "$(j .nohz_full_cpus)" "\"$nf\"" "$d nohz_full_cpus"
		fi
	done < <(kmatrix_captures)
	[ "$n" -ge 10 ]
}

@test "every capture: the text verdict names the mode the kernel reported" {
	require_corpus
	local d mode nohz
	while read -r d; do
		run timerinfo --sysroot "$d"
		[ "$status" -eq 0 ]
		mode=$(truth "$d" .tick_mode)
		nohz=$(truth "$d" .nohz_active)
		case $mode in
		highres)
			[[ ${lines[0]} == High-resolution\ one-shot* ]] || { echo "$d: ${lines[0]}" >&2; return 1; }
			if [ "$nohz" = true ]; then
				[[ ${lines[0]} == *"tickless when idle (NOHZ)"* ]]
			else
				[[ ${lines[0]} == *"tick never stopped (NOHZ inactive)"* ]]
			fi ;;
		nohz_lowres)
			[[ ${lines[0]} == "Tickless (NOHZ) at low resolution"* ]] || { echo "$d: ${lines[0]}" >&2; return 1; }
			[[ $output == *"4 ms on every clock base (one jiffy: low resolution)"* ]] ;;
		periodic)
			[[ ${lines[0]} == "Periodic tick at 250 Hz: not tickless"* ]] || { echo "$d: ${lines[0]}" >&2; return 1; }
			;;
		*) echo "unexpected truth $mode" >&2; return 1 ;;
		esac
		[[ ${lines[0]} == *"on all $(truth "$d" .cpus) CPUs" ]]
		grep -Eq "^  Clocksource +$(truth "$d" .clocksource)( |\$)" <<<"$output"
	done < <(kmatrix_captures)
}

# timerinfo -J of kmatrix capture CAPTURE: each member PATH (jq) has its VALUE.
json_of_capture() {
	local cap=$1 got
	shift
	run timerinfo --sysroot "$TD_CORPUS/kmatrix/$cap" -J
	while [ $# -gt 0 ]; do
		got=$(jq -r "$1" <<<"$output")
		[ "$got" = "$2" ] || { echo "$cap: $1 is $got, not $2" >&2; return 1; }
		shift 2
	done
}

@test "the boots that turned features off are told apart, each for its own reason" {
	require_corpus
	json_of_capture amd64-6.1-generic-highres_off .verdict.tick_mode nohz_lowres \
	    '.per_cpu[0].event_handler' tick_nohz_handler
	json_of_capture amd64-6.1-generic-highres_off-nohz_off .verdict.tick_mode periodic \
	    .verdict.nohz_active false
	json_of_capture amd64-6.1-generic-clocksource_jiffies .verdict.tick_mode periodic \
	    .clocksource.current jiffies
	json_of_capture amd64-6.1-generic-nohz_off .verdict.tick_mode highres \
	    .verdict.nohz_active false
}

@test "6.9+ trap: tick_nohz_handler in the active timers does not make a CPU low-res" {
	require_corpus
	local d=$TD_CORPUS/kmatrix/amd64-7.2-generic-default
	grep -q 'tick_nohz_handler, S:' "$d/proc/timer_list"
	run timerinfo --sysroot "$d" -J -t
	[ "$(jq -r .verdict.tick_mode <<<"$output")" = highres ]
	[ "$(jq '[.per_cpu[].timers[] | select(.function == "tick_nohz_handler")] | length' <<<"$output")" -ge 1 ]
}

@test "-t lists every active timer of the file, with CPU, clock and expiry" {
	require_corpus
	local d want
	while read -r d; do
		want=$(grep -c '^ #[0-9]*: ' "$d/proc/timer_list")
		run timerinfo --sysroot "$d" -t -J
		[ "$(jq '[.per_cpu[].timers[]] | length' <<<"$output")" -eq "$want" ]
		[ "$(jq .timer_list.active_timers <<<"$output")" -eq "$want" ]
		run timerinfo --sysroot "$d" -t
		[ "$status" -eq 0 ]
		# Header line plus one line per timer after the "CPU Clock Function" header.
		local rows
		rows=$(sed -n '/^CPU  *Clock  *Function/,/^$/p' <<<"$output" | grep -c '^[0-9]')
		[ "$rows" -eq "$want" ] || { echo "$d: $rows rows, want $want" >&2; return 1; }
	done < <(kmatrix_captures)
}

@test "-t on a v0.5 SysRq dump shows who armed each timer (CONFIG_TIMER_STATS)" {
	require_corpus
	local f=$TD_CORPUS/public/timer_list/v0.5-2.6.32-28-ubuntu-pae-x86_32-2cpu-sysrq-dmesg.txt
	run timerinfo --sysroot "$TMP" --timer-list "$f" -t -J
	[ "$status" -eq 0 ]
	[ "$(jq -r .timer_list.format_version <<<"$output")" = v0.5 ]
	[ "$(jq -r '[.per_cpu[].timers[] | select(.comm == "zypper")][0].pid' <<<"$output")" = 28960 ]
	[ "$(jq -r .verdict.tick_mode <<<"$output")" = highres ]
}

@test "identical CPUs fold into one line; --cpus gives one line each" {
	require_corpus
	local d=$TD_CORPUS/kmatrix/amd64-6.1-generic-smp4-default
	run timerinfo --sysroot "$d"
	[ "$(grep -c '^0-3 ' <<<"$output")" -eq 1 ]
	run timerinfo --sysroot "$d" --cpus
	for c in 0 1 2 3; do
		[ "$(grep -c "^$c  *high resolution" <<<"$output")" -eq 1 ]
	done
}

@test "a 256-CPU timer_list folds into a few lines" {
	require_corpus
	local src=$TD_CORPUS/kmatrix/amd64-6.12-generic-default/proc/timer_list
	# Header, then CPU 0's block and its tick device copied for 256 CPUs.
	awk -v n=256 '
		/^cpu: / { incpu = 1; cpu = $2 }
		/^Tick Device:/ { tick = 1 }
		!incpu && !tick { head = head $0 "\n"; next }
		incpu && !tick { if (cpu == 0) block = block $0 "\n"; next }
		tick { dev = dev $0 "\n" }
		END {
			printf "%s", head
			for (i = 0; i < n; i++) { b = block; sub(/^cpu: 0/, "cpu: " i, b); printf "%s", b }
			split(dev, parts, /Tick Device:/)
			printf "Tick Device:%s", parts[2]
			for (i = 0; i < n; i++) { p = parts[3]; sub(/Per CPU device: 0/, "Per CPU device: " i, p); printf "Tick Device:%s", p }
		}' "$src" > "$TMP/tl256"
	[ "$(grep -c '^cpu: ' "$TMP/tl256")" -eq 256 ]
	run timerinfo --sysroot "$TMP" --timer-list "$TMP/tl256"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *"on all 256 CPUs" ]]
	[ "$(grep -c '^0-255 ' <<<"$output")" -eq 1 ]
	[ "${#lines[@]}" -lt 30 ]
	run timerinfo --sysroot "$TMP" --timer-list "$TMP/tl256" -J
	[ "$(jq '.per_cpu | length' <<<"$output")" -eq 256 ]
}

@test "live, as root: verdicts match what the kernel files say" {
	require_root
	[ -r /proc/timer_list ] || skip "no /proc/timer_list"
	run timerinfo -J
	[ "$status" -eq 0 ]
	echo "$output" > "$TMP/live.json"
	# The tick mode from the tick devices' event_handler, read independently.
	local h want
	h=$(grep -m1 'event_handler:' <(sed -n '/^Per CPU device: 0/,/^$/p' /proc/timer_list) | awk '{print $2}')
	case $h in
	hrtimer_interrupt) want=highres ;;
	tick_nohz_handler|tick_nohz_lowres_handler) want=nohz_lowres ;;
	tick_handle_periodic) want=periodic ;;
	*) skip "unexpected handler $h" ;;
	esac
	[ "$(jq -r '.per_cpu[0].tick_mode' "$TMP/live.json")" = "$want" ]
	[ "$(jq '.per_cpu | length' "$TMP/live.json")" -eq "$(grep -c '^cpu: ' /proc/timer_list)" ]
	[ "$(jq -r .clocksource.current "$TMP/live.json")" = \
		"$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" ]
	if [ -r /proc/config.gz ]; then
		[ "$(jq .hz.value "$TMP/live.json")" -eq "$(zcat /proc/config.gz | sed -n 's/^CONFIG_HZ=//p')" ]
	fi
	# clock_getres, as the kernel answers it to a program.
	[ "$(jq '[.posix_clocks[] | select(.name == "CLOCK_MONOTONIC")][0].resolution_ns' "$TMP/live.json")" -ge 1 ]
	local coarse hz
	coarse=$(jq '[.posix_clocks[] | select(.name == "CLOCK_MONOTONIC_COARSE")][0].resolution_ns' "$TMP/live.json")
	hz=$(jq .hz.value "$TMP/live.json")
	[ $(( (1000000000 + hz / 2) / hz )) -eq "$coarse" ]
	run timerinfo
	[ "$status" -eq 0 ]
	[[ $output == *"POSIX clocks (clock_getres)"* ]]
}

@test "without root: one line naming /proc/timer_list, the rest still reported, exit 0" {
	require_user_access
	[ -e /proc/timer_list ] || skip "no /proc/timer_list"
	run as_user "$TD_BUILDDIR/timerinfo"
	[ "$status" -eq 0 ]
	[[ $output == *"timerinfo: /proc/timer_list: Permission denied (needs root): tick mode, NOHZ, resolution and timers unknown"* ]]
	[[ $output == *"Tick mode unknown (needs root)"* ]]
	grep -Eq "^  Clocksource +$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)( |\$)" <<<"$output"
	run --separate-stderr as_user "$TD_BUILDDIR/timerinfo" -J
	[ "$status" -eq 0 ]
	[[ $stderr == "timerinfo: /proc/timer_list: Permission denied"* ]]
	local json=$output
	[ "$(jq -r .verdict.tick_mode <<<"$json")" = null ]
	[ "$(jq -r '.unknown["verdict.tick_mode"], .unknown["per_cpu[].tick_mode"]' <<<"$json" | sort -u)" = "needs root" ]
	[ "$(jq -r .timer_list.readable <<<"$json")" = false ]
	[ "$(jq -r '.per_cpu[0].idle_calls' <<<"$json")" = null ]
	[ "$(jq -r .clocksource.current <<<"$json")" != null ]
	[ "$(jq '.posix_clocks | length' <<<"$json")" -ge 8 ]
	[ "$(jq '.per_cpu | length' <<<"$json")" -eq "$(nproc --all)" ]
}

@test "bad arguments exit 2 with a usage line" {
	run timerinfo --bogus
	[ "$status" -eq 2 ]
	[[ $output == *"Try 'timerinfo --help' for more information."* ]]
	run timerinfo extra-arg
	[ "$status" -eq 2 ]
	[[ $output == *"unexpected argument 'extra-arg'"* ]]
	run timerinfo --timer-list
	[ "$status" -eq 2 ]
}

@test "bad timer_list files: one line naming the file, exit 1, no crash" {
	head -c 4096 /dev/urandom > "$TMP/garbage"
	run timerinfo --sysroot "$TMP" --timer-list "$TMP/garbage"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "timerinfo: $TMP/garbage:"* ]]
	: > "$TMP/empty"
	run timerinfo --sysroot "$TMP" --timer-list "$TMP/empty"
	[ "$status" -eq 1 ]
	[[ ${lines[0]} == "timerinfo: $TMP/empty"* ]]
	run timerinfo --sysroot "$TMP" --timer-list "$TMP/missing"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "timerinfo: $TMP/missing: No such file or directory" ]
}

@test "a timer_list cut in the middle of a CPU is reported as truncated, values kept" {
	require_corpus
	local src=$TD_CORPUS/kmatrix/amd64-6.1-generic-smp4-default/proc/timer_list
	head -n 150 "$src" > "$TMP/cut"
	run --separate-stderr timerinfo --sysroot "$TMP" --timer-list "$TMP/cut" -J
	[ "$status" -eq 0 ]
	[ "$(jq .timer_list.truncated <<<"$output")" = true ]
	[ "$(jq '.per_cpu | length' <<<"$output")" -ge 2 ]
	[[ $stderr == "timerinfo: $TMP/cut: truncated"* ]]
}

# A fixture of tests/fixtures/timer_list.
tlfix() {
	echo "$TD_SRCDIR/tests/fixtures/timer_list/$1"
}

@test "a fragment of per-CPU tick devices only: their CPUs, devices and modes; timers unknown" {
	run --separate-stderr timerinfo --sysroot "$TMP" --timer-list "$(tlfix v0.10-fragment-percpu-tickdevs-only.txt)" -J
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.per_cpu[] | [.cpu, .clock_event_device, .tick_mode]]' <<<"$output")" = \
		'[[0,"lapic","highres"],[1,"lapic","highres"]]' ]
	[ "$(jq .timer_list.active_timers <<<"$output")" = null ]
	[ "$(jq -r '.unknown["timer_list.active_timers"] | type' <<<"$output")" = string ]
	run timerinfo --sysroot "$TMP" --timer-list "$(tlfix v0.10-fragment-percpu-tickdevs-only.txt)"
	[[ ${lines[0]} == "High-resolution one-shot timers, NOHZ unknown on all 2 CPUs" ]]
	grep -Eq '^  Timers +unknown \(no CPU block in this timer_list\)$' <<<"$output"
	! grep -q '0 active hrtimers' <<<"$output"
}

@test "a fragment that starts inside a CPU block is read, its CPU number unknown" {
	run --separate-stderr timerinfo --sysroot "$TMP" --timer-list "$(tlfix v0.10-fragment-starts-mid-cpu.txt)" -J
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.per_cpu[] | [.cpu, .nohz_active, .idle_calls]]' <<<"$output")" = '[[null,true,165],[1,true,165]]' ]
	run timerinfo --sysroot "$TMP" --timer-list "$(tlfix v0.10-fragment-starts-mid-cpu.txt)" --cpus
	[ "$status" -eq 0 ]
	grep -Eq '^\? +high resolution +yes' <<<"$output"
}

@test "a tick device before the first CPU block of a partial file is kept" {
	run --separate-stderr timerinfo --sysroot "$TMP" --timer-list "$(tlfix v0.10-partial-tickdev-before-cpu.txt)" -J
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.per_cpu[] | [.cpu, .clock_event_device, .tick_mode, .active_timers]]' <<<"$output")" = \
		'[[0,"lapic","highres",null],[1,null,"highres",2]]' ]
	run timerinfo --sysroot "$TMP" --timer-list "$(tlfix v0.10-partial-tickdev-before-cpu.txt)"
	grep -Eq '^  Timers +2 active hrtimers; unknown on CPU 0 ' <<<"$output"
}

@test "grep Device output: the Clock Event Device lines are reported, the odd first one as broadcast" {
	run --separate-stderr timerinfo --sysroot "$TMP" --timer-list "$(tlfix v0.3-grep-device-3devs.txt)" -J
	[ "$status" -eq 0 ]
	[ "$(jq -r .clockevents.broadcast <<<"$output")" = hpet ]
	[ "$(jq -c '[.clockevents.per_cpu[] | [.cpu, .device]]' <<<"$output")" = '[[0,"lapic"],[1,"lapic"]]' ]
	run timerinfo --sysroot "$TMP" --timer-list "$(tlfix v0.3-grep-device-3devs.txt)"
	grep -Eq '^  Clock events +lapic per CPU; broadcast hpet$' <<<"$output"
}

@test "\"...\" elisions are said in the text as in JSON; counts are lower bounds" {
	run --separate-stderr timerinfo --sysroot "$TMP" --timer-list "$(tlfix v0.10-elided-timers.txt)"
	[ "$status" -eq 0 ]
	grep -Eq '^  Timers +at least 3 active hrtimers \(the file elides lines with "..."\)$' <<<"$output"
	grep -q '(1 line elided with "...")' <<<"$output"
	[[ $stderr == *'1 line elided with "..."; counts are lower bounds'* ]]
	run --separate-stderr timerinfo --sysroot "$TMP" --timer-list "$(tlfix v0.10-elided-timers.txt)" -J
	[ "$(jq .timer_list.elided_lines <<<"$output")" = 1 ]
	[ "$(jq .timer_list.unknown_lines <<<"$output")" = 0 ]
}

@test "-t: KTIME_MAX is never, INT64_MIN is formatted, 2.6.x realtime [in ...] gets its .offset" {
	run --separate-stderr timerinfo --sysroot "$TMP" --timer-list "$(tlfix v0.10-negative-and-ktime-max.txt)" -t
	[ "$status" -eq 0 ]
	grep -Eq '^0 +monotonic +watchdog_timer_fn +never ' <<<"$output"
	run --separate-stderr timerinfo --sysroot "$TMP" --timer-list "$(tlfix v0.10-negative-and-ktime-max.txt)" -t -J
	[ "$(jq -c '[.per_cpu[0].timers[] | .never]' <<<"$output")" = '[false,true]' ]
	run --separate-stderr timerinfo --sysroot "$TMP" --timer-list "$(tlfix v0.10-int64-min.txt)" -t
	[ "$status" -eq 0 ]
	grep -Eq '^0 +monotonic +tick_nohz_handler +-9223372036\.855 s ' <<<"$output"
	grep -Eq '^0 +monotonic +watchdog_timer_fn +-9223372036\.855 s +-1 ns' <<<"$output"
	run --separate-stderr timerinfo --sysroot "$TMP" --timer-list "$(tlfix v0.5-2.6.32-realtime-offset-monotonic-in.txt)" -t
	grep -Eq '^0 +realtime +hrtimer_wakeup +5 s +50 us +cron/812' <<<"$output"
	run --separate-stderr timerinfo --sysroot "$TMP" --timer-list "$(tlfix v0.5-2.6.32-realtime-offset-monotonic-in.txt)" -t -J
	[ "$(jq -c '[.per_cpu[0].timers[] | .expires_in_ns]' <<<"$output")" = '[5000000000,4000000]' ]
}

@test "--kmsg-file: a harness's \"  console: \" prefix is taken off; a failed high-res switch is an event" {
	run --separate-stderr timerinfo --sysroot "$TMP" --kmsg-file "$TD_SRCDIR/tests/fixtures/kmsg/harness-console.txt" --events -J
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.events[] | [.kind, .cpu, .time_ns]]' <<<"$output")" = \
		'[["clocksource_switch",null,512345000],["highres_failed",1,1100000000],["nohz_switch",0,null]]' ]
}

@test "a damaged config.gz: one line naming it; the plain config beside it, else HZ from jiffies (exit 0)" {
	require_corpus
	cp -r "$TD_CORPUS/kmatrix/amd64-6.1-generic-smp4-default" "$TMP/root"
	printf 'CONFIG_HZ=1000\n' | gzip -c > "$TMP/root/proc/config.gz"
	head -c 20 "$TMP/root/proc/config.gz" > "$TMP/cut.gz"
	mv "$TMP/cut.gz" "$TMP/root/proc/config.gz"
	local boot=$(echo "$TMP"/root/boot/config-*)
	[ -f "$boot" ]
	run --separate-stderr timerinfo --sysroot "$TMP/root" -J
	[ "$status" -eq 0 ]
	[ "$stderr" = "timerinfo: $TMP/root/proc/config.gz: corrupt gzip data: unexpected end of file: read $boot instead" ]
	[ "$(jq -r .hz.source <<<"$output")" = config ]
	[ "$(jq .hz.config <<<"$output")" = "$(jq .hz "$TMP/root/truth.json")" ]
	# without the plain config: HZ from the timer_list's jiffies
	rm -r "$TMP/root/boot"
	run --separate-stderr timerinfo --sysroot "$TMP/root" -J
	[ "$status" -eq 0 ]
	[ "$stderr" = "timerinfo: $TMP/root/proc/config.gz: corrupt gzip data: unexpected end of file: HZ taken from elsewhere" ]
	[ "$(jq -r .hz.source <<<"$output")" = jiffies ]
	[ "$(jq .hz.config <<<"$output")" = null ]
	# the boot's own CONFIG_HZ, which the timer_list's jiffies also give
	[ "$(jq .hz.value <<<"$output")" = "$(jq .hz "$TMP/root/truth.json")" ]
}

@test "-h and -V" {
	run timerinfo --help
	[ "$status" -eq 0 ]
	[[ $output == *"--timer-list FILE"* ]]
	run timerinfo -V
	[ "$status" -eq 0 ]
	[[ $output == "timerinfo (timerdiag) "* ]]
}
