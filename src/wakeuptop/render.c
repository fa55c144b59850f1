/* The one render path: the screen and batch mode both print these lines. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render.h"
#include "text.h"

#define MAX_COLS	WT_MAX_COLS
#define TEXT_CAP	24	/* widest a text column gets when it is not the last */
#define NAME_HINT	20	/* a text column of names (function, site): widened with room */
#define NAME_WIDE	40	/* as wide as that gets on a wide screen */
#define DETAIL_CPUS	16	/* CPUs listed in an expanded row before "+N more" */
#define DETAIL_LINES	4	/* lines of an expanded row */

const char *const wt_help_lines[] = {
	"Keys",
	"  q Q          quit",
	"  h ? F1       this help (any key closes it)",
	"  space        pause or resume the display (sampling goes on)",
	"  < > Left Right  sort by the column to the left or right",
	"  s            sort by the next column",
	"  r            reverse the sort order",
	"  Enter        expand the selected row: site, arms/expiries/cancels, wakeups and events per CPU",
	"  g            group rows by thread, process (all its threads) or comm (command name)",
	"  t i a        show timers, interrupts, or all sources",
	"  c            CPU filter (a list such as 0-3,8; empty clears it)",
	"  p            process filter: a pid, all its threads (empty clears it)",
	"  /            name filter, case-insensitive, on function, comm and site",
	"  f            field chooser: the columns shown, as -o takes them (\"+site\" adds",
	"               to the defaults, empty restores them)",
	"  + = -        longer or shorter interval",
	"  T            re-read each CPU's tick state (/proc/timer_list; read once at start)",
	"  v            tick view: why each CPU's tick keeps running (tick-stop dependencies,",
	"               timers due within a tick, softirqs pending at idle, timer migration);",
	"               needs trace events (tracefs as root, or a capture's trace); c filters CPUs",
	"  Up Down j k PgUp PgDn Home End   move the selection",
	"  ^L           redraw the screen",
	"",
	"Other keys do nothing and say so on the status line.",
	"Columns are timerstat's: the same names as its -o option and its JSON.",
	"A narrow screen drops columns, the first first: site, cancels, arms, F, kind, pid,",
	"tasks, task, CPU, expiries, the other counts and rates; the sort column, COMM and",
	"FUNCTION stay. A value cut to its column ends in '~'.",
	"WAKEUPS, WAKE/S: idle exits a source caused; EVENTS, EVENT/S: its expiries or interrupts.",
	"A '-' in a cell means the backend cannot see that value (not zero), or cannot split",
	"it by CPU (arms and cancels with a CPU filter).",
	NULL
};

/* Format an interval: "2 s", "500 ms". */
static const char *
fmt_interval(char *buf, size_t len, int64_t ns)
{
	if (ns % 1000000000LL == 0)
		snprintf(buf, len, "%lld s", (long long)(ns / 1000000000LL));
	else if (ns >= 1000000000LL)
		snprintf(buf, len, "%.1f s", (double)ns / 1e9);
	else
		snprintf(buf, len, "%lld ms", (long long)(ns / 1000000));
	return buf;
}

/* How a sample's wakeups were counted, when by cpuidle usage (the strip marks idle_task). */
static const char *
wake_how(const struct td_sample *p)
{
	for (int c = 0; c < p->ncpus; c++)
		if (p->cpu_wake_method[c] == TD_WAKE_CPUIDLE_USAGE)
			return "; idle entries from cpuidle usage, causes unknown";
	return "";
}

/*
 * Wakeups (idle exits) and events, apart: in all, per second and per interval.
 * Unknown wakeups come after the events, with the reason, which a narrow
 * screen may cut.
 */
