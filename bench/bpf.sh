#!/bin/sh
# Benchmark of in-kernel aggregation (needs root): the timer load of
# tests/helpers/timerfd_load (2 threads x FDS timerfds x 1000 Hz) swept from
# about 10,000 hrtimer expiries/s to as far as the generator reaches, and at
# each step, one after the other over the same length of time:
#   none       the load alone (its achieved rate: the baseline)
#   bpf        timerstat --source bpf
#   tracefs    timerstat --source tracefs
#   bpftrace   a one-liner counting timer:hrtimer_expire_entry (skipped when
#              bpftrace is not installed)
# each beside `perf stat -a -e timer:hrtimer_expire_entry` over its window.
# Columns: the rate perf saw; counted/perf (the tool's hrtimer expiries over
# perf's, rates over their own windows); lost events; the tool's own CPU in
# its steady state (/proc/PID/schedstat, from 2 s after it started, when its
# programs are loaded, to 0.5 s before the end) as a share of one CPU; for bpf the time its programs ran in
# the kernel (BPF run-time statistics); peak RSS; and the load's slowdown
# (its achieved rate with the tool over the rate with none).
# Targets (in-kernel aggregation must cost what bpftrace costs): bpf's own
# CPU at most 2x bpftrace's and under 0.2 % at 600k/s, 0 lost, counted/perf
# within 1 %, slowdown no worse than bpftrace's.
# BPF_BENCH_SWEEP (FDS per thread), BPF_BENCH_SECONDS (window, default 6).
set -eu
build=${TD_BUILDDIR:-.}
dur=${BPF_BENCH_SECONDS:-6}
sweep=${BPF_BENCH_SWEEP:-"5 50 150 300 500"}

if [ "$(id -u)" -ne 0 ]; then
	echo "bpf bench: needs root; skipped"
	exit 0
fi
for t in perf jq; do
	command -v $t >/dev/null || { echo "bpf bench: $t not installed; skipped"; exit 0; }
done
grep -q '^#define HAVE_BPF 1' "$build/config.h" ||
	{ echo "bpf bench: built without the BPF backend; skipped"; exit 0; }
have_bpftrace=yes
command -v bpftrace >/dev/null || {
	have_bpftrace=no
	echo "bpf bench: bpftrace not installed: its column is left out (apt-get install bpftrace)"
}
make -C "$build" -s tests/helpers/timerfd_load timerstat >/dev/null
tmp=$(mktemp -d)
load=
tool=
. "$(dirname "$0")/mounts.sh"
mounts_note
cleanup() {
	[ -n "$tool" ] && kill "$tool" 2>/dev/null
	[ -n "$load" ] && kill "$load" 2>/dev/null
	rm -rf "$tmp"
	mounts_restore
}
trap cleanup EXIT INT TERM

# On-CPU nanoseconds of a pid (0 when gone).
oncpu() {
	awk '{ print $1 }' "/proc/$1/schedstat" 2>/dev/null || echo 0
}
# Peak RSS of a pid in KiB.
hwm() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}
# perf's hrtimer expiries per second over its run: "count seconds".
perf_rate() {
	awk '/hrtimer_expire_entry/ { gsub(/[,.]/, "", $1); c = $1 }
	     /seconds time elapsed/ { s = $1 } END { printf "%d %s\n", c, s }' "$1"
}

# Run one tool ($1) for the window beside perf; prints
# "perf_rate counted_rate lost cpu_pct kernel_ms rss_kib".
measure() {
	local name=$1 pid t0 t1 rss pc ps counted lost kern
	perf stat -a -e timer:hrtimer_expire_entry -o "$tmp/perf.txt" -- \
		sleep "$dur" &
	local perf=$!
	case $name in
	none)
		wait "$perf"
		read -r pc ps <<EOF
$(perf_rate "$tmp/perf.txt")
EOF
		echo "$(awk -v c="$pc" -v s="$ps" 'BEGIN { printf "%.0f", c / s }') - - - - -"
		return ;;
	bpf|tracefs)
		"$build/timerstat" --source "$name" -d "$dur" -J -g thread >"$tmp/out.json" &
		;;
	bpftrace)
		bpftrace -e "tracepoint:timer:hrtimer_expire_entry { @n = count(); }
			interval:ms:$((dur * 1000)) { exit(); }" >"$tmp/out.txt" 2>/dev/null &
		;;
	esac
	tool=$!
	pid=$tool
	[ "$name" = bpftrace ] || pid=$(pgrep -n -P "$tool" -x timerstat 2>/dev/null || echo "$tool")
	sleep 2
	t0=$(oncpu "$pid")
	sleep "$(awk -v d="$dur" 'BEGIN { print d - 2.5 }')"
	t1=$(oncpu "$pid")
	rss=$(hwm "$pid")
	wait "$tool" || true
	tool=
	wait "$perf"
	read -r pc ps <<EOF
$(perf_rate "$tmp/perf.txt")
EOF
	case $name in
	bpftrace)
		counted=$(awk -v s="$dur" '/@n:/ { printf "%.0f", $2 / s }' "$tmp/out.txt")
		lost=0
		kern=-
		;;
	*)
		counted=$(jq -r '.samples[0] as $x | ([$x.sources[] | select(.kind == "hrtimer") |
			.expiries] | add // 0) / ($x.period_ns / 1e9) | round' "$tmp/out.json")
		lost=$(jq -r '.samples[0].lost_events' "$tmp/out.json")
		kern=$(jq -r '.samples[0].note // "" | capture("ran (?<ms>[0-9.]+) ms") | .ms' \
			"$tmp/out.json" 2>/dev/null || true)
		[ -n "$kern" ] || kern=-
		;;
	esac
	echo "$(awk -v c="$pc" -v s="$ps" 'BEGIN { printf "%.0f", c / s }') ${counted:-0} ${lost:-?}" \
		"$(awk -v a="$t0" -v b="$t1" -v w="$dur" 'BEGIN { printf "%.3f", (b - a) / 1e9 / (w - 2.5) * 100 }')" \
		"$kern $rss"
}

printf '%-8s %-9s %9s %9s %8s %8s %11s %8s %8s\n' load tool perf/s counted/perf lost "CPU %" "kernel ms" "RSS KiB" slowdown
for n in $sweep; do
	[ -n "$load" ] && kill "$load" 2>/dev/null && wait "$load" 2>/dev/null || true
	"$build/tests/helpers/timerfd_load" -t 2 -n "$n" -r 1000 >/dev/null &
	load=$!
	sleep 1
	base=
	tools="none bpf tracefs"
	[ "$have_bpftrace" = yes ] && tools="$tools bpftrace"
	for t in $tools; do
		read -r prate counted lost cpu kern rss <<EOF
$(measure "$t")
EOF
		[ "$t" = none ] && base=$prate
		awk -v n="$n" -v t="$t" -v p="$prate" -v c="$counted" -v l="$lost" -v cpu="$cpu" \
		    -v k="$kern" -v r="$rss" -v b="$base" 'BEGIN {
			ratio = (c == "-" || p == 0) ? "-" : sprintf("%.4f", c / p)
			slow = (t == "none") ? "1.000" : sprintf("%.3f", p / b)
			printf "%-8s %-9s %9d %9s %8s %8s %11s %8s %8s\n", (2 * n) "k/s", t, p, ratio, l, cpu, k, r, slow
		}'
	done
done
kill "$load" 2>/dev/null || true
wait 2>/dev/null || true
load=
