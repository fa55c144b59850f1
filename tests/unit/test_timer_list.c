/*
 * /proc/timer_list parser against the kernels' own captures (kmatrix truth.json),
 * public samples of old kernels, and hand-made bad inputs.
 */
#include <errno.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "source.h"
#include "timer_list.h"
#include "tap.h"
#include "minijson.h"

static const char *srcdir;

/* Parse a file through the buffer entry point. */
static int
parse_path(const char *path, struct td_timer_list **tl, struct td_error *e)
{
	struct td_buf b;
	int r;

	*tl = NULL;
	td_error_clear(e);
	if ((r = td_read_file(path, 64 << 20, &b, e)) < 0)
		return r;
	r = td_timer_list_parse(b.data, b.len, path, tl, e);
	td_buf_free(&b);
	return r;
}

/* Parse a file through the FILE entry point. */
static int
parse_stream(const char *path, struct td_timer_list **tl, struct td_error *e)
{
	FILE *f = fopen(path, "r");
	int r;

	*tl = NULL;
	if (f == NULL)
		return -errno;
	r = td_timer_list_parse_file(f, path, TD_TL_TIMERS, tl, e);
	fclose(f);
	return r;
}

/* A fixture's path. */
static const char *
fixture(const char *name)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/tests/fixtures/timer_list/%s", srcdir, name);
	return buf;
}

#include "tl_same.h"
#include "test_hooks.h"

/* Two parses of a file agree: both fail alike, or the snapshots are the same. */
static void
check_same(const char *path, const char *what, int r1, const struct td_timer_list *a,
    const struct td_error *e1, int r2, const struct td_timer_list *b, const struct td_error *e2)
{
	char why[256] = "";

	if (r1 < 0 || r2 < 0)
		ok(r1 == r2 && e1->line == e2->line && strcmp(e1->msg, e2->msg) == 0,
		    "%s: %s fail alike (%d %d)", path, what, r1, r2);
	else
		ok(same_tl(a, b, why, sizeof(why)), "%s: %s agree %s", path, what, why);
}

/*
 * The file parses that count timers without keeping them (no TD_TL_TIMERS), in
 * one pass and in two parts, agree with the parse a of path that kept them:
 * the same snapshot, every base's timers counted and none kept.
 */
static void
check_counted(const char *path, int r1, const struct td_timer_list *a,
    const struct td_error *e1)
{
	for (int split = 0; split < 2; split++) {
		struct td_timer_list *c = NULL;
		struct td_error e;
		char why[256] = "";
		int r = -ENOENT;
		FILE *f;

		td_error_clear(&e);
		if ((f = fopen(path, "r")) != NULL) {
			r = td_timer_list_parse_file_with(f, path, 0, split ? 0 : SIZE_MAX, &c, &e,
			    NULL);
			fclose(f);
		}
		if (r1 < 0 || r < 0)
			ok(r1 == r && e1->line == e.line && strcmp(e1->msg, e.msg) == 0,
			    "%s: counting timers %s fails alike (%d %d)", path,
			    split ? "in two parts" : "in one pass", r1, r);
		else
			ok(same_tl_as(a, c, false, why, sizeof(why)),
			    "%s: counting timers %s agrees %s", path,
			    split ? "in two parts" : "in one pass", why);
		td_timer_list_free(c);
	}
}

/*
 * The parses in two parts (cut at a "cpu: N" line past the middle, if there is
 * one), of the buffer and of the file, agree with the one-pass parse a of path;
 * *cut (if not NULL) says whether both were cut.
 */
static void
check_split(const char *path, int r1, const struct td_timer_list *a,
    const struct td_error *e1, bool *cut)
{
	struct td_timer_list *b = NULL, *c = NULL;
	struct td_error e2, e3;
	struct td_buf buf;
	bool p1 = false, p2 = false;
	int r2, r3 = -ENOENT;
	FILE *f;

	td_error_clear(&e2);
	td_error_clear(&e3);
	if ((r2 = td_read_file(path, 64 << 20, &buf, &e2)) == 0) {
		r2 = td_timer_list_parse_with(buf.data, buf.len, path, true, 0, &b, &e2, &p1);
		td_buf_free(&buf);
	}
	if ((f = fopen(path, "r")) != NULL) {
		r3 = td_timer_list_parse_file_with(f, path, TD_TL_TIMERS, 0, &c, &e3, &p2);
		fclose(f);
	}
	check_same(path, "one-pass and two-part buffer parses", r1, a, e1, r2, b, &e2);
	check_same(path, "one-pass and two-part file parses", r1, a, e1, r3, c, &e3);
	ok(p1 == p2, "%s: buffer and file cut alike (%d %d)", path, p1, p2);
	if (cut != NULL)
		*cut = p1 && p2;
	td_timer_list_free(b);
	td_timer_list_free(c);
	check_counted(path, r1, a, e1);
}

/*
 * The buffer parse, the stream parse and the parse a line at a time without the
 * fast paths of a file agree, and so do the parses in two parts.
 */
static void
check_stream_same(const char *path)
{
	struct td_timer_list *a, *b, *c = NULL;
	struct td_error e1, e2, e3;
	struct td_buf buf;
	int r1 = parse_path(path, &a, &e1), r2 = parse_stream(path, &b, &e2), r3;

	check_same(path, "stream and buffer parses", r1, a, &e1, r2, b, &e2);
	td_error_clear(&e3);
	if ((r3 = td_read_file(path, 64 << 20, &buf, &e3)) == 0) {
		r3 = td_timer_list_parse_with(buf.data, buf.len, path, false, SIZE_MAX, &c, &e3, NULL);
		td_buf_free(&buf);
	}
	check_same(path, "fast and plain parses", r1, a, &e1, r3, c, &e3);
	td_timer_list_free(b);
	td_timer_list_free(c);
	check_split(path, r1, a, &e1, NULL);
	td_timer_list_free(a);
}

/* Read a whole file for the independent checks. */
static char *
slurp(const char *path)
{
	struct td_buf b;

	if (td_read_file(path, 64 << 20, &b, NULL) < 0)
		return NULL;
	return b.data;
}

/*
 * Independent count of the timer lines (" #N:") in the block of cpu in the raw
 * text, found by a plain scan: the block runs from "cpu: N" to the next
 * "cpu: " or "Tick Device:" line.
 */
static long
count_timer_lines(const char *text, int cpu)
{
	char want[32];
	const char *line = text;
	bool in = false;
	long n = 0;

	snprintf(want, sizeof(want), "cpu: %d", cpu);
	while (line != NULL && *line != '\0') {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (strncmp(line, "cpu: ", 5) == 0 || strncmp(line, "Tick Device:", 12) == 0)
			in = len == strlen(want) && strncmp(line, want, len) == 0;
		else if (in && len > 3 && line[0] == ' ' && line[1] == '#' &&
		    line[2] >= '0' && line[2] <= '9') {
			const char *p = line + 2;

			while (*p >= '0' && *p <= '9')
				p++;
			n += *p == ':';
		}
		line = nl ? nl + 1 : NULL;
	}
	return n;
}

