#!/usr/bin/env bats
# trace.dat (trace-cmd's binary format): read with --trace, refused in one line
# when damaged, written by --record from a live sample, and a trace that
# trace-cmd itself recorded.  The live tests use tracefs: make check runs this
# file after timerstat.bats, wakeuptop.bats and hostile_names.bats and before
# wakeups.bats (mk/trace_dat.am), and they leave no instance or event behind.

load helpers

FIX=$TD_SRCDIR/tests/fixtures/trace_dat

setup() {
	# Sanitizer builds: a leak inside libtraceevent's format parser is not ours.
	export LSAN_OPTIONS=suppressions=$TD_SRCDIR/tests/lsan.supp
	TMP=$(mktemp -d)
	INST=tdtest-$$
	mounts_save
}

teardown() {
	local d=/sys/kernel/tracing/instances/$INST
	if [ -d "$d" ]; then
		echo 0 >"$d/tracing_on" 2>/dev/null || true
		echo 0 >"$d/events/enable" 2>/dev/null || true
		rmdir "$d" 2>/dev/null || true
	fi
	[ -n "${LOAD:-}" ] && kill "$LOAD" 2>/dev/null || true
	rm -rf "$TMP"
	# trace-cmd and --record mount tracefs where it is not: unmounted again.
	mounts_restore
}

need_dat() {
	timerstat --trace "$FIX/timerfd.dat" >/dev/null 2>"$TMP/err" ||
		{ grep -q 'not built' "$TMP/err" && skip "built without libtracecmd"; }
}

# The tracefs state the tests must leave as they found it.
tracefs_state() {
	local t=/sys/kernel/tracing
	cat "$t/set_event" "$t/tracing_on" "$t/current_tracer" "$t/events/enable" 2>/dev/null
	ls "$t/instances" 2>/dev/null | grep -v '^timerdiag-' || true
}

@test "a trace.dat fixture: its hrtimer expiries of timerfd_load, the events the text of trace-cmd report gives" {
	need_dat
	run timerstat --trace "$FIX/timerfd.dat" -J
	[ "$status" -eq 0 ]
	[ "$(jq -r '.samples[0].backend' <<<"$output")" = trace ]
	got=$(jq '[.samples[0].sources[] | select(.comm == "timerfd_load" and .function == "timerfd_tmrproc") | .count] | add' <<<"$output")
	[ "$got" -gt 30 ]
	# The same count in the file's own decoding by trace-cmd.
	command -v trace-cmd >/dev/null || skip "no trace-cmd"
	want=$(trace-cmd report "$FIX/timerfd.dat" 2>/dev/null | grep -c 'hrtimer_expire_entry:.*function=timerfd_tmrproc')
	all=$(jq '[.samples[0].sources[] | select(.function == "timerfd_tmrproc") | .count] | add' <<<"$output")
	[ "$all" -eq "$want" ]
}

@test "odd command lines and printk formats in a trace.dat (PIDs past LONG_MAX, formats of a byte): skipped, the same sources, nothing leaked" {
	need_dat
	# The fixture is what the helper makes of timerfd.dat.
	python3 "$TD_SRCDIR/tests/helpers/trace_dat_odd_symbols.py" "$FIX/timerfd.dat" "$TMP/odd.dat"
	cmp "$TMP/odd.dat" "$FIX/timerfd-odd-symbols.dat"
	# Under ASan a leaked name or a read before a format fails the run.
	run timerstat --trace "$FIX/timerfd-odd-symbols.dat" -J
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | jq -S '.samples[0].sources' >"$TMP/odd.json"
	timerstat --trace "$FIX/timerfd.dat" -J | jq -S '.samples[0].sources' >"$TMP/plain.json"
	cmp "$TMP/odd.json" "$TMP/plain.json"
	got=$(jq '[.[] | select(.comm == "timerfd_load" and .function == "timerfd_tmrproc") | .count] | add' "$TMP/odd.json")
	[ "$got" -gt 30 ]
}

