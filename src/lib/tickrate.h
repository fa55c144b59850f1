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
#include "softirqs.h"

struct td_cpu_tickrate {
	int	 cpu;
	bool	 has_local;		/* local timer interrupts known on this CPU */
	double	 local_per_s;
	bool	 has_timer;
	double	 timer_softirq_per_s;
	bool	 has_hrtimer;
	double	 hrtimer_softirq_per_s;
	bool	 has_idle;		/* idle share from /proc/stat, when given */
	double	 idle_share;		/* 0..1 of the period */
};

struct td_tickrates {
	double			 period_s;
	char			 local_row[96];	/* "LOC (Local timer interrupts)", "" if none */
	char			 why_no_local[160];
	size_t			 ncpus;
	struct td_cpu_tickrate	*cpus;		/* ascending CPU numbers */
};

/*
 * Rates over period_s seconds between snapshots a and b (either softirq snapshot may be
 * NULL).  CPUs are matched by number, rows by identity.  0, -EINVAL (period <= 0), -ENOMEM.
 */
int td_tickrates_compute(const struct td_interrupts *a, const struct td_interrupts *b,
    const struct td_softirqs *sa, const struct td_softirqs *sb, double period_s,
    struct td_tickrates **out, struct td_error *e);
/* Per-CPU idle share over the period from two /proc/stat texts (cpuN lines, USER_HZ ticks). */
int td_tickrates_add_idle(struct td_tickrates *r, const char *stat_a, const char *stat_b);
void td_tickrates_free(struct td_tickrates *r);
const struct td_cpu_tickrate *td_tickrates_cpu(const struct td_tickrates *r, int cpu);

#endif
