/* wakeuptop's pieces without a terminal: text fitting, the CPU strip, the view, keys, render. */
#include "config.h"

#include <curses.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "cpumask.h"
#include "sampler.h"
#include "table.h"
#include "cpustrip.h"
#include "facts.h"
#include "frame.h"
#include "keys.h"
#include "render.h"
#include "text.h"
#include "view.h"

/* Text fitting: widths, wide characters, invalid bytes, padding. */
static void
test_text(void)
{
	/* Text fitted to a width, aligned, padded and marked, and what it gives. */
	static const struct fit {
		const char	*in;
		int		 width;
		enum wt_align	 align;
		int		 pad, mark;
		const char	*want, *what;
	} fits[] = {
		{ "日本語", 5, WT_LEFT, 0, 1, "日本~", "cut with a mark" },
		{ "a\x01z", 9, WT_LEFT, 0, 0, "a\\x01z", "control bytes become \\xNN" },
		{ "\x1b]0;OWNED\x07", 20, WT_LEFT, 0, 0, "\\x1b]0;OWNED\\x07",
		    "a terminal escape in a name is shown escaped" },
		{ "a\xe6\x97", 9, WT_LEFT, 0, 0, "a\\xe6\\x97",
		    "a truncated UTF-8 sequence never leaks a partial character" },
		{ "ab\x1b", 5, WT_LEFT, 1, 0, "ab   ", "an escape that does not fit is left out whole" },
		{ "42", 6, WT_RIGHT, 1, 0, "    42", "right-aligned and padded" },
		{ "ab", 4, WT_LEFT, 1, 0, "ab  ", "left-aligned and padded" },
	};
	char out[128];
	int w;

	is_int(wt_text_width("abc"), 3, "ASCII width");
	is_int(wt_text_width("日本語"), 6, "CJK characters are two columns each");
	is_int(wt_text_width("caf\xc3\xa9"), 4, "é is one column");
	is_int(wt_text_width("a\xff" "b"), 6, "an invalid byte counts as its four-column escape");
	w = wt_text_fit(out, sizeof(out), "日本語", 5, WT_LEFT, 0, 0);
	is_str(out, "日本 ", "a wide character straddling the edge becomes a space");
	is_int(w, 5, "cut to exactly 5 columns");
	for (size_t i = 0; i < sizeof(fits) / sizeof(fits[0]); i++) {
		const struct fit *f = &fits[i];

		wt_text_fit(out, sizeof(out), f->in, f->width, f->align, f->pad, f->mark);
		is_str(out, f->want, "%s", f->what);
	}
	wt_text_fit(out, 4, "abcdefgh", 10, WT_LEFT, 1, 0);
	is_int((int)strlen(out), 3, "never overflows the buffer");
}

