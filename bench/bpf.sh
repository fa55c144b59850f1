#!/bin/sh
# Benchmark of in-kernel aggregation (needs root): the timer load of
# tests/helpers/timerfd_load (2 threads x FDS timerfds x 1000 Hz) swept from
# about 10,000 hrtimer expiries/s to as far as the generator reaches, and at
# each step, one after the other in windows of the same length:
#   none       the load alone (its achieved rate: the baseline)
#   bpf        timerstat --source bpf
#   tracefs    timerstat --source tracefs
#   bpftrace   a one-liner counting the load's timer:hrtimer_expire_entry
#              (skipped when bpftrace is not installed)
#   bpftrace_all  the one-liner plus a count on every other tracepoint the
#              bpf backend's programs are on (timer, irq, irq_vectors,
#              power:cpu_idle, sched:sched_switch): what bpftrace costs to
#              see the events the wakeup model and the arming site need
#   bpftrace_arm  the one-liner plus a count by thread on timer:hrtimer_start:
#              the least a tool that names a timer's armer must trace
#   bpftrace_st   the one-liner plus a probe on timer:hrtimer_start whose
#              predicate is never true: what a program on that tracepoint
#              costs the load before it does anything
# each beside `perf stat -a -e timer:hrtimer_expire_entry` over its window.
# In a window, perf and the tool start first; 2 s later, when the tool's
# programs are attached, a bounded load (timerfd_load -d, the window less
# 4 s, its threads pinned one to a CPU with -c, and its timers' phases on a
# grid from its start, so that each run puts the same load on each CPU) runs
# and ends before perf and the tool stop.  So
# the tool and perf count the same events: the expiries of the load's timers (callback
# timerfd_tmrproc: perf's --filter, the tool's sources of that function, the
# one-liner's predicate), all of which fall inside both of their windows.
# The tools run as users run them: timerstat -d 1s -n (window - 1), so it
# reads its maps every second while the load runs.
# Each step is measured in ROUNDS rounds (the argument, default 3) with the
# BPF run-time statistics off (kernel.bpf_stats_enabled=0, as users run: they
# add two clock reads to every program run, and timerstat no longer turns
# them on itself); a round runs every tool once, in
# an order turned by one tool each round, so that a drift of the machine's
# load hits all tools alike.  Then one round of bpf and bpftrace with the
# statistics on gives their programs' run time.
# Columns (medians over the rounds): the load's expiries per second as perf
# counted them; counted/perf (the tool's count of the load's expiries over
# perf's); lost events (the most of any round); the tool's own CPU while the
# load ran (/proc/PID/schedstat, user space and its system calls: the
# programs run in the context of the tasks they trace) as a share of one
# CPU; from the round with statistics, the time its BPF programs ran over
# the load's run as a share of one CPU (BPF %) and per hrtimer expiry
# (ns/expiry: all its programs' run time over the runs of its expiry
# program); peak RSS; the local timer interrupts of all CPUs while the load
# ran over perf's count (irqs/exp: the LOC row of /proc/interrupts on x86,
# arch_timer's on arm64; at saturation the rate follows how many expiries
# each interrupt runs); and the load's achieved rate (its reads over its
# seconds) with the tool over its rate with none in the same round
# (rate/none, below 1 when the tool slows the load down), the median and, in
# brackets, the lowest and highest of the rounds.
# After each step, each program of bpf and bpftrace: its nanoseconds per run
# (run time over runs, which does not depend on how busy the machine is) and
# its runs per second; then bpf against bpftrace: the ratios of their own CPU
# with their programs' (CPU % + BPF %), and of their ns/expiry; and the
# load's rate under bpf over its rate under each bpftrace tool, round by
# round: the median, lowest and highest, and in how many rounds below 1.
# The bench sets kernel.bpf_stats_enabled with sysctl and puts back the value
# it found on every exit (but SIGKILL).
# Targets (in-kernel aggregation must cost what bpftrace costs): bpf's own CPU at most 2x bpftrace's and under 0.2 % at
# 600k/s, 0 lost, counted/perf within 1 %, slowdown no worse than bpftrace's.
# Usage: bench/bpf.sh [ROUNDS]; BPF_BENCH_SWEEP (FDS per thread),
# BPF_BENCH_SECONDS (window, default 8, a whole number from 6), BPF_BENCH_TOOLS
# (of "bpf tracefs bpftrace bpftrace_st bpftrace_arm bpftrace_all", default all; "none" is
# always run).
set -eu
build=${TD_BUILDDIR:-.}
dur=${BPF_BENCH_SECONDS:-8}
sweep=${BPF_BENCH_SWEEP:-"5 50 150 300 500"}
rounds=${1:-3}
# The tools the bench knows; BPF_BENCH_TOOLS picks among them.
known="bpf tracefs bpftrace bpftrace_st bpftrace_arm bpftrace_all"
want=${BPF_BENCH_TOOLS:-$known}

