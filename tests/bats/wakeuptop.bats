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
	tmux -L "$SOCK" kill-server 2>/dev/null || true
	rm -rf "$TMP"
}

require_tmux() {
	command -v tmux >/dev/null || skip "no tmux"
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

# The pane's text now.
screen() {
	tmux -L "$SOCK" capture-pane -p -t "$SESS"
}

# Wait (up to 15 s, or $2 tenths of a second) until the pane shows a fixed string.
wait_screen() {
	local i
	for i in $(seq "${2:-150}"); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	echo "never saw '$1' on the screen:" >&2
	screen >&2
	return 1
}

# Wait until the pane no longer shows a fixed string.
wait_gone() {
	local i
	for i in $(seq 150); do
		screen | grep -qF -- "$1" || return 0
		sleep 0.1
	done
	echo "'$1' stayed on the screen:" >&2
	screen >&2
	return 1
}

keys() {
	tmux -L "$SOCK" send-keys -t "$SESS" "$@"
}

# The pid of wakeuptop in the pane.
wt_pid() {
	local shell
	shell=$(tmux -L "$SOCK" display-message -p -t "$SESS" '#{pane_pid}')
	pgrep -P "$shell" -x wakeuptop
}

# The list rows: the lines between the column header and the status line.
rows() {
	screen | awk '/^ *COUNT/ { on = 1; next } /q quit/ { on = 0 } on && NF'
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
	start_wt -d 0.5
	wait_screen 'Wakeups: '
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
	echo "$s" | grep -E '^ *COUNT +RATE\* '
	echo "$s" | grep -E '^cpu0 '
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
	wait_screen 'RATE*'
	keys '>'
	wait_screen 'sorted by cpus'
	screen | grep -E '^ *COUNT +RATE +CPU\^'
	keys '<'
	wait_screen 'sorted by rate'
	screen | grep -E '^ *COUNT +RATE\* '
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
	screen | grep -E '^cpu0 0/s '
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
	wait_screen 'pid 1'
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
	start_wt -d 0.5
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
		tmux -L "$SOCK" kill-server
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
	screen | grep -E '^ *COUNT +RATE\* '
	screen | grep -F 'Backend: '
	keys q
	wait_screen 'EXIT=0'
}

@test "batch as root: N text iterations through the same render path" {
	require_root
	run_wt -0 wakeuptop -b -n 2 -d 0.3
	[ "$(echo "$output" | grep -c '^wakeuptop - ')" -eq 2 ]
	[ "$(echo "$output" | grep -cE '^ *COUNT +RATE\* ')" -eq 2 ]
	echo "$output" | grep -F 'Backend: tracefs'
	echo "$output" | grep -F "Linux $(uname -r)"
	echo "$output" | grep -F "HZ: $(zcat /proc/config.gz | sed -n 's/^CONFIG_HZ=//p') Hz"
	no_instance "$WT_PID"
}

@test "batch as root: JSON Lines, one valid object per interval, facts from the kernel" {
	require_root
	run_wt -0 wakeuptop -b -J -n 3 -d 0.3
	[ "$(echo "$output" | wc -l)" -eq 3 ]
	echo "$output" > "$TMP/out.jsonl"
	jq -e . "$TMP/out.jsonl" >/dev/null
	local hz cs n
	hz=$(zcat /proc/config.gz | sed -n 's/^CONFIG_HZ=//p')
	cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
	n=$(getconf _NPROCESSORS_ONLN)
	# Every line: schema, facts, and sources whose rates are count / period.
	local l
	while read -r l; do
		echo "$l" | jq -e --argjson hz "$hz" --arg cs "$cs" --arg rel "$(uname -r)" \
			--argjson n "$n" '. as $p |
			.version == 1 and .hz == $hz and .clocksource == $cs and .kernel == $rel
			and .backend == "tracefs" and (.lost_events | type) == "number"
			and .interval_ns == 300000000 and (.tick_mode | test("highres|nohz|periodic"))
			and (.cpus | length) == $n
			and all(.cpus[]; has("tick_stopped") and has("wakeups_per_sec"))
			and (.sources | length) > 0
			and all(.sources[]; (.kind | IN("timer","hrtimer","irq","vector","softirq"))
				and .count >= 0 and (.count + .arms + .cancels) >= 1
				and ((.rate - .count / ($p.period_ns / 1e9)) | fabs) < 0.1 + .rate * 0.01)
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
	echo "$output" | grep -E '^ *COUNT +RATE\* '
	run -0 as_user wakeuptop -b -J -n 2 -d 0.3
	echo "$output" > "$TMP/user.jsonl"
	[ "$(wc -l < "$TMP/user.jsonl")" -eq 2 ]
	jq -e '.version == 1 and .backend == "interrupts" and (.backend_note | length) > 0
		and (.tick_mode_unknown | test("root")) and (has("tick_mode") | not)
		and (has("lost_events") | not)
		and any(.sources[]; .function == "LOC" and .kind == "vector")
		and all(.cpus[]; has("local_timer_per_sec") and (has("tick_stopped") | not))' \
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
	run -2 wakeuptop -J
	echo "$output" | grep -F -- '-J/--json needs -b/--batch'
	run -2 wakeuptop -b -d 0
	echo "$output" | grep -F -- '--delay'
	run -2 wakeuptop -b -n 0
	run -2 wakeuptop -b --source nonsense
	run -2 wakeuptop -b --sort nonsense
	run -2 wakeuptop -b --cpu x-y
	run -2 wakeuptop -b --show nothing
	run -2 wakeuptop extra
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
	rows | grep -E '^ +900 +- +7 .* irq '
	[ "$(rows | grep -cE ' vector ')" -eq 2 ]
	keys q
	wait_screen 'EXIT=0'
}
