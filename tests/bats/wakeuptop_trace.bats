#!/usr/bin/env bats
# wakeuptop --trace FILE: the corpus's wakeup traces and a trace.dat replayed
# by their own time, in batch mode against truth.json and timerstat --trace,
# on the screen (tmux) to the end of the trace; bad files; and --record, whose
# live test uses tracefs (make check runs this file after the other tracefs
# tests: mk/wakeuptop.am).

load helpers

FIX=$TD_SRCDIR/tests/fixtures/trace_dat

setup() {
	export LSAN_OPTIONS=suppressions=$TD_SRCDIR/tests/lsan.supp
	TMP=$(mktemp -d)
	chmod 755 "$TMP"
	SOCK="wtt-$$-${BATS_TEST_NUMBER}"
	SESS=wt
}

teardown() {
	tmux_end "$SOCK"
	[ -n "${LOAD:-}" ] && kill "$LOAD" 2>/dev/null || true
	rm -rf "$TMP"
}

# A sources array as a sorted list of rows without the per-CPU maps (which
# wakeuptop's JSON leaves to its "per_cpu" strip).
rows='[.[] | del(.count_per_cpu, .wakeups_per_cpu)] | sort_by(tostring)'

# Run FUNC CAPTURE TRACE for every -trace capture of the corpus (there are five
# or more); FUNC's checks fail the test.
each_trace_capture() {
	local d n=0
	require_corpus
	while read -r d; do
		n=$((n + 1))
		"$1" "$d" "$d/trace-wakeup-events.txt"
	done < <(trace_captures)
	[ "$n" -ge 5 ]
}

# One capture's trace whole.
trace_whole() {
	local d=$1 t=$2 c want got
	wakeuptop -b -J --trace "$t" >"$TMP/w.json"
	[ "$(wc -l <"$TMP/w.json")" -eq 1 ]
	[ "$(jq -r .backend "$TMP/w.json")" = trace ]
	for c in $(jq -r '.idle_exits_per_cpu | keys[]' "$d/truth.json"); do
		want=$(truth "$d" ".idle_exits_per_cpu[\"$c\"]")
		got=$(jq --argjson c "$c" '.cpu_wakeups[] | select(.cpu == $c) | .wakeups' "$TMP/w.json")
		[ "$got" = "$want" ] || { echo "$d CPU $c: wakeups $got, truth $want" >&2; return 1; }
		# The strip's local timer rate over the trace's span, back to a count.
		want=$(truth "$d" ".local_timer_entries_per_cpu[\"$c\"]")
		got=$(jq --argjson c "$c" '.per_cpu[] | select(.cpu == $c) | .local_timer // 0' "$TMP/w.json")
		[ "$got" = "$want" ] || { echo "$d CPU $c: local timer $got, truth $want" >&2; return 1; }
	done
	timerstat -J --trace "$t" >"$TMP/t.json"
	[ "$(jq -c ".sources | $rows" "$TMP/w.json")" = "$(jq -c ".samples[0].sources | $rows" "$TMP/t.json")" ]
	[ "$(jq .period_ns "$TMP/w.json")" = "$(jq .samples[0].period_ns "$TMP/t.json")" ]
	# A trace says nothing of this machine: its facts are unknown, not ours.
	jq -e '(.host | startswith("trace ")) and .kernel == null and .hz == null
		and .unknown.hz == "not in the trace"' "$TMP/w.json" >/dev/null
}

@test "every -trace capture, whole: per-CPU idle exits and local timer entries as truth.json, the sources of timerstat --trace" {
	each_trace_capture trace_whole
}

# One capture's trace stepped by -d 0.5.
trace_stepped() {
	local d=$1 t=$2 c want got
	wakeuptop -b -J --trace "$t" -d 0.5 >"$TMP/w.json"
	timerstat -J --trace "$t" -d 0.5 >"$TMP/t.json"
	# ceil(span / 0.5 s) windows, the last one ending at the last event.
	want=$(jq '.trace_wakeup_seconds / 0.5 | ceil' "$d/truth.json")
	[ "$(wc -l <"$TMP/w.json")" -eq "$want" ]
	[ "$(jq -s -c '[.[].period_ns]' "$TMP/w.json")" = "$(jq -c '[.samples[].period_ns]' "$TMP/t.json")" ]
	[ "$(jq -s -c "[.[].sources | $rows]" "$TMP/w.json")" = "$(jq -c "[.samples[].sources | $rows]" "$TMP/t.json")" ]
	for c in $(jq -r '.idle_exits_per_cpu | keys[]' "$d/truth.json"); do
		want=$(truth "$d" ".idle_exits_per_cpu[\"$c\"]")
		got=$(jq -s --argjson c "$c" '[.[].cpu_wakeups[] | select(.cpu == $c) | .wakeups] | add' "$TMP/w.json")
		[ "$got" = "$want" ] || { echo "$d CPU $c: wakeups $got in the windows, truth $want" >&2; return 1; }
	done
	# -n stops early; text says where in the trace each window is.
	[ "$(wakeuptop -b -J --trace "$t" -d 0.5 -n 2 | wc -l)" -eq 2 ]
	wakeuptop -b --trace "$t" -d 0.5 -n 2 | grep -q '^Trace: 0.500-1.000 s of its time (interval 2) in '
}

