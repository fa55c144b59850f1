/*
 * The text trace reader on the corpus's real wakeup traces and on fixtures.
 * Each event is checked against its own line, read here by the tracefs trace
 * file's fixed columns and strstr; counts per CPU against a plain scan of the
 * lines; idle exits, local timer interrupts and tick_stop against truth.json;
 * the other layouts (trace-cmd report, report -l, record-tgid, an older
 * kernel's) against the same events in the tracefs layout.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minijson.h"
#include "source.h"
#include "inputs.h"
#include "tap.h"
#include "trace_text.h"
#include "test_hooks.h"

#define MAXCPU	64

/* One event as the callback saw it, its strings copied. */
struct rec {
	struct td_tev	 ev;
	char		 name[64], comm[32], func[64];
	long		 line;
	int		 tgid;
};

struct cap {
	struct td_trace_text	*r;
	struct rec		*v;
	size_t			 n, alloc;
	size_t			 stop_every;
};

static void
collect(const struct td_tev *ev, void *arg)
{
	struct cap *c = arg;
	struct rec *x;
	const char *fn;

	if (c->n == c->alloc) {
		c->alloc = c->alloc ? c->alloc * 2 : 1024;
		c->v = realloc(c->v, c->alloc * sizeof(*c->v));
	}
	x = &c->v[c->n++];
	memset(x, 0, sizeof(*x));
	x->ev = *ev;
	snprintf(x->name, sizeof(x->name), "%.*s", (int)ev->namelen, ev->name ? ev->name : "");
	snprintf(x->comm, sizeof(x->comm), "%.*s", (int)ev->commlen, ev->comm ? ev->comm : "");
	fn = td_trace_text_function_name(c->r, ev->function);
	snprintf(x->func, sizeof(x->func), "%s", ev->function && fn ? fn : "");
	x->line = td_trace_text_line(c->r);
	x->tgid = td_trace_text_tgid(c->r);
	if (c->stop_every && c->n % c->stop_every == 0)
		td_trace_text_stop(c->r);
}

/*
 * Read len bytes at buf through the stream reader (fmemopen; /dev/null for
 * none), as a tool reads a file.
 */
static int
read_mem(struct td_trace_text *r, const char *buf, size_t len, td_trace_text_cb cb, void *arg,
    struct td_error *e)
{
	FILE *f = len > 0 ? fmemopen((void *)(uintptr_t)buf, len, "r") : fopen("/dev/null", "r");
	int rc;

	if (f == NULL)
		return -errno;
	rc = td_trace_text_read(r, f, cb, arg, e);
	fclose(f);
	return rc;
}

/* Read path through a FILE (or, buffer true, a buffer) into c; returns the reader's result. */
static int
read_path(const char *path, bool buffer, struct cap *c, struct td_error *e)
{
	int rc;

	memset(c, 0, sizeof(*c));
	td_error_clear(e);
	if (td_trace_text_new(path, &c->r, e) < 0)
		return -ENOMEM;
	if (buffer) {
		struct td_buf b;

		if (td_read_file(path, 64 << 20, &b, e) < 0)
			return -EIO;
		rc = read_mem(c->r, b.data, b.len, collect, c, e);
		td_buf_free(&b);
	} else {
		FILE *f = fopen(path, "r");

		if (f == NULL)
			return -errno;
		rc = td_trace_text_read(c->r, f, collect, c, e);
		fclose(f);
	}
	return rc;
}

