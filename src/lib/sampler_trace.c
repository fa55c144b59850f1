/*
 * The trace backend: a text trace people already have (tracefs's `trace`
 * file, `trace-cmd report` output; --trace FILE), or the wakeup trace of a
 * captured tree (DIR/trace-wakeup-events.txt), read by trace_text.c and
 * handed to the same wakeup attribution as the live tracefs backend.  The
 * whole file is one sample; its period is the span of its timestamps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attribution.h"
#include "internal.h"
#include "interrupts.h"
#include "sampler_internal.h"
#include "source.h"
#include "trace_text.h"

#define TREE_TRACE	"/trace-wakeup-events.txt"

struct trace_priv {
	char			 path[4096];
	struct td_trace_text	*r;
	bool			 done;		/* the file was read: later samples are empty */
	const char		*sysroot;	/* the tree the trace is in; NULL for --trace */
};

/* The file to read: --trace, else the tree's wakeup trace. */
static int
trace_open(struct td_sampler *s, struct td_error *e)
{
	struct trace_priv *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	s->priv = t;
	if (s->opts.trace_file != NULL) {
		strlcpy(t->path, s->opts.trace_file, sizeof(t->path));
	} else {
		if (s->live)
			return td_error_set(e, ENOENT, NULL, 0, "no trace file named (--trace)");
		if (td_root_readable(s->sysroot, TREE_TRACE, NULL) < 0 ||
		    td_path(s->sysroot, TREE_TRACE, t->path, sizeof(t->path)) < 0)
			return td_error_set(e, ENOENT, NULL, 0, "no wakeup trace in the tree");
		t->sysroot = s->sysroot;
	}
	return td_trace_text_new(t->path, &t->r, e);
}

static int
trace_start(struct td_sampler *s, struct td_error *e)
{
	(void)s;
	(void)e;
	return 0;
}

/* Names for the attribution: the reader's function names, the tick's by name. */
static const char *
names_function(void *ctx, uint64_t fn)
{
	const struct trace_priv *t = ctx;

	return td_trace_text_function_name(t->r, fn);
}

static bool
names_is_tick(void *ctx, uint64_t fn)
{
	const char *n = names_function(ctx, fn);

	return n != NULL && (strcmp(n, "tick_sched_timer") == 0 ||
	    strcmp(n, "tick_nohz_handler") == 0 || strcmp(n, "tick_nohz_highres_handler") == 0);
}

/* One pass over the file: the attribution is made at the first event. */
struct pass {
	struct td_sampler	*s;
	struct trace_priv	*t;
	int			 ncpus;		/* known before the pass, or -1 */
	struct td_attr		*a;
	int			 err;
	struct td_error		*e;
};

/* Hand an event to the attribution, making it when the CPU count is known. */
static void
feed(const struct td_tev *ev, void *arg)
{
	struct pass *ps = arg;

	if (ps->a == NULL && ps->err == 0) {
		const struct td_trace_text_stats *st = td_trace_text_stats(ps->t->r);
		int n = st->ncpus > 0 ? st->ncpus : ps->ncpus;
		struct td_attr_opts ao;

		if (n <= 0) {
			/* No CPU count in the header: read once to find it. */
			td_trace_text_stop(ps->t->r);
			return;
		}
		memset(&ao, 0, sizeof(ao));
		ao.ncpus = n;
		ao.cpus = ps->s->have_cpus ? &ps->s->cpus : NULL;
		ao.wakeups = true;
		ao.defer_flag = td_trace_text_deferrable_flag(ps->t->r);
		ao.pin_flag = td_trace_text_pinned_flag(ps->t->r);
		ao.names = (struct td_attr_names){ names_is_tick, names_function, NULL, ps->t };
		if ((ps->err = td_attr_new(&ao, &ps->a, ps->e)) < 0)
			return;
	}
	if (ps->a != NULL) {
		td_attr_event(ps->a, ev);
		if (ps->s->opts.observe != NULL)
			ps->s->opts.observe(ev, ps->s->opts.observe_arg);
	}
}

