#!/bin/sh
# wakeuptop's own cost on an idle machine, beside top -d 2 (and powertop when it
# runs here), measured in the same run: CPU time as a share of one CPU, its own
# wakeups (voluntary context switches) per 2 s interval, and resident memory.
# Targets (a top for wakeups must not be a source of them): <= 0.2 % CPU, <= 1 wakeup per interval, <= 8 MiB RSS.
#
#   WT_BENCH_SECONDS   measuring period (default 60)
#   WT_BENCH_WARMUP    seconds before measuring (default 4)
#   WT_BENCH_ARGS      extra wakeuptop options (e.g. --source interrupts)
#   WT_BENCH_THREADS   a load of that many threads with one timerfd each (default
#                      0: none), at WT_BENCH_RATE Hz each (default 20,000 / threads);
#                      with a load the CPU target is <= 1 % (e.g. 3,000 threads with
#                      WT_BENCH_ARGS="--source tracefs -g thread": 3,000 sources)
# With the bpf backend its programs run in the tasks they trace, not in its own
# CPU time: their run time is printed beside it (kernel.bpf_stats_enabled is on
# while measuring, put back as found on exit).
set -u
secs=${WT_BENCH_SECONDS:-60}
warm=${WT_BENCH_WARMUP:-4}
interval=2
build=${TD_BUILDDIR:-.}
wt=$build/wakeuptop
sock=wtbench-$$
hz=$(getconf CLK_TCK)

[ -x "$wt" ] || { echo "wakeuptop not built in $build" >&2; exit 1; }
command -v tmux >/dev/null || { echo "bench/wakeuptop.sh: needs tmux" >&2; exit 1; }

. "$(dirname "$0")/mounts.sh"
. "$(dirname "$0")/bpfprogs.sh"
mounts_note
pids=
loadpid=
stats_was=
cleanup() {
	[ -n "$stats_was" ] && sysctl -q -w kernel.bpf_stats_enabled="$stats_was"
	tmux -L "$sock" kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"	# tmux leaves it
	[ -n "$loadpid" ] && kill "$loadpid" 2>/dev/null
	# let the programs finish their own clean-up (wakeuptop unmounts what it
	# mounted) before putting the mounts back as they were
	for i in $(seq 50); do
		alive=
		for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ -z "$alive" ] && break
		sleep 0.1
	done
	mounts_restore
}
trap cleanup EXIT INT TERM

# Start a program in its own 120x40 terminal; print its pid.
start() {
	name=$1
	shift
	tmux -L "$sock" -f /dev/null new-session -d -s "$name" -x 120 -y 40 "exec $*" || return 1
	sleep 0.3
	tmux -L "$sock" display-message -p -t "$name" '#{pane_pid}'
}

# CPU time in ns: schedstat when the kernel has it, else utime+stime ticks.
cpu_ns() {
	if [ -r "/proc/$1/schedstat" ]; then
		cut -d' ' -f1 "/proc/$1/schedstat"
	else
		awk -v hz="$hz" '{ sub(/^.*\) /, ""); print ($12 + $13) * 1e9 / hz }' "/proc/$1/stat"
	fi
}

vol() {
	awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$1/status"
}

rss_kib() {
	awk '/^VmRSS/ { print $2 }' "/proc/$1/status"
}

names=
add() {
	p=$(start "$1" "$2") || { echo "note: $1 did not start" >&2; return; }
	sleep 1
	if [ -z "$p" ] || ! kill -0 "$p" 2>/dev/null; then
		echo "note: $1 is not runnable here (exited at once); skipped"
		return
	fi
	names="$names $1"
	pids="$pids $p"
}

threads=${WT_BENCH_THREADS:-0}
cpu_target=0.2
state=idle
if [ "$threads" -gt 0 ]; then
	rate=${WT_BENCH_RATE:-$((20000 / threads))}
	make -C "$build" -s tests/helpers/timerfd_load >/dev/null
	"$build/tests/helpers/timerfd_load" -t "$threads" -r "$rate" -d $((secs + warm + 90)) >/dev/null &
	loadpid=$!
	for i in $(seq 200); do
		[ "$(ls "/proc/$loadpid/task" 2>/dev/null | wc -l)" -gt "$threads" ] && break
		sleep 0.1
	done
	echo "load: $threads threads, one timerfd each at $rate Hz ($((threads * rate)) expiries/s)"
	cpu_target=1
	state=loaded
