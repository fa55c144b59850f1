/* The view: filters, sort order and selection over the displayed sample. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>
#include <wctype.h>

#include "interrupts.h"
#include "view.h"

/* Set up a view over the sampler's column table. */
int
wt_view_init(struct wt_view *v, struct td_table *table, struct td_error *e)
{
	(void)e;
	memset(v, 0, sizeof(*v));
	v->table = table;
	v->desc = true;
	v->pid = -1;
	v->interval_ns = 2000000000LL;
	if (wt_view_sort_by(v, "rate") < 0)
		(void)wt_view_sort_by(v, "count");
	return 0;
}

/* Free what the view owns (not the table). */
void
wt_view_free(struct wt_view *v)
{
	td_sample_free(v->sample);
	free(v->rows);
	free(v->rowp);
	free(v->strip);
	v->sample = NULL;
	v->rows = NULL;
	v->rowp = NULL;
	v->strip = NULL;
	v->nrows = v->nstrip = 0;
}

/* Choose the sort column among the shown ones. */
int
wt_view_sort_by(struct wt_view *v, const char *name)
{
	size_t i, n = td_table_nselected(v->table);

	for (i = 0; i < n; i++)
		if (strcmp(td_table_selected(v->table, i)->name, name) == 0) {
			v->sort_col = i;
			return 0;
		}
	return -EINVAL;
}

/* The column sorted by. */
const struct td_column *
wt_view_sort_column(const struct wt_view *v)
{
	if (td_table_nselected(v->table) == 0)
		return NULL;
	return td_table_selected(v->table, v->sort_col);
}

/* Set or clear the CPU filter. */
int
wt_view_set_cpus(struct wt_view *v, const char *list)
{
	struct td_cpuset s;

	if (list == NULL || *list == '\0' || strcmp(list, "all") == 0) {
		v->has_cpus = false;
		v->cpus_text[0] = '\0';
		return 0;
	}
	if (td_cpuset_parse_list(&s, list) < 0 || td_cpuset_count(&s) == 0)
		return -EINVAL;
	v->cpus = s;
	v->has_cpus = true;
	td_cpuset_format(&s, v->cpus_text, sizeof(v->cpus_text));
	return 0;
}

/* Set or clear the name filter. */
void
wt_view_set_name(struct wt_view *v, const char *name)
{
	strlcpy(v->name, name != NULL ? name : "", sizeof(v->name));
}

/* Lower-case wide copy of a UTF-8 string (invalid bytes kept as themselves). */
static wchar_t *
lower_wide(const char *s)
{
	size_t len = strlen(s), i = 0, n;
	mbstate_t st;
	wchar_t *w, wc;

	w = calloc(len + 1, sizeof(*w));
	if (w == NULL)
		return NULL;
	memset(&st, 0, sizeof(st));
	while (*s != '\0') {
		n = mbrtowc(&wc, s, strlen(s), &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			wc = (unsigned char)*s;
			n = 1;
			memset(&st, 0, sizeof(st));
		}
		w[i++] = (wchar_t)towlower((wint_t)wc);
		s += n;
	}
	w[i] = L'\0';
	return w;
}

/* Case-insensitive substring test on characters, not bytes. */
bool
wt_match_name(const char *hay, const char *needle)
{
	wchar_t *h, *n;
	bool found;

	if (needle == NULL || *needle == '\0')
		return true;
	if (hay == NULL)
		return false;
	h = lower_wide(hay);
	n = lower_wide(needle);
	found = h != NULL && n != NULL && wcsstr(h, n) != NULL;
	free(h);
	free(n);
	return found;
}

/* Remember a source's identity. */
static void
ident_set(struct wt_ident *id, const struct td_wsource *w)
{
	memset(id, 0, sizeof(*id));
	if (w == NULL)
		return;
	id->set = true;
	id->kind = w->kind;
	strlcpy(id->function, w->function ? w->function : "", sizeof(id->function));
	strlcpy(id->site, w->site ? w->site : "", sizeof(id->site));
	id->pid = w->pid;
	strlcpy(id->comm, w->comm, sizeof(id->comm));
	id->irq = w->irq;
}

