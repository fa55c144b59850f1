#!/bin/sh
# /proc/timer_list parser benchmark (make bench).  Generates a synthetic v0.10
# timer_list of at least 64 MiB (1,024 CPUs x 480 timers + tick devices), then,
# in the same run, times `wc -l FILE` and the parser (FILE stream, the same on
# one thread, buffer mode, and a second parse of the buffer on one thread)
# REPS times each and prints the medians, the ratio parse / wc -l (wall and CPU
# time), the page faults of each process (a first touch of a fresh page cost
# 10-13 us on the KVM guest this was tuned on, where one call that populates 64
# pages costs 100 us) and the parser's peak RSS as a ratio to the file size.
# Targets: parse <= 2x wc -l, peak RSS <= 2x the file (stream mode).
# Environment: TD_BUILDDIR (build dir), TL_BENCH_REPS (default 7), TMPDIR.
set -eu
b=${TD_BUILDDIR:-.}
reps=${TL_BENCH_REPS:-7}
bench=$b/bench/timer_list_bench
gen=$b/bench/timer_list_gen
ti=$b/timerinfo
if [ ! -x "$bench" ] || [ ! -x "$gen" ]; then
	make -C "$b" -s bench/timer_list_bench bench/timer_list_gen
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
f=$tmp/timer_list
"$gen" 1024 480 >"$f"
size=$(wc -c <"$f")
lines=$(wc -l <"$f")
if [ "$size" -lt $((64 * 1024 * 1024)) ]; then
	echo "generated file is only $size bytes" >&2
	exit 1
fi
cat "$f" >/dev/null	# page cache warm for everyone