fi

add wakeuptop "$wt ${WT_BENCH_ARGS:-}"
add top "top -d $interval"
if command -v powertop >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
	add powertop "powertop"
else
	echo "note: powertop is not installed or needs root; skipped"
fi

echo "$state machine, interval ${interval} s, warm-up ${warm} s, measuring ${secs} s"
wpid=$(echo $pids | cut -d' ' -f1)
progs=
if command -v bpftool >/dev/null && [ -n "$(progs_of "$wpid")" ]; then
	progs=1
	stats_was=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -q -w kernel.bpf_stats_enabled=1
fi
sleep "$warm"
[ -n "$progs" ] && pr0=$(prog_ns "$wpid")
set -- $pids
i=0
for p in $pids; do
	i=$((i + 1))
	eval "c0_$i=\$(cpu_ns $p); v0_$i=\$(vol $p)"
done
t0=$(date +%s.%N)
i0=$(awk '/^intr/ { print $2 }' /proc/stat)
sleep "$secs"
t1=$(date +%s.%N)
i1=$(awk '/^intr/ { print $2 }' /proc/stat)
[ -n "$progs" ] && pr1=$(prog_ns "$wpid")
awk -v a="$i0" -v b="$i1" -v t0="$t0" -v t1="$t1" 'BEGIN {
	printf "machine: %.0f interrupts/s during the run (how idle it was)\n", (b - a) / (t1 - t0) }'

printf '%-10s %10s %18s %10s %s\n' program "cpu %" "wakeups/interval" "rss MiB" "vs top (cpu, wakeups, rss)"
i=0
base_cpu= base_w= base_rss=
out=
for p in $pids; do
	i=$((i + 1))
	name=$(echo $names | cut -d' ' -f$i)
	if ! kill -0 "$p" 2>/dev/null; then
		echo "note: $name exited during the run; skipped"
		continue
	fi
	eval "c0=\$c0_$i; v0=\$v0_$i"
	c1=$(cpu_ns "$p")
	v1=$(vol "$p")
	rss=$(rss_kib "$p")
	line=$(awk -v c0="$c0" -v c1="$c1" -v v0="$v0" -v v1="$v1" -v t0="$t0" -v t1="$t1" \
		-v iv="$interval" -v rss="$rss" 'BEGIN {
		el = t1 - t0
		printf "%.4f %.2f %.2f", (c1 - c0) / 1e9 / el * 100, (v1 - v0) / (el / iv), rss / 1024
	}')
	eval "m_$name=\"$line\""
	out="$out$name $line
"
done
eval "base=\${m_top:-}"
echo "$out" | while read -r name cpu w rss; do
	[ -n "$name" ] || continue
	ratio=$(echo "$base" | awk -v c="$cpu" -v w="$w" -v r="$rss" '{
		printf "%.2fx, %.2fx, %.2fx", ($1 > 0 ? c / $1 : 0), ($2 > 0 ? w / $2 : 0), ($3 > 0 ? r / $3 : 0) }')
	printf '%-10s %10s %18s %10s %s\n' "$name" "$cpu" "$w" "$rss" "${base:+$ratio}"
done
eval "set -- \${m_wakeuptop:-}"
if [ $# -eq 3 ]; then
	awk -v c="$1" -v w="$2" -v r="$3" -v t="$cpu_target" 'BEGIN {
		printf "wakeuptop targets: cpu %.4f%% <= %s%%: %s; wakeups %.2f <= 1 per interval: %s; rss %.2f MiB <= 8: %s\n",
		    c, t, c <= t ? "met" : "MISSED", w, w <= 1.0 ? "met" : "MISSED", r, r <= 8 ? "met" : "MISSED"
	}'
fi
if [ -n "$progs" ]; then
	awk -v a="$pr0" -v b="$pr1" -v t0="$t0" -v t1="$t1" 'BEGIN {
		printf "wakeuptop BPF programs: %.4f %% of one CPU more, run in the tasks they trace (not in its cpu %% above)\n",
		    (b - a) / 1e9 / (t1 - t0) * 100 }'
fi
