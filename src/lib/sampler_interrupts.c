/* The interrupts backend: /proc/interrupts and /proc/softirqs deltas, for anyone. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "interrupts.h"
#include "sampler_internal.h"
#include "softirqs.h"
#include "source.h"

struct irq_priv {
	struct td_interrupts	*irq;		/* at the start of the interval */
	struct td_softirqs	*soft;		/* NULL when the kernel has none */
	bool			 after;		/* captured tree with after/proc: use it */
};

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
	if ((w = td_sample_add(p)) == NULL || (w->function = strdup(function)) == NULL ||
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
	if (t->after)
		p->period_ns = 0;	/* a captured pair: the gap was not recorded */
	r = td_interrupts_delta(t->irq, irq, &di);
	if (r == 0 && t->soft != NULL && soft != NULL)
		r = td_softirqs_delta(t->soft, soft, &ds);
	if (r == 0 && s->opts.pid < 0) {
		r = add_irqs(s, p, di);
		if (r == 0 && ds != NULL)
			r = add_softirqs(s, p, ds);
	}
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
	snprintf(p->note, sizeof(p->note), "%s",
	    s->opts.pid >= 0 ?
	    "interrupts: counts per IRQ, vector and softirq only; no pids, so --pid matches nothing" :
	    "interrupts: counts per IRQ, vector and softirq only; no timer callbacks, pids, "
	    "arming sites or lost counts");
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