/* The strip: one cell per CPU when they fit, groups within max_lines at 256 CPUs. */
static void
test_strip(void)
{
	struct wt_frame f = { 0 };
	struct wt_cpu cpus[256];
	size_t i;
	int n, found_busy = 0;

	memset(cpus, 0, sizeof(cpus));
	for (i = 0; i < 2; i++) {
		cpus[i].cpu = (int)i;
		cpus[i].wakeups = i ? 12.5 : 0;
		cpus[i].method = TD_WAKE_IDLE_EVENT;
		cpus[i].events = i ? 400 : 30;
		cpus[i].loc = 250;
		cpus[i].tick_stopped = (int)i;
	}
	wt_frame_reset(&f, 120);
	n = wt_cpustrip_render(&f, cpus, 2, 4, false);
	is_int(n, 1, "2 CPUs take one line at 120 columns");
	ok(strstr(f.lines[0].text, "cpu1 wake 12.5/s ev 400/s loc 250/s idle") != NULL,
	    "cell says wakeups, events, LOC and tick state apart: '%s'", f.lines[0].text);
	ok(strstr(f.lines[0].text, "cpu0 wake 0/s ev 30/s ") != NULL,
	    "a CPU whose idle exits were counted and none came has 0 wakeups: '%s'",
	    f.lines[0].text);
	cpus[1].method = TD_WAKE_IDLE_TASK;
	wt_frame_reset(&f, 120);
	n = wt_cpustrip_render(&f, cpus, 2, 4, false);
	is_int(n, 2, "a CPU counted by its idle task adds a footnote line");
	ok(strstr(f.lines[0].text, "cpu1 wake 12.5/s* ev") != NULL &&
	    strstr(f.lines[0].text, "cpu0 wake 0/s ev") != NULL,
	    "that CPU's wakeups are marked '*', the other's not: '%s'", f.lines[0].text);
	ok(strncmp(f.lines[1].text, "* cpu1: the kernel traces no cpu_idle there", 43) == 0,
	    "the footnote names it: '%s'", f.lines[1].text);
	for (i = 0; i < 256; i++) {
		cpus[i].cpu = (int)i;
		cpus[i].method = TD_WAKE_IDLE_EVENT;
		cpus[i].wakeups = i == 200 ? 5000 : i % 2 ? 3 : 0.5;
		cpus[i].loc = i % 2 ? 4 : 1;
		cpus[i].tick_stopped = i % 2 == 0;
	}
	wt_frame_reset(&f, 120);
	n = wt_cpustrip_render(&f, cpus, 256, 4, false);
	ok(n >= 1 && n <= 4, "256 CPUs fold into at most 4 lines (%d)", n);
	for (i = 0; i < f.n; i++) {
		ok(wt_text_width(f.lines[i].text) <= 120, "line %zu fits 120 columns", i);
		if (strstr(f.lines[i].text, "  1 CPU ") != NULL &&
		    strstr(f.lines[i].text, ": cpu200") != NULL)
			found_busy = 1;
	}
	ok(found_busy, "the busy CPU 200 has a group of its own, shown first");
	ok(strstr(f.lines[0].text, "cpu200") != NULL, "busiest group first: '%s'",
	    f.lines[0].text);
	for (i = 0; i < 256; i++)
		cpus[i].wakeups = (double)i * 1.7;
	wt_frame_reset(&f, 80);
	n = wt_cpustrip_render(&f, cpus, 256, 3, false);
	ok(n <= 3, "many distinct groups still fit 3 lines (%d)", n);
	ok(strstr(f.lines[f.n - 1].text, "more CPUs") != NULL, "the rest is summed: '%s'",
	    f.lines[f.n - 1].text);
	wt_frame_reset(&f, 60);
	n = wt_cpustrip_render(&f, cpus, 256, 1, false);
	is_int(n, 1, "one line on a small screen");
	ok(strstr(f.lines[0].text, "256 CPUs: ") != NULL && strstr(f.lines[0].text,
	    "busiest cpu255") != NULL, "a summary of all CPUs: '%s'", f.lines[0].text);
	cpus[0].wakeups = -1;
	cpus[0].events = -1;
	cpus[0].loc = -1;
	cpus[0].tick_stopped = -1;
	wt_frame_reset(&f, 120);
	wt_cpustrip_render(&f, cpus, 1, 2, false);
	ok(strstr(f.lines[0].text, "cpu0 wake ? ev ? loc ? tick ?") != NULL,
	    "unknown is '?', never 0: '%s'", f.lines[0].text);
	/* Wakeups unknown everywhere: CPUs group and order by their events. */
	for (i = 0; i < 256; i++) {
		cpus[i].wakeups = -1;
		cpus[i].events = i == 7 ? 900 : 2;
		cpus[i].loc = 1;
		cpus[i].tick_stopped = -1;
	}
	wt_frame_reset(&f, 120);
	wt_cpustrip_render(&f, cpus, 256, 4, false);
	ok(strstr(f.lines[0].text, "  1 CPU  ev 100-1k/s each") != NULL &&
	    strstr(f.lines[0].text, "in all wake ?, ev 900/s") != NULL &&
	    strstr(f.lines[0].text, ": cpu7") != NULL,
	    "the busiest by events leads, its wakeups '?': '%s'", f.lines[0].text);
	wt_frame_free(&f);
}

