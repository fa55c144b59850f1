#!/usr/bin/env bats
# The knowledge kept in the repository stays true: HACKING.md's map of
# src/lib names every file there and no other, comments cite requirements
# rather than tracker numbers or files outside the clone, the formats
# document's paths into the corpus exist, and every fuzz target has a
# dictionary libFuzzer can read.

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

# A line of a libFuzzer dictionary: a comment, blank, or a quoted word with
# an optional name; inside the quotes only \\, \" and \xNN escapes.
dict_bad_lines() {
	grep -vnE '^(#.*|[A-Za-z0-9_]*="([^"\\]|\\\\|\\"|\\x[0-9a-fA-F]{2})+"|"([^"\\]|\\\\|\\"|\\x[0-9a-fA-F]{2})+"|)$' "$1"
}

@test "every fuzz target has a dictionary of its format, in the tarball, and each parses" {
	local f name n=0 am
	am=$(sed -n '/^FUZZ_DICTS =/,/[^\\]$/p' "$TD_SRCDIR/mk/tests.am")
	for f in "$TD_SRCDIR"/tests/fuzz/*_fuzz.c; do
		name=$(basename "$f" _fuzz.c)
		n=$((n + 1))
		[ -f "$TD_SRCDIR/tests/fuzz/$name.dict" ] || { echo "$name: no tests/fuzz/$name.dict" >&2; return 1; }
		[[ "$am" == *"tests/fuzz/$name.dict"* ]] || { echo "$name.dict: not in FUZZ_DICTS" >&2; return 1; }
	done
	[ "$n" -ge 10 ]
	for f in "$TD_SRCDIR"/tests/fuzz/*.dict; do
		[ -f "$TD_SRCDIR/tests/fuzz/$(basename "$f" .dict)_fuzz.c" ] || { echo "$f: no such target" >&2; return 1; }
		[ "$(grep -c '^[A-Za-z0-9_]*"' "$f")" -ge 5 ] || { echo "$f: fewer than 5 words" >&2; return 1; }
		if dict_bad_lines "$f" >&2; then
			echo "$f: lines libFuzzer cannot parse (above)" >&2
			return 1
		fi
	done
}
