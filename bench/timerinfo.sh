#!/bin/sh
# timerinfo on the live machine: median wall time and peak RSS over many runs,
# beside `cat /proc/timer_list` measured the same way in the same run.
# Targets (timerinfo as cheap as cat of /proc/timer_list): at most 3 ms median wall, at most 4 MiB RSS.
set -eu
b=${TD_BUILDDIR:-.}
runs=${RUNS:-200}
[ -x "$b/bench/runstat" ] || make -C "$b" bench/runstat >/dev/null
[ -r /proc/timer_list ] || { echo "timerinfo bench: /proc/timer_list not readable (run as root)"; exit 0; }
spawn=$("$b/bench/runstat" "$runs" true)
base=$("$b/bench/runstat" "$runs" cat /proc/timer_list)
ti=$("$b/bench/runstat" "$runs" "$b/timerinfo")
tij=$("$b/bench/runstat" "$runs" "$b/timerinfo" -J)
link=$(sed -n 's/^TIMERINFO_LDFLAGS = *//p' "$b/Makefile")
echo "timerinfo linked ${link:-against shared libraries} (configure --disable-static-timerinfo to change)"
echo "true (process spawn): $spawn"
echo "cat /proc/timer_list: $base"
echo "timerinfo:            $ti"
echo "timerinfo -J:         $tij"
med() { echo "$1" | awk '{print $2}'; }
rss() { echo "$1" | awk '{print $8}'; }
awk -v a="$(med "$ti")" -v c="$(med "$base")" -v r="$(rss "$ti")" 'BEGIN {
	printf "timerinfo median %.3f ms (%.1fx cat of the same file), peak RSS %.2f MiB\n", a, a / c, r / 1024
	printf "targets: <= 3 ms: %s; <= 4 MiB: %s\n", (a <= 3 ? "met" : "MISSED"), (r <= 4096 ? "met" : "MISSED") }'
