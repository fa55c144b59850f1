#!/usr/bin/env bats
# wakeuptop at any width: the corpus's traces replayed on tmux screens of
# 60x15, 80x24 and 200x60.  Which columns a width shows, every number on the
# screen checked against -b -J of the same interval (or marked cut), column
# positions over refreshes, feedback for keys that do nothing, the CPU filter.

load helpers

setup() {
	require_corpus
	require_tmux
	export LSAN_OPTIONS=suppressions=$TD_SRCDIR/tests/lsan.supp
	TMP=$(mktemp -d)
	SOCK="wtw-$$-${BATS_TEST_NUMBER}-0"
	SESS=wt
	K=$TD_CORPUS/kmatrix
}

teardown() {
	quit_pane
	rm -rf "$TMP"
}

# Quit wakeuptop with q while its terminal is there (a sanitizer build checks
# for leaks at exit, which never ends once the terminal is gone), then the
# pane's server.
quit_pane() {
	local i
	tmux -L "$SOCK" send-keys -t "$SESS" q 2>/dev/null || return 0
	for i in $(seq 100); do
		[ "$(tmux -L "$SOCK" display-message -p -t "$SESS" '#{pane_current_command}' \
			2>/dev/null)" = wakeuptop ] || break
		sleep 0.1
	done
	tmux_end "$SOCK"
}