static void
render_totals(struct wt_frame *f, const struct wt_view *v)
{
	const struct td_sample *p = v->sample;
	char wake[128], ev[96], rate[32];
	double secs = (double)p->period_ns / 1e9;

	if (p->period_ns == 0)
		snprintf(ev, sizeof(ev), "%llu in an interval of unknown length",
		    (unsigned long long)p->total_events);
	else
		snprintf(ev, sizeof(ev), "%s (%llu in %.2f s)",
		    wt_fmt_rate(rate, sizeof(rate), v->event_rate),
		    (unsigned long long)p->total_events, secs);
	if (!p->wakeups_known) {
		wt_frame_add(f, WT_R_TEXT, "Events: %s   Wakeups unknown: %s", ev,
		    td_sample_wakeups_why(p));
		return;
	}
	if (p->period_ns == 0)
		snprintf(wake, sizeof(wake), "%llu idle exits%s",
		    (unsigned long long)p->total_wakeups, wake_how(p));
	else
		snprintf(wake, sizeof(wake), "%s (%llu idle exits in %.2f s%s)",
		    wt_fmt_rate(rate, sizeof(rate), v->wakeup_rate),
		    (unsigned long long)p->total_wakeups, secs, wake_how(p));
	wt_frame_add(f, WT_R_TEXT, "Wakeups: %s   Events: %s", wake, ev);
}

/*
 * A replayed trace: the file, where in its time the window shown lies, and
 * once it is read to its end, that the last window stays.
 */
static void
render_trace(struct wt_frame *f, const struct wt_view *v, const struct wt_status *st)
{
	const struct td_sample *p = v->sample;
	double from, to;

	if (st->trace == NULL)
		return;
	if (p == NULL || st->trace_step_ns == 0 || st->trace_window < 1) {
		wt_frame_add(f, WT_R_TEXT, "Trace: %s%s", st->trace,
		    p != NULL ? "   (read whole)" : "");
		return;
	}
	from = (double)st->trace_step_ns * (double)(st->trace_window - 1) / 1e9;
	to = from + (double)p->period_ns / 1e9;
	wt_frame_add(f, WT_R_TEXT, "Trace: %.3f-%.3f s of its time (interval %ld) in %s",
	    from, to, st->trace_window, st->trace);
	if (st->trace_end)
		wt_frame_add(f, WT_R_NOTE, "End of trace: the last interval stays on screen "
		    "(q quits)");
}

