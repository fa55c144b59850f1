#!/usr/bin/env bats
# timerprobe as a user runs it, on the live kernel: every mode, the summary,
# slack, overruns, the interval meter, the verdict, privileges and bad input.
# Each run is bounded to about a second.

load helpers

# Run timerprobe with JSON output into $json (fails the test on a bad exit).
probe_json() {
	run timerprobe -J "$@"
	[ "$status" -eq 0 ] || { echo "exit $status: $output" >&2; return 1; }
	json=$output
}

# A JSON field of the last probe_json.
field() {
	jq -r "$1" <<<"$json"
}

# PIDs holding /dev/cpu_dma_latency open.
dma_holders() {
	find /proc/[0-9]*/fd -lname /dev/cpu_dma_latency 2>/dev/null |
		cut -d/ -f3 | sort -u
}

# Wait (up to 10 s) until process $1 catches SIGINT: from then on SIGINT ends
# its run with a report (a background job starts with SIGINT ignored).
wait_catching_sigint() {
	local i k v
	for i in $(seq 1000); do
		while read -r k v; do
			[ "$k" = SigCgt: ] && (( 16#$v & 2 )) && return 0
		done <"/proc/$1/status"
		sleep 0.01
	done
	return 1
}

# True when process $1 has /dev/cpu_dma_latency open now.
holds_dma() {
	[ -n "$(find /proc/"$1"/fd -lname /dev/cpu_dma_latency -print -quit 2>/dev/null)" ]
}

@test "every mode measures exactly the count asked for" {
	local m
	for m in timerfd clock_nanosleep nanosleep poll ppoll epoll select; do
		probe_json -m "$m" -i 2ms -n 37
		[ "$(field .mode)" = "$m" ]
		[ "$(field .count)" -eq 37 ]
		[ "$(field .requested_count)" -eq 37 ]
		[ "$(field .interval_ns)" -eq 2000000 ]
		[ "$(field .stopped_by)" = count ]
		# The histogram accounts for every wake-up.
		[ "$(field '[.histogram[].count] | add')" -eq 37 ]
		# A run of 37 wake-ups of 2 ms takes at least 74 ms.
		[ "$(field .elapsed_ns)" -ge 74000000 ]
	done
}

@test "timerfd and clock_nanosleep on each clock, relative and absolute, count what was asked" {
	local m c a
	for m in timerfd clock_nanosleep; do
		for c in monotonic realtime boottime; do
			for a in "" --abs; do
				probe_json -m "$m" -c "$c" $a -i 1ms -n 25
				[ "$(field .count)" -eq 25 ]
				[ "$(field .clock)" = "$c" ]
				[ "$(field .absolute)" = "$([ -n "$a" ] && echo true || echo false)" ]
			done
		done
	done
}

@test "absolute-time modes never report a negative latency" {
	local m c
	for m in timerfd clock_nanosleep; do
		for c in monotonic boottime realtime; do
			probe_json -m "$m" -c "$c" --abs -i 500us -n 200
			[ "$(field .min_ns)" -ge 0 ]
			[ "$(field .histogram[0].lo_ns)" -ge 0 ]
			[ "$(field .overruns)" -ge 0 ]
		done
	done
}

@test "the summary is ordered and every field is an integer in ns" {
	probe_json -m nanosleep -i 1ms -n 200
	field '[.min_ns, .p50_ns, .p90_ns, .p99_ns, .p999_ns, .max_ns] |
		(. == sort) and all(type == "number" and . == floor)' | grep -qx true
	[ "$(field '.mean_ns >= .min_ns and .mean_ns <= .max_ns')" = true ]
	# A relative sleep cannot overrun: absent with a reason, never 0.
	[ "$(field .overruns)" = null ]
	[ -n "$(field .unknown.overruns)" ]
}

@test "a 5 ms slack raises the median latency of a 1 ms nanosleep well above slack 0" {
	# Slack only delays a wake-up while nothing else wakes the CPU: under
	# the parallel suite another test's timers can end the slack early.
	# Slack never shortens a sleep, so a run where it shows is the proof;
	# up to five tries, each against a fresh slack-0 run.
	local p50_0 try
	for try in 1 2 3 4 5; do
		probe_json -m nanosleep -i 1ms -n 100 --slack 0
		p50_0=$(field .p50_ns)
		[ "$(field .slack_ns)" -eq 1 ]
		probe_json -m nanosleep -i 1ms -n 100 --slack 5ms
		[ "$(field .slack_ns)" -eq 5000000 ]
		[ "$(field .applied_slack_ns)" -eq 5000000 ]
		echo "try $try: p50 slack 0: $p50_0 ns, slack 5 ms: $(field .p50_ns) ns"
		[ "$(field .p50_ns)" -ge $((p50_0 + 1000000)) ] && break
		sleep 1
	done
	[ "$(field .p50_ns)" -ge $((p50_0 + 1000000)) ]
	field .verdict | grep -Eq 'slack (of 5 ms dominates|adds 5 ms)'
}

@test "a timerfd ignores the timer slack" {
	probe_json -m timerfd -i 1ms -n 100 --slack 5ms
	[ "$(field .slack_ns)" -eq 5000000 ]
	[ "$(field .applied_slack_ns)" -eq 0 ]
	[ "$(field .p50_ns)" -lt 2500000 ]
	field .verdict | grep -q 'timerfd ignores timer slack'
}

@test "a 1 ns interval reports overruns" {
	probe_json -m timerfd -i 1ns -n 100
	[ "$(field .count)" -eq 100 ]
	[ "$(field .overruns)" -gt 0 ]
	probe_json -m clock_nanosleep --abs -i 1ns -n 100
	[ "$(field .overruns)" -gt 0 ]
	[ "$(field .min_ns)" -ge 0 ]
	run timerprobe -i 1ns -n 100
	[ "$status" -eq 0 ]
	[[ "$output" =~ overruns:\ +[1-9] ]]
	[[ "${lines[0]}" =~ \;\ [1-9][0-9]*\ overruns\; ]]
}

@test "--interval-meter: the timer's count matches the clock's own delta" {
	probe_json --interval-meter --read-every 1ms -n 500
	[ "$(field .mode)" = interval-meter ]
	[ "$(field .interval_ns)" -eq 1 ]
	[ "$(field .count)" -eq 500 ]
	local exp delta
	exp=$(field .expired_ns)
	delta=$(field .clock_delta_ns)
	echo "expired $exp ns, clock delta $delta ns"
	[ "$delta" -gt 0 ]
	[ "$(field .expirations)" -eq "$exp" ]
	# Over the run the counts telescope: the kernel moved the count on inside
	# the first and the last read, so the timer's span lies within the clock's
	# bracket of those reads (one interval of rounding at each end).
	[ "$exp" -ge $(($(field .clock_delta_min_ns) - 1)) ]
	[ "$exp" -le $(($(field .clock_delta_max_ns) + 1)) ]
	[ "$(field .clock_delta_min_ns)" -le "$delta" ]
	[ "$(field .clock_delta_max_ns)" -ge "$delta" ]
	# Each read saw at least one expiration, and most saw many (1 ns each).
	[ "$(field .expirations_per_read_min)" -ge 1 ]
	[ "$(field .expirations_per_read_max)" -gt 1 ]
	field .verdict | grep -q '^interval meter: timerfd counted .*, consistent with the clock)'
}

@test "--interval-meter with a 10 us interval and another clock" {
	probe_json --interval-meter -c boottime -i 10us --read-every 1ms -n 300
	[ "$(field .clock)" = boottime ]
	local exp delta
	exp=$(field .expired_ns)
	delta=$(field .clock_delta_ns)
	# 300 reads of at least 10 us each.
	[ "$delta" -ge 3000000 ]
	[ "$exp" -ge $(($(field .clock_delta_min_ns) - 10000)) ]
	[ "$exp" -le $(($(field .clock_delta_max_ns) + 10000)) ]
}

@test "the verdict comes first, in text and in JSON" {
	run timerprobe -m nanosleep -n 50
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "verdict: effective granularity about "*@(" dominates"|" share it")* ]]
	[[ "${lines[0]}" == *"kernel advertises "*"(clock_getres)"* ]]
	[[ "$output" == *"latency:"*"p50"*"p99.9"* ]]
	probe_json -m nanosleep -n 50
	[[ "$(field .verdict)" == "effective granularity about "* ]]
	[ "$(field .version)" -eq 2 ]
	[ "$(field .tool)" = timerprobe ]
	[ "$(field .clock_getres_ns)" -ge 1 ]
}

