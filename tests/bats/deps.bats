#!/usr/bin/env bats
# tools/deps.sh --test installs the Prometheus server (for promtool) and
# node_exporter (the tests start their own): no service starts during the
# installation and the servers it installed are left disabled; an
# administrator's policy-rc.d and servers installed before are left alone.
# apt-get, dpkg-query, systemctl, update-rc.d and sudo are stand-ins that
# record what they were asked; TD_DEPS_ROOT stands for /.

load helpers

setup() {
	TMP=$(mktemp -d)
	ROOT=$TMP/root
	mkdir -p "$ROOT/usr/sbin" "$ROOT/etc/init.d" "$TMP/bin"
	LOG=$TMP/log
	# Installed: everything but prometheus-node-exporter.
	cat >"$TMP/bin/dpkg-query" <<-'EOS'
	#!/bin/sh
	for p; do :; done
	[ "$p" = prometheus-node-exporter ] && exit 1
	printf 'install ok installed'
	EOS
	# apt-get install: what a package's postinst does, through invoke-rc.d's question.
	cat >"$TMP/bin/apt-get" <<-EOS
	#!/bin/sh
	echo "apt-get \$*" >>"$LOG"
	case "\$*" in *install*) ;; *) exit 0 ;; esac
	if [ -x "$ROOT/usr/sbin/policy-rc.d" ]; then
		"$ROOT/usr/sbin/policy-rc.d" prometheus-node-exporter start
		echo "policy-rc.d start: \$?" >>"$LOG"
	else
		echo "no policy-rc.d: started" >>"$LOG"
	fi
	EOS
	for c in systemctl update-rc.d; do
		printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$c" "$LOG" >"$TMP/bin/$c"
	done
	printf '#!/bin/sh\nexec "$@"\n' >"$TMP/bin/sudo"
	chmod +x "$TMP/bin/"*
}

teardown() {
	rm -rf "$TMP"
}

deps() {
	run env TD_DEPS_ROOT="$ROOT" PATH="$TMP/bin:$PATH" sh "$TD_SRCDIR/tools/deps.sh" --test
}

@test "deps.sh --test: no service starts while installing, the new server is disabled, policy-rc.d removed" {
	deps
	[ "$status" -eq 0 ]
	grep -q 'apt-get .*install.* prometheus-node-exporter' "$LOG"
	grep -qx 'policy-rc.d start: 101' "$LOG"
	[ ! -e "$ROOT/usr/sbin/policy-rc.d" ]
	grep -qx 'systemctl disable --quiet prometheus-node-exporter.service' "$LOG"
	# prometheus was installed before: left as its administrator set it.
	! grep -q 'systemctl .*prometheus.service' "$LOG"
	! grep -q 'systemctl stop' "$LOG"
}

@test "deps.sh --test: a running systemd: the new server is stopped too; an administrator's policy-rc.d is kept" {
	mkdir -p "$ROOT/run/systemd/system"
	printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
	chmod 755 "$ROOT/usr/sbin/policy-rc.d"
	cp "$ROOT/usr/sbin/policy-rc.d" "$TMP/policy"
	deps
	[ "$status" -eq 0 ]
	cmp "$TMP/policy" "$ROOT/usr/sbin/policy-rc.d"
	grep -qx 'systemctl stop prometheus-node-exporter.service' "$LOG"
	grep -qx 'systemctl disable --quiet prometheus-node-exporter.service' "$LOG"
}

@test "deps.sh: nothing missing, nothing done" {
	sed -i 's/= prometheus-node-exporter/= nothing-missing/' "$TMP/bin/dpkg-query"
	deps
	[ "$status" -eq 0 ]
	[ ! -e "$LOG" ]
	[ ! -e "$ROOT/usr/sbin/policy-rc.d" ]
}