/* Add a source to a sample. */
static struct td_wsource *
add(struct td_sample *p, enum td_kind kind, const char *fn, const char *comm, int pid,
    uint64_t c0, uint64_t c1)
{
	struct td_wsource *w = td_sample_add(p);

	w->kind = kind;
	w->function = td_sample_str(p, fn);
	w->pid = pid;
	w->irq = -1;
	snprintf(w->comm, sizeof(w->comm), "%s", comm);
	w->known = TD_WS_CPU | TD_WS_RATE | (pid >= 0 ? TD_WS_PID : 0);
	w->ncpus = 2;
	w->per_cpu = calloc(2, sizeof(uint64_t));
	w->per_cpu[0] = c0;
	w->per_cpu[1] = c1;
	w->count = c0 + c1;
	return w;
}

/* A sample of four sources over 2 s. */
static struct td_sample *
make_sample(void)
{
	struct td_sample *p = calloc(1, sizeof(*p));

	p->backend = TD_BACKEND_INTERRUPTS;
	p->period_ns = 2000000000ULL;
	add(p, TD_KIND_HRTIMER, "hrtimer_wakeup", "Wörker", 42, 100, 0);
	add(p, TD_KIND_TIMER, "process_timeout", "sshd", 7, 0, 10);
	add(p, TD_KIND_VECTOR, "LOC", "", -1, 300, 200)->local_timer = true;
	add(p, TD_KIND_IRQ, "virtio0-input.0", "", -1, 1, 3);
	p->total_events = 100 + 10 + 500 + 4;
	for (size_t i = 0; i < p->n; i++)
		p->src[i].rate = (double)p->src[i].count / 2;
	return p;
}

/* The function of row i of the view. */
static const char *
row_fn(const struct wt_view *v, size_t i)
{
	return i < v->nrows ? ((const struct td_wsource *)v->rowp[i])->function : "(none)";
}

/* The tick state for the strip: CPU 1 stopped. */
static int
ticks(const void *ctx, int cpu)
{
	(void)ctx;
	return cpu == 1;
}