static void
cap_free(struct cap *c)
{
	td_trace_text_free(c->r);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* The lines of a buffer, NUL-terminated in place; lines[i] is line i + 1. */
static char **
split_lines(char *d, size_t len, size_t *n)
{
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	for (char *p = d; p < d + len;) {
		char *nl = memchr(p, '\n', (size_t)(d + len - p));

		if (*n == cap) {
			cap = cap ? cap * 2 : 4096;
			v = realloc(v, cap * sizeof(*v));
		}
		v[(*n)++] = p;
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return v;
}

/* The event names this test knows, each with its type (vectors and their labels too). */
static const struct {
	const char	*name;
	int		 type;
	const char	*label;
} names[] = {
	{ "timer_start", TD_TEV_TIMER_START, NULL },
	{ "hrtimer_start", TD_TEV_HRTIMER_START, NULL },
	{ "timer_expire_entry", TD_TEV_TIMER_EXPIRE, NULL },
	{ "hrtimer_expire_entry", TD_TEV_HRTIMER_EXPIRE, NULL },
	{ "timer_cancel", TD_TEV_TIMER_CANCEL, NULL },
	{ "hrtimer_cancel", TD_TEV_HRTIMER_CANCEL, NULL },
	{ "irq_handler_entry", TD_TEV_IRQ, NULL },
	{ "softirq_entry", TD_TEV_SOFTIRQ, NULL },
	{ "cpu_idle", TD_TEV_IDLE, NULL },
	{ "ipi_entry", TD_TEV_IPI, NULL },
	{ "sched_switch", TD_TEV_SCHED_SWITCH, NULL },
	{ "sched_wakeup", TD_TEV_SCHED_WAKEUP, NULL },
	{ "tick_stop", TD_TEV_TICK_STOP, NULL },
	{ "timer_base_idle", TD_TEV_TIMER_BASE_IDLE, NULL },
	{ "tmigr_cpu_active", TD_TEV_TMIGR, NULL },
	{ "tmigr_cpu_idle", TD_TEV_TMIGR, NULL },
	{ "tmigr_cpu_new_timer", TD_TEV_TMIGR, NULL },
	{ "tmigr_cpu_new_timer_idle", TD_TEV_TMIGR, NULL },
	{ "tmigr_handle_remote_cpu", TD_TEV_TMIGR, NULL },
	{ "tmigr_handle_remote", TD_TEV_TMIGR, NULL },
	{ "tmigr_cpu_online", TD_TEV_TMIGR, NULL },
	{ "tmigr_cpu_offline", TD_TEV_TMIGR, NULL },
	{ "tmigr_cpu_available", TD_TEV_TMIGR, NULL },
	{ "tmigr_cpu_unavailable", TD_TEV_TMIGR, NULL },
	{ "tmigr_group_set_cpu_active", TD_TEV_TMIGR, NULL },
	{ "tmigr_group_set_cpu_inactive", TD_TEV_TMIGR, NULL },
	{ "local_timer_entry", TD_TEV_VECTOR, "LOC" },
	{ "reschedule_entry", TD_TEV_VECTOR, "RES" },
	{ "call_function_entry", TD_TEV_VECTOR, "CAL" },
	{ "call_function_single_entry", TD_TEV_VECTOR, "CAL" },
	{ "irq_work_entry", TD_TEV_VECTOR, "IWI" },
};

static const char *const depnames[] = { "NONE", "POSIX_TIMER", "PERF_EVENTS", "SCHED",
	"CLOCK_UNSTABLE", "RCU", "RCU_EXP" };

/* The value after key in s (first occurrence), as a number in base. */
static unsigned long long
after(const char *s, const char *key, int base, bool *found)
{
	const char *p = strstr(s, key);

	if (p == NULL) {
		*found = false;
		return 0;
	}
	return strtoull(p + strlen(key), NULL, base);
}

/* The word after key in s, into buf. */
static const char *
word(const char *s, const char *key, char *buf, size_t len)
{
	const char *p = strstr(s, key);
	size_t n;

	buf[0] = '\0';
	if (p != NULL) {
		p += strlen(key);
		n = strcspn(p, " ");
		snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), p);
	}
	return buf;
}

/*
 * Check one event against its tracefs line, read by the fixed columns of
 * "%16s-%-7d [%03d] %5s %5lu.%06lu: NAME: INFO"; "" when it agrees, else why not.
 */