@test "advertised resolution: clock_getres and, as root, timer_list" {
	require_root
	probe_json -n 20
	local res
	res=$(awk '/\.resolution:/ { print $2; exit }' /proc/timer_list)
	[ "$(field .timer_list_resolution_ns)" -eq "$res" ]
	# clock_getres of an hrtimer clock is hrtimer_resolution, what timer_list prints.
	[ "$(field .clock_getres_ns)" -eq "$res" ]
}

# The bytes read from timer_list's descriptors in strace output $1, and whether
# a read met the file's end.
timer_list_reads() {
	awk '/^openat2?\(.*proc\/timer_list"/ { fd = $NF + 0; next }
		fd && index($0, "read(" fd ",") == 1 { n += $NF; if ($NF == 0) e = 1 }
		fd && index($0, "close(" fd ")") == 1 { fd = 0 }
		END { print n + 0, e + 0 }' "$1"
}

@test "the running kernel's timer_list is opened, not read: clock_getres says its resolution" {
	require_root
	command -v strace >/dev/null || skip "no strace"
	# (LeakSanitizer cannot run under ptrace: no leak check in this run.)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		run strace -e trace=openat,read,close -o "$TMP/trace" timerprobe -J -n 2
	[ "$status" -eq 0 ]
	json=$output
	grep -q 'openat(.*"/proc/timer_list"' "$TMP/trace"
	local got eof
	read -r got eof < <(timer_list_reads "$TMP/trace")
	echo "read $got bytes of $(wc -c </proc/timer_list)"
	# Reading it has the kernel format every timer of its first CPU block.
	[ "$got" -eq 0 ]
	# What the file says all the same.
	[ "$(field .timer_list_resolution_ns)" -eq "$(awk '/\.resolution:/ { print $2; exit }' /proc/timer_list)" ]
}

