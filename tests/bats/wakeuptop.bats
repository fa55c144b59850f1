#!/usr/bin/env bats
# wakeuptop as a user runs it: the screen driven through tmux (keys, resize,
# signals, the terminal afterwards), batch mode and JSON Lines on the live
# machine as root and as nobody, captured trees, and bad command lines.

load helpers
bats_require_minimum_version 1.5.0

TRACING=/sys/kernel/tracing

setup() {
	TMP=$(mktemp -d)
	chmod 755 "$TMP"
	# A tmux server of our own per test: its environment is ours (PATH, TD_*).
	SOCK="wt-$$-${BATS_TEST_NUMBER}"
	SESS="wakeuptop-$$-${BATS_TEST_NUMBER}"
}

teardown() {
	tmux_end "$SOCK"
	# A helper a failed test left running (a sleeper) ends with it.
	kill $(jobs -p) 2>/dev/null || true
	rm -rf "$TMP"
}

# Start wakeuptop in a detached 120x40 pane; afterwards the pane's shell records
# the exit code and the terminal settings, then stays open for capture-pane.
start_wt() {
	require_tmux
	tmux -L "$SOCK" -f /dev/null new-session -d -s "$SESS" -x 120 -y 40 \
		"TERM=xterm-256color; export TERM; wakeuptop $*; echo \"EXIT=\$?\"; \
		stty -a > '$TMP/stty'; exec sleep 600"
	# Opening the tracefs backend can take a minute in a sanitizer build.
	wait_screen 'q quit' 1800
}

# The pid of wakeuptop in the pane.
wt_pid() {
	local shell
	shell=$(tmux -L "$SOCK" display-message -p -t "$SESS" '#{pane_pid}')
	pgrep -P "$shell" -x wakeuptop
}

# The list rows: the lines between the column header and the status line.
rows() {
	screen | awk '/^ *WAKEUPS/ { on = 1; next } /q quit/ { on = 0 } on && NF'
}

# The column header, the sort column marked: wakeups and events both there.
HEAD_WAKE='^ *WAKEUPS +WAKE/S\* +EVENTS +EVENT/S +CPU '
HEAD_EVENTS='^ *WAKEUPS +WAKE/S +EVENTS +EVENT/S\* +CPU '

# Idle share (percent) of CPU $1 between two copies of /proc/stat ($2, $3).
idle_pct() {
	local a b
	a=$(grep "^cpu$1 " "$2")
	b=$(grep "^cpu$1 " "$3")
	echo "$a $b" | awk '{ t1 = 0; t2 = 0
		for (i = 2; i <= 11; i++) t1 += $i
		for (i = 13; i <= 22; i++) t2 += $i
		printf "%d\n", 100 * (($16 + $17) - ($5 + $6)) / (t2 - t1) }'
}

# The idlest CPU now (over half a second).
idlest_cpu() {
	local c best=0 max=-1 p
	cat /proc/stat > "$TMP/stat0"
	sleep 0.5
	cat /proc/stat > "$TMP/stat1"
	for c in $(seq 0 $(($(getconf _NPROCESSORS_ONLN) - 1))); do
		p=$(idle_pct "$c" "$TMP/stat0" "$TMP/stat1")
		[ "$p" -gt "$max" ] && { max=$p; best=$c; }
	done
	echo "$best"
}

# No tracefs instance of wakeuptop pid $1 is left (other tools' tests may run
# beside ours, so only our own instance is looked at).
no_instance() {
	[ -n "$1" ] || return 1
	if [ -e "$TRACING/instances/timerdiag-$1" ]; then
		echo "instance timerdiag-$1 left behind" >&2
		return 1
	fi
}

# Run wakeuptop with bats' run, remembering its pid in $WT_PID.
run_wt() {
	local expect=$1
	shift
	run "$expect" sh -c 'echo $$ > "$0"; exec "$@"' "$TMP/pid" "$@"
	WT_PID=$(cat "$TMP/pid")
}

# The terminal the pane's shell got back is sane: canonical mode and echo.
terminal_sane() {
	local i
	for i in $(seq 100); do
		[ -s "$TMP/stty" ] && break
		sleep 0.1
	done
	grep -Eq '(^| )icanon( |$)' "$TMP/stty" || { cat "$TMP/stty" >&2; return 1; }
	grep -Eq '(^| )echo( |$)' "$TMP/stty" || { cat "$TMP/stty" >&2; return 1; }
	grep -Eq '(^| )-icanon( |$)|(^| )-echo( |$)' "$TMP/stty" && return 1
	return 0
}

@test "screen: header facts from the live machine, a sample, the selected row" {
	require_root
	start_wt --source tracefs -d 0.5
	wait_screen 'Events: '
	wait_screen ' in 0.'
	local s cs rel
	s=$(screen)
	cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
	rel=$(uname -r)
	echo "$s" | grep -F "wakeuptop - $(uname -n) - Linux $rel"
	echo "$s" | grep -F "Clocksource: $cs"
	echo "$s" | grep -E 'Tick: (highres|nohz_lowres|periodic)'
	echo "$s" | grep -F 'Backend: tracefs'
	echo "$s" | grep -F 'Interval: 500 ms'
	echo "$s" | grep -E 'Lost: [0-9]+'
	echo "$s" | grep -F 'Group: comm'
	# Wakeups are idle exits, counted, and events are apart from them.
	echo "$s" | grep -E '^Wakeups: [0-9.]+k?/s \([0-9]+ idle exits in 0\.[0-9]+ s\)   Events: [0-9.]+k?/s \([0-9]+ in 0\.'
	echo "$s" | grep -E "$HEAD_WAKE"
	echo "$s" | grep -E '^cpu0 wake [0-9.]+k?/s\*? ev [0-9.]+k?/s loc '
	[ "$(rows | wc -l)" -ge 1 ]
	local pid
	pid=$(wt_pid)
	keys q
	wait_screen 'EXIT=0'
	terminal_sane
	no_instance "$pid"
}

