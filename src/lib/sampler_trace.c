/*
 * The trace backend: a trace people already have, handed to the same wakeup
 * attribution as the live tracefs backend.  --trace FILE reads a trace.dat
 * (trace-cmd record; known by its magic, read by trace_dat.c) or a text trace
 * (tracefs's `trace` file, `trace-cmd report` output; trace_text.c); a
 * captured tree gives DIR/trace-wakeup-events.txt, else DIR/trace.dat.
 *
 * Without a step the whole file is one sample and its period is the span of
 * its timestamps.  With one (trace_step_ns), each collect takes the next step
 * of trace time from the first event on: the event that crosses the window's
 * end is kept (copied) for the next collect, and a window with no event is an
 * empty sample.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attribution.h"
#include "knames.h"
#include "internal.h"
#include "interrupts.h"
#include "sampler_internal.h"
#include "source.h"
#include "trace_dat.h"
#include "trace_dat_check.h"
#include "trace_text.h"

#define TREE_TRACE	"/trace-wakeup-events.txt"
#define TREE_DAT	"/trace.dat"

struct trace_priv {
	char			 path[4096];
	const char		*sysroot;	/* the tree the trace is in; NULL for --trace */
	const char		*rel;		/* its path in the tree */
	bool			 dat;		/* a trace.dat, else text */
	struct td_trace_text	*r;
	FILE			*f;
	struct td_trace_dat	*d;
	struct td_attr		*a;
	int			 ncpus;		/* -1 until known */
	bool			 count_cpus;	/* text without a CPU count: count them first */
	bool			 eof;		/* the reader reached the end */
	bool			 done;		/* and nothing is pending */
	int			 err;		/* from making the attribution */
	struct td_error		*e;
	struct td_sampler	*s;
	/* Stepping through trace time. */
	uint64_t		 step;
	bool			 wset;
	uint64_t		 wstart, wend;
	bool			 pend;		/* an event of a later window, copied */
	struct td_tev		 pev;
	char			 pname[256], pcomm[64];
	/* The reader's running totals at the end of the previous sample. */
	uint64_t		 lost0, decoded0;
};

/* The stats both readers keep, in one shape. */
struct totals {
	int		 ncpus;
	uint64_t	 decoded, lost, lost_unknown, first_ts, last_ts, malformed, first_bad;
	bool		 wakeups;	/* cpu_idle or sched_switch seen */
};

static void
totals(const struct trace_priv *t, struct totals *o)
{
	memset(o, 0, sizeof(*o));
	if (t->dat && t->d != NULL) {
		const struct td_trace_dat_stats *st = td_trace_dat_stats(t->d);

		*o = (struct totals){ st->ncpus, st->decoded, st->lost, st->lost_unknown,
		    st->first_ts, st->last_ts, st->malformed, st->first_malformed,
		    st->types[TD_TEV_IDLE] > 0 || st->types[TD_TEV_SCHED_SWITCH] > 0 };
	} else if (!t->dat && t->r != NULL) {
		const struct td_trace_text_stats *st = td_trace_text_stats(t->r);

		*o = (struct totals){ st->ncpus, st->decoded, st->lost, st->lost_unknown,
		    st->first_ts, st->last_ts, st->malformed, (uint64_t)st->first_malformed,
		    st->types[TD_TEV_IDLE] > 0 || st->types[TD_TEV_SCHED_SWITCH] > 0 };
	}
}

/* Whether the regular file on fd starts with the trace.dat magic. */
static bool
is_dat(int fd)
{
	unsigned char m[TD_TRACE_DAT_MAGIC_LEN];
	struct stat sb;

	return fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    pread(fd, m, sizeof(m), 0) == (ssize_t)sizeof(m) && td_trace_dat_magic(m, sizeof(m));
}

/* Open the file: --trace, else the tree's wakeup trace or trace.dat. */
static int
open_fd(struct trace_priv *t, struct td_error *e)
{
	char where[4096];
	int fd;

	if (t->sysroot != NULL)
		return td_open_root(t->sysroot, t->rel, O_RDONLY | O_CLOEXEC, where, sizeof(where),
		    e);
	if ((fd = open(t->path, O_RDONLY | O_CLOEXEC)) < 0)
		return td_error_set(e, errno, t->path, 0, "%s", strerror(errno));
	return fd;
}

