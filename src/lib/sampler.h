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
#include "trace_decode.h"
#include "error.h"
#include "table.h"

enum td_backend {
	TD_BACKEND_AUTO = 0,		/* open: choose timer_stats, bpf, tracefs, interrupts in turn */
	TD_BACKEND_TIMER_STATS,
	TD_BACKEND_TRACEFS,
	TD_BACKEND_INTERRUPTS,
	TD_BACKEND_TRACE,		/* a text trace: --trace FILE, or a tree's wakeup trace */
	TD_BACKEND_BPF,			/* BPF programs counting in kernel maps (root or
					   CAP_BPF + CAP_PERFMON, kernel BTF) */
};

/* What woke the CPU. */
enum td_kind {
	TD_KIND_TIMER,			/* timer_list timer (jiffies wheel) */
	TD_KIND_HRTIMER,
	TD_KIND_IRQ,			/* device interrupt (irq_handler_entry / numbered IRQ row) */
	TD_KIND_VECTOR,			/* architecture vector: LOC, RES, CAL, TLB, ... */
	TD_KIND_SOFTIRQ,
	TD_KIND_UNKNOWN,		/* an idle exit with no traced cause (wakeups only) */
};

/* Who armed the timer (tracefs and timer_stats), for naming idle and kernel threads. */
enum td_task {
	TD_TASK_UNKNOWN = 0,		/* not known (armed before sampling, or interrupts backend) */
	TD_TASK_USER,			/* a user process */
	TD_TASK_KTHREAD,		/* a kernel thread */
	TD_TASK_IDLE,			/* pid 0, the idle task (swapper/N) */
	TD_TASK_IRQ,			/* armed in interrupt context (no task): comm "[hardirq]" or "[softirq]" */
	TD_TASK_TICK,			/* the kernel's own tick timer: comm "[tick]" */
};

/* How sources are keyed for display (td_sample_group). */
enum td_group {
	TD_GROUP_THREAD = 0,		/* each arming thread apart (the sampler's own key) */
	TD_GROUP_PROCESS,		/* all threads of a process (tgid) in one row */
	TD_GROUP_COMM,			/* every task of one command name in one row */
};

