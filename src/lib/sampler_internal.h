/* Between the sampler loop (sampler.c) and its backends (sampler_*.c). */
#ifndef TD_SAMPLER_INTERNAL_H
#define TD_SAMPLER_INTERNAL_H

#include <stdbool.h>
#include <time.h>

#include "sampler.h"

struct td_sampler;

/* One backend: each returns 0 or -errno with e filled. */
struct td_sampler_ops {
	enum td_backend	 backend;
	/* Check the backend can run and prepare it; e says why not. */
	int		(*open)(struct td_sampler *s, struct td_error *e);
	int		(*start)(struct td_sampler *s, struct td_error *e);
	int		(*fd)(const struct td_sampler *s);
	int		(*pump)(struct td_sampler *s, struct td_error *e);
	/*
	 * Fill p's sources, lost counts and note for the interval just ended
	 * (p->period_ns is measured already), and td_sample_finish() it.
	 */
	int		(*collect)(struct td_sampler *s, struct td_sample *p, struct td_error *e);
	void		(*stop)(struct td_sampler *s);
	/* File backends: nothing left to read. */
	bool		(*done)(const struct td_sampler *s);
	/* Complete a recording (--record). */
	int		(*finish_record)(struct td_sampler *s, struct td_error *e);
	/* The name of a callback the events carry (td_sampler_function_name); NULL: none. */
	const char	*(*function_name)(const struct td_sampler *s, uint64_t fn);
	/* The attribution's armers (td_sampler_armers); NULL: none. */
	struct td_armers *(*armers)(struct td_sampler *s);
	/* Undo everything open did; must be safe to call twice. */
	void		(*close)(struct td_sampler *s);
};

struct td_sampler {
	struct td_sampler_opts		 opts;
	struct td_cpuset		 cpus;		/* copy of *opts.cpus */
	bool				 have_cpus;
	char				 sysroot[4096];
	bool				 live;
	const struct td_sampler_ops	*ops;
	void				*priv;
	char				 note[256];
	bool				 started;
	bool				 stopped;
	struct timespec			 t0;		/* start of the current interval */
};

extern const struct td_sampler_ops td_sampler_timer_stats_ops;
extern const struct td_sampler_ops td_sampler_tracefs_ops;
extern const struct td_sampler_ops td_sampler_interrupts_ops;
extern const struct td_sampler_ops td_sampler_trace_ops;
extern const struct td_sampler_ops td_sampler_bpf_ops;

struct td_interrupts;
/*
 * Give p's vector sources the description /proc/interrupts has for their
 * label ("LOC": "Local timer interrupts"), and mark the local timer source:
 * the one of the row the parser marked, or without a snapshot (irq NULL) the
 * same choice over the sources.  Every backend calls it.  -ENOMEM.
 */
int td_sampler_describe_vectors(struct td_sample *p, const struct td_interrupts *irq);

/* True when cpu passes the sampler's CPU filter. */
bool td_sampler_cpu_wanted(const struct td_sampler *s, int cpu);

#endif
