/* The view: filters, sort order and selection over the displayed sample. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>
#include <wctype.h>

#include "view.h"

/* Set up a view over the sampler's column table. */
int
wt_view_init(struct wt_view *v, struct td_table *table, struct td_error *e)
{
	(void)e;
	memset(v, 0, sizeof(*v));
	v->table = table;
	v->desc = true;
	v->group = TD_GROUP_COMM;
	v->pid = v->sampled_pid = v->sampled_tid = -1;
	v->interval_ns = 2000000000LL;
	v->event_rate = v->wakeup_rate = -1;
	if (wt_view_sort_by(v, "rate") < 0)
		(void)wt_view_sort_by(v, "count");
	return 0;
}

/* Free what the view owns (not the table). */
void
wt_view_free(struct wt_view *v)
{
	td_sample_free(v->sample);
	td_sample_free(v->shown);
	free(v->rowp);
	free(v->strip);
	v->sample = NULL;
	v->shown = NULL;
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

/* Does the source pass the kind and name filters? */
static bool
wanted(const struct wt_view *v, const struct td_wsource *w)
{
	bool timer = w->kind == TD_KIND_TIMER || w->kind == TD_KIND_HRTIMER;

	if (v->show == WT_SHOW_TIMERS && !timer)
		return false;
	if (v->show == WT_SHOW_IRQS && timer)
		return false;
	if (v->name[0] != '\0' && !wt_match_name(w->function, v->name) &&
	    !wt_match_name(w->comm, v->name) && !wt_match_name(w->site, v->name))
		return false;
	return true;
}

/* Was a source of the thread-keyed sample armed by the filtered process? */
static bool
wanted_task(const struct wt_view *v, const struct td_wsource *w)
{
	if (v->pid < 0)
		return true;
	if (!(w->known & TD_WS_PID))
		return false;
	return (w->known & TD_WS_TGID) ? w->tgid == v->pid : w->pid == v->pid;
}

/* Sum the counters of a per-CPU array over the chosen CPUs, zeroing the others. */
static uint64_t
keep_cpus(uint64_t *pc, int cpu0, int ncpus, const struct td_cpuset *cpus)
{
	uint64_t sum = 0;

	for (int c = cpu0; c < ncpus; c++) {
		if (!td_cpuset_isset(cpus, c))
			pc[c - cpu0] = 0;
		sum += pc[c - cpu0];
	}
	return sum;
}

/*
 * Keep only what happened on the chosen CPUs (td_sample_keep): events and
 * wakeups from the per-CPU arrays (expiries are the events of a timer).  Arms
 * and cancels are not split by CPU: unknown then.  A source with no per-CPU
 * split is left out (and counted).
 */
static bool
on_cpus(struct td_wsource *w, void *arg)
{
	struct wt_view *v = arg;

	if (!(w->known & TD_WS_CPU) || w->per_cpu == NULL) {
		v->unsplit++;
		return false;
	}
	w->count = keep_cpus(w->per_cpu, w->cpu0, w->ncpus, &v->cpus);
	if (w->kind == TD_KIND_TIMER || w->kind == TD_KIND_HRTIMER)
		w->expiries = w->count;
	if (w->wakeups_per_cpu != NULL)
		w->wakeups = keep_cpus(w->wakeups_per_cpu, w->cpu0, w->ncpus, &v->cpus);
	w->known &= ~(unsigned)(TD_WS_ARMS | TD_WS_CANCELS);
	return w->count != 0 || w->wakeups != 0;
}

/* Whether the sources of p say what they woke (tracefs), not only the CPUs' totals. */
static bool
counts_wakeups(const struct td_sample *p)
{
	if (!p->wakeups_known)
		return false;
	for (size_t i = 0; i < p->n; i++)
		if (p->src[i].known & TD_WS_WAKEUPS)
			return true;
	return false;
}

/*
 * Without a sort chosen: wakeups per second where sources count them, else
 * events; their counts when the period, and so the rate, is unknown.
 */
static void
default_sort(struct wt_view *v)
{
	bool rates = v->sample != NULL && v->sample->period_ns > 0;

	if (v->sort_set || v->sample == NULL)
		return;
	if (counts_wakeups(v->sample) &&
	    wt_view_sort_by(v, rates ? "wakeup_rate" : "wakeups") == 0)
		return;
	if (!rates || wt_view_sort_by(v, "rate") < 0)
		(void)wt_view_sort_by(v, "count");
}

/* Filter, group and sort again. */
int
wt_view_rebuild(struct wt_view *v)
{
	const struct td_sample *p = v->sample;
	const struct td_column *col;
	struct td_sample *c;
	const void **rowp;
	double secs;
	size_t i, n = 0;

	v->nrows = 0;
	v->unsplit = 0;
	v->event_rate = v->wakeup_rate = -1;
	td_sample_free(v->shown);
	v->shown = NULL;
	if (p == NULL)
		return 0;
	secs = p->period_ns > 0 ? (double)p->period_ns / 1e9 : 0;
	if (secs > 0) {
		v->event_rate = (double)p->total_events / secs;
		if (p->wakeups_known)
			v->wakeup_rate = (double)p->total_wakeups / secs;
	}
	default_sort(v);
	if (td_sample_dup(p, &c) < 0)
		return -ENOMEM;
	v->shown = c;
	td_sample_filter_task(c, v->pid, -1);
	if (v->has_cpus)
		td_sample_keep(c, on_cpus, v);
	(void)td_sample_group(c, v->group);	/* ENOMEM: the rows stay per thread */
	rowp = reallocarray(v->rowp, c->n ? c->n : 1, sizeof(*rowp));
	if (rowp == NULL)
		return -ENOMEM;
	v->rowp = rowp;
	for (i = 0; i < c->n; i++)
		if (wanted(v, &c->src[i]))
			rowp[n++] = &c->src[i];
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

/* Group by the next key. */
void
wt_view_next_group(struct wt_view *v)
{
	v->group = v->group == TD_GROUP_THREAD ? TD_GROUP_PROCESS :
	    v->group == TD_GROUP_PROCESS ? TD_GROUP_COMM : TD_GROUP_THREAD;
	(void)wt_view_rebuild(v);
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
	if (p->wakeups_known && p->ncpus > n)
		n = p->ncpus;
	if (n == 0)
		return;
	s = reallocarray(v->strip, (size_t)n, sizeof(*s));
	if (s == NULL)
		return;
	v->strip = s;
	for (c = 0; c < n; c++) {
		s[c].cpu = c;
		s[c].wakeups = -1;
		s[c].method = TD_WAKE_UNKNOWN;
		s[c].events = 0;
		s[c].loc = 0;
		s[c].tick_stopped = tick_stopped != NULL ? tick_stopped(ctx, c) : -1;
		/* Each CPU's idle exits, whatever the filters: they are the CPU's. */
		if (p->wakeups_known && c < p->ncpus &&
		    p->cpu_wake_method[c] != TD_WAKE_UNKNOWN) {
			s[c].wakeups = (double)p->cpu_wakeups[c] / secs;
			s[c].method = p->cpu_wake_method[c];
		}
	}
	for (i = 0; i < p->n; i++) {
		const struct td_wsource *w = &p->src[i];

		if (!(w->known & TD_WS_CPU) || w->per_cpu == NULL)
			continue;
		/* Split by CPU: a CPU without shown sources has 0, not unknown. */
		have_cpu = true;
		if (w->local_timer) {	/* the backend marked it, by the library's rule */
			have_loc = true;
			for (c = w->cpu0; c < w->ncpus; c++)
				s[c].loc += (double)w->per_cpu[c - w->cpu0] / secs;
		}
		if (!wanted(v, w) || !wanted_task(v, w))
			continue;
		for (c = w->cpu0; c < w->ncpus; c++)
			s[c].events += (double)w->per_cpu[c - w->cpu0] / secs;
	}
	for (c = 0; c < n; c++) {
		if (!have_cpu)
			s[c].events = -1;
		if (!have_loc)
			s[c].loc = -1;
	}
	v->nstrip = (size_t)n;
}