@test "every -trace capture, stepped by -d: one line per window of trace time, windows as timerstat's, summing to truth.json" {
	each_trace_capture trace_stepped
}

@test "the trace.dat fixture: the timerfd helper's expiries, as trace-cmd report counts them" {
	wakeuptop -b -J --trace "$FIX/timerfd.dat" -g thread >"$TMP/w.json" 2>"$TMP/err" ||
		{ grep -q 'not built' "$TMP/err" && skip "built without libtracecmd"; cat "$TMP/err" >&2; return 1; }
	got=$(jq '[.sources[] | select(.comm == "timerfd_load" and .function == "timerfd_tmrproc") | .count] | add' "$TMP/w.json")
	[ "$got" -gt 30 ]
	[ "$(jq -c ".sources | $rows" "$TMP/w.json")" = \
	  "$(timerstat -J -g thread --trace "$FIX/timerfd.dat" | jq -c ".samples[0].sources | $rows")" ]
	command -v trace-cmd >/dev/null || skip "no trace-cmd"
	want=$(trace-cmd report "$FIX/timerfd.dat" 2>/dev/null | grep -c 'hrtimer_expire_entry:.*function=timerfd_tmrproc')
	[ "$(jq '[.sources[] | select(.function == "timerfd_tmrproc") | .count] | add' "$TMP/w.json")" -eq "$want" ]
}

@test "a trace from a bigger machine: its CPUs and tasks are the trace's, not refused here" {
	require_corpus
	local d t pid
	d=$TD_CORPUS/kmatrix/amd64-6.1-generic-smp4-nohz_full_1-3-trace
	[ -d "$d" ] || skip "no 4-CPU trace in the corpus"
	t=$d/trace-wakeup-events.txt
	# CPU 3 of the trace (this machine may have fewer).
	want=$(timerstat -J --trace "$t" | jq '[.samples[0].sources[] | .count_per_cpu["3"] // 0] | add')
	[ "$want" -gt 0 ]
	got=$(wakeuptop -b -J --trace "$t" --cpu 3 | jq '[.sources[].count] | add')
	[ "$got" -eq "$want" ]
	[ "$(timerstat -J --trace "$t" --cpu 3 | jq '[.samples[0].sources[].count] | add')" -eq "$want" ]
	# A task of the trace that does not run here.
	pid=$(timerstat -J -g thread --trace "$t" | jq -r '.samples[0].sources[] | select(.pid > 0) | .pid' |
		sort -un | while read -r p; do [ -e "/proc/$p" ] || { echo "$p"; break; }; done)
	[ -n "$pid" ] || skip "every task of the trace runs here"
	[ "$(wakeuptop -b -J -g thread --trace "$t" --pid "$pid" | jq --argjson p "$pid" '[.sources[] | select(.pid != $p)] | length')" -eq 0 ]
	[ "$(wakeuptop -b -J -g thread --trace "$t" --pid "$pid" | jq '.sources | length')" -gt 0 ]
	timerstat --trace "$t" --pid "$pid" -H >/dev/null
}

@test "bad trace files: one line naming the file, exit 1; --trace and --record misused: exit 2" {
	printf '\x7fELF\x02\x01\x01garbage\n' >"$TMP/bin"
	head -c 300 "$FIX/timerfd.dat" >"$TMP/cut.dat"
	for f in "$TMP/bin" "$TMP/nonexistent" "$TMP/cut.dat"; do
		run wakeuptop -b --trace "$f"
		[ "$status" -eq 1 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "${lines[0]}" == "wakeuptop: $f"* ]]
	done
	run wakeuptop -b --trace "$TMP/bin" --source tracefs
	[ "$status" -eq 2 ]
	run wakeuptop -b --trace "$FIX/timerfd.dat" --record "$TMP/r.dat"
	[ "$status" -eq 2 ]
	[ ! -e "$TMP/r.dat" ]
}