@test "--trace FILE -d S steps through trace time: the windows sum to the whole" {
	need_dat
	timerstat --trace "$FIX/timerfd.dat" -J >"$TMP/one.json"
	timerstat --trace "$FIX/timerfd.dat" -d 100ms -J >"$TMP/steps.json"
	n=$(jq '.samples | length' "$TMP/steps.json")
	[ "$n" -ge 4 ] && [ "$n" -le 6 ]
	whole=$(jq '[.samples[0].sources[].count] | add' "$TMP/one.json")
	sum=$(jq '[.samples[].sources[].count] | add' "$TMP/steps.json")
	[ "$whole" -eq "$sum" ]
	# -n stops early.
	[ "$(timerstat --trace "$FIX/timerfd.dat" -d 100ms -n 2 -J | jq '.samples | length')" -eq 2 ]
}

@test "a trace.dat in a sysroot tree is read" {
	need_dat
	mkdir -p "$TMP/tree/proc"
	cp "$FIX/timerfd.dat" "$TMP/tree/trace.dat"
	run timerstat --sysroot "$TMP/tree" -J
	[ "$status" -eq 0 ]
	[ "$(jq -r '.samples[0].backend' <<<"$output")" = trace ]
}

@test "damaged trace.dat files: one line naming the file and the byte, exit 1" {
	need_dat
	f=$FIX/timerfd.dat
	size=$(stat -c %s "$f")
	head -c $((size - 5000)) "$f" >"$TMP/cut.dat"
	head -c 300 "$f" >"$TMP/head.dat"
	{ head -c 10 "$f"; head -c 5000 /dev/urandom; } >"$TMP/garbage.dat"
	{ head -c 10 "$f"; printf '9\0'; } >"$TMP/version.dat"
	# A 2 GB file (sparse): the header of the fixture, its CPU data past the end.
	cp "$f" "$TMP/big.dat"
	truncate -s 2G "$TMP/big.dat"
	for x in cut head garbage version; do
		run timerstat --trace "$TMP/$x.dat"
		[ "$status" -eq 1 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == "timerstat: $TMP/$x.dat: byte "* ]]
	done
	[[ "$(timerstat --trace "$TMP/cut.dat" 2>&1)" == *"cut short"* ]]
	# The 2 GB file reads (its pages are where the header says) in bounded memory.
	run /usr/bin/time -f '%M' timerstat --trace "$TMP/big.dat" -o count -H
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" -lt 200000 ]
}

@test "a format that does not match the records: said with the byte, never a crash" {
	need_dat
	# hrtimer_expire_entry's format puts its function beyond every record.
	python3 - "$FIX/timerfd.dat" "$TMP/fmt.dat" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
i = d.find(b'name: hrtimer_expire_entry')
j = d.find(b'field:void * function;\toffset:24;', i)
assert i > 0 and j > 0
k = j + len(b'field:void * function;\toffset:')
d[k:k + 2] = b'99'
open(sys.argv[2], 'wb').write(d)
PY
	run timerstat --trace "$TMP/fmt.dat"
	[ "$status" -eq 0 ]
	[[ "$output" == *"records do not match their event format (first at byte "* ]]
}