/* A fresh reader at the start of the file; -errno with e filled. */
static int
reader_open(struct trace_priv *t, struct td_error *e)
{
	int fd, r;

	td_trace_text_free(t->r);
	t->r = NULL;
	if (t->f != NULL)
		fclose(t->f);
	t->f = NULL;
	td_trace_dat_free(t->d);
	t->d = NULL;
	t->eof = false;
	if ((fd = open_fd(t, e)) < 0)
		return fd;
	if (t->dat)
		return td_trace_dat_open(fd, t->path, &t->d, e);
	if ((t->f = fdopen(fd, "r")) == NULL) {
		r = td_error_set(e, errno, t->path, 0, "%s", strerror(errno));
		close(fd);
		return r;
	}
	return td_trace_text_new(t->path, &t->r, e);
}

static int
trace_open(struct td_sampler *s, struct td_error *e)
{
	struct trace_priv *t;
	int fd;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	s->priv = t;
	t->s = s;
	t->ncpus = -1;
	t->step = s->opts.trace_step_ns;
	if (s->opts.trace_file != NULL) {
		strlcpy(t->path, s->opts.trace_file, sizeof(t->path));
	} else {
		if (s->live)
			return td_error_set(e, ENOENT, NULL, 0, "no trace file named (--trace)");
		t->rel = TREE_TRACE;
		if (td_root_readable(s->sysroot, TREE_TRACE, NULL) < 0) {
			t->rel = TREE_DAT;
			if (td_root_readable(s->sysroot, TREE_DAT, NULL) < 0)
				return td_error_set(e, ENOENT, NULL, 0, "no wakeup trace in the tree");
		}
		if (td_path(s->sysroot, t->rel, t->path, sizeof(t->path)) < 0)
			return td_error_set(e, ENAMETOOLONG, NULL, 0, "path too long");
		t->sysroot = s->sysroot;
	}
	if ((fd = open_fd(t, e)) < 0)
		return fd;
	t->dat = is_dat(fd);
	close(fd);
	/* Open now, so a bad file is refused before anything is printed. */
	return reader_open(t, e);
}

static int
trace_start(struct td_sampler *s, struct td_error *e)
{
	(void)s;
	(void)e;
	return 0;
}

/* Names for the attribution: the file's function names, the tick's by name. */
static const char *
names_function(void *ctx, uint64_t fn)
{
	const struct trace_priv *t = ctx;

	return t->dat ? td_trace_dat_function_name(t->d, fn) :
	    td_trace_text_function_name(t->r, fn);
}

static const char *
trace_function_name(const struct td_sampler *s, uint64_t fn)
{
	return names_function(s->priv, fn);
}

static struct td_armers *
trace_armers(struct td_sampler *s)
{
	struct trace_priv *t = s->priv;

	return t->a != NULL ? td_attr_armers(t->a) : NULL;
}

static bool
names_is_tick(void *ctx, uint64_t fn)
{
	const char *n = names_function(ctx, fn);

	return td_knames_is_tick_name(n);
}

/* A trace.dat names tasks through its command lines. */
static void
names_task(void *ctx, int pid, struct td_task_info *ti)
{
	const struct trace_priv *t = ctx;
	const char *c;

	/* The file's command lines first, as the live backend puts /proc first. */
	if ((c = td_trace_dat_comm(t->d, pid)) != NULL)
		strlcpy(ti->comm, c, sizeof(ti->comm));
	if (ti->comm[0] != '\0' && ti->task == TD_TASK_UNKNOWN)
		ti->task = TD_TASK_USER;
}

