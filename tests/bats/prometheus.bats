#!/usr/bin/env bats
# timerinfo's metrics the way node_exporter users take them: written atomically
# by --output, served by a real node_exporter's textfile collector (started here
# on 127.0.0.1 and stopped on every exit path), the systemd units that do it
# every minute, and the man page naming every metric.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	TMP=$(mktemp -d)
	chmod 755 "$TMP"
	K=${TD_CORPUS:-/nonexistent}/kmatrix
	NE_PID=
	umask 022
}

teardown() {
	if [ -n "$NE_PID" ]; then
		kill "$NE_PID" 2>/dev/null
		wait "$NE_PID" 2>/dev/null
	fi
	rm -rf "$TMP"
	true
}

# A TCP port that is free on 127.0.0.1 now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Start node_exporter with its textfile collector alone, reading directory $1, on
# 127.0.0.1:$PORT; as nobody when root (Debian runs it as prometheus, so the file
# must be readable by others). Sets PORT and NE_PID.
start_node_exporter() {
	local dir=$1 try i
	local -a cmd=(prometheus-node-exporter --collector.disable-defaults --collector.textfile
		"--collector.textfile.directory=$dir")

	[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null &&
		cmd=(setpriv --reuid=nobody --regid=nogroup --clear-groups -- "${cmd[@]}")
	for try in 1 2 3; do
		PORT=$(free_port)
		"${cmd[@]}" "--web.listen-address=127.0.0.1:$PORT" >"$TMP/ne.log" 2>&1 3>&- &
		NE_PID=$!
		for i in $(seq 100); do
			curl -sf -o /dev/null "http://127.0.0.1:$PORT/metrics" && return 0
			kill -0 "$NE_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill "$NE_PID" 2>/dev/null
		wait "$NE_PID" 2>/dev/null
		NE_PID=
	done
	cat "$TMP/ne.log" >&2
	return 1
}

# A variable of the build's Makefile, expanded ("/usr/local/bin" for bindir).
mkvar() {
	printf 'print-var:\n\t@echo $(%s)\n' "$1" |
		make -s --no-print-directory -C "$TD_BUILDDIR" -f Makefile -f - print-var
}

# The samples of a text exposition as "NAME{LABELS} VALUE" lines, sorted, values as numbers.
samples() {
	grep -v '^#' | grep "^${2:-timerdiag_}" | awk '{v = $NF; $NF = ""; printf "%s%.9g\n", $0, v}' |
		LC_ALL=C sort
}

@test "a real node_exporter serves --output's file: every sample as written, no scrape error" {
	command -v prometheus-node-exporter >/dev/null || skip "no prometheus-node-exporter"
	command -v curl >/dev/null || skip "no curl"
	command -v python3 >/dev/null || skip "no python3"
	mkdir -m 755 "$TMP/textfile"
	run -0 timerinfo --format=prometheus --output "$TMP/textfile/timerdiag.prom"
	[ -z "$output" ]
	start_node_exporter "$TMP/textfile"
	curl -sf "http://127.0.0.1:$PORT/metrics" >"$TMP/scrape"
	grep -qx 'node_textfile_scrape_error 0' "$TMP/scrape"
	grep -q '^node_textfile_mtime_seconds{file="[^"]*timerdiag.prom"} ' "$TMP/scrape"
	samples <"$TMP/textfile/timerdiag.prom" >"$TMP/want"
	samples <"$TMP/scrape" >"$TMP/got"
	grep -q '^timerdiag_build_info{version="' "$TMP/got"
	grep -q '^timerdiag_cpu_local_timer_interrupts_total{cpu="0"} ' "$TMP/got"
	grep -q '^timerdiag_check_status{check="highres"} ' "$TMP/got"
	diff "$TMP/want" "$TMP/got"
	# HELP and TYPE reach the scrape for every family.
	for name in $(awk '$1 == "#" && $2 == "TYPE" {print $3}' "$TMP/textfile/timerdiag.prom"); do
		grep -q "^# HELP $name " "$TMP/scrape"
		grep -qx "# TYPE $name $(awk -v n="$name" '$2 == "TYPE" && $3 == n {print $4}' "$TMP/textfile/timerdiag.prom")" "$TMP/scrape"
	done
	# A capture with escapes and invalid UTF-8 in its names: still a file node_exporter takes.
	run -0 timerinfo --sysroot "$TD_SRCDIR/tests/fixtures/hostile/sysroot" --format=prometheus \
		--output "$TMP/textfile/timerdiag.prom"
	curl -sf "http://127.0.0.1:$PORT/metrics" >"$TMP/scrape"
	grep -qx 'node_textfile_scrape_error 0' "$TMP/scrape"
	grep -qF 'timerdiag_cpu_clockevent_device_info{cpu="0",device="lapic\\x1b[2J\\xff\\xc3"} 1' "$TMP/scrape"
	# The scrape error the test looks for is real: a half-written file sets it.
	head -c 100 "$TMP/textfile/timerdiag.prom" >"$TMP/textfile/half.prom"
	curl -sf "http://127.0.0.1:$PORT/metrics" >"$TMP/scrape"
	grep -qx 'node_textfile_scrape_error 1' "$TMP/scrape"
}

@test "--output replaces the file by a rename: a new inode, readers keep a whole file, no temporary left" {
	require_corpus
	local d=$TMP/out a=$K/amd64-6.1-generic-default b=$K/amd64-6.12-generic-nohz_full_1-trace
	mkdir "$d"
	run -0 timerinfo --sysroot "$a" --format=prometheus --output "$d/timerdiag.prom"
	[ -z "$output" ]
	timerinfo --sysroot "$a" --format=prometheus >"$TMP/a.prom"
	timerinfo --sysroot "$b" --format=prometheus >"$TMP/b.prom"
	cmp "$TMP/a.prom" "$d/timerdiag.prom"
	# The mode a shell redirection gives (umask 022), readable by node_exporter's user.
	[ "$(stat -c %a "$d/timerdiag.prom")" = 644 ]
	local ino=$(stat -c %i "$d/timerdiag.prom")
	exec 4<"$d/timerdiag.prom"
	run -0 timerinfo --sysroot "$b" --format=prometheus --output "$d/timerdiag.prom"
	[ "$(stat -c %i "$d/timerdiag.prom")" != "$ino" ]
	cmp "$TMP/b.prom" "$d/timerdiag.prom"
	# A reader that opened the old file still reads all of it.
	cmp "$TMP/a.prom" /dev/fd/4
	exec 4<&-
	[ "$(ls -A "$d")" = timerdiag.prom ]
	# Readers during 40 writes of two different reports see one of the two, whole.
	(for i in $(seq 20); do
		timerinfo --sysroot "$a" --format=prometheus --output "$d/timerdiag.prom"
		timerinfo --sysroot "$b" --format=prometheus --output "$d/timerdiag.prom"
	done; touch "$TMP/done") 3>&- &
	local n=0
	while [ ! -e "$TMP/done" ]; do
		cat "$d/timerdiag.prom" >"$TMP/seen"
		cmp -s "$TMP/seen" "$TMP/a.prom" || cmp -s "$TMP/seen" "$TMP/b.prom" ||
			{ echo "read $((n + 1)): a partial or mixed file" >&2; return 1; }
		n=$((n + 1))
	done
	wait
	echo "$n reads" >&2
	[ "$n" -gt 0 ]
	[ "$(ls -A "$d")" = timerdiag.prom ]
	# Also for text and JSON.
	run -0 timerinfo --sysroot "$a" -J --output "$d/t.json"
	jq -e .version "$d/t.json" >/dev/null
}

@test "--output that cannot be written: exit 1, one line naming the file, the old file intact" {
	require_corpus
	local d=$TMP/out a=$K/amd64-6.1-generic-default
	mkdir -m 755 "$d"
	timerinfo --sysroot "$a" --format=prometheus --output "$d/timerdiag.prom"
	cp "$d/timerdiag.prom" "$TMP/old"
	# A directory that does not exist.
	run --separate-stderr timerinfo --sysroot "$a" --format=prometheus --output "$TMP/none/t.prom"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "timerinfo: $TMP/none/t.prom: cannot create a file beside it: No such file or directory" ]
	# A report that fails (a named timer_list that is not there) leaves the old file and no temporary.
	run --separate-stderr timerinfo --timer-list "$TMP/nonexistent" --format=prometheus \
		--output "$d/timerdiag.prom"
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	cmp "$TMP/old" "$d/timerdiag.prom"
	[ "$(ls -A "$d")" = timerdiag.prom ]
	# Stopped while measuring (live, 1 s): no temporary file left, the old file intact.
	timerinfo --format=prometheus --output "$d/timerdiag.prom" 3>&- &
	local pid=$! i
	for i in $(seq 50); do	# until the temporary file is there
		[ "$(ls -A "$d" | wc -l)" -eq 2 ] && break
		sleep 0.02
	done
	[ "$(ls -A "$d" | wc -l)" -eq 2 ]
	kill -TERM "$pid"
	! wait "$pid"
	cmp "$TMP/old" "$d/timerdiag.prom"
	[ "$(ls -A "$d")" = timerdiag.prom ]
	# A directory the user cannot write (root writes anywhere: as nobody).
	require_user_access
	run --separate-stderr as_user "$TD_BUILDDIR/timerinfo" --sysroot "$a" --format=prometheus \
		--output "$d/timerdiag.prom"
	[ "$status" -eq 1 ]
	[ "$stderr" = "timerinfo: $d/timerdiag.prom: cannot create a file beside it: Permission denied" ]
	cmp "$TMP/old" "$d/timerdiag.prom"
	[ "$(ls -A "$d")" = timerdiag.prom ]
}

