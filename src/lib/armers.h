/*
 * Who armed each timer, by its address, and the task names seen in events:
 * the memory the wakeup attribution (attribution.c) and the tick explanation
 * (tickstop.c) share.  No I/O.
 *
 * The task that armed a timer (timer_start / hrtimer_start in task context)
 * is its armer until another task re-arms it.  Armed in interrupt context it
 * is TD_ARMER_HARDIRQ or TD_ARMER_SOFTIRQ, unless its own callback re-armed
 * it (then the first armer stays).
 */
#ifndef TD_ARMERS_H
#define TD_ARMERS_H

#include <stddef.h>
#include <stdint.h>

#include "lru.h"		/* td_hash64 */
#include "sampler.h"
#include "trace_decode.h"

#define TD_ARMER_HARDIRQ	(-2)	/* armed in hard interrupt context */
#define TD_ARMER_SOFTIRQ	(-3)	/* armed in softirq context */

/* One timer's armer. */
struct td_armer {
	uint64_t	 ptr;		/* timer address; 0 = empty slot */
	uint64_t	 fn;		/* callback */
	int		 pid;		/* arming task, or TD_ARMER_* */
	int		 cpu;		/* CPU it was armed on (the first, when the idle task re-arms) */
	enum td_kind	 kind;		/* TD_KIND_TIMER or TD_KIND_HRTIMER */
	int		 armed_on;	/* td_armers_start: CPU of the last start */
	uint32_t	 flags;		/* td_armers_start: its timer flags or hrtimer mode */
	/*
	 * The attribution's source last counted for this timer (its place + 1,
	 * 0 none) and the interval it was counted in: a cache, checked against
	 * the source's identity before use.
	 */
	uint32_t	 src, src_gen;
};

/* The two tables; all zero is an empty, valid set. */
struct td_armers {
	struct td_armer		*map;
	size_t			 map_cap, map_n;
	struct td_tasks		*comms;		/* names learnt from events (tasks.h), NULL until one */
};

/* Free the tables (the struct itself is the caller's). */
void td_armers_free(struct td_armers *t);
/* The armer of the timer at ptr, or NULL. */
struct td_armer *td_armers_find(struct td_armers *t, uint64_t ptr);
/*
 * Remember who armed the timer at ptr (m: its entry if known, else NULL);
 * the entry, or NULL when ptr is 0 or memory ran out.
 */
struct td_armer *td_armers_put(struct td_armers *t, struct td_armer *m, uint64_t ptr,
    uint64_t fn, int pid, int cpu, enum td_kind kind);
/*
 * A timer_start or hrtimer_start: apply the interrupt-context rule above
 * and remember the armer; returns the arming pid (or TD_ARMER_*), *m
 * the entry (NULL when memory ran out).
 */
int td_armers_start(struct td_armers *t, const struct td_tev *ev, struct td_armer **m);
/* Learn the comm of pid from an event (bounded; the newest name wins). */
void td_armers_learn(struct td_armers *t, int pid, const char *name, size_t len);
/* The comm learnt for pid, or NULL. */
const char *td_armers_comm(const struct td_armers *t, int pid);
/*
 * Start loading the table slots event ev will look up: its timer's armer,
 * the task a switch or wakeup names.  At 10,000 tasks each is a cache miss;
 * asked for some events ahead, they overlap.
 */
void td_armers_prefetch(const struct td_armers *t, const struct td_tev *ev);
/* Then, some events later, the entry of the task a switch or wakeup names. */
void td_armers_prefetch_comm(const struct td_armers *t, const struct td_tev *ev);
/* The same two steps for td_armers_comm of pid (entry: the second). */
void td_armers_prefetch_pid(const struct td_armers *t, int pid, bool entry);

#endif