@test "a captured timer_list is read only as far as its first CPU block" {
	require_corpus
	command -v strace >/dev/null || skip "no strace"
	local c=$TD_CORPUS/kmatrix/amd64-6.1-generic-smp4-default
	[ -f "$c/proc/timer_list" ] || skip "no 4-CPU capture"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		run strace -e trace=openat,openat2,read,close -o "$TMP/trace" \
		timerprobe -J -n 2 --sysroot "$c"
	[ "$status" -eq 0 ]
	json=$output
	local got eof
	read -r got eof < <(timer_list_reads "$TMP/trace")
	echo "read $got bytes of $(wc -c <"$c/proc/timer_list"), end reached: $eof"
	[ "$got" -gt 0 ]
	[ "$got" -lt "$(wc -c <"$c/proc/timer_list")" ]
	[ "$eof" -eq 0 ]
	[ "$(field .timer_list_resolution_ns)" -eq "$(truth "$c" '.resolution_ns[0]')" ]
}

@test "timerprobe maps no trace.dat or BPF library (--fifo locks all it maps)" {
	# It reads no trace.dat and its --break sampler is the tracefs one.
	run ldd "$(command -v timerprobe)"
	echo "$output"
	! grep -E 'lib(tracecmd|bpf|zstd|elf)\.' <<<"$output"
}

@test "--fifo on every CPU locks memory once, not once per CPU" {
	require_root
	command -v strace >/dev/null || skip "no strace"
	[ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] || skip "one CPU"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		run strace -f -e trace=mlockall -o "$TMP/trace" timerprobe -J -S -n 2 --fifo 1
	[ "$status" -eq 0 ]
	cat "$TMP/trace"
	local calls
	calls=$(grep -c 'mlockall(' "$TMP/trace") || true
	# AddressSanitizer's mlockall returns without the system call.
	[ "$calls" -gt 0 ] || skip "no mlockall reached the kernel (a sanitizer build)"
	[ "$calls" -eq 1 ]
	# Still all of it for the whole run (MCL_FUTURE), as cyclictest does.
	grep -q 'mlockall(MCL_CURRENT|MCL_FUTURE' "$TMP/trace"
}

@test "absolute waits still report the loop overhead, from the second sample on" {
	probe_json -m clock_nanosleep --abs -i 200us -n 2
	[ "$(field .loop_overhead_ns)" -ge 0 ]
	probe_json -m timerfd -i 200us -n 300
	[ "$(field .loop_overhead_ns)" -gt 0 ]
}

