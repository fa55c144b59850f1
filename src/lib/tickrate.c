/* Measured tick rates from two interrupt and softirq snapshots. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Compute the rates. */
int
td_tickrates_compute(const struct td_interrupts *a, const struct td_interrupts *b,
    const struct td_softirqs *sa, const struct td_softirqs *sb, double period_s,
    struct td_tickrates **out, struct td_error *e)
{
	struct td_tickrates *r;
	int row, k;

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
		for (int i = 0; ra != NULL && i < b->ncpus; i++) {
			uint64_t va, vb;

			if (td_interrupts_count(a, ra, b->cpus[i], &va) < 0 ||
			    td_interrupts_count(b, rb, b->cpus[i], &vb) < 0 || vb < va)
				continue;
			k = add_cpu(r, b->cpus[i]);
			if (k < 0)
				goto nomem;
			r->cpus[k].has_local = true;
			r->cpus[k].local_per_s = (double)(vb - va) / period_s;
		}
	}
	if (sa != NULL && sb != NULL &&
	    (softirq_rates(r, sa, sb, "TIMER", false) < 0 ||
	    softirq_rates(r, sa, sb, "HRTIMER", true) < 0))
		goto nomem;
	*out = r;
	return 0;
nomem:
	td_tickrates_free(r);
	return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
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

/* Rates of one CPU, NULL when not measured. */
const struct td_cpu_tickrate *
td_tickrates_cpu(const struct td_tickrates *r, int cpu)
{
	for (size_t i = 0; r != NULL && i < r->ncpus; i++)
		if (r->cpus[i].cpu == cpu)
			return &r->cpus[i];
	return NULL;
}
