/*
 * The sampler's pieces without a live kernel: the column table, samples
 * (merge, delta), the timer_stats and interrupts backends on captured trees,
 * and the raw event decoder on a hand-encoded and on captured sub-buffers.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <traceevent/event-parse.h>

#include "cpubudget.h"
#include "inputs.h"
#include "interrupts.h"
#include "ksyms.h"
#include "sampler.h"
#include "sampler_internal.h"
#include "source.h"
#include "table.h"
#include "tap.h"
#include "timer_stats.h"
#include "trace_decode.h"

/* $TD_SRCDIR/tests/fixtures/NAME. */
/* The "now at N nsecs" of a timer_list file, as its text says; -1 if none. */
static long long
now_at(const char *path)
{
	char line[256];
	long long v = -1;
	FILE *f = fopen(path, "re");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "now at %lld nsecs", &v) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return v;
}

/* A source for table tests. */
static struct td_wsource *
add(struct td_sample *p, enum td_kind k, const char *fn, int pid, const char *comm,
    uint64_t count)
{
	struct td_wsource *w = td_sample_add(p);

	w->kind = k;
	w->function = td_sample_str(p, fn);
	w->pid = pid;
	if (comm != NULL) {
		strlcpy(w->comm, comm, sizeof(w->comm));
		w->known |= TD_WS_PID;
	}
	w->count = count;
	return w;
}

/* Column choice, sorting with unknown values, text and JSON rendering. */
static void
test_table(void)
{
	struct td_sample *p = calloc(1, sizeof(*p));
	struct td_table *t;
	struct td_error e;
	const void *rows[8];
	char line[512], *out = NULL;
	size_t outlen = 0;
	struct td_json j;
	FILE *f;

	add(p, TD_KIND_HRTIMER, "tick_sched_timer", 0, "swapper/0", 40);
	add(p, TD_KIND_TIMER, "process_timeout", 812, "sshd", 7);
	add(p, TD_KIND_IRQ, "eth0", -1, NULL, 90)->irq = 24;
	add(p, TD_KIND_TIMER, "process_timeout", 812, "sshd", 3);	/* same identity */
	p->period_ns = 2000000000ULL;
	td_sample_finish(p);
	is_int(p->n, 3, "equal identities merge");
	is_int(p->total_events, 140, "total of the counts");
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->src[i].function, "process_timeout") == 0) {
			is_int(p->src[i].count, 10, "merged counts add up");
			ok(p->src[i].rate > 4.99 && p->src[i].rate < 5.01, "rate = count / period");
		}

	ok(td_table_new(&t, td_wsource_columns, td_wsource_ncolumns, &e) == 0, "table");
	ok(td_table_select(t, "count,pid,comm,function", &e) == 0, "select four columns");
	is_int(td_table_nselected(t), 4, "four selected");
	ok(td_table_select(t, "count,bogus", &e) == -EINVAL && strstr(e.msg, "bogus") != NULL,
	    "an unknown column is named");
	ok(td_table_select(t, "+irq", &e) == 0 &&
	    strcmp(td_table_selected(t, td_table_nselected(t) - 1)->name, "irq") == 0,
	    "+LIST appends to the defaults");
	ok(td_table_select(t, "count,pid,comm,function", &e) == 0, "select again");

	for (size_t i = 0; i < p->n; i++)
		rows[i] = &p->src[i];
	ok(td_table_sort(t, "count", true, rows, p->n, &e) == 0, "sort by count");
	ok(((const struct td_wsource *)rows[0])->count == 90 &&
	    ((const struct td_wsource *)rows[2])->count == 10, "largest first");
	ok(td_table_sort(t, "pid", true, rows, p->n, &e) == 0, "sort by pid");
	is_int(((const struct td_wsource *)rows[2])->kind, TD_KIND_IRQ,
	    "an unknown pid sorts last, not as 0");
	ok(td_table_sort(t, "nope", true, rows, p->n, &e) == -EINVAL, "bad sort column");

	td_table_measure(t, rows, p->n);
	td_table_row_line(t, rows[2], line, sizeof(line));
	ok(strstr(line, " - ") != NULL && strstr(line, "eth0") != NULL,
	    "unknown pid and comm print as '-': '%s'", line);

	f = open_memstream(&out, &outlen);
	td_json_init(&j, f, false);
	td_json_obj_begin(&j, NULL);
	td_table_render_json(t, &j, "sources", rows, p->n, false, NULL);
	td_json_unknowns(&j);
	td_json_obj_end(&j);
	td_json_finish(&j);
	fclose(f);
	ok(strstr(out, "\"comm\":\"sshd\"") != NULL, "JSON has the comm: %s", out);
	ok(strstr(out, "{\"count\":90,\"pid\":null,\"comm\":null,\"function\":\"eth0\"}") != NULL,
	    "JSON gives unknown members as null");
	ok(strstr(out, "\"unknown\":{\"sources[].pid\":\"the arming task") != NULL &&
	    strstr(out, "\"sources[].comm\":") != NULL, "and says why in .unknown");
	free(out);
	td_table_free(t);
	td_sample_free(p);
}

/* Render rows of t with flags into a string (free it). */
static char *
render(struct td_table *t, const void **rows, size_t n, unsigned flags)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	td_table_render_text(t, f, (const void *const *)rows, n, flags);
	fclose(f);
	return out;
}

/* Raw and pairs: util-linux's escapes, byte by byte; unknown is "-". */
static void
test_table_plain(void)
{
	struct td_sample *p = calloc(1, sizeof(*p));
	struct td_table *t;
	struct td_error e;
	const void *rows[2];
	char *out;

	/* A space, a tab, " $ ` \\, DEL and UTF-8 (é). */
	add(p, TD_KIND_TIMER, "f", 7, "a b\t\"$`\\\x7f\xc3\xa9", 5);
	add(p, TD_KIND_IRQ, "eth0", -1, NULL, 3);
	td_sample_finish(p);
	rows[0] = &p->src[0];
	rows[1] = &p->src[1];
	ok(td_table_new(&t, td_wsource_columns, td_wsource_ncolumns, &e) == 0 &&
	    td_table_select(t, "count,comm,pid", &e) == 0, "table of three columns");
	out = render(t, rows, 2, TD_TABLE_RAW);
	is_str(out, "count comm pid\n5 a\\x20b\\x09\"$`\\x5c\\x7f\\xc3\\xa9 7\n3 - -\n",
	    "raw: blanks, backslash and non-ASCII bytes as \\xHH, unknown as -");
	free(out);
	out = render(t, rows, 2, TD_TABLE_RAW | TD_TABLE_NOHEADINGS);
	ok(strncmp(out, "5 a", 3) == 0, "raw without headings starts with the first row");
	free(out);
	out = render(t, rows, 2, TD_TABLE_PAIRS);
	is_str(out, "COUNT=\"5\" COMM=\"a b\\x09\\x22\\x24\\x60\\x5c\\x7f\\xc3\\xa9\" PID=\"7\"\n"
	    "COUNT=\"3\" COMM=\"-\" PID=\"-\"\n",
	    "pairs: quote, dollar, backquote and backslash escaped too, no header");
	free(out);
	out = render(t, rows, 2, TD_TABLE_NOHEADINGS);
	ok(strstr(out, "COUNT") == NULL && strstr(out, "count") == NULL && strchr(out, '\n') != NULL,
	    "aligned rows without the header");
	free(out);
	out = render(t, rows, 2, TD_TABLE_COLOR);
	ok(strncmp(out, "\033[1m", 4) == 0, "colour: the header in bold");
	free(out);
	td_table_free(t);
	td_sample_free(p);
}

