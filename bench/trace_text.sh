#!/bin/sh
# Text trace reader benchmark (make bench).  Builds a synthetic text trace of
# TT_BENCH_MIB MiB (default 1024) by repeating the largest wakeup trace of the
# corpus with shifted timestamps, and a 64 MiB one the same way; then, in the
# same run, times `cat FILE` (to /dev/null), `wc -l FILE` and the reader
# (median of TT_BENCH_RUNS runs, default 3) and prints the ratios, and the
# reader's peak RSS on both sizes: it must not grow with the file.
# Environment: TD_BUILDDIR, TD_CORPUS, TT_BENCH_MIB, TT_BENCH_RUNS, TMPDIR.
set -eu
b=${TD_BUILDDIR:-.}
runs=${TT_BENCH_RUNS:-3}
mib=${TT_BENCH_MIB:-1024}
bench=$b/bench/trace_text_bench
runstat=$b/bench/runstat
[ -x "$bench" ] && [ -x "$runstat" ] || make -C "$b" -s bench/trace_text_bench bench/runstat
if [ -z "${TD_CORPUS:-}" ]; then
	echo "skipped: TD_CORPUS is not set (the corpus traces are the input)"
	exit 0
fi
# shellcheck disable=SC2012
src=$(ls -S "$TD_CORPUS"/kmatrix/*-trace/trace-wakeup-events.txt | head -n 1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
"$bench" gen "$src" 64 "$tmp/small"
"$bench" gen "$src" "$mib" "$tmp/big"
size=$(wc -c <"$tmp/big")
cat "$tmp/big" >/dev/null	# page cache warm for everyone

# field $2 of a runstat line ("median_ms X min_ms X max_ms X maxrss_kib X runs N")
field() { echo "$1" | awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }

cat_r=$("$runstat" "$runs" cat "$tmp/big")
wc_r=$("$runstat" "$runs" wc -l "$tmp/big")
rd_r=$("$runstat" "$runs" "$bench" read "$tmp/big")
sm_r=$("$runstat" "$runs" "$bench" read "$tmp/small")
counts=$("$bench" read "$tmp/big")

awk -v size="$size" -v src="${src#"$TD_CORPUS"/}" -v counts="$counts" -v runs="$runs" \
    -v cat_ms="$(field "$cat_r" median_ms)" -v wc_ms="$(field "$wc_r" median_ms)" \
    -v rd_ms="$(field "$rd_r" median_ms)" -v rd_rss="$(field "$rd_r" maxrss_kib)" \
    -v sm_rss="$(field "$sm_r" maxrss_kib)" -v cat_rss="$(field "$cat_r" maxrss_kib)" '
BEGIN {
	printf "input: %.0f MiB, %s repeated with shifted timestamps; median of %d runs\n",
	    size / 1048576, src, runs
	printf "reader: %s\n", counts
	printf "cat > /dev/null:      %8.0f ms  (%.0f MiB/s)\n", cat_ms, size / 1048576 / cat_ms * 1000
	printf "wc -l:                %8.0f ms\n", wc_ms
	printf "text trace reader:    %8.0f ms  (%.0f MiB/s)\n", rd_ms, size / 1048576 / rd_ms * 1000
	printf "ratio reader/cat:     %.2f\n", rd_ms / cat_ms
	printf "ratio reader/wc -l:   %.2f\n", rd_ms / wc_ms
	printf "peak RSS reader:      %d KiB on %.0f MiB, %d KiB on 64 MiB (cat: %d KiB); " \
	    "ratio %.2f (target: 1, not the file size)\n", rd_rss, size / 1048576, sm_rss,
	    cat_rss, rd_rss / sm_rss
}'
