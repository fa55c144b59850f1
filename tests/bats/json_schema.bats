#!/usr/bin/env bats
# Every tool's JSON against its schema (doc/schema) and doc/json.md's rules, with a
# real validator (python3-jsonschema): on every capture, on the fixtures, and live.

load helpers

SCHEMAS=$TD_SRCDIR/doc/schema
FIX=$TD_SRCDIR/tests/fixtures

setup() {
	TMP=$BATS_TEST_TMPDIR
	PY=
	local py
	for py in /usr/bin/python3 python3; do
		if "$py" -c 'import jsonschema' 2>/dev/null; then
			PY=$py
			break
		fi
	done
	[ -n "$PY" ] || skip "no python3 jsonschema module (tools/deps.sh --test installs python3-jsonschema)"
}

# validate TOOL [--lines] FILE...: every document valid, else the problems on stderr.
validate() {
	local out
	out=$("$PY" "$TD_SRCDIR/tests/validate_json.py" "$SCHEMAS" "$@" 2>&1) && return 0
	echo "$out" | head -20 >&2
	return 1
}

# json TOOL FILE ARGS...: run TOOL with ARGS, its stdout to FILE; exit 0 and a document.
json() {
	local tool=$1 file=$2
	shift 2
	"$tool" "$@" >"$file" 2>"$TMP/stderr" || { echo "$tool $*: exit $?" >&2; cat "$TMP/stderr" >&2; return 1; }
	[ -s "$file" ] || { echo "$tool $*: no output" >&2; return 1; }
}

@test "the schemas are valid draft 2020-12 schemas, each naming its tool" {
	local t
	for t in timerinfo timerstat wakeuptop timerprobe; do
		"$PY" -c 'import json, sys, jsonschema
s = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(s)
assert s["properties"]["tool"] == {"const": sys.argv[2]}, s["properties"]["tool"]
assert s["additionalProperties"] is False
assert {"tool", "version", "unknown"} <= set(s["required"])' "$SCHEMAS/$t.schema.json" "$t"
	done
}