/* The header lines: machine, sampler, filters. */
static void
render_header(struct wt_frame *f, const struct wt_view *v, const struct wt_facts *fa,
    const struct wt_status *st)
{
	const struct td_sample *p = v->sample;
	char hz[160], iv[32], lost[96], when[32], filt[256];
	time_t now = time(NULL);
	struct tm tm;
	int pos = 0;

	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	wt_frame_add(f, WT_R_TITLE, "wakeuptop - %s - Linux %s - %s%s",
	    fa->host[0] ? fa->host : "host ?", fa->release[0] ? fa->release : "?", when,
	    v->paused ? "  [PAUSED]" : "");
	if (fa->hz > 0)
		snprintf(hz, sizeof(hz), "%d Hz", fa->hz);
	else
		snprintf(hz, sizeof(hz), "? (%s)", fa->hz_why);
	wt_frame_add(f, WT_R_TEXT, "Tick: %s   HZ: %s   Clocksource: %s%s%s%s",
	    fa->tick_known ? fa->tick : "?", hz,
	    fa->clocksource[0] ? fa->clocksource : "?",
	    fa->clocksource[0] ? "" : " (", fa->clocksource[0] ? "" : fa->cs_why,
	    fa->clocksource[0] ? "" : ")");
	if (!fa->tick_known)
		wt_frame_add(f, WT_R_NOTE, "note: tick mode unknown: %s", fa->tick);
	fmt_interval(iv, sizeof(iv), v->interval_ns);
	if (p == NULL) {
		wt_frame_add(f, WT_R_TEXT, "Backend: %s   Interval: %s   Group: %s   "
		    "(first sample in %s)", st->backend, iv, td_group_name(v->group), iv);
	} else {
		if (p->lost_known)
			snprintf(lost, sizeof(lost), "%llu", (unsigned long long)p->lost_events);
		else
			snprintf(lost, sizeof(lost), "? (the %s backend cannot tell)", st->backend);
		/*
		 * A trace's interval is its own: the window read, or its whole
		 * span; a capture's is between its two snapshots.
		 */
		if ((p->backend == TD_BACKEND_TRACE || st->capture) && p->period_ns > 0)
			fmt_interval(iv, sizeof(iv), (int64_t)p->period_ns);
		wt_frame_add(f, p->lost_known && p->lost_events ? WT_R_NOTE : WT_R_TEXT,
		    "Backend: %s   Interval: %s   Group: %s   Lost: %s", st->backend,
		    p->period_ns == 0 ? "? (a capture)" : iv, td_group_name(v->group), lost);
		render_totals(f, v);
	}
	render_trace(f, v, st);
	if (st->note != NULL && st->note[0] != '\0')
		wt_frame_add(f, WT_R_NOTE, "note: %s", st->note);
	if (p != NULL && p->note[0] != '\0' && (st->note == NULL ||
	    strcmp(p->note, st->note) != 0))
		wt_frame_add(f, WT_R_NOTE, "note: %s", p->note);
	filt[0] = '\0';
	if (v->show != WT_SHOW_ALL)
		pos += snprintf(filt + pos, sizeof(filt) - (size_t)pos, " %s only,",
		    v->show == WT_SHOW_TIMERS ? "timers" : "interrupts");
	if (v->has_cpus && (size_t)pos < sizeof(filt))
		pos += snprintf(filt + pos, sizeof(filt) - (size_t)pos, " cpu %s,", v->cpus_text);
	if (v->sampled_pid >= 0 && (size_t)pos < sizeof(filt))
		pos += snprintf(filt + pos, sizeof(filt) - (size_t)pos, " --pid %d,",
		    v->sampled_pid);
	if (v->sampled_tid >= 0 && (size_t)pos < sizeof(filt))
		pos += snprintf(filt + pos, sizeof(filt) - (size_t)pos, " --tid %d,",
		    v->sampled_tid);
	if (v->pid >= 0 && (size_t)pos < sizeof(filt))
		pos += snprintf(filt + pos, sizeof(filt) - (size_t)pos, " process %d,", v->pid);
	if (v->name[0] != '\0' && (size_t)pos < sizeof(filt))
		pos += snprintf(filt + pos, sizeof(filt) - (size_t)pos, " name \"%s\",", v->name);
	if (pos > 0 && (size_t)pos < sizeof(filt)) {
		filt[pos - 1] = '\0';
		wt_frame_add(f, WT_R_TEXT, "Filter:%s   (%zu of %zu sources%s)", filt, v->nrows,
		    p != NULL ? p->n : 0, v->unsplit ? "; those not split by CPU left out" : "");
	}
}

/*
 * The columns a narrow screen drops, the first first.  The sort column, COMM
 * and FUNCTION are never dropped: they say what a row is and why it is there.
 */
static const char *const drop_order[] = {
	"site", "cancels", "arms", "flags", "kind", "pid", "tasks", "task", "desc", "irq",
	"deferrable", "pinned", "cpu", "cpus", "expiries", "wakeups", "count", "wakeup_rate",
	"rate", NULL
};

/* The index of a column in the whole table (for its kept width), or -1. */
static int
table_index(const struct td_table *t, const struct td_column *col)
{
	size_t i, n = td_table_ncolumns(t);

	for (i = 0; i < n && i < MAX_COLS; i++)
		if (td_table_column(t, i) == col)
			return (int)i;
	return -1;
}

/* The width of the shown columns and their separators. */
static int
total_width(const int *w, const bool *on, size_t nc)
{
	int total = -1;

	for (size_t i = 0; i < nc; i++)
		if (on[i])
			total += w[i] + 1;
	return total < 0 ? 0 : total;
}

/* A text column: its width on the screen is fixed, its longer values cut (marked). */
static bool
fixed_text(const struct td_column *col)
{
	return col->jtype == TD_JT_STRING;
}

/* Widen the name columns but the last to cap (dry: the room it takes). */
static int
widen_text(const struct wt_view *v, int *w, const bool *on, size_t nc, int cap, bool dry)
{
	size_t i, lastc = 0;
	int extra = 0;

	for (i = 0; i < nc; i++)
		if (on[i])
			lastc = i;
	for (i = 0; i < lastc; i++) {
		const struct td_column *col = td_table_selected(v->table, i);

		if (!on[i] || !fixed_text(col) || col->width < NAME_HINT || w[i] >= cap)
			continue;
		extra += cap - w[i];
		if (!dry)
			w[i] = cap;
	}
	return extra;
}