/* Identity-keyed deltas: sources matched by identity, not position. */
static void
test_delta(void)
{
	struct td_sample *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));

	add(a, TD_KIND_TIMER, "f", 1, "one", 10);
	add(a, TD_KIND_TIMER, "g", 2, "two", 5);
	add(b, TD_KIND_TIMER, "new", 3, "three", 4);	/* appeared */
	add(b, TD_KIND_TIMER, "g", 2, "two", 9);
	add(b, TD_KIND_TIMER, "f", 1, "one", 10);	/* unchanged: dropped */
	td_sample_finish(a);
	td_sample_finish(b);
	td_sample_delta(b, a);
	is_int(b->n, 2, "unchanged sources drop out of the delta");
	for (size_t i = 0; i < b->n; i++) {
		if (strcmp(b->src[i].function, "g") == 0)
			is_int(b->src[i].count, 4, "g: 9 - 5");
		else
			is_int(b->src[i].count, 4, "a new source counts from zero");
	}
	td_sample_free(a);
	td_sample_free(b);
}

/* Whether a orders before b (-1), after (1) or ties (0) by identity, as sampler.h defines it. */
static int
identity_order(const struct td_wsource *a, const struct td_wsource *b)
{
	const char *fa = a->function, *fb = b->function, *sa = a->site, *sb = b->site;
	int c;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((fa == NULL) != (fb == NULL))
		return fa == NULL ? -1 : 1;
	if (fa != NULL && (c = strcmp(fa, fb)) != 0)
		return c < 0 ? -1 : 1;
	if ((sa == NULL) != (sb == NULL))
		return sa == NULL ? -1 : 1;
	if (sa != NULL && (c = strcmp(sa, sb)) != 0)
		return c < 0 ? -1 : 1;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if ((c = strcmp(a->comm, b->comm)) != 0)
		return c < 0 ? -1 : 1;
	if (a->irq != b->irq)
		return a->irq < b->irq ? -1 : 1;
	return 0;
}

/*
 * Thousands of sources in hash order (as a collect gives them), few names
 * shared by many threads, some sources twice: finished, they are in identity
 * order, each identity once, every count kept.
 */
static void
test_finish_many(void)
{
	static const char *fns[] = { "timerfd_tmrproc", "hrtimer_wakeup", "process_timeout",
	    "tick_nohz_handler", "it_real_fn", "delayed_work_timer_fn" };
	struct td_sample *p = calloc(1, sizeof(*p));
	uint64_t total = 0, sum = 0;
	size_t bad = 0, n = 12000, twice = 0;
	uint32_t x = 12345;

	for (size_t i = 0; i < n; i++) {
		struct td_wsource *w;
		char comm[16];
		int pid;

		x = x * 1103515245u + 12345u;
		pid = 1000 + (int)(x >> 8) % 9000;	/* repeats: merged */
		snprintf(comm, sizeof(comm), "t%d", pid % 97);
		w = add(p, (x >> 4) % 5 == 0 ? TD_KIND_TIMER : TD_KIND_HRTIMER,
		    fns[(x >> 12) % 6], pid, comm, 1 + (x >> 20) % 7);
		if ((x >> 16) % 11 == 0)
			w->site = td_sample_str(p, (x >> 24) % 2 ? "do_timerfd_settime" :
			    "hrtimer_nanosleep");
		if ((x >> 18) % 13 == 0)
			w->function = NULL;
		total += w->count;
	}
	td_sample_finish(p);
	for (size_t i = 0; i < p->n; i++) {
		sum += p->src[i].count;
		if (i > 0 && identity_order(&p->src[i - 1], &p->src[i]) >= 0)
			bad++;
	}
	twice = n - p->n;
	ok(bad == 0, "12,000 sources finished in identity order (%zu out of order or not merged)",
	    bad);
	ok(twice > 0, "the sources of one identity merged: %zu rows of %zu", p->n, n);
	is_int(sum, total, "every count kept");
	is_int(p->total_events, total, "their total");
	td_sample_free(p);
}

/*
 * Grouped by process: 12,000 threads of 40 processes, their pids interleaved
 * (threads created in turns), on three callbacks: one row for each process
 * and callback, every count kept.
 */
static void
test_group_many(void)
{
	static const char *fns[] = { "timerfd_tmrproc", "hrtimer_wakeup", "process_timeout" };
	struct td_sample *p = calloc(1, sizeof(*p));
	uint64_t total = 0, sum = 0, rows[3][40] = { { 0 } };
	size_t bad = 0;

	for (int i = 0; i < 12000; i++) {
		struct td_wsource *w = add(p, TD_KIND_HRTIMER, fns[i % 3], 100000 + i, "worker",
		    (uint64_t)(1 + i % 5));

		w->tgid = 1000 + (i / 3) % 40;
		w->known |= TD_WS_TGID;
		total += w->count;
		rows[i % 3][(i / 3) % 40] += w->count;
	}
	td_sample_finish(p);
	td_sample_group(p, TD_GROUP_PROCESS);
	for (size_t i = 0; i < p->n; i++) {
		const struct td_wsource *w = &p->src[i];
		int f = strcmp(w->function, fns[0]) == 0 ? 0 : strcmp(w->function, fns[1]) == 0 ? 1 : 2;

		sum += w->count;
		if (w->pid != w->tgid || w->tgid < 1000 || w->tgid >= 1040 || w->ntasks != 100 ||
		    w->count != rows[f][w->tgid - 1000])
			bad++;
	}
	is_int(p->n, 120, "12,000 threads grouped: a row for each of 40 processes and 3 callbacks");
	ok(bad == 0, "each row its process's 100 threads and their count (%zu wrong)", bad);
	is_int(sum, total, "every count kept");
	td_sample_free(p);
}