@test "a trace file's name with control bytes: escaped in the header and the error line" {
	require_corpus
	local f=$TMP/$'a\e[31mb\xff.txt'
	cp "$(trace_captures | head -1)/trace-wakeup-events.txt" "$f"
	wakeuptop -b --trace "$f" -d 1 -n 1 >"$TMP/out"
	! grep -q $'\e' "$TMP/out"
	grep -qF 'Trace: 0.000-1.000 s of its time (interval 1) in '"$TMP"'/a\x1b[31mb\xff.txt' "$TMP/out"
	grep -qF 'wakeuptop - trace a\x1b[31mb\xff.txt - ' "$TMP/out"
	printf 'x\n' >"$f"
	run wakeuptop -b --trace "$f"
	[ "$status" -eq 1 ]
	[[ "$output" == "wakeuptop: $TMP/a\x1b[31mb\xff.txt:1: "* ]]
}

# Run wakeuptop with arguments in a 120x40 pane that stays after it exits.
pane_run() {
	require_tmux
	tmux -L "$SOCK" -f /dev/null new-session -d -s "$SESS" -x 120 -y 40 \
		"TERM=xterm-256color; export TERM; wakeuptop $*; echo \"EXIT=\$?\"; exec sleep 600"
}

@test "screen: the trace's rows interval by interval, pause holds its place, End of trace holds the last" {
	require_corpus
	local d t last
	d=$(trace_captures | head -1)
	t=$d/trace-wakeup-events.txt
	timerstat -J --trace "$t" -d 0.3 >"$TMP/t.json"
	pane_run --trace "'$t'" -d 0.3
	wait_screen 'Trace: 0.000-0.300 s of its time (interval 1)'
	keys Space
	wait_screen 'replay holds its place'
	last=$(screen | grep -o '(interval [0-9]*)')
	sleep 1
	[ "$(screen | grep -o '(interval [0-9]*)')" = "$last" ]
	keys Space
	wait_screen 'End of trace: the last interval stays on screen'
	# The last window's rows and totals, as timerstat reads that window.
	n=$(jq '.samples | length' "$TMP/t.json")
	screen | grep -F "(interval $n) in "
	screen | grep -F "($(jq '.samples[-1].wakeups' "$TMP/t.json") idle exits in "
	for f in $(jq -r '.samples[-1].sources[] | select(.count > 0) | .function' "$TMP/t.json" | sort -u | head -3); do
		screen | grep -q " $f" || { echo "row $f not on the screen" >&2; screen >&2; return 1; }
	done
	# It stays there.
	sleep 1
	screen | grep -qF "(interval $n)"
	keys q
	wait_screen 'EXIT=0'
}

@test "screen: a bad trace ends before the screen opens, one line naming it, exit 1" {
	printf 'garbage\n' >"$TMP/bad.txt"
	pane_run --trace "'$TMP/bad.txt'"
	wait_screen 'EXIT=1'
	screen | grep -q "^wakeuptop: $TMP/bad.txt"
}

@test "--record as root: a live sample written as a trace.dat; --trace replays its wakeups and the helper's timerfd" {
	require_root
	wakeuptop -b --trace "$FIX/timerfd.dat" >/dev/null 2>"$TMP/err" ||
		{ grep -q 'not built' "$TMP/err" && skip "built without libtracecmd"; }
	"$TD_BUILDDIR/tests/helpers/timerfd_load" -r 1000 -d 3 >/dev/null &
	LOAD=$!
	local pid=$LOAD
	sleep 0.3
	wakeuptop -b -J -d 2 -g thread --record "$TMP/r.dat" >"$TMP/live.json"
	wait "$LOAD"
	LOAD=
	[ "$(jq -r .backend "$TMP/live.json")" = tracefs ]
	wakeuptop -b -J -g thread --trace "$TMP/r.dat" >"$TMP/replay.json"
	[ "$(jq -c '[.cpu_wakeups[] | {cpu, wakeups, method}]' "$TMP/live.json")" = \
	  "$(jq -c '[.cpu_wakeups[] | {cpu, wakeups, method}]' "$TMP/replay.json")" ]
	# The helper's expiries (one event at the recording's very end may differ).
	q='[.sources[] | select(.pid == $p and .function == "timerfd_tmrproc") | .count] | add // 0'
	a=$(jq --argjson p "$pid" "$q" "$TMP/live.json")
	b=$(jq --argjson p "$pid" "$q" "$TMP/replay.json")
	echo "helper: live $a, replay $b" >&2
	[ "$a" -gt 1500 ] && [ $((a - b)) -le 2 ] && [ $((b - a)) -le 2 ]
	command -v trace-cmd >/dev/null || skip "no trace-cmd"
	trace-cmd report "$TMP/r.dat" 2>/dev/null | grep -q 'function=timerfd_tmrproc'
}
