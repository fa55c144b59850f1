#!/bin/sh
# timerprobe against cyclictest (rt-tests), side by side in one run: the same
# wait (clock_nanosleep TIMER_ABSTIME on CLOCK_MONOTONIC), interval, SCHED_FIFO
# priority, CPU, mlockall and /dev/cpu_dma_latency 0 (cyclictest's default).
# Rounds alternate the two tools so drift hits both.  Prints the medians and
# p99 of each (nearest rank, in ns) per round and over the samples of all
# rounds pooled (both tools write every sample: cyclictest -v, timerprobe
# --samples), their ratios, the same ratio between each tool's odd and even
# rounds (how far a tool is from itself: the noise a 10 % claim must clear),
# timerprobe's own loop overhead per sample, and the start-up of each alone.
#
# Environment: BENCH_LOOPS (samples per run, 4000), BENCH_INTERVAL_US (1000),
# BENCH_PRIO (80), BENCH_CPU (the last online CPU), BENCH_ROUNDS (8).
# The figures are only as quiet as the machine: run it on an idle one.  Own CPU
# is each whole process's user + system time from wait4 (bench/runstat): the
# scheduler's run time of all its threads, what `time` and top show.  perf
# stat's task-clock is printed beside it: it starts the task's clock only at
# the end of the context switch into it, so each wake-up's switch is left out;
# on this 2-vCPU VM it reads about half the wait4 time, for both tools alike.
set -eu
loops=${BENCH_LOOPS:-4000}
interval=${BENCH_INTERVAL_US:-1000}
prio=${BENCH_PRIO:-80}
cpu=${BENCH_CPU:-$(($(getconf _NPROCESSORS_ONLN) - 1))}
rounds=${BENCH_ROUNDS:-8}

if [ "$(id -u)" -ne 0 ]; then
	echo "timerprobe bench: skipped (SCHED_FIFO and /dev/cpu_dma_latency need root)"
	exit 0
fi
if ! command -v perf >/dev/null 2>&1; then
	echo "timerprobe bench: skipped (no perf for the CPU times; apt-get install linux-perf)"
	exit 0
fi
if ! command -v cyclictest >/dev/null 2>&1; then
	echo "timerprobe bench: skipped (no cyclictest; apt-get install rt-tests)"
	exit 0
fi
command -v timerprobe >/dev/null 2>&1 || { echo "timerprobe bench: no timerprobe on PATH" >&2; exit 1; }
jq=${JQ:-jq}
build=${TD_BUILDDIR:-$(dirname "$(command -v timerprobe)")}
runstat=$build/bench/runstat
[ -x "$runstat" ] || make -C "$build" -s bench/runstat >/dev/null ||
	{ echo "timerprobe bench: no $runstat" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Nearest-rank percentile P of the numbers in file F (one per line, sorted).
pct() {
	awk -v p="$2" '{ v[NR] = $1 } END {
		r = p / 100 * NR; i = int(r); if (i < r - 1e-9 * r) i++; if (i < 1) i = 1
		print v[i] }' "$1"
}

# The CPU time in us of the last perf stat -o F (task-clock, the process and its threads).
cpu_us() {
	awk -F, '$3 ~ /^task-clock/ { printf "%d", $1 * 1000 }' "$1"
}

# The CPU time in us (user + system) runstat printed into F.
rus_us() {
	awk '{ for (i = 1; i < NF; i++) if ($i == "median_cpu_us") printf "%d", $(i + 1) }' "$1"
}

# measure NAME OUT command...: one run of command, its standard output into
# OUT; its CPU time into $tmp/NAME.rus (wait4) and $tmp/NAME.perf (task-clock).
measure() {
	m=$1 o=$2
	shift 2
	perf stat -x, -e task-clock -o "$tmp/$m.perf" -- "$runstat" -o "$o" 1 "$@" >"$tmp/$m.rus"
}

