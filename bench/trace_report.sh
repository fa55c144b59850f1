#!/bin/sh
# timerstat --trace against trace-cmd report (make bench).
# Usage: trace_report.sh [MIB]   (default TR_BENCH_MIB, else 1024)
#
# Three inputs of about MIB MiB each, in TMPDIR (its free space is checked
# first; everything is removed at the end):
#   text  the largest wakeup trace of the corpus repeated with shifted
#         timestamps (as bench/trace_text.sh);
#   dat   a trace.dat written by --record (TR_BENCH_DAT, default the fixture
#         tests/fixtures/trace_dat/timerfd.dat) with its pages repeated and
#         their timestamps shifted (bench/trace_dat_gen);
#   report  `trace-cmd report` of dat: the same events as dat, as text.
# Then, in the same run, the median of TR_BENCH_RUNS runs (default 1) of
# `timerstat --trace F -J >/dev/null` on each, of `trace-cmd report dat
# >/dev/null`, and of `cat`/`wc -l` on the text files; wall time and peak RSS
# as ratios.  Peak RSS (getrusage) counts the file pages trace-cmd maps (our
# reader preads one page per CPU); the peak of RssAnon (sampled from /proc
# every 10 ms) is what grows with the data kept, so both are printed, and
# both on a trace.dat an eighth of the size for comparison.
# Environment: TD_BUILDDIR, TD_SRCDIR, TD_CORPUS, TR_BENCH_MIB, TR_BENCH_RUNS,
# TR_BENCH_DAT, TMPDIR.
set -eu
b=${TD_BUILDDIR:-.}
src_dir=${TD_SRCDIR:-$b/..}
mib=${1:-${TR_BENCH_MIB:-1024}}
runs=${TR_BENCH_RUNS:-1}
base=${TR_BENCH_DAT:-$src_dir/tests/fixtures/trace_dat/timerfd.dat}
ts=$b/timerstat
runstat=$b/bench/runstat
[ -x "$b/bench/trace_text_bench" ] && [ -x "$b/bench/trace_dat_gen" ] && [ -x "$runstat" ] ||
	make -C "$b" -s bench/trace_text_bench bench/trace_dat_gen bench/runstat
if [ -z "${TD_CORPUS:-}" ]; then
	echo "skipped: TD_CORPUS is not set (the corpus traces are the input)"
	exit 0
fi
if ! command -v trace-cmd >/dev/null 2>&1; then
	echo "skipped: no trace-cmd (the baseline)"
	exit 0
fi
if ! "$ts" --trace "$base" -J >/dev/null 2>&1; then
	echo "skipped: timerstat cannot read $base (built without libtracecmd?)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# The report text is larger than its trace.dat: measure by how much on the
# base, and ask for the three files' room (and a tenth more) before writing.
trace-cmd report "$base" >"$tmp/base.txt" 2>/dev/null
grow=$(awk -v t="$(wc -c <"$tmp/base.txt")" -v d="$(wc -c <"$base")" 'BEGIN { print t / d }')
need=$(awk -v m="$mib" -v g="$grow" 'BEGIN { printf "%d", m * (2.125 + g) * 1.1 * 1024 }')
free=$(df -Pk "$tmp" | awk 'NR == 2 { print $4 }')
if [ "$free" -lt "$need" ]; then
	echo "skipped: $mib MiB inputs need $((need / 1024)) MiB in ${tmp%/*}, $((free / 1024)) MiB free"
	exit 0
fi