/* The first number after label on its line, summed over the numbers that follow. */
static uint64_t
row_sum(const char *path, const char *label)
{
	struct td_buf b;
	uint64_t sum = 0;
	const char *p;

	if (td_read_file(path, 1 << 24, &b, NULL) < 0)
		return 0;
	for (p = b.data; p != NULL; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *q = p;

		while (*q == ' ')
			q++;
		if (strncmp(q, label, strlen(label)) != 0)
			continue;
		q += strlen(label);
		for (;;) {
			char *end;
			unsigned long long v = strtoull(q, &end, 10);

			if (end == q)
				break;
			sum += v;
			q = end;
		}
		break;
	}
	td_buf_free(&b);
	return sum;
}

/* Count of the source with this kind and function, or -1. */
static long long
count_of(const struct td_sample *p, enum td_kind k, const char *fn)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->src[i].kind == k && strcmp(p->src[i].function, fn) == 0)
			return (long long)p->src[i].count;
	return -1;
}

/* How many sources of p are marked the local timer; *irq: the last one's IRQ. */
static int
local_timers(const struct td_sample *p, int *irq)
{
	int n = 0;

	*irq = -1;
	for (size_t i = 0; i < p->n; i++)
		if (p->src[i].local_timer) {
			n++;
			*irq = p->src[i].irq;
		}
	return n;
}

/* Open, start, collect and close a sampler on a tree. */
static struct td_sample *
sample_tree(const char *root, enum td_backend be, const char *file, char *note, size_t len,
    int *err)
{
	struct td_sampler_opts o;
	struct td_sampler *s;
	struct td_sample *p = NULL;
	struct td_error e;

	td_sampler_opts_init(&o);
	o.sysroot = root;
	o.backend = be;
	o.timer_stats_file = file;
	*err = td_sampler_open(&s, &o, &e);
	if (*err < 0)
		return NULL;
	if (note)
		snprintf(note, len, "%s", td_sampler_note(s));
	if ((*err = td_sampler_start(s, &e)) == 0)
		*err = td_sampler_collect(s, &p, &e);
	td_sampler_close(s);
	return p;
}

