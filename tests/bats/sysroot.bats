#!/usr/bin/env bats
# --sysroot DIR as root runs it on a tree someone sent: every read stays inside
# DIR.  A symbolic link that leaves the tree (absolute, or ../ above DIR), or
# that loops, is refused with one line naming it and exit 1, in every tool and
# every output; nothing it points at is ever read.  A sysroot that is not a
# directory, a file too big to read and a NUL byte in a timer_list fail the
# same way.

load helpers
bats_require_minimum_version 1.5.0

SECRET_TEXT='root:SECRET-7f3a9c:19000:0:99999:7:::'

setup() {
	require_corpus
	T=$BATS_TEST_TMPDIR
	SECRET=$T/secret
	printf '%s\n' "$SECRET_TEXT" > "$SECRET"
	CAP=$T/cap
	cp -a "$TD_CORPUS/kmatrix/amd64-6.1-generic-default" "$CAP"
	CS=$CAP/sys/devices/system/clocksource/clocksource0
}

# Every tool and output over the tree $1: the secret never shows, the tool
# exits 1 with exactly one line on stderr naming a link in the tree ($2: what
# that line says).
refused_everywhere() {
	local dir=$1 why=$2 cmd
	local -a cmds=(
		"timerinfo --sysroot $dir"
		"timerinfo --sysroot $dir -J"
		"timerinfo --sysroot $dir -t -c"
		"timerinfo --sysroot $dir --check"
		"timerinfo --sysroot $dir --format=prometheus"
		"timerinfo --sysroot $dir --ticks --events"
		"timerstat --sysroot $dir"
		"timerstat --sysroot $dir -J"
		"timerstat --sysroot $dir --format=timer_stats"
		"wakeuptop -b -n 1 --sysroot $dir"
		"wakeuptop -b -n 1 -J --sysroot $dir"
		"timerprobe --sysroot $dir -n 3 -i 1ms"
	)
	for cmd in "${cmds[@]}"; do
		run --separate-stderr $cmd
		echo "$cmd: status $status; stderr: $stderr" >&2
		[[ $output != *SECRET* && $stderr != *SECRET* ]]
		[ "$status" -eq 1 ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ ${stderr_lines[0]} == *": $dir/"*"$why; refused" ]]
	done
}

@test "absolute links to a file outside the tree are refused in every tool" {
	# The case as reported: the kernel command line and the clock source.
	ln -sf "$SECRET" "$CAP/proc/cmdline"
	ln -sf "$SECRET" "$CS/current_clocksource"
	run --separate-stderr timerinfo --sysroot "$CAP" -J
	[[ $output != *SECRET* ]]
	[ "$status" -eq 1 ]
	[ "$stderr" = "timerinfo: $CAP/proc/cmdline: symbolic link leaves the tree; refused" ]
	# And the files the other tools read.
	ln -sf "$SECRET" "$CAP/proc/interrupts"
	ln -sf "$SECRET" "$CAP/proc/timer_list"
	refused_everywhere "$CAP" "symbolic link leaves the tree"
}

@test "relative links out of the tree (../../..) are refused in every tool" {
	ln -sf ../../secret "$CAP/proc/cmdline"
	ln -sf ../../../../../../../secret "$CS/current_clocksource"
	# As many ../ as it takes to reach / from anywhere, then down to the secret.
	ln -sf "../../../../../../../../../../../../../../../..$SECRET" "$CAP/proc/interrupts"
	ln -sf "../../../../../../../../../../../../../../../..$SECRET" "$CAP/proc/timer_list"
	refused_everywhere "$CAP" "symbolic link leaves the tree"
}

@test "link loops are refused in every tool" {
	for f in cmdline interrupts timer_list; do
		ln -sf "$f.loop" "$CAP/proc/$f"
		ln -sf "$f" "$CAP/proc/$f.loop"
	done
	rm "$CS/current_clocksource"
	ln -s current_clocksource "$CS/current_clocksource"
	refused_everywhere "$CAP" "symbolic links loop or nest too deep"
}