/* Sort helper for int64 values. */
static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort helper for strings. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Check one kmatrix timer_list against the kernel's truth. */
static void
check_capture(const char *path, const struct mj *truth, const char *name)
{
	struct td_timer_list *tl;
	struct td_error e;
	const struct mj *v;
	char *text;
	int r = parse_path(path, &tl, &e);

	if (!ok(r == 0, "%s: parses", name)) {
		diag("%s: %s", e.path, e.msg);
		return;
	}
	ok(tl->has_version && !tl->truncated && !tl->from_log && tl->nunknown_total == 0,
	    "%s: whole, no unknown line (unknown %zu, truncated %d)", name,
	    tl->nunknown_total, tl->truncated);
	v = mj_get(truth, "timer_list_version");
	is_str(tl->version, v ? v->str : "?", "%s: version", name);
	v = mj_get(truth, "cpus");
	is_int(tl->ncpus, v ? (long long)v->num : -1, "%s: CPU blocks", name);

	/* the distinct .resolution values */
	{
		int64_t got[64], want[64];
		size_t ngot = 0, nwant = 0, i, j;
		bool same;

		for (i = 0; i < tl->ncpus; i++)
			for (j = 0; j < tl->cpus[i].nbases; j++) {
				const struct td_tl_base *b = &tl->cpus[i].bases[j];
				size_t k;

				if (!(b->present & TD_TLB_RESOLUTION))
					continue;
				for (k = 0; k < ngot && got[k] != b->resolution_ns; k++)
					;
				if (k == ngot && ngot < 64)
					got[ngot++] = b->resolution_ns;
			}
		v = mj_get(truth, "resolution_ns");
		for (i = 0; v != NULL && i < v->nkids && nwant < 64; i++)
			want[nwant++] = (int64_t)v->kids[i].num;
		qsort(got, ngot, sizeof(got[0]), cmp_i64);
		qsort(want, nwant, sizeof(want[0]), cmp_i64);
		same = ngot == nwant && nwant > 0;
		for (i = 0; same && i < ngot; i++)
			same = got[i] == want[i];
		ok(same, "%s: resolution_ns set (%zu values, first %lld)", name, ngot,
		    ngot ? (long long)got[0] : -1LL);
	}

	/* tick mode of each CPU from its tick device's event_handler */
	v = mj_get(truth, "tick_mode_per_cpu");
	if (ok(v != NULL && v->nkids > 0, "%s: truth has tick_mode_per_cpu", name)) {
		size_t nper = 0;

		for (size_t i = 0; i < tl->ndevs; i++)
			nper += tl->devs[i].kind == TD_TLD_KIND_PERCPU;
		is_int(nper, v->nkids, "%s: one per-CPU tick device per CPU", name);
		for (size_t i = 0; i < v->nkids; i++) {
			int cpu = atoi(v->kids[i].key);
			const struct td_tl_tickdev *d = td_tl_cpu_device(tl, cpu);
			const char *got = d ? td_tick_mode_name(td_tick_mode_from_handler(
			    d->fn[TD_TLD_EVENT_HANDLER])) : "(no device)";

			is_str(got, v->kids[i].str, "%s: CPU %d tick mode", name, cpu);
		}
	}

	/* NOHZ active: .nohz_mode > 0 (<= v0.9) or .nohz == 1 (v0.10+) on any CPU */
	{
		bool active = false;
		int64_t x;

		for (size_t i = 0; i < tl->ncpus; i++) {
			if (td_tl_cpu_field(&tl->cpus[i], TD_TLC_NOHZ_MODE, &x) && x > 0)
				active = true;
			if (td_tl_cpu_field(&tl->cpus[i], TD_TLC_NOHZ, &x) && x == 1)
				active = true;
		}
		v = mj_get(truth, "nohz_active");
		ok(v != NULL && v->type == MJ_BOOL && active == v->b, "%s: nohz_active %d", name,
		    active);
	}

	/* broadcast device (null when none or <NULL>) */
	{
		const struct td_tl_tickdev *bc = td_tl_broadcast_device(tl);
		const char *got = bc ? bc->device : NULL;

		v = mj_get(truth, "broadcast_device");
		is_str(got, v && v->type == MJ_STR ? v->str : NULL, "%s: broadcast device", name);
	}

	/* distinct per-CPU clock event devices */
	{
		const char *got[64];
		size_t ngot = 0, i, k;
		bool same;

		for (i = 0; i < tl->ndevs; i++) {
			const struct td_tl_tickdev *d = &tl->devs[i];

			if (d->kind != TD_TLD_KIND_PERCPU || d->device == NULL)
				continue;
			for (k = 0; k < ngot && strcmp(got[k], d->device) != 0; k++)
				;
			if (k == ngot && ngot < 64)
				got[ngot++] = d->device;
		}
		qsort(got, ngot, sizeof(got[0]), cmp_str);
		v = mj_get(truth, "clockevent_devices");
		same = v != NULL && v->nkids == ngot;
		if (same) {
			const char *want[64];

			for (i = 0; i < ngot; i++)
				want[i] = v->kids[i].str;
			qsort(want, ngot, sizeof(want[0]), cmp_str);
			for (i = 0; same && i < ngot; i++)
				same = strcmp(got[i], want[i]) == 0;
		}
		ok(same, "%s: clockevent devices (%zu, first %s)", name, ngot,
		    ngot ? got[0] : "-");
	}

	/* timer counts against a plain scan of the text */
	text = slurp(path);
	for (size_t i = 0; text != NULL && i < tl->ncpus; i++) {
		const struct td_tl_cpu *c = &tl->cpus[i];
		size_t withexp = 0;

		is_int(td_tl_cpu_ntimers(c), count_timer_lines(text, c->cpu),
		    "%s: CPU %d timer count", name, c->cpu);
		for (size_t j = 0; j < c->nbases; j++)
			for (size_t k = 0; k < c->bases[j].ntimers; k++)
				withexp += c->bases[j].timers[k].has_expiry &&
				    c->bases[j].timers[k].function != NULL &&
				    c->bases[j].timers[k].has_state;
		is_int(withexp, td_tl_cpu_ntimers(c), "%s: CPU %d every timer has fn, S: and expiry",
		    name, c->cpu);
	}
	free(text);

	/* fields present where the version prints them, absent (not zero) elsewhere */
	for (size_t i = 0; i < tl->ncpus; i++) {
		const struct td_tl_cpu *c = &tl->cpus[i];
		bool v10 = tl->vminor >= 10, v11 = tl->vminor >= 11;
		int64_t x = -12345;
		bool okv = true;

		okv &= td_tl_cpu_field(c, TD_TLC_NOHZ_MODE, &x) == !v10;
		okv &= td_tl_cpu_field(c, TD_TLC_NOHZ, &x) == v10;
		okv &= td_tl_cpu_field(c, TD_TLC_HIGHRES, &x) == v10;
		okv &= td_tl_cpu_field(c, TD_TLC_IDLE_SLEEPTIME, &x) == !v11;
		okv &= td_tl_cpu_field(c, TD_TLC_IDLE_JIFFIES, &x) == !v11;
		okv &= td_tl_cpu_field(c, TD_TLC_IDLE_EXITTIME, &x) == !v11;
		okv &= td_tl_cpu_field(c, TD_TLC_IOWAIT_SLEEPTIME, &x) == !v11;
		okv &= td_tl_cpu_field(c, TD_TLC_TICK_STOPPED, &x);
		okv &= td_tl_cpu_field(c, TD_TLC_IDLE_CALLS, &x);
		okv &= td_tl_cpu_field(c, TD_TLC_NEXT_TIMER, &x);
		okv &= td_tl_cpu_field(c, TD_TLC_JIFFIES, &x);
		okv &= !td_tl_cpu_field(c, TD_TLC_IDLE_TICK, &x);
		okv &= !td_tl_cpu_field(c, TD_TLC_NEXT_JIFFIES, &x);
		ok(okv && c->complete, "%s: CPU %d fields present/absent as %s prints them", name,
		    c->cpu, tl->version);
		x = -12345;
		if (v10)
			ok(!td_tl_cpu_field(c, TD_TLC_NOHZ_MODE, &x) && x == -12345,
			    "%s: CPU %d .nohz_mode absent and untouched", name, c->cpu);
		if (v11)
			ok(!td_tl_cpu_field(c, TD_TLC_IDLE_SLEEPTIME, &x) && x == -12345,
			    "%s: CPU %d .idle_sleeptime absent and untouched", name, c->cpu);
	}
	td_timer_list_free(tl);
	check_stream_same(path);
}

/* Every kmatrix capture, before and after. */
static void
test_kmatrix(const char *corpus)
{
	char pat[4096];
	glob_t g;

	snprintf(pat, sizeof(pat), "%s/kmatrix/*/truth.json", corpus);
	if (glob(pat, 0, NULL, &g) != 0) {
		ok(0, "kmatrix captures found in %s", corpus);
		return;
	}
	ok(g.gl_pathc >= 10, "%zu kmatrix captures", g.gl_pathc);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char dir[4096], path[4200], name[4300], *text, *slash;
		struct mj truth;

		strlcpy(dir, g.gl_pathv[i], sizeof(dir));
		slash = strrchr(dir, '/');
		*slash = '\0';
		text = slurp(g.gl_pathv[i]);
		if (!ok(text != NULL && mj_parse(text, &truth), "%s: truth.json", dir)) {
			free(text);
			continue;
		}
		free(text);
		snprintf(path, sizeof(path), "%s/proc/timer_list", dir);
		snprintf(name, sizeof(name), "%s", strrchr(dir, '/') + 1);
		check_capture(path, &truth, name);
		snprintf(path, sizeof(path), "%s/after/proc/timer_list", dir);
		strlcat(name, " (after)", sizeof(name));
		check_capture(path, &truth, name);
		mj_free(&truth);
	}
	globfree(&g);
}

