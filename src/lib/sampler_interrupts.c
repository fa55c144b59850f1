/*
 * The interrupts backend: /proc/interrupts and /proc/softirqs deltas, and
 * wakeups per CPU from cpuidle's usage counters, for anyone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "absence.h"
#include "cpuidle.h"
#include "internal.h"
#include "interrupts.h"
#include "sampler_internal.h"
#include "softirqs.h"
#include "source.h"
#include "timer_list.h"

struct irq_priv {
	struct td_interrupts	*irq;		/* at the start of the interval */
	struct td_softirqs	*soft;		/* NULL when the kernel has none */
	bool			 after;		/* captured tree with after/proc: use it */
	struct td_cpuidle	 idle;		/* usage at the start; ncpus 0 when none */
	char			 idle_why[128];	/* why there are no wakeups */
};

/* Read cpuidle usage (the live system only: a capture holds one moment). */
static void
load_idle(struct td_sampler *s, struct irq_priv *t)
{
	struct td_error e;
	long n = sysconf(_SC_NPROCESSORS_CONF);

	td_cpuidle_free(&t->idle);
	if (!s->live) {
		snprintf(t->idle_why, sizeof(t->idle_why), "cpuidle usage counters: %s",
		    td_absence_why(TD_ABSENT_NOT_IN_CAPTURE));
		return;
	}
	td_error_clear(&e);
	if (td_cpuidle_read(s->sysroot, n > 0 ? (int)n : 1, &t->idle, &e) < 0)
		snprintf(t->idle_why, sizeof(t->idle_why), "no cpuidle states on this machine");
}

/* Wakeups per CPU: the idle entries counted between two usage readings. */
static int
add_idle(struct td_sampler *s, struct irq_priv *t, struct td_sample *p)
{
	struct td_cpuidle prev = t->idle;

	t->idle.usage = NULL;
	t->idle.ncpus = 0;
	load_idle(s, t);
	if (prev.usage == NULL || t->idle.usage == NULL || prev.ncpus != t->idle.ncpus) {
		td_cpuidle_free(&prev);
		return 0;
	}
	p->ncpus = prev.ncpus;
	p->cpu_wakeups = calloc((size_t)p->ncpus, sizeof(uint64_t));
	p->cpu_wake_method = calloc((size_t)p->ncpus, 1);
	if (p->cpu_wakeups == NULL || p->cpu_wake_method == NULL) {
		td_cpuidle_free(&prev);
		return -ENOMEM;
	}
	for (int c = 0; c < p->ncpus; c++) {
		if (prev.usage[c] == UINT64_MAX || t->idle.usage[c] == UINT64_MAX ||
		    !td_sampler_cpu_wanted(s, c))
			continue;
		p->cpu_wakeups[c] = t->idle.usage[c] >= prev.usage[c] ?
		    t->idle.usage[c] - prev.usage[c] : t->idle.usage[c];
		p->cpu_wake_method[c] = TD_WAKE_CPUIDLE_USAGE;
		p->total_wakeups += p->cpu_wakeups[c];
		p->wakeups_known = true;
	}
	td_cpuidle_free(&prev);
	return 0;
}

/* Load both files from prefix ("" or "/after") under the sysroot. */
static int
load_both(struct td_sampler *s, const char *prefix, struct td_interrupts **irq,
    struct td_softirqs **soft, struct td_error *e)
{
	char abs[64];
	int r;

	snprintf(abs, sizeof(abs), "%s/proc/interrupts", prefix);
	if ((r = td_interrupts_load(s->sysroot, abs, irq, e)) < 0)
		return r;
	snprintf(abs, sizeof(abs), "%s/proc/softirqs", prefix);
	if (td_softirqs_load(s->sysroot, abs, soft, NULL) < 0)
		*soft = NULL;	/* before 2.6.31: no softirqs file */
	return 0;
}

/* Check /proc/interrupts can be read. */
static int
irq_open(struct td_sampler *s, struct td_error *e)
{
	struct irq_priv *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	s->priv = t;
	if (!s->live && td_root_readable(s->sysroot, "/after/proc/interrupts", NULL) == 0)
		t->after = true;
	return load_both(s, "", &t->irq, &t->soft, e);
}

/* Take the first snapshot. */
static int
irq_start(struct td_sampler *s, struct td_error *e)
{
	struct irq_priv *t = s->priv;

	td_interrupts_free(t->irq);
	td_softirqs_free(t->soft);
	t->irq = NULL;
	t->soft = NULL;
	load_idle(s, t);
	return load_both(s, "", &t->irq, &t->soft, e);
}

