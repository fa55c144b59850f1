# Shared helpers for the bats tests.  make check sets TD_CORPUS, TD_SRCDIR,
# TD_BUILDDIR and puts the built tools first on PATH.

# Every kmatrix capture (sysroot trees with a truth.json).
kmatrix_captures() {
	local d
	for d in "$TD_CORPUS"/kmatrix/*/; do
		[ -f "$d/truth.json" ] && printf '%s\n' "${d%/}"
	done
}

require_corpus() {
	[ -n "${TD_CORPUS:-}" ] && [ -d "$TD_CORPUS/kmatrix" ] || skip "no corpus (configure --with-corpus)"
}

require_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

# A field of a capture's truth.json.
truth() {
	jq -r "$2" "$1/truth.json"
}

# Run a command as an unprivileged user (nobody), with the same environment.
as_user() {
	if command -v setpriv >/dev/null 2>&1; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups --reset-env -- \
			env PATH="$PATH" LC_ALL=C.UTF-8 "$@"
	else
		runuser -u nobody -- env PATH="$PATH" LC_ALL=C.UTF-8 "$@"
	fi
}

# The built tools and the tree they read must be reachable by nobody.
require_user_access() {
	require_root
	as_user test -x "$TD_BUILDDIR/timerinfo" || skip "the build tree is not readable by nobody"
}
