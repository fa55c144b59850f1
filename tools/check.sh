#!/bin/sh
# Run the test suite in a build directory (make check, MAKE ARGS passed on).
# When tests fail: what they said (tools/failed-logs.sh), then one rerun of
# the failed test files (make recheck).  The live tests share the machine
# with whatever else runs on it; a test that fails on the rerun too fails the
# suite, and a test that passed only on the rerun is named as such.
# check.out ends with the automake summary that counts: every test's last
# result.  The first run's output stays in check-first.out, the rerun's in
# recheck.out.
# Usage: tools/check.sh BUILDDIR [MAKE ARGS...]
set -u
tools=$(cd "$(dirname "$0")" && pwd)
cd "$1" || exit 1
shift
rm -f check-first.out recheck.out
make -s -j"$(nproc)" check "$@" >check.out 2>&1 && exit 0

echo "::: tests failed in $(pwd); what they said:"
grep -E '^(FAIL|ERROR|XPASS):' check.out
sh "$tools/failed-logs.sh" .
mv check.out check-first.out
echo "::: rerunning the failed test files once (make recheck)"
make -s -j"$(nproc)" recheck "$@" >recheck.out 2>&1
rc=$?
sh "$tools/failed-logs.sh" .
# Every test's last result: the first run's, or the rerun's for the files
# rerun; then the totals in automake's words.
awk '
FNR == 1 { run++ }
/^(PASS|FAIL|SKIP|XFAIL|XPASS|ERROR): / {
	if (run == 2) { rerun[$2] = 1; last[++n2] = $0 }
	else { first[++n1] = $0; file[n1] = $2; was[$2 " " $3] = $1 }
}
END {
	for (i = 1; i <= n1; i++)
		if (!(file[i] in rerun)) { print first[i]; sub(/:.*/, "", first[i]); c[first[i]]++ }
	for (i = 1; i <= n2; i++) {
		l = last[i]
		split(l, w, " ")
		if (l ~ /^PASS: / && was[w[2] " " w[3]] ~ /^(FAIL|ERROR)/)
			print "::: passed on the rerun only: " substr(l, 7)
		print l; sub(/:.*/, "", l); c[l]++
	}
	t = c["PASS"] + c["SKIP"] + c["XFAIL"] + c["FAIL"] + c["XPASS"] + c["ERROR"]
	printf "# TOTAL: %d\n# PASS:  %d\n# SKIP:  %d\n# XFAIL: %d\n# FAIL:  %d\n# XPASS: %d\n# ERROR: %d\n",
		t, c["PASS"], c["SKIP"], c["XFAIL"], c["FAIL"], c["XPASS"], c["ERROR"]
}' check-first.out recheck.out >check.out
grep '^::: passed on the rerun only' check.out
exit $rc