@test "a directory link out of the tree is refused in every tool" {
	mkdir -p "$T/outside"
	mv "$CAP/proc" "$T/outside/proc"
	cp "$SECRET" "$T/outside/proc/cmdline"
	printf '%s\n' "$SECRET_TEXT" >> "$T/outside/proc/interrupts"
	ln -s "$T/outside/proc" "$CAP/proc"
	mv "$CAP/sys/devices/system/clocksource" "$T/outside/clocksource"
	cp "$SECRET" "$T/outside/clocksource/clocksource0/current_clocksource"
	ln -s ../../../../outside/clocksource "$CAP/sys/devices/system/clocksource"
	refused_everywhere "$CAP" "symbolic link leaves the tree"
	run --separate-stderr timerinfo --sysroot "$CAP" -J
	[[ $stderr == "timerinfo: $CAP/proc: symbolic link leaves the tree; refused" ]]
}

@test "links that stay inside the tree are followed as before" {
	timerinfo --sysroot "$CAP" -J | jq -S 'del(.sysroot)' > "$T/plain.json"
	timerstat --sysroot "$CAP" -J | jq -S . > "$T/plain-stat.json"
	mv "$CAP/proc" "$CAP/proc.real"
	ln -s proc.real "$CAP/proc"
	mkdir "$CAP/cs"
	mv "$CS/current_clocksource" "$CAP/cs/current"
	ln -s ../../../../../cs/current "$CS/current_clocksource"
	run -0 timerinfo --sysroot "$CAP" -J
	[ "$(jq -S 'del(.sysroot)' <<< "$output")" = "$(cat "$T/plain.json")" ]
	[ "$(jq -r .clocksource.current <<< "$output")" = "$(truth "$CAP" .clocksource)" ]
	[ "$(jq -r .kernel.cmdline <<< "$output")" = "$(cat "$CAP/proc.real/cmdline")" ]
	run -0 timerstat --sysroot "$CAP" -J
	[ "$(jq -S . <<< "$output")" = "$(cat "$T/plain-stat.json")" ]
}

@test "a sysroot that is a regular file or missing: exit 1, one line naming it, in every tool" {
	: > "$T/file"
	for dir in "$T/file" /nonexistent/sysroot; do
		for cmd in timerinfo timerstat "wakeuptop -b -n 1" "timerprobe -n 3 -i 1ms"; do
			run --separate-stderr $cmd --sysroot "$dir"
			echo "$cmd --sysroot $dir: status $status; stderr: $stderr" >&2
			[ "$status" -eq 1 ]
			[ "${#stderr_lines[@]}" -eq 1 ]
			[[ ${stderr_lines[0]} == *": $dir: "* ]]
			[ -z "$output" ]
		done
	done
	run --separate-stderr timerinfo --sysroot "$T/file"
	[ "$stderr" = "timerinfo: $T/file: not a directory" ]
}

@test "a 2 GB file is refused by its size, before it is read" {
	truncate -s 2G "$T/big"
	run --separate-stderr timerinfo --timer-list "$T/big"
	[ "$status" -eq 1 ]
	[ "$stderr" = "timerinfo: $T/big: file of 2147483648 bytes, larger than 268435456" ]
	run --separate-stderr timerstat --timer-stats "$T/big"
	[ "$status" -eq 1 ]
	[[ $stderr == "timerstat: $T/big: file of 2147483648 bytes, larger than "* ]]
	# Nothing of it is read: the peak memory stays far below the 256 MiB limit.
	[ -x /usr/bin/time ] || skip "no /usr/bin/time to measure the peak memory"
	run /usr/bin/time -f 'maxrss %M' timerinfo --timer-list "$T/big"
	echo "$output" >&2
	[ "$(awk '/^maxrss/ { print $2 }' <<< "$output")" -lt 65536 ]
}

@test "a NUL byte in a timer_list: exit 1 naming the file and line" {
	local f=$TD_SRCDIR/tests/fixtures/timer_list/v0.11-nul-in-timer-line.bin
	run --separate-stderr timerinfo --timer-list "$f"
	[ "$status" -eq 1 ]
	[ "$stderr" = "timerinfo: $f:12: NUL byte: not text" ]
	cp "$f" "$CAP/proc/timer_list"
	run --separate-stderr timerinfo --sysroot "$CAP"
	[ "$status" -eq 1 ]
	[ "$stderr" = "timerinfo: $CAP/proc/timer_list:12: NUL byte: not text" ]
}