/* True when w has identity id. */
static bool
ident_is(const struct wt_ident *id, const struct td_wsource *w)
{
	return id->set && id->kind == w->kind && id->pid == w->pid && id->irq == w->irq &&
	    strncmp(id->function, w->function ? w->function : "", sizeof(id->function) - 1) == 0 &&
	    strncmp(id->site, w->site ? w->site : "", sizeof(id->site) - 1) == 0 &&
	    strcmp(id->comm, w->comm) == 0;
}

/* Does the source pass the kind, pid and name filters? */
static bool
wanted(const struct wt_view *v, const struct td_wsource *w)
{
	bool timer = w->kind == TD_KIND_TIMER || w->kind == TD_KIND_HRTIMER;

	if (v->show == WT_SHOW_TIMERS && !timer)
		return false;
	if (v->show == WT_SHOW_IRQS && timer)
		return false;
	if (v->pid >= 0 && (!(w->known & TD_WS_PID) || w->pid != v->pid))
		return false;
	if (v->name[0] != '\0' && !wt_match_name(w->function, v->name) &&
	    !wt_match_name(w->comm, v->name) && !wt_match_name(w->site, v->name))
		return false;
	return true;
}

/* Filter and sort again. */
int
wt_view_rebuild(struct wt_view *v)
{
	const struct td_sample *p = v->sample;
	const struct td_column *col;
	struct td_wsource *rows;
	const void **rowp;
	double secs;
	size_t i, n = 0;
	int cpu;

	v->nrows = 0;
	v->total_rate = -1;
	if (p == NULL)
		return 0;
	secs = p->period_ns > 0 ? (double)p->period_ns / 1e9 : 0;
	if (secs > 0)
		v->total_rate = (double)p->total_events / secs;
	rows = reallocarray(v->rows, p->n ? p->n : 1, sizeof(*rows));
	if (rows == NULL)
		return -ENOMEM;
	v->rows = rows;
	rowp = reallocarray(v->rowp, p->n ? p->n : 1, sizeof(*rowp));
	if (rowp == NULL)
		return -ENOMEM;
	v->rowp = rowp;
	for (i = 0; i < p->n; i++) {
		const struct td_wsource *w = &p->src[i];

		if (!wanted(v, w))
			continue;
		rows[n] = *w;
		if (v->has_cpus && (w->known & TD_WS_CPU) && w->per_cpu != NULL) {
			/* Only what happened on the chosen CPUs. */
			rows[n].count = 0;
			for (cpu = 0; cpu < w->ncpus; cpu++)
				if (td_cpuset_isset(&v->cpus, cpu))
					rows[n].count += w->per_cpu[cpu];
			if (secs > 0)
				rows[n].rate = (double)rows[n].count / secs;
			if (rows[n].count == 0)
				continue;
		}
		rowp[n] = &rows[n];
		n++;
	}
	v->nrows = n;
	col = wt_view_sort_column(v);
	if (col != NULL)
		(void)td_table_sort(v->table, col->name, v->desc, rowp, n, NULL);
	/* The selection follows the source, not the row number. */
	if (v->sel_id.set) {
		for (i = 0; i < n; i++)
			if (ident_is(&v->sel_id, rowp[i])) {
				v->sel = i;
				break;
			}
	}
	if (v->sel >= n)
		v->sel = n ? n - 1 : 0;
	if (n > 0)
		ident_set(&v->sel_id, rowp[v->sel]);
	return 0;
}

/* Show a new sample. */
void
wt_view_set_sample(struct wt_view *v, struct td_sample *sample)
{
	td_sample_free(v->sample);
	v->sample = sample;
	v->samples++;
	(void)wt_view_rebuild(v);
}