/* The timer n of base b of CPU block i, or NULL. */
static const struct td_tl_timer *
timer_at(const struct td_timer_list *tl, size_t i, size_t b, size_t n)
{
	if (i >= tl->ncpus || b >= tl->cpus[i].nbases || n >= tl->cpus[i].bases[b].ntimers)
		return NULL;
	return &tl->cpus[i].bases[b].timers[n];
}

/* The symbol and TIMER_STATS fields of timer t of tl. */
static const struct td_tl_timer_extra *
xt(const struct td_timer_list *tl, const struct td_tl_timer *t)
{
	return td_tl_timer_extra(tl, t);
}

/* Parse a public sample (path under the corpus), asserting success. */
static struct td_timer_list *
public(const char *corpus, const char *file)
{
	char path[4096];
	struct td_timer_list *tl;
	struct td_error e;

	snprintf(path, sizeof(path), "%s/public/timer_list/%s", corpus, file);
	if (!ok(parse_path(path, &tl, &e) == 0, "%s parses", file)) {
		diag("%s:%ld: %s", e.path, e.line, e.msg);
		return NULL;
	}
	check_stream_same(path);
	return tl;
}

/* Public samples of old kernels, each with what can be read in the file. */
static void
test_public(const char *corpus)
{
	struct td_timer_list *tl;
	const struct td_tl_timer *t;
	const struct td_tl_tickdev *d;
	int64_t x;

	/* v0.3: single expiry, comm/pid, no tick device label */
	if ((tl = public(corpus, "v0.3-osk-omap-arm-hres-elinux.txt")) != NULL) {
		is_str(tl->version, "v0.3", "v0.3: version");
		is_int(tl->ncpus, 1, "v0.3: 1 CPU");
		is_int(tl->max_clock_bases, 2, "v0.3: HRTIMER_MAX_CLOCK_BASES");
		is_int(tl->now_ns, 294115539550LL, "v0.3: now");
		t = timer_at(tl, 0, 1, 1);
		ok(t != NULL, "v0.3: timer #1 of clock 1");
		if (t != NULL) {
			is_str(t->function, "it_real_fn", "v0.3: function");
			is_str(xt(tl, t)->start_site, "do_setitimer", "v0.3: start site");
			is_str(xt(tl, t)->comm, "syslogd", "v0.3: comm");
			is_int(xt(tl, t)->pid, 796, "v0.3: pid");
			is_int(t->addr, 0xc1e39e38, "v0.3: address");
			ok(t->has_expiry && !t->has_range && t->soft_ns == 1207087219238LL &&
			    t->hard_ns == t->soft_ns && t->rel_soft_ns == 912971679688LL,
			    "v0.3: single expiry");
		}
		ok(td_tl_cpu_field(&tl->cpus[0], TD_TLC_IDLE_TICK, &x) && x == 294078125000LL,
		    "v0.3: .idle_tick");
		ok(!td_tl_cpu_field(&tl->cpus[0], TD_TLC_NR_RETRIES, &x), "v0.3: no .nr_retries");
		ok(!td_tl_cpu_field(&tl->cpus[0], TD_TLC_IDLE_WAKETIME, &x),
		    "v0.3: no .idle_waketime");
		is_int(tl->ndevs, 1, "v0.3: one tick device");
		d = td_tl_cpu_device(tl, 0);
		ok(d != NULL && d->kind_guessed && d->device && strcmp(d->device, "32k-timer") == 0,
		    "v0.3: unlabeled device guessed as CPU 0's 32k-timer");
		ok(d != NULL && td_tick_mode_from_handler(d->fn[TD_TLD_EVENT_HANDLER]) ==
		    TD_TICK_HIGHRES, "v0.3: high resolution tick");
		ok(d != NULL && d->fn[TD_TLD_SET_MODE] != NULL &&
		    strcmp(d->fn[TD_TLD_SET_MODE], "omap_32k_timer_set_mode") == 0, "v0.3: set_mode");
		ok(td_tl_broadcast_device(tl) == NULL, "v0.3: no broadcast device");
		ok(!tl->truncated && tl->nunknown_total == 0, "v0.3: whole, nothing unknown");
		td_timer_list_free(tl);
	}

	/* v0.5 SysRq-Q copy from dmesg */
	if ((tl = public(corpus, "v0.5-2.6.32-28-ubuntu-pae-x86_32-2cpu-sysrq-dmesg.txt")) != NULL) {
		ok(tl->from_log, "v0.5 dmesg: printk prefixes stripped");
		is_str(tl->version, "v0.5", "v0.5 dmesg: version");
		is_int(tl->ncpus, 2, "v0.5 dmesg: 2 CPUs");
		is_int(tl->nunknown_total, 0, "v0.5 dmesg: no unknown line (SysRq line ignored)");
		t = timer_at(tl, 0, 1, 0);
		ok(t != NULL && t->rel_soft_ns == -5437343 && td_tl_timer_rel_hard_ns(t) == -5437343,
		    "v0.5 dmesg: negative relative expiry");
		ok(t != NULL && xt(tl, t)->comm && strcmp(xt(tl, t)->comm, "swapper") == 0 && xt(tl, t)->pid == 0,
		    "v0.5 dmesg: swapper/0");
		t = timer_at(tl, 0, 1, 1);
		ok(t != NULL && xt(tl, t)->comm && strcmp(xt(tl, t)->comm, "zypper") == 0 && xt(tl, t)->pid == 28960 &&
		    t->soft_ns == 15497197764475LL && t->hard_ns == 15497202764474LL,
		    "v0.5 dmesg: zypper/28960 and its range");
		is_int(td_tl_cpu_ntimers(&tl->cpus[0]), 7, "v0.5 dmesg: CPU 0 has 7 timers");
		is_int(td_tl_cpu_ntimers(&tl->cpus[1]), 5, "v0.5 dmesg: CPU 1 has 5 timers");
		ok(td_tl_cpu_field(&tl->cpus[0], TD_TLC_NR_RETRIES, &x) && x == 26332,
		    "v0.5 dmesg: .nr_retries");
		ok(td_tl_cpu_field(&tl->cpus[0], TD_TLC_MAX_HANG_TIME, &x) && x == 0,
		    "v0.5 dmesg: .max_hang_time with nsecs");
		ok(!td_tl_cpu_field(&tl->cpus[0], TD_TLC_IOWAIT_SLEEPTIME, &x),
		    "v0.5 dmesg: no .iowait_sleeptime in this kernel");
		d = td_tl_broadcast_device(tl);
		ok(d != NULL && !d->kind_guessed && strcmp(d->device, "hpet") == 0 &&
		    d->num[TD_TLD_NEXT_EVENT] == INT64_MAX, "v0.5 dmesg: broadcast hpet, KTIME_MAX");
		is_str(tl->broadcast_mask, "00000000", "v0.5 dmesg: broadcast mask");
		d = td_tl_cpu_device(tl, 1);
		ok(d != NULL && strcmp(d->device, "lapic") == 0 &&
		    !(d->num_present & (1u << TD_TLD_RETRIES)), "v0.5 dmesg: CPU 1 lapic, no retries");
		td_timer_list_free(tl);
	}

	/* v0.6 with its leading white space stripped and an elided "..." */
	if ((tl = public(corpus, "v0.6-powerpc32-decrementer-nohz0-WS-STRIPPED-elided.txt")) != NULL) {
		is_str(tl->version, "v0.6", "v0.6 stripped: version");
		is_int(td_tl_cpu_ntimers(&tl->cpus[0]), 6, "v0.6 stripped: 6 timers");
		t = timer_at(tl, 0, 1, 4);
		ok(t != NULL && t->function && strcmp(t->function, "sched_rt_period_timer") == 0 &&
		    t->addr == 0xc0923c98, "v0.6 stripped: timer #4");
		ok(td_tl_cpu_field(&tl->cpus[0], TD_TLC_NOHZ_MODE, &x) && x == 0,
		    "v0.6 stripped: .nohz_mode 0");
		ok(td_tl_cpu_field(&tl->cpus[0], TD_TLC_JIFFIES, &x) && x == 17227343,
		    "v0.6 stripped: jiffies");
		ok(tl->nunknown_total == 0 && tl->nelided == 1,
		    "v0.6 stripped: the elision counted as one, not as an unknown line");
		d = td_tl_cpu_device(tl, 0);
		ok(d != NULL && strcmp(d->device, "decrementer") == 0 &&
		    d->num[TD_TLD_MAX_DELTA_NS] == 42950102504LL &&
		    (d->num_present & (1u << TD_TLD_RETRIES)), "v0.6 stripped: decrementer device");
		td_timer_list_free(tl);
	}

	/* v0.7: symbols, zeroed pointers, comm with slashes */
	if ((tl = public(corpus, "v0.7-3.13-ubuntu14.04-x86_64-4cpu-kptr0.txt")) != NULL) {
		is_int(tl->ncpus, 4, "v0.7: 4 CPUs");
		is_int(tl->max_clock_bases, 4, "v0.7: 4 clock bases");
		t = timer_at(tl, 0, 0, 0);
		ok(t != NULL && t->addr == 0 && xt(tl, t)->symbol == NULL && xt(tl, t)->comm &&
		    strcmp(xt(tl, t)->comm, "/usr/bin/termin") == 0 && xt(tl, t)->pid == 2683,
		    "v0.7: zeroed pointer, comm /usr/bin/termin/2683");
		t = timer_at(tl, 0, 0, 4);
		ok(t != NULL && xt(tl, t)->symbol && strcmp(xt(tl, t)->symbol, "def_rt_bandwidth") == 0 &&
		    strcmp(xt(tl, t)->comm, "watchdog/1") == 0 && xt(tl, t)->pid == 27 &&
		    strcmp(xt(tl, t)->start_site, "start_bandwidth_timer") == 0,
		    "v0.7: def_rt_bandwidth armed by watchdog/1/27");
		t = timer_at(tl, 0, 0, 3);
		ok(t != NULL && strcmp(xt(tl, t)->comm, "swapper/0") == 0 && xt(tl, t)->pid == 0, "v0.7: swapper/0/0");
		ok(td_tl_cpu_field(&tl->cpus[0], TD_TLC_IOWAIT_SLEEPTIME, &x) && x == 11883637656LL,
		    "v0.7: .iowait_sleeptime without a space before the colon");
		ok(td_tl_cpu_field(&tl->cpus[0], TD_TLC_LAST_TICK, &x) &&
		    !td_tl_cpu_field(&tl->cpus[0], TD_TLC_IDLE_TICK, &x), "v0.7: .last_tick");
		is_int(tl->ndevs, 5, "v0.7: 5 tick devices");
		d = td_tl_cpu_device(tl, 3);
		ok(d != NULL && strcmp(d->device, "lapic") == 0 && !d->kind_guessed &&
		    d->num[TD_TLD_SHIFT] == 27, "v0.7: CPU 3 lapic");
		ok(!tl->truncated && tl->nunknown_total == 0, "v0.7: whole");
		td_timer_list_free(tl);
	}

	/* v0.8 broadcast section only */
	if ((tl = public(corpus, "v0.8-4.x-x86-hpet-broadcast-section-fragment.txt")) != NULL) {
		ok(!tl->has_version && tl->vmajor == -1 && tl->ncpus == 0, "v0.8 fragment: no header");
		d = td_tl_broadcast_device(tl);
		ok(d != NULL && !d->kind_guessed && strcmp(d->device, "hpet") == 0 &&
		    strcmp(d->fn[TD_TLD_SHUTDOWN], "hpet_legacy_shutdown") == 0 &&
		    strcmp(d->fn[TD_TLD_ONESHOT], "hpet_legacy_set_oneshot") == 0 &&
		    d->fn[TD_TLD_SET_MODE] == NULL, "v0.8 fragment: hpet state callbacks");
		is_str(tl->broadcast_oneshot_mask, "00", "v0.8 fragment: %%*pb mask");
		td_timer_list_free(tl);
	}

	/* v0.8 (5.11) from "cpu: 11" on */
	if ((tl = public(corpus, "v0.8-5.11-ubuntu21.04-x86_64-ryzen-partial-cpu11.txt")) != NULL) {
		ok(!tl->has_version && tl->ncpus == 1 && tl->cpus[0].cpu == 11,
		    "partial: only CPU 11, no header");
		is_int(tl->cpus[0].nbases, 8, "partial: 8 clock bases");
		is_int(tl->cpus[0].bases[0].ntimers, 26, "partial: 26 timers in clock 0");
		t = timer_at(tl, 0, 1, 0);
		ok(t != NULL && strcmp(t->function, "sync_timer_callback") == 0 &&
		    t->addr == 0xffffffffa1515580ULL && t->soft_ns == 1637829792500000000LL,
		    "partial: REALTIME timer");
		ok(td_tl_cpu_field(&tl->cpus[0], TD_TLC_NEXT_TIMER, &x) && x == 15517354273147LL,
		    "partial: .next_timer without unit");
		d = td_tl_cpu_device(tl, 0);
		ok(d != NULL && strcmp(d->fn[TD_TLD_ONESHOT_STOPPED], "lapic_timer_shutdown") == 0 &&
		    d->num[TD_TLD_RETRIES] == 261, "partial: CPU 0 oneshot stopped, retries 261");
		is_str(td_tl_broadcast_device(tl) ? td_tl_broadcast_device(tl)->device : NULL, "hpet",
		    "partial: broadcast hpet");
		td_timer_list_free(tl);
	}

	/* grep Device output: unlabeled devices only */
	if ((tl = public(corpus, "v0.x-2.6.3x-x86-laptop-hpet-lapic-periodic-GREP-Device.txt")) != NULL) {
		ok(!tl->has_version && tl->ndevs == 3, "GREP: 3 tick devices, no header");
		ok(tl->ndevs == 3 && tl->devs[0].kind_guessed && tl->devs[0].tick_mode == 0 &&
		    strcmp(tl->devs[0].device, "hpet") == 0 && strcmp(tl->devs[2].device, "lapic") == 0,
		    "GREP: guessed kinds, periodic mode, names");
		ok(tl->truncated, "GREP: blocks without their fields count as truncated");
		td_timer_list_free(tl);
	}
}

