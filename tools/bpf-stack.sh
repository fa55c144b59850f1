#!/bin/sh
# The deepest stack each BPF program of an object can reach through its calls,
# as the kernel's verifier sums it where programs have no private stack (every
# kernel before 6.13, and later ones whose JIT gives tracing programs none):
# each frame's stack rounded up to 32 bytes (6.1; later kernels round to 16),
# summed along the chain of calls, at most 512.  A frame's stack is taken from
# the code (its deepest r10 offset), which is at least what the verifier counts.
# Usage: tools/bpf-stack.sh OBJECT   prints "PROGRAM BYTES CHAIN" per program;
# exit 0 if every program fits, 1 if one does not, 2 on a usage or tool error.
set -eu
[ $# -eq 1 ] && [ -r "$1" ] || { echo "usage: tools/bpf-stack.sh OBJECT" >&2; exit 2; }
dump=
for t in llvm-objdump llvm-objdump-14 llvm-objdump-15 llvm-objdump-16; do
	command -v "$t" >/dev/null 2>&1 && { dump=$t; break; }
done
[ -n "$dump" ] || { echo "bpf-stack: no llvm-objdump" >&2; exit 2; }
out=$("$dump" -dr --no-show-raw-insn "$1") || { echo "bpf-stack: $dump failed on $1" >&2; exit 2; }
printf '%s\n' "$out" | awk -v limit=512 '
function r32(x) { if (x < 1) x = 1; return int((x + 31) / 32) * 32 }
function deep(f,    i, c, d, best, bc) {
	if (f in memo) return memo[f]
	best = 0; bc = ""
	for (i = 1; i <= ncall[f]; i++) {
		c = callee[f, i]
		d = deep(c)
		if (d > best) { best = d; bc = chain[c] }
	}
	memo[f] = r32(frame[f]) + best
	chain[f] = f (bc != "" ? ">" bc : "")
	return memo[f]
}
/^Disassembly of section / { sec = $4; sub(/:$/, "", sec); next }
/^[0-9a-f]+ <[^>]+>:$/ {
	name = $2; gsub(/[<>:]/, "", name)
	if (name ~ /^LBB/) next
	cur = name; frame[cur] = 0; ncall[cur] = 0
	if (sec != ".text") entry[++nentry] = cur
	next
}
cur != "" && /r10 - [0-9]+/ {
	match($0, /r10 - [0-9]+/); v = substr($0, RSTART + 6, RLENGTH - 6) + 0
	if (v > frame[cur]) frame[cur] = v
}
cur != "" && /R_BPF_64_32/ { callee[cur, ++ncall[cur]] = $NF }
END {
	if (nentry == 0) { print "bpf-stack: no program found" > "/dev/stderr"; exit 2 }
	bad = 0
	for (i = 1; i <= nentry; i++) {
		d = deep(entry[i])
		print entry[i], d, chain[entry[i]]
		if (d > limit) bad = 1
	}
	exit bad
}'