/* Make the attribution for ncpus CPUs. */
static int
attr_make(struct trace_priv *t, int ncpus, struct td_error *e)
{
	struct td_attr_opts ao;

	memset(&ao, 0, sizeof(ao));
	ao.ncpus = ncpus;
	ao.cpus = t->s->have_cpus ? &t->s->cpus : NULL;
	ao.wakeups = true;
	ao.defer_flag = t->dat ? td_trace_dat_deferrable_flag(t->d) :
	    td_trace_text_deferrable_flag(t->r);
	ao.pin_flag = t->dat ? td_trace_dat_pinned_flag(t->d) : td_trace_text_pinned_flag(t->r);
	ao.names = (struct td_attr_names){ .is_tick = names_is_tick,
	    .function = names_function, .task = t->dat ? names_task : NULL, .ctx = t };
	t->ncpus = ncpus;
	return td_attr_new(&ao, &t->a, e);
}

/* Stop the reader after this event. */
static void
reader_stop(struct trace_priv *t)
{
	if (t->dat)
		td_trace_dat_stop(t->d);
	else
		td_trace_text_stop(t->r);
}

/* Keep a copy of an event of the next window. */
static void
keep(struct trace_priv *t, const struct td_tev *ev)
{
	size_t n = ev->namelen < sizeof(t->pname) ? ev->namelen : sizeof(t->pname);
	size_t c = ev->commlen < sizeof(t->pcomm) ? ev->commlen : sizeof(t->pcomm);

	t->pev = *ev;
	if (ev->name != NULL)
		memcpy(t->pname, ev->name, n);
	if (ev->comm != NULL)
		memcpy(t->pcomm, ev->comm, c);
	t->pev.name = ev->name != NULL ? t->pname : NULL;
	t->pev.namelen = n;
	t->pev.comm = ev->comm != NULL ? t->pcomm : NULL;
	t->pev.commlen = c;
	t->pend = true;
}

/* Account one event of the current window. */
static void
account(struct trace_priv *t, const struct td_tev *ev)
{
	td_attr_event(t->a, ev);
	if (t->s->opts.observe != NULL)
		t->s->opts.observe(ev, t->s->opts.observe_arg);
}

/* The readers' callback: an event of this window, or the first of a later one. */
static void
feed(const struct td_tev *ev, void *arg)
{
	struct trace_priv *t = arg;

	if (t->a == NULL) {
		struct totals o;

		totals(t, &o);
		if (t->err < 0 || (t->count_cpus = o.ncpus <= 0)) {
			/* No CPU count in the header: read once to find it. */
			reader_stop(t);
			return;
		}
		if ((t->err = attr_make(t, o.ncpus, t->e)) < 0) {
			reader_stop(t);
			return;
		}
	}
	if (t->step > 0) {
		if (!t->wset) {
			t->wset = true;
			t->wstart = ev->ts;
			t->wend = ev->ts + t->step;
		}
		if (ev->ts >= t->wend) {
			keep(t, ev);
			reader_stop(t);
			return;
		}
	}
	account(t, ev);
}

/* Count nothing: a pass that only learns the highest CPU. */
static void
skip(const struct td_tev *ev, void *arg)
{
	(void)ev;
	(void)arg;
}

/* Read on: 0 at the end, 1 stopped, -errno. */
static int
reader_read(struct trace_priv *t, void (*cb)(const struct td_tev *, void *), struct td_error *e)
{
	if (t->dat)
		return td_trace_dat_read(t->d, cb, t, e);
	return td_trace_text_read(t->r, t->f, cb, t, e);
}

/* A text trace that does not say its CPU count: the highest CPU seen, then again. */
static int
cpus_counted(struct trace_priv *t, struct td_error *e)
{
	int r, n;

	while ((r = reader_read(t, skip, e)) == 1)
		;
	if (r < 0)
		return r;
	n = td_trace_text_stats(t->r)->max_cpu + 1;
	if (n <= 0)
		return td_error_set(e, EINVAL, t->path, 0, "no event of any CPU in the trace");
	if ((r = reader_open(t, e)) < 0)
		return r;
	t->count_cpus = false;
	return attr_make(t, n, e);
}