# One cyclictest run: every sample in ns, one per line, into $tmp/ct; its CPU in $tmp/ct.perf.
run_cyclictest() {
	measure ct "$tmp/ct.raw" cyclictest -q -m -N -v -p "$prio" -a "$cpu" -t 1 \
		-i "$interval" -l "$loops"
	awk -F: 'NF == 3 { gsub(/ /, "", $3); print $3 }' "$tmp/ct.raw" >"$tmp/ct"
}

# cyclictest -a pins its main thread to the measured CPU too, where it wakes
# every 10 ms.  Its pending 10 ms timer is then now and again the next one due
# there, and a re-arm of the measuring thread that finds the clock event device
# set for an earlier time does not program it (a trapping MSR write under a
# hypervisor): the interrupt of that earlier timer does it, in no process's
# CPU time.  Here that took the measuring thread's programmings from 2,230 to
# 2,040 in 3,000 samples (perf's msr:write_msr of MSR 0x6e0), timerprobe's the
# same beside a pinned 10 ms sleeper.  The same run with the main thread on
# another CPU (--mainaffinity, rt-tests 2.0) shows the measuring loops' own CPU
# without that; its CPU is counted, its latencies unused.
other_cpu=$(( cpu == 0 ? 1 : 0 ))
mainaff=
if [ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] && cyclictest --help 2>&1 | grep -q -- --mainaffinity; then
	mainaff=yes
fi
run_cyclictest_main() {
	: >"$tmp/ctm.perf"
	: >"$tmp/ctm.rus"
	[ -n "$mainaff" ] || return 0
	measure ctm /dev/null cyclictest -q -m -N -v -p "$prio" -a "$cpu" \
		--mainaffinity="$other_cpu" -t 1 -i "$interval" -l "$loops"
}

# One timerprobe run doing what cyclictest does, JSON into $tmp/tp.json; its CPU in $tmp/tp.perf.
run_timerprobe() {
	measure tp "$tmp/tp.json" timerprobe -J -m clock_nanosleep --abs -i "${interval}us" \
		-n "$loops" --fifo "$prio" --cpu "$cpu" --dma-latency --samples "$tmp/tp.samples"
}

echo "interval ${interval} us, SCHED_FIFO ${prio}, CPU ${cpu}, ${loops} samples x ${rounds} rounds, load $(cut -d' ' -f1 /proc/loadavg)"
: >"$tmp/rounds"
: >"$tmp/overhead"
for f in ct.odd ct.even tp.odd tp.even; do : >"$tmp/$f"; done
r=1
while [ "$r" -le "$rounds" ]; do
	# ABBA order: odd rounds start with cyclictest, even ones with timerprobe.
	if [ $((r % 2)) -eq 1 ]; then
		run_cyclictest
		run_timerprobe
		run_cyclictest_main
	else
		run_cyclictest_main
		run_timerprobe
		run_cyclictest
	fi
	# Each round is compared on its own; the rounds are summarized by their median.
	sort -n "$tmp/ct" >"$tmp/ct.sorted"
	ct_n=$(wc -l <"$tmp/ct.sorted")
	ct50=$(pct "$tmp/ct.sorted" 50)
	ct99=$(pct "$tmp/ct.sorted" 99)
	tp_n=$($jq -r .count "$tmp/tp.json")
	tp50=$($jq -r .p50_ns "$tmp/tp.json")
	tp99=$($jq -r .p99_ns "$tmp/tp.json")
	ovh=$($jq -r .loop_overhead_ns "$tmp/tp.json")
	ctc=$(rus_us "$tmp/ct.rus")
	tpc=$(rus_us "$tmp/tp.rus")
	ctk=$(cpu_us "$tmp/ct.perf")
	tpk=$(cpu_us "$tmp/tp.perf")
	printf 'round %d: cyclictest n=%d p50 %d ns p99 %d ns CPU %d us (task-clock %d) | timerprobe n=%d p50 %d ns p99 %d ns CPU %d us (task-clock %d) | loop overhead %d ns/sample\n' \
		"$r" "$ct_n" "$ct50" "$ct99" "$ctc" "$ctk" "$tp_n" "$tp50" "$tp99" "$tpc" "$tpk" "$ovh"
	ctmc=$(rus_us "$tmp/ctm.rus")
	echo "$ct50 $ct99 $tp50 $tp99 $ctc $tpc ${ctmc:-0} $ctk $tpk" >>"$tmp/rounds"
	echo "$ovh" >>"$tmp/overhead"
	half=$([ $((r % 2)) -eq 1 ] && echo odd || echo even)
	cat "$tmp/ct" >>"$tmp/ct.$half"
	cut -d' ' -f3 "$tmp/tp.samples" >>"$tmp/tp.$half"
	r=$((r + 1))