/* Parse a fixture that must fail at line (0: any); check errno, name, line and why. */
static void
fixture_fails(const char *file, long line, const char *why)
{
	struct td_timer_list *tl;
	struct td_error e;
	int r = parse_path(fixture(file), &tl, &e);

	is_int(r, -EINVAL, "%s: -EINVAL", file);
	ok(tl == NULL && strstr(e.path, file) != NULL && e.line >= 1 &&
	    (line == 0 || e.line == line) && strstr(e.msg, why) != NULL,
	    "%s: error names input and line (%s:%ld: %s)", file, e.path, e.line, e.msg);
	check_stream_same(fixture(file));
}

/* Parse a fixture that must succeed. */
static struct td_timer_list *
fixture_ok(const char *file)
{
	struct td_timer_list *tl;
	struct td_error e;

	if (!ok(parse_path(fixture(file), &tl, &e) == 0, "%s parses", file)) {
		diag("%s:%ld: %s", e.path, e.line, e.msg);
		return NULL;
	}
	check_stream_same(fixture(file));
	return tl;
}

/* Hand-made inputs. */
static void
test_fixtures(void)
{
	struct td_timer_list *tl;
	const struct td_tl_timer *t;
	const struct td_tl_tickdev *d;
	int64_t x;

	fixture_fails("empty.txt", 0, "no timer_list content");
	fixture_fails("binary-garbage.bin", 1, "NUL byte");
	/* A NUL byte inside a timer line is not text: the file and line are named. */
	fixture_fails("v0.11-nul-in-timer-line.bin", 12, "NUL byte");

	if ((tl = fixture_ok("v0.10-truncated-mid-cpu.txt")) != NULL) {
		ok(tl->truncated, "mid-CPU: truncated");
		ok(tl->ncpus == 2 && tl->cpus[0].complete && !tl->cpus[1].complete,
		    "mid-CPU: CPU 0 whole, CPU 1 not");
		t = timer_at(tl, 1, 0, 0);
		ok(t != NULL && strcmp(t->function, "tick_nohz_handler") == 0 && !t->has_expiry,
		    "mid-CPU: the last timer kept, without expiry");
		ok(!td_tl_cpu_field(&tl->cpus[1], TD_TLC_JIFFIES, &x), "mid-CPU: no jiffies for CPU 1");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.10-truncated-mid-tickdev.txt")) != NULL) {
		ok(tl->truncated && tl->ndevs == 3, "mid-device: truncated, 3 devices");
		d = td_tl_cpu_device(tl, 1);
		ok(d != NULL && strcmp(d->device, "lapic") == 0 &&
		    d->fn[TD_TLD_EVENT_HANDLER] == NULL &&
		    (d->num_present & (1u << TD_TLD_NEXT_EVENT)), "mid-device: partial CPU 1 device kept");
		ok(td_tl_cpu_device(tl, 0) != NULL &&
		    td_tl_cpu_device(tl, 0)->fn[TD_TLD_EVENT_HANDLER] != NULL, "mid-device: CPU 0 whole");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.10-no-final-newline.txt")) != NULL) {
		ok(tl->truncated, "no final newline: truncated");
		d = td_tl_cpu_device(tl, 1);
		ok(d != NULL && d->has_wakeup && d->wakeup_device == NULL,
		    "no final newline: last line still read");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.10-crlf.txt")) != NULL) {
		ok(!tl->truncated && tl->nunknown_total == 0 && tl->ncpus == 2 && tl->ndevs == 3,
		    "CRLF: parses like LF");
		ok(td_tl_cpu_device(tl, 0) && strcmp(td_tl_cpu_device(tl, 0)->device, "lapic") == 0 &&
		    strcmp(tl->cpus[0].bases[0].get_time, "ktime_get") == 0, "CRLF: no CR in strings");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.10-long-line.txt")) != NULL) {
		ok(tl->nunknown_total == 1 && tl->unknown[0].line == 17 &&
		    strlen(tl->unknown[0].text) <= 200, "long line: kept aside, text capped");
		ok(tl->ncpus == 2 && td_tl_cpu_ntimers(&tl->cpus[0]) == 2 && tl->ndevs == 3 &&
		    !tl->truncated, "long line: the rest parsed");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.10-absurd-numbers.txt")) != NULL) {
		ok(!tl->has_now, "absurd: now absent");
		ok(!td_tl_cpu_field(&tl->cpus[0], TD_TLC_NR_EVENTS, &x) &&
		    td_tl_cpu_field(&tl->cpus[0], TD_TLC_HRES_ACTIVE, &x), "absurd: .nr_events absent");
		t = timer_at(tl, 0, 0, 1);
		ok(t != NULL && !t->has_expiry && strcmp(t->function, "watchdog_timer_fn") == 0,
		    "absurd: expiry absent, timer kept");
		d = td_tl_broadcast_device(tl);
		ok(d != NULL && !(d->num_present & (1u << TD_TLD_MAX_DELTA_NS)) &&
		    (d->num_present & (1u << TD_TLD_MIN_DELTA_NS)), "absurd: max_delta_ns absent");
		is_int(tl->nunknown_total, 5, "absurd: the 5 lines kept aside");
		ok(tl->nunknown > 0 && tl->unknown[0].line == 3, "absurd: with their line numbers");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.12-future-unknown-field.txt")) != NULL) {
		ok(tl->version_future && tl->vminor == 12 && strcmp(tl->version, "v0.12") == 0,
		    "future: version_future");
		ok(tl->ncpus == 2 && tl->nunknown_total == 2 &&
		    strstr(tl->unknown[0].text, ".tick_fancy") != NULL, "future: unknown field kept aside");
		ok(td_tl_cpu_field(&tl->cpus[1], TD_TLC_HIGHRES, &x) && x == 1 &&
		    td_tl_cpu_ntimers(&tl->cpus[1]) == 2, "future: known fields still read");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.10-negative-and-ktime-max.txt")) != NULL) {
		t = timer_at(tl, 0, 0, 0);
		ok(t != NULL && t->rel_soft_ns == -5437343 && t->soft_ns == 8535738788LL,
		    "negative relative expiry");
		t = timer_at(tl, 0, 0, 1);
		ok(t != NULL && t->soft_ns == INT64_MAX && t->hard_ns == INT64_MAX &&
		    td_tl_timer_rel_hard_ns(t) == 9223372028313599676LL, "KTIME_MAX expiry");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.6-2.6.39-index7.txt")) != NULL) {
		ok(tl->cpus[0].nbases == 3 && tl->cpus[0].bases[2].clock == 2 &&
		    tl->cpus[0].bases[2].index == 7 &&
		    strcmp(tl->cpus[0].bases[2].get_time, "ktime_get_boottime") == 0,
		    "2.6.39: clock 2 printed .index 7");
		t = timer_at(tl, 0, 1, 1);
		ok(t != NULL && strcmp(xt(tl, t)->comm, "WorkerPool/3706") == 0 && xt(tl, t)->pid == 3706 &&
		    strcmp(xt(tl, t)->start_site, "schedule_hrtimeout_range_clock.part.28") == 0,
		    "2.6.39: WorkerPool/3706/3706, .part suffix");
		t = timer_at(tl, 0, 1, 0);
		ok(t != NULL && xt(tl, t)->symbol && strcmp(xt(tl, t)->symbol, "tick_cpu_sched") == 0 && t->addr == 0,
		    "2.6.39: timer printed as symbol");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.11-1cpu.txt")) != NULL) {
		ok(tl->ncpus == 1 && tl->ndevs == 1 && !tl->truncated, "v0.11 1 CPU: shape");
		ok(!td_tl_cpu_field(&tl->cpus[0], TD_TLC_IDLE_JIFFIES, &x) &&
		    !td_tl_cpu_field(&tl->cpus[0], TD_TLC_IOWAIT_SLEEPTIME, &x) &&
		    td_tl_cpu_field(&tl->cpus[0], TD_TLC_TICK_STOPPED, &x) && x == 1,
		    "v0.11 1 CPU: removed fields absent");
		ok(tl->cpus[0].bases[0].get_time == NULL &&
		    !(tl->cpus[0].bases[0].present & TD_TLB_GET_TIME), "v0.11 1 CPU: no .get_time");
		ok(td_tl_broadcast_device(tl) == NULL && td_tl_cpu_device(tl, 0) != NULL &&
		    td_tick_mode_from_handler(td_tl_cpu_device(tl, 0)->fn[TD_TLD_EVENT_HANDLER]) ==
		    TD_TICK_HIGHRES, "v0.11 1 CPU: no broadcast, high-res");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.3-2cpu-unlabeled-broadcast.txt")) != NULL) {
		d = td_tl_broadcast_device(tl);
		ok(d != NULL && d->kind_guessed && strcmp(d->device, "pit") == 0,
		    "v0.3: device followed by the masks guessed broadcast");
		ok(td_tl_cpu_device(tl, 0) && td_tl_cpu_device(tl, 1) &&
		    td_tl_cpu_device(tl, 1) != td_tl_cpu_device(tl, 0) &&
		    td_tl_cpu_device(tl, 1)->kind_guessed, "v0.3: the others guessed CPU 0 and 1");
		ok(td_tick_mode_from_handler(td_tl_cpu_device(tl, 1)->fn[TD_TLD_EVENT_HANDLER]) ==
		    TD_TICK_NOHZ_LOWRES, "v0.3: low-res NOHZ");
		t = timer_at(tl, 0, 1, 1);
		ok(t != NULL && t->rel_soft_ns == -659091 && strcmp(xt(tl, t)->comm, "/usr/sbin/ntpd") == 0 &&
		    xt(tl, t)->pid == 2010, "v0.3: %%Lu relative expiry read as negative");
		is_str(tl->broadcast_mask, "00000003", "v0.3: mask");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.8-sysrq-kmsg-split-pk-error.txt")) != NULL) {
		ok(tl->from_log && tl->ncpus == 1, "kmsg: from_log");
		t = timer_at(tl, 0, 0, 1);
		ok(t != NULL && t->addr == 0 && xt(tl, t)->symbol == NULL && t->has_state && t->state == 1 &&
		    strcmp(t->function, "watchdog_timer_fn") == 0 && t->has_expiry &&
		    t->soft_ns == 92000000000LL, "kmsg: split pK-error timer put together");
		d = td_tl_cpu_device(tl, 0);
		ok(d != NULL && d->device && strcmp(d->device, "lapic-deadline") == 0,
		    "kmsg: split Clock Event Device name");
		ok(td_tl_broadcast_device(tl) && strcmp(td_tl_broadcast_device(tl)->device, "hpet") == 0,
		    "kmsg: broadcast hpet");
		ok(tl->nunknown_total == 1 && strstr(tl->unknown[0].text, "e1000e") != NULL,
		    "kmsg: an unrelated kernel message kept aside");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.5-syslog-prefix.txt")) != NULL) {
		ok(tl->from_log && tl->nunknown_total == 0 && tl->ncpus == 1, "syslog: prefixes stripped");
		t = timer_at(tl, 0, 1, 1);
		ok(t != NULL && strcmp(xt(tl, t)->comm, "Web Content") == 0 && xt(tl, t)->pid == 28960,
		    "syslog: comm with a space");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.9-dmesg-T-tickdev-fragment.txt")) != NULL) {
		d = td_tl_cpu_device(tl, 0);
		ok(tl->from_log && !tl->has_version && tl->nunknown_total == 0 && tl->ndevs == 1,
		    "dmesg -T: human timestamps stripped");
		ok(d != NULL && td_tick_mode_from_handler(d->fn[TD_TLD_EVENT_HANDLER]) ==
		    TD_TICK_NOHZ_LOWRES && d->has_wakeup && !tl->truncated,
		    "dmesg -T: CPU 0 device whole, low-res NOHZ");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.10-fragment-percpu-tickdevs-only.txt")) != NULL) {
		ok(tl->ncpus == 0 && tl->ndevs == 2 && td_tl_broadcast_device(tl) == NULL,
		    "per-CPU devices only: two devices, no CPU block");
		d = td_tl_cpu_device(tl, 1);
		ok(d != NULL && strcmp(d->device, "lapic") == 0 &&
		    td_tick_mode_from_handler(d->fn[TD_TLD_EVENT_HANDLER]) == TD_TICK_HIGHRES,
		    "per-CPU devices only: CPU 1 lapic, high-res");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.10-fragment-starts-mid-cpu.txt")) != NULL) {
		ok(tl->ncpus == 2 && tl->cpus[0].cpu == -1 && tl->cpus[1].cpu == 1,
		    "starts mid-CPU: a block of unknown CPU, then CPU 1");
		ok(tl->cpus[0].nbases == 1 && tl->cpus[0].bases[0].clock == 1 &&
		    strcmp(tl->cpus[0].bases[0].get_time, "ktime_get_real") == 0 &&
		    td_tl_cpu_field(&tl->cpus[0], TD_TLC_IDLE_CALLS, &x) && x == 165 &&
		    tl->cpus[0].complete, "starts mid-CPU: its clock base and tick fields read");
		ok(tl->nunknown_total == 0 && td_tl_cpu_ntimers(&tl->cpus[1]) == 2,
		    "starts mid-CPU: nothing left over");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.10-partial-tickdev-before-cpu.txt")) != NULL) {
		d = td_tl_cpu_device(tl, 0);
		ok(tl->ncpus == 1 && tl->cpus[0].cpu == 1 && d != NULL &&
		    strcmp(d->device, "lapic") == 0 && d->has_wakeup,
		    "tick device before the CPU block: kept, whole");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.3-grep-device-3devs.txt")) != NULL) {
		d = td_tl_broadcast_device(tl);
		ok(d != NULL && d->kind_guessed && strcmp(d->device, "hpet") == 0,
		    "grep Device: the odd first device guessed broadcast");
		ok(td_tl_cpu_device(tl, 0) && td_tl_cpu_device(tl, 1) &&
		    strcmp(td_tl_cpu_device(tl, 1)->device, "lapic") == 0 &&
		    td_tl_cpu_device(tl, 2) == NULL, "grep Device: lapic on CPU 0 and 1");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.10-elided-timers.txt")) != NULL) {
		ok(tl->nelided == 1 && tl->nunknown_total == 0, "elided: counted, not unknown");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.5-2.6.32-realtime-offset-monotonic-in.txt")) != NULL) {
		t = timer_at(tl, 0, 0, 0);
		ok(t != NULL && t->rel_soft_ns == 5000000000LL &&
		    td_tl_timer_rel_hard_ns(t) == 5000050000LL,
		    "2.6.32: realtime [in ...] against the monotonic now, .offset applied");
		t = timer_at(tl, 0, 1, 0);
		ok(t != NULL && t->rel_soft_ns == 4000000, "2.6.32: monotonic timer unchanged");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.10-negative-and-ktime-max.txt")) != NULL) {
		t = timer_at(tl, 0, 0, 1);
		ok(t != NULL && t->soft_ns == INT64_MAX && t->rel_soft_ns == 9223372028313599676LL,
		    "KTIME_MAX: relative expiry of a monotonic base untouched");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.10-int64-min.txt")) != NULL) {
		t = timer_at(tl, 0, 0, 0);
		ok(t != NULL && t->rel_soft_ns == INT64_MIN, "INT64_MIN relative expiry read");
		td_timer_list_free(tl);
	}
	if ((tl = fixture_ok("v0.8-sigmastar-config-hz.txt")) != NULL) {
		is_int(tl->config_hz, 100, "vendor CONFIG_HZ line");
		t = timer_at(tl, 0, 0, 1);
		ok(t != NULL && strcmp(xt(tl, t)->symbol, "sched_clock_timer") == 0, "vendor: symbol timer");
		td_timer_list_free(tl);
	}
}

