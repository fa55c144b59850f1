/* Measured tick rates from two interrupt and softirq snapshots. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpumask.h"
#include "tickrate.h"

static int
add_cpu(struct td_tickrates *r, int cpu)
{
	struct td_cpu_tickrate *n;
	size_t i, lo = 0, hi = r->ncpus;

	/* the CPUs are kept sorted: every row of every CPU looks its CPU up here */
	while (lo < hi) {
		i = lo + (hi - lo) / 2;
		if (r->cpus[i].cpu < cpu)
			lo = i + 1;
		else
			hi = i;
	}
	if (lo < r->ncpus && r->cpus[lo].cpu == cpu)
		return (int)lo;
	n = reallocarray(r->cpus, r->ncpus + 1, sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	r->cpus = n;
	for (i = r->ncpus; i > 0 && n[i - 1].cpu > cpu; i--)
		n[i] = n[i - 1];
	memset(&n[i], 0, sizeof(n[i]));
	n[i].cpu = cpu;
	r->ncpus++;
	return (int)i;
}

/* Softirq rates of one row name into the CPUs (a row new in b has no rate). */
static int
softirq_rates(struct td_tickrates *r, const struct td_softirqs_delta *d, const char *name,
    bool hr)
{
	const struct td_softirq_delta_row *row = td_softirqs_delta_find(d, name);

	for (int i = 0; row != NULL && !row->is_new && i < d->ncpus; i++) {
		uint64_t v;
		int k;

		if (td_softirqs_delta_cell(d, name, d->cpus[i], &v) < 0)
			continue;
		if ((k = add_cpu(r, d->cpus[i])) < 0)
			return k;
		if (hr) {
			r->cpus[k].has_hrtimer = true;
			r->cpus[k].hrtimer_softirq_per_s = (double)v / r->period_s;
		} else {
			r->cpus[k].has_timer = true;
			r->cpus[k].timer_softirq_per_s = (double)v / r->period_s;
		}
	}
	return 0;
}

/*
 * Rates of one interrupt delta row into the CPUs: their local or their global
 * timer rate.  A row new in the later snapshot has no rate.
 */
static int
row_rates(struct td_tickrates *r, const struct td_interrupts_delta *d,
    const struct td_irq_delta_row *row, bool global)
{
	for (int i = 0; row->state == TD_IRQ_KEPT && i < d->ncpus; i++) {
		uint64_t v;
		int k;

		if (td_interrupts_delta_cell(d, row, d->cpus[i], &v) < 0)
			continue;
		if ((k = add_cpu(r, d->cpus[i])) < 0)
			return k;
		if (global) {
			r->cpus[k].has_global = true;
			r->cpus[k].global_per_s += (double)v / r->period_s;
		} else {
			r->cpus[k].has_local = true;
			r->cpus[k].local_per_s = (double)v / r->period_s;
		}
	}
	return 0;
}

/* Name a row into a list such as "0 (timer), IPI4 (Timer broadcast interrupts)". */
static void
name_row(char *list, size_t len, const struct td_irq_delta_row *row)
{
	size_t n = strlen(list);

	if (n < len)
		snprintf(list + n, len - n, "%s%s (%s)", n ? ", " : "", row->label,
		    row->desc != NULL ? row->desc : row->actions != NULL ? row->actions :
		    "timer");
}

/*
 * The local timer row (the one the parser marked in b, found in the delta by
 * its identity) and the global timer rows into the CPUs.
 */