case $rounds in
''|*[!0-9]*|0) echo "usage: bench/bpf.sh [ROUNDS] (ROUNDS a number from 1)" >&2; exit 2 ;;
esac
case $dur in
''|*[!0-9]*) dur=0 ;;
esac
[ "$dur" -ge 6 ] ||
	{ echo "bpf bench: BPF_BENCH_SECONDS must be a whole number from 6 (2 s to attach, 2 s at the end)" >&2; exit 2; }
# The load runs this long in each window.
loadsec=$((dur - 4))

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
# The load's timers' callback, which perf's filter names by address.
tmrproc=$(awk '$3 == "timerfd_tmrproc" { print "0x" $1; exit }' /proc/kallsyms)
case $tmrproc in
''|0x0000000000000000)
	echo "bpf bench: no address of timerfd_tmrproc in /proc/kallsyms; skipped"; exit 0 ;;
esac
make -C "$build" -s tests/helpers/timerfd_load timerstat >/dev/null
tmp=$(mktemp -d)
load=
tool=
stats_was=
. "$(dirname "$0")/mounts.sh"
. "$(dirname "$0")/bpfprogs.sh"
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
# BPF run-time statistics, off but in the rounds that ask for them; put back by cleanup.
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
stats() {
	sysctl -q -w kernel.bpf_stats_enabled="$1"
}

# On-CPU nanoseconds of a pid (0 when gone).
oncpu() {
	awk '{ print $1 }' "/proc/$1/schedstat" 2>/dev/null || echo 0
}
# The local timer interrupts of all CPUs so far: the LOC row on x86,
# arch_timer rows on arm64; - when the kernel has neither.
timer_irqs() {
	awk '$1 == "CPU0" { ncpu = NF; next }
	     $1 == "LOC:" || / arch_timer$/ { f = 1; for (i = 2; i <= ncpu + 1; i++) n += $i }
	     END { if (f) printf "%d\n", n; else print "-" }' /proc/interrupts
}
# Peak RSS of a pid in KiB.
hwm() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}
# The programs' run time and runs between two of progs_of's lists: "name ns runs".
progs_delta() {
	awk 'NR == FNR { t[$1] = $2; c[$1] = $3; next }
	     { print $1, $2 - t[$1], $3 - c[$1] }' "$1" "$2"
}
# The count of perf's event.
perf_count() {
	awk '/hrtimer_expire_entry/ { gsub(/[,.]/, "", $1); c = $1 } END { printf "%d\n", c }' "$1"
}