/* How a CPU's wakeups (idle exits) were counted. */
enum td_wake_method {
	TD_WAKE_UNKNOWN = 0,		/* not counted: no way to tell */
	TD_WAKE_IDLE_EVENT,		/* power:cpu_idle exits, each attributed to its cause */
	TD_WAKE_IDLE_TASK,		/* the kernel traces no cpu_idle here: interrupts taken
					   by the idle task, and switches out of it */
	TD_WAKE_CPUIDLE_USAGE,		/* cpuidle state usage deltas (entries; no causes) */
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
#define TD_WS_WAKEUPS		0x200	/* wakeups (and wakeups_per_cpu) counted */
#define TD_WS_TGID		0x400	/* tgid known */

struct td_strpool;

/*
 * One wakeup source over one interval.  Identity (the key for deltas and for
 * merging): kind + function + site + pid + comm (+ irq for kind irq).
 */
struct td_wsource {
	enum td_kind	 kind;
	/* The sample's names (td_sample_str): equal names are one pointer. */
	const char	*function;	/* expire callback, IRQ action name, vector or softirq name */
	const char	*site;		/* arming function (timer_stats start column); NULL if unknown */
	char		*desc;		/* vectors: what /proc/interrupts says it is ("Local timer
					   interrupts"); NULL otherwise */
	int		 pid;		/* arming task (thread id); -1 unknown or several */
	int		 tgid;		/* its process (TD_WS_TGID); -1 unknown */
	unsigned	 ntasks;	/* tasks folded into this row by td_sample_group (0: none) */
	char		 comm[32];	/* arming task's comm ("" unknown) */
	enum td_task	 task;
	int		 irq;		/* kind irq: IRQ number, else -1 */
	unsigned	 known;		/* TD_WS_* */
	bool		 deferrable;
	bool		 pinned;
	bool		 local_timer;	/* the local timer (the backend marks it) */
	uint64_t	 count;		/* events: expiries for timers, interrupts otherwise */
	uint64_t	 wakeups;	/* idle exits it caused (TD_WS_WAKEUPS) */
	uint64_t	 arms;		/* starts seen (TD_WS_ARMS) */
	uint64_t	 expiries;	/* TD_WS_EXPIRIES */
	uint64_t	 cancels;	/* TD_WS_CANCELS */
	double		 rate;		/* count per second over the sample's period */
	double		 wakeup_rate;	/* wakeups per second (TD_WS_WAKEUPS and TD_WS_RATE) */
	/*
	 * The CPUs of per_cpu and wakeups_per_cpu: from cpu0 to one before
	 * ncpus (ncpus - cpu0 entries, the first one CPU cpu0's).  A source
	 * seen on few CPUs of a big machine holds only those between.
	 */
	int		 cpu0;
	int		 ncpus;
	uint64_t	*per_cpu;	/* count per CPU (TD_WS_CPU); NULL otherwise */
	uint64_t	*wakeups_per_cpu; /* wakeups per CPU (TD_WS_WAKEUPS); NULL otherwise */
};

/* One interval's worth of wakeup sources. */
struct td_sample {
	enum td_backend		 backend;
	uint64_t		 period_ns;	/* length of the interval; 0 unknown */
	uint64_t		 total_events;	/* sum of counts (timer_stats: its total line) */
	/*
	 * Wakeups: idle exits per CPU (ncpus entries; NULL when no CPU's are
	 * known), how each CPU's were counted, and their sum over the CPUs
	 * counted.  wakeups_known is false when no CPU could be counted.
	 */
	bool			 wakeups_known;
	uint64_t		 total_wakeups;
	/*
	 * The first and last event's time (trace clock, ns); 0 when not traced
	 * (and from the BPF backend, whose kernel maps keep no times).
	 */
	uint64_t		 first_ts, last_ts;
	int			 ncpus;
	uint64_t		*cpu_wakeups;
	unsigned char		*cpu_wake_method;	/* enum td_wake_method per CPU */
	/*
	 * power:cpu_idle_miss per CPU (idle states the governor chose that
	 * ended off their target residency); NULL when not traced.
	 */
	uint64_t		*cpu_idle_misses;
	bool			 lost_known;	/* false: the backend cannot tell (absent, not 0) */
	uint64_t		 lost_events;	/* events the kernel dropped (ring buffer overrun) */
	uint64_t		 processed;	/* raw events decoded (tracefs), for the benchmark */
	uint64_t		 overflow;	/* timer_stats "Overflow: N entries"; 0 if none */
	bool			 interrupted;	/* ended early (Ctrl-C) */
	char			 note[256];	/* what this backend cannot see, "" if nothing */
	size_t			 n;
	struct td_wsource	*src;
	struct td_strpool	*names;		/* its sources' function and site names */
};

struct td_sampler_opts {
	const char		*sysroot;	/* NULL or "/" for the live system */
	enum td_backend		 backend;	/* TD_BACKEND_AUTO or forced */
	const struct td_cpuset	*cpus;		/* count only these CPUs; NULL = all */
	int			 pid;		/* only sources armed by this process (tgid); -1 = all */
	int			 tid;		/* only sources armed by this thread; -1 = all */
	unsigned		 buffer_kb;	/* tracefs per-CPU buffer size; 0 = default (8192) */
	/*
	 * The whole run's planned length (interval times count), 0 when not
	 * bounded: tracefs sizes its default buffer for what such a run can fill.
	 */
	uint64_t		 run_ns;
	unsigned		 bpf_map_entries; /* bpf: sources per interval map; 0 = default (8192, fewer past 224 CPUs) */
	const char		*timer_stats_file; /* read this saved copy instead of /proc (one shot) */
	const char		*trace_file;	/* read this trace: text or trace.dat */
	/*
	 * Trace backend: each collect takes the next trace_step_ns of the
	 * trace's own timestamps (from its first event); 0: the whole file is
	 * one sample.  td_sampler_done() says when the trace is read to its end.
	 */
	uint64_t		 trace_step_ns;
	/*
	 * Tracefs backend: write every sub-buffer read, with the event formats,
	 * kallsyms and command lines, to this trace.dat (trace-cmd's format,
	 * version 6), completed by td_sampler_finish_record().  NULL: none.
	 */
	const char		*record_file;
	/*
	 * Called with every decoded event, after the attribution has seen it
	 * (tracefs and trace backends; per CPU in time order), for analyses
	 * beside the wakeup table.  NULL: none.  The event's strings are valid
	 * during the call only.  The BPF backend counts in the kernel and has
	 * no events to show: it never calls the observer.
	 */
	void			(*observe)(const struct td_tev *ev, void *arg);
	void			*observe_arg;
	/*
	 * Events beyond the sample's (tracefs backend), TD_SAMPLER_EV_*, for
	 * the observer; the ones this kernel lacks are left out.  0: none.
	 */
	unsigned		 extra_events;
	/*
	 * tracefs: the instance's trace_clock ("mono" gives event times on
	 * CLOCK_MONOTONIC); NULL leaves the kernel's default ("local").
	 */
	const char		*trace_clock;
};

/*
 * td_sampler_opts.extra_events: timer:tick_stop, timer:timer_base_idle,
 * irq:softirq_raise, timer_migration:*.  Not sched_wakeup: the tick
 * explanation took only task names from it, which the switches and the
 * arming events give (at 3,000 sources, a sixth of wakeuptop's CPU).
 */
#define TD_SAMPLER_EV_TICK	0x1

struct td_sampler;

/* Default options: live system, auto backend, all CPUs, all pids. */
void td_sampler_opts_init(struct td_sampler_opts *o);
/*
 * Open a sampler: choose (or check the forced) backend and prepare it (tracefs:
 * mount if needed, remove stale instances of dead pids, create the private
 * instance, enable the events, filter out our own pid).  Fails (-errno, e filled)
 * only when a forced backend is unusable or nothing at all works.  The tracefs
 * backend holds a file per CPU and the bpf one one per program, link and map:
 * either raises the process's soft RLIMIT_NOFILE (up to the hard limit) when
 * that is less than it needs and TD_FD_SPARE more (fdroom.h).
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
/* Whether a file backend has nothing left to read (trace: the end of the trace). */
bool td_sampler_done(const struct td_sampler *s);
/*
 * Complete the --record file with what the samples saw (call after the last
 * collect; the tracefs backend).  0 when nothing is recorded.
 */
int td_sampler_finish_record(struct td_sampler *s, struct td_error *e);
/* Stop tracing (events stay counted until collect). Idempotent. */
void td_sampler_stop(struct td_sampler *s);
/* Stop, remove the instance, unmount tracefs if we mounted it, restore timer_stats. NULL ok. */
void td_sampler_close(struct td_sampler *s);
/*
 * Emergency cleanup usable from an atexit handler or after a fatal signal was
 * caught by the caller: removes the instance and unmounts what was mounted.
 */
void td_sampler_cleanup(struct td_sampler *s);

/*
 * The name of a callback address (or a text trace's key) the events handed
 * to the observer carry: the tracefs backend's kernel symbols, the trace
 * backend's file; NULL when unknown (or another backend).  Valid until the
 * next collect.
 */
const char *td_sampler_function_name(const struct td_sampler *s, uint64_t fn);
/*
 * Who armed each timer and the tasks' names, as the attribution of the
 * tracefs and trace backends keeps them: up to date with each event before
 * the observer is given it, so that an observer reads them instead of
 * keeping its own (tickstop.h: armers_kept); NULL for the other backends.
 * Valid until td_sampler_close.
 */
struct td_armers;
struct td_armers *td_sampler_armers(struct td_sampler *s);
/*
 * Whether the kernel under sysroot (a capture keeps its event formats) has
 * the trace event sys/name: its tracefs format file exists.
 */
bool td_sampler_has_event(const char *sysroot, const char *sys, const char *name);

/* Remove instances timerdiag-PID whose PID is dead under a tracing dir; returns how many. */
int td_sampler_remove_stale(const char *tracing_dir, struct td_error *e);

void td_sample_free(struct td_sample *p);
/* A deep copy of p (for keeping the previous interval); -ENOMEM. */
int td_sample_dup(const struct td_sample *p, struct td_sample **out);
/* Append a zeroed source to p (which owns it); NULL on ENOMEM. */
struct td_wsource *td_sample_add(struct td_sample *p);
/*
 * A source's function or site name s, kept by p (one copy of each name, so
 * that sorting thousands of sources of one callback compares pointers, not
 * strings); NULL on ENOMEM.
 */
const char *td_sample_str(struct td_sample *p, const char *s);
/* Merge sources with equal identity (summing counters) and fill rate from period_ns. */
void td_sample_finish(struct td_sample *p);
/*
 * Key p's sources by process or command name instead of thread (merging the
 * rows that become equal; ntasks counts the tasks folded).  TD_GROUP_THREAD
 * leaves p as it is.  -ENOMEM leaves p whole but ungrouped.
 */
int td_sample_group(struct td_sample *p, enum td_group g);
/*
 * Keep the sources keep(w, arg) says yes to (called on each in order; it may
 * change w's counters), free the others, and td_sample_finish() p.
 */
void td_sample_keep(struct td_sample *p, bool (*keep)(struct td_wsource *w, void *arg),
    void *arg);
/* Keep only the sources armed by process tgid (pid >= 0) or thread tid (tid >= 0). */
void td_sample_filter_task(struct td_sample *p, int pid, int tid);
/* Group names: "thread", "process", "comm"; parse -EINVAL when unknown. */
const char *td_group_name(enum td_group g);
int td_group_parse(const char *name, enum td_group *out);
/* "cpu_idle", "idle_task", "cpuidle_usage", "unknown". */
const char *td_wake_method_name(enum td_wake_method m);
/* Why p's wakeups are unknown (when !p->wakeups_known): a phrase naming what is missing. */
const char *td_sample_wakeups_why(const struct td_sample *p);
/*
 * p's wakeups as members of the JSON object being written: "wakeups" (the
 * total; null and "wakeups_unknown" with the reason when unknown),
 * "wakeups_per_s", and "cpu_wakeups": one object per CPU counted with its
 * "cpu", "wakeups" and "method" (td_wake_method_name).
 */
void td_sample_json_wakeups(struct td_json *j, const struct td_sample *p);
/*
 * Subtract prev's counters from cur's, source by source matched by identity
 * (both finished); a counter that went backwards (reset) counts from zero.
 * Sources left with no count are dropped; rates are recomputed.
 */
void td_sample_delta(struct td_sample *cur, const struct td_sample *prev);

/*
 * Names: "timer", "hrtimer", "irq", "vector", "softirq", "unknown"; "timer_stats",
 * "tracefs", "interrupts", "trace", "bpf".
 */
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
