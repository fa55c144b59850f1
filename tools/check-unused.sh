#!/bin/sh
# List the library's public td_* functions that nothing in src/ calls (dead
# code, or code only the tests keep alive) and fail if there is one.
# Usage: tools/check-unused.sh BUILDDIR SRCDIR   (make check-unused runs it)
#
# A function defined in a built object under BUILDDIR/src counts as used when
# another object there refers to it (nm -u), or when its own source file names
# it again outside comments (a caller in the same file).  Exempt: functions
# declared in src/lib/test_hooks.h (observers and switches for the tests) and
# the names in tools/check-unused.allow (each with the requirement that gives
# it a caller).  Tests, fuzz targets and benchmarks are not callers.
set -eu
build=${1:?usage: check-unused.sh BUILDDIR SRCDIR}
src=${2:?usage: check-unused.sh BUILDDIR SRCDIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

objs=$(find "$build/src" -name '*.o' | sort)
[ -n "$objs" ] || { echo "check-unused: no objects under $build/src (build first)" >&2; exit 2; }

# "name object" for each public function defined, each undefined reference.
for o in $objs; do
	nm -g --defined-only "$o" | awk -v o="$o" '$2 == "T" && $3 ~ /^td_/ { print $3, o }'
done | sort -u >"$tmp/defined"
for o in $objs; do
	nm -u "$o" | awk '$NF ~ /^td_/ { print $NF }'
done | sort -u >"$tmp/referenced"

# Names a file holds outside comments and strings' comment-like text.
names_in() {
	gcc -fpreprocessed -dD -E -P "$1" 2>/dev/null | grep -o '\btd_[A-Za-z0-9_]*' || true
}
names_in "$src/src/lib/test_hooks.h" | sort -u >"$tmp/hooks"
sed -n 's/^\(td_[A-Za-z0-9_]*\).*/\1/p' "$src/tools/check-unused.allow" | sort -u >"$tmp/allowed"

cut -d' ' -f1 "$tmp/defined" | sort -u | join -v1 - "$tmp/referenced" |
	join -v1 - "$tmp/hooks" | join -v1 - "$tmp/allowed" >"$tmp/candidates"
while read -r name; do
	obj=$(awk -v n="$name" '$1 == n { print $2; exit }' "$tmp/defined")
	base=$(basename "$obj" .o)
	base=${base#*-}		# automake's per-target prefix (libtimerdiag_a-)
	file=$(find "$src/src" -name "$base.c" | head -n 1)
	if [ -n "$file" ] && [ "$(names_in "$file" | grep -cx "$name")" -gt 1 ]; then
		continue	# called in its own file
	fi
	echo "unused: $name (${file#"$src"/})"
done <"$tmp/candidates" >"$tmp/report"
cat "$tmp/report"
n=$(wc -l <"$tmp/report")
if [ "$n" -gt 0 ]; then
	echo "check-unused: $n public td_* function(s) without a caller in src/:" \
	    "remove them, make them static, or declare a test hook in src/lib/test_hooks.h" >&2
	exit 1
fi
echo "check-unused: every public td_* function has a caller in src/" \
    "($(wc -l <"$tmp/defined") defined)"