/* Add one delta row as a source; per-CPU cells through the CPU filter. */
static int
add_row(struct td_sampler *s, struct td_sample *p, enum td_kind kind, const char *function,
    int irq, int ncpus, const int *cpus, const uint64_t *delta, const bool *known)
{
	struct td_wsource *w;
	uint64_t total = 0;
	int maxcpu = -1;

	for (int i = 0; i < ncpus; i++)
		if (known[i] && td_sampler_cpu_wanted(s, cpus[i])) {
			total += delta[i];
			if (cpus[i] > maxcpu)
				maxcpu = cpus[i];
		}
	if (total == 0)
		return 0;
	if ((w = td_sample_add(p)) == NULL || (w->function = td_sample_str(p, function)) == NULL ||
	    (w->per_cpu = calloc((size_t)maxcpu + 1, sizeof(uint64_t))) == NULL)
		return -ENOMEM;
	w->kind = kind;
	w->irq = irq;
	w->ncpus = maxcpu + 1;
	for (int i = 0; i < ncpus; i++)
		if (known[i] && td_sampler_cpu_wanted(s, cpus[i]))
			w->per_cpu[cpus[i]] += delta[i];
	w->count = total;
	w->known = TD_WS_CPU;
	return 0;
}

/* Turn the interrupts delta into sources. */
static int
add_irqs(struct td_sampler *s, struct td_sample *p, const struct td_interrupts_delta *d)
{
	char name[128];

	for (size_t i = 0; i < d->nrows; i++) {
		const struct td_irq_delta_row *r = &d->rows[i];
		enum td_kind kind = r->irq >= 0 ? TD_KIND_IRQ : TD_KIND_VECTOR;

		if (r->total_only || r->state == TD_IRQ_GONE)
			continue;
		if (kind == TD_KIND_IRQ)
			snprintf(name, sizeof(name), "%s", r->actions ? r->actions : r->label);
		else if (strcmp(r->label, "LOC") == 0 &&
		    !td_irq_is_local_timer(r->label, r->desc, NULL))
			snprintf(name, sizeof(name), "%s", TD_IRQ_LOC_OTHERS);	/* not the tick */
		else
			snprintf(name, sizeof(name), "%s", r->label);
		if (add_row(s, p, kind, name, r->irq, d->ncpus, d->cpus, r->delta,
		    r->known) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Turn the softirqs delta into sources. */
static int
add_softirqs(struct td_sampler *s, struct td_sample *p, const struct td_softirqs_delta *d)
{
	for (size_t i = 0; i < d->nrows; i++) {
		const struct td_softirq_delta_row *r = &d->rows[i];

		if (r->gone)
			continue;
		if (add_row(s, p, TD_KIND_SOFTIRQ, r->name, -1, d->ncpus, d->cpus, r->delta,
		    r->known) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Take the second snapshot and turn the deltas into sources. */
static int
irq_collect(struct td_sampler *s, struct td_sample *p, struct td_error *e)
{
	struct irq_priv *t = s->priv;
	struct td_interrupts *irq;
	struct td_softirqs *soft;
	struct td_interrupts_delta *di = NULL;
	struct td_softirqs_delta *ds = NULL;
	int r;

	if ((r = load_both(s, t->after ? "/after" : "", &irq, &soft, e)) < 0)
		return r;
	/* A captured pair: the gap is that of its two timer_lists, if they say. */
	if (t->after && td_timer_list_capture_period(s->sysroot, NULL, &p->period_ns) < 0)
		p->period_ns = 0;
	r = add_idle(s, t, p);
	if (r == 0)
		r = td_interrupts_delta(t->irq, irq, &di);
	if (r == 0 && t->soft != NULL && soft != NULL)
		r = td_softirqs_delta(t->soft, soft, &ds);
	if (r == 0 && s->opts.pid < 0) {
		r = add_irqs(s, p, di);
		if (r == 0 && ds != NULL)
			r = add_softirqs(s, p, ds);
	}
	if (r == 0)
		r = td_sampler_describe_vectors(p, irq);
	td_interrupts_delta_free(di);
	td_softirqs_delta_free(ds);
	td_interrupts_free(t->irq);
	td_softirqs_free(t->soft);
	t->irq = irq;
	t->soft = soft;
	if (r < 0)
		return td_error_set(e, -r, NULL, 0, "out of memory");
	td_sample_finish(p);
	p->lost_known = false;
	snprintf(p->note, sizeof(p->note), "%s; %s",
	    s->opts.pid >= 0 ?
	    "interrupts: counts per IRQ, vector and softirq only; no pids, so --pid matches nothing" :
	    "interrupts: counts per IRQ, vector and softirq only; no timer callbacks, pids, "
	    "arming sites or lost counts",
	    p->wakeups_known ? "wakeups per CPU from cpuidle usage, without their causes" :
	    t->idle_why[0] ? t->idle_why : "wakeups unknown");
	return 0;
}

/* Free the snapshots. */
static void
irq_close(struct td_sampler *s)
{
	struct irq_priv *t = s->priv;

	if (t == NULL)
		return;
	td_interrupts_free(t->irq);
	td_softirqs_free(t->soft);
	td_cpuidle_free(&t->idle);
	free(t);
	s->priv = NULL;
}

const struct td_sampler_ops td_sampler_interrupts_ops = {
	.backend = TD_BACKEND_INTERRUPTS,
	.open = irq_open,
	.start = irq_start,
	.collect = irq_collect,
	.close = irq_close,
};