@test "screen: sort keys move the sort column and back" {
	start_wt --source interrupts -d 0.5
	# The sources' wakeups are not counted here: events sort.
	wait_screen 'EVENT/S*'
	keys '>'
	wait_screen 'sorted by cpus'
	screen | grep -E '^ *WAKEUPS +WAKE/S +EVENTS +EVENT/S +CPU\^'
	keys '<'
	wait_screen 'sorted by rate'
	screen | grep -E "$HEAD_EVENTS"
	keys s
	wait_screen 'sorted by cpus'
	keys q
	wait_screen 'EXIT=0'
}

@test "screen: name, kind and pid filters narrow the list; empty clears them" {
	start_wt --source interrupts -d 0.5
	wait_screen ' in 0.'
	keys / z z z n o m a t c h Enter
	wait_screen 'Filter: name "zzznomatch"'
	wait_screen '(no wakeup source matches the filter in this interval)'
	# No shown source: 0 events on the CPU, its wakeups what they are (or ?).
	screen | grep -E '^cpu0 wake [^ ]+ ev 0/s '
	keys / C-u Enter
	wait_gone 'Filter:'
	# Interrupts only: no timer rows.
	keys i
	wait_screen 'Filter: interrupts only'
	sleep 1.2
	! rows | grep -Ew 'timer|hrtimer'
	# Timers only: no interrupt rows.
	keys t
	wait_screen 'Filter: timers only'
	sleep 1.2
	! rows | grep -Ew 'irq|vector|softirq'
	keys a
	wait_gone 'Filter:'
	# Case-insensitive name: LOC as "loc" (the local timer row, any backend on x86).
	keys i / l o c Enter
	wait_screen 'name "loc"'
	sleep 1.2
	rows | grep -iq loc
	! rows | grep -viq loc
	keys p 1 Enter
	wait_screen ', process 1,'
	keys q
	wait_screen 'EXIT=0'
}

@test "screen: space pauses the display, help opens and closes" {
	start_wt --source interrupts -d 0.3
	wait_screen ' in 0.'
	keys Space
	wait_screen '[PAUSED]'
	local a b
	a=$(screen)
	sleep 1.5
	b=$(screen)
	[ "$a" = "$b" ]
	keys Space
	wait_gone '[PAUSED]'
	keys h
	wait_screen 'expand the selected row'
	screen | grep -F 'any key closes it'
	keys x
	wait_gone 'expand the selected row'
	keys q
	wait_screen 'EXIT=0'
	terminal_sane
}

@test "screen: Enter expands the selected row; arrows move the selection" {
	start_wt -d 0.5
	wait_screen ' in 0.'
	keys Enter
	wait_screen 'per CPU:'
	screen | grep -E '^ +armed by: '
	screen | grep -E '^ +arms .* expiries .* cancels '
	# Wakeups and events per CPU, each on its own line.
	screen | grep -E '^ +wakeups per CPU: ( +cpu[0-9]+ [0-9]+ \([0-9.]+k?/s\))+$|^ +wakeups per CPU: (none in this interval|- \()'
	screen | grep -E '^ +events per CPU: ( +cpu[0-9]+ [0-9]+ \([0-9.]+k?/s\))+$|^ +events per CPU: none in this interval'
	keys Enter
	wait_gone 'per CPU:'
	keys Down Down End Home PageDown PageUp Up
	keys q
	wait_screen 'EXIT=0'
}

@test "screen: the layout follows a window resize" {
	start_wt --source interrupts -d 0.5
	wait_screen ' in 0.'
	tmux -L "$SOCK" resize-window -t "$SESS" -x 80 -y 24
	sleep 0.5
	local s last
	s=$(screen)
	[ "$(echo "$s" | wc -l)" -le 24 ]
	last=$(echo "$s" | sed -n 24p)
	echo "$last" | grep -F 'q quit' || { echo "$s" >&2; false; }
	echo "$s" | awk 'length($0) > 80 { bad = 1 } END { exit bad }'
	tmux -L "$SOCK" resize-window -t "$SESS" -x 160 -y 50
	sleep 0.5
	s=$(screen)
	echo "$s" | sed -n 50p | grep -F 'q quit' || { echo "$s" >&2; false; }
	# Wider: the status line spells out more key hints.
	echo "$s" | grep -F '+/- interval'
	keys q
	wait_screen 'EXIT=0'
}

@test "screen: SIGTERM restores the terminal and removes the tracefs instance" {
	start_wt --source tracefs -d 0.5
	wait_screen ' in 0.'
	local pid
	pid=$(wt_pid)
	[ -n "$pid" ]
	if [ "$(id -u)" -eq 0 ] && mountpoint -q "$TRACING"; then
		[ -d "$TRACING/instances/timerdiag-$pid" ]
	fi
	kill -TERM "$pid"
	wait_screen 'EXIT=0'
	terminal_sane
	no_instance "$pid"
}

