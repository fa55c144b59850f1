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
# Each step is measured in ROUNDS rounds (the argument, default 3); a round
# runs every tool once, in an order turned by one tool each round, so that a
# drift of the machine's load hits all tools alike.  The table shows the
# median over the rounds of each column.
# Columns: the rate perf saw; counted/perf (the tool's hrtimer expiries over
# perf's, rates over their own windows); lost events; the tool's own CPU in
# its steady state (/proc/PID/schedstat, from 2 s after it started, when its
# programs are loaded, to 0.5 s before the end) as a share of one CPU (user
# space: the programs run in the context of the tasks they trace); the time
# its BPF programs ran in the kernel over the same steady window as a share
# of one CPU (BPF %) and per hrtimer expiry (ns/expiry: all its programs' run
# time over the runs of its expiry program); peak RSS; and the load's achieved
# rate with the tool over its rate with none in the same round (rate/none,
# below 1 when the tool slows the load down), the median and, in brackets, the
# lowest and highest of the rounds.
# After each step, each program of bpf and bpftrace: its nanoseconds per run
# (the kernel's BPF run-time statistics over the steady windows of all
# rounds: run time over runs, which does not depend on how busy the machine
# is) and its runs per second; then bpf against bpftrace: the ratios of their
# own CPU with their programs' (CPU % + BPF %), and of their ns/expiry.
# The statistics need kernel.bpf_stats_enabled: the bench sets it to 1 with
# sysctl and puts back the value it found on every exit (but SIGKILL).
# Targets (in-kernel aggregation must cost what bpftrace costs): bpf's own CPU at most 2x bpftrace's and under 0.2 % at
# 600k/s, 0 lost, counted/perf within 1 %, slowdown no worse than bpftrace's.
# Usage: bench/bpf.sh [ROUNDS]; BPF_BENCH_SWEEP (FDS per thread),
# BPF_BENCH_SECONDS (window, default 6, at least 3), BPF_BENCH_TOOLS (of
# "bpf tracefs bpftrace", default all; "none" is always run).
set -eu
build=${TD_BUILDDIR:-.}
dur=${BPF_BENCH_SECONDS:-6}
sweep=${BPF_BENCH_SWEEP:-"5 50 150 300 500"}
rounds=${1:-3}
want=${BPF_BENCH_TOOLS:-"bpf tracefs bpftrace"}

case $rounds in
''|*[!0-9]*|0) echo "usage: bench/bpf.sh [ROUNDS] (ROUNDS a number from 1)" >&2; exit 2 ;;
esac
awk -v d="$dur" 'BEGIN { exit !(d + 0 >= 3) }' ||
	{ echo "bpf bench: BPF_BENCH_SECONDS must be at least 3 (2 s to load, 0.5 s at the end)" >&2; exit 2; }

if [ "$(id -u)" -ne 0 ]; then
	echo "bpf bench: needs root; skipped"
	exit 0
fi
for t in perf jq bpftool sysctl; do
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
stats_was=
. "$(dirname "$0")/mounts.sh"
mounts_note
cleanup() {
	[ -n "$tool" ] && kill "$tool" 2>/dev/null
	[ -n "$load" ] && kill "$load" 2>/dev/null
	wait 2>/dev/null
	[ -n "$stats_was" ] && sysctl -q -w kernel.bpf_stats_enabled="$stats_was"
	stats_was=
	rm -rf "$tmp"
	mounts_restore
}
trap cleanup EXIT
trap 'cleanup; exit 129' HUP
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 141' PIPE
trap 'cleanup; exit 143' TERM
# BPF run-time statistics, put back by cleanup.
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -q -w kernel.bpf_stats_enabled=1

# On-CPU nanoseconds of a pid (0 when gone).
oncpu() {
	awk '{ print $1 }' "/proc/$1/schedstat" 2>/dev/null || echo 0
}
# Peak RSS of a pid in KiB.
hwm() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}
# The BPF programs a pid holds (its file descriptors' prog_id, as bpftool
# may not say which process holds a program): "name run_time_ns run_cnt".
progs_of() {
	local ids
	ids=$(grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{ print $2 }' |
		sort -u | paste -sd, -)
	bpftool prog show -j 2>/dev/null | jq -r --argjson ids "[$ids]" '.[] |
		select(.id as $i | $ids | index($i)) |
		"\(.name) \(.run_time_ns // 0) \(.run_cnt // 0)"'
}
# The programs' run time and runs between two of progs_of's lists: "name ns runs".
progs_delta() {
	awk 'NR == FNR { t[$1] = $2; c[$1] = $3; next }
	     { print $1, $2 - t[$1], $3 - c[$1] }' "$1" "$2"
}
# perf's hrtimer expiries per second over its run: "count seconds".
perf_rate() {
	awk '/hrtimer_expire_entry/ { gsub(/[,.]/, "", $1); c = $1 }
	     /seconds time elapsed/ { s = $1 } END { printf "%d %s\n", c, s }' "$1"
}