# median of column $1 (key=value) over the lines of file $2
median() {
	sed -n "s/.*$1=\([0-9]*\).*/\1/p" "$2" | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# how many timers, and the size of their records (struct td_tl_timer)
"$bench" file1 "$f" >"$tmp/count"
timers=$(sed -n 's/.*timers=\([0-9]*\).*/\1/p' "$tmp/count")
recbytes=$(sed -n 's/.*record_bytes=\([0-9]*\).*/\1/p' "$tmp/count")

i=0
while [ "$i" -lt "$reps" ]; do
	# interleaved, so that load from elsewhere hits all three alike
	"$bench" exec wc -l "$f" >>"$tmp/wc"
	"$bench" exec "$bench" file "$f" >>"$tmp/file_outer"
	"$bench" exec "$ti" --timer-list "$f" >>"$tmp/timerinfo"
	"$bench" exec sh -c 'cat "$1" | "$2" --timer-list /dev/stdin' sh "$f" "$ti" >>"$tmp/timerinfo_pipe"
	"$bench" exec "$bench" file1 "$f" >>"$tmp/file1_outer"
	"$bench" exec "$bench" touch "$recbytes" >>"$tmp/touch"
	"$bench" exec "$bench" touch 0 >>"$tmp/touch0"
	"$bench" file "$f" >>"$tmp/file"
	"$bench" buffer "$f" >>"$tmp/buffer"
	"$bench" buffer2 "$f" >>"$tmp/buffer2"
	i=$((i + 1))
done

wc_wall=$(median wall_ns "$tmp/wc")
wc_cpu=$(median cpu_ns "$tmp/wc")
fo_wall=$(median wall_ns "$tmp/file_outer")
fo_cpu=$(median cpu_ns "$tmp/file_outer")
fo_user=$(median user_ns "$tmp/file_outer")
fo_flt=$(median minflt "$tmp/file_outer")
wc_flt=$(median minflt "$tmp/wc")
t0_flt=$(median minflt "$tmp/touch0")
t_wall=$(median wall_ns "$tmp/touch")
t0_wall=$(median wall_ns "$tmp/touch0")
f1_wall=$(median wall_ns "$tmp/file1_outer")
f1_cpu=$(median cpu_ns "$tmp/file1_outer")
wc_user=$(median user_ns "$tmp/wc")
f_parse=$(median parse_ns "$tmp/file")
b_parse=$(median parse_ns "$tmp/buffer")
b_cpu=$(median cpu_ns "$tmp/buffer")
b2_parse=$(median parse_ns "$tmp/buffer2")
f_rss=$(median maxrss_kb "$tmp/file")
ti_wall=$(median wall_ns "$tmp/timerinfo")
ti_rss=$(median maxrss_kb "$tmp/timerinfo")
tp_wall=$(median wall_ns "$tmp/timerinfo_pipe")
tp_rss=$(median maxrss_kb "$tmp/timerinfo_pipe")
b_rss=$(median maxrss_kb "$tmp/buffer")

awk -v size="$size" -v lines="$lines" -v timers="$timers" -v reps="$reps" \
    -v wcw="$wc_wall" -v wcc="$wc_cpu" -v fow="$fo_wall" -v foc="$fo_cpu" \
    -v wcu="$wc_user" -v fou="$fo_user" -v f1w="$f1_wall" -v f1c="$f1_cpu" \
    -v tw="$t_wall" -v t0w="$t0_wall" -v rb="$recbytes" \
    -v fof="$fo_flt" -v wcf="$wc_flt" -v t0f="$t0_flt" \
    -v tiw="$ti_wall" -v tir="$ti_rss" -v tpw="$tp_wall" -v tpr="$tp_rss" \
    -v fp="$f_parse" -v bp="$b_parse" -v b2p="$b2_parse" -v bc="$b_cpu" -v fr="$f_rss" -v br="$b_rss" '
function ms(ns) { return sprintf("%.1f ms", ns / 1e6) }
BEGIN {
	printf "input: %d bytes (%.1f MiB), %d lines, %d timers; median of %d runs\n",
	    size, size / 1048576, lines, timers, reps
	printf "wc -l:                  wall %s, cpu %s (user %s)\n", ms(wcw), ms(wcc), ms(wcu)
	printf "parse FILE (process):   wall %s, cpu %s (user %s)\n", ms(fow), ms(foc), ms(fou)
	printf "  on one thread:        wall %s, cpu %s (ratio to wc -l: wall %.2f)\n", ms(f1w),
	    ms(f1c), f1w / wcw
	printf "parse FILE (in-proc):   %s (read included)\n", ms(fp)
	printf "parse buffer (in-proc): %s, cpu %s (file read beforehand)\n", ms(bp), ms(bc)
	printf "  again, one thread:    %s (the parser alone: the same buffer parsed a\n" \
	    "                        second time, its pages touched; %.1f ns a line)\n", ms(b2p),
	    b2p / lines
	printf "ratio parse/wc -l:      wall %.2f, cpu %.2f (target <= 2)\n", fow / wcw, foc / wcc
	printf "page faults:            parse %d, wc -l %d, a process that does nothing %d\n",
	    fof, wcf, t0f
	printf "fresh memory alone:     writing %.1f MiB (the records) takes %s more than a\n" \
	    "                        process that writes none: %.2f x wc -l\n", rb / 1048576,
	    ms(tw - t0w), (tw - t0w) / wcw
	printf "peak RSS stream mode:   %.1f MiB, %.2f x file size (target <= 2)\n",
	    fr / 1024, fr * 1024 / size
	printf "peak RSS buffer mode:   %.1f MiB, %.2f x file size (the file itself included)\n",
	    br / 1024, br * 1024 / size
	printf "timerinfo --timer-list: wall %s, %.2f x wc -l (target <= 2.5); peak RSS %.1f MiB,\n" \
	    "                        %.2f x file size (target <= 0.6); timers counted, not\n" \
	    "                        kept (the parses above keep them, as --timers does)\n",
	    ms(tiw), tiw / wcw, tir / 1024, tir * 1024 / size
	printf "  from a pipe (cat |):  wall %s, %.2f x wc -l; peak RSS %.1f MiB (timerinfo\n" \
	    "                        alone), %.2f x file size\n", ms(tpw), tpw / wcw, tpr / 1024,
	    tpr * 1024 / size
}'

# Many CPUs, few timers each: what timerinfo does per CPU after the parse (its
# tick device, its row) shows here, next to the parse alone and wc -l.
f4=$tmp/timer_list_4096
"$gen" 4096 8 >"$f4"
cat "$f4" >/dev/null
i=0
while [ "$i" -lt "$reps" ]; do
	"$bench" exec wc -l "$f4" >>"$tmp/wc4"
	"$bench" exec "$bench" file "$f4" >>"$tmp/file4"
	"$bench" exec "$ti" --timer-list "$f4" >>"$tmp/timerinfo4"
	i=$((i + 1))
done
awk -v size="$(wc -c <"$f4")" -v wcw="$(median wall_ns "$tmp/wc4")" \
    -v fw="$(median wall_ns "$tmp/file4")" -v tiw="$(median wall_ns "$tmp/timerinfo4")" '
BEGIN {
	printf "4,096 CPUs, 8 timers each (%.1f MiB): wc -l %.1f ms, parse %.1f ms, timerinfo %.1f ms:\n" \
	    "                        timerinfo %.2f x wc -l, %.2f x the parse alone\n",
	    size / 1048576, wcw / 1e6, fw / 1e6, tiw / 1e6, tiw / wcw, tiw / fw
}'
