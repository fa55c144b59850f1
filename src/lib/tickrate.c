/* Measured tick rates from two interrupt and softirq snapshots. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpumask.h"
#include "numparse.h"
#include "tickrate.h"

static int
add_cpu(struct td_tickrates *r, int cpu)
{
	struct td_cpu_tickrate *n;
	size_t i;

	for (i = 0; i < r->ncpus; i++)
		if (r->cpus[i].cpu == cpu)
			return (int)i;
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

/* Softirq rates of one row name into the CPUs. */
static int
softirq_rates(struct td_tickrates *r, const struct td_softirqs *sa,
    const struct td_softirqs *sb, const char *name, bool hr)
{
	for (int i = 0; i < sb->ncpus; i++) {
		uint64_t va, vb;
		int k;

		if (td_softirqs_count(sa, name, sb->cpus[i], &va) < 0 ||
		    td_softirqs_count(sb, name, sb->cpus[i], &vb) < 0 || vb < va)
			continue;
		k = add_cpu(r, sb->cpus[i]);
		if (k < 0)
			return k;
		if (hr) {
			r->cpus[k].has_hrtimer = true;
			r->cpus[k].hrtimer_softirq_per_s = (double)(vb - va) / r->period_s;
		} else {
			r->cpus[k].has_timer = true;
			r->cpus[k].timer_softirq_per_s = (double)(vb - va) / r->period_s;
		}
	}
	return 0;
}

/* Rates of one interrupt row into the CPUs: their local or their global timer rate. */
static int
row_rates(struct td_tickrates *r, const struct td_interrupts *a, const struct td_irq_row *ra,
    const struct td_interrupts *b, const struct td_irq_row *rb, bool global)
{
	for (int i = 0; i < b->ncpus; i++) {
		uint64_t va, vb;
		int k;

		if (td_interrupts_count(a, ra, b->cpus[i], &va) < 0 ||
		    td_interrupts_count(b, rb, b->cpus[i], &vb) < 0 || vb < va)
			continue;
		k = add_cpu(r, b->cpus[i]);
		if (k < 0)
			return k;
		if (global) {
			r->cpus[k].has_global = true;
			r->cpus[k].global_per_s += (double)(vb - va) / r->period_s;
		} else {
			r->cpus[k].has_local = true;
			r->cpus[k].local_per_s = (double)(vb - va) / r->period_s;
		}
	}
	return 0;
}

/* Name a row into a list such as "0 (timer), IPI4 (Timer broadcast interrupts)". */
static void
name_row(char *list, size_t len, const struct td_irq_row *row)
{
	size_t n = strlen(list);

	if (n < len)
		snprintf(list + n, len - n, "%s%s (%s)", n ? ", " : "", row->label,
		    row->desc != NULL ? row->desc : row->actions);
}

/* The summed rates of the global timer rows into the CPUs. */
static int
global_rates(struct td_tickrates *r, const struct td_interrupts *a,
    const struct td_interrupts *b)
{
	for (size_t n = 0; n < b->nrows; n++) {
		const struct td_irq_row *rb = &b->rows[n];
		const struct td_irq_row *ra;

		if (rb->total_only || !td_irq_is_global_timer(rb->desc, rb->actions))
			continue;
		ra = td_interrupts_find(a, rb->label, rb->desc);
		name_row(r->global_rows, sizeof(r->global_rows), rb);
		if (ra != NULL && row_rates(r, a, ra, b, rb, true) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Compute the rates. */
int
td_tickrates_compute(const struct td_interrupts *a, const struct td_interrupts *b,
    const struct td_softirqs *sa, const struct td_softirqs *sb, double period_s,
    struct td_tickrates **out, struct td_error *e)
{
	struct td_tickrates *r;
	int row;

	*out = NULL;
	if (!(period_s > 0))
		return td_error_set(e, EINVAL, NULL, 0, "measurement period must be positive");
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	r->period_s = period_s;
	row = b != NULL ? td_interrupts_local_timer(b) : -ENOENT;
	if (row < 0) {
		snprintf(r->why_no_local, sizeof(r->why_no_local), "%s",
		    b == NULL ? "/proc/interrupts not read" :
		    "no local timer row in /proc/interrupts (no LOC or arch_timer)");
	} else {
		const struct td_irq_row *rb = &b->rows[row];
		const struct td_irq_row *ra = td_interrupts_find(a, rb->label, rb->desc);

		if (rb->desc != NULL)
			snprintf(r->local_row, sizeof(r->local_row), "%s (%s)", rb->label, rb->desc);
		else
			snprintf(r->local_row, sizeof(r->local_row), "%s (%s)", rb->label,
			    rb->actions ? rb->actions : "timer");
		if (ra != NULL && row_rates(r, a, ra, b, rb, false) < 0)
			goto nomem;
	}
	if (b != NULL && global_rates(r, a, b) < 0)
		goto nomem;
	if (sa != NULL && sb != NULL &&
	    (softirq_rates(r, sa, sb, "TIMER", false) < 0 ||
	    softirq_rates(r, sa, sb, "HRTIMER", true) < 0))
		goto nomem;
	td_tickrates_set_sources(r, NULL);
	*out = r;
	return 0;
nomem:
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

/* Parse "cpuN user nice system idle iowait ..." into idle and total ticks. */
static bool
stat_cpu(const char *text, int cpu, uint64_t *idle, uint64_t *total)
{
	char key[32];
	const char *p;
	size_t kl;

	kl = (size_t)snprintf(key, sizeof(key), "\ncpu%d ", cpu);
	p = strstr(text, key);
	if (p == NULL)
		return false;
	p += kl;
	*idle = *total = 0;
	for (int f = 0; f < 10; f++) {
		const char *end = p + strcspn(p, "\n");
		uint64_t v;

		p = td_skip_ws(p, end);
		if (td_parse_u64(&p, end, &v) < 0)
			break;
		*total += v;
		if (f == 3 || f == 4)	/* idle and iowait */
			*idle += v;
	}
	return *total > 0;
}

/* Add idle shares from /proc/stat. */
int
td_tickrates_add_idle(struct td_tickrates *r, const char *stat_a, const char *stat_b)
{
	for (size_t i = 0; i < r->ncpus; i++) {
		uint64_t ia, ta, ib, tb;

		if (!stat_cpu(stat_a, r->cpus[i].cpu, &ia, &ta) ||
		    !stat_cpu(stat_b, r->cpus[i].cpu, &ib, &tb) || tb <= ta || ib < ia)
			continue;
		r->cpus[i].has_idle = true;
		r->cpus[i].idle_share = (double)(ib - ia) / (double)(tb - ta);
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