@test "--sysroot reads the advertised resolution of every capture" {
	require_corpus
	local c want
	while read -r c; do
		want=$(truth "$c" '.resolution_ns[0]')
		probe_json -n 5 --sysroot "$c"
		echo "$c: want $want, got $(field .timer_list_resolution_ns)"
		[ "$(field .timer_list_resolution_ns)" -eq "$want" ]
		field .verdict | grep -q 'timer_list under --sysroot'
	done < <(kmatrix_captures)
}

@test "without root the timer_list resolution is absent with a reason, not 0" {
	require_user_access
	run as_user timerprobe -J -n 10
	[ "$status" -eq 0 ]
	json=$output
	[ "$(field .timer_list_resolution_ns)" = null ]
	[ "$(field .unknown.timer_list_resolution_ns)" = "needs root" ]
	[ "$(field .count)" -eq 10 ]
}

@test "-D stops after the duration" {
	probe_json -m clock_nanosleep --abs -i 10ms -D 300ms
	[ "$(field .stopped_by)" = duration ]
	[ "$(field .elapsed_ns)" -ge 300000000 ]
	# Every 10 ms period of the 300 ms is either a wake-up or an overrun
	# (a few may be lost to a late last wake-up on a loaded machine).
	[ "$(field .count)" -ge 1 ]
	[ "$(field '.count + .overruns')" -ge 25 ]
	[ "$(field '.count + .overruns')" -le 31 ]
	[ "$(field .requested_count)" = null ]
}

@test "SIGINT ends the run early with a report" {
	local out=$BATS_TEST_TMPDIR/out pid
	timerprobe -J -m nanosleep -i 1ms -n 100000 >"$out" &
	pid=$!
	wait_catching_sigint "$pid"
	sleep 0.3
	kill -INT "$pid"
	wait "$pid"
	json=$(cat "$out")
	[ "$(field .stopped_by)" = signal ]
	[ "$(field .count)" -gt 0 ]
	[ "$(field .count)" -lt 100000 ]
}

@test "--fifo and --cpu as root: the settings hold and FIFO gets no slack" {
	require_root
	probe_json -m nanosleep --fifo 10 --cpu 0 -i 1ms -n 50 --slack 5ms
	[ "$(field .fifo_priority)" -eq 10 ]
	[ "$(field .cpu)" -eq 0 ]
	[ "$(field .applied_slack_ns)" -eq 0 ]
	[ "$(field .p50_ns)" -lt 2500000 ]
}

@test "--fifo and --dma-latency without root fail with one line and exit 1" {
	require_user_access
	run as_user timerprobe --fifo 10 -n 5
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == "timerprobe: --fifo 10: "*"root"* ]]
	run as_user timerprobe --dma-latency -n 5
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == "timerprobe: /dev/cpu_dma_latency: "*"needs root"* ]]
}

@test "--dma-latency holds /dev/cpu_dma_latency during the run and releases it" {
	require_root
	[ -c /dev/cpu_dma_latency ] || skip "no /dev/cpu_dma_latency"
	local before out=$BATS_TEST_TMPDIR/out pid seen=0 i
	before=$(dma_holders)
	# A long run, ended by SIGINT once the file is seen open (or after 5 s).
	timerprobe -J --dma-latency -m nanosleep -i 1ms -n 100000 >"$out" &
	pid=$!
	wait_catching_sigint "$pid"
	for i in $(seq 250); do
		holds_dma "$pid" && { seen=1; break; }
		sleep 0.02
	done
	kill -INT "$pid"
	wait "$pid"
	[ "$seen" -eq 1 ]
	json=$(cat "$out")
	[ "$(field .dma_latency)" = true ]
	[ "$(field .stopped_by)" = signal ]
	[ "$(field .count)" -gt 0 ]
	[ "$(dma_holders)" = "$before" ]
}

@test "without --dma-latency /dev/cpu_dma_latency is never opened" {
	require_root
	[ -c /dev/cpu_dma_latency ] || skip "no /dev/cpu_dma_latency"
	local out=$BATS_TEST_TMPDIR/out pid seen=0 i
	timerprobe -J -m nanosleep -i 1ms -n 100000 >"$out" &
	pid=$!
	wait_catching_sigint "$pid"
	# Look fifteen times over at least 0.3 s, then end the run.
	for i in $(seq 250); do
		holds_dma "$pid" && seen=1
		[ "$i" -ge 15 ] && break
		sleep 0.02
	done
	kill -INT "$pid"
	wait "$pid"
	[ "$seen" -eq 0 ]
	json=$(cat "$out")
	[ "$(field .dma_latency)" = false ]
	[ "$(field .count)" -gt 0 ]
}

