/*
 * Wakeup attribution: decoded trace events in, wakeup sources out.  No I/O:
 * a backend (the live tracefs reader, a trace file reader) feeds the events
 * of each CPU in time order with td_attr_event(), and at the end of each
 * interval td_attr_collect() turns what was counted into a sample, naming
 * callbacks and tasks through the callbacks the backend gives.
 *
 * Two numbers per source, kept apart:
 *   events   its timer expiries, or its interrupts / softirqs, busy or idle;
 *   wakeups  the idle exits it caused.
 *
 * The model of a wakeup.  A wakeup is a CPU leaving idle: one
 * power:cpu_idle event with state 4294967295 (TD_TEV_IDLE_EXIT).  Kernels log
 * the idle period in two orders, and one rule serves both:
 *
 *   x86, arm64 6.1:       cpu_idle N, IRQ entry, its hrtimers, softirqs, EXIT
 *   arm64 6.12 and later: cpu_idle N, EXIT, IRQ entry, its hrtimers, softirqs
 *
 * Per CPU, the cause window opens at the idle entry and closes at the first
 * event in task context (neither hard nor soft interrupt) after the exit, or
 * at the next idle entry.  The cause is the first hard interrupt in the window
 * (device IRQ by its action name, a vector such as LOC or RES, an IPI by its
 * reason), refined by what ran inside it, first of the highest rank:
 *
 *   4  an hrtimer other than the tick's expired (hrtimer_wakeup of a sleeper,
 *      timerfd_tmrproc, ...): credited to the task that armed it;
 *   3  a timer-wheel timer expired in the softirq that followed;
 *   2  the tick's own hrtimer (tick_sched_timer, tick_nohz_handler) expired:
 *      the kernel's tick, whatever task re-armed it;
 *   1  the interrupt itself.
 *
 * An exit whose window holds no interrupt is counted under "unknown cause"
 * (TD_KIND_UNKNOWN): never dropped.  In the old order the window holds the
 * cause before the exit, so the exit settles it at once; in the new order the
 * exit leaves the window open for the interrupt that follows.
 *
 * Some kernels do not trace cpu_idle on every CPU (a CPU that idles through a
 * path without the tracepoint: cpuidle's usage counters rise, the tracepoint
 * stays silent).  Until a CPU has shown a cpu_idle event, its wakeups are also
 * counted the second way (TD_WAKE_IDLE_TASK): every hard interrupt that the
 * idle task (pid 0) takes outside a softirq ends a halt, and a switch out of
 * the idle task with no interrupt since it went idle is a wakeup with no
 * traced cause.  At collect each CPU reports the first way it has.
 *
 * Events still count while the CPU is busy: a timer that expires on a CPU
 * that never idles has events and no wakeups.  Timers are known by their
 * address: the task that armed one (timer_start / hrtimer_start, task
 * context) is its armer until re-armed by another task; armed from interrupt
 * context it is "[hardirq]" / "[softirq]" unless its own callback re-armed it.
 * A cancel is counted only when no expiry or re-arm of the same timer
 * follows at once (the kernel traces a cancel before both).
 *
 * The BPF backend runs this same model in the kernel (src/bpf/tdg.bpf.c) and
 * hands its counts per source and CPU to td_attr_add(), with the idle exits
 * per CPU to td_attr_add_exits(); collect then names and merges them as it
 * does its own.  Those sources also carry the arming site (the caller of the
 * timer API, named through names.function).
 */
#ifndef TD_ATTRIBUTION_H
#define TD_ATTRIBUTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpumask.h"
#include "error.h"
#include "sampler.h"
#include "trace_decode.h"

/* What the backend tells the attribution about a task. */
struct td_task_info {
	char		 comm[32];	/* "" unknown */
	enum td_task	 task;		/* TD_TASK_USER or TD_TASK_KTHREAD; UNKNOWN */
	int		 tgid;		/* -1 unknown */
};