static const char *
check_line(const struct rec *x, const char *line)
{
	char comm[17], flags[8], ev[64], w[80], w2[80];
	const char *info;
	unsigned long long sec, usec, v;
	int pid, cpu, n = 0;
	bool ok = true, pinned;
	unsigned ctx = 0;

	if (strlen(line) < 30 || line[16] != '-')
		return "not a tracefs line";
	snprintf(comm, sizeof(comm), "%.16s", line);
	if (sscanf(line + 17, "%d [%d] %7s %llu.%llu: %63[a-z_0-9]: %n", &pid, &cpu, flags, &sec,
	    &usec, ev, &n) != 6 || n == 0)
		return "line does not scan";
	info = line + 17 + n;
	if (strcmp(x->comm, comm + strspn(comm, " ")) != 0)
		return "comm";
	if (x->ev.pid != pid || x->ev.cpu != cpu)
		return "pid or cpu";
	if (x->ev.ts != sec * 1000000000ull + usec * 1000ull)
		return "timestamp";
	if (strchr("hHZ", flags[2]) != NULL)
		ctx |= TD_TEV_CTX_HARDIRQ;
	if (strchr("sH", flags[2]) != NULL)
		ctx |= TD_TEV_CTX_SOFTIRQ;
	if (x->ev.ctx != ctx)
		return "ctx";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, ev) == 0 && names[i].type != (int)x->ev.type)
			return "type";
	switch (x->ev.type) {
	case TD_TEV_TIMER_START:
		v = after(info, " cpu=", 10, &ok);
		if ((x->ev.flags & 0x3ffff) != v)
			return "timer cpu";
		word(info, " flags=", w, sizeof(w));
		/* TIMER_DEFERRABLE and TIMER_PINNED in the format files' print fmt. */
		if (!!(x->ev.flags & 0x00080000) != !!strchr(w, 'D') ||
		    !!(x->ev.flags & 0x00100000) != !!strchr(w, 'P'))
			return "timer flags";
		/* FALLTHROUGH */
	case TD_TEV_TIMER_EXPIRE:
		if (strcmp(x->func, word(info, "function=", w, sizeof(w))) != 0)
			return "function";
		/* FALLTHROUGH */
	case TD_TEV_TIMER_CANCEL:
		if (x->ev.ptr != after(info, "timer=", 16, &ok))
			return "timer";
		break;
	case TD_TEV_HRTIMER_START:
		pinned = strstr(word(info, " mode=", w, sizeof(w)), "PINNED") != NULL;
		if (!!(x->ev.flags & 0x02) != pinned)
			return "hrtimer mode";
		/* FALLTHROUGH */
	case TD_TEV_HRTIMER_EXPIRE:
		if (strcmp(x->func, word(info, "function=", w, sizeof(w))) != 0)
			return "function";
		/* FALLTHROUGH */
	case TD_TEV_HRTIMER_CANCEL:
		if (x->ev.ptr != after(info, "hrtimer=", 16, &ok))
			return "hrtimer";
		break;
	case TD_TEV_IRQ:
		if ((unsigned long long)x->ev.num != after(info, "irq=", 10, &ok) ||
		    strcmp(x->name, word(info, "name=", w, sizeof(w))) != 0)
			return "irq";
		break;
	case TD_TEV_SOFTIRQ:
		if ((unsigned long long)x->ev.num != after(info, "vec=", 10, &ok))
			return "vec";
		break;
	case TD_TEV_VECTOR:
		if ((unsigned long long)x->ev.num != after(info, "vector=", 10, &ok))
			return "vector";
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(names[i].name, ev) == 0 && strcmp(names[i].label, x->name) != 0)
				return "vector label";
		break;
	case TD_TEV_IPI:
		if (sscanf(info, "(%79[^)])", w) != 1 || strcmp(w, x->name) != 0)
			return "ipi reason";
		break;
	case TD_TEV_IDLE:
		if (x->ev.num != (int)(uint32_t)after(info, "state=", 10, &ok))
			return "idle state";
		break;
	case TD_TEV_SCHED_SWITCH:
		if ((unsigned long long)x->ev.num != after(info, "next_pid=", 10, &ok) ||
		    (unsigned long long)x->ev.arg != after(info, "prev_pid=", 10, &ok) ||
		    strcmp(x->name, word(info, "next_comm=", w, sizeof(w))) != 0)
			return "sched_switch";
		break;
	case TD_TEV_SCHED_WAKEUP:
		if ((unsigned long long)x->ev.num != after(info, " pid=", 10, &ok) ||
		    (unsigned long long)x->ev.arg != after(info, "target_cpu=", 10, &ok) ||
		    strcmp(x->name, word(info, "comm=", w, sizeof(w))) != 0)
			return "sched_wakeup";
		break;
	case TD_TEV_TICK_STOP:
		if ((unsigned long long)x->ev.num != after(info, "success=", 10, &ok))
			return "tick_stop success";
		word(info, "dependency=", w, sizeof(w));
		snprintf(w2, sizeof(w2), "?");
		for (int i = 0; i < 7; i++)
			if (x->ev.flags == (i ? 1u << (i - 1) : 0u))
				snprintf(w2, sizeof(w2), "%s", depnames[i]);
		if (strcmp(w, w2) != 0)
			return "tick_stop dependency";
		break;
	case TD_TEV_TIMER_BASE_IDLE:
		if ((unsigned long long)x->ev.num != after(info, "is_idle=", 10, &ok) ||
		    (unsigned long long)x->ev.arg != after(info, "cpu=", 10, &ok))
			return "timer_base_idle";
		break;
	case TD_TEV_TMIGR:
		if (strncmp(ev, "tmigr_", 6) != 0)
			return "timer_migration event";
		break;
	default:
		return "unexpected type";
	}
	return ok ? "" : "a field the line lacks";
}