@test "--record: a live sample written as a trace.dat; trace-cmd report reads it, --trace gives the same table" {
	require_root
	need_dat
	before=$(tracefs_state)
	"$TD_BUILDDIR/tests/helpers/timerfd_load" -r 1000 -d 4 >/dev/null &
	LOAD=$!
	LOAD_PID=$LOAD
	sleep 0.3
	timerstat -d 2 --source tracefs --record "$TMP/r.dat" -g thread -J >"$TMP/live.json"
	wait "$LOAD"
	LOAD=
	timerstat --trace "$TMP/r.dat" -g thread -J >"$TMP/replay.json"
	# The same events and wakeups: per kind and function, per CPU, and the
	# helper's own row.  (Which task armed a timer that another CPU expired
	# can differ: live, the CPUs' buffers are read one after the other; the
	# replay merges them in time order.)
	# (One event at the very end of the recording can differ: said, allowed.)
	sums='[.samples[0].sources[] | {k: "\(.kind) \(.function)", c: .count}] | group_by(.k) | map({(.[0].k): (map(.c) | add)}) | add'
	jq -n --argjson a "$(jq "$sums" "$TMP/live.json")" --argjson b "$(jq "$sums" "$TMP/replay.json")" '
		($a | keys) == ($b | keys) and all($a | keys[]; ($a[.] - $b[.]) | fabs <= 2)' | grep -q true
	[ "$(jq -c '[.samples[0].cpu_wakeups[] | {cpu, wakeups, method}]' "$TMP/live.json")" = \
	  "$(jq -c '[.samples[0].cpu_wakeups[] | {cpu, wakeups, method}]' "$TMP/replay.json")" ]
	# The helper's timerfd: its expiries and the wakeups they caused.
	row='[.samples[0].sources[] | select(.pid == $p and .function == "timerfd_tmrproc")][0] | "\(.count) \(.wakeups)"'
	read -r lc lw <<<"$(jq -r --argjson p "$LOAD_PID" "$row" "$TMP/live.json")"
	read -r rc rw <<<"$(jq -r --argjson p "$LOAD_PID" "$row" "$TMP/replay.json")"
	echo "helper: live $lc events $lw wakeups, replay $rc events $rw wakeups" >&2
	[ $((lc - rc)) -le 2 ] && [ $((rc - lc)) -le 2 ] && [ $((lw - rw)) -le 2 ] && [ $((rw - lw)) -le 2 ]
	timerstat --trace "$TMP/r.dat" -o kind,function,comm --raw -H | grep -q '^hrtimer timerfd_tmrproc timerfd_load$'
	[ "$(tracefs_state)" = "$before" ]
	command -v trace-cmd >/dev/null || skip "no trace-cmd"
	trace-cmd report "$TMP/r.dat" >"$TMP/r.txt" 2>/dev/null
	grep -q 'function=timerfd_tmrproc' "$TMP/r.txt"
	# The report's text, read back, counts the helper's expiries as the file does.
	a=$(awk '$3 == "timerfd_tmrproc" { s += $1 } END { print s }' <(timerstat --trace "$TMP/r.dat" -o count,kind,function --raw -H))
	b=$(awk '$3 == "timerfd_tmrproc" { s += $1 } END { print s }' <(timerstat --trace "$TMP/r.txt" -o count,kind,function --raw -H))
	[ "$a" -gt 1500 ] && [ "$a" -eq "$b" ]
}