@test "screen: SIGHUP and SIGINT end it cleanly too" {
	local sig pid
	for sig in HUP INT; do
		# A server of its own per signal: a killed server's socket may linger.
		SOCK="wt-$$-${BATS_TEST_NUMBER}-$sig"
		start_wt --source interrupts -d 0.5
		pid=$(wt_pid)
		kill -"$sig" "$pid"
		wait_screen 'EXIT=0'
		terminal_sane
		no_instance "$pid"
		tmux_end "$SOCK"
		rm -f "$TMP/stty"
	done
}

@test "screen: NO_COLOR and a monochrome terminal still show everything" {
	require_tmux
	tmux -L "$SOCK" -f /dev/null new-session -d -s "$SESS" -x 120 -y 40 \
		"TERM=vt100 NO_COLOR=1 wakeuptop --source interrupts -d 0.5; echo EXIT=\$?; \
		exec sleep 600"
	wait_screen 'q quit'
	wait_screen ' in 0.'
	screen | grep -E "$HEAD_EVENTS"
	screen | grep -F 'Backend: '
	keys q
	wait_screen 'EXIT=0'
}

@test "batch as root: N text iterations through the same render path" {
	require_root
	run_wt -0 wakeuptop -b --source tracefs -n 2 -d 0.3
	[ "$(echo "$output" | grep -c '^wakeuptop - ')" -eq 2 ]
	[ "$(echo "$output" | grep -cE "$HEAD_WAKE")" -eq 2 ]
	[ "$(echo "$output" | grep -cE '^Wakeups: [0-9.]+k?/s \([0-9]+ idle exits in ')" -eq 2 ]
	echo "$output" | grep -F 'Backend: tracefs'
	echo "$output" | grep -F "Linux $(uname -r)"
	echo "$output" | grep -F "HZ: $(zcat /proc/config.gz | sed -n 's/^CONFIG_HZ=//p') Hz"
	no_instance "$WT_PID"
}

@test "batch as root: /proc/timer_list is read once at start, not every interval" {
	require_root
	command -v strace >/dev/null || skip "no strace"
	# The kernel lists every timer with interrupts off: 0.6 s a read at 10,000 threads.
	# (LeakSanitizer cannot run under ptrace: no leak check in this run.)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		run -0 strace -f -e trace=openat -o "$TMP/trace" wakeuptop -b -J -n 4 -d 0.2
	[ "$(echo "$output" | wc -l)" -eq 4 ]
	echo "$output" | jq -e 'has("tick_mode") and all(.per_cpu[]; has("tick_stopped"))' >/dev/null
	[ "$(grep -c '"/proc/timer_list"' "$TMP/trace")" -eq 1 ]
}

@test "batch as root: JSON Lines, one valid object per interval, facts from the kernel" {
	require_root
	run_wt -0 wakeuptop -b --source tracefs -J -n 3 -d 0.3
	[ "$(echo "$output" | wc -l)" -eq 3 ]
	echo "$output" > "$TMP/out.jsonl"
	jq -e . "$TMP/out.jsonl" >/dev/null
	local hz cs n
	hz=$(zcat /proc/config.gz | sed -n 's/^CONFIG_HZ=//p')
	cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
	n=$(getconf _NPROCESSORS_ONLN)
	# Every line: schema, facts, wakeups (idle exits: the CPUs' sum) apart from
	# events, and sources whose rates are count / period, sorted by wakeups.
	local l
	while read -r l; do
		echo "$l" | jq -e --argjson hz "$hz" --arg cs "$cs" --arg rel "$(uname -r)" \
			--argjson n "$n" '. as $p | ($p.period_ns / 1e9) as $s |
			.tool == "wakeuptop" and .version == 3 and .hz == $hz and .clocksource == $cs
			and .kernel == $rel
			and .backend == "tracefs" and (.lost_events | type) == "number"
			and .interval_ns == 300000000 and (.tick_mode | test("highres|nohz|periodic"))
			and .group == "comm" and .sort == "wakeups_per_s"
			and (.wakeups | type) == "number"
			and .wakeups == ([.cpu_wakeups[].wakeups] | add)
			and ((.wakeups_per_s - .wakeups / $s) | fabs) < 0.01
			and ((.events_per_s - .total_events / $s) | fabs) < 0.01
			and (.cpu_wakeups | length) == $n
			and all(.cpu_wakeups[]; .method | IN("cpu_idle", "idle_task"))
			and (.per_cpu | length) == $n
			and all(.per_cpu[]; (.tick_stopped | type) == "boolean"
				and (.wakeups_per_s | type) == "number" and (.wakeups | type) == "number"
				and (.wake_method | type) == "string" and (.events_per_s | type) == "number")
			and ((([.per_cpu[].wakeups_per_s] | add) - .wakeups_per_s) | fabs) < 0.1
			and ([.per_cpu[].wakeups] | add) == .wakeups
			and (.sources | length) > 0
			and all(.sources[];
				(.kind | IN("timer","hrtimer","irq","vector","softirq","unknown"))
				and .count >= 0 and (.wakeups | type) == "number"
				and (.count + .arms + .cancels + .wakeups) >= 1
				and ((.events_per_s - .count / $s) | fabs) < 0.1 + .events_per_s * 0.01
				and ((.wakeups_per_s - .wakeups / $s) | fabs) < 0.1 + .wakeups_per_s * 0.01)
			# The last wakeup of each CPU may find its cause in the next interval.
			and ((([.sources[].wakeups] | add) - .wakeups) | fabs) <= $n
			and ([.sources[].wakeups_per_s] | . == (sort | reverse))
		' >/dev/null || { echo "bad line: $l" >&2; return 1; }
	done < "$TMP/out.jsonl"
	[ "$(jq -s 'map(.iteration) | join(",")' "$TMP/out.jsonl")" = '"1,2,3"' ]
	no_instance "$WT_PID"
}