/* Keep the selection within the visible window. */
void
wt_view_scroll(struct wt_view *v, size_t height)
{
	if (height == 0)
		height = 1;
	if (v->sel < v->top)
		v->top = v->sel;
	if (v->sel >= v->top + height)
		v->top = v->sel - height + 1;
	if (v->nrows <= height)
		v->top = 0;
	else if (v->top > v->nrows - height)
		v->top = v->nrows - height;
}

/* Move the selection. */
void
wt_view_move(struct wt_view *v, long delta)
{
	long s = (long)v->sel + delta;

	if (v->nrows == 0)
		return;
	if (s < 0)
		s = 0;
	if (s >= (long)v->nrows)
		s = (long)v->nrows - 1;
	v->sel = (size_t)s;
	ident_set(&v->sel_id, v->rowp[v->sel]);
}

/* The selected source. */
const struct td_wsource *
wt_view_selected(const struct wt_view *v)
{
	if (v->nrows == 0 || v->sel >= v->nrows)
		return NULL;
	return v->rowp[v->sel];
}

/* Is w the expanded row? */
bool
wt_view_is_expanded(const struct wt_view *v, const struct td_wsource *w)
{
	return v->expanded && ident_is(&v->exp_id, w);
}

/* Expand or fold the selected row. */
void
wt_view_toggle_expand(struct wt_view *v)
{
	const struct td_wsource *w = wt_view_selected(v);

	if (w == NULL)
		return;
	if (wt_view_is_expanded(v, w)) {
		v->expanded = false;
		return;
	}
	ident_set(&v->exp_id, w);
	v->expanded = true;
}

/* Is this source the local timer interrupt?  The library's rule. */
static bool
is_local_timer(const struct td_wsource *w)
{
	if (w->function == NULL || (w->kind != TD_KIND_VECTOR && w->kind != TD_KIND_IRQ))
		return false;
	return td_irq_is_local_timer(w->function, NULL, NULL);
}

/* Fill the per-CPU strip. */
void
wt_view_strip(struct wt_view *v, int ncpus, int (*tick_stopped)(const void *ctx, int cpu),
    const void *ctx)
{
	const struct td_sample *p = v->sample;
	struct wt_cpu *s;
	double secs;
	size_t i;
	int n = ncpus > 0 ? ncpus : 0, c;
	bool have_cpu = false, have_loc = false;

	v->nstrip = 0;
	if (p == NULL)
		return;
	/* A capture may not say how long its interval was: show counts then. */
	v->strip_counts = p->period_ns == 0;
	secs = p->period_ns ? (double)p->period_ns / 1e9 : 1;
	for (i = 0; i < p->n; i++)
		if ((p->src[i].known & TD_WS_CPU) && p->src[i].per_cpu != NULL &&
		    p->src[i].ncpus > n)
			n = p->src[i].ncpus;
	if (n == 0)
		return;
	s = reallocarray(v->strip, (size_t)n, sizeof(*s));
	if (s == NULL)
		return;
	v->strip = s;
	for (c = 0; c < n; c++) {
		s[c].cpu = c;
		s[c].wakeups = 0;
		s[c].loc = 0;
		s[c].tick_stopped = tick_stopped != NULL ? tick_stopped(ctx, c) : -1;
	}
	for (i = 0; i < p->n; i++) {
		const struct td_wsource *w = &p->src[i];

		if (!(w->known & TD_WS_CPU) || w->per_cpu == NULL)
			continue;
		/* Split by CPU: a CPU without shown sources has 0, not unknown. */
		have_cpu = true;
		if (is_local_timer(w)) {
			have_loc = true;
			for (c = 0; c < w->ncpus; c++)
				s[c].loc += (double)w->per_cpu[c] / secs;
		}
		if (!wanted(v, w))
			continue;
		for (c = 0; c < w->ncpus; c++)
			s[c].wakeups += (double)w->per_cpu[c] / secs;
	}
	for (c = 0; c < n; c++) {
		if (!have_cpu)
			s[c].wakeups = -1;
		if (!have_loc)
			s[c].loc = -1;
	}
	v->nstrip = (size_t)n;
}