@test "timerinfo -J on every kmatrix capture (plain, and with -t --check --events --explain-tick)" {
	require_corpus
	local d n=0
	while read -r d; do
		json timerinfo "$TMP/$n-a.json" --sysroot "$d" -J
		run timerinfo --sysroot "$d" -J -t --check --events --explain-tick
		[ "$status" -eq 0 ] || [ "$status" -eq 3 ]
		echo "$output" >"$TMP/$n-b.json"
		n=$((n + 1))
	done < <(kmatrix_captures)
	[ "$n" -ge 10 ]
	validate timerinfo "$TMP"/*.json
}

@test "timerinfo -J on every public timer_list and kernel log, and the fixtures" {
	require_corpus
	local f n=0
	# (a fixture made to be refused, empty or cut, is not a report: exit 1, no JSON)
	for f in "$TD_CORPUS"/public/timer_list/* "$FIX"/timer_list/*.txt; do
		timerinfo --timer-list "$f" -J -t >"$TMP/tl-$n.json" 2>/dev/null || rm "$TMP/tl-$n.json"
		n=$((n + 1))
	done
	for f in "$TD_CORPUS"/public/dmesg/* "$FIX"/kmsg/*; do
		json timerinfo "$TMP/kmsg-$n.json" --kmsg-file "$f" --events -J
		n=$((n + 1))
	done
	[ "$(ls "$TMP"/*.json | wc -l)" -ge 40 ]
	validate timerinfo "$TMP"/*.json
}

@test "timerstat -J and wakeuptop -J on every capture (--sysroot)" {
	require_corpus
	local d n=0
	while read -r d; do
		json timerstat "$TMP/ts-$n.json" --sysroot "$d" -J
		json wakeuptop "$TMP/wt-$n.jsonl" --sysroot "$d" -b -J -n 1
		# The tick view's member: explained on -trace captures, null with its reason elsewhere.
		json wakeuptop "$TMP/wt-tick-$n.jsonl" --sysroot "$d" -b -J -n 1 --view tick
		n=$((n + 1))
	done < <(kmatrix_captures)
	[ "$n" -ge 10 ]
	validate timerstat "$TMP"/ts-*.json
	validate wakeuptop --lines "$TMP"/wt-*.jsonl
}

@test "timerstat -J and wakeuptop -J on every trace and timer_stats file (--trace, --timer-stats), every grouping" {
	require_corpus
	local f g n=0
	for f in "$TD_CORPUS"/kmatrix/*/trace-*-events.txt "$FIX"/trace_dat/*.dat \
	    "$FIX"/trace_text/*.txt; do
		case $f in */notatrace.txt) continue ;; esac
		for g in thread process comm; do
			json timerstat "$TMP/tr-$n.json" --trace "$f" -g "$g" -J
			n=$((n + 1))
		done
		# wakeuptop replays it in 0.5 s steps, with the tick view.
		json wakeuptop "$TMP/wtr-$n.jsonl" --trace "$f" -b -J -d 0.5 -n 3 --view tick
	done
	for f in "$TD_CORPUS"/public/timer_stats/* "$FIX"/timer_stats/v0.*.txt; do
		json timerstat "$TMP/tst-$n.json" --timer-stats "$f" -J
		n=$((n + 1))
	done
	[ "$n" -ge 30 ]
	validate timerstat "$TMP"/*.json
	validate wakeuptop --lines "$TMP"/wtr-*.jsonl
	# -o keeps the chosen members, each still known or null with a reason.
	json timerstat "$TMP/o.json" --trace "$FIX/trace_dat/timerfd.dat" -o count,rate,cpus,pid -J
	validate timerstat "$TMP/o.json"
	jq -e '.samples[0].sources[0] | keys == ["count", "cpus", "events_per_s", "pid"]' "$TMP/o.json"
}

@test "live: timerinfo -J, timerprobe -J, timerstat -J -d 1, wakeuptop -J" {
	json timerinfo "$TMP/ti.json" -J -t
	validate timerinfo "$TMP/ti.json"
	json timerprobe "$TMP/p1.json" -J -n 50 -i 1ms
	json timerprobe "$TMP/p2.json" -J -n 20 -i 1ms --cpus all --break 1s
	json timerprobe "$TMP/p3.json" -J --interval-meter -n 20 -i 1ms
	json timerprobe "$TMP/p4.json" -J -m clock_nanosleep --abs -n 20 -i 1ms
	# A break that hits: the cause and its events (as root, the sampler's).
	json timerprobe "$TMP/p5.json" -J -n 200 -i 1ms --cpus 0 --break 1ns
	validate timerprobe "$TMP"/p*.json
	json timerstat "$TMP/ts.json" -J -d 1
	validate timerstat "$TMP/ts.json"
	json wakeuptop "$TMP/wt.jsonl" -b -J -n 2 -d 0.3
	validate wakeuptop --lines "$TMP/wt.jsonl"
}

@test "live as root: timerinfo --ticks --check --explain-tick -J" {
	require_root
	run timerinfo -J --ticks=0.3 --check --explain-tick=0.3 --events
	[ "$status" -eq 0 ] || [ "$status" -eq 3 ]
	echo "$output" >"$TMP/ti.json"
	validate timerinfo "$TMP/ti.json"
	jq -e '.tick_rates.period_ns | type == "number" and . == floor' "$TMP/ti.json"
}

@test "live as nobody: every tool's JSON, unknowns null with reasons" {
	require_user_access
	# (stderr says what nobody cannot read; stdout is the document)
	as_user timerinfo -J >"$TMP/ti.json" 2>/dev/null
	as_user timerstat -J -d 1 >"$TMP/ts.json" 2>/dev/null
	as_user wakeuptop -b -J -n 1 -d 0.3 >"$TMP/wt.jsonl" 2>/dev/null
	as_user timerprobe -J -n 20 -i 1ms >"$TMP/tp.json" 2>/dev/null
	validate timerinfo "$TMP/ti.json"
	validate timerstat "$TMP/ts.json"
	validate wakeuptop --lines "$TMP/wt.jsonl"
	validate timerprobe "$TMP/tp.json"
	# The reason for what nobody cannot read is said, not a 0.
	[ "$(jq -r '.unknown["verdict.tick_mode"]' "$TMP/ti.json")" = "needs root" ]
	[ "$(jq -r .unknown.timer_list_resolution_ns "$TMP/tp.json")" = "needs root" ]
}

@test "the validator is strict: a renamed, retyped or unexplained member fails" {
	require_corpus
	local d=$TD_CORPUS/kmatrix/amd64-6.1-generic-default-trace
	json timerinfo "$TMP/ti.json" --sysroot "$d" -J --ticks
	json timerstat "$TMP/ts.json" --sysroot "$d" -J
	json wakeuptop "$TMP/wt.jsonl" --sysroot "$d" -b -J -n 1
	json timerprobe "$TMP/tp.json" -J -n 10 -i 1ms
	validate timerinfo "$TMP/ti.json"
	validate timerstat "$TMP/ts.json"
	validate wakeuptop --lines "$TMP/wt.jsonl"
	validate timerprobe "$TMP/tp.json"
	# bad TOOL FILE JQ WANT: the document changed by JQ fails, saying WANT.
	bad() {
		jq -c "$3" "$2" >"$TMP/bad.json"
		run "$PY" "$TD_SRCDIR/tests/validate_json.py" "$SCHEMAS" "$1" --lines "$TMP/bad.json"
		[ "$status" -eq 1 ] || { echo "$1 $3: accepted" >&2; return 1; }
		[[ $output == *"$4"* ]] || { echo "$1 $3: $output" >&2; return 1; }
	}
	# Renamed members, at the top and in rows.
	bad timerinfo "$TMP/ti.json" '.hertz = .hz | del(.hz)' "'hertz' was unexpected"
	bad timerinfo "$TMP/ti.json" '.cpus = .per_cpu | del(.per_cpu)' "'per_cpu' is a required property"
	bad timerinfo "$TMP/ti.json" '.per_cpu[0].nohz = .per_cpu[0].nohz_active | del(.per_cpu[0].nohz_active)' "'nohz' was unexpected"
	bad timerstat "$TMP/ts.json" '.samples[0].events_per_sec = .samples[0].events_per_s | del(.samples[0].events_per_s)' "events_per_sec"
	bad timerstat "$TMP/ts.json" '.samples[0].sources[0].rate = 1.5' "'rate' was unexpected"
	bad wakeuptop "$TMP/wt.jsonl" '.per_cpu[0].wakeups_per_sec = 1' "'wakeups_per_sec' was unexpected"
	bad timerprobe "$TMP/tp.json" '.overruns_absent = "x"' "'overruns_absent' was unexpected"
	bad timerprobe "$TMP/tp.json" 'del(.tool)' "'tool' is a required property"
	# Wrong types: a float duration, a CPU set as an array or a number, a string count.
	bad timerinfo "$TMP/ti.json" '.tick_rates.period_ns = 2.065' "'period_ns': 2.065"
	bad timerstat "$TMP/ts.json" '.samples[0].sources[0].cpus = [0, 1]' "is not valid under any of the given schemas"
	bad wakeuptop "$TMP/wt.jsonl" '.filter.cpus = 1' "is not of type 'string'"
	bad wakeuptop "$TMP/wt.jsonl" '.filter.cpus = "1,2,3x"' "does not match"
	bad timerstat "$TMP/ts.json" '.samples[0].total_events = "12"' "is not of type 'integer'"
	bad timerinfo "$TMP/ti.json" '.version = 1' "2 was expected"
	# A null without its reason, and a reason for nothing.
	bad timerinfo "$TMP/ti.json" '.clocksource.current = null' "clocksource.current is null without a reason"
	bad timerstat "$TMP/ts.json" 'del(.unknown["samples[].sources[].pid"])' "samples[].sources[].pid is null without a reason"
	bad timerprobe "$TMP/tp.json" '.unknown.count = "lost"' ".unknown names count, which is not null anywhere"
	bad wakeuptop "$TMP/wt.jsonl" '.unknown.hz = 5' "is not of type 'string'"
}
