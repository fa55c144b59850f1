/* The timer_stats backend: /proc/timer_stats (Linux 2.6.21 - 4.10) or a saved copy. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "sampler_internal.h"
#include "source.h"
#include "timer_stats.h"

struct ts_priv {
	char			 path[4096];
	bool			 saved;		/* a saved copy or a captured tree: read only */
	bool			 we_started;	/* we wrote 1: write 0 when done */
	struct td_sample	*prev;		/* cumulative counts at the last read */
	bool			 have_head;
	struct td_timer_stats	 head;		/* a saved copy's header lines (n 0) */
};

/* Read and parse the file into a (cumulative) sample. */
static int
read_sample(struct td_sampler *s, struct td_sample **out, uint64_t *period,
    struct td_timer_stats **tsout, struct td_error *e)
{
	struct ts_priv *t = s->priv;
	struct td_timer_stats *ts;
	struct td_buf b;
	int r;

	if (s->opts.timer_stats_file != NULL)
		r = td_read_file(t->path, 64 << 20, &b, e);
	else	/* under a sysroot, inside the tree */
		r = td_read_root_at(s->sysroot, "/proc/timer_stats", 64 << 20, &b, t->path,
		    sizeof(t->path), e);
	if (r < 0)
		return r;
	r = td_timer_stats_parse(b.data, b.len, t->path, &ts, e);
	td_buf_free(&b);
	if (r < 0)
		return r;
	if ((r = td_timer_stats_to_sample(ts, out, e)) < 0) {
		td_timer_stats_free(ts);
		return r;
	}
	if (period != NULL)
		*period = ts->have_period ? ts->period_ns : 0;
	if (t->saved) {
		t->head = *ts;
		t->head.n = 0;
		t->head.entries = NULL;
		t->have_head = true;
	}
	if (tsout != NULL)
		*tsout = ts;
	else
		td_timer_stats_free(ts);
	return 0;
}

/* Write "0" or "1" to the live file. */
static int
write_state(struct ts_priv *t, const char *v, struct td_error *e)
{
	int fd = open(t->path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return td_error_set(e, errno, t->path, 0, "%s", strerror(errno));
	if (write(fd, v, 1) != 1) {
		int err = errno;

		close(fd);
		return td_error_set(e, err, t->path, 0, "%s", strerror(err));
	}
	close(fd);
	return 0;
}

/* Check for /proc/timer_stats (or the saved copy) and that we may use it. */
static int
ts_open(struct td_sampler *s, struct td_error *e)
{
	struct ts_priv *t;
	int r;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	s->priv = t;
	if (s->opts.timer_stats_file != NULL) {
		strlcpy(t->path, s->opts.timer_stats_file, sizeof(t->path));
		t->saved = true;
	} else {
		if ((r = td_path(s->sysroot, "/proc/timer_stats", t->path, sizeof(t->path))) < 0)
			return td_error_set(e, -r, NULL, 0, "sysroot path too long");
		t->saved = !s->live;
	}
	if (s->opts.timer_stats_file != NULL)
		r = access(t->path, R_OK) != 0 ?
		    td_error_set(e, errno, t->path, 0, "%s", strerror(errno)) : 0;
	else	/* e names the file, a link out of the tree, or a FIFO there */
		r = td_root_readable(s->sysroot, "/proc/timer_stats", e);
	if (r == -ENOENT && !t->saved)
		return td_error_set(e, ENOENT, t->path, 0,
		    "no /proc/timer_stats (removed in Linux 4.11)");
	if (r < 0)
		return r;
	if (!t->saved && access(t->path, W_OK) != 0)
		return td_error_set(e, errno, t->path, 0, "/proc/timer_stats needs root");
	return 0;
}

/* Begin collecting: write 1 unless someone else's collection is running. */
static int
ts_start(struct td_sampler *s, struct td_error *e)
{
	struct ts_priv *t = s->priv;
	struct td_timer_stats *ts = NULL;
	int r;

	if (t->saved)
		return 0;
	/* Note the state: v0.3 says whether collection is active. */
	if ((r = read_sample(s, &t->prev, NULL, &ts, e)) < 0)
		return r;
	if (ts->collection != 1) {
		td_timer_stats_free(ts);
		td_sample_free(t->prev);
		t->prev = NULL;
		if ((r = write_state(t, "1", e)) < 0)
			return r;
		t->we_started = true;
		return 0;
	}
	td_timer_stats_free(ts);
	return 0;
}

/* Read the counts and subtract the previous read, by identity. */
static int
ts_collect(struct td_sampler *s, struct td_sample *p, struct td_error *e)
{
	struct ts_priv *t = s->priv;
	struct td_sample *cur;
	uint64_t period, file_total;
	int r;

	if ((r = read_sample(s, &cur, &period, NULL, e)) < 0)
		return r;
	file_total = cur->total_events;
	p->lost_known = cur->lost_known;
	p->lost_events = cur->overflow;
	p->overflow = cur->overflow;
	if (t->saved) {
		/* A saved copy: its own period and counts as they are. */
		p->period_ns = period;
	} else {
		struct td_sample *keep;

		if (t->prev != NULL) {
			p->lost_events = cur->overflow >= t->prev->overflow ?
			    cur->overflow - t->prev->overflow : cur->overflow;
		}
		/* Keep the cumulative copy for the next delta. */
		if ((r = td_sample_dup(cur, &keep)) < 0) {
			td_sample_free(cur);
			return td_error_set(e, -r, NULL, 0, "out of memory");
		}
		td_sample_delta(cur, t->prev);
		td_sample_free(t->prev);
		t->prev = keep;
	}
	snprintf(p->note, sizeof(p->note),
	    "timer_stats: timers only (no interrupts or softirqs), no CPU, no cancels");
	/* Hand the sources, and the names they point to, over to p (new: none of its own). */
	p->src = cur->src;
	p->n = cur->n;
	p->names = cur->names;
	cur->src = NULL;
	cur->n = 0;
	cur->names = NULL;
	td_sample_free(cur);
	/* Only sources armed by the pid asked for, and the CPU filter cannot apply. */
	if (s->opts.pid >= 0) {
		size_t out = 0;

		for (size_t i = 0; i < p->n; i++) {
			if (p->src[i].pid == s->opts.pid) {
				p->src[out++] = p->src[i];
			} else {
				free(p->src[i].per_cpu);
			}
		}
		p->n = out;
	}
	td_sample_finish(p);
	/* A saved copy: the kernel's own total counts entries the file elides. */
	if (t->saved && s->opts.pid < 0 && file_total > p->total_events)
		p->total_events = file_total;
	return 0;
}

/* Return timer_stats to the state we found it in. */
static void
ts_close(struct td_sampler *s)
{
	struct ts_priv *t = s->priv;

	if (t == NULL)
		return;
	if (t->we_started)
		(void)write_state(t, "0", NULL);
	t->we_started = false;
	td_sample_free(t->prev);
	free(t);
	s->priv = NULL;
}

/* The header of the saved copy read last; NULL for other backends or the live file. */
const struct td_timer_stats *
td_sampler_timer_stats_file(const struct td_sampler *s)
{
	const struct ts_priv *t;

	if (s == NULL || s->ops != &td_sampler_timer_stats_ops)
		return NULL;
	t = s->priv;
	return t != NULL && t->have_head ? &t->head : NULL;
}

const struct td_sampler_ops td_sampler_timer_stats_ops = {
	.backend = TD_BACKEND_TIMER_STATS,
	.open = ts_open,
	.start = ts_start,
	.collect = ts_collect,
	.close = ts_close,
};