/* Filters, sort, selection by identity, keys, and the rendered lines. */
static void
test_view(void)
{
	struct td_table *t;
	struct td_error e;
	struct wt_view v;
	struct wt_facts fa;
	struct wt_frame f = { 0 };
	struct wt_status st = { .backend = "interrupts", .note = "tracefs needs root",
	    .batch = true, .iteration = 1 };
	const char *s, *h;
	size_t i;
	int found;

	if (td_table_new(&t, td_wsource_columns, td_wsource_ncolumns, &e) < 0) {
		ok(0, "table");
		return;
	}
	wt_view_init(&v, t, &e);
	wt_view_set_sample(&v, make_sample());
	is_int(v.nrows, 4, "all four sources shown");
	is_str(row_fn(&v, 0), "LOC", "sorted by rate, largest first");
	is_str(row_fn(&v, 3), "virtio0-input.0", "smallest last");
	ok(v.event_rate > 306 && v.event_rate < 308, "events 307/s");
	ok(v.wakeup_rate < 0, "wakeups unknown: no rate");

	is_int(wt_key(&v, L'T', false, 10), WT_ACT_TICKS, "T re-reads the tick state");
	is_int(wt_key(&v, L't', false, 10), WT_ACT_REDRAW, "t redraws");
	is_int(v.nrows, 2, "t: timers only");
	is_str(row_fn(&v, 0), "hrtimer_wakeup", "t: the hrtimer first");
	wt_key(&v, L'i', false, 10);
	is_int(v.nrows, 2, "i: interrupts only");
	is_str(row_fn(&v, 0), "LOC", "i: LOC first");
	wt_key(&v, L'a', false, 10);
	is_int(v.nrows, 4, "a: all again");

	/* Name filter: typed at the prompt, case-insensitive, Unicode. */
	wt_key(&v, L'/', false, 10);
	is_int(v.prompt, '/', "/ opens the name prompt");
	wt_key(&v, L'W', false, 10);
	wt_key(&v, 0xd6, false, 10);	/* Ö */
	wt_key(&v, L'\r', false, 10);
	is_int(v.nrows, 1, "name 'WÖ' matches comm 'Wörker' only");
	is_str(row_fn(&v, 0), "hrtimer_wakeup", "the Wörker source");
	ok(wt_match_name("VIRTIO0-input", "virtio0"), "ASCII case folding");
	ok(!wt_match_name("process_timeout", "hrtimer"), "no false match");
	wt_key(&v, L'/', false, 10);
	wt_key(&v, 21, false, 10);	/* ^U */
	wt_key(&v, L'\r', false, 10);
	is_int(v.nrows, 4, "an empty name clears the filter");

	/* CPU filter: counts only on those CPUs. */
	wt_key(&v, L'c', false, 10);
	wt_key(&v, L'1', false, 10);
	wt_key(&v, L'\r', false, 10);
	is_int(v.nrows, 3, "cpu 1: the CPU-0-only hrtimer is gone");
	is_str(row_fn(&v, 0), "LOC", "LOC first on cpu 1");
	is_int(((const struct td_wsource *)v.rowp[0])->count, 200, "LOC counts cpu 1 only");
	wt_key(&v, L'c', false, 10);
	wt_key(&v, 21, false, 10);
	wt_key(&v, L'x', false, 10);
	wt_key(&v, L'\r', false, 10);
	ok(strstr(v.message, "not a CPU list") != NULL, "a bad CPU list is refused: '%s'",
	    v.message);
	wt_view_set_cpus(&v, "");
	(void)wt_view_rebuild(&v);

	/* pid filter. */
	wt_key(&v, L'p', false, 10);
	wt_key(&v, L'7', false, 10);
	wt_key(&v, L'\r', false, 10);
	is_int(v.nrows, 1, "pid 7 only");
	is_str(row_fn(&v, 0), "process_timeout", "pid 7 is sshd's timer");
	v.pid = -1;
	(void)wt_view_rebuild(&v);

	/* Selection follows the source across samples, not the row number. */
	wt_key(&v, KEY_HOME, true, 10);
	wt_key(&v, KEY_DOWN, true, 10);
	is_str(row_fn(&v, v.sel), "hrtimer_wakeup", "down selects the second row");
	wt_view_set_sample(&v, make_sample());
	v.sample->src[0].count = 1000;	/* the hrtimer becomes the busiest */
	v.sample->src[0].rate = 500;
	(void)wt_view_rebuild(&v);
	is_str(row_fn(&v, 0), "hrtimer_wakeup", "re-sorted");
	is_int(v.sel, 0, "the selection moved with its source");
	wt_key(&v, KEY_END, true, 10);
	is_int(v.sel, 3, "End: last row");
	wt_key(&v, KEY_HOME, true, 10);
	is_int(v.sel, 0, "Home: first row");

	/* Sort keys. */
	wt_key(&v, L'>', false, 10);
	s = wt_view_sort_column(&v)->name;
	ok(strcmp(s, "rate") != 0, "> moves the sort column (now %s)", s);
	wt_key(&v, L'<', false, 10);
	is_str(wt_view_sort_column(&v)->name, "rate", "< moves it back");

	/* Pause, interval, help, quit. */
	wt_key(&v, L' ', false, 10);
	ok(v.paused, "space pauses");
	wt_key(&v, L' ', false, 10);
	ok(!v.paused, "space resumes");
	is_int(wt_key(&v, L'+', false, 10), WT_ACT_INTERVAL, "+ changes the interval");
	is_int(v.interval_ns, 3000000000LL, "2 s -> 3 s");
	wt_key(&v, L'-', false, 10);
	wt_key(&v, L'-', false, 10);
	is_int(v.interval_ns, 1000000000LL, "3 s -> 2 s -> 1 s");
	wt_key(&v, L'h', false, 10);
	ok(v.help, "h opens the help");
	wt_key(&v, L'x', false, 10);
	ok(!v.help, "any key closes it");
	is_int(wt_key(&v, L'q', false, 10), WT_ACT_QUIT, "q quits");

	/* Render in batch mode: every row, header facts, unknown shown as such. */
	memset(&fa, 0, sizeof(fa));
	strlcpy(fa.host, "testhost", sizeof(fa.host));
	strlcpy(fa.release, "6.18.0", sizeof(fa.release));
	fa.hz = -1;
	strlcpy(fa.hz_why, "no kernel config found", sizeof(fa.hz_why));
	strlcpy(fa.clocksource, "kvm-clock", sizeof(fa.clocksource));
	strlcpy(fa.tick, "/proc/timer_list needs root", sizeof(fa.tick));
	wt_view_strip(&v, 2, ticks, NULL);
	is_int(v.nstrip, 2, "strip of 2 CPUs");
	ok(v.strip[0].loc == 150 && v.strip[1].loc == 100, "LOC per CPU from the LOC row");
	is_int(v.strip[1].tick_stopped, 1, "tick state from the callback");
	wt_frame_reset(&f, 200);
	wt_render(&f, &v, &fa, &st, 0);
	ok(strstr(f.lines[0].text, "testhost") != NULL, "title names the host");
	found = 0;
	for (i = 0; i < f.n; i++) {
		if (strstr(f.lines[i].text, "HZ: ? (no kernel config found)") != NULL)
			found |= 1;
		if (strstr(f.lines[i].text, "Backend: interrupts") != NULL)
			found |= 2;
		if (strstr(f.lines[i].text, "note: tracefs needs root") != NULL)
			found |= 4;
		if (strstr(f.lines[i].text, "Lost: ? ") != NULL)
			found |= 8;
		if (strstr(f.lines[i].text, "Wörker") != NULL)
			found |= 16;
		if (f.lines[i].role == WT_R_COLHEAD && strstr(f.lines[i].text, "EVENT/S*") != NULL)
			found |= 32;
	}
	is_int(found, 63, "header: HZ unknown with reason, backend, note, lost unknown; "
	    "rows; sort mark");
	found = 0;
	for (i = 0; i < f.n; i++) {
		if (strstr(f.lines[i].text, "Events: 307/s (614 in 2.00 s)   Wakeups unknown: "
		    "interrupt counts are events, not idle exits") != NULL)
			found |= 3;
		if (strstr(f.lines[i].text, "Group: comm") != NULL)
			found |= 4;
		if (f.lines[i].role == WT_R_COLHEAD && (h = strstr(f.lines[i].text, "WAKEUPS ")) &&
		    (h = strstr(h, " WAKE/S ")) && (h = strstr(h, " EVENTS ")) &&
		    strstr(h, " EVENT/S* ") != NULL)
			found |= 8;
		if (strncmp(f.lines[i].text, "cpu0 wake ? ev ", 15) == 0 &&
		    strstr(f.lines[i].text, "loc 150/s tick") != NULL)
			found |= 16;
	}
	is_int(found, 31, "wakeups unknown with the reason, never 0; events apart; the "
	    "grouping; both column pairs, events sorted when wakeups are unknown; the strip");
	is_int(f.n, 5 + 1 + 1 + 1 + 1 + 4, "title, 4 header lines, strip, blank, head, 4 rows");

	/* Render on a 60x16 screen: lines fit, selection highlighted, status last. */
	wt_key(&v, L'\r', false, 10);
	wt_frame_reset(&f, 60);
	st.batch = false;
	wt_render(&f, &v, &fa, &st, 16);
	is_int(f.n, 16, "exactly the screen's height");
	found = 0;
	for (i = 0; i < f.n; i++) {
		ok(wt_text_width(f.lines[i].text) <= 60, "line %zu fits 60 columns", i);
		if (f.lines[i].role == WT_R_SELECTED)
			found++;
		if (f.lines[i].role == WT_R_DETAIL && strstr(f.lines[i].text, "armed by: pid 42"))
			found += 10;
	}
	is_int(found, 11, "one selected row, expanded with its arming task");
	is_int(f.lines[f.n - 1].role, WT_R_STATUS, "status line last");

	wt_frame_free(&f);
	wt_view_free(&v);
	td_table_free(t);
}