/*
 * Numbers of every length in the two lines the fast paths read, each parse
 * checked against strtoll/strtoull and against the parse without fast paths.
 */
static void
test_numbers(void)
{
	static const char *const dec[] = {
		"0", "7", "-7", "12", "123", "1234", "12345", "123456", "1234567",
		"12345678", "-12345678", "123456789", "1234567890", "98765432101",
		"123456789012", "1234567890123", "12345678901234", "123456789012345",
		"1234567890123456", "12345678901234567", "123456789012345678",
		"1234567890123456789", "9223372036854775807", "-9223372036854775808",
		"9223372036854775808", "12345678901234567890", "00000000000000000001",
		"+5", "-0",
	};
	static const char *const hex[] = {
		"0", "f", "F", "1a", "abcdef", "ABCDEF0", "0123abcd", "89ABcdef0",
		"ffffffff8e2c0ba0", "FFFFFFFF8E2C0BA0", "0000000000000000", "1ffffffff8e2c0ba0",
		"fffffffg", "00000000pK-error", "(____ptrval____)", "",
		"FFFFffff8e2C0bA0", "ffffffff8e2c0ba/", "ffffffff8e2c0ba:", "ffffffff8e2c0ba@",
		"ffffffff8e2c0ba`", "ffffffff8e2c0baG", "ffffffff8e2c0bag",
	};
	char buf[512], why[256];
	int bad = 0, fastbad = 0;

	for (size_t i = 0; i < TD_ARRAY_SIZE(dec); i++) {
		for (size_t j = 0; j < TD_ARRAY_SIZE(hex); j++) {
			struct td_timer_list *a = NULL, *b = NULL;
			struct td_error e;
			const struct td_tl_timer *t;
			char *endp;
			int len;
			long long want;
			unsigned long long wanth;
			bool dec_ok, hex_ok;

			len = snprintf(buf, sizeof(buf), "cpu: 0\n clock 0:\nactive timers:\n"
			    " #0: <%s>, hrtimer_wakeup, S:01\n"
			    " # expires at %s-%s nsecs [in %s to %s nsecs]\n", hex[j],
			    dec[i], dec[i], dec[i], dec[i]);
			errno = 0;
			want = strtoll(dec[i], &endp, 10);
			dec_ok = errno == 0;
			errno = 0;
			wanth = strtoull(hex[j], &endp, 16);
			hex_ok = errno == 0 && *endp == '\0' && strlen(hex[j]) <= 16;
			if (td_timer_list_parse(buf, (size_t)len, "numbers", &a, &e) < 0 ||
			    td_timer_list_parse_with(buf, (size_t)len, "numbers", false, SIZE_MAX, &b, &e, NULL) < 0 ||
			    (t = timer_at(a, 0, 0, 0)) == NULL) {
				bad++;
				diag("%s / %s: no parse", dec[i], hex[j]);
			} else {
				if (!same_tl(a, b, why, sizeof(why)))
					fastbad++;
				if (t->has_expiry != dec_ok ||
				    (dec_ok && (t->soft_ns != want || t->rel_soft_ns != want ||
				    td_tl_timer_rel_hard_ns(t) != want)) ||
				    t->addr != (hex_ok ? wanth : 0) ||
				    xt(a, t)->symbol != NULL) {
					bad++;
					diag("%s / %s: expiry %d %lld, addr %llx", dec[i], hex[j],
					    t->has_expiry, (long long)t->soft_ns,
					    (unsigned long long)t->addr);
				}
			}
			td_timer_list_free(a);
			td_timer_list_free(b);
		}
	}
	ok(bad == 0, "numbers of 1 to 20 digits and hex of 1 to 17 digits read as strtoll says");
	ok(fastbad == 0, "the fast paths read them as the plain parser");

	/* the S: byte, two digits as printed and every other shape */
	static const char *const st[] = {
		"01", "0f", "FF", "a0", "1", "001", "100", "1g", "g1", "", "0x1", "01 ",
	};
	bad = fastbad = 0;
	for (size_t i = 0; i < TD_ARRAY_SIZE(st); i++) {
		struct td_timer_list *a = NULL, *b = NULL;
		struct td_error e;
		const struct td_tl_timer *t;
		unsigned long want;
		char *endp;
		int len;
		bool known;

		len = snprintf(buf, sizeof(buf), "cpu: 0\n clock 0:\nactive timers:\n"
		    " #0: <ffffffff8e2c0ba0>, hrtimer_wakeup, S:%s\n"
		    " # expires at 1-2 nsecs [in 3 to 4 nsecs]\n", st[i]);
		/* its leading hex digits, as the kernel's %02x would print them */
		char digits[16] = "";
		size_t nd = strspn(st[i], "0123456789abcdefABCDEF");

		memcpy(digits, st[i], nd < sizeof(digits) - 1 ? nd : sizeof(digits) - 1);
		want = strtoul(digits, &endp, 16);
		known = nd > 0 && want <= 0xff;
		if (td_timer_list_parse(buf, (size_t)len, "state", &a, &e) < 0 ||
		    td_timer_list_parse_with(buf, (size_t)len, "state", false, SIZE_MAX, &b, &e, NULL) < 0 ||
		    (t = timer_at(a, 0, 0, 0)) == NULL) {
			bad++;
			diag("S:%s: no parse", st[i]);
		} else {
			if (!same_tl(a, b, why, sizeof(why))) {
				fastbad++;
				diag("S:%s: %s", st[i], why);
			}
			if (t->has_state != known || (known && t->state != want)) {
				bad++;
				diag("S:%s: has_state %d state %u", st[i], t->has_state, t->state);
			}
		}
		td_timer_list_free(a);
		td_timer_list_free(b);
	}
	ok(bad == 0, "the S: byte read as its leading hex digits, or not at all");
	ok(fastbad == 0, "the fast path reads the S: byte as the plain parser");
}