# Done with a pane: its server goes, the next pane gets a server of its own.
next_pane() {
	quit_pane
	SOCK=${SOCK%-*}-$((${SOCK##*-} + 1))
}

# Replay a trace in a COLSxROWS pane ($1) with the rest as options.
start_size() {
	local size=$1
	shift
	tmux -L "$SOCK" -f /dev/null new-session -d -s "$SESS" -x "${size%x*}" -y "${size#*x}" \
		"TERM=xterm-256color LC_ALL=C.UTF-8; export TERM LC_ALL; wakeuptop $*; exec sleep 600"
	wait_screen 'q quit' 600 || wait_screen 'help' 1
}

# The column header line of the list on the screen.
colhead() {
	screen | grep -E '(^| )COMM( |$)' | head -1
}

# A list (the screen, or -b text on stdin) as TSV: the header names (sort mark dropped), then one
# line of cells per row, cut at the header's positions: a right-aligned
# column ends where its header ends, a left-aligned one (or one cut at the
# edge) starts where its header starts; a left column followed by a right one
# splits at the last blank (numbers have none).
list_tsv() {
	awk '
	function trim(s) { sub(/^ +/, "", s); sub(/ +$/, "", s); return s }
	BEGIN { split("WAKEUPS WAKE/S EVENTS EVENT/S CPU CPU# PID TASKS ARMS EXPIRIES CANCELS IRQ", r, " ")
		for (i in r) right[r[i]] = 1 }
	{ lines[NR] = $0 }
	END {
		for (h = 1; h <= NR; h++)
			if (lines[h] ~ /(^| )COMM( |$)/)
				break
		hd = lines[h]; n = 0; p = 1
		while (match(substr(hd, p), /[^ ]+/)) {
			n++; hs[n] = p + RSTART - 1; he[n] = hs[n] + RLENGTH - 1
			name[n] = substr(hd, hs[n], RLENGTH); sub(/[*^]$/, "", name[n])
			p = he[n] + 1
		}
		# A column cut at the edge starts where its header does.
		for (i = 1; i <= n; i++)
			isr[i] = (name[i] in right) && name[i] !~ /~$/
		out = name[1]
		for (i = 2; i <= n; i++) out = out "\t" name[i]
		print out
		# The rows: up to the status line (the last line) or a blank line.
		for (l = h + 1; l < NR && lines[l] != ""; l++) {
			row = lines[l] sprintf("%300s", "")
			out = ""
			for (i = 1; i <= n; i++) {
				if (isr[i]) {
					if (i > 1 && !isr[i - 1]) {
						cell = cells_r
					} else {
						s = i == 1 ? 1 : he[i - 1] + 2
						cell = trim(substr(row, s, he[i] - s + 1))
					}
				} else if (i < n && isr[i + 1]) {
					seg = substr(row, hs[i], he[i + 1] - hs[i] + 1)
					t = trim(seg)
					if (match(t, / [^ ]*$/)) {
						cell = trim(substr(t, 1, RSTART - 1)); cells_r = substr(t, RSTART + 1)
					} else if (substr(seg, 1, 1) != " ") {
						cell = t; cells_r = ""
					} else {
						cell = ""; cells_r = t
					}
				} else {
					e = i == n ? 300 : hs[i + 1] - hs[i] - 1
					cell = trim(substr(row, hs[i], e))
				}
				out = (i == 1 ? "" : out "\t") cell
			}
			print out
		}
	}'
}

# Check every screen row (TSV, $1) against the sources of one JSON document
# ($2): each row is some source, every cell its value, formatted as the text
# table does, or a prefix of it marked cut with a final '~'.
rows_match_json() {
	jq -n -r --rawfile tsv "$1" --slurpfile doc "$2" '
	{"WAKEUPS":"wakeups","WAKE/S":"wakeups_per_s","EVENTS":"count","EVENT/S":"events_per_s",
	 "CPU":"cpus","CPU#":"cpu","PID":"pid","TASKS":"tasks","COMM":"comm","KIND":"kind",
	 "F":"flags","ARMS":"arms","EXPIRIES":"expiries","CANCELS":"cancels",
	 "FUNCTION":"function","SITE":"site"} as $key
	| ["wakeups_per_s","events_per_s"] as $dbl
	| def field($n): $key[$n] // (if ($n | endswith("~")) then [$key | to_entries[]
		| select(.key | startswith($n | rtrimstr("~"))) | .value][0] else null end);
	def text($k; $v):
		if $v == null then "-"
		elif ($dbl | index([$k])) then ($v * 10 | round) as $t
			| "\($t / 10 | floor).\($t % 10)"
		else $v | tostring end;
	  def cell_ok($k; $c; $v):
		text($k; $v) as $t
		| if ($c | endswith("~")) then ($t | startswith($c | rtrimstr("~"))) and $t != $c
		  else $t == $c end;
	($tsv | split("\n") | map(select(. != "") | split("\t"))) as $t
	| $t[0] as $h
	| ($h | map(select(field(.) == null))) as $bad
	| if ($bad | length) > 0 then "header names no column: \($bad)" else
	  $t[1:][] as $row
	  | select([$doc[0].sources[] as $s
		| [range($h | length)] | all(field($h[.]) as $k | cell_ok($k; $row[.] // ""; $s[$k]))]
		| any | not)
	  | "no source of the JSON is this row: \($row | join(" | "))" end'
}

# The last interval of a trace on screen and in JSON: the end of the replay.
check_end_of_trace() {
	local size=$1 t=$2 bad
	shift 2
	start_size "$size" --trace "$t" -d 0.5 "$@"
	wait_screen 'End of trace' 300
	wakeuptop -b -J --trace "$t" -d 0.5 "$@" | tail -1 >"$TMP/last.json"
	screen | list_tsv >"$TMP/screen.tsv"
	[ "$(wc -l <"$TMP/screen.tsv")" -ge 2 ] || { screen >&2; return 1; }
	bad=$(rows_match_json "$TMP/screen.tsv" "$TMP/last.json")
	[ -z "$bad" ] || { echo "$bad" >&2; screen >&2; return 1; }
}

# The header names shown, one line.
shown() {
	head -1 "$TMP/screen.tsv" | tr '\t' ' '
}

@test "60x15: the sort column, COMM and FUNCTION shown, low-value columns dropped; every number as the JSON or marked cut" {
	local t
	while read -r t; do
		check_end_of_trace 60x15 "$t/trace-wakeup-events.txt"
		[[ " $(shown) " == *" WAKE/S "* ]]
		[[ " $(shown) " == *" COMM "* ]]
		[[ " $(shown) " == *" FUNCTION "* ]]
		[[ " $(shown) " != *" SITE "* ]]
		[[ " $(shown) " != *" CANCELS "* ]]
		# No line of the screen is wider than it.
		[ "$(screen | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')" -le 60 ]
		next_pane
	done < <(trace_captures)
}

@test "80x24: FUNCTION tells LOC, RES and CAL apart; rates and counts kept, SITE, CANCELS, ARMS, F, KIND, PID dropped" {
	local t=$K/amd64-7.2-generic-default-trace/trace-wakeup-events.txt
	check_end_of_trace 80x24 "$t" -g thread
	[ "$(shown)" = "WAKEUPS WAKE/S EVENTS EVENT/S COMM FUNCTION" ]
	next_pane
	# Sorted by events, LOC (the most) is on the first screen.
	check_end_of_trace 80x24 "$t" -s count
	[[ " $(shown) " == *" FUNCTION "* ]]
	cut -f"$(head -1 "$TMP/screen.tsv" | tr '\t' '\n' | grep -nx FUNCTION | cut -d: -f1)" \
		"$TMP/screen.tsv" | grep -qx LOC
}

@test "200x60: every default column, function names whole, every number as the JSON" {
	local t
	while read -r t; do
		check_end_of_trace 200x60 "$t/trace-wakeup-events.txt"
		[ "$(shown)" = "WAKEUPS WAKE/S EVENTS EVENT/S CPU PID COMM KIND F ARMS EXPIRIES CANCELS FUNCTION SITE" ]
		# Room enough: no function name is cut.
		! awk -F'\t' '$13 ~ /~$/' "$TMP/screen.tsv" | grep -q .
		next_pane
	done < <(trace_captures)
}

@test "a value wider than the screen is cut with a mark, never silently (screen and -b --width)" {
	local t=$K/amd64-7.2-generic-default-trace/trace-wakeup-events.txt w bad
	# Forty columns: the kept columns alone do not fit; the last one is cut and marked.
	check_end_of_trace 40x15 "$t" -s count
	[ "$(shown)" = "EVENTS COMM FUNCTION" ]
	grep -q '~$' "$TMP/screen.tsv"
	# Batch text cut at --width: whatever column the edge crosses is marked.
	wakeuptop -b -J --trace "$t" -d 0.5 -n 1 >"$TMP/first.json"
	for w in 70 71 73 75 77 79 86 95; do
		wakeuptop -b --trace "$t" -d 0.5 -n 1 --width "$w" | list_tsv >"$TMP/b.tsv"
		bad=$(rows_match_json "$TMP/b.tsv" "$TMP/first.json")
		[ -z "$bad" ] || { echo "--width $w: $bad" >&2; return 1; }
	done
}

@test "column positions stay over 5 refreshes (200x60 and 80x24)" {
	local size t=$K/amd64-6.1-generic-smp4-nohz_full_1-3-trace/trace-wakeup-events.txt
	local i seen n
	for size in 200x60 80x24; do
		start_size "$size" --trace "$t" -d 0.25
		: >"$TMP/heads"
		seen=
		for i in $(seq 200); do
			n=$(screen | sed -n 's/.*(interval \([0-9]*\)).*/\1/p')
			if [ -n "$n" ] && [ "$n" != "$seen" ]; then
				seen=$n
				colhead >>"$TMP/heads"
			fi
			screen | grep -qF 'End of trace' && break
			sleep 0.05
		done
		[ "$(wc -l <"$TMP/heads")" -ge 5 ] || { cat "$TMP/heads" >&2; return 1; }
		# The sort mark aside, every header line is the same.
		[ "$(sort -u "$TMP/heads" | wc -l)" -eq 1 ] || { cat "$TMP/heads" >&2; return 1; }
		next_pane
	done
}

@test "a key that does nothing says so on the status line; the help lists every key" {
	local t=$K/amd64-7.2-generic-default-trace/trace-wakeup-events.txt k
	start_size 120x40 --trace "$t" -d 0.5
	keys x
	wait_screen "unknown key 'x': h for help" 30
	keys F5
	wait_screen "unknown key (function key" 30
	keys h
	wait_screen 'Keys' 30
	# Every key keys.c acts on is in the help.
	for k in 'q Q' 'h ? F1' 'space' '< > Left Right' ' s ' ' r ' 'Enter' ' g ' 't i a' ' c ' \
		' p ' ' / ' ' f ' '+ = -' ' T ' ' v ' 'Up Down j k PgUp PgDn Home End' '^L'; do
		screen | grep -qF -- "$k" || { echo "help lacks '$k'" >&2; screen >&2; return 1; }
	done
}

@test "--cpu 1: every number in a row is CPU 1's, arms and cancels unknown, CPU shows 1" {
	local t=$K/amd64-6.1-generic-smp4-nohz_full_1-3-trace/trace-wakeup-events.txt bad
	start_size 200x60 --trace "$t" -d 0.5 --cpu 1
	wait_screen 'End of trace' 300
	# The unfiltered sources with their per-CPU counts (timerstat's JSON, same windows).
	timerstat -J --trace "$t" -d 0.5 | jq -c '.samples[-1]' >"$TMP/all.json"
	wakeuptop -b -J --trace "$t" -d 0.5 --cpu 1 | tail -1 >"$TMP/last.json"
	screen | list_tsv >"$TMP/screen.tsv"
	bad=$(rows_match_json "$TMP/screen.tsv" "$TMP/last.json")
	[ -z "$bad" ] || { echo "$bad" >&2; screen >&2; return 1; }
	# Every row: CPU 1, and arms and cancels unknown (not split by CPU).
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["CPU"] != "1" && $c["CPU"] != "" || $c["ARMS"] != "-" || $c["CANCELS"] != "-" { bad = 1; print }
		END { exit bad }' "$TMP/screen.tsv"
	# And the counts are CPU 1's of the unfiltered JSON.
	jq -e --slurpfile all "$TMP/all.json" '[.sources[] | {function, comm, count, wakeups}] as $f
		| [$all[0].sources[] | {function, comm, count: (.count_per_cpu["1"] // 0),
			wakeups: (.wakeups_per_cpu["1"] // 0)}] as $a
		| ($f | length) > 0 and ($f | all(. as $r | $a | index([$r]) != null))' \
		"$TMP/last.json" >/dev/null
}

@test "on a capture: the interval is that of its two timer_lists, rates known; without them, sorted by count" {
	local d=$K/amd64-6.1-generic-default a b
	a=$(sed -n 's/^now at \([0-9]*\) nsecs$/\1/p' "$d/proc/timer_list")
	b=$(sed -n 's/^now at \([0-9]*\) nsecs$/\1/p' "$d/after/proc/timer_list")
	wakeuptop -b -J --sysroot "$d" -n 1 >"$TMP/c.json"
	[ "$(jq .period_ns "$TMP/c.json")" -eq $((b - a)) ]
	# Every source's rate is its count over that period.
	jq -e '.period_ns as $p | .sort == "events_per_s" and (.sources | length) > 3 and
		all(.sources[]; ((.count * 1e9 / $p) - .events_per_s | fabs) < 0.051)' \
		"$TMP/c.json" >/dev/null
	start_size 80x24 --sysroot "$d"
	wait_screen "Interval: $(awk -v p=$((b - a)) 'BEGIN { printf "%.1f s", p / 1e9 }')" 30
	screen | grep -qE 'EVENT/S\*'
	next_pane
	# A tree without the second timer_list: the period is unknown, the rows by count.
	cp -r "$d" "$TMP/c"
	rm "$TMP/c/after/proc/timer_list"
	wakeuptop -b -J --sysroot "$TMP/c" -n 1 >"$TMP/c.json"
	jq -e '.period_ns == null and .sort == "count" and
		([.sources[].count] | . == (sort | reverse))' "$TMP/c.json" >/dev/null
	start_size 80x24 --sysroot "$TMP/c"
	wait_screen 'interval of unknown length' 30
	screen | grep -qE '^ *WAKEUPS +WAKE/S +EVENTS\* +EVENT/S'
	screen | list_tsv | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		NR > 2 && $c["EVENTS"] + 0 > last + 0 { bad = 1 } { last = $c["EVENTS"] } END { exit bad }'
}

@test "timerstat on a terminal: the top rows that fit and how many more; a pipe gets them all" {
	local t=$K/amd64-7.2-generic-default-trace/trace-wakeup-events.txt total shown more never
	total=$(timerstat -J --trace "$t" | jq '.samples[0].sources | length')
	[ "$total" -gt 30 ]
	# A pipe: every source, no note.
	timerstat --trace "$t" >"$TMP/all.txt"
	! grep -q 'more sources' "$TMP/all.txt"
	tmux -L "$SOCK" -f /dev/null new-session -d -s "$SESS" -x 160 -y 40 \
		"timerstat --trace '$t'; echo EXIT=\$?; exec sleep 600"
	wait_screen 'EXIT=0' 100
	# Nothing scrolled away: the verdict is still the first line.
	screen | head -1 | grep -q '^Top wakeup source: '
	more=$(screen | sed -n 's/^(\([0-9]*\) more sources: --top N or a pipe shows them)$/\1/p')
	shown=$(screen | awk '/^ *WAKEUPS/ && !done { on = 1; next } /more sources/ { on = 0; done = 1 } on && NF' | wc -l)
	# The timeouts that never fired are counted in their own section.
	never=$(screen | sed -n 's/^Timeouts that never fired: \([0-9]*\) source.*/\1/p')
	[ -n "$more" ] && [ -n "$never" ] && [ $((shown + more + never)) -eq "$total" ]
	# The rows shown are the first ones of the whole table, but for the
	# timeouts that never fired (no events), which have their own section.
	[ "$(screen | awk '/^ *WAKEUPS/ && !done { on = 1 } /more sources/ { on = 0; done = 1 } on' | sed 's/ *$//')" = \
		"$(awk '/^ *WAKEUPS/ { on = 1 } on && $3 != "0"' "$TMP/all.txt" | head -$((shown + 1)) |
		sed 's/ *$//')" ]
}

@test "timerstat on a terminal: a progress line on stderr while it samples, gone after; none into a file" {
	tmux -L "$SOCK" -f /dev/null new-session -d -s "$SESS" -x 160 -y 40 \
		"timerstat --source interrupts -d 2; echo EXIT=\$?; exec sleep 600"
	wait_screen 'timerstat: sampling for 2.0 s (Ctrl-C ends it early)...' 15
	wait_screen 'EXIT=0' 100
	! screen | grep -q 'sampling for'
	timerstat --source interrupts -d 0.2 >/dev/null 2>"$TMP/err"
	[ ! -s "$TMP/err" ]
}

@test "timerstat text pads by display width: UTF-8 and double-width comm names keep the columns aligned" {
	local w
	printf 'Timer Stats Version: v0.2\nSample period: 2.000 s\n' >"$TMP/ts.txt"
	printf '     8,   101 W\303\266rker           schedule_timeout (process_timeout)\n' >>"$TMP/ts.txt"
	printf '     4,   102 Worker           schedule_timeout (process_timeout)\n' >>"$TMP/ts.txt"
	printf '     2,   103 \344\275\240\345\245\275             schedule_timeout (process_timeout)\n' >>"$TMP/ts.txt"
	printf '14 total events, 7.000 events/sec\n' >>"$TMP/ts.txt"
	LC_ALL=C.UTF-8 timerstat --timer-stats "$TMP/ts.txt" -o count,comm,function >"$TMP/out"
	[ "$(grep -c 'process_timeout$' "$TMP/out")" -eq 3 ]
	# The display width before FUNCTION is the same on the header and every row.
	w=$(grep 'FUNCTION$' "$TMP/out" | sed 's/FUNCTION$//' | LC_ALL=C.UTF-8 wc -L)
	grep 'process_timeout$' "$TMP/out" | sed 's/process_timeout$//' | while IFS= read -r l; do
		[ "$(printf '%s\n' "$l" | LC_ALL=C.UTF-8 wc -L)" -eq "$w" ] || {
			cat "$TMP/out" >&2; return 1; }
	done
}

@test "timerstat on a terminal: timeouts that never fired in a section of their own, counted as the JSON says" {
	local t=$K/amd64-7.2-generic-default-trace/trace-wakeup-events.txt want got
	# From the JSON: timers armed in the trace that never expired in it.
	want=$(timerstat -J --trace "$t" | jq -r '[.samples[0].sources[]
		| select((.kind == "timer" or .kind == "hrtimer") and .expiries == 0
			and .count == 0 and .arms > 0)]
		| "\(length) source\(if length == 1 then "" else "s" end), armed \(map(.arms) | add) times, cancelled \(map(.cancels // 0) | add) times"')
	[[ $want != 0* ]]
	tmux -L "$SOCK" -f /dev/null new-session -d -s "$SESS" -x 160 -y 40 \
		"timerstat --trace '$t'; echo EXIT=\$?; exec sleep 600"
	wait_screen 'EXIT=0' 100
	got=$(screen | sed -n 's/^Timeouts that never fired: \(.*\) (no wakeups)$/\1/p')
	echo "want '$want', got '$got'"
	[ "$got" = "$want" ]
	# Its rows have no expiries: the EXPIRIES column under the section's header is 0.
	screen | awk '/^Timeouts that never fired/ { on = 1; next }
		on && /EXPIRIES/ { e = index($0, "EXPIRIES") + length("EXPIRIES"); next }
		on && e && (!NF || /^\(/ || /^EXIT=/) { on = 0 }
		on && e { n++; v = substr($0, 1, e - 1)
			sub(/.* /, "", v); if (v != "0") bad = 1 }
		END { exit bad || n == 0 }'
	# The main table above it holds none of them.
	[ "$(screen | awk '/^ *WAKEUPS/ { on = 1 } /^Timeouts that never fired/ { on = 0 } on' |
		grep -c 'dl_task_timer')" -eq 0 ] || ! timerstat -J --trace "$t" |
		jq -e '.samples[0].sources[] | select(.function == "dl_task_timer" and .expiries > 0)' >/dev/null
}

@test "the field chooser (f): the columns typed are shown, an unknown one changes nothing, empty restores the defaults" {
	local t=$K/amd64-7.2-generic-default-trace/trace-wakeup-events.txt
	start_size 160x40 --trace "$t" -d 0.5
	wait_screen 'FUNCTION' 30
	local before
	before=$(screen | grep -m1 '^ *WAKEUPS')
	# The prompt holds the columns shown now.
	keys f
	wait_screen 'columns (' 30
	screen | grep -q 'wakeups,wakeup_rate,count,rate,' || { screen >&2; false; }
	# Clear the pre-filled list with backspaces, then type a new one.
	keys $(printf 'BSpace %.0s' $(seq 200))
	keys -l 'wakeups,comm,function'
	keys Enter
	wait_screen 'COMM' 30
	[ "$(screen | grep -m1 -E '^ *WAKEUPS' | tr -d '*' | tr -s ' ' | sed 's/^ //; s/ $//')" = "WAKEUPS COMM FUNCTION" ] ||
		{ screen >&2; false; }
	# The sort column (wakeup_rate) went: the sort moves to the first column, and says so.
	wait_screen 'sorted by wakeups now' 30
	# An unknown name: the columns stay, and the status line says why.
	keys f
	wait_screen 'columns (' 30
	keys -l ',nosuch'
	keys Enter
	wait_screen "columns unchanged: unknown column 'nosuch'" 30
	[ "$(screen | grep -m1 -E '^ *WAKEUPS' | tr -d '*' | tr -s ' ' | sed 's/^ //; s/ $//')" = "WAKEUPS COMM FUNCTION" ]
	# Empty: the defaults again.
	keys f
	wait_screen 'columns (' 30
	keys $(printf 'BSpace %.0s' $(seq 200))
	keys Enter
	wait_screen 'SITE' 30
	# The same columns as at the start (the sort mark may sit elsewhere).
	[ "$(screen | grep -m1 '^ *WAKEUPS' | tr -d '*' | xargs)" = "$(tr -d '*' <<<"$before" | xargs)" ] ||
		{ echo "before: $before"; screen | grep -m1 '^ *WAKEUPS'; false; }

}