# Start bpftrace in the background (its pid in tool) for a window: the
# one-liner, a count of the load's expiries (@n), with the probes in $1 beside.
bpftrace_run() {
	bpftrace -e "tracepoint:timer:hrtimer_expire_entry
		/args->function == kaddr(\"timerfd_tmrproc\")/ { @n = count(); }
		$1
		interval:ms:$((dur * 1000)) { exit(); }" >"$tmp/out.txt" 2>/dev/null &
	tool=$!
}

# Run one tool ($1) for a window beside perf, the load ($3 timerfds per
# thread) in its middle, with the BPF statistics $2 (0 off, 1 on); prints
# "load_rate perf_count counted lost cpu_pct bpf_pct ns_per_expiry rss_kib
# timer_irqs_per_expiry",
# and with the statistics adds "tool program ns runs" lines of its programs
# to $tmp/progs.
measure() {
	local name=$1 st=$2 n=$3 pid= t0=0 t1=0 w0 w1 rss=- cpu=- counted=- lost=- bpfp="- -" nsx pc lr
	local i0 i1
	stats "$st"
	perf stat -a -e timer:hrtimer_expire_entry --filter "function == $tmrproc" \
		-o "$tmp/perf.txt" -- sleep "$dur" &
	local perf=$!
	case $name in
	bpf|tracefs)
		"$build/timerstat" --source "$name" -d 1s -n $((dur - 1)) -J -g thread \
			>"$tmp/out.json" &
		tool=$!
		;;
	bpftrace)
		bpftrace_run ""
		;;
	bpftrace_st)
		bpftrace_run "tracepoint:timer:hrtimer_start /args->mode == 12345/ { @s = count(); }"
		;;
	bpftrace_arm)
		bpftrace_run "tracepoint:timer:hrtimer_start { @a[tid] = count(); }"
		;;
	bpftrace_all)
		bpftrace_run "tracepoint:timer:hrtimer_start, tracepoint:timer:hrtimer_cancel,
			tracepoint:timer:timer_start, tracepoint:timer:timer_expire_entry,
			tracepoint:timer:timer_cancel, tracepoint:irq:irq_handler_entry,
			tracepoint:irq:irq_handler_exit, tracepoint:irq:softirq_entry,
			tracepoint:irq:softirq_exit, tracepoint:irq_vectors:*_entry,
			tracepoint:irq_vectors:*_exit, tracepoint:power:cpu_idle,
			tracepoint:sched:sched_switch { @e = count(); }"
		;;
	esac
	if [ -n "$tool" ]; then
		pid=$tool
		case $name in
		bpf|tracefs) pid=$(pgrep -n -P "$tool" -x timerstat 2>/dev/null || echo "$tool") ;;
		esac
	fi
	sleep 2
	if [ -n "$pid" ]; then
		progs_of "$pid" >"$tmp/p0"
		t0=$(oncpu "$pid")
	fi
	w0=$(date +%s.%N)
	i0=$(timer_irqs)
	"$build/tests/helpers/timerfd_load" -c -t 2 -n "$n" -r 1000 -d "$loadsec" >"$tmp/load.txt" &
	load=$!
	wait "$load" || true
	load=
	i1=$(timer_irqs)
	w1=$(date +%s.%N)
	if [ -n "$pid" ]; then
		t1=$(oncpu "$pid")
		progs_of "$pid" >"$tmp/p1"
		rss=$(hwm "$pid")
		cpu=$(awk -v a="$t0" -v b="$t1" -v w0="$w0" -v w1="$w1" \
			'BEGIN { printf "%.3f", (b - a) / 1e9 / (w1 - w0) * 100 }')
	fi
	if [ "$st" = 1 ] && [ -n "$pid" ]; then
		progs_delta "$tmp/p0" "$tmp/p1" >"$tmp/pd"
		sed "s/^/$name /" "$tmp/pd" >>"$tmp/progs"
		# All programs' run time; the expiries: runs of tdg_hrt_expire, or of
		# the one-liner's busiest program (its other one is the interval's);
		# bpftrace_arm's and bpftrace_all's programs are not told apart by
		# their names (-).
		bpfp=$(awk -v w0="$w0" -v w1="$w1" -v t="$name" '
			{ ns += $2; if (t == "bpf" ? $1 == "tdg_hrt_expire" : t == "bpftrace" && $3 > x) x = $3 }
			END { if (ns == 0) print "- -"; else if (x == 0) printf "%.4f -\n", ns / 1e9 / (w1 - w0) * 100;
			    else printf "%.4f %.1f\n", ns / 1e9 / (w1 - w0) * 100, ns / x }' "$tmp/pd")
	fi
	nsx=${bpfp#* }
	bpfp=${bpfp% *}
	[ -z "$tool" ] || wait "$tool" || true
	tool=
	wait "$perf" || true
	stats 0
	pc=$(perf_count "$tmp/perf.txt")
	lr=$(awk -v s="$loadsec" '$1 == "ticks" { printf "%.0f", $4 / s }' "$tmp/load.txt")
	case $name in
	bpftrace*)
		counted=$(awk '/@n:/ { print $2 }' "$tmp/out.txt")
		lost=0
		;;
	bpf|tracefs)
		counted=$(jq -r '[.samples[].sources[] | select(.kind == "hrtimer" and
			.function == "timerfd_tmrproc") | .expiries] | add // 0' "$tmp/out.json")
		lost=$(jq -r '[.samples[].lost_events] | add' "$tmp/out.json")
		;;
	esac
	echo "${lr:-0} $pc ${counted:-0} ${lost:-?} $cpu $bpfp $nsx $rss" \
		"$(awk -v a="$i0" -v b="$i1" -v e="$pc" 'BEGIN {
			if (a == "-" || b == "-" || e + 0 == 0) print "-"; else printf "%.4f\n", (b - a) / e }')"
}