/* A source of a tracefs-like sample: events and wakeups on CPUs 0 and 1. */
static void
add_woke(struct td_sample *p, const char *fn, const char *comm, int pid, int tgid,
    uint64_t e0, uint64_t e1, uint64_t w0, uint64_t w1)
{
	struct td_wsource *w = add(p, pid < 0 && tgid < 0 ? TD_KIND_VECTOR : TD_KIND_HRTIMER, fn,
	    comm, pid, e0, e1);

	w->tgid = tgid;
	w->known |= TD_WS_WAKEUPS | (tgid >= 0 ? TD_WS_TGID : 0);
	if (w->kind == TD_KIND_HRTIMER) {
		w->known |= TD_WS_PID | TD_WS_ARMS | TD_WS_EXPIRIES | TD_WS_CANCELS;
		w->arms = w->expiries = w->count;
		w->task = pid > 0 ? TD_TASK_USER : TD_TASK_TICK;
	}
	w->wakeups_per_cpu = calloc(2, sizeof(uint64_t));
	w->wakeups_per_cpu[0] = w0;
	w->wakeups_per_cpu[1] = w1;
	w->wakeups = w0 + w1;
}

/*
 * One second on two CPUs: two `sleep` processes and a two-thread `worker`,
 * LOC and the tick; CPU 0's idle exits traced, CPU 1's counted by its idle task.
 */