/* One corpus trace: both ways in, every event against its line, counts against truth. */
static void
corpus_trace(const char *path)
{
	static long count[MAXCPU][TD_TEV_NTYPES], scan[MAXCPU][TD_TEV_NTYPES];
	long exits[MAXCPU] = { 0 }, loc[MAXCPU] = { 0 }, ticks[MAXCPU][2][7];
	char tpath[4200], dir[4096], *slash, **lines;
	struct td_buf b, tb;
	struct td_error e;
	struct cap c, c2, c3;
	const struct td_trace_text_stats *st;
	struct mj truth;
	size_t nlines, bad = 0, eventlines = 0, stops = 0;
	const char *why = "", *arch;
	int rc, ncpus;
	bool arm;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	slash = strrchr(dir, '/');
	diag("%s", slash + 1);
	snprintf(tpath, sizeof(tpath), "%s/truth.json", dir);
	if (td_read_file(tpath, 1 << 20, &tb, NULL) < 0 || !mj_parse(tb.data, &truth)) {
		ok(0, "%s: truth.json", slash + 1);
		return;
	}
	td_buf_free(&tb);
	arch = mj_get(&truth, "arch") ? mj_get(&truth, "arch")->str : "";
	arm = strcmp(arch, "arm64") == 0;
	ncpus = (int)mj_get(&truth, "cpus")->num;

	rc = read_path(path, false, &c, &e);
	is_int(rc, 0, "%s: read through a FILE", slash + 1);
	st = td_trace_text_stats(c.r);
	is_int(st->malformed, 0, "no line malformed");
	is_int(st->ncpus, ncpus, "CPUs from #P: equal truth's");
	is_int(st->lost + st->lost_unknown, (long)mj_get(&truth, "trace_overrun")->num,
	    "lost events equal truth's overrun");
	is_int(td_trace_text_format(c.r), TD_TRACE_TEXT_TRACEFS, "tracefs layout");
	is_int(td_trace_text_ctx_source(c.r), TD_TRACE_CTX_FLAGS, "ctx from the flags column");
	ok(st->last_ts - st->first_ts ==
	    (uint64_t)(mj_get(&truth, "trace_wakeup_seconds")->num * 1e9 + 0.5),
	    "last minus first timestamp equals truth's trace_wakeup_seconds");
	is_int(st->decoded, c.n, "decoded count equals callbacks");

	/* The buffer path and a stopped-and-resumed stream give the same events. */
	rc = read_path(path, true, &c2, &e);
	ok(rc == 0 && c2.n == c.n && memcmp(c2.v, c.v, 0) == 0, "buffer path: %zu events", c2.n);
	for (size_t i = 0; rc == 0 && i < c.n && i < c2.n; i++)
		if (c.v[i].ev.ts != c2.v[i].ev.ts || c.v[i].ev.type != c2.v[i].ev.type ||
		    strcmp(c.v[i].func, c2.v[i].func) != 0 || c.v[i].line != c2.v[i].line) {
			ok(0, "buffer path event %zu differs", i);
			break;
		}
	memset(&c3, 0, sizeof(c3));
	td_trace_text_new(path, &c3.r, NULL);
	c3.stop_every = 1000;
	{
		FILE *f = fopen(path, "r");

		while ((rc = td_trace_text_read(c3.r, f, collect, &c3, &e)) == 1)
			stops++;
		fclose(f);
	}
	ok(rc == 0 && c3.n == c.n && stops == c.n / 1000,
	    "stopped every 1000 events and resumed: %zu events, %zu stops", c3.n, stops);

	/* Every event against its line; counts per CPU and type. */
	if (td_read_file(path, 64 << 20, &b, NULL) < 0) {
		ok(0, "read %s", path);
		return;
	}
	lines = split_lines(b.data, b.len, &nlines);
	memset(count, 0, sizeof(count));
	memset(scan, 0, sizeof(scan));
	memset(ticks, 0, sizeof(ticks));
	for (size_t i = 0; i < c.n; i++) {
		const struct rec *x = &c.v[i];
		const char *w = x->line >= 1 && (size_t)x->line <= nlines ?
		    check_line(x, lines[x->line - 1]) : "line number";

		if (*w != '\0' && bad++ == 0)
			why = w, diag("line %ld: %s: %s", x->line, w, lines[x->line - 1]);
		if (x->ev.cpu < 0 || x->ev.cpu >= MAXCPU)
			continue;
		count[x->ev.cpu][x->ev.type]++;
		if (x->ev.type == TD_TEV_IDLE && x->ev.num == -1)
			exits[x->ev.cpu]++;
		if ((!arm && x->ev.type == TD_TEV_VECTOR && strcmp(x->name, "LOC") == 0) ||
		    (arm && x->ev.type == TD_TEV_IRQ && strcmp(x->name, "arch_timer") == 0))
			loc[x->ev.cpu]++;
		if (x->ev.type == TD_TEV_TICK_STOP && x->ev.num >= 0 && x->ev.num <= 1)
			for (int d = 0; d < 7; d++)
				if (x->ev.flags == (d ? 1u << (d - 1) : 0u))
					ticks[x->ev.cpu][x->ev.num][d]++;
	}
	ok(bad == 0, "every decoded event agrees with its line (%zu disagree: %s)", bad, why);
	for (size_t i = 0; i < nlines; i++) {
		const char *l = lines[i], *br;
		int cpu;

		if (l[0] == '#' || l[0] == '\0')
			continue;
		eventlines++;
		if ((br = strstr(l, "] ")) == NULL || br - l < 4 || sscanf(br - 4, "[%d]", &cpu) != 1 ||
		    cpu < 0 || cpu >= MAXCPU)
			continue;
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			char pat[80];

			snprintf(pat, sizeof(pat), ": %s: ", names[k].name);
			if (strstr(l, pat) != NULL)
				scan[cpu][names[k].type]++;
		}
	}
	is_int(st->events, eventlines, "every event line counted");
	for (int cpu = 0; cpu < ncpus; cpu++) {
		bool same = true;

		for (int t = 0; t < TD_TEV_NTYPES; t++)
			if (count[cpu][t] != scan[cpu][t]) {
				diag("cpu %d type %d: decoded %ld, scan %ld", cpu, t, count[cpu][t],
				    scan[cpu][t]);
				same = false;
			}
		ok(same, "CPU %d: events of each type equal a scan of the lines", cpu);
		is_int(exits[cpu], truth_cpu(&truth, "idle_exits_per_cpu", cpu),
		    "CPU %d: idle exits equal truth's", cpu);
		is_int(loc[cpu], truth_cpu(&truth, "local_timer_entries_per_cpu", cpu),
		    "CPU %d: local timer entries (%s) equal truth's", cpu, arm ? "arch_timer" : "LOC");
	}
	/* tick_stop by CPU, success and dependency, both ways round. */
	{
		const struct mj *ts = mj_get(&truth, "tick_stop");
		long want = 0, got = 0;
		bool same = ts != NULL;

		for (size_t i = 0; ts != NULL && i < ts->nkids; i++)
			for (size_t j = 0; j < ts->kids[i].nkids; j++)
				for (size_t k = 0; k < ts->kids[i].kids[j].nkids; k++) {
					const struct mj *d = &ts->kids[i].kids[j].kids[k];
					int cpu = atoi(ts->kids[i].key), succ = atoi(ts->kids[i].kids[j].key);
					int dep = -1;

					for (int x = 0; x < 7; x++)
						if (strcmp(depnames[x], d->key) == 0)
							dep = x;
					want += (long)d->num;
					if (dep < 0 || cpu >= MAXCPU || succ < 0 || succ > 1 ||
					    ticks[cpu][succ][dep] != (long)d->num)
						same = false;
				}
		for (int cpu = 0; cpu < MAXCPU; cpu++)
			for (int s = 0; s < 2; s++)
				for (int d = 0; d < 7; d++)
					got += ticks[cpu][s][d];
		ok(same && got == want, "tick_stop by CPU, success and dependency equal truth's "
		    "(%ld events)", got);
	}
	free(lines);
	td_buf_free(&b);
	mj_free(&truth);
	cap_free(&c);
	cap_free(&c2);
	cap_free(&c3);
}