# One table row per tool from the rounds of one step ($tmp/rounds: "round R"
# lines, each followed by that round's "tool load_rate perf_count counted
# lost cpu bpf ns_per_expiry rss irqs_per_expiry" lines; the round with the
# statistics is "round S"): the median of each column over the rounds, the
# most lost, and the ratio of the load's rate to the rate with no tool in the
# same round; then bpf's costs over bpftrace's (the process alone, and with
# the programs), the load's rate under bpf over its rate under bpftrace round
# by round, and bpf's costs over bpftrace_arm's and bpftrace_all's.
summarize() {
	awk -v load="$1" -v secs="$loadsec" '
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
	function med(k, t, f) { return L[k, t] == "" ? "-" : sprintf(f, median(L[k, t])) }
	# The rate of the load under tool t over that under u in the same round,
	# over the rounds where both ran: their median (R_med, "" if none), the
	# lowest and highest (R_lo, R_hi), the rounds (R_n) and those below 1 (R_below).
	function ratios(t, u,    q, x, rl) {
		rl = ""; R_lo = ""; R_hi = ""; R_n = 0; R_below = 0
		for (q = 1; q <= nr; q++) {
			if (P[q, u] + 0 == 0 || P[q, t] == "") continue
			x = P[q, t] / P[q, u]
			rl = rl " " x; R_n++
			if (x < 1) R_below++
			if (R_lo == "" || x < R_lo) R_lo = x
			if (R_hi == "" || x > R_hi) R_hi = x
		}
		R_med = R_n > 0 ? median(rl) : ""
	}
	$1 == "round" { r = $2; if (r != "S") nr = r; next }
	r == "S" { add("k", $1, $7); add("nsx", $1, $8); next }
	{
		t = $1
		if (!(t in seen)) { seen[t] = 1; order[++nt] = t }
		P[r, t] = $2
		add("p", t, $3 / secs)
		if ($4 != "-" && $3 > 0) add("c", t, $4 / $3)
		add("cpu", t, $6); add("rss", t, $9); add("ipx", t, $10)
		if ($5 != "-" && (!(t in lost) || $5 + 0 > lost[t] + 0)) lost[t] = $5
	}
	END {
		for (i = 1; i <= nt; i++) {
			t = order[i]
			ratios(t, "none")
			printf "%-8s %-12s %9d %12s %8s %8s %8s %9s %8s %8s %9s %s\n", load, t,
			    median(L["p", t]), med("c", t, "%.4f"), t in lost ? lost[t] : "-",
			    med("cpu", t, "%.3f"), med("k", t, "%.4f"), med("nsx", t, "%.1f"),
			    med("rss", t, "%.0f"), med("ipx", t, "%.3f"),
			    R_n == 0 ? "-" : sprintf("%.3f", R_med),
			    R_n == 0 ? "" : sprintf("[%.3f, %.3f]", R_lo, R_hi)
		}
		if (L["cpu", "bpf"] == "" || L["k", "bpf"] == "" || L["cpu", "bpftrace"] == "" ||
		    L["k", "bpftrace"] == "")
			exit
		p = median(L["cpu", "bpf"]); q = median(L["cpu", "bpftrace"])
		a = p + median(L["k", "bpf"])
		b = q + median(L["k", "bpftrace"])
		x = median(L["nsx", "bpf"]); y = median(L["nsx", "bpftrace"])
		printf "%-8s bpf/bpftrace: own CPU %.3f %% / %.3f %% = %.2fx; with programs %.3f %% / %.3f %% = %.2fx, ns/expiry %.1f / %.1f = %.2fx\n",
		    load, p, q, (q > 0 ? p / q : 0), a, b, (b > 0 ? a / b : 0), x, y, (y > 0 ? x / y : 0)
		# The rate of the load under bpf over that under each bpftrace,
		# round by round (the same minute of the machine): how often bpf
		# slowed it more.
		for (i = 1; i <= nt; i++) {
			if (order[i] !~ /^bpftrace/)
				continue
			ratios("bpf", order[i])
			if (R_n > 0)
				printf "%-8s bpf/%s: rate of the load, round by round, %.3f [%.3f, %.3f], below 1 in %d of %d rounds\n",
				    load, order[i], R_med, R_lo, R_hi, R_below, R_n
		}
		# In this order (a "for in" has none).
		n = split("bpftrace_arm bpftrace_all", cmp, " ")
		what["bpftrace_arm"] = "the one-liner and the armer"
		what["bpftrace_all"] = "the same tracepoints"
		for (i = 1; i <= n; i++) {
			t = cmp[i]
			if (L["cpu", t] == "" || L["k", t] == "")
				continue
			c = median(L["cpu", t]) + median(L["k", t])
			printf "%-8s bpf/%s (%s): own CPU with programs %.3f %% / %.3f %% = %.2fx\n",
			    load, t, what[t], a, c, (c > 0 ? a / c : 0)
		}
	}' "$tmp/rounds"
}