@test "--record refuses files and trees, and an unwritable path in one line" {
	run timerstat --trace "$FIX/timerfd.dat" --record "$TMP/x.dat"
	[ "$status" -eq 2 ]
	require_root
	run timerstat -d 100ms --record /nonexistent/dir/x.dat
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"/nonexistent/dir/x.dat"* ]]
	[ -z "$(ls /sys/kernel/tracing/instances | grep "^timerdiag-" | while read -r i; do kill -0 "${i#timerdiag-}" 2>/dev/null || echo "$i"; done)" ]
}

@test "trace-cmd's own recording of the 1 kHz timerfd helper: its expiries go to it (trace.dat and report text)" {
	require_root
	need_dat
	command -v trace-cmd >/dev/null || skip "no trace-cmd"
	before=$(tracefs_state)
	tc_record "$TMP/t.dat"
	[ "$(tracefs_state)" = "$before" ]
	trace-cmd report "$TMP/t.dat" >"$TMP/t.txt" 2>/dev/null
	# The helper's expiries: of the timers its own lines armed (other tests may
	# run timerfds at the same time).
	want=$(awk -v p="timerfd_load-$LOAD_PID" '
		index($0, p " ") && /hrtimer_start:/ { match($0, /hrtimer=[0-9a-fx]+/); armed[substr($0, RSTART, RLENGTH)] = 1 }
		/hrtimer_expire_entry:.*function=timerfd_tmrproc/ { match($0, /hrtimer=[0-9a-fx]+/); if (substr($0, RSTART, RLENGTH) in armed) n++ }
		END { print n + 0 }' "$TMP/t.txt")
	[ "$want" -gt 500 ]
	# Every expiry counted; the helper's own, all but the few armed before
	# the trace began (their armer is not in it).
	for f in "$TMP/t.dat" "$TMP/t.txt"; do
		timerstat --trace "$f" -J -g thread >"$TMP/o.json"
		got=$(jq --argjson p "$LOAD_PID" '[.samples[0].sources[] | select(.function == "timerfd_tmrproc" and .pid == $p) | .count] | add // 0' "$TMP/o.json")
		echo "$f: timerfd_tmrproc expiries of the helper $got (its timers in the report: $want)" >&2
		[ "$got" -eq "$want" ]
	done
}

# Remove the test's instance (trace-cmd leaves it when it fails).
teardown_inst() {
	local d=/sys/kernel/tracing/instances/$INST
	[ -d "$d" ] || return 0
	echo 0 >"$d/tracing_on" 2>/dev/null || true
	echo 0 >"$d/events/enable" 2>/dev/null || true
	rmdir "$d" 2>/dev/null || true
}

# trace-cmd records timer, irq, power and sched_switch events for a second in
# the test's own instance into $1, with the 1 kHz timerfd helper running
# (LOAD_PID), and leaves tracefs as it found it.
tc_record() {
	local was_mounted=0 debug_mounted=0
	"$TD_BUILDDIR/tests/helpers/timerfd_load" -r 1000 -d 3 >/dev/null &
	LOAD=$!
	LOAD_PID=$LOAD
	sleep 0.2
	mountpoint -q /sys/kernel/tracing && was_mounted=1
	mountpoint -q /sys/kernel/debug && debug_mounted=1
	# trace-cmd 3.1.6 record and start crash on kernels whose set_ftrace_pid
	# cannot be read (no function tracer); set + extract record the same
	# events in our own instance, and never touch the top one.
	if ! trace-cmd record -d -B "$INST" -e timer -e irq -e power -e sched:sched_switch \
	    -o "$1" sleep 1 >/dev/null 2>&1 || ! [ -s "$1" ] ||
	    [ "$(trace-cmd report "$1" 2>/dev/null | wc -l)" -lt 100 ]; then
		teardown_inst
		trace-cmd set -d -B "$INST" -e timer -e irq -e power -e sched:sched_switch >/dev/null 2>&1
		sleep 1
		echo 0 >"/sys/kernel/tracing/instances/$INST/tracing_on"
		trace-cmd extract -B "$INST" -o "$1" >/dev/null 2>&1
	fi
	wait "$LOAD"
	LOAD=
	teardown_inst
	# trace-cmd mounts tracefs (and debugfs) when they are not: unmount what
	# it mounted.
	if [ "$was_mounted" = 0 ]; then
		umount /sys/kernel/debug/tracing 2>/dev/null || true
		[ "$debug_mounted" = 1 ] || umount /sys/kernel/debug 2>/dev/null || true
		umount /sys/kernel/tracing 2>/dev/null || true
	fi
}

# The events trace-cmd report shows of a trace.dat, as "CPU NAME COUNT"
# lines for the tracepoints trace_dat_counts names.
report_counts() {
	trace-cmd report "$1" 2>/dev/null | awk '
		BEGIN { split("timer_start hrtimer_start timer_expire_entry hrtimer_expire_entry timer_cancel hrtimer_cancel irq_handler_entry softirq_entry softirq_raise cpu_idle cpu_idle_miss sched_switch sched_wakeup tick_stop timer_base_idle", w, " "); for (i in w) want[w[i]] = 1 }
		match($0, /\[[0-9]+\]/) {
			cpu = substr($0, RSTART + 1, RLENGTH - 2) + 0
			for (i = 1; i < NF; i++)
				if ($i ~ /^[0-9]+\.[0-9]+:$/) {
					name = $(i + 1)
					sub(/:$/, "", name)
					if (name in want)
						n[cpu " " name]++
					break
				}
		}
		END { for (k in n) print k, n[k] }' | sort
}

@test "a trace.dat trace-cmd recorded live, as written and converted to version 6 and uncompressed 7: the events per CPU and tracepoint and the lost events of trace-cmd report" {
	require_root
	need_dat
	command -v trace-cmd >/dev/null || skip "no trace-cmd"
	before=$(tracefs_state)
	tc_record "$TMP/t.dat"
	[ "$(tracefs_state)" = "$before" ]
	# trace-cmd 3.1.6 writes version 7 compressed with zstd, read by our own
	# reader like the conversions (a build without libzstd reads it through
	# libtracecmd, or without that refuses it, saying so).
	trace-cmd convert -i "$TMP/t.dat" -o "$TMP/v6.dat" --file-version 6 >/dev/null 2>&1
	trace-cmd convert -i "$TMP/t.dat" -o "$TMP/v7.dat" --file-version 7 --compression none \
	    >/dev/null 2>&1
	[ "$(head -c 11 "$TMP/v6.dat" | tail -c 1)" = 6 ]
	[ "$(head -c 22 "$TMP/v7.dat" | tail -c 4)" = none ]
	report_counts "$TMP/t.dat" >"$TMP/theirs"
	[ "$(wc -l <"$TMP/theirs")" -ge 4 ]
	# Lost events: the sum of report's "CPU:N [M EVENTS DROPPED]" lines
	# ("some" for one without a count).
	lost=$(trace-cmd report "$TMP/t.dat" 2>/dev/null | awk '
		/CPU:[0-9]+ \[EVENTS DROPPED\]/ { some = 1 }
		match($0, /CPU:[0-9]+ \[[0-9]+ EVENTS DROPPED\]/) { split(substr($0, RSTART, RLENGTH), w, /[[ ]/); s += w[3] }
		END { print some ? "some" : s + 0 }')
	echo "trace-cmd report: lost $lost" >&2
	files="v6 v7 t"
	if ! grep -q '^#define HAVE_ZSTD 1' "$TD_BUILDDIR/config.h" &&
	    ! "$TD_BUILDDIR/tests/helpers/trace_dat_counts" "$TMP/t.dat" >/dev/null 2>"$TMP/err"; then
		grep -q 'which this build lacks' "$TMP/err"
		files="v6 v7"
	fi
	for f in $files; do
		"$TD_BUILDDIR/tests/helpers/trace_dat_counts" "$TMP/$f.dat" >"$TMP/ours.$f"
		grep -v '^lost ' "$TMP/ours.$f" | sort | diff - "$TMP/theirs"
		grep -qx "lost $lost" "$TMP/ours.$f"
		# The same table from each.
		timerstat --trace "$TMP/$f.dat" -J | jq -c '.samples[0] | [.sources, .cpu_wakeups]' >"$TMP/$f.json"
		diff "$TMP/v6.json" "$TMP/$f.json"
	done
}

@test "the fixture (written by --record): the events per CPU and tracepoint of trace-cmd report" {
	need_dat
	command -v trace-cmd >/dev/null || skip "no trace-cmd"
	"$TD_BUILDDIR/tests/helpers/trace_dat_counts" "$FIX/timerfd.dat" >"$TMP/ours"
	report_counts "$FIX/timerfd.dat" >"$TMP/theirs"
	[ "$(wc -l <"$TMP/theirs")" -ge 10 ]
	grep -v '^lost ' "$TMP/ours" | sort | diff - "$TMP/theirs"
	grep -qx "lost 0" "$TMP/ours"
}

# $TMP/small$1.dat and $TMP/big$1.dat: the fixture's pages repeated to 8 and
# 64 MiB by bench/trace_dat_gen.
gen_small_big() {
	local gen=$TD_BUILDDIR/bench/trace_dat_gen

	[ -x "$gen" ] || make -C "$TD_BUILDDIR" -s bench/trace_dat_gen
	"$gen" "$FIX/timerfd.dat" 8 "$TMP/small$1.dat"
	"$gen" "$FIX/timerfd.dat" 64 "$TMP/big$1.dat"
}

# timerstat --trace on $TMP/small.dat and $TMP/big.dat (8 and 64 MiB of the
# same pages, $1 says how stored) into $TMP/small.json and $TMP/big.json:
# every event of the big file read, and peak RSS not following it.
rss_bounded() {
	for x in small big; do
		/usr/bin/time -o "$TMP/$x.rss" -f '%M' timerstat --trace "$TMP/$x.dat" -J >"$TMP/$x.json"
	done
	s=$(cat "$TMP/small.rss")
	b=$(cat "$TMP/big.rss")
	es=$(jq '[.samples[0].sources[].count] | add' "$TMP/small.json")
	eb=$(jq '[.samples[0].sources[].count] | add' "$TMP/big.json")
	echo "peak RSS, $1 trace.dat: 8 MiB $s KiB ($es events, $(stat -c %s "$TMP/small.dat") bytes)," \
	    "64 MiB $b KiB ($eb events, $(stat -c %s "$TMP/big.dat") bytes)" >&2
	[ "$eb" -ge $((es * 7)) ]
	[ $((b - s)) -lt 4096 ]
}

@test "reading a trace.dat holds one page per CPU: peak RSS of a 64 MiB file within 4 MiB of an 8 MiB one" {
	need_dat
	gen_small_big ""
	rss_bounded "uncompressed"
}

@test "a page size that is not the file's, and garbage in a page: one line with the byte, exit 1" {
	need_dat
	python3 - "$FIX/timerfd.dat" "$TMP" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
ps = bytearray(d)
ps[14:18] = struct.pack('<I', 8192)
open(sys.argv[2] + '/pagesize.dat', 'wb').write(ps)
# The first CPU with data: its first page's commit word says 64 KiB.
fly = d.find(b'flyrecord\0') + 10
ncpus = struct.unpack_from('<I', d, fly - 14)[0]
for c in range(ncpus):
    off, size = struct.unpack_from('<QQ', d, fly + 16 * c)
    if size > 0:
        break
d[off + 8:off + 16] = struct.pack('<Q', 65536)
open(sys.argv[2] + '/commit.dat', 'wb').write(d)
print(c, off, file=open(sys.argv[2] + '/where', 'w'))
PY
	run timerstat --trace "$TMP/pagesize.dat"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "timerstat: $TMP/pagesize.dat: byte 14: page size 8192, but the header page format"*"gives 4096"* ]]
	read -r cpu off <"$TMP/where"
	run timerstat --trace "$TMP/commit.dat"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "timerstat: $TMP/commit.dat: byte $off: CPU $cpu's page says it holds more than a page of 4096 bytes"* ]]
}