/* The fixtures directory. */
static void
fixture(char *buf, size_t len, const char *name)
{
	const char *src = getenv("TD_SRCDIR");

	snprintf(buf, len, "%s/tests/fixtures/trace_text/%s", src ? src : "..", name);
}

/*
 * Another layout of the same events as tracefs-x86.txt: every event equal,
 * ctx included (inferred when the layout has no flags column).
 */
static void
same_events(const char *name, const struct cap *ref, int fmt, int ctxsrc, int comm_max,
    bool tgid)
{
	char path[4096];
	struct td_error e;
	struct cap c;
	size_t bad = 0;
	int rc = read_path((fixture(path, sizeof(path), name), path), false, &c, &e);

	is_int(rc, 0, "%s: read", name);
	is_int(c.n, ref->n, "%s: as many events as the tracefs layout", name);
	is_int(td_trace_text_stats(c.r)->malformed, 0, "%s: no line malformed", name);
	is_int(td_trace_text_format(c.r), fmt, "%s: layout recognized", name);
	is_int(td_trace_text_ctx_source(c.r), ctxsrc, "%s: where ctx came from", name);
	for (size_t i = 0; i < c.n && i < ref->n; i++) {
		const struct rec *a = &c.v[i], *b = &ref->v[i];
		/* trace-cmd's hrtimer plugin does not print hrtimer_start's mode. */
		bool mode = a->ev.type != TD_TEV_HRTIMER_START || fmt != TD_TRACE_TEXT_TRACE_CMD;

		if (a->ev.type != b->ev.type || a->ev.ts != b->ev.ts || a->ev.cpu != b->ev.cpu ||
		    a->ev.pid != b->ev.pid || a->ev.ctx != b->ev.ctx || a->ev.ptr != b->ev.ptr ||
		    strcmp(a->func, b->func) != 0 || (mode && a->ev.flags != b->ev.flags) ||
		    a->ev.num != b->ev.num || a->ev.arg != b->ev.arg ||
		    strcmp(a->name, b->name) != 0 ||
		    strncmp(a->comm, b->comm, (size_t)comm_max) != 0 ||
		    (tgid && a->tgid != (b->ev.pid ? b->ev.pid : -1))) {
			if (bad++ == 0)
				diag("%s line %ld differs from tracefs line %ld", name, a->line,
				    b->line);
		}
	}
	is_int(bad, 0, "%s: every event equals the tracefs layout's", name);
	cap_free(&c);
}

