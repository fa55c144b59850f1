# Sourced by benchmarks that measure BPF programs' run time (with
# kernel.bpf_stats_enabled on).
# The BPF programs a pid holds (its file descriptors' prog_id, as bpftool
# may not say which process holds a program): "name run_time_ns run_cnt".
progs_of() {
	local ids
	ids=$(grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{ print $2 }' |
		sort -u | paste -sd, -)
	bpftool prog show -j 2>/dev/null | jq -r --argjson ids "[$ids]" '.[] |
		select(.id as $i | $ids | index($i)) |
		"\(.name) \(.run_time_ns // 0) \(.run_cnt // 0)"'
}

# The run time in ns of all the BPF programs a pid holds (0: none).
prog_ns() {
	progs_of "$1" | awk '{ n += $2 } END { print n + 0 }'
}
