/*
 * Why the tick keeps running: decoded trace events in (td_tev, per CPU in
 * time order, from the raw decoder or the text trace reader), per-CPU facts
 * out.  No I/O.
 *
 * The model.  The kernel traces timer:tick_stop when a CPU's tick stops
 * (success=1, on every NO_HZ kernel) and, on NO_HZ_FULL kernels, when a
 * dependency keeps it (success=0 with the first dependency bit found:
 * POSIX_TIMER, PERF_EVENTS, SCHED, CLOCK_UNSTABLE, RCU, RCU_EXP).  Per CPU:
 *
 * - tick stops and refusals, the refusals by dependency;
 * - idle entries (power:cpu_idle with a state; on a CPU whose idle is not
 *   traced, a switch to the idle task), each with the tick stopped
 *   (a tick_stop success=1 since the CPU last left the idle task) or kept;
 *   known only when tick_stop is traced (opts.tick_stop_traced);
 * - the timers that expired on the CPU within one tick of an idle entry with
 *   the tick kept (a timer due that soon keeps the tick): callback and
 *   arming task (armers.h); the tick's own hrtimer is among them, the caller
 *   names callbacks and leaves it out;
 * - on nohz_full CPUs, the tasks switched in, and for each the SCHED
 *   refusals met while it ran;
 * - timer migration: wheel timer expiries, pinned or global (by the
 *   timer_start flags; unknown when the pinned bit is unknown or the start
 *   was not seen), global timers armed on another CPU and expired here
 *   (per arming CPU), tmigr_handle_remote_cpu events run here for another
 *   CPU, and how often a timer_migration group's migrator changed (named
 *   per CPU for level 0 groups, whose children are CPUs).
 *
 * - softirqs pending at idle: a vector raised on the CPU (irq:softirq_raise)
 *   and not yet run (no irq:softirq_entry of it since) when the CPU goes idle,
 *   by vector (HI, TIMER, NET_TX, NET_RX, ... RCU).  The kernel clears a
 *   vector's pending bit before its handler runs, so the entry ends it; a
 *   raise during the handler makes it pending again.  Known only when
 *   softirq_raise is traced (opts.softirq_raise_traced, or one was seen).
 *   The kernel also logs them (kmsg_events.h, "NOHZ tick-stop error").
 */
#ifndef TD_TICKSTOP_H
#define TD_TICKSTOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "armers.h"
#include "cpumask.h"
#include "error.h"
#include "sampler.h"
#include "trace_decode.h"

#define TD_TICK_LIST_MAX	64	/* timers or tasks kept per CPU; more are counted apart */
#define TD_TICK_SOFTIRQS	10	/* softirq vectors: HI .. RCU (td_softirq_name) */
#define TD_TIMER_PINNED		0x00100000u	/* timer_start's pinned bit (include/linux/timer.h, 4.8+) */

struct td_tick_opts {
	int			 ncpus;		/* CPUs 0..ncpus-1; others are ignored */
	uint64_t		 tick_ns;	/* one tick (1e9 / HZ); 0: no due timers */
	const struct td_cpuset	*nohz_full;	/* NULL: none known */
	uint32_t		 pin_flag;	/* timer_start's pinned bit; 0 unknown */
	bool			 tick_stop_traced;	/* timer:tick_stop is traced */
	bool			 softirq_raise_traced;	/* irq:softirq_raise is traced */
	/*
	 * Who armed each timer and the tasks' names, kept by the caller from
	 * one explanation to the next (wakeuptop's intervals: learnt once, not
	 * again each interval); NULL: the explanation keeps its own.
	 */
	struct td_armers	*armers;
	/*
	 * armers is kept up to date with every event before this explanation
	 * is given it (the sampler's attribution, td_sampler_armers): read,
	 * never written.  At 3,000 timers, keeping a second copy was a fifth
	 * of wakeuptop's CPU.
	 */
	bool			 armers_kept;
};

/* A timer expired within one tick of an idle entry. */
struct td_tick_timer {
	enum td_kind	 kind;
	uint64_t	 fn;		/* callback address or text key */
	int		 pid;		/* arming task, TD_ARMER_* (armers.h), -1 unknown */
	char		 comm[16];	/* its comm, "" unknown */
	uint64_t	 count;		/* idle entries it was due after (once each) */
	uint64_t	 entry;		/* the last of them (the CPU's idle entry number) */
};

/* A task switched in on a nohz_full CPU. */
struct td_tick_task {
	int		 pid;
	char		 comm[16];
	uint64_t	 runs;		/* times switched in */
	uint64_t	 sched;		/* SCHED refusals while it ran */
};

