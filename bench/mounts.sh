# Sourced by benchmarks that run perf or powertop: those mount tracefs (and
# debugfs) when they are not there.  mounts_note before them, mounts_restore
# on exit unmounts what was not mounted before (nested mounts first).
mounts_list="/sys/kernel/debug/tracing /sys/kernel/tracing /sys/kernel/debug"
mounts_had=

mounted() {
	grep -q " $1 " /proc/mounts
}

mounts_note() {
	mounts_had=
	for m in $mounts_list; do
		if mounted "$m"; then mounts_had="$mounts_had $m"; fi
	done
}

mounts_restore() {
	for m in $mounts_list; do
		case " $mounts_had " in *" $m "*) continue ;; esac
		if mounted "$m"; then umount "$m" 2>/dev/null || true; fi
	done
}
