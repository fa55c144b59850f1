#!/usr/bin/env bats
# util-linux manners on every table (-H/-n bare rows, -r with \x escapes, -P
# pairs a shell reads back, --list-columns, --color), wakeuptop -J without -b,
# errors naming the program, the exit codes of the four tools as root and as
# nobody, and the bash and zsh completions typed into a tmux pane.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	TMP=$(mktemp -d)
	chmod 755 "$TMP"
	SOCK="mn-$$-${BATS_TEST_NUMBER}"
	# A saved timer_stats whose comms hold a space and the characters a shell
	# expands; and a tree that holds it as its /proc/timer_stats.
	TS=$TMP/ts.txt
	printf '%s\n' 'Timer Stats Version: v0.2' 'Sample period: 2.000 s' \
		'   10,  4242 Web Content      hrtimer_start_range_ns (hrtimer_wakeup)' \
		'    5,  4243 a"b$c`d\e        schedule_timeout (process_timeout)' \
		'15 total events, 7.500 events/sec' >"$TS"
	mkdir -p "$TMP/tree/proc"
	cp "$TS" "$TMP/tree/proc/timer_stats"
	chmod -R a+rX "$TMP"
}

teardown() {
	tmux_end "$SOCK"
	rm -rf "$TMP"
}

# Read NAME="value" lines back as a shell does, decode the escapes, and print
# the column of $1 one value a line.
pairs_column() {
	local line var=$1
	while IFS= read -r line; do
		(
			eval "$line"
			printf '%b\n' "${!var}"
		)
	done
}

# A CPU and a pid that do not exist here.
bad_cpu() {
	local p
	p=$(cat /sys/devices/system/cpu/possible)
	echo $((${p##*[-,]} + 1))
}

bad_pid() {
	local p=999999
	while [ -e "/proc/$p" ]; do
		p=$((p + 1))
	done
	echo "$p"
}

@test "timerstat -r: a space in a name is \\x20 and every row has the header's fields" {
	run -0 timerstat --timer-stats "$TS" -r -o pid,comm,count,function
	[ "${lines[0]}" = "pid comm count function" ]
	[ "${lines[1]}" = '4242 Web\x20Content 10 hrtimer_wakeup' ]
	# util-linux escapes the backslash in raw fields, not the quote, $ or `.
	[ "${lines[2]}" = '4243 a"b$c`d\x5ce 5 process_timeout' ]
	[ "$(printf '%b' 'Web\x20Content')" = "Web Content" ]
	for l in "${lines[@]}"; do
		set -- $l
		[ "$#" -eq 4 ]
	done
	# wakeuptop prints the same rows (-r implies batch).
	run -0 wakeuptop -r -H --sysroot "$TMP/tree" -o pid,comm,count
	[ "${lines[0]}" = '4242 Web\x20Content 10' ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "timerstat and wakeuptop -P: eval and printf %b give the original names back" {
	run -0 timerstat --timer-stats "$TS" -P -o comm,count,cpus
	[[ "${lines[0]}" == 'COMM="Web Content" COUNT="10" CPUS="-"' ]]
	[[ "${lines[1]}" == 'COMM="a\x22b\x24c\x60d\x5ce" COUNT="5" CPUS="-"' ]]
	mapfile -t comms < <(printf '%s\n' "${lines[@]}" | pairs_column COMM)
	[ "${comms[0]}" = "Web Content" ]
	[ "${comms[1]}" = 'a"b$c`d\e' ]
	mapfile -t counts < <(printf '%s\n' "${lines[@]}" | pairs_column COUNT)
	[ "${counts[*]}" = "10 5" ]
	run -0 wakeuptop -P --sysroot "$TMP/tree" -o comm,count
	mapfile -t comms < <(printf '%s\n' "${lines[@]}" | pairs_column COMM)
	[ "${comms[0]}" = "Web Content" ]
	[ "${comms[1]}" = 'a"b$c`d\e' ]
}

@test "a live task named 'Web Content' (prctl): -P reads back, -r escapes it" {
	require_root
	timerstat --source bpf -d 0.1 -o count >/dev/null 2>&1 || skip "no bpf backend here"
	# The helper names itself with prctl(PR_SET_NAME) and sleeps 250 times a second.
	"$TD_BUILDDIR/tests/helpers/hostile_name" -r 250 -d 30 "Web Content" >/dev/null &
	pid=$!
	sleep 0.2
	run timerstat --source bpf --pid "$pid" -d 1 -P -o comm,count
	r=$status
	out=$output
	run timerstat --source bpf --pid "$pid" -d 0.5 -r -H -o comm
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	[ "$r" -eq 0 ]
	[ "$(printf '%s\n' "$out" | pairs_column COMM | sort -u)" = "Web Content" ]
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort -u)" = 'Web\x20Content' ]
}

@test "-H: the rows alone, without the verdict or any header line" {
	run -0 timerstat --timer-stats "$TS" -H -o count,comm
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^\ *10\ Web\ Content$ ]]
	[[ "${lines[1]}" =~ ^\ *5\ a ]]
	run -0 wakeuptop -H --sysroot "$TMP/tree" -o count,comm
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^\ *10\ Web\ Content$ ]]
}