/*
 * Drop columns in drop_order until the rest fit the screen's width; then, if
 * there is room, widen the text columns.  Both depend on the width and the
 * columns, not on the rows, so the columns stay in place from one refresh to
 * the next.
 */
static void
fit_columns(const struct wt_view *v, int *w, bool *on, size_t nc, int width)
{
	size_t i, d;

	for (i = 0; i < nc; i++)
		on[i] = true;
	for (d = 0; drop_order[d] != NULL && total_width(w, on, nc) > width; d++)
		for (i = 0; i < nc; i++) {
			const struct td_column *col = td_table_selected(v->table, i);

			if (i != v->sort_col && strcmp(col->name, drop_order[d]) == 0)
				on[i] = false;
		}
	if (total_width(w, on, nc) + widen_text(v, w, on, nc, NAME_WIDE, true) <= width)
		(void)widen_text(v, w, on, nc, NAME_WIDE, false);
	else if (total_width(w, on, nc) + widen_text(v, w, on, nc, TEXT_CAP, true) <= width)
		(void)widen_text(v, w, on, nc, TEXT_CAP, false);
}

/*
 * Widths of the shown columns over the rows that will be printed.  On the
 * screen a text column has the width of its hint (fit_columns may widen it)
 * and a number column keeps the widest it has been, so that the columns stay
 * in place from one refresh to the next.
 */
static size_t
measure(struct wt_view *v, int *w, size_t first, size_t last, bool batch)
{
	size_t nc = td_table_nselected(v->table), i, r;
	struct td_cell c;
	char buf[256];
	int cw, ti;

	if (nc > MAX_COLS)
		nc = MAX_COLS;
	for (i = 0; i < nc; i++) {
		const struct td_column *col = td_table_selected(v->table, i);

		w[i] = wt_text_width(col->header) + 1;	/* room for the sort mark */
		if (col->width > w[i])
			w[i] = col->width;
		if (!batch && fixed_text(col)) {
			/* A CPU list: room for "0-N" and a bit more. */
			if (strcmp(col->name, "cpus") == 0 && v->sample != NULL) {
				cw = snprintf(buf, sizeof(buf), "0-%d", v->sample->ncpus - 1) + 2;
				if (cw > w[i])
					w[i] = cw;
			}
			continue;
		}
		for (r = first; r < last && r < v->nrows; r++) {
			memset(&c, 0, sizeof(c));
			td_table_cell(col, v->rowp[r], &c);
			td_table_format_cell(col, &c, false, buf, sizeof(buf));
			cw = wt_text_width(buf);
			if (cw > w[i])
				w[i] = cw;
		}
		ti = batch ? -1 : table_index(v->table, col);
		if (ti >= 0) {
			if (v->colw[ti] > w[i])
				w[i] = v->colw[ti];
			v->colw[ti] = w[i];
		}
	}
	return nc;
}

/*
 * Append one cell, fitted to its width, and a separating space.  A cell that
 * would cross the screen's edge is cut there and marked (wt_text_fit's '~');
 * false when nothing more fits.
 */
static bool
put_cell(char *line, size_t len, size_t *pos, int *col, int screen, const char *text,
    int width, enum td_align al, bool last)
{
	char cell[1024];
	int room = screen - *col, used;

	if (room <= 0)
		return false;
	if (last && al == TD_ALIGN_LEFT && wt_text_width(text) <= room) {
		snprintf(cell, sizeof(cell), "%s", text);
		used = wt_text_width(text);
	} else if (last && al == TD_ALIGN_LEFT)
		used = wt_text_fit(cell, sizeof(cell), text, room, WT_LEFT, 0, 1);
	else if (width > room)	/* the edge: the cell takes what is left */
		used = wt_text_fit(cell, sizeof(cell), text, room,
		    al == TD_ALIGN_RIGHT ? WT_RIGHT : WT_LEFT, 1, 1);
	else
		used = wt_text_fit(cell, sizeof(cell), text, width,
		    al == TD_ALIGN_RIGHT ? WT_RIGHT : WT_LEFT, 1, 1);
	*col += used + 1;
	if (*pos < len)
		*pos += (size_t)snprintf(line + *pos, len - *pos, "%s%s", cell,
		    last || *col > screen ? "" : " ");
	if (*pos >= len)
		*pos = len - 1;
	return *col < screen;
}