static struct td_sample *
make_woke_sample(void)
{
	struct td_sample *p = calloc(1, sizeof(*p));

	p->backend = TD_BACKEND_TRACEFS;
	p->period_ns = 1000000000ULL;
	p->lost_known = true;
	add_woke(p, "hrtimer_wakeup", "sleep", 100, 100, 0, 200, 0, 190);
	add_woke(p, "hrtimer_wakeup", "sleep", 101, 101, 0, 10, 0, 9);
	add_woke(p, "hrtimer_wakeup", "worker", 201, 200, 50, 0, 5, 0);
	add_woke(p, "hrtimer_wakeup", "worker", 202, 200, 30, 0, 1, 0);
	add_woke(p, "LOC", "", -1, -1, 500, 500, 2, 3);
	p->src[p->n - 1].local_timer = true;	/* as the backend marks it */
	add_woke(p, "tick_nohz_handler", "[tick]", -1, -2, 250, 250, 1, 1);
	p->wakeups_known = true;
	p->ncpus = 2;
	p->cpu_wakeups = calloc(2, sizeof(uint64_t));
	p->cpu_wake_method = calloc(2, 1);
	p->cpu_wakeups[0] = 9;
	p->cpu_wakeups[1] = 203;
	p->cpu_wake_method[0] = TD_WAKE_IDLE_EVENT;
	p->cpu_wake_method[1] = TD_WAKE_IDLE_TASK;
	p->total_wakeups = 212;
	td_sample_finish(p);
	return p;
}