@test "batch as nobody: interrupts backend, said in the header and in JSON; exit 0" {
	require_root
	as_user test -x "$TD_BUILDDIR/wakeuptop" || skip "the build tree is not readable by nobody"
	run -0 as_user wakeuptop -b -n 1 -d 0.3
	echo "$output" | grep -F 'Backend: interrupts'
	echo "$output" | grep -E '^note: '
	echo "$output" | grep -F 'Tick: ?'
	echo "$output" | grep -E "$HEAD_EVENTS"
	# Wakeups unknown with the reason, or idle entries from cpuidle usage:
	# never a 0 standing for what could not be counted.
	echo "$output" | grep -E '^Events: .+   Wakeups unknown: .+|^Wakeups: [0-9.]+k?/s \([0-9]+ idle exits in [0-9.]+ s; idle entries from cpuidle usage, causes unknown\)   Events: '
	! echo "$output" | grep -E 'Wakeups: 0 '
	echo "$output" | grep -E '^cpu0 wake \? ev |^cpu0 wake [0-9.]+k?/s ev '
	# The sources' wakeups are not counted: '-', never 0.
	echo "$output" | awk '/^ *WAKEUPS/ { on = 1; next } on && NF { if ($1 != "-" || $2 != "-") bad = 1 }
		END { exit bad }'
	run -0 as_user wakeuptop -b -J -n 2 -d 0.3
	echo "$output" > "$TMP/user.jsonl"
	[ "$(wc -l < "$TMP/user.jsonl")" -eq 2 ]
	jq -e '.version == 3 and .backend == "interrupts" and (.backend_note | length) > 0
		and (.unknown.tick_mode | test("root")) and .tick_mode == null
		and .lost_events == null and (.unknown.lost_events | length) > 0
		and .sort == "events_per_s"
		and any(.sources[]; .function == "LOC" and .kind == "vector")
		and all(.sources[]; .wakeups == null and .wakeups_per_s == null)
		and (.unknown["sources[].wakeups"] | length) > 0
		and (if .wakeups == null
			then (.unknown.wakeups | length) > 0 and .cpu_wakeups == null
				and all(.per_cpu[]; .wakeups_per_s == null)
			else all(.cpu_wakeups[]; .method == "cpuidle_usage") end)
		and all(.per_cpu[]; (.local_timer_per_s | type) == "number"
			and (.events_per_s | type) == "number" and .tick_stopped == null)
		and (.unknown["per_cpu[].tick_stopped"] | test("root"))' \
		"$TMP/user.jsonl" >/dev/null
}

