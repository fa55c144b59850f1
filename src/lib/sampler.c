/* The sampler: one interval loop over the timer_stats, tracefs or interrupts backend. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "sampler.h"

struct td_sampler {
	struct td_sampler_opts	opts;
	enum td_backend		backend;
	char			note[256];
};

/* Default options: live system, auto backend, all CPUs, all pids. */
void
td_sampler_opts_init(struct td_sampler_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->pid = -1;
}

/* Open a sampler (not yet implemented). */
int
td_sampler_open(struct td_sampler **out, const struct td_sampler_opts *o, struct td_error *e)
{
	(void)o;
	*out = NULL;
	return td_error_set(e, ENOSYS, NULL, 0, "sampler not implemented yet");
}

/* The backend chosen. */
enum td_backend
td_sampler_backend(const struct td_sampler *s)
{
	return s->backend;
}

/* Why that backend. */
const char *
td_sampler_note(const struct td_sampler *s)
{
	return s->note;
}

/* Begin the first interval. */
int
td_sampler_start(struct td_sampler *s, struct td_error *e)
{
	(void)s;
	return td_error_set(e, ENOSYS, NULL, 0, "sampler not implemented yet");
}

/* The fd to poll, -1 when none. */
int
td_sampler_fd(const struct td_sampler *s)
{
	(void)s;
	return -1;
}

/* Drain buffered events. */
int
td_sampler_pump(struct td_sampler *s, struct td_error *e)
{
	(void)s;
	(void)e;
	return 0;
}

/* End the interval and return its sample. */
int
td_sampler_collect(struct td_sampler *s, struct td_sample **out, struct td_error *e)
{
	(void)s;
	*out = NULL;
	return td_error_set(e, ENOSYS, NULL, 0, "sampler not implemented yet");
}

/* Stop tracing. */
void
td_sampler_stop(struct td_sampler *s)
{
	(void)s;
}

/* Close the sampler. */
void
td_sampler_close(struct td_sampler *s)
{
	free(s);
}

/* Emergency cleanup. */
void
td_sampler_cleanup(struct td_sampler *s)
{
	(void)s;
}

/* Remove stale instances. */
int
td_sampler_remove_stale(const char *tracing_dir, struct td_error *e)
{
	(void)tracing_dir;
	(void)e;
	return 0;
}
