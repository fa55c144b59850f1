#!/bin/sh
# Install what the tests need, build, and run the whole test suite in ./build
# (tools/check.sh: failed test files are rerun once, and named).
# Prints the TAP summary and a last line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
sh tools/deps.sh --test || exit 1
sh tools/setup.sh --no-run || exit 1
sh tools/check.sh build
rc=$?
cd build
grep -E '^(FAIL|ERROR|XPASS|SKIP):' check.out || true
grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' check.out
pass=$(sed -n 's/^# PASS: *//p' check.out)
fail=$(sed -n 's/^# FAIL: *//p' check.out)
err=$(sed -n 's/^# ERROR: *//p' check.out)
xpass=$(sed -n 's/^# XPASS: *//p' check.out)
echo "${pass:-0} passed, $(( ${fail:-0} + ${err:-0} + ${xpass:-0} )) failed"
exit $rc
