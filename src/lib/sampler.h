/*
 * The sampler: one loop that counts what wakes the machine over an interval,
 * shared by timerstat and wakeuptop.  Three backends: /proc/timer_stats (kernels
 * up to 4.10), a private tracefs instance read through libtracefs (as root),
 * and /proc/interrupts + /proc/softirqs deltas (anyone, anywhere).
 *
 * Use:
 *	td_sampler_open(&s, &opts, &e);		picks the backend, says why
 *	td_sampler_start(s, &e);		begins the first interval
 *	loop: poll td_sampler_fd(s) (call td_sampler_pump() when readable) and
 *	      your own timerfd/signalfd; at the end of each interval
 *	      td_sampler_collect(s, &sample, &e), which also begins the next one
 *	td_sampler_close(s);			stops, removes the instance, restores
 */
#ifndef TD_SAMPLER_H
#define TD_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpumask.h"
#include "error.h"
#include "table.h"

enum td_backend {
	TD_BACKEND_AUTO = 0,		/* open: choose timer_stats, tracefs, interrupts in turn */
	TD_BACKEND_TIMER_STATS,
	TD_BACKEND_TRACEFS,
	TD_BACKEND_INTERRUPTS,
};

/* What woke the CPU. */
enum td_kind {
	TD_KIND_TIMER,			/* timer_list timer (jiffies wheel) */
	TD_KIND_HRTIMER,
	TD_KIND_IRQ,			/* device interrupt (irq_handler_entry / numbered IRQ row) */
	TD_KIND_VECTOR,			/* architecture vector: LOC, RES, CAL, TLB, ... */
	TD_KIND_SOFTIRQ,
};

/* Who armed the timer (tracefs and timer_stats), for naming idle and kernel threads. */
enum td_task {
	TD_TASK_UNKNOWN = 0,		/* not known (armed before sampling, or interrupts backend) */
	TD_TASK_USER,			/* a user process */
	TD_TASK_KTHREAD,		/* a kernel thread */
	TD_TASK_IDLE,			/* pid 0, the idle task (swapper/N) */
	TD_TASK_IRQ,			/* armed in interrupt context (no task): comm "[hardirq]" or "[softirq]" */
};

/* Bits of td_wsource.known: which of the optional fields the backend knows. */
#define TD_WS_PID		0x001	/* pid, comm, task */
#define TD_WS_SITE		0x002	/* site (the arming function) */
#define TD_WS_ARMS		0x004
#define TD_WS_EXPIRIES		0x008
#define TD_WS_CANCELS		0x010
#define TD_WS_DEFERRABLE	0x020	/* deferrable (known false as well as true) */
#define TD_WS_PINNED		0x040
#define TD_WS_CPU		0x080	/* per_cpu[] filled */
#define TD_WS_RATE		0x100	/* rate known (the period is known) */

/*
 * One wakeup source over one interval.  Identity (the key for deltas and for
 * merging): kind + function + site + pid + comm (+ irq for kind irq).
 */
struct td_wsource {
	enum td_kind	 kind;
	char		*function;	/* expire callback, IRQ action name, vector or softirq name */
	char		*site;		/* arming function (timer_stats start column); NULL if unknown */
	int		 pid;		/* arming task; -1 unknown */
	char		 comm[32];	/* arming task's comm ("" unknown) */
	enum td_task	 task;
	int		 irq;		/* kind irq: IRQ number, else -1 */
	unsigned	 known;		/* TD_WS_* */
	bool		 deferrable;
	bool		 pinned;
	uint64_t	 count;		/* wakeups: expiries for timers, interrupts otherwise */
	uint64_t	 arms;		/* starts seen (TD_WS_ARMS) */
	uint64_t	 expiries;	/* TD_WS_EXPIRIES */
	uint64_t	 cancels;	/* TD_WS_CANCELS */
	double		 rate;		/* count per second over the sample's period */
	int		 ncpus;		/* length of per_cpu */
	uint64_t	*per_cpu;	/* count per CPU (TD_WS_CPU); NULL otherwise */
};

/* One interval's worth of wakeup sources. */
struct td_sample {
	enum td_backend		 backend;
	uint64_t		 period_ns;	/* length of the interval; 0 unknown */
	uint64_t		 total_events;	/* sum of counts (timer_stats: its total line) */
	bool			 lost_known;	/* false: the backend cannot tell (absent, not 0) */
	uint64_t		 lost_events;	/* events the kernel dropped (ring buffer overrun) */
	uint64_t		 processed;	/* raw events decoded (tracefs), for the benchmark */
	uint64_t		 overflow;	/* timer_stats "Overflow: N entries"; 0 if none */
	bool			 interrupted;	/* ended early (Ctrl-C) */
	char			 note[256];	/* what this backend cannot see, "" if nothing */
	size_t			 n;
	struct td_wsource	*src;
};