# zstd in this build (our own reader decompresses it) and in trace-cmd (which
# makes the compressed files), else the test is skipped.
need_zstd() {
	need_dat
	grep -q '^#define HAVE_ZSTD 1' "$TD_BUILDDIR/config.h" || skip "built without libzstd"
	command -v trace-cmd >/dev/null || skip "no trace-cmd"
	trace-cmd list -c 2>/dev/null | grep -q zstd || skip "trace-cmd without zstd"
}

# $3: the version 6 trace.dat $2 (written by --record or trace_dat_gen, with
# no options section) converted to version 7 by trace-cmd convert with
# compression $1 (zstd or none), which needs an options section: one is put
# before the flyrecord data, a padding option and DONE a page long, so the CPU
# data moves by a page and stays aligned.
v7_of() {
	python3 - "$2" "$TMP/opts.dat" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
ps = struct.unpack_from('<I', d, 14)[0]
fly = d.find(b'flyrecord\0')
ncpus = struct.unpack_from('<I', d, fly - 4)[0]
for c in range(ncpus):
    off, size = struct.unpack_from('<QQ', d, fly + 10 + 16 * c)
    struct.pack_into('<QQ', d, fly + 10 + 16 * c, off + ps, size)
opt = b'options  \0' + struct.pack('<HI', 0x7fff, ps - 18) + bytes(ps - 18) + b'\0\0'
open(sys.argv[2], 'wb').write(d[:fly] + opt + d[fly:])
PY
	trace-cmd convert -i "$TMP/opts.dat" -o "$3" --file-version 7 --compression "$1" \
	    >/dev/null 2>&1
	rm -f "$TMP/opts.dat"
	[ "$(head -c 22 "$3" | tail -c 4)" = "$1" ]
}

