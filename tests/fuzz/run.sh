#!/bin/sh
# Run every libFuzzer target for a bounded number of executions, seeded with
# the corpus and given the dictionary of its format (tests/fuzz/NAME.dict for
# NAME_fuzz: a target without one fails).  Usage: run.sh BUILDDIR [RUNS].  TAP
# output, one test per target.
set -u
builddir=${1:?usage: run.sh BUILDDIR [RUNS]}
runs=${2:-20000}
builddir=$(cd "$builddir" && pwd)
# The seeds and fixtures are found through the same variables make check sets.
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
: "${TD_SRCDIR:=$srcdir}"
: "${TD_CORPUS:=$(sed -n 's/^CORPUS_DIR = //p' "$builddir/Makefile" 2>/dev/null)}"
export TD_SRCDIR TD_CORPUS
# libtraceevent leaks a string in tep_parse_event on some format files, as the
# test suite's runs know (tests/lsan.supp): not ours to free, so not a finding.
LSAN_OPTIONS=suppressions=$srcdir/tests/lsan.supp
export LSAN_OPTIONS
n=0
failed=0
for target in "$builddir"/tests/fuzz/*_fuzz; do
	[ -x "$target" ] || continue
	name=$(basename "$target")
	replay="$builddir/tests/fuzz/${name%_fuzz}_replay"
	seeds=$(mktemp -d)
	if [ -x "$replay" ]; then
		"$replay" --list-seeds | while read -r f; do
			cp "$f" "$seeds/$(echo "$f" | tr '/' '_')" 2>/dev/null
		done
	fi
	nseeds=$(ls "$seeds" | wc -l)
	n=$((n + 1))
	dict="$srcdir/tests/fuzz/${name%_fuzz}.dict"
	if [ ! -f "$dict" ]; then
		echo "not ok $n - $name: no dictionary $dict"
		failed=$((failed + 1))
		rm -rf "$seeds"
		continue
	fi
	# libFuzzer refuses a dictionary it cannot parse: the run fails then.
	if (cd "$builddir" && "$target" -runs="$runs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-dict="$dict" -artifact_prefix="$builddir/" "$seeds") >"$builddir/$name.fuzz.log" 2>&1 &&
		grep -q 'Dictionary: [1-9][0-9]* entries' "$builddir/$name.fuzz.log"; then
		echo "ok $n - $name: $runs runs from $nseeds seeds, $(grep -c '^"' "$dict") dictionary words"
	else
		echo "not ok $n - $name (see $builddir/$name.fuzz.log)"
		tail -30 "$builddir/$name.fuzz.log" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
	rm -rf "$seeds"
done
echo "1..$n"
[ "$failed" -eq 0 ]