/* Count nothing: a pass that only learns the highest CPU. */
static void
skip(const struct td_tev *ev, void *arg)
{
	(void)ev;
	(void)arg;
}

/* Read the file through a fresh reader; -errno with e filled. */
static int
read_file(struct trace_priv *t, td_trace_text_cb cb, void *arg, struct td_error *e)
{
	FILE *f;
	int r;

	td_trace_text_free(t->r);
	t->r = NULL;
	if ((r = td_trace_text_new(t->path, &t->r, e)) < 0)
		return r;
	/* Inside a tree the read stays in it (a link out is refused). */
	if (t->sysroot != NULL)
		f = td_fopen_root(t->sysroot, TREE_TRACE, e);
	else if ((f = fopen(t->path, "re")) == NULL)
		td_error_set(e, errno, t->path, 0, "%s", strerror(errno));
	if (f == NULL)
		return -(e != NULL && e->code ? e->code : EIO);
	r = td_trace_text_read(t->r, f, cb, arg, e);
	fclose(f);
	return r < 0 ? r : 0;
}

/* The whole file as one sample. */
static int
trace_collect(struct td_sampler *s, struct td_sample *p, struct td_error *e)
{
	struct trace_priv *t = s->priv;
	const struct td_trace_text_stats *st;
	struct pass ps = { s, t, -1, NULL, 0, e };
	bool wakeups;
	int r;

	p->period_ns = 0;
	if (t->done) {
		td_sample_finish(p);
		return 0;
	}
	t->done = true;
	if ((r = read_file(t, feed, &ps, e)) < 0 || ps.err < 0)
		goto out;
	if (ps.a == NULL) {
		/* The header gave no CPU count: the highest CPU seen, then again. */
		if ((r = read_file(t, skip, NULL, e)) < 0)
			goto out;
		ps.ncpus = td_trace_text_stats(t->r)->max_cpu + 1;
		if (ps.ncpus <= 0) {
			r = td_error_set(e, EINVAL, t->path, 0, "no event of any CPU in the trace");
			goto out;
		}
		if ((r = read_file(t, feed, &ps, e)) < 0 || ps.err < 0)
			goto out;
	}
	st = td_trace_text_stats(t->r);
	wakeups = st->types[TD_TEV_IDLE] > 0 || st->types[TD_TEV_SCHED_SWITCH] > 0;
	if ((r = td_attr_collect(ps.a, p, e)) < 0)
		goto out;
	if (!wakeups) {
		/* Nothing to count them by: unknown, not the zeros the attribution made. */
		p->wakeups_known = false;
		for (size_t i = 0; i < p->n; i++)
			p->src[i].known &= ~(unsigned)TD_WS_WAKEUPS;
		snprintf(p->note, sizeof(p->note),
		    "trace: no power:cpu_idle or sched_switch events in the file: wakeups unknown");
	}
	if (st->last_ts > st->first_ts)
		p->period_ns = st->last_ts - st->first_ts;
	if (t->sysroot != NULL) {
		/* The tree's /proc/interrupts describes the vectors. */
		struct td_interrupts *irq = NULL;

		if (td_interrupts_load(t->sysroot, "/proc/interrupts", &irq, NULL) == 0)
			r = td_sampler_describe_vectors(p, irq);
		td_interrupts_free(irq);
		if (r < 0) {
			r = td_error_set(e, ENOMEM, NULL, 0, "out of memory");
			goto out;
		}
	}
	td_sample_finish(p);
	p->lost_known = st->lost_unknown == 0;
	p->lost_events = st->lost;
	p->processed = st->decoded;
out:
	td_attr_free(ps.a);
	return r < 0 ? r : ps.err;
}

static void
trace_close(struct td_sampler *s)
{
	struct trace_priv *t = s->priv;

	if (t == NULL)
		return;
	td_trace_text_free(t->r);
	free(t);
	s->priv = NULL;
}

const struct td_sampler_ops td_sampler_trace_ops = {
	.backend = TD_BACKEND_TRACE,
	.open = trace_open,
	.start = trace_start,
	.collect = trace_collect,
	.close = trace_close,
};