@test "a zstd-compressed trace.dat (trace-cmd convert) read one chunk per CPU: the events of trace-cmd report, peak RSS of a 64 MiB file within 4 MiB of an 8 MiB one" {
	need_zstd
	gen_small_big 6
	v7_of zstd "$TMP/small6.dat" "$TMP/small.dat"
	v7_of zstd "$TMP/big6.dat" "$TMP/big.dat"
	# The events per CPU and tracepoint of trace-cmd report, no loss.
	"$TD_BUILDDIR/tests/helpers/trace_dat_counts" "$TMP/small.dat" >"$TMP/ours"
	report_counts "$TMP/small.dat" >"$TMP/theirs"
	[ "$(wc -l <"$TMP/theirs")" -ge 10 ]
	grep -v '^lost ' "$TMP/ours" | sort | diff - "$TMP/theirs"
	grep -qx "lost 0" "$TMP/ours"
	rss_bounded "zstd"
	# The same table as the uncompressed files.
	for x in small big; do
		timerstat --trace "$TMP/${x}6.dat" -J | jq -c '.samples[0].sources' >"$TMP/${x}6.rows"
		jq -c '.samples[0].sources' "$TMP/$x.json" | diff "$TMP/${x}6.rows" -
	done
}

@test "damaged compressed data in a zstd trace.dat: one line with the file and the byte, exit 1" {
	need_zstd
	python3 - "$FIX/timerfd-zstd.dat" "$TMP" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
out = sys.argv[2]
# The options sections (uncompressed in trace-cmd's files): the header info
# section and the first CPU's data of the buffer.
p = d.index(b'\0', d.index(b'\0', 18) + 1) + 1
nxt, hdr, chunk = struct.unpack_from('<Q', d, p)[0], None, None
while nxt:
    _, flags, _, size = struct.unpack_from('<HHIQ', d, nxt)
    assert flags == 0
    q, end, nxt = nxt + 16, nxt + 16 + size, 0
    while q + 6 <= end:
        oid, n = struct.unpack_from('<HI', d, q)
        od = bytes(d[q + 6:q + 6 + n])
        q += 6 + n
        if oid == 0:
            nxt = struct.unpack_from('<Q', od)[0]
            break
        if oid == 16:
            hdr = struct.unpack_from('<Q', od)[0]
        if oid == 3 and chunk is None:
            r = od.index(b'\0', od.index(b'\0', 8) + 1) + 1 + 8
            chunk = struct.unpack_from('<IQQ', od, r)[1] + 4
assert hdr is not None and chunk is not None
assert struct.unpack_from('<H', d, hdr + 2)[0] & 1
z = struct.unpack_from('<I', d, chunk)[0]
w = bytearray(d)
# zstd frames without checksums (trace-cmd's) take garbage inside as data:
# the frame header is what is certain to be refused.
w[chunk + 8:chunk + 12] = b'\xa5' * 4
open(out + '/chunk.dat', 'wb').write(w)
w = bytearray(d)
w[hdr + 16 + 8:hdr + 16 + 12] = b'\xa5' * 4
open(out + '/section.dat', 'wb').write(w)
w = bytearray(d)
struct.pack_into('<I', w, chunk + 4, 1 << 30)
open(out + '/huge.dat', 'wb').write(w)
open(out + '/cut.dat', 'wb').write(d[:chunk + 8 + z // 2])
print(chunk, hdr + 16, file=open(out + '/where', 'w'))
PY
	read -r chunk sec <"$TMP/where"
	for x in chunk section huge cut; do
		run timerstat --trace "$TMP/$x.dat"
		echo "$x: $output" >&2
		[ "$status" -eq 1 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == "timerstat: $TMP/$x.dat: byte "* ]]
	done
	run timerstat --trace "$TMP/chunk.dat"
	[[ "$output" == *": byte $chunk: the compressed CPU data chunk does not decompress ("* ]]
	run timerstat --trace "$TMP/section.dat"
	[[ "$output" == *": byte $sec: the compressed section does not decompress ("* ]]
	run timerstat --trace "$TMP/huge.dat"
	[[ "$output" == *": byte $chunk: compressed CPU data chunk of "*" uncompressed (more than "* ]]
	run timerstat --trace "$TMP/cut.dat"
	[[ "$output" == *"cut short"* ]]
	# The file as trace-cmd wrote it: the events of trace-cmd report.
	"$TD_BUILDDIR/tests/helpers/trace_dat_counts" "$FIX/timerfd-zstd.dat" >"$TMP/ours"
	report_counts "$FIX/timerfd-zstd.dat" >"$TMP/theirs"
	[ "$(wc -l <"$TMP/theirs")" -ge 10 ]
	grep -v '^lost ' "$TMP/ours" | sort | diff - "$TMP/theirs"
}

@test "a zlib-compressed trace.dat: the events of trace-cmd report of the file uncompressed; a damaged chunk in one line with the byte" {
	need_dat
	command -v trace-cmd >/dev/null || skip "no trace-cmd"
	v7_of none "$FIX/timerfd.dat" "$TMP/none.dat"
	chunk=$(python3 "$TD_SRCDIR/tests/helpers/trace_dat_zlib.py" "$TMP/none.dat" "$TMP/zlib.dat")
	[ "$(head -c 22 "$TMP/zlib.dat" | tail -c 4)" = zlib ]
	"$TD_BUILDDIR/tests/helpers/trace_dat_counts" "$TMP/zlib.dat" >"$TMP/ours"
	report_counts "$TMP/none.dat" >"$TMP/theirs"
	[ "$(wc -l <"$TMP/theirs")" -ge 10 ]
	grep -v '^lost ' "$TMP/ours" | sort | diff - "$TMP/theirs"
	grep -qx "lost 0" "$TMP/ours"
	# zlib streams carry a checksum: a byte changed inside is refused too.
	python3 - "$TMP/zlib.dat" "$chunk" "$TMP/bad.dat" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
at = int(sys.argv[2]) + 8 + 40
d[at] ^= 0x55
open(sys.argv[3], 'wb').write(d)
PY
	run timerstat --trace "$TMP/bad.dat"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "timerstat: $TMP/bad.dat: byte $chunk: the compressed CPU data chunk does not decompress (zlib: "* ]]
	# Laid out as trace-cmd writes it, each CPU's data at a page: the buffer
	# section's header ends three bytes before one, so the eight bytes after
	# it are padding, the chunk count and the first byte of the first chunk's
	# size, no block sizes (a reader that took them for ones refused such a
	# file recorded live: "compressed buffer section of 410058752 bytes").
	chunk=$(python3 "$TD_SRCDIR/tests/helpers/trace_dat_zlib.py" "$TMP/none.dat" "$TMP/aligned.dat" aligned)
	[ $(((chunk - 4) % 4096)) -eq 0 ]
	low=$(od -An -tu1 -j "$chunk" -N1 "$TMP/aligned.dat" | tr -d ' ')
	echo "such a reader took $((low << 24)) bytes for the section's size" >&2
	[ $((low << 24)) -gt 268435456 ]
	"$TD_BUILDDIR/tests/helpers/trace_dat_counts" "$TMP/aligned.dat" >"$TMP/ours"
	grep -v '^lost ' "$TMP/ours" | sort | diff - "$TMP/theirs"
	grep -qx "lost 0" "$TMP/ours"
}