# Each program's ns per run in the round with the statistics ($tmp/progs:
# "tool program ns runs" lines), busiest first.
programs() {
	awk -v load="$1" -v s="$loadsec" '
	{ k = $1 " " $2; ns[k] += $3; n[k] += $4 }
	END {
		for (k in n)
			if (n[k] > 0) {
				split(k, f, " ")
				printf "%-8s %-12s %-16s %10.1f %12.0f\n", load, f[1], f[2], ns[k] / n[k], n[k] / s
			}
	}' "$tmp/progs" | sort -k5,5nr
}

echo "bpf bench: $rounds rounds of ${dur} s windows (the load ${loadsec} s) per step, medians;" \
	"BPF % and ns/expiry from a round with kernel.bpf_stats_enabled=1"
printf '%-8s %-12s %9s %12s %8s %8s %8s %9s %8s %8s %9s %s\n' load tool perf/s counted/perf lost \
	"CPU %" "BPF %" ns/expiry "RSS KiB" irqs/exp rate/none "[lowest, highest]"
tools=none
for t in $want; do
	case $t in bpftrace*) [ "$have_bpftrace" = no ] && continue ;; esac
	case " $known " in *" $t "*) tools="$tools $t" ;; esac
done
ntools=$(echo $tools | wc -w)
for n in $sweep; do
	: >"$tmp/rounds"
	: >"$tmp/progs"
	r=1
	while [ "$r" -le "$rounds" ]; do
		echo "round $r" >>"$tmp/rounds"
		# This round's order: the tools turned by r - 1.
		i=0
		while [ "$i" -lt "$ntools" ]; do
			t=$(echo $tools | awk -v k=$(( (i + r - 1) % ntools + 1 )) '{ print $k }')
			echo "$t $(measure "$t" 0 "$n")" >>"$tmp/rounds"
			i=$((i + 1))
		done
		r=$((r + 1))
	done
	echo "round S" >>"$tmp/rounds"
	for t in $tools; do
		case $t in bpf|bpftrace*) echo "$t $(measure "$t" 1 "$n")" >>"$tmp/rounds" ;; esac
	done
	summarize "$((2 * n))k/s"
	programs "$((2 * n))k/s" >"$tmp/pt"
	if [ -s "$tmp/pt" ]; then
		printf '  %-8s %-12s %-16s %10s %12s\n' load tool program ns/run runs/s
		sed 's/^/  /' "$tmp/pt"
	fi
done