struct td_sampler_opts {
	const char		*sysroot;	/* NULL or "/" for the live system */
	enum td_backend		 backend;	/* TD_BACKEND_AUTO or forced */
	const struct td_cpuset	*cpus;		/* count only these CPUs; NULL = all */
	int			 pid;		/* only sources armed by this pid; -1 = all */
	unsigned		 buffer_kb;	/* tracefs per-CPU buffer size; 0 = default (8192) */
	const char		*timer_stats_file; /* read this saved copy instead of /proc (one shot) */
};

struct td_sampler;

/* Default options: live system, auto backend, all CPUs, all pids. */
void td_sampler_opts_init(struct td_sampler_opts *o);
/*
 * Open a sampler: choose (or check the forced) backend and prepare it (tracefs:
 * mount if needed, remove stale instances of dead pids, create the private
 * instance, enable the events, filter out our own pid).  Fails (-errno, e filled)
 * only when a forced backend is unusable or nothing at all works.
 */
int td_sampler_open(struct td_sampler **out, const struct td_sampler_opts *o, struct td_error *e);
/* The backend chosen. */
enum td_backend td_sampler_backend(const struct td_sampler *s);
/* Why that backend, e.g. "interrupts: /sys/kernel/tracing needs root"; "" when the first choice. */
const char *td_sampler_note(const struct td_sampler *s);
/* Begin the first interval (tracefs: tracing_on in the instance; timer_stats: write 1). */
int td_sampler_start(struct td_sampler *s, struct td_error *e);
/*
 * An fd to poll for POLLIN while an interval runs; when readable call
 * td_sampler_pump().  -1 when the backend needs no pumping (then just sleep).
 */
int td_sampler_fd(const struct td_sampler *s);
/* Drain what the kernel buffered so far (no-op for the file backends). */
int td_sampler_pump(struct td_sampler *s, struct td_error *e);
/*
 * End the current interval: drain, aggregate, and hand back its snapshot (caller
 * frees with td_sample_free); the next interval starts at once.
 */
int td_sampler_collect(struct td_sampler *s, struct td_sample **out, struct td_error *e);
/* Stop tracing (events stay counted until collect). Idempotent. */
void td_sampler_stop(struct td_sampler *s);
/* Stop, remove the instance, unmount tracefs if we mounted it, restore timer_stats. NULL ok. */
void td_sampler_close(struct td_sampler *s);
/*
 * Emergency cleanup usable from an atexit handler or after a fatal signal was
 * caught by the caller: removes the instance and unmounts what was mounted.
 */
void td_sampler_cleanup(struct td_sampler *s);

/* Remove instances timerdiag-PID whose PID is dead under a tracing dir; returns how many. */
int td_sampler_remove_stale(const char *tracing_dir, struct td_error *e);

void td_sample_free(struct td_sample *p);
/* A deep copy of p (for keeping the previous interval); -ENOMEM. */
int td_sample_dup(const struct td_sample *p, struct td_sample **out);
/* Append a zeroed source to p (which owns it); NULL on ENOMEM. */
struct td_wsource *td_sample_add(struct td_sample *p);
/* Merge sources with equal identity (summing counters) and fill rate from period_ns. */
void td_sample_finish(struct td_sample *p);
/*
 * Subtract prev's counters from cur's, source by source matched by identity
 * (both finished); a counter that went backwards (reset) counts from zero.
 * Sources left with no count are dropped; rates are recomputed.
 */
void td_sample_delta(struct td_sample *cur, const struct td_sample *prev);

/* Names: "timer", "hrtimer", "irq", "vector", "softirq"; "timer_stats", "tracefs", "interrupts". */
const char *td_kind_name(enum td_kind k);
const char *td_backend_name(enum td_backend b);
/* Parse a backend name ("auto" too); -EINVAL when unknown. */
int td_backend_parse(const char *name, enum td_backend *out);
const char *td_task_name(enum td_task t);

/*
 * The columns of a wakeup source table (rows are const struct td_wsource *):
 * count, rate, cpu, pid, comm, function, site, kind, flags, arms, expiries,
 * cancels, deferrable, task.  Shared by timerstat and wakeuptop.
 */
extern const struct td_column td_wsource_columns[];
extern const size_t td_wsource_ncolumns;

#endif