/*
 * A v0.7 timer_list of 8 CPUs whose timers carry symbols and TIMER_STATS fields,
 * with unknown lines on both sides of the middle, parsed in two parts.
 */
static void
test_split(void)
{
	char path[] = "/tmp/td-tl-split-XXXXXX";
	struct td_timer_list *tl = NULL;
	struct td_error e;
	const struct td_tl_timer *t;
	bool cut = false;
	int fd = mkstemp(path), r;
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!ok(f != NULL, "split: temporary file")) {
		if (fd >= 0)
			close(fd);
		return;
	}
	fprintf(f, "Timer List Version: v0.7\nHRTIMER_MAX_CLOCK_BASES: 3\n"
	    "now at 5000000000 nsecs\n\n");
	for (int c = 0; c < 8; c++) {
		fprintf(f, "cpu: %d\n clock 0:\n  .base:       ffff88000%07x\n  .index:      0\n"
		    "  .resolution: 1 nsecs\n  .get_time:   ktime_get\n  .offset:     0 nsecs\n"
		    "active timers:\n", c, c);
		for (int i = 0; i < 40; i++) {
			if (i % 3 == 0)
				fprintf(f, " #%d: tick_cpu_sched, tick_sched_timer, S:01, "
				    "hrtimer_start_range_ns, swapper/%d/0\n", i, c);
			else
				fprintf(f, " #%d: <ffff88003%07x>, hrtimer_wakeup, S:01, "
				    "do_nanosleep, worker %d/%d\n", i, c * 100 + i, i, 1000 + c * 100 + i);
			fprintf(f, " # expires at %d-%d nsecs [in %d to %d nsecs]\n",
			    5000000 + i, 5000100 + i, i - 50, i + 50);
		}
		if (c == 1 || c == 6)
			fprintf(f, "a line no kernel prints on cpu %d\n", c);
		fprintf(f, "  .expires_next   : 5004000000 nsecs\n  .hres_active    : 1\n"
		    "  .nohz_mode      : 2\n  .tick_stopped   : %d\njiffies: 4294668296\n\n", c % 2);
	}
	fprintf(f, "\nTick Device: mode:     1\nBroadcast device\nClock Event Device: hpet\n"
	    " event_handler:  tick_handle_oneshot_broadcast\n retries:        0\n\n"
	    "tick_broadcast_mask: 00000000\ntick_broadcast_oneshot_mask: 00000000\n\n");
	for (int c = 0; c < 8; c++)
		fprintf(f, "Tick Device: mode:     1\nPer CPU device: %d\n"
		    "Clock Event Device: lapic\n event_handler:  hrtimer_interrupt\n"
		    " retries:        0\n\n", c);
	fclose(f);
	r = parse_path(path, &tl, &e);
	check_split(path, r, tl, &e, &cut);
	ok(cut, "split: the 8-CPU file is cut in two");
	ok(r == 0 && tl->ncpus == 8 && tl->ndevs == 9 && tl->nunknown_total == 2 &&
	    tl->unknown[1].line > tl->unknown[0].line && td_tl_cpu_ntimers(&tl->cpus[7]) == 40,
	    "split: every CPU, device and unknown line");
	t = r == 0 ? timer_at(tl, 7, 0, 38) : NULL;
	ok(t != NULL && strcmp(xt(tl, t)->comm, "worker 38") == 0 && xt(tl, t)->pid == 1738 &&
	    td_tl_timer_rel_hard_ns(t) == 88, "split: CPU 7's comm, pid and expiry");
	t = r == 0 ? timer_at(tl, 7, 0, 39) : NULL;
	ok(t != NULL && strcmp(xt(tl, t)->symbol, "tick_cpu_sched") == 0 &&
	    strcmp(xt(tl, t)->comm, "swapper/7") == 0 && xt(tl, t)->pid == 0,
	    "split: CPU 7's symbol timer");
	td_timer_list_free(tl);
	unlink(path);
}

