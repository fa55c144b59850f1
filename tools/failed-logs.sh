#!/bin/sh
# Print what each failed test said: in every test log under DIR, the
# "not ok" lines with the diagnostics that follow them (at most 80 lines
# each; the automake driver's FAIL: line between is skipped), and the tail
# of logs that failed without one (a crash, an ERROR) or hold a sanitizer's
# report.
# Usage: tools/failed-logs.sh DIR
set -u
find "${1:-.}" -name '*.log' ! -name config.log ! -name test-suite.log 2>/dev/null |
while read -r f; do
	blocks=no
	if grep -q '^not ok' "$f"; then
		blocks=yes
		echo "== $f"
		awk '/^not ok/ { on = 1; n = 0; print; next }
			on && /^(ok|not ok) / { on = 0 }
			on && /^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS): / { next }
			on && /^#/ && n++ < 80 { print }
			on && !/^#/ { on = 0 }' "$f"
	fi
	# A sanitizer's report is not a TAP diagnostic: its tail, whatever else.
	if grep -q -E 'AddressSanitizer|runtime error' "$f" ||
	    { [ $blocks = no ] && grep -q -E '^(FAIL|ERROR)' "$f"; }; then
		[ $blocks = yes ] || echo "== $f"
		tail -40 "$f"
	fi
done