/* The backend's knowledge, asked for at event time (is_tick) and at collect. */
struct td_attr_names {
	/* Whether callback fn is the tick's own hrtimer callback. */
	bool		 (*is_tick)(void *ctx, uint64_t fn);
	/* The name of callback fn, NULL when unknown (the caller shows the address). */
	const char	*(*function)(void *ctx, uint64_t fn);
	/* Fill what is known of task pid (comm already learnt from events is given). */
	void		 (*task)(void *ctx, int pid, struct td_task_info *ti);
	void		*ctx;
	/*
	 * Optional: start loading what task() of pid reads first, then (entry)
	 * the rest; asked some sources ahead at collect, the lookups of
	 * thousands of tasks overlap instead of each waiting for memory.
	 */
	void		 (*prefetch_task)(void *ctx, int pid, bool entry);
};

struct td_attr_opts {
	int			 ncpus;		/* CPUs 0..ncpus-1; events of others are ignored */
	const struct td_cpuset	*cpus;		/* count only these; NULL all */
	uint32_t		 defer_flag;	/* timer_start flags bits; 0 unknown */
	uint32_t		 pin_flag;
	bool			 wakeups;	/* cpu_idle or sched_switch traced: count wakeups */
	bool			 idle_misses;	/* power:cpu_idle_miss traced: count them per CPU */
	struct td_attr_names	 names;
};

struct td_attr;

/* Arming "tasks" that are none (td_attr_count.pid). */
#define TD_ATTR_PID_HARDIRQ	(-2)	/* armed in hard interrupt context */
#define TD_ATTR_PID_SOFTIRQ	(-3)	/* armed in softirq context */
#define TD_ATTR_PID_TICK	(-4)	/* the tick's own timer */

/*
 * A source counted elsewhere by the same model (the BPF backend's kernel
 * maps), on one CPU, keyed as the attribution keys its own.
 */
struct td_attr_count {
	enum td_kind	 kind;
	uint64_t	 fn;		/* timers: callback */
	uint64_t	 site;		/* timers: an address in the arming function; 0 unknown */
	int		 pid;		/* arming thread; -1 unknown; 0 idle; TD_ATTR_PID_* */
	int		 num;		/* idle armer: its CPU; irq: number; softirq: vector; -1 */
	const char	*name;		/* irq action, vector label; NULL */
	int		 cpu;
	uint64_t	 count, arms, expiries, cancels;
	uint64_t	 wakeups[2];	/* idle exits caused: the cpu_idle way, the idle-task way */
	bool		 deferrable, pinned;
};

int td_attr_new(const struct td_attr_opts *o, struct td_attr **out, struct td_error *e);
void td_attr_free(struct td_attr *a);
/* Account one event (per CPU in time order). */
void td_attr_event(struct td_attr *a, const struct td_tev *ev);
/*
 * Who armed each timer and the tasks' names, as the attribution keeps them
 * (up to the last event it was given), for a reader beside it: the tick
 * explanation (tickstop.h: armers_kept).  Valid until td_attr_free.
 */
struct td_armers *td_attr_armers(struct td_attr *a);
/*
 * Start loading what td_attr_event will look up for ev (td_armers_prefetch),
 * for a caller that decodes some events ahead of the one it attributes.
 */
void td_attr_prefetch(const struct td_attr *a, const struct td_tev *ev);
/*
 * Then, some events later (the slots loaded), what they point to: the
 * source a timer's armer counted last, the entry of a task.
 */
void td_attr_prefetch_more(struct td_attr *a, const struct td_tev *ev);
/* Call fn for every timer callback address counted since the last collect. */
void td_attr_each_function(const struct td_attr *a, void (*fn)(uint64_t addr, void *arg),
    void *arg);
/* Add a source counted elsewhere to the interval; -ENOMEM. */
int td_attr_add(struct td_attr *a, const struct td_attr_count *c);
/*
 * Add a CPU's idle exits counted elsewhere (the cpu_idle way, the idle-task
 * way) and whether cpu_idle events / the idle task were seen on it.
 */
void td_attr_add_exits(struct td_attr *a, int cpu, const uint64_t exits[2], bool idle_seen,
    bool task_seen);
/*
 * Turn the interval's counts into p's sources and per-CPU wakeups (names
 * through opts.names), td_sample_finish() it, and start the next interval.
 */
int td_attr_collect(struct td_attr *a, struct td_sample *p, struct td_error *e);

#endif