/* The column header, the sort column marked with '*' (readable without colour). */
static void
render_colhead(struct wt_frame *f, const struct wt_view *v, const int *w, const bool *on,
    size_t nc)
{
	char line[4096], h[128];
	size_t i, pos = 0, lastc = 0;
	int col = 0;

	for (i = 0; i < nc; i++)
		if (on[i])
			lastc = i;
	line[0] = '\0';
	for (i = 0; i < nc; i++) {
		const struct td_column *c = td_table_selected(v->table, i);

		if (!on[i])
			continue;
		snprintf(h, sizeof(h), "%s%s", c->header,
		    i == v->sort_col ? (v->desc ? "*" : "^") : "");
		if (!put_cell(line, sizeof(line), &pos, &col, f->width, h, w[i], c->align,
		    i == lastc))
			break;
	}
	wt_frame_add(f, WT_R_COLHEAD, "%s", line);
}

/* One source as a line of cells. */
static void
render_row(struct wt_frame *f, const struct wt_view *v, const void *row, const int *w,
    const bool *on, size_t nc, enum wt_role role)
{
	char line[4096], buf[512];
	struct td_cell c;
	size_t i, pos = 0, lastc = 0;
	int col = 0;

	for (i = 0; i < nc; i++)
		if (on[i])
			lastc = i;
	line[0] = '\0';
	for (i = 0; i < nc; i++) {
		const struct td_column *tc = td_table_selected(v->table, i);

		if (!on[i])
			continue;
		memset(&c, 0, sizeof(c));
		td_table_cell(tc, row, &c);
		td_table_format_cell(tc, &c, false, buf, sizeof(buf));
		if (!put_cell(line, sizeof(line), &pos, &col, f->width, buf, w[i], tc->align,
		    i == lastc))
			break;
	}
	wt_frame_add(f, role, "%s", line);
}