# Run one tool ($1) for the window beside perf; prints
# "perf_rate counted_rate lost cpu_pct bpf_pct ns_per_expiry rss_kib", and
# adds "tool program ns runs" lines of its programs to $tmp/progs.
measure() {
	local name=$1 pid t0 t1 rss pc ps counted lost bpfp nsx
	perf stat -a -e timer:hrtimer_expire_entry -o "$tmp/perf.txt" -- \
		sleep "$dur" &
	local perf=$!
	case $name in
	none)
		wait "$perf"
		read -r pc ps <<EOF
$(perf_rate "$tmp/perf.txt")
EOF
		echo "$(awk -v c="$pc" -v s="$ps" 'BEGIN { printf "%.0f", c / s }') - - - - - -"
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
	progs_of "$pid" >"$tmp/p0"
	t0=$(oncpu "$pid")
	sleep "$(awk -v d="$dur" 'BEGIN { print d - 2.5 }')"
	t1=$(oncpu "$pid")
	progs_of "$pid" >"$tmp/p1"
	rss=$(hwm "$pid")
	progs_delta "$tmp/p0" "$tmp/p1" >"$tmp/pd"
	sed "s/^/$name /" "$tmp/pd" >>"$tmp/progs"
	# All programs' run time; the expiries: runs of tdg_hrt_expire, or of
	# bpftrace's busiest program (its other one is the interval's).
	bpfp=$(awk -v w="$dur" -v t="$name" '
		{ ns += $2; if (t == "bpf" ? $1 == "tdg_hrt_expire" : $3 > x) x = $3 }
		END { if (ns == 0) print "- -"; else printf "%.4f %.1f\n", ns / 1e9 / (w - 2.5) * 100,
		    (x > 0 ? ns / x : 0) }' "$tmp/pd")
	nsx=${bpfp#* }
	bpfp=${bpfp% *}
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
		;;
	*)
		counted=$(jq -r '.samples[0] as $x | ([$x.sources[] | select(.kind == "hrtimer") |
			.expiries] | add // 0) / ($x.period_ns / 1e9) | round' "$tmp/out.json")
		lost=$(jq -r '.samples[0].lost_events' "$tmp/out.json")
		;;
	esac
	echo "$(awk -v c="$pc" -v s="$ps" 'BEGIN { printf "%.0f", c / s }') ${counted:-0} ${lost:-?}" \
		"$(awk -v a="$t0" -v b="$t1" -v w="$dur" 'BEGIN { printf "%.3f", (b - a) / 1e9 / (w - 2.5) * 100 }')" \
		"$bpfp $nsx $rss"
}