/* Read the events of the current window (or the whole file). */
static int
read_window(struct trace_priv *t, struct td_error *e)
{
	int r;

	for (;;) {
		if (t->pend) {
			if (t->step > 0 && t->pev.ts >= t->wend)
				return 0;	/* this window has no more events */
			t->pend = false;
			account(t, &t->pev);
		}
		if (t->eof)
			return 0;
		r = reader_read(t, feed, e);
		if (r < 0)
			return r;
		if (t->err < 0)
			return t->err;
		if (t->count_cpus) {
			if ((r = cpus_counted(t, e)) < 0)
				return r;
			continue;
		}
		if (r == 0)
			t->eof = true;
	}
}

/* One sample: the whole file, or the next window of it. */
static int
trace_collect(struct td_sampler *s, struct td_sample *p, struct td_error *e)
{
	struct trace_priv *t = s->priv;
	struct totals o;
	int r;

	p->period_ns = 0;
	t->e = e;
	if (t->done) {
		td_sample_finish(p);
		return 0;
	}
	if ((r = read_window(t, e)) < 0)
		return r;
	totals(t, &o);
	if (t->a == NULL) {
		if (o.malformed > 0)
			return td_error_set(e, EINVAL, t->path, t->dat ? 0 : (long)o.first_bad,
			    t->dat ? "byte %" PRIu64 ": no record matches its event format "
			    "(%" PRIu64 " records)" : "no event line understood (%" PRIu64 " lines)",
			    t->dat ? o.first_bad : o.malformed, o.malformed);
		return td_error_set(e, EINVAL, t->path, 0, "no event of any CPU in the trace");
	}
	t->done = t->eof && !t->pend;
	if ((r = td_attr_collect(t->a, p, e)) < 0)
		return r;
	if (!o.wakeups) {
		/* Nothing to count them by: unknown, not the zeros the attribution made. */
		p->wakeups_known = false;
		for (size_t i = 0; i < p->n; i++)
			p->src[i].known &= ~(unsigned)TD_WS_WAKEUPS;
		snprintf(p->note, sizeof(p->note),
		    "trace: no power:cpu_idle or sched_switch events in the file: wakeups unknown");
	} else if (o.malformed > 0 && t->dat) {
		snprintf(p->note, sizeof(p->note),
		    "trace: %" PRIu64 " records do not match their event format (first at byte %"
		    PRIu64 "): skipped", o.malformed, o.first_bad);
	}
	if (t->step == 0) {
		if (o.last_ts > o.first_ts)
			p->period_ns = o.last_ts - o.first_ts;
	} else if (t->wset) {
		/* The last window ends at the last event. */
		p->period_ns = t->done && o.last_ts < t->wend ?
		    (o.last_ts > t->wstart ? o.last_ts - t->wstart : 0) : t->step;
		t->wstart = t->wend;
		t->wend += t->step;
	}
	{
		/* The tree's /proc/interrupts, if any, describes the vectors. */
		struct td_interrupts *irq = NULL;

		if (t->sysroot != NULL)
			(void)td_interrupts_load(t->sysroot, "/proc/interrupts", &irq, NULL);
		r = td_sampler_describe_vectors(p, irq);
		td_interrupts_free(irq);
		if (r < 0)
			return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	}
	td_sample_finish(p);
	p->lost_known = o.lost_unknown == 0;
	p->lost_events = o.lost - t->lost0;
	p->processed = o.decoded - t->decoded0;
	t->lost0 = o.lost;
	t->decoded0 = o.decoded;
	return 0;
}

static bool
trace_done(const struct td_sampler *s)
{
	const struct trace_priv *t = s->priv;

	return t == NULL || t->done;
}

static void
trace_close(struct td_sampler *s)
{
	struct trace_priv *t = s->priv;

	if (t == NULL)
		return;
	td_attr_free(t->a);
	td_trace_text_free(t->r);
	if (t->f != NULL)
		fclose(t->f);
	td_trace_dat_free(t->d);
	free(t);
	s->priv = NULL;
}

const struct td_sampler_ops td_sampler_trace_ops = {
	.backend = TD_BACKEND_TRACE,
	.open = trace_open,
	.start = trace_start,
	.collect = trace_collect,
	.done = trace_done,
	.function_name = trace_function_name,
	.armers = trace_armers,
	.close = trace_close,
};
