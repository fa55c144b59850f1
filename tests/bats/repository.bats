#!/usr/bin/env bats
# The knowledge kept in the repository stays true: HACKING.md's map of
# src/lib names every file there and no other, comments cite requirements
# rather than tracker numbers or files outside the clone, and the formats
# document's paths into the corpus exist.

load helpers

# The files the map's table rows name (first column), one a line.
map_files() {
	sed -n '/^## The library.s map/,/^## /p' "$TD_SRCDIR/HACKING.md" |
		awk -F'|' '/^\| `/ { print $2 }' | grep -o '`[^`]*`' | tr -d '`' | sort
}

@test "HACKING.md's map of src/lib lists every file there, and only those" {
	local tree map
	tree=$(cd "$TD_SRCDIR/src/lib" && ls -- *.c *.h | sort)
	map=$(map_files)
	[ -n "$map" ]
	if [ "$tree" != "$map" ]; then
		diff <(echo "$tree") <(echo "$map") | sed 's/^</not in the map:/; s/^>/not in src\/lib:/' >&2
		false
	fi
}

@test "no comment, test or page cites a tracker number or a file outside the clone" {
	local word=issue hits
	hits=$(cd "$TD_SRCDIR" && grep -rnE "\\b$word [0-9]+|see #[0-9]+|\\.\\./shared/FORMATS" \
	    src tests/unit tests/bats tests/fuzz tests/helpers man bench tools mk completions \
	    README.md HACKING.md doc configure.ac 2>/dev/null | grep -v '^tests/bats/repository.bats:' || true)
	[ -z "$hits" ] || { echo "$hits" >&2; false; }
}

@test "doc/FORMATS.md: the corpus paths it names exist" {
	require_corpus
	local p n=0
	while read -r p; do
		n=$((n + 1))
		[ -e "$TD_CORPUS/${p#tests/corpus/}" ] || { echo "$p: not in the corpus" >&2; return 1; }
	done < <(grep -o 'tests/corpus/[A-Za-z0-9_./-]*' "$TD_SRCDIR/doc/FORMATS.md" | sed 's/[.]$//' | sort -u)
	[ "$n" -ge 2 ]
}