# A usage error: exit 2, "timerprobe: ..." naming the problem, then the --help hint.
usage_error() {
	local want=$1
	shift
	run timerprobe "$@"
	echo "$output"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == "timerprobe: "*"$want"* ]]
	[ "${lines[1]}" = "Try 'timerprobe --help' for more information." ]
}

@test "bad arguments: one clear line and exit 2" {
	usage_error "--interval: '0' must be positive" -i 0
	usage_error "--interval: '0ns' must be positive" -i 0ns
	usage_error "--interval: '-1ms' must be positive" -i -1ms
	usage_error "--interval: '5 parsecs' is not a duration" -i '5 parsecs'
	usage_error "--interval: '2h' is not a duration" -i 2h
	usage_error "--interval: '90s' is too large" -i 90s
	usage_error "--clock: unknown clock 'tai'" -c tai
	usage_error "--mode: unknown mode 'spin'" -m spin
	usage_error "--count: '0' is too small" -n 0
	usage_error "--count: '99999999999' is too large" -n 99999999999
	usage_error "--count: '-5' is too small" -n -5
	usage_error "--count: 'ten' is invalid" -n ten
	usage_error "--duration: '0s' must be positive" -D 0s
	usage_error "--slack: '-1us' must be zero or more" --slack -1us
	usage_error "--fifo: '100' is too large" --fifo 100
	usage_error "--cpu: CPU 1000 is not online" --cpu 1000
	usage_error "--abs: mode nanosleep" -m nanosleep --abs
	usage_error "--clock: mode poll" -m poll -c realtime
	usage_error "--interval: poll() timeout takes whole milliseconds" -m poll -i 1500us
	usage_error "--interval: select() timeout takes whole microseconds" -m select -i 1500ns
	usage_error "--interval-meter uses a timerfd" --interval-meter -m nanosleep
	usage_error "unexpected argument 'extra'" -n 5 extra
	usage_error "unrecognized option '--bogus'" --bogus
}

@test "--help, --version" {
	run timerprobe --help
	[ "$status" -eq 0 ]
	[[ "$output" == *--interval-meter* ]]
	[[ "$output" == *--dma-latency* ]]
	run timerprobe -V
	[ "$status" -eq 0 ]
	[[ "$output" == "timerprobe (timerdiag) "* ]]
}

# The online CPUs as a JSON array.
online_cpus_json() {
	cpulist_json "$(cat /sys/devices/system/cpu/online)"
}

# The LOC count of CPU $1 now.
loc_of() {
	awk -v c="$1" '$1 == "LOC:" { print $(c + 2) }' /proc/interrupts
}

# The LOC interrupts of CPU $1 over 2 s of sleeping there.
loc_baseline() {
	local a b
	a=$(loc_of "$1")
	taskset -c "$1" sleep 2
	b=$(loc_of "$1")
	echo $((b - a))
}

@test "--cpus all: a pinned thread on every online CPU, each counting what was asked" {
	local online n
	online=$(online_cpus_json)
	n=$(jq length <<<"$online")
	probe_json --cpus all -i 1ms -n 60
	[ "$(field '.per_cpu | length')" -eq "$n" ]
	# The CPU set itself is the kernel's list, as /sys/devices/system/cpu/online says it.
	[ "$(field .cpus)" = "$(cat /sys/devices/system/cpu/online)" ]
	[ "$(field '[.per_cpu[].cpu]')" = "$(jq -c . <<<"$online" | jq .)" ]
	[ "$(field '[.per_cpu[] | select(.count == 60 and .stopped_by == "count")] | length')" -eq "$n" ]
	# Every CPU's figures are integers in order; the whole is every sample.
	[ "$(field '[.per_cpu[] | select((.min_ns | type) == "number" and .min_ns <= .p50_ns and
	    .p50_ns <= .p99_ns and .p99_ns <= .max_ns and .loop_overhead_ns > 0 and
	    .cpu_time_ns > 0 and (.overruns | type) == "number")] | length')" -eq "$n" ]
	[ "$(field .count)" -eq $((60 * n)) ]
	[ "$(field '[.histogram[].count] | add')" -eq $((60 * n)) ]
	[ "$(field .min_ns)" -eq "$(field '[.per_cpu[].min_ns] | min')" ]
	[ "$(field .max_ns)" -eq "$(field '[.per_cpu[].max_ns] | max')" ]
	# -S is the same request; a list picks CPUs, each pinned where asked.
	probe_json -S -n 20
	[ "$(field '[.per_cpu[] | select(.count == 20)] | length')" -eq "$n" ]
	probe_json --cpus "$(jq '.[-1]' <<<"$online")" -n 20 -m clock_nanosleep --abs
	[ "$(field '[.per_cpu[].cpu]')" = "[\n  $(jq '.[-1]' <<<"$online")\n]" ] ||
		[ "$(field '.per_cpu[0].cpu')" -eq "$(jq '.[-1]' <<<"$online")" ]
	[ "$(field '.per_cpu | length')" -eq 1 ]
	run timerprobe --cpus all -n 20
	[ "$status" -eq 0 ]
	[[ "$output" == *"per CPU:"* ]]
}