@test "batch: --show, --filter, --cpu and --sort shape the JSON rows" {
	run -0 wakeuptop -b -J -n 1 -d 0.3 --show interrupts --filter loc --cpu 0 -s count
	echo "$output" | jq -e '.filter.show == "interrupts" and .filter.name == "loc"
		and .filter.cpus == "0" and .sort == "count"
		and all(.sources[]; (.kind | IN("irq","vector","softirq"))
			and ([.function, .comm, .site] | map(. // "" | ascii_downcase)
			| any(contains("loc"))))
		and ([.sources[].count] | . == (sort | reverse))'
	run -0 wakeuptop -b -J -n 1 -d 0.3 --show timers
	echo "$output" | jq -e 'all(.sources[]; .kind | IN("timer","hrtimer"))'
}

@test "batch as root: --cpu counts every number of a row on those CPUs only" {
	require_root
	# A 200 Hz sleeper pinned to CPU 0: its row is there with --cpu 0, on CPU 0
	# only, and every row counts CPU 0's share; with --cpu 1 it is not there.
	start_sleeper 0 30
	run -0 wakeuptop -b -J -n 1 -d 0.5 --cpu 0 -g thread
	echo "$output" > "$TMP/cpu0.json"
	jq -e --argjson pid "$LOAD_PID" '.filter.cpus == "0"
		and all(.sources[]; (.cpus | IN("0", "")) and .count >= 0 and .wakeups >= 0
			and .arms == null and .cancels == null
			and (if .kind | IN("timer","hrtimer") then .expiries == .count else true end))
		and ([.sources[] | select(.pid == $pid and .function == "hrtimer_wakeup")]
			| length == 1 and .[0].cpus == "0" and .[0].count >= 50)' \
		"$TMP/cpu0.json" >/dev/null || { head -c 3000 "$TMP/cpu0.json" >&2; false; }
	[ "$(getconf _NPROCESSORS_ONLN)" -gt 1 ] || return 0
	run -0 wakeuptop -b -J -n 1 -d 0.5 --cpu 1 -g thread
	echo "$output" > "$TMP/cpu1.json"
	jq -e --argjson pid "$LOAD_PID" '.filter.cpus == "1"
		and all(.sources[]; .cpus | IN("1", ""))
		and ([.sources[] | select(.pid == $pid and .function == "hrtimer_wakeup")] | length == 0)' \
		"$TMP/cpu1.json" >/dev/null || { head -c 3000 "$TMP/cpu1.json" >&2; false; }
}

@test "batch on every capture: kernel, HZ and clock source as truth.json says" {
	require_corpus
	local d n=0
	while read -r d; do
		n=$((n + 1))
		run wakeuptop -b -J -n 1 -d 0.1 --sysroot "$d" --source interrupts
		[ "$status" -eq 0 ] || { echo "$d: exit $status: $output" >&2; return 1; }
		echo "$output" | jq -e --slurpfile t "$d/truth.json" '
			.kernel == $t[0].release and .clocksource == $t[0].clocksource
			and (if $t[0].hz != null then .hz == $t[0].hz else true end)
			and (if $t[0].tick_mode | IN("highres","nohz_lowres","periodic")
				then (.tick_mode | startswith($t[0].tick_mode)) else true end)
			and (.host | startswith("capture "))' >/dev/null ||
			{ echo "$d: $output" >&2; return 1; }
	done < <(kmatrix_captures)
	[ "$n" -gt 0 ]
}

@test "bad command lines: exit 2, one line and a hint" {
	run -2 wakeuptop --bogus
	[ "${lines[-1]}" = "Try 'wakeuptop --help' for more information." ]
	run -2 wakeuptop -J -P
	echo "$output" | grep -F -- '-J/--json and -H, -r or -P: one output at a time'
	run -2 wakeuptop -b -d 0
	echo "$output" | grep -F -- '--delay'
	run -2 wakeuptop -b -n 0
	run -2 wakeuptop -b --source nonsense
	run -2 wakeuptop -b --sort nonsense
	run -2 wakeuptop -b --cpu x-y
	run -2 wakeuptop -b --show nothing
	run -2 wakeuptop -b --group nonsense
	echo "$output" | grep -F -- "--group: unknown key 'nonsense'"
	run -2 wakeuptop extra
}

@test "a pid, tid or CPU that does not exist: exit 2 with one line" {
	local max
	max=$(cat /proc/sys/kernel/pid_max)
	run -2 wakeuptop -b --pid "$((max + 1))"
	[ "${lines[0]}" = "wakeuptop: --pid: no task $((max + 1)) on this system" ]
	[ "${#lines[@]}" -eq 2 ]
	run -2 wakeuptop -b --tid "$((max + 1))"
	[ "${lines[0]}" = "wakeuptop: --tid: no task $((max + 1)) on this system" ]
	run -2 wakeuptop -b --cpu 4000
	[[ "${lines[0]}" == "wakeuptop: --cpu: no CPU 4000 here (possible CPUs: "* ]]
	[ "${#lines[@]}" -eq 2 ]
	# Those that exist are fine: our own shell, CPU 0.
	run -0 wakeuptop -b --pid $$ --cpu 0 -d 0.2 --source interrupts
}

@test "no terminal without -b, and a missing sysroot: exit 1 with one line" {
	run -1 wakeuptop < /dev/null
	[ "${#lines[@]}" -eq 1 ]
	echo "$output" | grep -F 'use -b'
	run -1 wakeuptop -b --sysroot /nonexistent-sysroot
	[ "${#lines[@]}" -eq 1 ]
	echo "$output" | grep -E '^wakeuptop: '
}

@test "--help and --version" {
	run -0 wakeuptop --help
	echo "$output" | grep -F -- '--batch'
	run -0 wakeuptop -V
	echo "$output" | grep -E '^wakeuptop \(timerdiag\) '
}

# A captured tree of a 256-CPU x86 machine: /proc/interrupts now and 2 s later.
make_root256() {
	local root=$TMP/root256 f
	mkdir -p "$root/proc" "$root/after/proc"
	for f in proc after/proc; do
		awk -v after="$([ "$f" = proc ] && echo 0 || echo 1)" 'BEGIN {
			line = sprintf("%11s", "")
			for (c = 0; c < 256; c++)
				line = line sprintf("CPU%-8d", c)
			print line
			line = sprintf("%4s", "24:")
			for (c = 0; c < 256; c++)
				line = line sprintf(" %10d", 1000 + after * (c == 7 ? 900 : 0))
			print line "  IR-PCI-MSI 1048576-edge      eth0"
			line = "LOC:"
			for (c = 0; c < 256; c++)
				line = line sprintf(" %10d", 100000 + after * (c % 4 == 0 ? 500 : c % 3))
			print line "   Local timer interrupts"
			line = "RES:"
			for (c = 0; c < 256; c++)
				line = line sprintf(" %10d", 500 + after * (c < 128 ? 20 : 0))
			print line "   Rescheduling interrupts"
		}' > "$root/$f/interrupts"
	done
	echo "$root"
}

@test "screen at 256 CPUs: the strip folds into groups and the list still fits" {
	local root s strip sum
	root=$(make_root256)
	start_wt --sysroot "$root" --source interrupts -d 0.5
	wait_screen 'in an interval of unknown length'
	# A capture holds one interval: its sample stays on the screen.
	sleep 1.2
	s=$(screen)
	[ "$(echo "$s" | wc -l)" -le 40 ]
	echo "$s" | sed -n 40p | grep -F 'q quit'
	echo "$s" | grep -F 'wakeuptop - capture root256'
	# Group lines "N CPUs ... each, ...: cpuLIST" and at most one "+K more CPUs" line.
	strip=$(echo "$s" | grep -E '^ *[0-9]+ CPUs? .* each, |^\+[0-9]+ more CPUs')
	[ "$(echo "$strip" | wc -l)" -ge 2 ]
	[ "$(echo "$strip" | wc -l)" -le 8 ]
	# Every CPU is in exactly one group or in the rest.
	sum=$(echo "$strip" | sed -nE 's/^ *([0-9]+) CPU.*/\1/p; s/^\+([0-9]+) more.*/\1/p' |
		awk '{ s += $1 } END { print s }')
	[ "$sum" -eq 256 ] || { echo "$s" >&2; false; }
	# The busiest CPU (eth0's IRQ on CPU 7) leads.
	echo "$strip" | head -1 | grep -E '^ +1 CPU .*: cpu7$'
	# Rows: eth0's IRQ (900 on CPU 7) and the LOC and RES vectors from the capture.
	# Wakeups unknown ('-', not 0), 900 events in an interval of unknown length.
	rows | grep -E '^ +- +- +900 +- +7 .* irq '
	[ "$(rows | grep -cE ' vector ')" -eq 2 ]
	keys q
	wait_screen 'EXIT=0'
}

