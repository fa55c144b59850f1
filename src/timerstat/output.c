/* timerstat's output: the header (verdict first), the table, JSON. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "textsafe.h"
#include "timerstat.h"

/* Whether a column holds numbers (sorted largest first). */
static bool
numeric(const struct td_column *c)
{
	return c->jtype != TD_JT_STRING;
}

/* Whether the sources carry their wakeups (not only the CPUs' totals). */
static bool
source_wakeups(const struct td_sample *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->src[i].known & TD_WS_WAKEUPS)
			return true;
	return false;
}

/* The column to sort by: -s, else wakeups where sources have them, else events. */
const char *
ts_sort_column(const struct ts_opts *o, const struct td_sample *p)
{
	if (o->sort_set)
		return o->sort;
	return source_wakeups(p) ? "wakeups" : "count";
}

/* Sort the sources by the chosen column and keep the top N. */
const void **
ts_rows(struct td_table *t, const struct ts_opts *o, const struct td_sample *p, size_t *n,
    struct td_error *e)
{
	const char *sort = ts_sort_column(o, p);
	const struct td_column *col = td_table_find(t, sort);
	const void **rows;

	*n = 0;
	if ((rows = calloc(p->n ? p->n : 1, sizeof(*rows))) == NULL) {
		td_error_set(e, ENOMEM, NULL, 0, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < p->n; i++)
		rows[i] = &p->src[i];
	if (col != NULL && td_table_sort(t, sort, numeric(col), rows, p->n, e) < 0) {
		free(rows);
		return NULL;
	}
	*n = p->n;
	if (o->top > 0 && (size_t)o->top < *n)
		*n = (size_t)o->top;
	return rows;
}

/* Format a count per second with a sensible number of decimals. */
static void
fmt_rate(char *buf, size_t len, double r)
{
	snprintf(buf, len, r >= 100 ? "%.0f/s" : "%.1f/s", r);
}

/* Name who armed a timer source, after its function. */
static void
print_armer(FILE *f, const struct td_wsource *top)
{
	if (top->task == TD_TASK_TICK)
		fprintf(f, " (the kernel's tick)");
	else if ((top->known & TD_WS_PID) && top->pid >= 0)
		fprintf(f, ", armed by %s (%s %d)", top->comm[0] ? TD_SAFE(top->comm) : "?",
		    top->ntasks > 1 ? "process" : "pid", top->pid);
	else if ((top->known & TD_WS_PID) && top->comm[0] != '\0')
		fprintf(f, ", armed by %s%s", TD_SAFE(top->comm),
		    top->ntasks > 1 ? " (several tasks)" : "");
	else if (top->kind == TD_KIND_TIMER || top->kind == TD_KIND_HRTIMER)
		fprintf(f, ", armed before the sample began (armer unknown)");
}

/*
 * The verdict line: the source that woke the CPUs most (idle exits), or, where
 * wakeups could not be counted, the busiest source of events, said as such.
 */
static void
print_verdict(FILE *f, const struct td_sample *p)
{
	const struct td_wsource *top = NULL;
	bool wk = source_wakeups(p);

	for (size_t i = 0; i < p->n; i++) {
		const struct td_wsource *w = &p->src[i];

		if (top == NULL || (wk ? w->wakeups > top->wakeups : w->count > top->count))
			top = w;
	}
	if (top == NULL || (wk ? top->wakeups : top->count) == 0) {
		fprintf(f, "No %s counted%s.\n", wk ? "wakeups" : "events",
		    p->interrupted ? " (interrupted)" : "");
		return;
	}
	/* The function and comm come from outside (any local user names a process). */
	fprintf(f, "%s: %s %s", wk ? "Top wakeup source" : p->wakeups_known ?
	    "Busiest event source (wakeups per CPU only, their causes need tracing)" :
	    "Busiest event source (wakeups unknown)",
	    td_kind_name(top->kind), TD_SAFE(top->function));
	print_armer(f, top);
	if (top->known & TD_WS_RATE) {
		double r = wk ? top->wakeup_rate : top->rate;

		fprintf(f, r >= 100 ? ": %.0f %s/s" : ": %.1f %s/s", r, wk ? "wakeups" : "events");
	} else {
		fprintf(f, ": %" PRIu64 " %s", wk ? top->wakeups : top->count,
		    wk ? "wakeups" : "events");
	}
	if (wk && p->total_wakeups)
		fprintf(f, " (%.0f %% of all wakeups)", 100.0 * (double)top->wakeups /
		    (double)p->total_wakeups);
	else if (!wk && p->total_events)
		fprintf(f, " (%.0f %% of all events)", 100.0 * (double)top->count /
		    (double)p->total_events);
	fprintf(f, "\n");
}

/* The wakeups line: in all and per CPU (up to 16 CPUs), and how they were counted. */
static void
print_wakeups(FILE *f, const struct td_sample *p)
{
	char rate[32];
	int shown = 0, ntask = 0;

	if (!p->wakeups_known) {
		fprintf(f, "Wakeups unknown (%s)\n", td_sample_wakeups_why(p));
		return;
	}
	fprintf(f, "Wakeups %" PRIu64, p->total_wakeups);
	if (p->period_ns) {
		fmt_rate(rate, sizeof(rate), (double)p->total_wakeups * 1e9 / (double)p->period_ns);
		fprintf(f, " (%s)", rate);
	}
	for (int c = 0; c < p->ncpus; c++) {
		if (p->cpu_wake_method[c] == TD_WAKE_UNKNOWN)
			continue;
		if (p->cpu_wake_method[c] == TD_WAKE_IDLE_TASK)
			ntask++;
		if (p->ncpus <= 16)
			fprintf(f, "%s CPU %d %" PRIu64, shown++ ? "," : ":", c, p->cpu_wakeups[c]);
	}
	fprintf(f, "\n");
	if (ntask > 0) {
		fprintf(f, "Note: no cpu_idle events on CPU");
		for (int c = 0, k = 0; c < p->ncpus; c++)
			if (p->cpu_wake_method[c] == TD_WAKE_IDLE_TASK)
				fprintf(f, "%s %d", k++ ? "," : "", c);
		fprintf(f, " (this kernel does not trace their idle): wakeups there are the "
		    "interrupts the idle task took\n");
	}
}

#define NEVER_ROWS	5	/* timeouts that never fired shown on a terminal */

/* A timer armed in the interval that never expired in it: a timeout, cancelled or pending. */
static bool
never_fired(const struct td_wsource *w)
{
	return (w->kind == TD_KIND_TIMER || w->kind == TD_KIND_HRTIMER) &&
	    (w->known & TD_WS_EXPIRIES) && w->expiries == 0 && w->count == 0 &&
	    (w->known & TD_WS_ARMS) && w->arms > 0;
}

/* Move the timers that never fired after the others, each part in its order; how many fired. */
static size_t
never_fired_last(const void **rows, size_t n)
{
	size_t k = 0, m = 0;
	const void **never = malloc(n * sizeof(*never));

	if (never == NULL)
		return n;
	for (size_t i = 0; i < n; i++) {
		if (never_fired(rows[i]))
			never[m++] = rows[i];
		else
			rows[k++] = rows[i];
	}
	memcpy(rows + k, never, m * sizeof(*never));
	free(never);
	return k;
}

/* The section of timeouts that never fired: a heading, the first rows, how many more. */
static int
print_never_fired(FILE *f, struct td_table *t, const void **rows, size_t n, unsigned flags)
{
	uint64_t arms = 0, cancels = 0;
	size_t shown = n < NEVER_ROWS ? n : NEVER_ROWS;

	for (size_t i = 0; i < n; i++) {
		const struct td_wsource *w = rows[i];

		arms += w->arms;
		if (w->known & TD_WS_CANCELS)
			cancels += w->cancels;
	}
	if (fprintf(f, "\nTimeouts that never fired: %zu source%s, armed %" PRIu64 " times, "
	    "cancelled %" PRIu64 " times (no wakeups)\n", n, n == 1 ? "" : "s", arms,
	    cancels) < 0)
		return -EIO;
	if (td_table_render_text(t, f, rows, shown, flags) < 0)
		return -EIO;
	if (n > shown && fprintf(f, "(%zu more: --top N or a pipe shows them)\n", n - shown) < 0)
		return -EIO;
	return 0;
}

/* Print one sample as text: verdict, header facts, table. */
int
ts_print_text(FILE *f, struct td_table *t, const struct ts_opts *o, const struct td_sample *p,
    const char *backend_note, int index, int count)
{
	struct td_error e;
	const void **rows;
	size_t n, more = 0, nfired = 0, nnever = 0;
	char rate[32];
	unsigned flags;
	int r;

	td_error_clear(&e);
	if ((rows = ts_rows(t, o, p, &n, &e)) == NULL)
		return -e.code;
	/* -H, raw and pairs: the rows alone, for scripts. */
	if (o->format == TS_TEXT && !o->noheadings) {
		if (count != 1)
			fprintf(f, "%sSample %d\n", index > 1 ? "\n" : "", index);
		print_verdict(f, p);
		print_wakeups(f, p);
		if (p->period_ns) {
			fmt_rate(rate, sizeof(rate), (double)p->total_events * 1e9 /
			    (double)p->period_ns);
			fprintf(f, "Period %.3f s%s, %" PRIu64 " events (%s, not wakeups), ",
			    (double)p->period_ns / 1e9, p->interrupted ? " (interrupted)" : "",
			    p->total_events, rate);
		} else {
			fprintf(f, "Period unknown, %" PRIu64 " events, ", p->total_events);
		}
		if (p->lost_known)
			fprintf(f, "%" PRIu64 " lost, ", p->lost_events);
		else
			fprintf(f, "lost events unknown, ");
		fprintf(f, "backend %s\n", td_backend_name(p->backend));
		if (backend_note != NULL && backend_note[0] != '\0')
			fprintf(f, "Note: %s\n", TD_SAFE(backend_note));
		if (p->note[0] != '\0')
			fprintf(f, "Note: %s\n", TD_SAFE(p->note));
		if (p->overflow)
			fprintf(f, "Note: timer_stats overflowed: %" PRIu64
			    " entries not counted\n", p->overflow);
		fprintf(f, "\n");
	}
	/*
	 * On a terminal the rows that fit under the header, and how many are
	 * left out; the timeouts that never fired in a section of their own.
	 */
	if (o->fit > 0 && o->format == TS_TEXT && !o->noheadings) {
		char head[4096];
		size_t fit, per = 1;

		nfired = never_fired_last(rows, n);
		nnever = n - nfired;
		td_table_measure(t, rows, n);
		td_table_header_line(t, head, sizeof(head));
		if (o->fit_cols > 0)
			per = (strlen(head) + (size_t)o->fit_cols - 1) / (size_t)o->fit_cols;
		fit = (size_t)o->fit / (per ? per : 1);
		/* The section takes a heading, a blank line and at least 3 rows. */
		if (nnever > 0)
			fit = fit > NEVER_ROWS + 3 ? fit - NEVER_ROWS - 3 : 1;
		if (fit < 1)
			fit = 1;
		n = nfired;
		if (n > fit) {
			more = n - fit;
			n = fit;
		}
	}
	flags = (o->noheadings ? TD_TABLE_NOHEADINGS : 0) |
	    (o->format == TS_RAW ? TD_TABLE_RAW : 0) |
	    (o->format == TS_PAIRS ? TD_TABLE_PAIRS : 0) | (o->color ? TD_TABLE_COLOR : 0);
	r = td_table_render_text(t, f, rows, n, flags);
	if (r == 0 && more > 0 && fprintf(f, "(%zu more sources: --top N or a pipe shows them)\n",
	    more) < 0)
		r = -EIO;
	if (r == 0 && nnever > 0)
		r = print_never_fired(f, t, rows + nfired, nnever, flags);
	free(rows);
	return r;
}

#define PERIOD_WHY	"the capture does not say how long it lasted"
#define TRACE_TIME_WHY	"only a trace backend with events times them"
#define CPU_WHY		"this backend does not record the CPU"
#define WAKEUPS_WHY	"idle exits are not attributed to sources by this backend"

/*
 * One source's counts per CPU as an object keyed by CPU number (CPUs with
 * none left out): counts[k] is CPU cpu0 + k's, up to CPU ncpus - 1.
 */
static void
cpu_counts_json(struct td_json *j, const char *key, const uint64_t *counts, int cpu0, int ncpus)
{
	char cpu[16];

	td_json_obj_begin(j, key);
	for (int k = 0; k < ncpus - cpu0; k++)
		if (counts[k]) {
			char *p = cpu + sizeof(cpu) - 1;
			int v = cpu0 + k;

			/* The key in decimal, without printf (twice a row, 10,000 rows). */
			*p = '\0';
			do
				*--p = (char)('0' + v % 10);
			while ((v /= 10) != 0);
			td_json_uint(j, p, counts[k]);
		}
	td_json_obj_end(j);
}

/* The members of a source's JSON row that no column holds: its events and wakeups per CPU. */
static void
per_cpu_json(struct td_json *j, const void *row)
{
	const struct td_wsource *w = row;

	if ((w->known & TD_WS_CPU) && w->per_cpu != NULL)
		cpu_counts_json(j, "count_per_cpu", w->per_cpu, w->cpu0, w->ncpus);
	else
		td_json_unknown(j, "count_per_cpu", CPU_WHY);
	if ((w->known & TD_WS_WAKEUPS) && w->wakeups_per_cpu != NULL)
		cpu_counts_json(j, "wakeups_per_cpu", w->wakeups_per_cpu, w->cpu0, w->ncpus);
	else
		td_json_unknown(j, "wakeups_per_cpu", WAKEUPS_WHY);
}

/* Print one sample as a JSON object inside the "samples" array (doc/json.md). */
void
ts_print_json(struct td_json *j, struct td_table *t, const struct ts_opts *o,
    const struct td_sample *p, const char *backend_note)
{
	struct td_error e;
	const void **rows;
	size_t n;
	bool all = o->columns == NULL;

	td_error_clear(&e);
	td_json_obj_begin(j, NULL);
	td_json_str(j, "backend", td_backend_name(p->backend));
	if (backend_note != NULL && backend_note[0] != '\0')
		td_json_str(j, "backend_note", backend_note);
	if (p->note[0] != '\0')
		td_json_str(j, "note", p->note);
	if (p->period_ns)
		td_json_uint(j, "period_ns", p->period_ns);
	else
		td_json_unknown(j, "period_ns", PERIOD_WHY);
	if (p->last_ts != 0) {
		/* The events' own times (trace clock), to line other tools' counts up. */
		td_json_uint(j, "trace_first_ns", p->first_ts);
		td_json_uint(j, "trace_last_ns", p->last_ts);
	} else {
		td_json_unknown(j, "trace_first_ns", TRACE_TIME_WHY);
		td_json_unknown(j, "trace_last_ns", TRACE_TIME_WHY);
	}
	td_json_uint(j, "total_events", p->total_events);
	td_sample_json_wakeups(j, p);
	if (p->period_ns)
		td_json_double(j, "events_per_s", (double)p->total_events * 1e9 /
		    (double)p->period_ns, 3);
	else
		td_json_unknown(j, "events_per_s", PERIOD_WHY);
	if (p->lost_known)
		td_json_uint(j, "lost_events", p->lost_events);
	else
		td_json_unknown(j, "lost_events", "this backend cannot tell whether the kernel "
		    "dropped events");
	if (p->backend == TD_BACKEND_TRACEFS)
		td_json_uint(j, "processed_events", p->processed);
	else
		td_json_unknown(j, "processed_events", "only the tracefs backend decodes raw "
		    "events");
	if (p->backend == TD_BACKEND_TIMER_STATS)
		td_json_uint(j, "overflow_entries", p->overflow);
	else
		td_json_unknown(j, "overflow_entries", "only timer_stats reports overflows");
	td_json_bool(j, "interrupted", p->interrupted);
	/* Every column and the per-CPU counts without -o; with it, the columns asked for. */
	rows = ts_rows(t, o, p, &n, &e);
	if (all) {
		/* Keys of every row, like the columns' (forgotten after the rows). */
		td_json_key_fixed(j, "count_per_cpu");
		td_json_key_fixed(j, "wakeups_per_cpu");
	}
	td_table_render_json(t, j, "sources", rows, n, all,
	    all ? per_cpu_json : NULL);
	free(rows);
	td_json_obj_end(j);
}

/* True (e filled) when the backend sees no timers, so --format=timer_stats cannot be written. */
bool
ts_timer_stats_unwritable(const struct td_sampler *s, struct td_error *e)
{
	const char *why = td_sampler_note(s);

	if (td_sampler_backend(s) != TD_BACKEND_INTERRUPTS)
		return false;
	/* An empty list would read as "no timer fired" to the scripts this format is for. */
	td_error_set(e, ENOTSUP, NULL, 0, "--format=timer_stats needs timer events, which "
	    "the interrupts backend cannot see%s%s%s", why[0] ? " (" : "", why, why[0] ? ")" : "");
	return true;
}