done
# The median over rounds of each figure, then the ratios timerprobe / cyclictest.
med() {
	cut -d' ' -f"$1" "$tmp/rounds" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
ct50=$(med 1); ct99=$(med 2); tp50=$(med 3); tp99=$(med 4)
# The noise floor: how far cyclictest's own figures move from round to round.
spread() {
	cut -d' ' -f"$1" "$tmp/rounds" | sort -n | awk '{ v[NR] = $1 } END {
		printf "%d..%d ns (max/min %.2f)", v[1], v[NR], v[NR] / v[1] }'
}
echo "cyclictest round to round: p50 $(spread 1), p99 $(spread 2)"
echo "timerprobe round to round: p50 $(spread 3), p99 $(spread 4)"
# Pooled: every sample of every round, each tool's odd and even rounds apart
# and together.
for t in ct tp; do
	sort -n "$tmp/$t.odd" >"$tmp/$t.odd.s"
	sort -n "$tmp/$t.even" >"$tmp/$t.even.s"
	sort -n "$tmp/$t.odd" "$tmp/$t.even" >"$tmp/$t.all.s"
done
pooled() {
	echo "$(pct "$tmp/$1.s" 50) $(pct "$tmp/$1.s" 99) $(wc -l <"$tmp/$1.s")"
}
echo "$(pooled ct.all) $(pooled tp.all) $(pooled ct.odd) $(pooled ct.even) $(pooled tp.odd) $(pooled tp.even)" | awk '
function within(x) { return (x >= 0.9 && x <= 1.1) ? "within 10 %" : "NOT within 10 %" }
{
	printf "pooled over all rounds (%d and %d samples): p50 cyclictest %d ns, timerprobe %d ns, ratio %.3f (%s)\n",
		$3, $6, $1, $4, $4 / $1, within($4 / $1)
	printf "pooled over all rounds: p99 cyclictest %d ns, timerprobe %d ns, ratio %.3f (%s)\n",
		$2, $5, $5 / $2, within($5 / $2)
	if ($9 > 0 && $12 > 0 && $15 > 0 && $18 > 0)
		printf "each tool against itself, odd rounds / even rounds: cyclictest p50 %.3f p99 %.3f, timerprobe p50 %.3f p99 %.3f\n",
			$7 / $10, $8 / $11, $13 / $16, $14 / $17
}'
ovh=$(sort -n "$tmp/overhead" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
awk -v c50="$ct50" -v c99="$ct99" -v t50="$tp50" -v t99="$tp99" -v o="$ovh" 'BEGIN {
	r50 = t50 / c50; r99 = t99 / c99
	printf "median of rounds: p50 cyclictest %d ns, timerprobe %d ns, ratio %.3f (%s)\n",
		c50, t50, r50, (r50 >= 0.9 && r50 <= 1.1) ? "within 10 %" : "NOT within 10 %"
	printf "median of rounds: p99 cyclictest %d ns, timerprobe %d ns, ratio %.3f (%s)\n",
		c99, t99, r99, (r99 >= 0.9 && r99 <= 1.1) ? "within 10 %" : "NOT within 10 %"
	printf "(the verdict is the median of rounds: one disturbed round moves the pooled p99, not it;\n"
	printf " where a tool'"'"'s odd and even rounds differ by more than 10 %%, so may the tools)\n"
	printf "timerprobe loop overhead: %d ns per sample (%.3f %% of the cyclictest median)\n",
		o, 100 * o / c50
}'
# The median of the numbers in file $1, then the lowest and the highest.
medcol() {
	sort -g "$1" | awk '{ v[NR] = $1 } END { printf "%s %s %s", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
# Own CPU per sample (the whole process, start-up included): the median of the
# rounds' ratios, each ratio of two runs side by side; then the same by
# task-clock.
awk -v n="$loops" '{ printf "%.3f\n", $5 / n }' "$tmp/rounds" >"$tmp/ct_cpu"
awk -v n="$loops" '{ printf "%.3f\n", $6 / n }' "$tmp/rounds" >"$tmp/tp_cpu"
awk '{ printf "%.3f\n", $6 / $5 }' "$tmp/rounds" >"$tmp/cpu_ratio"
echo "$(medcol "$tmp/ct_cpu") $(medcol "$tmp/tp_cpu") $(medcol "$tmp/cpu_ratio")" | awk '{
	printf "own CPU per sample, one CPU: cyclictest %.2f us, timerprobe %.2f us (medians); median of the rounds'"'"' ratios %.3f (lowest %.3f, highest %.3f; %s)\n",
		$1, $4, $7, $8, $9, $7 <= 1 ? "at most cyclictest'"'"'s" : "MORE than cyclictest'"'"'s" }'