# Start wakeload sleeping at 200 Hz pinned to CPU $1 for $2 seconds; its pid in $LOAD_PID.
start_sleeper() {
	"$TD_BUILDDIR/tests/helpers/wakeload" -r 200 -c "$1" -d "$2" > "$TMP/load.out" &
	LOAD_PID=$!
	sleep 0.2
}

@test "batch as root: a 200 Hz clock_nanosleep sleeper pinned to one CPU wakes it 200 times a second" {
	require_root
	local cpu idle
	cpu=$(idlest_cpu)
	start_sleeper "$cpu" 6
	cat /proc/stat > "$TMP/before"
	# Per process: other tests may run a wakeload of their own.
	run -0 wakeuptop -b -J -n 1 -d 2 -g process
	cat /proc/stat > "$TMP/after"
	wait "$LOAD_PID"
	echo "$output" > "$TMP/out.json"
	idle=$(idle_pct "$cpu" "$TMP/before" "$TMP/after")
	# Its events are 200/s whatever else runs on the CPU.
	jq -e --arg cpu "$cpu" --argjson pid "$LOAD_PID" '[.sources[] | select(.pid == $pid
		and .function == "hrtimer_wakeup")] | length == 1
		and (.[0].events_per_s | . > 190 and . < 210) and .[0].cpus == $cpu' "$TMP/out.json" ||
		{ head -c 2000 "$TMP/out.json" >&2; false; }
	# Each expiry wakes the CPU only when nothing else ran there.
	[ "$idle" -ge 90 ] || skip "CPU $cpu was only $idle % idle: other work hid the sleeper's wakeups"
	jq -e --arg cpu "$cpu" --argjson pid "$LOAD_PID" '(.sources[] | select(.pid == $pid
		and .function == "hrtimer_wakeup")) as $s
		| ($s.wakeups_per_s | . >= 160 and . <= 240) and ($s.wakeups <= $s.count)
		and (.cpu_wakeups[] | select(.cpu == ($cpu | tonumber)) | .wakeups >= $s.wakeups)
		and ([.sources[] | select(.cpus == $cpu)][0] == $s)' "$TMP/out.json" ||
		{ echo "CPU $cpu $idle % idle" >&2; head -c 2000 "$TMP/out.json" >&2; false; }
}

@test "screen as root: the sleeper's row shows its wakeups, the header all wakeups" {
	require_root
	local cpu
	cpu=$(idlest_cpu)
	start_sleeper "$cpu" 30
	start_wt -d 1 -g process --filter wakeload
	wait_screen ' idle exits in 1.'
	wait_screen " $LOAD_PID wakeload"
	local s row
	s=$(screen)
	echo "$s" | grep -E '^Wakeups: [0-9.]+k?/s \([0-9]+ idle exits in 1\.[0-9]+ s\)   Events: '
	echo "$s" | grep -E "$HEAD_WAKE"
	echo "$s" | grep -F 'Group: process'
	# WAKEUPS WAKE/S EVENTS EVENT/S CPU PID COMM ...: the sleeper, on its CPU, 200 events/s.
	row=$(rows | awk -v pid="$LOAD_PID" '$6 == pid && /hrtimer_wakeup/')
	echo "$row" | awk -v cpu="$cpu" 'NF { n++; ok = $1 >= 0 && $1 <= $3 && $4 > 180 && $4 < 220 && $5 == cpu }
		END { exit !(n == 1 && ok) }' ||
		{ echo "$s" >&2; false; }
	keys q
	wait_screen 'EXIT=0'
	kill "$LOAD_PID" 2>/dev/null || true
	wait "$LOAD_PID" || true
}

@test "screen as root: g groups a shell loop of sleeps into one row by comm, many by thread" {
	require_root
	bash -c 'while :; do sleep 0.001; done' &
	local loop=$!
	start_wt -d 1 --filter sleep
	wait_screen 'Group: comm'
	wait_screen ' idle exits in 1.'
	sleep 1.2
	local n
	# One row for every sleep: their hrtimer_wakeup timers, all of them.
	n=$(rows | grep -cE ' sleep +hrtimer .*hrtimer_wakeup')
	[ "$n" -eq 1 ] || { screen >&2; kill "$loop"; false; }
	keys g
	wait_screen 'grouped by thread'
	wait_screen 'Group: thread'
	sleep 2.2
	n=$(rows | grep -cE ' sleep +hrtimer .*hrtimer_wakeup')
	[ "$n" -ge 5 ] || { screen >&2; kill "$loop"; false; }
	keys g
	wait_screen 'Group: process'
	keys g
	wait_screen 'Group: comm'
	sleep 2.2
	n=$(rows | grep -cE ' sleep +hrtimer .*hrtimer_wakeup')
	kill "$loop"
	wait "$loop" 2>/dev/null || true
	[ "$n" -eq 1 ] || { screen >&2; false; }
	keys q
	wait_screen 'EXIT=0'
}