struct td_tick_cpu {
	uint64_t		 stops;		/* tick_stop success=1 */
	uint64_t		 refusals;	/* tick_stop success=0 */
	uint64_t		 dep[TD_TICK_DEP_NBITS];	/* refusals by dependency bit */
	uint64_t		 dep_other;	/* refusals with no known bit */
	uint64_t		 idle_entries;
	uint64_t		 idle_stopped, idle_kept;	/* tick_stop_traced only */
	uint64_t		 due_entries;	/* kept idle entries with a timer due in a tick */
	struct td_tick_timer	*due;		/* sorted by count, most first (td_tick_finish) */
	size_t			 ndue;
	uint64_t		 due_dropped;	/* past TD_TICK_LIST_MAX */
	bool			 nohz_full;
	struct td_tick_task	*tasks;		/* nohz_full CPUs; sorted by runs */
	size_t			 ntasks;
	uint64_t		 tasks_dropped;
	/* timer migration */
	uint64_t		 pinned_expiries, global_expiries, unknown_expiries;
	uint64_t		 remote_expiries;	/* global timers armed elsewhere, expired here */
	uint64_t		*remote_from;		/* ... by arming CPU (ncpus; NULL: none) */
	uint64_t		 remote_handled;	/* tmigr_handle_remote_cpu run here */
	uint64_t		*handled_for;		/* ... by CPU served (ncpus; NULL: none) */
	uint64_t		 migrator_gained;	/* became a level 0 group's migrator */
	uint64_t		 tmigr_idle, tmigr_active;	/* tmigr_cpu_idle / _active */
	/* softirqs pending at idle (td_tick_softirq_known) */
	uint64_t		 softirq_idle;	/* idle entries with one or more pending */
	uint64_t		 softirq_pending[TD_TICK_SOFTIRQS];	/* ... by vector */
};

struct td_tick;

int td_tick_new(const struct td_tick_opts *o, struct td_tick **out, struct td_error *e);
void td_tick_free(struct td_tick *t);
/* Account one event (per CPU in time order). */
void td_tick_event(struct td_tick *t, const struct td_tev *ev);
/* Sort the per-CPU lists; call once before reading. */
void td_tick_finish(struct td_tick *t);
/* The facts of cpu, or NULL when out of range. */
const struct td_tick_cpu *td_tick_cpu(const struct td_tick *t, int cpu);
int td_tick_ncpus(const struct td_tick *t);
/* Migrator changes seen over all groups. */
uint64_t td_tick_migrator_moves(const struct td_tick *t);
/* Whether softirqs pending at idle are known: softirq_raise traced or seen. */
bool td_tick_softirq_known(const struct td_tick *t);
/* Whether cpu did another CPU's timer work (remote expiries or handle_remote_cpu). */
bool td_tick_did_foreign_work(const struct td_tick *t, int cpu);
/* A dependency bit's name: "POSIX_TIMER", ... "RCU_EXP"; NULL past the last. */
const char *td_tick_dep_name(int bit);
/*
 * c's refusals by dependency ("SCHED 13, RCU 3") and softirqs pending at idle
 * by vector ("NET_RX 3, TIMER 1") into buf; "" when none.  Returns buf.
 */
char *td_tick_deps_format(const struct td_tick_cpu *c, char *buf, size_t len);
char *td_tick_softirqs_format(const struct td_tick_cpu *c, char *buf, size_t len);
/* Who armed a due timer: "wakeload (pid 123)", "[hardirq]", "an unknown task ...". */
const char *td_tick_armer(const struct td_tick_timer *d, char *buf, size_t len);
/*
 * cpu's facts as a JSON object (an array element; the tools' JSON): idle
 * entries, tick stops and refusals by dependency (null when tick_stop is not
 * traced), softirqs pending at idle (null when unknown), the timers due within
 * a tick (function named by name(ctx, fn), or its address), the tasks of a
 * nohz_full CPU, the timer migration figures, and the tool's "cause" (NULL:
 * null, none seen).
 */
struct td_json;
void td_tick_json_cpu(struct td_json *j, const struct td_tick *t, int cpu,
    const char *(*name)(const void *ctx, uint64_t fn), const void *ctx, const char *cause);

/* What the top cause of a CPU's running tick is (td_tick_cause). */
enum td_tick_why {
	TD_TICK_WHY_NONE,		/* nothing seen keeps it */
	TD_TICK_WHY_DEP,		/* a tick-stop dependency (dep = its bit) */
	TD_TICK_WHY_TIMER,		/* a timer due within one tick (timer) */
	TD_TICK_WHY_SOFTIRQ,		/* softirqs pending at idle (vec: the most often) */
	TD_TICK_WHY_FOREIGN,		/* it does other CPUs' timer work */
};

struct td_tick_cause {
	enum td_tick_why		 why;
	int				 dep;		/* TD_TICK_WHY_DEP: the bit number */
	int				 vec;		/* TD_TICK_WHY_SOFTIRQ: the vector */
	uint64_t			 count;		/* refusals, or idle entries */
	uint64_t			 of;		/* out of: refusals, or kept idle entries */
	const struct td_tick_task	*task[3];	/* SCHED: the tasks that ran most */
	int				 ntask;
	const struct td_tick_timer	*timer;		/* TD_TICK_WHY_TIMER */
};

/*
 * The top cause on cpu: the dependency with the most refusals, else the
 * timer due within a tick most often (skipping callbacks for which
 * skip(ctx, fn) is true: the tick's own; skip may be NULL), else the
 * softirq most often pending at idle, else foreign timer work.  After
 * td_tick_finish.
 */
void td_tick_cause(const struct td_tick *t, int cpu, bool (*skip)(const void *ctx, uint64_t fn),
    const void *ctx, struct td_tick_cause *c);

#endif