/* The backends on captured trees. */
static void
test_backends(void)
{
	char pat[4096], path[4096], note[256];
	struct td_sample *p;
	glob_t g;
	int err, n = 0;

	p = sample_tree(fixture_path("timer_stats/sysroot"), TD_BACKEND_AUTO, NULL, note,
	    sizeof(note), &err);
	if (ok(p != NULL, "a tree with proc/timer_stats samples")) {
		is_int(p->backend, TD_BACKEND_TIMER_STATS, "auto picks timer_stats");
		is_str(note, "", "first choice: no note");
		snprintf(path, sizeof(path), "%s", fixture_path("timer_stats/sysroot/proc/timer_stats"));
		ok(p->period_ns == 8024000000ULL, "period from the file");
		is_int(count_of(p, TD_KIND_TIMER, "phy_timer"), 16,
		    "two phy_timer lines of 8 merge by identity");
		td_sample_free(p);
	}
	p = sample_tree("/nonexistent-root", TD_BACKEND_TRACEFS, NULL, NULL, 0, &err);
	ok(p == NULL && err < 0, "tracefs refuses a captured tree");
	p = sample_tree(fixture_path("timer_stats/sysroot"), TD_BACKEND_INTERRUPTS, NULL, NULL, 0,
	    &err);
	ok(p == NULL && err < 0, "interrupts without proc/interrupts fails");
	p = sample_tree(fixture_path("sysroots/ppc64-two-loc"), TD_BACKEND_INTERRUPTS, NULL,
	    NULL, 0, &err);
	if (ok(p != NULL, "powerpc: two LOC rows sampled")) {
		is_int(count_of(p, TD_KIND_VECTOR, "LOC"), 250,
		    "powerpc: LOC is the timer event device's row only, not summed with others");
		is_int(count_of(p, TD_KIND_VECTOR, TD_IRQ_LOC_OTHERS), 120,
		    "powerpc: the \"for others\" row apart");
		td_sample_free(p);
	}
	p = sample_tree(fixture_path("sysroots/arm32-two-arch-timer"), TD_BACKEND_INTERRUPTS, NULL,
	    NULL, 0, &err);
	if (ok(p != NULL, "arm32: two arch_timer rows sampled")) {
		int irq, marked = local_timers(p, &irq);

		ok(marked == 1 && irq == 19, "arm32: the local timer source is the row the "
		    "parser marked, IRQ 19 alone (%d marked, IRQ %d)", marked, irq);
		/* A trace without its tree: the same choice over the sources. */
		ok(td_sampler_describe_vectors(p, NULL) == 0,
		    "arm32: marked again without a snapshot");
		marked = local_timers(p, &irq);
		ok(marked == 1 && irq == 19, "arm32: without a snapshot, the busiest arch_timer "
		    "source alone (%d marked, IRQ %d)", marked, irq);
		td_sample_free(p);
	}

	if (corpus_dir() == NULL) {
		ok(1, "# SKIP no corpus");
		return;
	}
	snprintf(pat, sizeof(pat), "%s/kmatrix/*/after/proc/interrupts", corpus_dir());
	if (glob(pat, 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char root[4096], before[4200], after[4200];
		long long loc, timer;
		char *slash;

		snprintf(root, sizeof(root), "%s", g.gl_pathv[i]);
		slash = strstr(root, "/after/proc/interrupts");
		*slash = '\0';
		snprintf(before, sizeof(before), "%s/trace-wakeup-events.txt", root);
		if (access(before, R_OK) == 0) {
			/* A tree with a wakeup trace: auto reads the trace. */
			p = sample_tree(root, TD_BACKEND_AUTO, NULL, note, sizeof(note), &err);
			ok(p != NULL && p->backend == TD_BACKEND_TRACE,
			    "%s: auto reads the tree's wakeup trace", strrchr(root, '/') + 1);
			td_sample_free(p);
			p = sample_tree(root, TD_BACKEND_INTERRUPTS, NULL, note, sizeof(note), &err);
			strlcpy(note, "interrupts: forced", sizeof(note));
		} else {
			p = sample_tree(root, TD_BACKEND_AUTO, NULL, note, sizeof(note), &err);
		}
		if (!ok(p != NULL, "%s: sampled", strrchr(root, '/') + 1))
			continue;
		n++;
		is_int(p->backend, TD_BACKEND_INTERRUPTS, "no timer_stats in a 6.x tree");
		ok(strstr(note, "interrupts:") == note, "the note says why: %s", note);
		ok(!p->lost_known, "lost events are unknown, not 0");
		{
			char tl0[4200], tl1[4200];
			long long t0, t1;

			snprintf(tl0, sizeof(tl0), "%s/proc/timer_list", root);
			snprintf(tl1, sizeof(tl1), "%s/after/proc/timer_list", root);
			t0 = now_at(tl0);
			t1 = now_at(tl1);
			is_int(p->period_ns, t0 > 0 && t1 > t0 ? t1 - t0 : 0,
			    "the period is that of the capture's two timer_lists (0 without them)");
		}
		snprintf(before, sizeof(before), "%s/proc/interrupts", root);
		snprintf(after, sizeof(after), "%s/after/proc/interrupts", root);
		if (row_sum(before, "LOC:") > 0) {
			loc = (long long)(row_sum(after, "LOC:") - row_sum(before, "LOC:"));
			is_int(count_of(p, TD_KIND_VECTOR, "LOC"), loc ? loc : -1,
			    "LOC delta as the files say");
		}
		snprintf(before, sizeof(before), "%s/proc/softirqs", root);
		snprintf(after, sizeof(after), "%s/after/proc/softirqs", root);
		timer = (long long)(row_sum(after, "TIMER:") - row_sum(before, "TIMER:"));
		is_int(count_of(p, TD_KIND_SOFTIRQ, "TIMER"), timer ? timer : -1,
		    "TIMER softirq delta as the files say");
		td_sample_free(p);
	}
	globfree(&g);
	ok(n > 0, "some capture had an after/ pair");
}

/* Build a tep from the saved formats of tests/fixtures/trace/events. */
static struct tep_handle *
fixture_tep(void)
{
	static const char *const ev[][2] = {
		{ "timer", "timer_start" }, { "timer", "hrtimer_start" },
		{ "timer", "timer_expire_entry" }, { "timer", "hrtimer_expire_entry" },
		{ "timer", "timer_cancel" }, { "timer", "hrtimer_cancel" },
		{ "irq", "irq_handler_entry" }, { "irq", "softirq_entry" },
		{ "irq", "softirq_raise" }, { "irq_vectors", "local_timer_entry" },
	};
	struct tep_handle *tep = tep_alloc();
	char path[4096];
	struct td_buf b;

	snprintf(path, sizeof(path), "%s", fixture_path("trace/events/header_page"));
	if (td_read_file(path, 1 << 20, &b, NULL) < 0)
		return NULL;
	tep_parse_header_page(tep, b.data, b.len, 8);
	td_buf_free(&b);
	for (size_t i = 0; i < sizeof(ev) / sizeof(ev[0]); i++) {
		char rel[256];

		snprintf(rel, sizeof(rel), "trace/events/%s/%s/format", ev[i][0], ev[i][1]);
		snprintf(path, sizeof(path), "%s", fixture_path(rel));
		if (td_read_file(path, 1 << 20, &b, NULL) < 0)
			return NULL;
		tep_parse_event(tep, b.data, b.len, ev[i][0]);
		td_buf_free(&b);
	}
	return tep;
}

static struct td_tev got[16];
static int ngot;

/* Keep decoded events (names copied out of the sub-buffer). */
static void
keep(const struct td_tev *ev, void *arg)
{
	static char names[16][32];

	(void)arg;
	if (ngot < 16) {
		got[ngot] = *ev;
		snprintf(names[ngot], sizeof(names[ngot]), "%.*s", (int)ev->namelen,
		    ev->name ? ev->name : "");
		got[ngot].name = names[ngot];
		ngot++;
	}
}

/* Put a field of event ev at its format offset. */
static void
put(unsigned char *rec, struct tep_event *ev, const char *name, uint64_t v)
{
	struct tep_format_field *f = tep_find_any_field(ev, name);

	memcpy(rec + f->offset, &v, (size_t)f->size);
}

/* Append one event record to a sub-buffer; returns the new data length. */
static size_t
append(unsigned char *page, size_t len, const unsigned char *rec, size_t size, uint32_t delta)
{
	size_t padded = (size + 3) & ~(size_t)3;
	uint32_t hdr = (uint32_t)(padded / 4) | (delta << 5);

	memcpy(page + 16 + len, &hdr, 4);
	memcpy(page + 16 + len + 4, rec, size);
	return len + 4 + padded;
}

/* The decoder on a hand-encoded sub-buffer and on captured ones. */
static void
test_decoder(void)
{
	struct tep_handle *tep = fixture_tep();
	struct td_trace_decoder *d;
	struct tep_event *hs, *hx, *hc, *ih, *si, *sr, *lt;
	unsigned char page[4096], rec[64];
	struct td_error e;
	uint64_t commit;
	size_t len = 0;
	long missed;
	int n;

	if (!ok(tep != NULL, "event formats from the fixtures"))
		return;
	if (!ok(td_trace_decoder_new(tep, &d, &e) == 0, "decoder"))
		return;
	ok(td_trace_decoder_deferrable_flag(d) == 0x00080000 &&
	    td_trace_decoder_pinned_flag(d) == 0x00100000,
	    "D and P flag bits read from timer_start's print fmt");
	hs = tep_find_event_by_name(tep, "timer", "hrtimer_start");
	hx = tep_find_event_by_name(tep, "timer", "hrtimer_expire_entry");
	hc = tep_find_event_by_name(tep, "timer", "hrtimer_cancel");
	ih = tep_find_event_by_name(tep, "irq", "irq_handler_entry");
	si = tep_find_event_by_name(tep, "irq", "softirq_entry");
	sr = tep_find_event_by_name(tep, "irq", "softirq_raise");
	lt = tep_find_event_by_name(tep, "irq_vectors", "local_timer_entry");
	memset(page, 0, sizeof(page));
	commit = 1000;
	memcpy(page, &commit, 8);

	memset(rec, 0, sizeof(rec));
	put(rec, hs, "common_type", (uint64_t)hs->id);
	put(rec, hs, "common_pid", 4242);
	put(rec, hs, "hrtimer", 0xffff888012345678ULL);
	put(rec, hs, "function", 0xffffffff81234560ULL);
	put(rec, hs, "mode", 2);
	len = append(page, len, rec, (size_t)hs->format.fields->offset + 40, 10);

	memset(rec, 0, sizeof(rec));
	put(rec, hc, "common_type", (uint64_t)hc->id);
	put(rec, hc, "common_flags", 0x08);
	put(rec, hc, "hrtimer", 0xffff888012345678ULL);
	len = append(page, len, rec, 16, 5);

	memset(rec, 0, sizeof(rec));
	put(rec, hx, "common_type", (uint64_t)hx->id);
	put(rec, hx, "common_flags", 0x08);
	put(rec, hx, "hrtimer", 0xffff888012345678ULL);
	put(rec, hx, "function", 0xffffffff81234560ULL);
	len = append(page, len, rec, 32, 1);

	memset(rec, 0, sizeof(rec));
	put(rec, ih, "common_type", (uint64_t)ih->id);
	put(rec, ih, "irq", 11);
	put(rec, ih, "name", (5u << 16) | 16u);
	memcpy(rec + 16, "eth0", 5);
	len = append(page, len, rec, 21, 1);

	memset(rec, 0, sizeof(rec));
	put(rec, si, "common_type", (uint64_t)si->id);
	put(rec, si, "vec", 1);
	len = append(page, len, rec, 12, 1);

	memset(rec, 0, sizeof(rec));
	put(rec, lt, "common_type", (uint64_t)lt->id);
	put(rec, lt, "vector", 236);
	len = append(page, len, rec, 12, 1);

	memset(rec, 0, sizeof(rec));
	put(rec, sr, "common_type", (uint64_t)sr->id);
	put(rec, sr, "vec", 3);
	len = append(page, len, rec, 12, 1);

	commit = len;
	memcpy(page + 8, &commit, 8);
	ngot = 0;
	n = td_trace_decode(d, page, sizeof(page), 1, keep, NULL, &missed);
	is_int(n, 7, "seven events in the sub-buffer");
	is_int(ngot, 7, "all seven are of interest");
	if (ngot == 7) {
		is_int(got[0].type, TD_TEV_HRTIMER_START, "hrtimer_start");
		is_int(got[0].pid, 4242, "its pid");
		ok(got[0].ptr == 0xffff888012345678ULL, "its hrtimer");
		ok(got[0].function == 0xffffffff81234560ULL, "its callback");
		is_int(got[0].flags, 2, "its mode (pinned)");
		is_int(got[0].ts, 1010, "timestamps add up the deltas");
		is_int(got[0].cpu, 1, "the CPU of the buffer");
		is_int(got[1].type, TD_TEV_HRTIMER_CANCEL, "hrtimer_cancel");
		ok(got[1].ctx & TD_TEV_CTX_HARDIRQ, "in hard IRQ context");
		is_int(got[2].type, TD_TEV_HRTIMER_EXPIRE, "hrtimer_expire_entry");
		ok(got[2].ptr == got[0].ptr, "the same hrtimer");
		is_int(got[3].type, TD_TEV_IRQ, "irq_handler_entry");
		ok(got[3].num == 11 && strcmp(got[3].name, "eth0") == 0, "irq 11 eth0");
		ok(got[4].type == TD_TEV_SOFTIRQ && got[4].num == 1, "softirq TIMER");
		ok(got[5].type == TD_TEV_VECTOR && strcmp(got[5].name, "LOC") == 0 &&
		    got[5].num == 236, "local timer vector named LOC");
		ok(got[6].type == TD_TEV_SOFTIRQ_RAISE && got[6].num == 3, "softirq_raise NET_RX");
	}
	is_int(missed, 0, "no missed events");
	commit = 5000;
	memcpy(page + 8, &commit, 8);
	ok(td_trace_decode(d, page, sizeof(page), 0, keep, NULL, &missed) == -EINVAL,
	    "a commit past the sub-buffer is refused");
	ok(td_trace_decode(d, page, 8, 0, keep, NULL, &missed) == -EINVAL,
	    "a sub-buffer shorter than its header is refused");

	/* Sub-buffers captured from this kernel's trace_pipe_raw. */
	{
		static const char *const raw[] = { "trace/raw/cpu0.bin", "trace/raw/cpu1.bin" };
		int total = 0, timers = 0;

		for (size_t i = 0; i < 2; i++) {
			struct td_buf b;

			if (td_read_file(fixture_path(raw[i]), 1 << 20, &b, NULL) < 0)
				continue;
			for (size_t off = 0; off + 4096 <= b.len; off += 4096) {
				ngot = 0;
				n = td_trace_decode(d, b.data + off, 4096, (int)i, keep, NULL,
				    &missed);
				if (n > 0)
					total += n;
				for (int k = 0; k < ngot; k++)
					if (got[k].type <= TD_TEV_HRTIMER_CANCEL &&
					    got[k].ptr != 0)
						timers++;
			}
			td_buf_free(&b);
		}
		ok(total > 20, "captured sub-buffers decode (%d events)", total);
		ok(timers > 0, "with timer events carrying their timer address");
	}
	td_trace_decoder_free(d);
	tep_free(tep);
}

/*
 * The timer formats of every captured kernel give a decoder with its flag
 * bits, the same whether libtraceevent parsed the whole print fmt (as
 * libtracecmd does) or the formats were trimmed first (as we give them).
 */
static void
test_kmatrix_formats(void)
{
	static const char *const names[] = {
		"timer_start", "hrtimer_start", "timer_expire_entry", "hrtimer_expire_entry",
		"timer_cancel", "hrtimer_cancel",
	};
	char pat[4096];
	glob_t g;
	int n = 0;

	if (corpus_dir() == NULL)
		return;
	snprintf(pat, sizeof(pat), "%s/kmatrix/*/sys/kernel/tracing/events/timer", corpus_dir());
	if (glob(pat, 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *cap = g.gl_pathv[i] + strlen(corpus_dir()) + 9;
		uint32_t bits[2][2] = { { 0, 0 }, { 0, 0 } };
		int loaded[2] = { 0, 0 };

		for (int trim = 0; trim < 2; trim++) {
			struct tep_handle *tep = tep_alloc();
			struct td_trace_decoder *d;
			struct td_error e;

			for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
				char path[4200];
				struct td_buf b;
				int len;

				snprintf(path, sizeof(path), "%s/%s/format", g.gl_pathv[i], names[k]);
				if (td_read_file(path, 1 << 20, &b, NULL) < 0)
					continue;
				len = trim ? td_trace_format_trim(b.data, (int)b.len) : (int)b.len;
				if (tep_parse_event(tep, b.data, (unsigned long)len, "timer") == 0)
					loaded[trim]++;
				td_buf_free(&b);
			}
			if (ok(td_trace_decoder_new(tep, &d, &e) == 0, "%.40s: decoder%s", cap,
			    trim ? ", formats trimmed" : "")) {
				ok(td_trace_decoder_has(d, TD_TEV_HRTIMER_EXPIRE) &&
				    td_trace_decoder_has(d, TD_TEV_TIMER_CANCEL),
				    "%.40s: events known", cap);
				bits[trim][0] = td_trace_decoder_deferrable_flag(d);
				bits[trim][1] = td_trace_decoder_pinned_flag(d);
				td_trace_decoder_free(d);
				n += trim;
			}
			tep_free(tep);
		}
		ok(loaded[0] == 6 && loaded[1] == 6, "%.40s: six timer formats parse, whole and trimmed",
		    cap);
		ok(bits[0][0] != 0 && bits[0][1] != 0, "%.40s: D and P bits from the print fmt (%#x %#x)",
		    cap, bits[0][0], bits[0][1]);
		ok(bits[1][0] == bits[0][0] && bits[1][1] == bits[0][1],
		    "%.40s: the same bits from the trimmed formats (%#x %#x)", cap, bits[1][0],
		    bits[1][1]);
	}
	globfree(&g);
	ok(n > 0, "captured kernels' formats");
}

/*
 * A hostile timer_start print fmt (a fuzzer's: an unknown field in an
 * expression, garbage between the arguments) crashed libtraceevent's parser;
 * trimmed, it is never parsed, and the flag values still come through.
 * Print fmts too short for the replacement are cut, with no print fmt left.
 */
static void
test_format_trim(void)
{
	static const char head[] =
	    "name: timer_start\nID: 466\nformat:\n"
	    "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	    "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	    "\tfield:void * timer;\toffset:8;\tsize:8;\tsigned:0;\n"
	    "\tfield:void * function;\toffset:16;\tsize:8;\tsigned:0;\n"
	    "\tfield:unsigned int flags;\toffset:48;\tsize:4;\tsigned:0;\n\n";
	static const char hostile[] =
	    "print fmt: \"timer=%p flags=%s\", REC->timer, (long)REC->expires - REC->nrs, "
	    "REC->flagszqRxlllc0,cFF, REC->flagsz>> 22, __print_flags(REC->flagsz& "
	    "(xlllc40000 |Rxlllc80000), \"|\", { xlllc40000, \"M\" }, { 0x80000, \"D\" }, "
	    "{ 0x100000,\"P\" })\n";
	char fmt[2048];
	struct tep_handle *tep = tep_alloc();
	struct td_trace_decoder *d;
	struct td_error e;
	int len;

	snprintf(fmt, sizeof(fmt), "%s%s", head, hostile);
	len = td_trace_format_trim(fmt, (int)strlen(fmt));
	is_int(len, (int)strlen(fmt), "trimmed length is the string's");
	ok(strstr(fmt, "\nprint fmt: \"D=0x80000 P=0x100000\"\n") != NULL &&
	    strstr(fmt, "REC->") == NULL, "the print fmt holds the flag values only");
	is_int(tep_parse_event(tep, fmt, (unsigned long)len, "timer"), 0, "and parses");
	if (ok(td_trace_decoder_new(tep, &d, &e) == 0, "decoder from it")) {
		ok(td_trace_decoder_deferrable_flag(d) == 0x80000 &&
		    td_trace_decoder_pinned_flag(d) == 0x100000, "D and P bits from it");
		td_trace_decoder_free(d);
	}
	tep_free(tep);

	snprintf(fmt, sizeof(fmt), "%sprint fmt: 1", head);
	len = td_trace_format_trim(fmt, (int)strlen(fmt));
	ok(len == (int)strlen(fmt) && strstr(fmt, "print fmt") == NULL,
	    "a print fmt shorter than the replacement is cut");
	snprintf(fmt, sizeof(fmt), "%sprint fmt: \"timer=%%p\", REC->timer\n", head);
	len = td_trace_format_trim(fmt, (int)strlen(fmt));
	ok(len == (int)strlen(fmt) && strstr(fmt, "\nprint fmt: \"\"\n") != NULL,
	    "no flags: an empty print fmt");
	snprintf(fmt, sizeof(fmt), "%s", head);
	is_int(td_trace_format_trim(fmt, (int)strlen(fmt)), (int)strlen(head),
	    "no print fmt: left as it is");
}

/* Order addresses. */
static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The start of the line before the one at p (p > buf). */
static const char *
prev_line(const char *buf, const char *p)
{
	p--;
	while (p > buf && p[-1] != '\n')
		p--;
	return p;
}

/* Resolve n addresses through a kallsyms text of len bytes. */
static void
f_resolve_live(const char *buf, size_t len, const uint64_t *addr, size_t n, char **names)
{
	FILE *f = fmemopen((void *)(uintptr_t)buf, len, "r");

	for (size_t i = 0; i < n; i++)
		names[i] = NULL;
	if (f == NULL)
		return;
	(void)td_ksyms_resolve(f, addr, n, names, NULL, 0, NULL, NULL);
	fclose(f);
}

/* Resolve addrs through a kallsyms text in one pass; NULL names as "-". */
static int
resolve_text(const char *text, const uint64_t *addr, size_t n, char **names)
{
	FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	int r;

	if (f == NULL)
		return -errno;
	r = td_ksyms_resolve(f, addr, n, names, NULL, 0, NULL, NULL);
	fclose(f);
	return r;
}

/* Names of 400 chars fill a compressed block early: all still found. */
static void
test_ksyms_long_names(void)
{
	size_t cap = 1200 * 500, len = 0, bad = 0;
	char *text = malloc(cap), name[500];
	struct td_ksyms *k = NULL;
	FILE *f;

	if (text == NULL)
		return;
	for (int i = 0; i < 1200; i++) {
		int w = i % 3 == 0 ? 400 : 10;

		snprintf(name, sizeof(name), "fn%d_%0*d", i, w, 0);
		len += (size_t)snprintf(text + len, cap - len, "%016llx T %s\n",
		    0xffffffff81000000ULL + (unsigned long long)i * 64, name);
	}
	if ((f = fmemopen(text, len, "r")) != NULL) {
		if (td_ksyms_load(f, NULL, &k, NULL) == 0)
			for (int i = 1199; i >= 0; i--) {
				const char *g = td_ksyms_name(k, 0xffffffff81000000ULL +
				    (uint64_t)i * 64 + 63);

				snprintf(name, sizeof(name), "fn%d_%0*d", i, i % 3 == 0 ? 400 : 10, 0);
				if (g == NULL || strcmp(g, name) != 0)
					bad++;
			}
		fclose(f);
	}
	ok(k != NULL && td_ksyms_count(k) == 1200 && bad == 0,
	    "ksyms load: 1200 symbols with long names, %zu misnamed", bad);
	td_ksyms_free(k);
	free(text);
}

/* The spans of the symbols named by prefix: start and the next symbol's address. */
static void
test_ksyms_spans(void)
{
	static const char text[] =
	    "ffffffff81000000 T _stext\n"
	    "ffffffff81000100 T hrtimer_start_range_ns\n"
	    "ffffffff81000100 T hrtimer_start_alias\n"
	    "ffffffff81000400 t enqueue_hrtimer\n"
	    "ffffffff81000480 T do_nanosleep\n"
	    "ffffffff81000600 D some_data\n"
	    "ffffffff81000700 T mod_timer\n"
	    "ffffffff81000780 T mod_timer_pending\n"
	    "ffffffff81000800 T _etext\n";
	static const char *const pre[] = { "hrtimer_start", "enqueue_hrtimer", "mod_timer", NULL };
	static const char *const none[] = { "no_such_function", NULL };
	static const char *const later[] = { "do_nanosleep", NULL };
	static const char *const enq[] = { "enqueue_", NULL };
	struct td_ksym_span sp[8];
	struct td_ksyms *k = NULL;
	FILE *f = fmemopen((void *)(uintptr_t)text, sizeof(text) - 1, "r");
	int n = -1;

	if (f != NULL && td_ksyms_load(f, pre, &k, NULL) == 0)
		n = td_ksyms_spans(k, pre, sp, 8);
	if (f != NULL)
		fclose(f);
	is_int(n, 4, "ksyms spans: four symbols by prefix (an alias once)");
	ok(n == 4 && sp[0].start == 0xffffffff81000100ULL && sp[0].end == 0xffffffff81000400ULL &&
	    sp[1].start == 0xffffffff81000400ULL && sp[1].end == 0xffffffff81000480ULL &&
	    sp[2].start == 0xffffffff81000700ULL && sp[2].end == 0xffffffff81000780ULL &&
	    sp[3].end == 0xffffffff81000800ULL,
	    "ksyms spans: each from its start to the next text symbol");
	is_int(td_ksyms_spans(k, pre, sp, 2), 2, "ksyms spans: at most max");
	is_int(td_ksyms_spans(k, none, sp, 8), 0, "ksyms spans: no name matches, none");
	is_int(td_ksyms_spans(k, later, sp, 8), 0, "ksyms spans: a name not marked at load, none");
	is_int(td_ksyms_spans(k, enq, sp, 8), 1, "ksyms spans: some of the marked names");
	td_ksyms_free(k);
}

/* Callback names by one scan of kallsyms match the table lookups. */
static void
test_ksyms_resolve(void)
{
	static const char text[] =
	    "ffffffff81000000 T _stext\n"
	    "ffffffff81001000 t hrtimer_wakeup\n"
	    "ffffffff81002000 D some_data\n"
	    "ffffffff81003000 T tick_nohz_handler\n"
	    "ffffffffc0100000 t mod_timer_fn\t[mymod]\n"
	    "ffffffff81001800 W process_timeout\n";
	const uint64_t addr[] = {
		0xffffffff80000000ULL,	/* below every symbol */
		0xffffffff81001004ULL,	/* inside hrtimer_wakeup */
		0xffffffff81001800ULL,	/* exactly process_timeout (listed late) */
		0xffffffff81002010ULL,	/* after a data symbol: still process_timeout */
		0xffffffff81003000ULL,
		0xffffffffc0100020ULL,	/* a module's function */
		0xffffffffc0300000ULL,	/* 2 MiB past the last symbol */
	};
	const char *want[] = { NULL, "hrtimer_wakeup", "process_timeout",
	    "process_timeout", "tick_nohz_handler", "mod_timer_fn", NULL };
	char *names[7], *zn[1];
	FILE *f;
	uint64_t zaddr[1] = { 0xffffffff81001004ULL };
	struct td_ksyms *k = NULL;
	struct td_buf kb;
	int r;

	r = resolve_text(text, addr, 7, names);
	is_int(r, 5, "ksyms resolve: five text symbols seen");
	for (size_t i = 0; i < 7; i++) {
		is_str(names[i] ? names[i] : "-", want[i] ? want[i] : "-",
		    "ksyms resolve: %#llx", (unsigned long long)addr[i]);
		free(names[i]);
	}
	if ((f = fmemopen((void *)(uintptr_t)text, strlen(text), "r")) != NULL) {
		ok(td_ksyms_load(f, NULL, &k, NULL) == 0 && td_ksyms_count(k) == 5,
		    "ksyms load: five text symbols kept");
		fclose(f);
		for (size_t i = 0; i < 7; i++)
			is_str(td_ksyms_name(k, addr[i]) ? td_ksyms_name(k, addr[i]) : "-",
			    want[i] ? want[i] : "-", "ksyms load: %#llx",
			    (unsigned long long)addr[i]);
		td_ksyms_free(k);
		k = NULL;
	}
	test_ksyms_long_names();
	r = resolve_text("0000000000000000 T _stext\n0000000000000000 t hrtimer_wakeup\n",
	    zaddr, 1, zn);
	ok(r == 0 && zn[0] == NULL, "ksyms resolve: kptr_restrict zeros give no symbols");

	/* The live kernel: a sample of addresses named as the loaded table names them. */
	if (td_read_file("/proc/kallsyms", 64 << 20, &kb, NULL) < 0) {
		ok(1, "# SKIP /proc/kallsyms not readable");
		return;
	}
	if ((f = fmemopen(kb.data, kb.len, "r")) != NULL) {
		if (td_ksyms_load(f, NULL, &k, NULL) < 0)
			k = NULL;
		fclose(f);
	}
	if (k != NULL && td_ksyms_count(k) > 1000) {
		uint64_t live[64];
		char *ln[64];
		size_t n = 0, same = 0;
		const char *p = kb.data;

		/*
		 * Every 997th text line's address plus a small offset, ascending;
		 * not one that several symbols share (either name is right).
		 */
		for (size_t line = 0; p < kb.data + kb.len && n < 64; line++) {
			const char *nl = memchr(p, '\n', (size_t)(kb.data + kb.len - p));
			unsigned long long a, prev = 0, next = 0;
			char type;

			if (line % 997 == 0 && sscanf(p, "%llx %c", &a, &type) == 2 &&
			    (type == 't' || type == 'T') && a != 0 &&
			    (nl == NULL || sscanf(nl + 1, "%llx", &next) != 1 || next != a) &&
			    (p == kb.data || sscanf(prev_line(kb.data, p), "%llx", &prev) != 1 ||
			    prev != a))
				live[n++] = a + 1;
			p = nl ? nl + 1 : kb.data + kb.len;
		}
		qsort(live, n, sizeof(live[0]), cmp_u64);
		f_resolve_live(kb.data, kb.len, live, n, ln);
		for (size_t i = 0; i < n; i++) {
			const char *w = td_ksyms_name(k, live[i]);

			if ((w == NULL && ln[i] == NULL) ||
			    (w != NULL && ln[i] != NULL && strcmp(w, ln[i]) == 0))
				same++;
			else
				diag("%#llx: table %s, scan %s", (unsigned long long)live[i],
				    w ? w : "-", ln[i] ? ln[i] : "-");
			free(ln[i]);
		}
		ok(n > 10 && same == n, "ksyms resolve: %zu of %zu live addresses as the table",
		    same, n);
	} else
		ok(1, "# SKIP no kernel symbols (kptr_restrict)");
	td_ksyms_free(k);
	td_buf_free(&kb);
}

/*
 * The passes end early among the kernel's sorted symbols: resolving low
 * addresses, or finding the tick's callbacks, leaves the rest of the text
 * unread, yet a module's address or an unsorted text is read to its end.
 */
static void
test_ksyms_early_end(void)
{
	static const char *const ticks[] = {
		"tick_sched_timer", "tick_nohz_handler", "tick_nohz_highres_handler",
	};
	static char text[1 << 16];
	char *nm[2];
	const uint64_t base = 0xffffffff81000000ULL;
	uint64_t low[2] = { base + 0x10, base + 0x1040 };
	uint64_t mod[1] = { 0xffffffffc0100008ULL }, tk[3];
	size_t len = 0;
	long at;
	FILE *f;

	/* 1,000 functions 4 KiB apart, the 100th the tick's, then a module's. */
	for (int i = 0; i < 1000; i++) {
		char name[32];

		if (i == 100)
			strlcpy(name, "tick_nohz_handler", sizeof(name));
		else
			snprintf(name, sizeof(name), "fn%d", i);
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%016llx t %s\n",
		    (unsigned long long)(base + (uint64_t)i * 0x1000), name);
	}
	len += (size_t)snprintf(text + len, sizeof(text) - len,
	    "ffffffffc0100000 t mod_fn\t[mymod]\n");
	if ((f = fmemopen(text, len, "r")) == NULL)
		return;
	is_int(td_ksyms_resolve(f, low, 2, nm, NULL, 0, NULL, NULL), 3,
	    "resolve: three symbols read");
	at = ftell(f);
	ok(at > 0 && (size_t)at < len / 10, "resolve: the pass ended early (%ld of %zu)", at, len);
	is_str(nm[0], "fn0", "resolve: the first address named");
	is_str(nm[1], "fn1", "resolve: the second address named");
	free(nm[0]);
	free(nm[1]);
	rewind(f);
	(void)td_ksyms_resolve(f, mod, 1, nm, NULL, 0, NULL, NULL);
	ok(ftell(f) == (long)len, "resolve: a module's address reads the text to its end");
	is_str(nm[0], "mod_fn", "resolve: the module's function named");
	free(nm[0]);
	rewind(f);
	is_int(td_ksyms_resolve(f, NULL, 0, NULL, ticks, 3, tk, NULL), 166,
	    "find: read up to 256 KiB past the tick");
	ok(tk[0] == 0 && tk[1] == base + 100 * 0x1000 && tk[2] == 0,
	    "find: the tick callback this kernel has, and not the others");
	/* Both in the one pass of a short sample's collect. */
	rewind(f);
	is_int(td_ksyms_resolve(f, low, 2, nm, ticks, 3, tk, NULL), 166,
	    "resolve and find: one pass up to 256 KiB past the tick");
	is_str(nm[0], "fn0", "resolve and find: the first address named");
	is_str(nm[1], "fn1", "resolve and find: the second address named");
	ok(tk[1] == base + 100 * 0x1000, "resolve and find: the tick callback found");
	free(nm[0]);
	free(nm[1]);
	fclose(f);

	/* Addresses read eight digits at a time: upper case is hex, a stray letter is not. */
	{
		static char odd[] = "FFFFFFFF81000000 T Upper\nffffffff8100100g t bad\n"
		    "ffffffff8100200: t bad2\nfffffffF81003000 t mixed\n";
		uint64_t at2[2] = { base + 0x2500, base + 0x3010 };

		if ((f = fmemopen(odd, strlen(odd), "r")) == NULL)
			return;
		is_int(td_ksyms_resolve(f, at2, 2, nm, NULL, 0, NULL, NULL), 2,
		    "resolve: two of four lines are text symbols with addresses");
		is_str(nm[0], "Upper", "resolve: an address in upper case read, bad ones skipped");
		is_str(nm[1], "mixed", "resolve: an address in mixed case read");
		free(nm[0]);
		free(nm[1]);
		fclose(f);
	}
}