@test "batch as root: --group comm folds the sleep loop into one row that counts its tasks" {
	require_root
	bash -c 'while :; do sleep 0.001; done' &
	local loop=$!
	run -0 wakeuptop -b -J -n 1 -d 1
	echo "$output" > "$TMP/comm.json"
	run -0 wakeuptop -b -J -n 1 -d 1 -g thread
	echo "$output" > "$TMP/thread.json"
	kill "$loop"
	wait "$loop" 2>/dev/null || true
	jq -e '.group == "comm" and ([.sources[] | select(.comm == "sleep"
		and .function == "hrtimer_wakeup")] | length == 1 and .[0].tasks > 5
		and .[0].count > 50)' "$TMP/comm.json" || { head -c 2000 "$TMP/comm.json" >&2; false; }
	jq -e '.group == "thread" and ([.sources[] | select(.comm == "sleep"
		and .function == "hrtimer_wakeup")] | length > 5 and all(.[]; .tasks == null))' \
		"$TMP/thread.json" || { head -c 2000 "$TMP/thread.json" >&2; false; }
}

@test "batch as root: --pid is the process (both threads of the helper), --tid one thread" {
	require_root
	# Long enough for three samples on a loaded machine (the bpf backend
	# verifies its programs at each start); killed after them.
	"$TD_BUILDDIR/tests/helpers/wakeload" -r 200 -t 2 -d 60 > "$TMP/load.out" &
	local pid=$! tids tid
	sleep 0.3
	tids=$(ls "/proc/$pid/task" | sort -n | tr '\n' ' ')
	[ "$(echo $tids | wc -w)" -eq 2 ]
	tid=$(echo $tids | cut -d' ' -f2)
	run -0 wakeuptop -b -J -n 1 -d 1 -g thread --pid "$pid"
	echo "$output" > "$TMP/pid.json"
	run -0 wakeuptop -b -J -n 1 -d 1 -g thread --tid "$tid"
	echo "$output" > "$TMP/tid.json"
	run -0 wakeuptop -b -J -n 1 -d 1 -g process --pid "$pid"
	echo "$output" > "$TMP/process.json"
	kill "$pid"
	wait "$pid" || true
	# Per thread: one hrtimer_wakeup row for each thread, about 200 events/s each.
	jq -e --argjson pid "$pid" '.filter.sampled_pid == $pid and
		([.sources[] | select(.function == "hrtimer_wakeup")]
		| length == 2 and all(.[]; .comm == "wakeload" and .events_per_s > 180 and .events_per_s < 220)
		and (map(.pid) | unique | length) == 2)
		and all(.sources[]; .comm == "wakeload")' "$TMP/pid.json" ||
		{ head -c 2000 "$TMP/pid.json" >&2; false; }
	jq -e --argjson tid "$tid" '.filter.sampled_tid == $tid and
		([.sources[] | select(.function == "hrtimer_wakeup")]
		| length == 1 and .[0].pid == $tid and .[0].events_per_s > 180 and .[0].events_per_s < 220)
		and all(.sources[]; .pid == $tid)' "$TMP/tid.json" ||
		{ head -c 2000 "$TMP/tid.json" >&2; false; }
	# Per process: both threads in one row, pid the process, 400 events/s.
	jq -e --argjson pid "$pid" '[.sources[] | select(.function == "hrtimer_wakeup")]
		| length == 1 and .[0].pid == $pid and .[0].tasks == 2
		and .[0].events_per_s > 360 and .[0].events_per_s < 440' "$TMP/process.json" ||
		{ head -c 2000 "$TMP/process.json" >&2; false; }
}

# The -trace captures: a wakeup trace with tick_stop events (or not).
trace_captures() {
	local d
	while read -r d; do
		[ -f "$d/trace-wakeup-events.txt" ] && printf '%s\n' "$d"
	done < <(kmatrix_captures)
}