/* Inputs that would make the parser keep far more than the kernel can print. */
static void
test_bounds(void)
{
	struct td_timer_list *tl = NULL;
	struct td_error e;
	size_t cap = 9000 * 16 + 100 * 16, len = 0;
	char *buf = malloc(cap);

	for (int i = 0; i < 9000; i++)
		len += (size_t)snprintf(buf + len, cap - len, "cpu: %d\n", i);
	len += (size_t)snprintf(buf + len, cap - len, "cpu: 9000\n");
	for (int i = 0; i < 100; i++)
		len += (size_t)snprintf(buf + len, cap - len, " clock %d:\n", i);
	ok(td_timer_list_parse(buf, len, "bounds", &tl, &e) == 0 && tl->ncpus == 8192 &&
	    tl->nunknown_total == 809 + 100, "9001 CPU blocks: 8192 kept, the rest unknown");
	td_timer_list_free(tl);
	len = 0;
	len += (size_t)snprintf(buf + len, cap - len, "cpu: 0\n");
	for (int i = 0; i < 100; i++)
		len += (size_t)snprintf(buf + len, cap - len, " clock %d:\n", i);
	ok(td_timer_list_parse(buf, len, "bounds", &tl, &e) == 0 && tl->ncpus == 1 &&
	    tl->cpus[0].nbases == 64 && tl->nunknown_total == 36, "100 clock bases: 64 kept");
	td_timer_list_free(tl);
	free(buf);
}

/* Name tables and the tick mode of each handler. */
static void
test_tables(void)
{
	is_str(td_tl_cpu_field_names[TD_TLC_IOWAIT_SLEEPTIME], "iowait_sleeptime", "field names");
	is_str(td_tl_cpu_field_names[TD_TLC_JIFFIES], "jiffies", "jiffies name");
	is_str(td_tl_dev_num_names[TD_TLD_RETRIES], "retries", "device number names");
	is_str(td_tl_dev_fn_names[TD_TLD_ONESHOT_STOPPED], "oneshot_stopped", "device callback names");
	is_int(td_tick_mode_from_handler("hrtimer_interrupt"), TD_TICK_HIGHRES, "hrtimer_interrupt");
	is_int(td_tick_mode_from_handler("tick_nohz_handler"), TD_TICK_NOHZ_LOWRES, "tick_nohz_handler");
	is_int(td_tick_mode_from_handler("tick_nohz_lowres_handler"), TD_TICK_NOHZ_LOWRES,
	    "tick_nohz_lowres_handler");
	is_int(td_tick_mode_from_handler("tick_handle_periodic"), TD_TICK_PERIODIC,
	    "tick_handle_periodic");
	is_int(td_tick_mode_from_handler("tick_handle_oneshot_broadcast"), TD_TICK_UNKNOWN,
	    "broadcast handler");
	is_int(td_tick_mode_from_handler(NULL), TD_TICK_UNKNOWN, "no handler");
	is_str(td_tick_mode_name(TD_TICK_NOHZ_LOWRES), "nohz_lowres", "mode name");
	is_str(td_tick_mode_name(TD_TICK_HIGHRES), "highres", "mode name");
	is_str(td_tick_mode_name(TD_TICK_PERIODIC), "periodic", "mode name");
	is_str(td_tick_mode_name(TD_TICK_UNKNOWN), "unknown", "mode name");
	ok(td_tl_cpu_device(NULL, 0) == NULL && td_tl_broadcast_device(NULL) == NULL &&
	    td_tl_cpu_ntimers(NULL) == 0, "lookups take NULL");
	td_timer_list_free(NULL);
	ok(1, "td_timer_list_free(NULL)");
}