/* Run the tests. */

/* A trace buffer of want KiB a CPU fitted for ncpus CPUs with avail KiB available, in KiB. */
static unsigned
tracebuf(unsigned want, unsigned ncpus, uint64_t avail)
{
	return (unsigned)(td_cpubudget_fit((uint64_t)want << 10, TD_TRACEBUF_MIN_KB << 10, ncpus,
	    avail) >> 10);
}

/*
 * The trace buffer's size per CPU held to the machine's budget: 8 MiB a CPU
 * up to 32 CPUs (256 MiB), then the budget shared, never under 128 KiB; a
 * machine with little memory free gets a sixteenth of it.
 */
static void
test_cpubudget(void)
{
	const uint64_t big = 64ULL << 20;	/* 64 GiB available, in KiB */

	is_int(tracebuf(8192, 2, big), 8192, "2 CPUs: 8 MiB each");
	is_int(tracebuf(8192, 32, big), 8192, "32 CPUs: 8 MiB each, 256 MiB in all");
	is_int(tracebuf(8192, 64, big), 4096, "64 CPUs: 4 MiB each");
	is_int(tracebuf(8192, 1024, big), 256, "1,024 CPUs: 256 KiB each");
	is_int(tracebuf(8192, 4096, big), 128, "4,096 CPUs: 128 KiB each (512 MiB, not 32 GiB)");
	is_int(tracebuf(8192, 4, 0), 8192, "available memory unknown: the 256 MiB budget");
	is_int(tracebuf(8192, 64, 0), 4096, "64 CPUs, available memory unknown");
	is_int(tracebuf(8192, 8, 512 * 1024), 4096,
	    "8 CPUs, 512 MiB available: 32 MiB in all (a sixteenth)");
	is_int(tracebuf(8192, 2, 1024), 128, "1 MiB available: the floor");
	is_int(tracebuf(64, 4096, big), 64, "never more than asked");
	is_int(tracebuf(2048, 256, big), 1024, "timerprobe's 2 MiB on 256 CPUs: 1 MiB");
	ok(td_tracebuf_kb(8192) >= TD_TRACEBUF_MIN_KB && td_tracebuf_kb(8192) <= 8192,
	    "this machine: between the floor and what was asked (%u)", td_tracebuf_kb(8192));
}

int
main(void)
{
	test_cpubudget();
	test_table();
	test_table_plain();
	test_delta();
	test_finish_many();
	test_group_many();
	test_backends();
	test_decoder();
	test_kmatrix_formats();
	test_format_trim();
	test_ksyms_resolve();
	test_ksyms_early_end();
	test_ksyms_spans();
	return done_testing();
}