/* A counter of the expanded row, or "-" when the backend does not see it. */
static const char *
counter(char *buf, size_t len, const struct td_wsource *w, unsigned bit, uint64_t v)
{
	if (!(w->known & bit))
		return "-";
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

/*
 * One per-CPU line of an expanded row: "what per CPU: cpu0 12 (6/s) ..."
 * (pc[i] is CPU cpu0 + i's, up to CPU ncpus - 1).
 */
static void
detail_cpus(struct wt_frame *f, const char *what, const uint64_t *pc, int cpu0, int ncpus,
    double secs)
{
	char line[1024], r[16];
	size_t pos = 0;
	int i, shown = 0, more = 0;

	line[0] = '\0';
	for (i = 0; i < ncpus - cpu0; i++) {
		if (pc[i] == 0)
			continue;
		if (shown == DETAIL_CPUS) {
			more++;
			continue;
		}
		pos += (size_t)snprintf(line + pos, sizeof(line) - pos, "  cpu%d %llu (%s)",
		    cpu0 + i, (unsigned long long)pc[i],
		    wt_fmt_rate(r, sizeof(r), (double)pc[i] / secs));
		if (pos >= sizeof(line))
			pos = sizeof(line) - 1;
		shown++;
	}
	if (shown == 0)
		wt_frame_add(f, WT_R_DETAIL, "    %s per CPU: none in this interval", what);
	else if (more)
		wt_frame_add(f, WT_R_DETAIL, "    %s per CPU:%s  +%d more CPUs", what, line, more);
	else
		wt_frame_add(f, WT_R_DETAIL, "    %s per CPU:%s", what, line);
}

/* The lines of an expanded row (DETAIL_LINES). */
static int
render_detail(struct wt_frame *f, const struct wt_view *v, const struct td_wsource *w)
{
	const struct td_sample *p = v->sample;
	char a[32], x[32], c[32], who[64];
	double secs = p != NULL && p->period_ns ? (double)p->period_ns / 1e9 : 1;

	if (w->ntasks > 1 && w->pid >= 0)
		snprintf(who, sizeof(who), "process %d (%u threads)", w->pid, w->ntasks);
	else if (w->ntasks > 1)
		snprintf(who, sizeof(who), "%u tasks", w->ntasks);
	else
		snprintf(who, sizeof(who), "pid %d", w->pid);
	if ((w->known & TD_WS_PID) && (w->pid >= 0 || w->ntasks > 1))
		wt_frame_add(f, WT_R_DETAIL, "    armed by: %s, comm %s (%s)%s%s", who,
		    w->comm[0] ? w->comm : "?", td_task_name(w->task),
		    w->site ? ", site " : "", w->site ? w->site : "");
	else if (w->known & TD_WS_PID)
		wt_frame_add(f, WT_R_DETAIL, "    armed by: %s (%s, no task)%s%s",
		    w->comm[0] ? w->comm : "?", td_task_name(w->task),
		    w->site ? ", site " : "", w->site ? w->site : "");
	else
		wt_frame_add(f, WT_R_DETAIL, "    armed by: - (the %s backend does not see it)",
		    td_backend_name(p != NULL ? p->backend : TD_BACKEND_AUTO));
	wt_frame_add(f, WT_R_DETAIL, "    arms %s   expiries %s   cancels %s   deferrable %s   pinned %s",
	    counter(a, sizeof(a), w, TD_WS_ARMS, w->arms),
	    counter(x, sizeof(x), w, TD_WS_EXPIRIES, w->expiries),
	    counter(c, sizeof(c), w, TD_WS_CANCELS, w->cancels),
	    !(w->known & TD_WS_DEFERRABLE) ? "-" : w->deferrable ? "yes" : "no",
	    !(w->known & TD_WS_PINNED) ? "-" : w->pinned ? "yes" : "no");
	if (!(w->known & TD_WS_WAKEUPS) || w->wakeups_per_cpu == NULL)
		wt_frame_add(f, WT_R_DETAIL, "    wakeups per CPU: - (%s)",
		    p != NULL && p->wakeups_known ? "the backend does not attribute them" :
		    "not counted");
	else
		detail_cpus(f, "wakeups", w->wakeups_per_cpu, w->cpu0, w->ncpus, secs);
	if (!(w->known & TD_WS_CPU) || w->per_cpu == NULL)
		wt_frame_add(f, WT_R_DETAIL, "    events per CPU: - (not split by CPU)");
	else
		detail_cpus(f, "events", w->per_cpu, w->cpu0, w->ncpus, secs);
	return DETAIL_LINES;
}

/* The status line: prompt, message or key hints. */
static void
render_status(struct wt_frame *f, struct wt_view *v)
{
	const struct td_column *sc = wt_view_sort_column(v);
	const char *what;

	if (v->prompt != 0) {
		what = v->prompt == 'c' ? "CPU list (empty for all)" :
		    v->prompt == 'p' ? "process: pid (empty for all)" :
		    v->prompt == 'f' ? "columns (+a,b adds to the defaults; empty: the defaults)" :
		    "name filter (empty for none)";
		wt_frame_add(f, WT_R_STATUS, "%s: %s_", what, v->input);
		return;
	}
	if (v->message[0] != '\0') {
		wt_frame_add(f, WT_R_STATUS, "%s", v->message);
		return;
	}
	wt_frame_add(f, WT_R_STATUS, "%sq quit  h help  space pause  </> sort (%s)  Enter expand  "
	    "g group  t/i/a  c cpu  p pid  / name  f fields  +/- interval  v tick", v->paused ? "PAUSED  " : "",
	    sc != NULL ? sc->name : "-");
}

/* The tick view in place of the list; on screen cut above the status line. */
static int
render_tick(struct wt_frame *f, struct wt_view *v, int height)
{
	size_t start = f->n;

	wt_tick_render(f, v->tick, v->has_cpus ? &v->cpus : NULL);
	if (height <= 0)
		return 0;
	if ((int)f->n > height - 1) {
		size_t keep = height - 2 > (int)start ? (size_t)(height - 2) : start;

		wt_frame_truncate(f, keep);
		wt_frame_add(f, WT_R_NOTE, "(more below: c shows fewer CPUs)");
	}
	while ((int)f->n < height - 1)
		wt_frame_add(f, WT_R_TEXT, "%s", "");
	render_status(f, v);
	return 0;
}

/* Render everything. */
int
wt_render(struct wt_frame *f, struct wt_view *v, const struct wt_facts *facts,
    const struct wt_status *st, int height)
{
	int w[MAX_COLS], strip_max, list_h, used, i;
	bool on[MAX_COLS];
	size_t nc, r, first, last;
	const struct td_wsource *sel;
	bool batch = st->batch || height <= 0;

	render_header(f, v, facts, st);
	if (batch)
		strip_max = 1 << 20;
	else {
		strip_max = (height - (int)f->n - 6) / 3;
		if (strip_max < 1)
			strip_max = 1;
		if (strip_max > 8)
			strip_max = 8;
	}
	if (v->nstrip > 0) {
		if (v->strip_counts)
			wt_frame_add(f, WT_R_TEXT, "Per CPU: counts (the interval's length is "
			    "unknown)");
		wt_cpustrip_render(f, v->strip, v->nstrip, strip_max, v->strip_counts);
	} else if (v->sample != NULL)
		wt_frame_add(f, WT_R_TEXT, "Per CPU: - (the %s backend does not split by CPU)",
		    st->backend);
	if (!batch && v->help) {
		wt_frame_add(f, WT_R_TEXT, "%s", "");
		for (i = 0; wt_help_lines[i] != NULL; i++)
			wt_frame_add(f, WT_R_HELP, "%s", wt_help_lines[i]);
		while ((int)f->n < height - 1)
			wt_frame_add(f, WT_R_TEXT, "%s", "");
		render_status(f, v);
		return 0;
	}
	/* A blank line before the list, when a row still fits under it. */
	if (batch || height - (int)f->n - 3 >= 1)
		wt_frame_add(f, WT_R_TEXT, "%s", "");
	if (v->tickview && v->tick != NULL)
		return render_tick(f, v, batch ? 0 : height);
	if (batch) {
		nc = measure(v, w, 0, v->nrows, true);
		for (r = 0; r < nc; r++)
			on[r] = true;
		render_colhead(f, v, w, on, nc);
		for (r = 0; r < v->nrows; r++)
			render_row(f, v, v->rowp[r], w, on, nc, WT_R_ROW);
		if (v->nrows == 0)
			wt_frame_add(f, WT_R_TEXT, "(no wakeup source%s in this interval)",
			    v->show != WT_SHOW_ALL || v->has_cpus || v->pid >= 0 ||
			    v->name[0] ? " matches the filter" : "");
		return 0;
	}
	/* The list gets what is left above the status line. */
	list_h = height - (int)f->n - 2;
	if (list_h < 1)
		list_h = 1;
	sel = wt_view_selected(v);
	used = sel != NULL && wt_view_is_expanded(v, sel) ? DETAIL_LINES : 0;
	wt_view_scroll(v, (size_t)(list_h - used > 0 ? list_h - used : 1));
	first = v->top;
	last = first + (size_t)list_h;
	nc = measure(v, w, first, last, false);
	fit_columns(v, w, on, nc, f->width);
	render_colhead(f, v, w, on, nc);
	used = 0;
	for (r = first; r < v->nrows && used < list_h; r++) {
		bool is_sel = r == v->sel;

		render_row(f, v, v->rowp[r], w, on, nc, is_sel ? WT_R_SELECTED : WT_R_ROW);
		used++;
		if (is_sel && wt_view_is_expanded(v, v->rowp[r]) && used + DETAIL_LINES <= list_h)
			used += render_detail(f, v, v->rowp[r]);
	}
	if (v->nrows == 0 && v->sample != NULL) {
		wt_frame_add(f, WT_R_TEXT, "(no wakeup source%s in this interval)",
		    v->show != WT_SHOW_ALL || v->has_cpus || v->pid >= 0 ||
		    v->name[0] ? " matches the filter" : "");
		used++;
	}
	while (used < list_h) {
		wt_frame_add(f, WT_R_TEXT, "%s", "");
		used++;
	}
	render_status(f, v);
	return list_h;
}