@test "--samples: every sample in order; the file's own percentiles are the report's" {
	local f=$BATS_TEST_TMPDIR/samples online n
	probe_json -n 300 -i 200us --samples "$f"
	[ "$(wc -l <"$f")" -eq 300 ]
	# Unpinned: CPU "-", numbered 0..299 in the order measured.
	[ "$(awk '$1 == "-" && $2 == NR - 1 && $3 ~ /^-?[0-9]+$/' "$f" | wc -l)" -eq 300 ]
	# Nearest rank over the file gives the report's min, p50, p99 and max.
	read -r mn p50 p99 mx < <(sort -n -k3 "$f" | awk '{ v[NR] = $3 } END {
		r50 = int(NR * 0.5); if (r50 < NR * 0.5) r50++
		r99 = int(NR * 0.99); if (r99 < NR * 0.99) r99++
		print v[1], v[r50], v[r99], v[NR] }')
	[ "$mn" -eq "$(field .min_ns)" ] && [ "$p50" -eq "$(field .p50_ns)" ]
	[ "$p99" -eq "$(field .p99_ns)" ] && [ "$mx" -eq "$(field .max_ns)" ]
	# Every CPU: its own lines, as many as asked, numbered from 0.
	online=$(online_cpus_json)
	n=$(jq length <<<"$online")
	probe_json -S -n 40 --samples "$f"
	[ "$(wc -l <"$f")" -eq $((40 * n)) ]
	for c in $(jq '.[]' <<<"$online"); do
		[ "$(awk -v c="$c" '$1 == c' "$f" | wc -l)" -eq 40 ]
		[ "$(awk -v c="$c" '$1 == c { print $2 }' "$f" | sort -n | tail -1)" -eq 39 ]
		[ "$(awk -v c="$c" '$1 == c { print $3 }' "$f" | sort -n | head -1)" -eq \
		    "$(field ".per_cpu[] | select(.cpu == $c) | .min_ns")" ]
	done
	# A file that cannot be written: one line naming it, exit 1, before the run.
	run timerprobe -n 5 --samples "$BATS_TEST_TMPDIR/no/such/dir/f"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"$BATS_TEST_TMPDIR/no/such/dir/f"* ]]
}

# A timer file per CPU: a big machine has more CPUs than the usual soft limit
# of open files (1,024).  With the soft limit below a file per CPU, timerprobe
# raises it to the hard limit and measures every CPU.
@test "--cpus all with open files limited below a file per CPU: every CPU measured" {
	local n
	n=$(jq length <<<"$(online_cpus_json)")
	[ "$n" -ge 2 ] || skip "one CPU"
	json=$(limited_files "-S -n 4" "$TD_BUILDDIR/timerprobe" -J --cpus all -i 1ms -n 20)
	[ "$(field '[.per_cpu[] | select(.count == 20)] | length')" -eq "$n" ]
}

@test "--cpus: a CPU that is not online, or not a list, is a usage error" {
	run timerprobe --cpus 9999 -n 1
	[ "$status" -eq 2 ]
	[[ "$output" == *"--cpus: '9999' names a CPU that is not online"* ]]
	run timerprobe --cpus x -n 1
	[ "$status" -eq 2 ]
	run timerprobe --cpus all --cpu 0 -n 1
	[ "$status" -eq 2 ]
	run timerprobe --interval-meter --cpus all -n 1
	[ "$status" -eq 2 ]
	run timerprobe --trace-on-break /tmp/x -n 1
	[ "$status" -eq 2 ]
}