# One table row per tool from the rounds of one step ($tmp/rounds: "round R"
# lines, each followed by that round's "tool prate counted lost cpu bpf
# ns_per_expiry rss" lines): the median of each column over the rounds, the
# most lost, and the ratio of the load's rate to the rate with no tool in the
# same round; then bpf's costs over bpftrace's.
summarize() {
	awk -v load="$1" '
	# The median of the values of a list joined by spaces.
	function median(list,    v, n, i, j, x) {
		n = split(list, v, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
				x = v[j]; v[j] = v[j - 1]; v[j - 1] = x
			}
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	function add(k, t, x) { if (x != "-") L[k, t] = L[k, t] " " x }
	$1 == "round" { r = $2; next }
	{
		t = $1
		if (!(t in seen)) { seen[t] = 1; order[++nt] = t }
		P[r, t] = $2
		add("p", t, $2)
		if ($3 != "-" && $2 > 0) add("c", t, $3 / $2)
		add("cpu", t, $5); add("k", t, $6); add("nsx", t, $7); add("rss", t, $8)
		if ($6 != "-") add("all", t, $5 + $6)
		if ($4 != "-" && (!(t in lost) || $4 + 0 > lost[t] + 0)) lost[t] = $4
	}
	END {
		for (i = 1; i <= nt; i++) {
			t = order[i]; rl = ""; lo = ""; hi = ""
			for (q = 1; q <= r; q++) {
				if (P[q, "none"] + 0 == 0 || P[q, t] == "") continue
				x = P[q, t] / P[q, "none"]
				rl = rl " " x
				if (lo == "" || x < lo) lo = x
				if (hi == "" || x > hi) hi = x
			}
			printf "%-8s %-9s %9d %12s %8s %8s %8s %9s %8s %9s %s\n", load, t,
			    median(L["p", t]),
			    L["c", t] == "" ? "-" : sprintf("%.4f", median(L["c", t])),
			    t in lost ? lost[t] : "-",
			    L["cpu", t] == "" ? "-" : sprintf("%.3f", median(L["cpu", t])),
			    L["k", t] == "" ? "-" : sprintf("%.4f", median(L["k", t])),
			    L["nsx", t] == "" ? "-" : sprintf("%.1f", median(L["nsx", t])),
			    L["rss", t] == "" ? "-" : sprintf("%.0f", median(L["rss", t])),
			    rl == "" ? "-" : sprintf("%.3f", median(rl)),
			    rl == "" ? "" : sprintf("[%.3f, %.3f]", lo, hi)
		}
		if (L["all", "bpf"] != "" && L["all", "bpftrace"] != "" && median(L["all", "bpftrace"]) > 0)
			printf "%-8s bpf/bpftrace: own CPU with programs %.3f %% / %.3f %% = %.2fx, ns/expiry %.1f / %.1f = %.2fx\n",
			    load, median(L["all", "bpf"]), median(L["all", "bpftrace"]),
			    median(L["all", "bpf"]) / median(L["all", "bpftrace"]),
			    median(L["nsx", "bpf"]), median(L["nsx", "bpftrace"]),
			    (median(L["nsx", "bpftrace"]) > 0 ? median(L["nsx", "bpf"]) / median(L["nsx", "bpftrace"]) : 0)
	}' "$tmp/rounds"
}

# Each program's ns per run over all rounds of one step ($tmp/progs: "tool
# program ns runs" lines), busiest first.
programs() {
	awk -v load="$1" -v s="$(awk -v d="$dur" -v r="$rounds" 'BEGIN { print (d - 2.5) * r }')" '
	{ k = $1 " " $2; ns[k] += $3; n[k] += $4 }
	END {
		for (k in n)
			if (n[k] > 0) {
				split(k, f, " ")
				printf "%-8s %-9s %-16s %10.1f %12.0f\n", load, f[1], f[2], ns[k] / n[k], n[k] / s
			}
	}' "$tmp/progs" | sort -k5,5nr
}

echo "bpf bench: $rounds rounds of ${dur} s windows per step, medians"
printf '%-8s %-9s %9s %12s %8s %8s %8s %9s %8s %9s %s\n' load tool perf/s counted/perf lost \
	"CPU %" "BPF %" ns/expiry "RSS KiB" rate/none "[lowest, highest]"
tools=none
for t in $want; do
	[ "$t" = bpftrace ] && [ "$have_bpftrace" = no ] && continue
	case $t in bpf|tracefs|bpftrace) tools="$tools $t" ;; esac
done
ntools=$(echo $tools | wc -w)
for n in $sweep; do
	[ -n "$load" ] && kill "$load" 2>/dev/null && wait "$load" 2>/dev/null || true
	"$build/tests/helpers/timerfd_load" -t 2 -n "$n" -r 1000 >/dev/null &
	load=$!
	sleep 1
	: >"$tmp/rounds"
	: >"$tmp/progs"
	r=1
	while [ "$r" -le "$rounds" ]; do
		echo "round $r" >>"$tmp/rounds"
		# This round's order: the tools turned by r - 1.
		i=0
		while [ "$i" -lt "$ntools" ]; do
			t=$(echo $tools | awk -v k=$(( (i + r - 1) % ntools + 1 )) '{ print $k }')
			echo "$t $(measure "$t")" >>"$tmp/rounds"
			i=$((i + 1))
		done
		r=$((r + 1))
	done
	summarize "$((2 * n))k/s"
	programs "$((2 * n))k/s" >"$tmp/pt"
	if [ -s "$tmp/pt" ]; then
		printf '  %-8s %-9s %-16s %10s %12s\n' load tool program ns/run runs/s
		sed 's/^/  /' "$tmp/pt"
	fi
done
kill "$load" 2>/dev/null || true
wait 2>/dev/null || true
load=