/* The fixtures: other layouts, lost events, a cut line, not a trace. */
static void
fixtures(void)
{
	char path[4096];
	struct td_error e;
	struct cap ref, c;
	uint64_t lost, unk;
	const struct td_trace_text_stats *st;
	size_t bad = 0;
	int rc;

	fixture(path, sizeof(path), "tracefs-x86.txt");
	rc = read_path(path, false, &ref, &e);
	is_int(rc, 0, "tracefs-x86.txt: read");
	{
		struct td_buf b = { NULL, 0 };
		char **lines;
		size_t n;

		td_read_file(path, 64 << 20, &b, NULL);
		lines = split_lines(b.data, b.len, &n);
		for (size_t i = 0; i < ref.n; i++)
			if (*check_line(&ref.v[i], lines[ref.v[i].line - 1]) != '\0')
				bad++;
		is_int(bad, 0, "tracefs-x86.txt: every event agrees with its line");
		free(lines);
		td_buf_free(&b);
	}
	same_events("report-x86.txt", &ref, TD_TRACE_TEXT_TRACE_CMD, TD_TRACE_CTX_INFERRED, 16,
	    false);
	same_events("report-l-x86.txt", &ref, TD_TRACE_TEXT_TRACE_CMD, TD_TRACE_CTX_FLAGS, 8,
	    false);
	same_events("tgid-x86.txt", &ref, TD_TRACE_TEXT_TRACEFS, TD_TRACE_CTX_FLAGS, 16, true);
	cap_free(&ref);
	fixture(path, sizeof(path), "tracefs-arm64.txt");
	read_path(path, false, &ref, &e);
	same_events("old-arm64.txt", &ref, TD_TRACE_TEXT_UNKNOWN, TD_TRACE_CTX_FLAGS, 16, false);
	is_int(ref.r ? td_trace_text_stats(ref.r)->types[TD_TEV_IPI] : 0, 5,
	    "tracefs-arm64.txt: its 5 IPI entries (grep -c ipi_entry:)");
	cap_free(&ref);

	/* Lost events, and the inferred nesting started afresh after them. */
	fixture(path, sizeof(path), "lost.txt");
	rc = read_path(path, false, &c, &e);
	st = td_trace_text_stats(c.r);
	is_int(rc, 0, "lost.txt: read");
	ok(st->lost == 50 && st->lost_unknown == 1, "lost.txt: 50 lost and one line without a "
	    "count (got %llu, %llu)", (unsigned long long)st->lost,
	    (unsigned long long)st->lost_unknown);
	ok(td_trace_text_lost_cpu(c.r, 0, &lost, &unk) == 0 && lost == 42 && unk == 0,
	    "lost.txt: CPU 0 lost 42");
	ok(td_trace_text_lost_cpu(c.r, 1, &lost, &unk) == 0 && lost == 8 && unk == 1,
	    "lost.txt: CPU 1 lost 8 and some more");
	ok(st->has_entries && st->entries_in_buffer == 9 && st->entries_written == 60,
	    "lost.txt: entries-in-buffer/entries-written");
	is_int(st->ncpus, 2, "lost.txt: #P:2");
	is_int(td_trace_text_ctx_source(c.r), TD_TRACE_CTX_INFERRED, "lost.txt: ctx inferred");
	ok(c.n == 6 && c.v[1].ev.ctx == TD_TEV_CTX_HARDIRQ && c.v[2].ev.ctx == 0 &&
	    c.v[3].ev.ctx == 0 && c.v[5].ev.ctx == TD_TEV_CTX_HARDIRQ,
	    "lost.txt: expiry inside the interrupt is hardirq, after the lost events unknown (0)");
	cap_free(&c);
	fixture(path, sizeof(path), "lost-report.txt");
	rc = read_path(path, false, &c, &e);
	st = td_trace_text_stats(c.r);
	ok(rc == 0 && st->lost == 12 && st->lost_unknown == 1 && st->ncpus == 2,
	    "lost-report.txt: trace-cmd's EVENTS DROPPED lines");
	ok(td_trace_text_lost_cpu(c.r, 0, &lost, &unk) == 0 && lost == 0 && unk == 1 &&
	    td_trace_text_lost_cpu(c.r, 1, &lost, &unk) == 0 && lost == 12 &&
	    td_trace_text_lost_cpu(c.r, 2, &lost, &unk) == -ENOENT,
	    "lost-report.txt: per CPU");
	ok(c.n == 2 && c.v[0].ev.type == TD_TEV_IRQ && c.v[0].ev.ctx == TD_TEV_CTX_HARDIRQ &&
	    c.v[1].ev.ctx == 0, "lost-report.txt: irq_handler_entry inferred hardirq");
	cap_free(&c);

	/* A last line cut short is counted, not decoded. */
	fixture(path, sizeof(path), "cut.txt");
	{
		struct td_buf b;
		size_t whole;

		td_read_file(path, 1 << 20, &b, NULL);
		whole = (size_t)(strrchr(b.data, '\n') - b.data) + 1;
		td_trace_text_new(path, &c.r, NULL);
		c.n = 0;
		c.v = NULL;
		c.alloc = 0;
		c.stop_every = 0;
		rc = read_mem(c.r, b.data, whole, collect, &c, &e);
		ok(rc == 0 && !td_trace_text_stats(c.r)->cut_short, "cut.txt up to its last newline");
		lost = c.n;
		cap_free(&c);
		rc = read_path(path, false, &c, &e);
		st = td_trace_text_stats(c.r);
		ok(rc == 0 && st->cut_short && c.n == lost && st->lines == 41 && st->malformed == 0,
		    "cut.txt: the cut line is counted and not decoded (%zu events)", c.n);
		cap_free(&c);
		td_buf_free(&b);
	}

	/* Not traces. */
	fixture(path, sizeof(path), "garbage.bin");
	rc = read_path(path, false, &c, &e);
	ok(rc == -EINVAL && strstr(e.path, "garbage.bin") != NULL && e.line >= 1,
	    "garbage.bin: an error naming the file and line (%s:%ld: %s)", e.path, e.line, e.msg);
	cap_free(&c);
	fixture(path, sizeof(path), "notatrace.txt");
	rc = read_path(path, false, &c, &e);
	ok(rc == -EINVAL && e.line == TD_TRACE_TEXT_SNIFF_LINES && c.n == 0,
	    "notatrace.txt (a kernel log): not a trace, at line %ld: %s", e.line, e.msg);
	cap_free(&c);
}