static int
irq_rates(struct td_tickrates *r, const struct td_interrupts *b,
    const struct td_interrupts_delta *d)
{
	int k = td_interrupts_local_timer(b);
	const struct td_irq_delta_row *loc = k < 0 ? NULL :
	    td_interrupts_delta_find(d, b->rows[k].label, b->rows[k].desc);

	if (loc == NULL)
		snprintf(r->why_no_local, sizeof(r->why_no_local), "%s",
		    "no local timer row in /proc/interrupts (no LOC or arch_timer)");
	else {
		name_row(r->local_row, sizeof(r->local_row), loc);
		if (row_rates(r, d, loc, false) < 0)
			return -ENOMEM;
	}
	for (size_t n = 0; n < d->nrows; n++) {
		const struct td_irq_delta_row *row = &d->rows[n];

		if (row == loc || row->total_only || row->state == TD_IRQ_GONE ||
		    !td_irq_is_global_timer(row->desc, row->actions))
			continue;
		name_row(r->global_rows, sizeof(r->global_rows), row);
		if (row_rates(r, d, row, true) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Compute the rates on the deltas of the two snapshots. */
int
td_tickrates_compute(const struct td_interrupts *a, const struct td_interrupts *b,
    const struct td_softirqs *sa, const struct td_softirqs *sb, double period_s,
    struct td_tickrates **out, struct td_error *e)
{
	struct td_interrupts_delta *di = NULL;
	struct td_softirqs_delta *ds = NULL;
	struct td_tickrates *r;

	*out = NULL;
	if (!(period_s > 0))
		return td_error_set(e, EINVAL, NULL, 0, "measurement period must be positive");
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	r->period_s = period_s;
	if (a == NULL || b == NULL)
		snprintf(r->why_no_local, sizeof(r->why_no_local), "%s",
		    "/proc/interrupts not read");
	else if (td_interrupts_delta(a, b, &di) < 0 || irq_rates(r, b, di) < 0)
		goto nomem;
	if (sa != NULL && sb != NULL &&
	    (td_softirqs_delta(sa, sb, &ds) < 0 || softirq_rates(r, ds, "TIMER", false) < 0 ||
	    softirq_rates(r, ds, "HRTIMER", true) < 0))
		goto nomem;
	td_interrupts_delta_free(di);
	td_softirqs_delta_free(ds);
	td_tickrates_set_sources(r, NULL);
	*out = r;
	return 0;
nomem:
	td_interrupts_delta_free(di);
	td_softirqs_delta_free(ds);
	td_tickrates_free(r);
	return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
}

/*
 * A clock event device that is not a CPU's own: a broadcast handler, the PIT (on
 * IRQ 0, "timer"), or a device whose IRQ is named after it and is a global row
 * (hpet, hpet2, arch_mem_timer).
 */
static bool
global_device(const struct td_tl_tickdev *d)
{
	const char *h = d->fn[TD_TLD_EVENT_HANDLER];

	return (h != NULL && strstr(h, "broadcast") != NULL) ||
	    (d->device != NULL && (strcmp(d->device, "pit") == 0 ||
	    td_irq_is_global_timer(NULL, d->device)));
}

/* Whether cpu is set in a tick_broadcast mask line (NULL or unparseable: no). */
static bool
in_mask(const char *text, int cpu)
{
	struct td_cpuset set;

	while (text != NULL && (*text == ' ' || *text == '\t'))
		text++;
	return text != NULL && td_cpuset_parse_mask(&set, text) == 0 &&
	    td_cpuset_isset(&set, cpu);
}

/* Decide each CPU's tick source and the rate that carried its tick. */
void
td_tickrates_set_sources(struct td_tickrates *r, const struct td_timer_list *tl)
{
	const struct td_tl_tickdev *bc = tl != NULL ? td_tl_broadcast_device(tl) : NULL;

	for (size_t i = 0; r != NULL && i < r->ncpus; i++) {
		struct td_cpu_tickrate *t = &r->cpus[i];
		const struct td_tl_tickdev *d = tl != NULL ? td_tl_cpu_device(tl, t->cpu) : NULL;
		const char *feeder = NULL;

		t->source = TD_TICK_SOURCE_UNKNOWN;
		t->source_device[0] = '\0';
		if (d != NULL && d->has_device && d->device != NULL) {
			t->source = TD_TICK_SOURCE_LOCAL;
			if (global_device(d))
				feeder = d->device;
			else if (tl != NULL && (in_mask(tl->broadcast_mask, t->cpu) ||
			    in_mask(tl->broadcast_oneshot_mask, t->cpu)))
				feeder = bc != NULL && bc->device != NULL ? bc->device :
				    "the broadcast device";
		}
		if (feeder != NULL) {
			t->source = TD_TICK_SOURCE_GLOBAL;
			snprintf(t->source_device, sizeof(t->source_device), "%s", feeder);
		}
		/* A CPU fed by a global device without a row of its own: no count says. */
		if (t->source == TD_TICK_SOURCE_LOCAL)
			t->has_tick = t->has_local;
		else if (t->source == TD_TICK_SOURCE_GLOBAL)
			t->has_tick = t->has_global;
		else
			t->has_tick = t->has_local || t->has_global;
		t->tick_per_s = (t->has_local ? t->local_per_s : 0) +
		    (t->source != TD_TICK_SOURCE_LOCAL && t->has_global ? t->global_per_s : 0);
	}
}

/* Add idle shares from two /proc/stat snapshots. */
int
td_tickrates_add_idle(struct td_tickrates *r, const struct td_procstat *a,
    const struct td_procstat *b)
{
	for (size_t i = 0; a != NULL && b != NULL && i < r->ncpus; i++) {
		const struct td_procstat_cpu *ca = td_procstat_cpu(a, r->cpus[i].cpu);
		const struct td_procstat_cpu *cb = td_procstat_cpu(b, r->cpus[i].cpu);

		if (ca == NULL || cb == NULL || cb->total <= ca->total || cb->idle < ca->idle)
			continue;
		r->cpus[i].has_idle = true;
		r->cpus[i].idle_share = (double)(cb->idle - ca->idle) /
		    (double)(cb->total - ca->total);
		if (r->cpus[i].idle_share > 1)
			r->cpus[i].idle_share = 1;
	}
	return 0;
}

/* Free rates; NULL-safe. */
void
td_tickrates_free(struct td_tickrates *r)
{
	if (r == NULL)
		return;
	free(r->cpus);
	free(r);
}