@test "on a terminal a live line per CPU is refreshed and cleared; --quiet has none" {
	command -v script >/dev/null || skip "no script(1)"
	local out
	out=$(script -qec "timerprobe --cpus all -i 1ms -n 1600" /dev/null)
	# At least the first showing and one refresh a second later, per CPU.
	[ "$(grep -o 'cpu   0: cur' <<<"$out" | wc -l)" -ge 2 ]
	[[ "$out" == *"p99 "* && "$out" == *" n "* ]]
	# Cleared (cursor up, erase below) before the report.
	[[ "$out" == *$'\e[J'* ]]
	[[ "$out" == *"verdict:"* ]]
	out=$(script -qec "timerprobe --cpus all -i 1ms -n 1600 --quiet" /dev/null)
	[[ "$out" != *"cur "* ]]
	[[ "$out" == *"verdict:"* ]]
	# Not on a pipe either.
	run timerprobe -n 1200
	[[ "$output" != *"cur "* ]]
}

@test "--break as root: a SCHED_FIFO spinner on the CPU stops the run and is named" {
	require_root
	command -v chrt >/dev/null || skip "no chrt"
	local cpu base limit out=$BATS_TEST_TMPDIR/break.json trace=$BATS_TEST_TMPDIR/t.txt pid sp
	cpu=$(jq '.[-1]' <<<"$(online_cpus_json)")
	# The probe runs at SCHED_FIFO 1, so that the ordinary tasks of a shared
	# machine cannot delay it past the limit; the spinner above it can.
	# The baseline: the worst wake-up of an undisturbed second on that CPU.
	probe_json --cpus "$cpu" -i 1ms -n 1000 --fifo 1
	base=$(field .max_ns)
	limit=$((base * 4 > 20000000 ? base * 4 : 20000000))
	echo "baseline max $base ns, limit $limit ns"
	timerprobe -J --cpus "$cpu" -i 1ms -D 30 --fifo 1 --break "${limit}ns" \
		--trace-on-break "$trace" >"$out" &
	pid=$!
	sleep 1
	# 0.4 s of spinning at SCHED_FIFO 2 on that CPU, ending by itself.
	chrt -f 2 taskset -c "$cpu" bash -c \
		'end=$(( ${EPOCHREALTIME/./} + 400000 )); while (( ${EPOCHREALTIME/./} < end )); do :; done' &
	sp=$!
	wait "$sp"
	wait "$pid"
	json=$(cat "$out")
	echo "$json" | jq -c .break
	[ "$(field .stopped_by)" = break ]
	[ "$(field .break.hit)" = true ]
	[ "$(field .break.cpu)" -eq "$cpu" ]
	[ "$(field .break.latency_ns)" -gt "$limit" ]
	# The spinner is named (by its comm when it was switched in: chrt,
	# taskset or bash, the one process exec'ing along).
	if ! field .break.cause | grep -Eq "task ((chrt|taskset|bash) \(pid $sp\)|pid $sp) (was running|ran)"; then
		# The task at the due time is the common pid of the window's first
		# events, so the spinner is named even when its switch-in was not
		# kept; only a CPU whose events say idle at the due time lands here.
		[ "$(field .break.task_pid)" = 0 ] &&
			skip "the events at the due time say the CPU was idle, not spinning: the stall came from outside the guest?"
		false
	fi
	[ "$(field .break.events_between)" -gt 0 ]
	# The tasks that held the CPU in the window, each with its time there:
	# together no more than the window, the spinner most of it (it spun
	# above the probe's priority while the probe waited to run).
	local window spun
	window=$(($(field .break.actual_mono_ns) - $(field .break.intended_mono_ns)))
	jq -c .break.tasks <<<"$json"
	[ "$(field '.break.tasks | length')" -gt 0 ]
	[ "$(field '[.break.tasks[] | select(.on_cpu_ns >= 0)] | length')" -eq "$(field '.break.tasks | length')" ]
	[ "$(field '[.break.tasks[].on_cpu_ns] | add')" -le "$window" ]
	spun=$(field "[.break.tasks[] | select(.pid == $sp) | .on_cpu_ns] | add // 0")
	echo "window $window ns, spinner $spun ns"
	[ "$spun" -ge $((window / 2)) ]
	# The trace saved reads back through the project's text trace reader.
	[ -s "$trace" ]
	run timerstat --trace "$trace" -J
	[ "$status" -eq 0 ]
	[ "$(jq '.samples[0].total_events' <<<"$output")" -gt 0 ]
	# It holds the spinner: an event it ran into, or its switch-in.
	grep -Eq -- "-$sp +\[0*$cpu\] |next_pid=$sp " "$trace"
	# The sampler's instance is gone.
	[ -z "$(ls /sys/kernel/tracing/instances | grep "timerdiag-$pid")" ]
}

