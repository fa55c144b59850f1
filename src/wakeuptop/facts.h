/* The machine facts of the header: host, kernel, tick mode, HZ, clock source, ticks stopped. */
#ifndef WT_FACTS_H
#define WT_FACTS_H

#include <stdbool.h>
#include <stddef.h>

#include "cpumask.h"

struct wt_facts {
	char	 host[128];		/* "" unknown */
	char	 release[128];		/* "" unknown */
	char	 tick[600];		/* tick mode summary, or why it is unknown */
	bool	 tick_known;
	char	 tick_mode[24];		/* "highres", "nohz_lowres", "periodic", "mixed", "unknown" */
	int	 hz;			/* CONFIG_HZ, -1 unknown */
	char	 hz_why[96];		/* where HZ came from, or why it is unknown */
	char	 clocksource[64];	/* "" unknown */
	char	 cs_why[600];		/* why the clock source is unknown */
	int	 ncpus_online;		/* highest online CPU + 1, 0 unknown */
	bool	 has_nohz_full;		/* /sys/devices/system/cpu/nohz_full read */
	struct td_cpuset nohz_full;
	/* Per CPU from /proc/timer_list, refreshed by wt_facts_ticks(). */
	size_t	 ncpus;
	int	*cpu;
	int	*tick_stopped;		/* 1, 0, or -1 unknown */
	char	 ticks_why[600];	/* why tick_stopped is unknown ("" when known) */
};

/* Read everything once (sysroot NULL or "/" for the live system); never fails. */
void wt_facts_read(const char *sysroot, struct wt_facts *f);
/*
 * The facts of a trace replayed without its tree: the host is "trace FILE"
 * (its last part), everything else unknown because the trace does not say it.
 */
void wt_facts_trace(const char *file, struct wt_facts *f);
/* Re-read /proc/timer_list for the per-CPU tick state (live system only). */
void wt_facts_ticks(const char *sysroot, struct wt_facts *f);
/* Tick state of CPU cpu: 1, 0, or -1 unknown. */
int wt_facts_tick_stopped(const struct wt_facts *f, int cpu);
void wt_facts_free(struct wt_facts *f);

#endif