# shellcheck disable=SC2012
txt_src=$(ls -S "$TD_CORPUS"/kmatrix/*-trace/trace-wakeup-events.txt | head -n 1)
"$b/bench/trace_text_bench" gen "$txt_src" "$mib" "$tmp/text"
"$b/bench/trace_dat_gen" "$base" "$mib" "$tmp/dat"
small=$((mib / 8 > 8 ? mib / 8 : 8))
"$b/bench/trace_dat_gen" "$base" "$small" "$tmp/small"
trace-cmd report "$tmp/dat" >"$tmp/report" 2>/dev/null
cat "$tmp/text" "$tmp/dat" "$tmp/report" >/dev/null	# page cache warm for everyone

# Field $2 of a runstat line ("median_ms X min_ms X max_ms X maxrss_kib X runs N").
field() { echo "$1" | awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }

# The peak RssAnon (KiB) of one run of a command, its output to /dev/null.
peak_anon() {
	"$@" >/dev/null 2>&1 &
	pid=$!
	peak=0
	while kill -0 "$pid" 2>/dev/null; do
		a=$(awk '/^RssAnon:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
		[ -n "$a" ] && [ "$a" -gt "$peak" ] && peak=$a
		sleep 0.01
	done
	wait "$pid" || true
	echo "$peak"
}

# name, median ms, peak RSS KiB, peak RssAnon KiB of a command.
measure() {
	name=$1
	shift
	r=$("$runstat" "$runs" "$@")
	echo "$name $(field "$r" median_ms) $(field "$r" maxrss_kib) $(peak_anon "$@")"
}

{
	measure cat_text cat "$tmp/text"
	measure wc_text wc -l "$tmp/text"
	measure ts_text "$ts" --trace "$tmp/text" -J
	measure report_dat trace-cmd report "$tmp/dat"
	measure ts_dat "$ts" --trace "$tmp/dat" -J
	measure ts_small "$ts" --trace "$tmp/small" -J
	measure cat_report cat "$tmp/report"
	measure wc_report wc -l "$tmp/report"
	measure ts_report "$ts" --trace "$tmp/report" -J
} >"$tmp/m"
events=$("$ts" --trace "$tmp/dat" -J | jq '.samples[0].total_events')
events_r=$("$ts" --trace "$tmp/report" -J | jq '.samples[0].total_events')

awk -v runs="$runs" -v text="$(wc -c <"$tmp/text")" -v dat="$(wc -c <"$tmp/dat")" \
    -v rep="$(wc -c <"$tmp/report")" -v txt_src="${txt_src#"$TD_CORPUS"/}" -v base="$base" \
    -v ev="$events" -v ev_r="$events_r" -v ssize="$(wc -c <"$tmp/small")" \
    -v lines="$(grep -cv '^cpus=' "$tmp/report")" '
{ ms[$1] = $2; rss[$1] = $3; anon[$1] = $4 }
function line(what, k, size) {
	printf "  %-34s %9.0f ms %7.0f MiB/s  peak RSS %8d KiB  RssAnon %7d KiB\n", what,
	    ms[k], size / 1048576 / ms[k] * 1000, rss[k], anon[k]
}
END {
	printf "median of %d run(s); wall time, peak RSS (getrusage), peak RssAnon (sampled)\n", runs
	printf "text: %.0f MiB, %s repeated with shifted timestamps\n", text / 1048576, txt_src
	line("cat", "cat_text", text)
	line("wc -l", "wc_text", text)
	line("timerstat --trace -J", "ts_text", text)
	printf "  ratio time timerstat/cat %.2f, timerstat/wc -l %.2f\n",
	    ms["ts_text"] / ms["cat_text"], ms["ts_text"] / ms["wc_text"]
	printf "trace.dat: %.0f MiB, %s pages repeated with shifted timestamps (%d records; " \
	    "%d timer, interrupt and softirq events counted)\n", dat / 1048576, base, lines, ev
	line("trace-cmd report", "report_dat", dat)
	line("timerstat --trace -J", "ts_dat", dat)
	line(sprintf("timerstat --trace -J on %.0f MiB", ssize / 1048576), "ts_small", ssize)
	printf "  ratio timerstat/trace-cmd report: time %.3f, peak RSS %.2f, RssAnon %.2f\n",
	    ms["ts_dat"] / ms["report_dat"], rss["ts_dat"] / rss["report_dat"],
	    anon["ts_dat"] / anon["report_dat"]
	printf "  RssAnon on %.0f MiB against %.0f MiB: %.2f (bounded: 1), %.1f KiB more per MiB\n",
	    dat / 1048576, ssize / 1048576, anon["ts_dat"] / anon["ts_small"],
	    (anon["ts_dat"] - anon["ts_small"]) / ((dat - ssize) / 1048576)
	printf "  peak RSS on %.0f MiB against %.0f MiB: %.2f (bounded: 1), %d KiB more\n",
	    dat / 1048576, ssize / 1048576, rss["ts_dat"] / rss["ts_small"],
	    rss["ts_dat"] - rss["ts_small"]
	printf "report text: %.0f MiB, trace-cmd report of that trace.dat (%d events counted)\n",
	    rep / 1048576, ev_r
	line("cat", "cat_report", rep)
	line("wc -l", "wc_report", rep)
	line("timerstat --trace -J", "ts_report", rep)
	printf "  ratio time timerstat (text)/trace-cmd report (trace.dat) %.3f, /cat %.2f, /wc -l %.2f\n",
	    ms["ts_report"] / ms["report_dat"], ms["ts_report"] / ms["cat_report"],
	    ms["ts_report"] / ms["wc_report"]
	printf "  ratio peak RSS timerstat (text)/trace-cmd report %.2f\n",
	    rss["ts_report"] / rss["report_dat"]
}' "$tmp/m"