@test "the systemd units: a oneshot writing Debian's textfile directory, installed, not enabled" {
	local svc=$TD_BUILDDIR/contrib/systemd/timerdiag-textfile.service
	local timer=$TD_SRCDIR/contrib/systemd/timerdiag-textfile.timer
	local dir exec cmd unitdir
	dir=$(mkvar textfiledir)
	[ -n "$dir" ]
	grep -qx 'Type=oneshot' "$svc"
	exec=$(sed -n 's/^ExecStart=//p' "$svc")
	[ "$exec" = "$(mkvar bindir)/timerinfo --format=prometheus --output=$dir/timerdiag.prom" ]
	grep -qx "ReadWritePaths=$dir" "$svc"
	grep -qx 'OnUnitActiveSec=1min' "$timer"
	grep -qx 'WantedBy=timers.target' "$timer"
	# The service's command, run with our tool and our directory, writes a valid file.
	cmd=${exec#* }
	mkdir "$TMP/textfile"
	run -0 timerinfo ${cmd//$dir/$TMP/textfile}
	[ -s "$TMP/textfile/timerdiag.prom" ]
	! command -v promtool >/dev/null || promtool check metrics <"$TMP/textfile/timerdiag.prom"
	# systemd accepts both units as they are (every key known, the command executable).
	if command -v systemd-analyze >/dev/null; then
		mkdir -p "$TMP/units" "$TMP/man/man1"
		cp "$TD_SRCDIR/man/timerinfo.1" "$TMP/man/man1/"
		sed "s|^ExecStart=[^ ]*|ExecStart=$TD_BUILDDIR/timerinfo|" "$svc" >"$TMP/units/${svc##*/}"
		cp "$timer" "$TMP/units/"
		run -0 env MANPATH="$TMP/man" systemd-analyze verify "$TMP/units/${svc##*/}" \
			"$TMP/units/${timer##*/}"
		[ -z "$output" ]
	fi
	# make install puts both units into systemdsystemunitdir and enables nothing.
	make -s -C "$TD_BUILDDIR" DESTDIR="$TMP/inst" install-systemdsystemunitDATA \
		install-dist_systemdsystemunitDATA >/dev/null
	unitdir=$TMP/inst$(mkvar systemdsystemunitdir)
	cmp "$svc" "$unitdir/timerdiag-textfile.service"
	cmp "$timer" "$unitdir/timerdiag-textfile.timer"
	[ -z "$(find "$TMP/inst" -name '*.wants')" ]
	[ "$(find "$TMP/inst" -type f | wc -l)" -eq 2 ]
}

@test "man timerinfo's METRICS section names every metric timerinfo writes" {
	require_corpus
	local d name
	{
		timerinfo --format=prometheus
		while read -r d; do
			timerinfo --sysroot "$d" --format=prometheus
		done < <(kmatrix_captures)
	} | awk '$1 == "#" && $2 == "TYPE" {print $3}' | sort -u >"$TMP/names"
	[ "$(wc -l <"$TMP/names")" -ge 20 ]
	sed -n '/^\.SH METRICS/,/^\.SH /p' "$TD_SRCDIR/man/timerinfo.1" | sed 's/\\//g' >"$TMP/man"
	while read -r name; do
		grep -q "$name" "$TMP/man" || { echo "$name is not in METRICS" >&2; return 1; }
	done <"$TMP/names"
}