@test "tick view: batch on every -trace capture, tick_stop counts per CPU and dependency equal truth.json" {
	require_corpus
	local d n=0
	while read -r d; do
		n=$((n + 1))
		run wakeuptop -b -J -n 1 --view tick --sysroot "$d"
		[ "$status" -eq 0 ] || { echo "$d: exit $status: $output" >&2; return 1; }
		echo "$output" > "$TMP/out.json"
		[ "$(jq -r .backend "$TMP/out.json")" = trace ]
		[ "$(jq '.tick.per_cpu | length' "$TMP/out.json")" -eq "$(truth "$d" .cpus)" ]
		# Every CPU's stops and refusals by dependency as truth.json counts them
		# (its tick_stop: CPU -> success -> dependency -> events; {} when none).
		jq -e --slurpfile t "$d/truth.json" '
			($t[0].tick_stop) as $ts
			| all(.tick.per_cpu[]; (.cpu | tostring) as $c
				| .tick_stops == ($ts[$c]["1"].NONE // 0)
				and .dependencies == ($ts[$c]["0"] // {})
				and .tick_stop_refusals == ([($ts[$c]["0"] // {})[]] | add // 0))
			and .tick.tick_stop_traced
			and .tick.softirq_raise_traced == false
			and all(.tick.per_cpu[]; .softirq_pending_idle == null)' "$TMP/out.json" >/dev/null ||
			{ echo "$d:" >&2; jq -c '.tick.per_cpu[] | {cpu, tick_stops, dependencies}' \
				"$TMP/out.json" >&2; truth "$d" -c .tick_stop >&2; return 1; }
	done < <(trace_captures)
	[ "$n" -ge 5 ]
}

@test "tick view: batch text on the nohz_full captures names the dependencies, the tasks and the unknowns" {
	require_corpus
	local d=$TD_CORPUS/kmatrix/amd64-6.12-generic-nohz_full_1-trace
	run -0 wakeuptop -b -n 1 --view tick --sysroot "$d"
	[[ $output == *"Why the tick keeps running"* ]]
	[[ $output == *"CPU 1 (nohz_full): idle 0, tick stopped at 0, kept at 0; tick stops $(truth "$d" '.tick_stop["1"]["1"].NONE'), refusals $(truth "$d" '.tick_stop["1"]["0"].SCHED')"* ]]
	[[ $output == *"  dependencies: SCHED $(truth "$d" '.tick_stop["1"]["0"].SCHED')"* ]]
	[[ $output == *"  top cause: SCHED dependency"* ]]
	[[ $output == *"softirqs pending at idle unknown"* ]]
	[[ $output != *"softirqs pending at idle 0"* ]]
	[[ $output == *"Timer migration: the migrator role moved"* ]]
	# The source list gives way to the view.
	[[ $output != *"WAKEUPS"* ]]
	d=$TD_CORPUS/kmatrix/amd64-6.1-generic-smp4-nohz_full_1-3-trace
	run -0 wakeuptop -b -n 1 --view tick --cpu 1 --sysroot "$d"
	[[ $output == *"  dependencies: SCHED 3, RCU 3"* ]]
	[[ $output != *"CPU 2"* ]]
	[[ $output == *"Note: no timer_migration events"* ]]
}

@test "tick view: without trace events the reason, never zeros; bad --view is a usage error" {
	require_corpus
	run -0 wakeuptop -b -J -n 1 --view tick --source interrupts \
		--sysroot "$TD_CORPUS/kmatrix/amd64-6.12-generic-nohz_full_1-trace"
	[ "$(jq -c .tick.per_cpu <<<"$output")" = null ]
	[[ $(jq -r '.unknown["tick.per_cpu"]' <<<"$output") == *"interrupts backend has no trace events"* ]]
	run -0 wakeuptop -b -n 1 --view tick --sysroot "$TD_CORPUS/kmatrix/amd64-6.1-generic-default"
	[[ $output == *"Tick view: unknown (the "*" backend has no trace events"* ]]
	run -2 wakeuptop -b --view ticks
	[[ $output == *"--view: 'ticks' is not sources or tick"* ]]
	# Without --view tick, JSON has no tick member.
	run -0 wakeuptop -b -J -n 1 --sysroot "$TD_CORPUS/kmatrix/amd64-6.12-generic-nohz_full_1-trace"
	[ "$(jq -c .tick <<<"$output")" = null ]
}

@test "tick view: the v key on the screen of a -trace capture; the CPU filter narrows it; v goes back" {
	require_corpus
	local d=$TD_CORPUS/kmatrix/amd64-6.12-generic-nohz_full_1-trace
	start_wt --sysroot "$d" -d 0.3
	wait_screen 'WAKEUPS'
	keys v
	wait_screen 'Why the tick keeps running'
	wait_screen "  dependencies: SCHED $(truth "$d" '.tick_stop["1"]["0"].SCHED')"
	screen | grep -F 'CPU 0: idle'
	keys c C-u 1 Enter
	wait_gone 'CPU 0: idle'
	screen | grep -F 'CPU 1 (nohz_full)'
	keys h
	wait_screen 'tick view: why each CPU'
	keys x
	keys v
	wait_screen 'WAKEUPS'
	keys q
	wait_screen 'EXIT=0'
	terminal_sane
}

@test "tick view as nobody live: the interrupts backend, a reason, exit 0" {
	run -0 as_user "$TD_BUILDDIR/wakeuptop" -b -J -n 1 -d 0.2 --view tick
	[ "$(jq -r .backend <<<"$output")" = interrupts ]
	[[ $(jq -r '.unknown["tick.per_cpu"]' <<<"$output") == *"needs tracefs, as root"* ]]
}

@test "tick view live as root (tracefs): a 1000 Hz sleeper pinned to CPU 1 is due within a tick and named; softirqs known" {
	require_root
	[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
	"$TD_BUILDDIR/tests/helpers/wakeload" -c 1 -r 1000 -d 6 &
	local wl=$!
	sleep 0.3
	run_wt -0 wakeuptop -b -J -n 1 -d 2 --view tick --source tracefs
	kill "$wl" 2>/dev/null || true
	wait "$wl" 2>/dev/null || true
	echo "$output" > "$TMP/out.json"
	[ "$(jq -r .backend "$TMP/out.json")" = tracefs ]
	jq -e '.tick.per_cpu[1].due_within_tick | map(select(.comm == "wakeload"))
		| .[0].function == "hrtimer_wakeup" and .[0].count > 0' "$TMP/out.json" ||
		{ jq -c '.tick.per_cpu[1]' "$TMP/out.json" >&2; false; }
	[[ $(jq -r '.tick.per_cpu[1].cause' "$TMP/out.json") == *wakeload* ]]
	# softirq_raise is traced with the tick events: pending at idle is a count.
	jq -e '.tick.softirq_raise_traced and all(.tick.per_cpu[]; (.softirq_pending_idle | type)
		== "number" and .softirq_pending_idle <= .idle_entries
		and (.softirq_pending_idle as $p | all(.softirqs_pending[]; . <= $p)))' \
		"$TMP/out.json" ||
		{ jq -c '.tick.per_cpu[] | {cpu, idle_entries, softirq_pending_idle, softirqs_pending}' \
			"$TMP/out.json" >&2; false; }
	no_instance "$WT_PID"
}
