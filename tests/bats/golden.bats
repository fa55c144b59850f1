#!/usr/bin/env bats
# Golden text outputs: what timerinfo, timerstat and wakeuptop print for a few
# captured trees and a trace, compared line by line with tests/golden/NAME.txt,
# so a change of layout shows in review as a change of those files.  Each file
# holds the tool's standard output, then its standard error and exit status.
# The tools run in the corpus's kmatrix directory and are given relative paths,
# so no line (nor where a line is cut) depends on where the corpus is; the
# clock time wakeuptop's title ends with reads HH:MM:SS.  Nothing else in them
# depends on the time or on this machine.  To regenerate them after a
# deliberate change (HACKING.md):
#     TD_GOLDEN_UPDATE=1 make check TESTS=tests/bats/golden.bats
load helpers

GOLDEN=$TD_SRCDIR/tests/golden

setup() {
	require_corpus
	K=$TD_CORPUS/kmatrix
}

# golden NAME COMMAND...: run COMMAND in $K with a fixed environment (C.UTF-8,
# UTC, no colour, not a terminal) and compare what it printed with tests/golden/NAME.txt,
# or write that file when TD_GOLDEN_UPDATE is set.
golden() {
	local name=$1 out=$BATS_TEST_TMPDIR/$1.txt rc=0
	shift
	(cd "$K" && exec env LC_ALL=C.UTF-8 TZ=UTC NO_COLOR=1 TERM=dumb COLUMNS=80 "$@") \
		</dev/null >"$out.stdout" 2>"$out.stderr" || rc=$?
	{
		cat "$out.stdout"
		echo "--- stderr"
		cat "$out.stderr"
		echo "--- exit $rc"
	} | sed -e '1s/^\(wakeuptop - .*\) - [0-9][0-9]:[0-9][0-9]:[0-9][0-9]$/\1 - HH:MM:SS/' >"$out"
	if [ -n "${TD_GOLDEN_UPDATE:-}" ]; then
		cp "$out" "$GOLDEN/$name.txt"
		return 0
	fi
	diff -u "$GOLDEN/$name.txt" "$out"
}

@test "timerinfo: the report of an amd64 6.1 default boot" {
	golden timerinfo-amd64-6.1-default timerinfo --sysroot "amd64-6.1-generic-default"
}

@test "timerinfo: the report of an arm64 boot with high resolution off, one line per CPU" {
	golden timerinfo-arm64-6.1-highres_off-cpus \
		timerinfo -c --sysroot "arm64-6.1-generic-highres_off"
}

@test "timerinfo --check: the verdicts on an amd64 boot with nohz=off" {
	golden timerinfo-check-amd64-6.1-nohz_off \
		timerinfo --check --sysroot "amd64-6.1-generic-nohz_off"
}

@test "timerstat --sysroot: the sample of a captured tree" {
	golden timerstat-sysroot-amd64-6.12-default \
		timerstat --sysroot "amd64-6.12-generic-default"
}

@test "timerstat --trace: a corpus wakeup trace" {
	golden timerstat-trace-amd64-6.1-default \
		timerstat --trace "amd64-6.1-generic-default-trace/trace-wakeup-events.txt"
}

@test "wakeuptop -b: a corpus wakeup trace in its tree" {
	golden wakeuptop-batch-amd64-6.1-default-trace \
		wakeuptop -b --width 100 --sysroot "amd64-6.1-generic-default-trace" \
		--trace "amd64-6.1-generic-default-trace/trace-wakeup-events.txt"
}