@test "--break without root still stops, and says the cause needs root" {
	require_user_access
	run as_user timerprobe -J --break 1ns -i 1ms -n 1000
	[ "$status" -eq 0 ]
	json=$output
	[ "$(field .stopped_by)" = break ]
	[ "$(field .count)" -lt 1000 ]
	[ "$(field .break.hit)" = true ]
	[ "$(field .break.cause)" = null ]
	field '.unknown["break.cause"]' | grep -q "needs root"
	run as_user timerprobe --break 1ns -i 1ms -n 1000
	[ "$status" -eq 0 ]
	[[ "$output" == *"cause:      unknown: naming the cause needs root"* ]]
}

@test "--interval-meter reads at its cadence: few timer interrupts, the clock's own time" {
	require_root
	local cpu b base loc n exp delta
	cpu=$(jq '.[-1]' <<<"$(online_cpus_json)")
	# The baseline: this CPU's timer interrupts over 2 s without us, before
	# and after (the machine is shared: the larger of the two).
	base=$(loc_baseline "$cpu")
	# A meter read by blocking on itself every 10 ms: one interrupt per read.
	probe_json --interval-meter --cpu "$cpu" -i 10ms -D 2
	b=$(loc_baseline "$cpu")
	[ "$b" -le "$base" ] || base=$b
	n=$(field .count)
	loc=$(field .local_timer_interrupts)
	echo "baseline $base, meter $loc over $n reads"
	[ "$(field .meter_cpu)" -eq "$cpu" ]
	[ "$(field .read_pacing)" = "blocking read" ]
	[ "$n" -ge 150 ] && [ "$n" -le 201 ]
	# One interrupt a read, and up to two more left to the machine's noise
	# around the baseline: a CPU that stays busy past a tick after a read gets
	# the tick too (a sanitizer build's read is slower: seen 2.35 a read).  A
	# meter that spun would take thousands.
	[ $((loc - base)) -lt $((3 * n)) ]
	exp=$(field .expired_ns)
	delta=$(field .clock_delta_ns)
	awk -v e="$exp" -v d="$delta" 'BEGIN { r = e / d; exit !(r > 0.999 && r < 1.001) }'
	[ "$(field .overruns)" = null ]
	# The 1 ns meter paced every 10 ms: a read per cadence, not a busy loop.
	probe_json --interval-meter --cpu "$cpu" -D 2
	b=$(loc_baseline "$cpu")
	[ "$b" -le "$base" ] || base=$b
	n=$(field .count)
	loc=$(field .local_timer_interrupts)
	echo "baseline $base, 1 ns meter $loc over $n reads"
	[ "$(field .read_pacing)" = clock_nanosleep ]
	[ "$n" -ge 150 ] && [ "$n" -le 201 ]
	# Each read re-arms the 1 ns timer, which is due at once: two interrupts
	# a read on an idle CPU (the paced wake-up and that expiry; the kernel
	# gives the count only through a read that restarts the timer, see
	# src/timerprobe/meter.c), never thousands.  Up to two more a read are
	# left to the shared machine's noise around the baseline, as above.
	[ $((loc - base)) -lt $((4 * n)) ]
	# Its own CPU: well under 10 % of one CPU (the old busy loop took 100 %).
	[ "$(field .cpu_time_ns)" -lt $(($(field .elapsed_ns) / 10)) ]
	exp=$(field .expired_ns)
	delta=$(field .clock_delta_ns)
	awk -v e="$exp" -v d="$delta" 'BEGIN { r = e / d; exit !(r > 0.999 && r < 1.001) }'
}
