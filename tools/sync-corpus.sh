#!/bin/sh
# Refresh the repository's copy of the kernel captures (tests/corpus) from
# the shared corpus beside the clone (../shared/corpus), so that a plain clone
# tests itself.  Usage: tools/sync-corpus.sh [SHARED_CORPUS_DIR]
set -eu
cd "$(dirname "$0")/.."
src=${1:-../shared/corpus}
[ -d "$src/kmatrix" ] || { echo "sync-corpus: $src has no kmatrix/" >&2; exit 1; }
rm -rf tests/corpus.new
mkdir tests/corpus.new
cp -a "$src/kmatrix" "$src/public" tests/corpus.new/
cp "$src/README.md" tests/corpus.new/README.md
rm -rf tests/corpus
mv tests/corpus.new tests/corpus
echo "tests/corpus: $(find tests/corpus -type f | wc -l) files from $src"