/* Hand-made inputs in memory. */
static void
synthetic(void)
{
	static const char dat[] = "\027\010\104tracing6\0\0\0\0";
	static const char header[] = "# tracer: nop\n#\n";
	struct td_trace_text *r;
	struct td_error e;
	char *big;
	int rc;

	td_trace_text_new("trace.dat", &r, NULL);
	rc = read_mem(r, dat, sizeof(dat), collect, NULL, &e);
	ok(rc == -EINVAL && strstr(e.msg, "trace.dat") != NULL && e.line == 1,
	    "a trace.dat is named as such: %s", e.msg);
	td_trace_text_free(r);
	td_trace_text_new("empty", &r, NULL);
	is_int(read_mem(r, "", 0, collect, NULL, &e), -EINVAL, "an empty input");
	td_trace_text_free(r);
	td_trace_text_new("header", &r, NULL);
	ok(read_mem(r, header, strlen(header), collect, NULL, &e) == 0 &&
	    td_trace_text_stats(r)->events == 0, "a trace with no event");
	td_trace_text_free(r);
	big = malloc(TD_TRACE_TEXT_LINE_MAX + 100);
	memcpy(big, header, strlen(header));
	memset(big + strlen(header), 'a', TD_TRACE_TEXT_LINE_MAX + 50);
	big[TD_TRACE_TEXT_LINE_MAX + 99] = '\n';
	td_trace_text_new("long", &r, NULL);
	rc = read_mem(r, big, TD_TRACE_TEXT_LINE_MAX + 100, collect, NULL, &e);
	ok(rc == -EFBIG && e.line == 3 && strcmp(e.path, "long") == 0,
	    "a line too long: %s:%ld: %s", e.path, e.line, e.msg);
	td_trace_text_free(r);
	free(big);
	/* Function names are kept up to a bound, then share the key of "?". */
	{
		size_t n = TD_TRACE_TEXT_MAX_FUNCS + 10, len = 0;
		char *t = malloc(n * 100 + 2000);
		struct cap c = { 0 };

		len += (size_t)sprintf(t, "%s", header);
		for (size_t i = 0; i < n; i++)
			len += (size_t)sprintf(t + len, "  sh-1 [000] .... 1.%06zu: "
			    "timer_expire_entry: timer=%zx function=f%zu now=1\n", i % 1000000, i + 1, i);
		len += (size_t)sprintf(t + len, "  sh-1 [000] .... 2.000000: timer_expire_entry: "
		    "timer=1 function=%0600d now=1\n", 7);
		td_trace_text_new("functions", &c.r, NULL);
		rc = read_mem(c.r, t, len, collect, &c, &e);
		ok(rc == 0 && c.n == n + 1 && td_trace_text_stats(c.r)->functions_dropped == 11 &&
		    strcmp(c.v[0].func, "f0") == 0 && strcmp(c.v[n - 11].func, "f65535") == 0 &&
		    strcmp(c.v[n - 10].func, "?") == 0 && strcmp(c.v[n].func, "?") == 0 &&
		    c.v[n].ev.function == c.v[n - 1].ev.function,
		    "65536 function names kept, then \"?\" (and for a 600-byte name)");
		cap_free(&c);
		free(t);
	}
	td_trace_text_new("keys", &r, NULL);
	ok(td_trace_text_function_name(r, 0) == NULL && td_trace_text_function_name(r, 1) == NULL,
	    "no function name for an unknown key");
	td_trace_text_free(r);
}

int
main(void)
{
	const char *corpus = corpus_dir();

	synthetic();
	fixtures();
	if (corpus == NULL) {
		ok(1, "# SKIP corpus traces: TD_CORPUS is not set");
		return done_testing();
	}
	corpus_glob(corpus, "kmatrix/*-trace/trace-wakeup-events.txt", corpus_trace);
	return done_testing();
}
