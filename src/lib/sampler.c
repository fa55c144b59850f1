/* The sampler loop: pick a backend, run intervals, hand back samples. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "internal.h"
#include "interrupts.h"
#include "sampler.h"
#include "sampler_internal.h"
#include "source.h"

/* Default options: live system, auto backend, all CPUs, all pids. */
void
td_sampler_opts_init(struct td_sampler_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->pid = -1;
	o->tid = -1;
}

/* Source i of a sample as a local timer candidate: vectors and IRQs only. */
static bool
source_candidate(const void *ctx, size_t i, struct td_irq_candidate *c)
{
	const struct td_wsource *w = &((const struct td_sample *)ctx)->src[i];

	c->is_irq = w->kind == TD_KIND_IRQ;
	c->label = w->kind == TD_KIND_VECTOR ? w->function : NULL;
	c->desc = w->desc;
	c->actions = c->is_irq ? w->function : NULL;
	c->total = w->count;
	return w->function != NULL && (w->kind == TD_KIND_VECTOR || w->kind == TD_KIND_IRQ);
}

/*
 * Mark the local timer source: the one whose row the /proc/interrupts parser
 * marked (a vector by its label, an IRQ by its number), or without a snapshot
 * the same choice made over the sources themselves.
 */
static void
mark_local_timer(struct td_sample *p, const struct td_interrupts *irq)
{
	int k = td_interrupts_local_timer(irq);

	for (size_t i = 0; i < p->n; i++)
		p->src[i].local_timer = false;
	if (k < 0) {
		if (irq == NULL && (k = td_irq_choose_local_timer(p->n, source_candidate, p)) >= 0)
			p->src[k].local_timer = true;
		return;
	}
	for (size_t i = 0; i < p->n; i++) {
		struct td_wsource *w = &p->src[i];
		const struct td_irq_row *r = &irq->rows[k];

		if (r->irq >= 0)
			w->local_timer = w->kind == TD_KIND_IRQ && w->irq == r->irq;
		else
			w->local_timer = w->kind == TD_KIND_VECTOR && w->function != NULL &&
			    strcmp(w->function, r->label) == 0;
	}
}

/*
 * Describe the vector sources from /proc/interrupts' architecture rows, and
 * mark the local timer source.
 */
int
td_sampler_describe_vectors(struct td_sample *p, const struct td_interrupts *irq)
{
	mark_local_timer(p, irq);
	for (size_t i = 0; irq != NULL && i < p->n; i++) {
		struct td_wsource *w = &p->src[i];

		if (w->kind != TD_KIND_VECTOR || w->desc != NULL || w->function == NULL)
			continue;
		for (size_t k = 0; k < irq->nrows; k++)
			if (irq->rows[k].desc != NULL && irq->rows[k].irq < 0 &&
			    strcmp(irq->rows[k].label, w->function) == 0) {
				if ((w->desc = strdup(irq->rows[k].desc)) == NULL)
					return -ENOMEM;
				break;
			}
	}
	return 0;
}

/* True when cpu passes the CPU filter. */
bool
td_sampler_cpu_wanted(const struct td_sampler *s, int cpu)
{
	if (!s->have_cpus)
		return true;
	return cpu >= 0 && cpu < TD_MAX_CPUS && td_cpuset_isset(&s->cpus, cpu);
}

/* Nanoseconds between two monotonic times. */
static uint64_t
elapsed_ns(const struct timespec *a, const struct timespec *b)
{
	int64_t ns = (int64_t)(b->tv_sec - a->tv_sec) * 1000000000LL +
	    (b->tv_nsec - a->tv_nsec);

	return ns > 0 ? (uint64_t)ns : 0;
}

/* Try one backend; on failure close it again and keep the reason. */
static int
try_backend(struct td_sampler *s, const struct td_sampler_ops *ops, struct td_error *e)
{
	int r;

	s->ops = ops;
	s->priv = NULL;
	if ((r = ops->open(s, e)) < 0) {
		ops->close(s);
		s->ops = NULL;
	}
	return r;
}

/* Under a sysroot, a symbolic link refused by any read so far fails the sampler. */
static int
sysroot_refused(const struct td_sampler *s, struct td_error *e)
{
	struct td_error why;

	if (s->live || !td_sysroot_refused(&why))
		return 0;
	if (e != NULL)
		*e = why;
	return -why.code;
}

