/*
 * Measured tick rates: local timer interrupts and TIMER/HRTIMER softirqs per
 * second per CPU, from two /proc/interrupts and /proc/softirqs snapshots.
 */
#ifndef TD_TICKRATE_H
#define TD_TICKRATE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "interrupts.h"
#include "procstat.h"
#include "softirqs.h"
#include "timer_list.h"

/* Which interrupts carry a CPU's tick. */
enum td_tick_source {
	TD_TICK_SOURCE_UNKNOWN,	/* no tick device known: the local and global rows */
	TD_TICK_SOURCE_LOCAL,	/* its own per-CPU device: the local timer row */
	TD_TICK_SOURCE_GLOBAL,	/* a global or broadcast device (hpet, pit): both rows */
};

struct td_cpu_tickrate {
	int	 cpu;
	bool	 has_local;		/* local timer interrupts known on this CPU */
	double	 local_per_s;
	bool	 has_timer;
	double	 timer_softirq_per_s;
	bool	 has_hrtimer;
	double	 hrtimer_softirq_per_s;
	bool	 has_global;		/* global timer rows known on this CPU */
	double	 global_per_s;		/* their sum (IO-APIC timer, hpet, broadcast IPIs) */
	enum td_tick_source source;	/* see td_tickrates_set_sources() */
	char	 source_device[32];	/* the device feeding a global source, "" if unknown */
	bool	 has_tick;		/* tick_per_s known: false for a CPU fed by a
					   global device that has no row of its own */
	double	 tick_per_s;		/* interrupts that carried its tick */
	bool	 has_idle;		/* idle share from /proc/stat, when given */
	double	 idle_share;		/* 0..1 of the period */
};

struct td_tickrates {
	double			 period_s;
	char			 local_row[96];	/* "LOC (Local timer interrupts)", "" if none */
	char			 why_no_local[160];
	char			 global_rows[96];	/* "0 (timer)", "" if none */
	size_t			 ncpus;
	struct td_cpu_tickrate	*cpus;		/* ascending CPU numbers */
};

/*
 * Rates over period_s seconds between snapshots a and b (either softirq snapshot may be
 * NULL), on their deltas (td_interrupts_delta, td_softirqs_delta): CPUs matched by
 * number, rows by identity, a 32-bit counter wrap corrected.  The local timer row is
 * the one the parser marked.  0, -EINVAL (period <= 0), -ENOMEM.
 */
int td_tickrates_compute(const struct td_interrupts *a, const struct td_interrupts *b,
    const struct td_softirqs *sa, const struct td_softirqs *sb, double period_s,
    struct td_tickrates **out, struct td_error *e);
/*
 * Which interrupts carry each CPU's tick, from timer_list's tick devices (tl may be
 * NULL): a CPU whose per-CPU device is global (hpet, pit, arch_mem_timer, a broadcast
 * handler) or that is in a tick_broadcast mask takes its tick from the global rows
 * as well as the local row; a CPU with its own device from the local row; a CPU
 * without a known device from both.  Fills source, source_device and tick_per_s.
 */
void td_tickrates_set_sources(struct td_tickrates *r, const struct td_timer_list *tl);
/* Per-CPU idle share over the period from two /proc/stat snapshots (either may be NULL). */
int td_tickrates_add_idle(struct td_tickrates *r, const struct td_procstat *a,
    const struct td_procstat *b);
void td_tickrates_free(struct td_tickrates *r);

#endif