@test "timerinfo -n, -r, -P on every capture: the CPU rows against truth.json, timers counted" {
	require_corpus
	local n=0 d mode cpu
	while read -r d; do
		run -0 timerinfo --sysroot "$d" -c -P
		while IFS= read -r line; do
			eval "$line"
			mode=$(truth "$d" ".tick_mode_per_cpu[\"$CPUS\"] // empty")
			[ -z "$mode" ] || [ "$TICK_MODE" = "$mode" ] ||
				{ echo "$d: CPU $CPUS $TICK_MODE, truth $mode" >&2; return 1; }
		done <<<"$output"
		# -t: one row per timer the capture's timer_list lists.
		if [ -r "$d/proc/timer_list" ]; then
			run -0 timerinfo --sysroot "$d" -t -r -n
			[ "${#lines[@]}" -eq "$(grep -cE '^ #[0-9]+: ' "$d/proc/timer_list")" ] ||
				{ echo "$d: ${#lines[@]} timer rows" >&2; return 1; }
		fi
		n=$((n + 1))
	done < <(kmatrix_captures)
	[ "$n" -gt 0 ]
	# Headings: the column names in raw, none with -n.
	run -0 timerinfo --sysroot "$d" -r
	[ "${lines[0]}" = "$(timerinfo --list-columns | awk '{ printf "%s%s", s, $1; s = " " }')" ]
	n=${#lines[@]}
	run -0 timerinfo --sysroot "$d" -n
	[ "${#lines[@]}" -eq $((n - 1)) ]
	[[ "${lines[0]}" != cpus* ]]
	run -2 timerinfo -r -J
}

@test "--list-columns: name, width hint, description; every name is a column -o takes" {
	for tool in timerstat wakeuptop; do
		run -0 $tool --list-columns
		[ "${#lines[@]}" -gt 10 ]
		for l in "${lines[@]}"; do
			[[ "$l" =~ ^([a-z_]+)\ +([0-9]+)\ \ [A-Za-z] ]] || { echo "bad line: $l" >&2; return 1; }
			timerstat --timer-stats "$TS" -r -H -o "${BASH_REMATCH[1]}" >/dev/null
		done
	done
	run -0 timerstat --list-columns
	[[ "${lines[*]}" == *"comm         16  name of that task"* ]]
	run -0 timerinfo -t --list-columns
	[[ "${lines[0]}" =~ ^cpu\ +3\ \ CPU ]]
}

@test "--color: always, never, and auto only on a terminal without NO_COLOR" {
	command -v script >/dev/null || skip "no script(1)"
	run -0 timerstat --timer-stats "$TS" --color=always
	[[ "$output" == *$'\e[1m'* ]]
	run -0 timerstat --timer-stats "$TS" --color=never
	[[ "$output" != *$'\e'* ]]
	run -0 timerstat --timer-stats "$TS" --color
	[[ "$output" != *$'\e'* ]]
	# On a terminal (script gives one).
	run -0 env TERM=xterm script -qec "timerstat --timer-stats '$TS'" /dev/null
	[[ "$output" == *$'\e[1m'* ]]
	run -0 env TERM=xterm NO_COLOR=1 script -qec "timerstat --timer-stats '$TS'" /dev/null
	[[ "$output" != *$'\e'* ]]
	run -0 env TERM=xterm script -qec "timerinfo --color=never" /dev/null
	[[ "$output" != *$'\e'* ]]
	run -0 timerinfo --color=always
	[[ "$output" == *$'\e[1m'* ]]
	run -0 wakeuptop -b --sysroot "$TMP/tree" --color=always
	[[ "${lines[0]}" == $'\e[1m'wakeuptop* ]]
	run -2 timerstat --color=sometimes
	[[ "$output" == *"--color: 'sometimes' is not auto, always or never"* ]]
}

@test "wakeuptop -J implies batch: one JSON line, exit 0" {
	run -0 wakeuptop -J --sysroot "$TMP/tree" </dev/null
	[ "${#lines[@]}" -eq 1 ]
	echo "${lines[0]}" | jq -e '.sources | length == 2' >/dev/null
	run -2 wakeuptop -J -r --sysroot "$TMP/tree"
}

@test "errors name the program, not the path it was run as" {
	for tool in timerinfo timerstat wakeuptop timerprobe; do
		run -2 --separate-stderr "$TD_BUILDDIR/$tool" --bogus
		[ "${stderr_lines[0]}" = "$tool: unrecognized option '--bogus'" ]
		run -2 --separate-stderr "$TD_BUILDDIR/$tool" --sysroot
		[ "${stderr_lines[0]}" = "$tool: option '--sysroot' requires an argument" ]
	done
}

@test "a write error (a full disk): one line naming the tool, exit 1, in every tool" {
	require_corpus
	[ -w /dev/full ] || skip "no /dev/full"
	local k=$TD_CORPUS/kmatrix/amd64-6.1-generic-default-trace cmd
	for cmd in "timerinfo --sysroot $k" "timerinfo -J --sysroot $k" "timerstat --trace $k/trace-wakeup-events.txt" \
	    "timerstat -J --trace $k/trace-wakeup-events.txt" "wakeuptop -b --trace $k/trace-wakeup-events.txt" \
	    "wakeuptop -b -J --trace $k/trace-wakeup-events.txt" "timerprobe -n 5 -i 1ms" \
	    "timerprobe -J -n 5 -i 1ms"; do
		run --separate-stderr bash -c 'exec "$@" </dev/null >/dev/full' _ $cmd
		[ "$status" -eq 1 ] || { echo "$cmd: exit $status" >&2; return 1; }
		[ "${#stderr_lines[@]}" -eq 1 ] && [[ "${stderr_lines[0]}" == "${cmd%% *}: "* ]] ||
			{ echo "$cmd: stderr '$stderr'" >&2; return 1; }
	done
}

# Run a tool (as root, or as nobody with as_user) expecting exit $1 and one
# stderr line matching the pattern $2.
expect_exit() {
	local code=$1 pat=$2
	shift 2
	run --separate-stderr "$@" </dev/null
	[ "$status" -eq "$code" ] || { echo "$*: exit $status, not $code: $stderr" >&2; return 1; }
	[[ "${stderr_lines[0]}" == $pat ]] || { echo "$*: stderr '$stderr'" >&2; return 1; }
	# A file that cannot be read: one line, no report.
	if [ "$code" -eq 1 ]; then
		[ "${#stderr_lines[@]}" -eq 1 ] && [ -z "$output" ] ||
			{ echo "$*: more than one line: $stderr / $output" >&2; return 1; }
	fi
}

# The exit codes of the four tools, run through $@ (nothing, or as_user).
exit_codes() {
	local cpu pid
	cpu=$(bad_cpu)
	pid=$(bad_pid)
	for tool in timerinfo "timerstat -d 0.2" "wakeuptop -b" timerprobe; do
		expect_exit 1 "${tool%% *}: /nonexistent: No such file or directory" \
			"$@" $tool --sysroot /nonexistent
	done
	expect_exit 1 "timerinfo: /nonexistent: No such file or directory" \
		"$@" timerinfo --kmsg-file /nonexistent
	expect_exit 1 "timerinfo: /nonexistent: No such file or directory" \
		"$@" timerinfo --timer-list /nonexistent
	expect_exit 1 "timerstat: /nonexistent: No such file or directory" \
		"$@" timerstat --timer-stats /nonexistent
	expect_exit 1 "timerstat: /nonexistent: No such file or directory" \
		"$@" timerstat --trace /nonexistent
	expect_exit 1 "timerprobe: /nonexistent/x: No such file or directory" \
		"$@" timerprobe -n 3 --break 1ms --trace-on-break /nonexistent/x
	expect_exit 2 "timerstat: --cpu: no CPU $cpu here*" "$@" timerstat -d 0.2 --cpu "$cpu"
	expect_exit 2 "wakeuptop: --cpu: no CPU $cpu here*" "$@" wakeuptop -b --cpu "$cpu"
	expect_exit 2 "timerprobe: --cpu: CPU $cpu is not online*" "$@" timerprobe -n 3 --cpu "$cpu"
	expect_exit 2 "timerstat: --pid: no task $pid on this system" \
		"$@" timerstat -d 0.2 --pid "$pid"
	expect_exit 2 "timerstat: --tid: no task $pid on this system" \
		"$@" timerstat -d 0.2 --tid "$pid"
	expect_exit 2 "wakeuptop: --pid: no task $pid on this system" \
		"$@" wakeuptop -b --pid "$pid"
	expect_exit 2 "wakeuptop: --tid: no task $pid on this system" \
		"$@" wakeuptop -b --tid "$pid"
}

@test "exit codes as root: unreadable file or tree 1 (one line), no such CPU or pid 2" {
	require_root
	exit_codes
}

@test "exit codes as nobody: the same; what needs root is refused, never an empty answer" {
	require_user_access
	exit_codes as_user
	# The classic format needs timer events the interrupts backend cannot see.
	expect_exit 1 "timerstat: --format=timer_stats needs timer events*" \
		as_user timerstat -d 0.2 --format=timer_stats
	# The timers of a timer_list nobody may read are unknown, not an empty table.
	expect_exit 1 "timerinfo: active timers unknown: *root*" as_user timerinfo -t -r
}

# Start an interactive shell in a tmux pane with the built tools first on PATH.
start_shell() {
	command -v tmux >/dev/null || skip "no tmux"
	tmux -L "$SOCK" -f /dev/null new-session -d -s s -x 160 -y 20 \
		"env -i HOME='$TMP' HISTFILE=/dev/null TERM=xterm PATH='$TD_BUILDDIR:/usr/bin:/bin' $1"
	sleep 0.5
}

# Type a line, wait for the pane to show $2, then clear the line.
type_and_see() {
	local i
	tmux -L "$SOCK" send-keys -t s -l "$1"
	tmux -L "$SOCK" send-keys -t s Tab
	for i in $(seq 100); do
		tmux -L "$SOCK" capture-pane -p -t s | grep -qF -- "$2" && break
		sleep 0.1
	done
	tmux -L "$SOCK" capture-pane -p -t s | grep -F -- "$2" ||
		{ tmux -L "$SOCK" capture-pane -p -t s >&2; return 1; }
	tmux -L "$SOCK" send-keys -t s C-u
}

@test "bash completion typed in tmux: comma lists, --opt=value, after a space" {
	[ -r /usr/share/bash-completion/bash_completion ] || skip "no bash-completion"
	start_shell "bash --norc --noprofile"
	tmux -L "$SOCK" send-keys -t s "PS1='$ '; . /usr/share/bash-completion/bash_completion; \
for f in '$TD_SRCDIR'/completions/bash/*; do . \$f; done; clear" Enter
	sleep 0.5
	type_and_see 'timerstat -o count,ra' 'timerstat -o count,rate'
	type_and_see 'timerstat --output=wakeups,fun' 'timerstat --output=wakeups,function'
	type_and_see 'timerinfo --format=p' 'timerinfo --format=prometheus'
	type_and_see 'timerinfo --format j' 'timerinfo --format json'
	type_and_see 'timerstat --format=pa' 'timerstat --format=pairs'
	type_and_see 'wakeuptop -o +comm,wakeup_' 'wakeuptop -o +comm,wakeup_rate'
	type_and_see 'timerstat --col' 'timerstat --color'
	type_and_see 'timerstat --color=al' 'timerstat --color=always'
}

@test "zsh completion typed in tmux: comma lists and --opt=value" {
	command -v zsh >/dev/null || skip "no zsh"
	start_shell "zsh -f"
	tmux -L "$SOCK" send-keys -t s "PS1='%% '; fpath=('$TD_SRCDIR'/completions/zsh \$fpath); \
autoload -Uz compinit; compinit -u -D; clear" Enter
	sleep 1
	type_and_see 'timerinfo --format=p' 'timerinfo --format=prometheus'
	type_and_see 'timerstat -o count,ra' 'timerstat -o count,rate'
	type_and_see 'timerstat --pai' 'timerstat --pairs'
	type_and_see 'wakeuptop -o comm,wakeup_' 'wakeuptop -o comm,wakeup_rate'
	type_and_see 'wakeuptop --color=n' 'wakeuptop --color=never'
}

@test "make install puts the zsh completions where Debian's zsh looks" {
	command -v zsh >/dev/null || skip "no zsh"
	# The directory configure chose for this build's prefix.
	dir=$(sed -n 's/^zshcompletiondir = //p' "$TD_BUILDDIR/Makefile")
	prefix=$(sed -n 's/^prefix = //p' "$TD_BUILDDIR/Makefile")
	dir=${dir//\$\{datadir\}/$prefix/share}
	make -s -C "$TD_BUILDDIR" install-dist_zshcompletionDATA DESTDIR="$TMP/d"
	[ -f "$TMP/d$dir/_timerstat" ]
	# For the prefixes Debian's zsh knows (make distcheck installs elsewhere).
	case $prefix in
	/usr | /usr/local) zsh -fc 'print -l $fpath' | grep -qx -- "$dir" ;;
	esac
}