awk '{ printf "%.3f\n", $9 / $8 }' "$tmp/rounds" >"$tmp/cpu_ratio"
awk -v n="$loops" '{ printf "%.3f\n", $8 / n }' "$tmp/rounds" >"$tmp/ct_cpu"
awk -v n="$loops" '{ printf "%.3f\n", $9 / n }' "$tmp/rounds" >"$tmp/tp_cpu"
echo "$(medcol "$tmp/ct_cpu") $(medcol "$tmp/tp_cpu") $(medcol "$tmp/cpu_ratio")" | awk '{
	printf "  by task-clock: cyclictest %.2f us, timerprobe %.2f us; median of the rounds'"'"' ratios %.3f (lowest %.3f, highest %.3f)\n",
		$1, $4, $7, $8, $9 }'
if [ -n "$mainaff" ]; then
	awk -v n="$loops" '{ printf "%.3f\n", $7 / n }' "$tmp/rounds" >"$tmp/ctm_cpu"
	awk '{ printf "%.3f\n", $6 / $7 }' "$tmp/rounds" >"$tmp/cpu_ratio"
	echo "$(medcol "$tmp/ctm_cpu") $(medcol "$tmp/cpu_ratio")" | awk -v o="$other_cpu" '{
		printf "own CPU per sample, one CPU, cyclictest'"'"'s main thread on CPU %d (--mainaffinity): cyclictest %.2f us; median of the rounds'"'"' ratios %.3f (lowest %.3f, highest %.3f)\n",
			o, $1, $4, $5, $6 }'
fi

# Start-up alone: one sample each (the same options), alternated, the median
# and the lowest of 3 x ROUNDS runs of each (user + system, in us).
: >"$tmp/su_ct"
: >"$tmp/su_tp"
r=1
while [ "$r" -le $((rounds * 3)) ]; do
	measure su /dev/null cyclictest -q -m -N -v -p "$prio" -a "$cpu" -t 1 -i "$interval" -l 1
	rus_us "$tmp/su.rus" >>"$tmp/su_ct"
	echo >>"$tmp/su_ct"
	measure su /dev/null timerprobe -J -m clock_nanosleep --abs -i "${interval}us" -n 1 \
		--fifo "$prio" --cpu "$cpu" --dma-latency
	rus_us "$tmp/su.rus" >>"$tmp/su_tp"
	echo >>"$tmp/su_tp"
	r=$((r + 1))