/*
 * A big input built from a capture (2,000 CPU blocks, a 300 KB line) so the
 * streaming reader crosses its chunk boundaries, compared with the buffer parse.
 */
static void
test_stream_big(const char *corpus)
{
	char path[4096], why[256] = "";
	struct td_timer_list *a = NULL, *b = NULL, *c = NULL;
	struct td_error e;
	char *text, *cpu0, *tick, *big;
	size_t len = 0, cap, blk;
	bool parts = true;
	FILE *f;
	int r1, r2, r3;

	snprintf(path, sizeof(path), "%s/kmatrix/amd64-6.12-generic-default/proc/timer_list", corpus);
	text = slurp(path);
	if (!ok(text != NULL, "big: capture read"))
		return;
	cpu0 = strstr(text, "cpu: 0\n");
	tick = strstr(text, "cpu: 1\n");
	if (!ok(cpu0 && tick, "big: capture has CPU blocks")) {
		free(text);
		return;
	}
	blk = (size_t)(tick - cpu0);
	cap = (size_t)(cpu0 - text) + 2000 * (blk + 16) + 300 * 1024 + strlen(tick) + 64;
	big = malloc(cap);
	memcpy(big, text, (size_t)(cpu0 - text));
	len = (size_t)(cpu0 - text);
	for (int i = 0; i < 2000; i++) {
		len += (size_t)snprintf(big + len, cap - len, "cpu: %d\n", i);
		memcpy(big + len, cpu0 + 7, blk - 7);
		len += blk - 7;
		if (i == 1000) {
			memset(big + len, 'x', 300 * 1024);
			len += 300 * 1024;
			big[len++] = '\n';
		}
	}
	tick = strstr(tick, "Tick Device:");
	memcpy(big + len, tick, strlen(tick));
	len += strlen(tick);
	r1 = td_timer_list_parse(big, len, "big", &a, &e);
	f = tmpfile();
	if (f != NULL) {
		fwrite(big, 1, len, f);
		rewind(f);
		r2 = td_timer_list_parse_file(f, "big", TD_TL_TIMERS, &b, &e);
		rewind(f);
		/* in one pass: the records start on one mapped chunk */
		r3 = td_timer_list_parse_file_with(f, "big", TD_TL_TIMERS, SIZE_MAX, &c, &e,
		    &parts);
		fclose(f);
	} else
		r2 = r3 = -errno;
	ok(r1 == 0 && r2 == 0 && a->ncpus == 2000 && a->nunknown_total == 1,
	    "big: 2000 CPUs and one overlong line (%d %d)", r1, r2);
	ok(r1 == 0 && r2 == 0 && same_tl(a, b, why, sizeof(why)), "big: stream = buffer %s", why);
	ok(len > ((size_t)4 << 20) && r3 == 0 && !parts && same_tl(a, c, why, sizeof(why)),
	    "big: %zu bytes in one pass = in parts %s", len, why);
	ok(r1 == 0 && a->cpus[1999].cpu == 1999 && a->cpus[1999].complete &&
	    td_tl_cpu_ntimers(&a->cpus[1999]) == td_tl_cpu_ntimers(&a->cpus[0]),
	    "big: last CPU whole");
	td_timer_list_free(a);
	td_timer_list_free(b);
	td_timer_list_free(c);
	free(big);
	free(text);
}

/* The live kernel's timer_list, when readable. */
static void
test_live(void)
{
	struct td_timer_list *tl;
	struct td_error e;
	FILE *f = fopen("/proc/timer_list", "r");
	long online = 0;
	char buf[256];

	if (f == NULL) {
		ok(1, "# SKIP /proc/timer_list not readable here");
		return;
	}
	ok(td_timer_list_parse_file(f, "/proc/timer_list", TD_TL_TIMERS, &tl, &e) == 0,
	    "live: parses");
	fclose(f);
	f = fopen("/sys/devices/system/cpu/online", "r");
	if (f != NULL && fgets(buf, sizeof(buf), f) != NULL) {
		char *p = buf;

		while (*p) {
			long lo = strtol(p, &p, 10), hi = lo;

			if (*p == '-')
				hi = strtol(p + 1, &p, 10);
			online += hi - lo + 1;
			if (*p == ',')
				p++;
			else
				break;
		}
	}
	if (f != NULL)
		fclose(f);
	if (tl == NULL)
		return;
	ok(tl->has_version && !tl->version_future && !tl->truncated && tl->nunknown_total == 0,
	    "live: %s, whole, nothing unknown", tl->version);
	is_int(tl->ncpus, online, "live: one CPU block per online CPU");
	for (size_t i = 0; i < tl->ncpus; i++) {
		const struct td_tl_tickdev *d = td_tl_cpu_device(tl, tl->cpus[i].cpu);

		ok(d != NULL && td_tick_mode_from_handler(d->fn[TD_TLD_EVENT_HANDLER]) !=
		    TD_TICK_UNKNOWN, "live: CPU %d has a tick device with a known handler",
		    tl->cpus[i].cpu);
	}
	td_timer_list_free(tl);
}

/*
 * Tick devices printed out of CPU order, one CPU's twice, one CPU without
 * any: each CPU's device is the first printed for it (td_tl_cpu_device looks
 * them up in an index sorted by CPU).
 */
static void
test_cpu_devices(void)
{
	static const int order[] = { 3, 1, 3, 0, 7 };
	char buf[4096];
	size_t n;
	struct td_timer_list *tl = NULL;
	struct td_error e;
	const struct td_tl_tickdev *d;

	n = (size_t)snprintf(buf, sizeof(buf), "Timer List Version: v0.10\n"
	    "HRTIMER_MAX_CLOCK_BASES: 8\nnow at 1000 nsecs\n\n");
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "Tick Device: mode:     1\n"
		    "Per CPU device: %d\nClock Event Device: dev%zu\n"
		    " event_handler:  hrtimer_interrupt\n retries:        0\n\n", order[i], i);
	if (!ok(td_timer_list_parse(buf, n, "devices", &tl, &e) == 0 && tl->ndevs == 5,
	    "devices out of order: 5 parsed"))
		return;
	d = td_tl_cpu_device(tl, 3);
	ok(d != NULL && strcmp(d->device, "dev0") == 0, "CPU 3: its first device");
	d = td_tl_cpu_device(tl, 1);
	ok(d != NULL && strcmp(d->device, "dev1") == 0, "CPU 1: its device");
	d = td_tl_cpu_device(tl, 0);
	ok(d != NULL && strcmp(d->device, "dev3") == 0, "CPU 0: printed after CPU 3's");
	d = td_tl_cpu_device(tl, 7);
	ok(d != NULL && strcmp(d->device, "dev4") == 0, "CPU 7: the last");
	ok(td_tl_cpu_device(tl, 2) == NULL && td_tl_cpu_device(tl, 8) == NULL &&
	    td_tl_cpu_device(tl, -1) == NULL, "CPUs 2, 8 and -1: none");
	td_timer_list_free(tl);
}

int
main(void)
{
	const char *corpus = corpus_dir();

	srcdir = getenv("TD_SRCDIR");
	if (srcdir == NULL || srcdir[0] == '\0')
		srcdir = "..";
	test_tables();
	test_fixtures();
	test_cpu_devices();
	test_bounds();
	test_numbers();
	test_split();
	if (corpus != NULL) {
		test_kmatrix(corpus);
		test_public(corpus);
		test_stream_big(corpus);
	} else
		ok(1, "# SKIP no corpus (TD_CORPUS): kmatrix and public samples not checked");
	test_live();
	return done_testing();
}
