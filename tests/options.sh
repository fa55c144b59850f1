#!/bin/sh
# Every long option a tool's --help lists must be in its man page and in its
# bash and zsh completions.  TAP output, one test per tool and file.
set -u
src=${TD_SRCDIR:-.}
build=${TD_BUILDDIR:-.}
n=0
failed=0
for tool in timerinfo timerstat wakeuptop timerprobe; do
	[ -x "$build/$tool" ] || continue
	opts=$("$build/$tool" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
	for f in "man/$tool.1" "completions/bash/$tool" "completions/zsh/_$tool"; do
		n=$((n + 1))
		missing=
		for o in $opts; do
			if [ "${f#man/}" != "$f" ]; then
				pat=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
				grep -q -e "$pat" -e "\\\\fB$o" "$src/$f" 2>/dev/null || missing="$missing $o"
			else
				grep -q -e "$o" "$src/$f" 2>/dev/null || missing="$missing $o"
			fi
		done
		if [ -z "$missing" ] && [ -f "$src/$f" ]; then
			echo "ok $n - $f has every long option of $tool"
		else
			echo "not ok $n - $f lacks:${missing:- (file missing)}"
			failed=$((failed + 1))
		fi
	done
done
echo "1..$n"
[ "$failed" -eq 0 ]