done
echo "$(medcol "$tmp/su_ct") $(medcol "$tmp/su_tp")" | awk '{
	printf "start-up alone (one sample): cyclictest %d us (lowest %d), timerprobe %d us (lowest %d); ratio of medians %.3f\n",
		$1, $2, $4, $5, $4 / $1 }'

# Every CPU at once (cyclictest -S, timerprobe -S), the same interval, priority
# and count, ROUNDS times in ABBA order: min, p50, p99, max per CPU of the last
# round, and each tool's own CPU per sample: the CPU time of the whole process
# and its threads (user + system from wait4, to the us) over the samples each
# took on all CPUs (cyclictest's -v lines,
# timerprobe's count), with the median of the rounds' ratios.  cyclictest -S
# spaces its threads' intervals by --distance, 500 us unless told: without
# -d 0 its second thread waits 1.5 ms, not the interval, and the run ends
# when the first thread is done, a third of that thread's samples short.
ncpu=$(nproc)
run_cyclictest_all() {
	measure cts "$tmp/cts" cyclictest -q -m -N -v -p "$prio" -S -d 0 -i "$interval" \
		-l "$loops"
}
run_timerprobe_all() {
	measure tps "$tmp/tps.json" timerprobe -J -S -q -m clock_nanosleep --abs \
		-i "${interval}us" -n "$loops" --fifo "$prio" --dma-latency
}
: >"$tmp/all"
r=1
while [ "$r" -le "$rounds" ]; do
	if [ $((r % 2)) -eq 1 ]; then
		run_cyclictest_all
		run_timerprobe_all
	else
		run_timerprobe_all
		run_cyclictest_all
	fi
	echo "$(rus_us "$tmp/cts.rus") $(rus_us "$tmp/tps.rus")" \
		"$(awk -F: 'NF == 3' "$tmp/cts" | wc -l) $("$jq" -r .count "$tmp/tps.json")" >>"$tmp/all"
	r=$((r + 1))
done
echo "every CPU (-S), $ncpu CPUs, $loops samples each asked; taken in the last round: cyclictest $(tail -1 "$tmp/all" | cut -d' ' -f3), timerprobe $(tail -1 "$tmp/all" | cut -d' ' -f4)"
for c in $(seq 0 $((ncpu - 1))); do
	awk -F: -v t="$c" 'NF == 3 && $1 + 0 == t { gsub(/ /, "", $3); print $3 }' "$tmp/cts" |
		sort -n >"$tmp/ct$c"
	printf 'cpu %d: cyclictest min %d p50 %d p99 %d max %d ns | ' "$c" \
		"$(head -1 "$tmp/ct$c")" "$(pct "$tmp/ct$c" 50)" "$(pct "$tmp/ct$c" 99)" \
		"$(tail -1 "$tmp/ct$c")"
	"$jq" -r --argjson c "$c" '.per_cpu[] | select(.cpu == $c) |
		"timerprobe min \(.min_ns) p50 \(.p50_ns) p99 \(.p99_ns) max \(.max_ns) ns"' \
		"$tmp/tps.json"
done
awk '{ printf "%.3f\n", $1 / $3 }' "$tmp/all" >"$tmp/ct_cpu"
awk '{ printf "%.3f\n", $2 / $4 }' "$tmp/all" >"$tmp/tp_cpu"
awk '{ printf "%.3f\n", ($2 / $4) / ($1 / $3) }' "$tmp/all" >"$tmp/cpu_ratio"
echo "$(medcol "$tmp/ct_cpu") $(medcol "$tmp/tp_cpu") $(medcol "$tmp/cpu_ratio")" | awk '{
	printf "own CPU per sample, every CPU: cyclictest %.2f us, timerprobe %.2f us (medians); median of the rounds'"'"' ratios %.3f (lowest %.3f, highest %.3f; %s)\n",
		$1, $4, $7, $8, $9, $7 <= 1 ? "at most cyclictest'"'"'s" : "MORE than cyclictest'"'"'s" }'
echo "load at the end $(cut -d' ' -f1 /proc/loadavg)"