/* Open a sampler on the forced or the first usable backend. */
static int
sampler_open(struct td_sampler **out, const struct td_sampler_opts *o, struct td_error *e)
{
	/*
	 * Files first, then the live backends from the cheapest that sees
	 * everything: bpf (nothing per event reaches user space), tracefs,
	 * then the interrupt counts anyone can read.
	 */
	static const struct td_sampler_ops *const order[] = {
		&td_sampler_trace_ops, &td_sampler_timer_stats_ops, &td_sampler_bpf_ops,
		&td_sampler_tracefs_ops, &td_sampler_interrupts_ops,
	};
	struct td_sampler *s;
	struct td_error why[TD_ARRAY_SIZE(order)];
	int r = -ENOENT;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	s->opts = *o;
	if (o->cpus != NULL) {
		s->cpus = *o->cpus;
		s->have_cpus = true;
		s->opts.cpus = &s->cpus;
	}
	strlcpy(s->sysroot, o->sysroot ? o->sysroot : "/", sizeof(s->sysroot));
	s->opts.sysroot = s->sysroot;
	s->live = td_root_is_live(s->sysroot);
	if (o->timer_stats_file != NULL && o->backend != TD_BACKEND_AUTO &&
	    o->backend != TD_BACKEND_TIMER_STATS) {
		free(s);
		return td_error_set(e, EINVAL, NULL, 0,
		    "a saved timer_stats file needs the timer_stats source");
	}
	if (o->trace_file != NULL && o->backend != TD_BACKEND_AUTO &&
	    o->backend != TD_BACKEND_TRACE) {
		free(s);
		return td_error_set(e, EINVAL, NULL, 0, "a trace file needs the trace source");
	}
	if (o->backend != TD_BACKEND_AUTO) {
		for (size_t i = 0; i < TD_ARRAY_SIZE(order); i++)
			if (order[i]->backend == o->backend)
				r = try_backend(s, order[i], e);
		if (r < 0) {
			free(s);
			return r;
		}
		*out = s;
		return 0;
	}
	for (size_t i = 0; i < TD_ARRAY_SIZE(order); i++) {
		td_error_clear(&why[i]);
		if ((r = try_backend(s, order[i], &why[i])) == 0) {
			/*
			 * Say why the better live backends were passed over,
			 * the nearest first.
			 */
			if (i > 1)
				snprintf(s->note, sizeof(s->note), "%s: %s",
				    td_backend_name(order[i]->backend), why[i - 1].msg);
			for (size_t j = i - 1; i > 2 && j-- > 2; ) {
				size_t len = strlen(s->note);

				snprintf(s->note + len, sizeof(s->note) - len, "; %s",
				    why[j].msg);
			}
			*out = s;
			return 0;
		}
	}
	if (e != NULL)
		*e = why[TD_ARRAY_SIZE(order) - 1];
	free(s);
	return r;
}

/* Open a sampler; under a sysroot, fail where a read refused a link. */
int
td_sampler_open(struct td_sampler **out, const struct td_sampler_opts *o, struct td_error *e)
{
	int r;

	if ((r = sampler_open(out, o, e)) < 0)
		return r;
	if ((r = sysroot_refused(*out, e)) < 0) {
		td_sampler_close(*out);
		*out = NULL;
	}
	return r;
}

/* The backend chosen. */
enum td_backend
td_sampler_backend(const struct td_sampler *s)
{
	return s->ops->backend;
}

/* Why that backend was chosen ("" when it was the first choice). */
const char *
td_sampler_note(const struct td_sampler *s)
{
	return s->note;
}

/* Begin the first interval. */
int
td_sampler_start(struct td_sampler *s, struct td_error *e)
{
	int r;

	if ((r = s->ops->start(s, e)) < 0)
		return r;
	s->started = true;
	s->stopped = false;
	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	return 0;
}

/* The fd to poll, -1 when the backend needs no pumping. */
int
td_sampler_fd(const struct td_sampler *s)
{
	return s->ops->fd ? s->ops->fd(s) : -1;
}

/* Drain what the kernel buffered so far. */
int
td_sampler_pump(struct td_sampler *s, struct td_error *e)
{
	return s->ops->pump ? s->ops->pump(s, e) : 0;
}

/* End the interval, return its sample and begin the next. */
int
td_sampler_collect(struct td_sampler *s, struct td_sample **out, struct td_error *e)
{
	struct td_sample *p;
	struct timespec now;
	int r;

	*out = NULL;
	if (!s->started)
		return td_error_set(e, EINVAL, NULL, 0, "sampler not started");
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	p->backend = s->ops->backend;
	clock_gettime(CLOCK_MONOTONIC, &now);
	p->period_ns = elapsed_ns(&s->t0, &now);
	s->t0 = now;
	if ((r = s->ops->collect(s, p, e)) < 0 || (r = sysroot_refused(s, e)) < 0) {
		td_sample_free(p);
		return r;
	}
	td_sample_filter_task(p, s->opts.pid, s->opts.tid);
	*out = p;
	return 0;
}

/* Whether a file backend has read all it has. */
bool
td_sampler_done(const struct td_sampler *s)
{
	return s->ops->done != NULL && s->ops->done(s);
}

/* Complete the recording, if the backend keeps one. */
int
td_sampler_finish_record(struct td_sampler *s, struct td_error *e)
{
	return s->ops->finish_record != NULL ? s->ops->finish_record(s, e) : 0;
}

/* The name of a callback the events carried. */
const char *
td_sampler_function_name(const struct td_sampler *s, uint64_t fn)
{
	return s != NULL && s->ops != NULL && s->ops->function_name != NULL && s->priv != NULL ?
	    s->ops->function_name(s, fn) : NULL;
}

/* The armers of the attribution the events go through before the observer. */
struct td_armers *
td_sampler_armers(struct td_sampler *s)
{
	return s != NULL && s->ops != NULL && s->ops->armers != NULL && s->priv != NULL ?
	    s->ops->armers(s) : NULL;
}

/* Whether the kernel (or capture) has event sys/name: its format file exists. */
bool
td_sampler_has_event(const char *sysroot, const char *sys, const char *name)
{
	char abs[256], path[4096];
	struct stat sb;

	snprintf(abs, sizeof(abs), "/sys/kernel/tracing/events/%s/%s/format", sys, name);
	return td_path(sysroot, abs, path, sizeof(path)) == 0 && stat(path, &sb) == 0;
}

/* Stop tracing; idempotent. */
void
td_sampler_stop(struct td_sampler *s)
{
	if (s == NULL || s->stopped || s->ops == NULL)
		return;
	if (s->ops->stop)
		s->ops->stop(s);
	s->stopped = true;
}

/* Emergency cleanup: undo what the backend did to the system. */
void
td_sampler_cleanup(struct td_sampler *s)
{
	if (s == NULL || s->ops == NULL)
		return;
	s->ops->close(s);
}

/* Stop, clean up and free. */
void
td_sampler_close(struct td_sampler *s)
{
	if (s == NULL)
		return;
	td_sampler_stop(s);
	td_sampler_cleanup(s);
	free(s);
}