/* The row of v whose comm is comm, NULL if none. */
static const struct td_wsource *
row_comm(const struct wt_view *v, const char *comm)
{
	for (size_t i = 0; i < v->nrows; i++)
		if (strcmp(((const struct td_wsource *)v->rowp[i])->comm, comm) == 0)
			return v->rowp[i];
	return NULL;
}

/* The frame line holding text, NULL if none. */
static const char *
line_with(const struct wt_frame *f, const char *text)
{
	for (size_t i = 0; i < f->n; i++)
		if (strstr(f->lines[i].text, text) != NULL)
			return f->lines[i].text;
	return NULL;
}

/* Wakeups and events apart: sort, grouping, process filter, CPU filter, header, detail. */
static void
test_wakeups(void)
{
	struct td_table *t;
	struct td_error e;
	struct wt_view v;
	struct wt_facts fa;
	struct wt_frame f = { 0 };
	struct wt_status st = { .backend = "tracefs", .note = "", .batch = true, .iteration = 1 };
	const struct td_wsource *w;
	struct td_cell c;
	const char *l;

	if (td_table_new(&t, td_wsource_columns, td_wsource_ncolumns, &e) < 0) {
		ok(0, "table");
		return;
	}
	memset(&fa, 0, sizeof(fa));
	wt_view_init(&v, t, &e);
	wt_view_set_sample(&v, make_woke_sample());
	is_str(wt_view_sort_column(&v)->name, "wakeup_rate", "sorted by wakeups when counted");
	ok(v.desc, "largest first");
	is_int(v.group, TD_GROUP_COMM, "grouped by comm by default");
	is_int(v.nrows, 4, "comm: sleep, worker, LOC, the tick");
	w = v.nrows ? v.rowp[0] : NULL;
	ok(w != NULL && strcmp(w->comm, "sleep") == 0 && w->wakeups == 199 && w->count == 210 &&
	    w->ntasks == 2, "the two sleep processes are one row, first: 199 wakeups, 210 events");
	ok(v.wakeup_rate == 212 && v.event_rate == 1790, "header totals: 212 wakeups/s, "
	    "1790 events/s (%g, %g)", v.wakeup_rate, v.event_rate);

	is_int(wt_key(&v, L'g', false, 10), WT_ACT_REDRAW, "g redraws");
	is_int(v.group, TD_GROUP_THREAD, "g: thread");
	is_str(v.message, "grouped by thread", "and says so");
	is_int(v.nrows, 6, "thread: every task apart");
	is_str(((const struct td_wsource *)v.rowp[0])->comm, "sleep", "pid 100 first");
	is_int((int)((const struct td_wsource *)v.rowp[0])->wakeups, 190, "with its own 190");
	wt_key(&v, L'g', false, 10);
	is_int(v.group, TD_GROUP_PROCESS, "g: process");
	is_int(v.nrows, 5, "process: the worker's two threads in one row, the sleeps apart");
	w = row_comm(&v, "worker");
	ok(w != NULL && w->pid == 200 && w->wakeups == 6 && w->count == 80,
	    "worker is process 200: 6 wakeups, 80 events");
	wt_key(&v, L'g', false, 10);
	is_int(v.group, TD_GROUP_COMM, "g: comm again");

	/* The p key filters a process: all its threads. */
	wt_key(&v, L'p', false, 10);
	wt_key(&v, L'2', false, 10);
	wt_key(&v, L'0', false, 10);
	wt_key(&v, L'0', false, 10);
	wt_key(&v, L'\r', false, 10);
	is_int(v.nrows, 1, "process 200: one row");
	w = v.nrows ? v.rowp[0] : NULL;
	ok(w != NULL && strcmp(w->comm, "worker") == 0 && w->wakeups == 6,
	    "both threads of process 200 (6 wakeups)");
	v.pid = -1;

	/* CPU filter: every number of a row from CPU 1 only. */
	wt_view_set_cpus(&v, "1");
	(void)wt_view_rebuild(&v);
	is_int(v.nrows, 3, "cpu 1: the worker (CPU 0 only) is gone");
	w = row_comm(&v, "sleep");
	ok(w != NULL && w->wakeups == 199 && w->count == 210 && w->wakeup_rate == 199,
	    "sleep on cpu 1: 199 wakeups, 210 events");
	w = v.nrows ? v.rowp[1] : NULL;
	ok(w != NULL && strcmp(w->function, "LOC") == 0 && w->wakeups == 3 && w->count == 500,
	    "LOC on cpu 1: 3 wakeups, 500 events (not 5 and 1000)");
	w = row_comm(&v, "sleep");
	memset(&c, 0, sizeof(c));
	td_table_cell(td_table_find(t, "arms"), w, &c);
	ok(w != NULL && !c.known, "arms are not split by CPU: unknown, not the total");
	memset(&c, 0, sizeof(c));
	td_table_cell(td_table_find(t, "expiries"), w, &c);
	ok(w != NULL && c.known && c.u == 210, "expiries are the timer's events on cpu 1");
	wt_view_set_cpus(&v, "");
	(void)wt_view_rebuild(&v);

	/* The rendered header, strip and expanded row. */
	wt_view_strip(&v, 2, ticks, NULL);
	ok(v.nstrip == 2 && v.strip[0].wakeups == 9 && v.strip[1].wakeups == 203 &&
	    v.strip[1].method == TD_WAKE_IDLE_TASK && v.strip[0].events == 830 &&
	    v.strip[1].events == 960, "strip: wakeups from the CPUs' idle exits, events apart");
	wt_frame_reset(&f, 200);
	wt_render(&f, &v, &fa, &st, 0);
	ok(line_with(&f, "Wakeups: 212/s (212 idle exits in 1.00 s)   Events: 1.8k/s "
	    "(1790 in 1.00 s)") != NULL, "header: wakeups and events apart");
	ok(line_with(&f, "Group: comm") != NULL, "header: the grouping");
	ok(line_with(&f, "cpu1 wake 203/s* ev 960/s ") != NULL, "strip: CPU 1 marked");
	ok(line_with(&f, "* cpu1: the kernel traces no cpu_idle there") != NULL,
	    "and the mark explained");
	v.sel_id.set = false;
	v.sel = 0;
	(void)wt_view_rebuild(&v);
	wt_view_toggle_expand(&v);
	st.batch = false;
	wt_frame_reset(&f, 120);
	wt_render(&f, &v, &fa, &st, 30);
	ok(line_with(&f, "    armed by: 2 tasks, comm sleep (user)") != NULL,
	    "expanded: the tasks folded");
	ok(line_with(&f, "    arms 210   expiries 210   cancels 0") != NULL,
	    "expanded: arms, expiries, cancels");
	l = line_with(&f, "    wakeups per CPU:");
	ok(l != NULL && strcmp(l, "    wakeups per CPU:  cpu1 199 (199/s)") == 0,
	    "expanded: wakeups per CPU: '%s'", l ? l : "(none)");
	l = line_with(&f, "    events per CPU:");
	ok(l != NULL && strcmp(l, "    events per CPU:  cpu1 210 (210/s)") == 0,
	    "expanded: events per CPU: '%s'", l ? l : "(none)");

	/* A sort the user chose stays when the next sample comes. */
	wt_key(&v, L'>', false, 10);
	ok(v.sort_set && strcmp(wt_view_sort_column(&v)->name, "count") == 0,
	    "> chose count");
	wt_view_set_sample(&v, make_woke_sample());
	is_str(wt_view_sort_column(&v)->name, "count", "and it stays on the next sample");

	wt_frame_free(&f);
	wt_view_free(&v);
	td_table_free(t);
}

/* Run every group of tests in a UTF-8 locale. */
int
main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	test_text();
	test_strip();
	test_view();
	test_wakeups();
	return done_testing();
}
